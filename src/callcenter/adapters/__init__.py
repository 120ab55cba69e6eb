"""Adapters at the edges: AMI, database, push, FastAGI."""
