"""Database adapter: engine, tables, repositories, unit of work."""

# Every table module registers on tables.Base.metadata when the package is first imported.
from callcenter.adapters.db import tables_history as tables_history
from callcenter.adapters.db import tables_live as tables_live
