"""Customers: their records, caller-ID numbers, caller lookup and the screen-pop bundle."""
