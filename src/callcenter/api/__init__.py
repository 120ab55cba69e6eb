"""Thin FastAPI routers; each module has `router`, listed here in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from callcenter.api import agents, callers, complaints, contacts, customers, groups, orders

ROUTERS: list[APIRouter] = [
    customers.router,
    orders.router,
    contacts.router,
    callers.router,
    complaints.router,
    agents.router,
    groups.router,
]
