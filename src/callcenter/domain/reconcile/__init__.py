"""Reconciliation of our stored calls against Asterisk's queue_log."""
