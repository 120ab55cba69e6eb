"""Tokens and roles: who may do what, and what a bad token or role looks like."""

from __future__ import annotations

import hashlib

import pytest

from callcenter.domain.access.auth import (
    PERMISSIONS,
    ROLES,
    PermissionDenied,
    Principal,
    allows,
    bearer_token,
    can_act_for_agent,
    can_watch_agent,
    hash_token,
    looks_like_token,
    new_token,
    parse_role,
    require,
    token_matches,
)

ADMIN = Principal("admin", token_id=1)
SUPERVISOR = Principal("supervisor", token_id=2)
AGENT_7 = Principal("agent", agent_id=7, agent_code="1001", token_id=3)
DIALPLAN = Principal("dialplan", token_id=4)


def test_new_tokens_are_prefixed_url_safe_and_unique() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert token.startswith("cc_")
        assert looks_like_token(token)
        assert len(token) >= 40  # 32 random bytes


def test_hash_is_sha256_hex_and_matches_only_its_token() -> None:
    token = new_token()
    stored = hash_token(token)
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert len(stored) == 64
    assert token_matches(token, stored)
    assert token_matches(token, stored.upper())
    assert not token_matches(new_token(), stored)
    assert not token_matches(token + "x", stored)


@pytest.mark.parametrize(
    "text", ["", "cc_", "cc_short", "xx_" + "a" * 40, "cc_" + "a" * 30 + " ", "cc_" + "é" * 30]
)
def test_malformed_tokens_are_rejected_before_any_lookup(text: str) -> None:
    assert not looks_like_token(text)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer cc_abc", "cc_abc"),
        ("bearer   cc_abc ", "cc_abc"),
        ("Basic dXNlcg==", None),
        ("Bearer", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_header(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_roles_parse_case_insensitively_and_reject_others() -> None:
    assert parse_role(" Supervisor ") == "supervisor"
    with pytest.raises(ValueError, match="unknown role 'root'"):
        parse_role("root")


def test_principal_validates_role_and_agent_identity() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        Principal("root")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="agent_id and agent_code"):
        Principal("agent", agent_id=None, agent_code="1001")
    with pytest.raises(ValueError, match="agent_id and agent_code"):
        Principal("agent", agent_id=7, agent_code="")


def test_permission_table_covers_every_role_sensibly() -> None:
    assert set(ROLES) == {"admin", "supervisor", "agent", "dialplan", "intake"}
    assert all(allows(ADMIN, action) for action in PERMISSIONS)
    assert allows(SUPERVISOR, "wallboard.view")
    assert not allows(AGENT_7, "wallboard.view")
    assert allows(AGENT_7, "customers.read")
    assert not allows(AGENT_7, "tokens.manage")
    assert not allows(SUPERVISOR, "tokens.manage")
    assert allows(DIALPLAN, "dialplan.route")
    assert not allows(DIALPLAN, "customers.read")
    assert not allows(AGENT_7, "dialplan.route")
    # an intake token files work items and reads nothing
    intake = Principal("intake")
    assert [a for a in PERMISSIONS if allows(intake, a)] == ["work.submit"]
    assert not allows(AGENT_7, "work.submit") and not allows(DIALPLAN, "work.submit")


def test_require_raises_permission_denied() -> None:
    require(ADMIN, "tokens.manage")
    with pytest.raises(PermissionDenied, match=r"agent may not wallboard\.view"):
        require(AGENT_7, "wallboard.view")


def test_acting_for_an_agent() -> None:
    assert can_act_for_agent(ADMIN, 99)
    assert can_act_for_agent(SUPERVISOR, 99)
    assert can_act_for_agent(AGENT_7, 7)
    assert not can_act_for_agent(AGENT_7, 8)
    assert not can_act_for_agent(DIALPLAN, 7)


def test_watching_an_agent_channel() -> None:
    assert can_watch_agent(SUPERVISOR, "1002")
    assert can_watch_agent(AGENT_7, "1001")
    assert not can_watch_agent(AGENT_7, "1002")
    assert not can_watch_agent(DIALPLAN, "1001")
