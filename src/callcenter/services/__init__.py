"""Orchestration over small protocols; services own the transactions."""
