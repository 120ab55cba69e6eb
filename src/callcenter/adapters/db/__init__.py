"""Database adapter: engine, tables, repositories, unit of work."""
