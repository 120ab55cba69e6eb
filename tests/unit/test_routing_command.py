"""`callcenter route`: the decision and its trace as JSON; bad input gives a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callcenter.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["route", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_decision_and_trace(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--caller", "anonymous", "--did", "8002", "--at", "2026-11-23T10:00+08:00"
    )
    assert code == 0
    decision = json.loads(out)
    assert decision["queue"] == "online-service"
    assert decision["reason"] == "new caller"
    assert decision["trace"][0] == {
        "rule": "entry",
        "fired": True,
        "detail": "DID 8002 -> online-service",
    }


def test_customers_file_stands_in_for_the_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    customers = tmp_path / "customers.json"
    customers.write_text(
        json.dumps(
            {
                "+8613800138000": {
                    "customer_id": 12,
                    "segment": "vip",
                    "open_complaints": [
                        {
                            "id": 3,
                            "owner_group": "documents",
                            "owner_agent_code": "1008",
                            "opened_at": "2026-11-20T09:00+08:00",
                        }
                    ],
                }
            }
        ),
        "utf-8",
    )
    code, out, _ = run(
        capsys,
        *("--caller", "010-6275 1234", "--did", "8001", "--at", "2026-11-23T10:00+08:00"),
        *("--customers", str(customers)),
    )
    assert code == 0
    assert json.loads(out)["customer_id"] is None  # a different number: unknown caller
    code, out, _ = run(
        capsys,
        *("--caller", "+86 138 0013 8000", "--did", "8001", "--at", "2026-11-23T10:00+08:00"),
        *("--customers", str(customers)),
    )
    decision = json.loads(out)
    assert (decision["customer_id"], decision["queue"], decision["priority"]) == (
        12,
        "documents",
        80,
    )
    assert decision["reason"] == "open complaint, vip member"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--at", "2026-11-23T10:00"), "needs a UTC offset"),
        (("--at", "tomorrow"), "Invalid isoformat"),
        (("--rules", "no-such-rules.toml"), "no-such-rules.toml"),
        (("--customers", "no-such-customers.json"), "no-such-customers.json"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], extra: tuple[str, str], message: str
) -> None:
    code, out, err = run(capsys, "--caller", "+8613800138000", "--did", "8001", *extra)
    assert code == 2
    assert out == ""
    assert message in err


def test_bad_customer_file_names_the_customer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    customers = tmp_path / "c.json"
    customers.write_text(json.dumps({"+8613800138000": {"segment": "gold", "customer_id": 1}}))
    code, _, err = run(capsys, "--caller", "x", "--did", "8001", "--customers", str(customers))
    assert code == 2
    assert "customer '+8613800138000'" in err
    assert "gold" in err
