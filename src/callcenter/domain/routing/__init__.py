"""Routing: groups, the rule book, business hours, the router and its decision."""
