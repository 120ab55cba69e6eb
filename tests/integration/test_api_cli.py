"""`callcenter token` and `callcenter lookup` against a real database (SQLite + PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from callcenter.cli import main
from callcenter.domain.access.auth import hash_token, looks_like_token
from callcenter.ports.uow import UowFactory
from callcenter.services.customers import Directory, RawPhone

T = TypeVar("T")


def _db(url: str, work: Callable[[UowFactory], Awaitable[T]]) -> T:
    from callcenter.adapters.db.engine import make_engine, make_session_factory
    from callcenter.adapters.db.uow import SqlUnitOfWork

    async def go() -> T:
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        try:
            return await work(lambda: SqlUnitOfWork(sessions))
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def _add_agent(uow: UowFactory) -> int:
    async with uow() as work:
        agent_id = await work.agents.add(code="1001", name="Wang Fang", interface="PJSIP/1001")
        await work.commit()
    return agent_id


def test_token_create_prints_only_the_token_which_is_stored_hashed(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "token",
            "create",
            "--role",
            "supervisor",
            "--label",
            "wallboard",
            "--database-url",
            database_url,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    token = out.removesuffix("\n")
    assert out == token + "\n"  # the token and nothing else
    assert looks_like_token(token)

    async def stored(uow: UowFactory) -> list[tuple[str, str, str | None]]:
        async with uow() as work:
            return [(t.token_hash, t.role, t.label) for t in await work.tokens.list_all()]

    assert _db(database_url, stored) == [(hash_token(token), "supervisor", "wallboard")]


def test_agent_tokens_name_an_existing_agent(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--database-url", database_url, "create", "--role", "agent"]) == 2
    assert "needs --agent" in capsys.readouterr().err
    assert (
        main(
            [
                "token",
                "--database-url",
                database_url,
                "create",
                "--role",
                "agent",
                "--agent",
                "1001",
            ]
        )
        == 2
    )
    captured = capsys.readouterr()
    assert (captured.out, "no agent with code '1001'" in captured.err) == ("", True)
    assert main(["token", "--database-url", database_url, "create", "--role", "wizard"]) == 2
    assert "unknown role 'wizard'" in capsys.readouterr().err
    agent_id = _db(database_url, _add_agent)
    assert (
        main(
            [
                "token",
                "--database-url",
                database_url,
                "create",
                "--role",
                "agent",
                "--agent",
                "1001",
            ]
        )
        == 0
    )
    token = capsys.readouterr().out.strip()

    async def holder(uow: UowFactory) -> int | None:
        async with uow() as work:
            found = await work.tokens.by_hash(token_hash=hash_token(token))
        return None if found is None else found.agent_id

    assert _db(database_url, holder) == agent_id


def test_token_list_and_revoke(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["token", "create", "--role", "admin", "--label", "ops", "--database-url", database_url])
    token = capsys.readouterr().out.strip()
    assert main(["token", "list", "--database-url", database_url]) == 0
    listed = capsys.readouterr().out
    assert token not in listed and hash_token(token) not in listed  # no secrets shown
    rows = [json.loads(line) for line in listed.splitlines()]
    assert [(r["role"], r["label"], r["revoked_at"]) for r in rows] == [("admin", "ops", None)]
    assert main(["token", "revoke", str(rows[0]["id"]), "--database-url", database_url]) == 0
    assert capsys.readouterr().out == ""
    assert main(["token", "revoke", str(rows[0]["id"]), "--database-url", database_url]) == 1
    assert "no active token" in capsys.readouterr().err
    main(["token", "list", "--database-url", database_url])
    assert json.loads(capsys.readouterr().out)["revoked_at"] is not None


def test_lookup_prints_the_result_as_json(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def add(uow: UowFactory) -> int:
        directory = Directory(uow=uow, region="CN")
        from datetime import UTC, datetime

        return await directory.create(
            fields={"name": "李伟", "segment": "senior"},
            phones=[RawPhone("+86 138 0013 8000")],
            now=datetime.now(UTC),
        )

    cid = _db(database_url, add)
    assert main(["lookup", "008613800138000", "--database-url", database_url]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["status"] == "matched"
    assert body["e164"] == "+8613800138000"
    assert [(c["customer_id"], c["name"]) for c in body["candidates"]] == [(cid, "李伟")]
    assert main(["lookup", "anonymous", "--database-url", database_url]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "status": "withheld",
        "e164": None,
        "candidates": [],
    }
    assert main(["lookup", "13800138000", "--region", "XX", "--database-url", database_url]) == 2
    assert "unknown phone region" in capsys.readouterr().err
