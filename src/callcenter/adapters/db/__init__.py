"""Database adapter: engine, tables, repositories, unit of work."""

# Every table module registers on tables.Base.metadata when the package is first imported.
from callcenter.adapters.db import tables_audit as tables_audit
from callcenter.adapters.db import tables_calls as tables_calls
from callcenter.adapters.db import tables_campaigns as tables_campaigns
from callcenter.adapters.db import tables_customers as tables_customers
from callcenter.adapters.db import tables_history as tables_history
from callcenter.adapters.db import tables_live as tables_live
from callcenter.adapters.db import tables_quality as tables_quality
from callcenter.adapters.db import tables_webhooks as tables_webhooks
from callcenter.adapters.db import tables_work as tables_work
from callcenter.adapters.db import tables_work_offers as tables_work_offers
