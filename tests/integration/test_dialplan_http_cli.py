"""`callcenter route --database-url`: the caller looked up in a real (seeded) database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from callcenter.cli import main
from support.livestack import seed_floor

MONDAY_10 = "2026-11-23T10:00+08:00"


def route(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["route", "--at", MONDAY_10, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_known_caller_found_in_the_database(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = asyncio.run(seed_floor(database_url))
    code, out, err = route(
        capsys, "--caller", "138 0013 8000", "--did", "8001", "--database-url", database_url
    )
    assert code == 0, err
    decision = json.loads(out)
    assert decision["customer_id"] == ids["li_wei"]
    assert decision["segment"] == "senior"
    assert decision["reason"] != "fallback"

    code, out, _ = route(
        capsys, "--caller", "+8613912345678", "--did", "8001", "--database-url", database_url
    )
    assert code == 0
    assert json.loads(out)["customer_id"] is None  # a stranger, not an error


def test_unusable_database_url_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for url in ("nonsense://", f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'x.db'}"):
        code, out, err = route(capsys, "--caller", "1", "--did", "8001", "--database-url", url)
        assert code == 2, url
        assert out == ""
        assert err.startswith("callcenter route: --database-url:")


def test_database_url_and_customers_file_exclude_each_other(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as exited:
        route(
            capsys,
            *("--caller", "1", "--did", "8001"),
            *("--database-url", "sqlite+aiosqlite://", "--customers", str(tmp_path / "c.json")),
        )
    assert exited.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
