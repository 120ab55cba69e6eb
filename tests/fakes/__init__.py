"""In-memory stand-ins for the ports (callcenter.ports): no database, no Asterisk, no sockets."""

from fakes.audit import FakeAuditLog
from fakes.live_calls import FakeLiveCallJournal
from fakes.pbx import FakePbxCommands
from fakes.push import FakeNotifier
from fakes.stores import FakeDatabase, FakeUnitOfWork

__all__ = [
    "FakeAuditLog",
    "FakeDatabase",
    "FakeLiveCallJournal",
    "FakeNotifier",
    "FakePbxCommands",
    "FakeUnitOfWork",
]
