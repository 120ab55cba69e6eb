"""Pure domain: no asyncio, SQLAlchemy, FastAPI or panoramisk."""
