"""Synthetic, deterministic book-club data: customers, phones, orders, complaints, contacts."""
