"""What a user sees when the command line meets a missing database, a taken port or a bad flag."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from callcenter.adapters.db.migrate import upgrade
from callcenter.cli import main


@pytest.fixture
def clean_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no CALLCENTER_ settings, as after a fresh clone."""
    for name in list(os.environ):
        if name.startswith("CALLCENTER_"):
            monkeypatch.delenv(name)
    for name in ("CALLCENTER_DATABASE_URL", "CALLCENTER_ROUTING_FILE"):
        monkeypatch.setenv(name, "")  # `--demo` sets these; undone after the test
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("argv", [["lookup", "13800138000"], ["token", "list"]])
def test_a_missing_database_is_one_line_and_no_file_is_left(
    clean_dir: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = one_line(capsys.readouterr().err)
    assert "no database at" in err and "callcenter migrate" in err and "--demo" in err
    assert "Traceback" not in err
    assert list(clean_dir.iterdir()) == []  # nothing created by asking


async def test_an_unmigrated_database_is_one_line(
    empty_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await asyncio.to_thread(main, ["lookup", "138", "--database-url", empty_database_url])
    assert code == 2
    err = one_line(capsys.readouterr().err)
    # SQLite's empty database is no file at all; PostgreSQL's is a database without tables
    assert "has no schema" in err or "no database at" in err
    assert "callcenter migrate" in err and "Traceback" not in err


async def test_demo_flag_uses_the_demo_database(
    clean_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (clean_dir / ".demo").mkdir()
    await upgrade(f"sqlite+aiosqlite:///{clean_dir / '.demo' / 'demo.db'}")
    code = await asyncio.to_thread(main, ["--demo", "token", "create", "--role", "admin"])
    assert code == 0
    assert capsys.readouterr().out.startswith("cc_")
    assert await asyncio.to_thread(main, ["--demo", "token", "list"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["role"] == "admin"
    assert not (clean_dir / "callcenter.db").exists()


async def test_agent_token_without_agent_is_one_line(
    clean_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{clean_dir / 'cc.db'}"
    await upgrade(url)
    argv = ["token", "create", "--role", "agent", "--database-url", url]
    assert await asyncio.to_thread(main, argv) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert "needs --agent CODE" in one_line(out.err)


def test_simulate_rate_zero_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "--rate", "0"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--rate: must be above 0 calls per second" in err
    assert "ZeroDivisionError" not in err


def test_demo_with_its_port_taken_says_so_and_exits(
    clean_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["demo", "--http-port", str(port), "--dir", "d"]) == 2
    err = one_line(capsys.readouterr().err)
    assert f"port {port} on 127.0.0.1 is taken" in err and "--http-port" in err
    assert not (clean_dir / "d" / "demo.db").exists()  # refused before doing any work


def test_demo_prints_how_the_cli_reaches_its_database(clean_dir: Path) -> None:
    argv = ["demo", "--http-port", "0", "--customers", "30", "--agents", "2", "--duration", "0.5"]
    demo = subprocess.run(
        [sys.executable, "-m", "callcenter", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    url = f"sqlite+aiosqlite:///{clean_dir / '.demo' / 'demo.db'}"
    assert f"export CALLCENTER_DATABASE_URL={url}" in demo.stdout
    assert "http://127.0.0.1:0/" not in demo.stdout  # the port really chosen is printed
    env = {**os.environ, "CALLCENTER_DATABASE_URL": url}
    exported = subprocess.run(
        [sys.executable, "-m", "callcenter", "lookup", "0000"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["status"] == "unknown"
    flag = subprocess.run(
        [sys.executable, "-m", "callcenter", "--demo", "lookup", "0000"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert flag.returncode == 0, flag.stderr
    assert json.loads(flag.stdout) == json.loads(exported.stdout)


def test_demo_flag_routes_with_the_demo_rules(
    clean_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from callcenter.commands.demo import round_the_clock_rules

    (clean_dir / ".demo").mkdir()
    round_the_clock_rules(clean_dir / ".demo" / "routing.toml")  # what `callcenter demo` writes
    night = ["route", "--caller", "13800138000", "--did", "8003"]
    night += ["--at", "2026-12-06T03:00:00+08:00"]  # a Sunday, 3 a.m.: the packaged rules close
    assert main(night) == 0
    packaged = json.loads(capsys.readouterr().out)
    assert main(["--demo", *night]) == 0
    demo = json.loads(capsys.readouterr().out)
    assert packaged["action"] != "queue"
    assert demo["action"] == "queue" and demo["queue"] == "telemarketing"
