"""Websocket push: hub, backlog, message envelope."""
