"""Asterisk Manager Interface adapter (panoramisk)."""
