"""Agents: their records, the interface directory, live states and presence per group."""
