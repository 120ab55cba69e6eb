"""`CALLCENTER_LOG_FORMAT=json`: JSON lines, with pbx and linkedid on lines about a call."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from callcenter.adapters.logformat import JsonFormatter, call_context, configure
from support import TRACES


def _line(logger: logging.Logger, *args: object, **kw: object) -> dict[str, object]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger.addHandler(handler)
    try:
        logger.warning(*args, **kw)  # type: ignore[arg-type]
    finally:
        logger.removeHandler(handler)
    return json.loads(JsonFormatter().format(records[0]))  # type: ignore[no-any-return]


def test_lines_about_a_call_carry_its_pbx_and_linkedid() -> None:
    log = logging.getLogger("callcenter.test")
    with call_context("pbx1", "1795343813.0"):
        inside = _line(log, "answered by %s", "Wang Fang")
    outside = _line(log, "nothing to do with a call")
    per_line = _line(log, "stored", extra={"pbx": "pbx2", "linkedid": "17.4", "queue": "finance"})

    assert inside["msg"] == "answered by Wang Fang"
    assert (inside["pbx"], inside["linkedid"], inside["level"]) == (
        "pbx1",
        "1795343813.0",
        "WARNING",
    )
    assert "pbx" not in outside and "linkedid" not in outside
    assert (per_line["pbx"], per_line["linkedid"], per_line["queue"]) == ("pbx2", "17.4", "finance")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="text' or 'json"):
        configure("INFO", "xml")


def test_the_command_line_logs_json_when_asked() -> None:
    env = {**os.environ, "CALLCENTER_LOG_FORMAT": "json"}
    cmd = [
        sys.executable,
        "-m",
        "callcenter",
        "replay",
        str(TRACES / "answered_caller_hangs_up.ami"),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, timeout=120)
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert lines and all({"ts", "level", "logger", "msg"} <= set(line) for line in lines)

    env["CALLCENTER_LOG_FORMAT"] = "yaml"
    bad = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "json" in bad.stderr
