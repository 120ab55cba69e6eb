"""Asterisk call-center backend for a book club / publisher."""

__version__ = "0.1.0"
