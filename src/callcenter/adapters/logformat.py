"""Structured logs: one JSON object per line, with the call's pbx and linkedid when known.

`CALLCENTER_LOG_FORMAT=json` selects it. A line is about a call when the code that logs it says so,
either per line (`log.info(..., extra={"pbx": p, "linkedid": l})`) or for a stretch of work
(`with call_context(pbx, linkedid): ...`); both end up as top-level `pbx` and `linkedid` keys.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

_CALL: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "callcenter_call", default=None
)
# Attributes every LogRecord has; anything else was passed through `extra=` and is kept.
_STANDARD = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}


@contextlib.contextmanager
def call_context(pbx: str, linkedid: str) -> Iterator[None]:
    """Every line logged inside (in this task or thread) is about this call."""
    token = _CALL.set((pbx, linkedid))
    try:
        yield
    finally:
        _CALL.reset(token)


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "msg", ["pbx", "linkedid"], [extra...], ["exc"]}` per line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        call = _CALL.get()
        if call is not None:
            out["pbx"], out["linkedid"] = call
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure(level: str, fmt: str) -> None:
    """Root logging to stderr as `text` (the default) or `json`, unless already configured."""
    if fmt not in ("text", "json"):
        raise ValueError(f"log format must be 'text' or 'json', not {fmt!r}")
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # As logging.basicConfig: a process that already logs somewhere (a test run) keeps its handlers.
    logging.basicConfig(level=level.upper(), handlers=[handler])
