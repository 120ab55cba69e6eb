"""Complaints: their records and the workflow (status changes, escalation, SLA)."""
