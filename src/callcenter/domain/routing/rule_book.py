"""Reading the routing rule book: parsed TOML validated into `RoutingRules`, or a `RulesError`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callcenter.domain.routing.business_hours import OpenSpan, parse_span
from callcenter.domain.routing.groups import GroupRouting
from callcenter.domain.routing.rules import Match, RoutingRules, Rule, RulesError
from callcenter.domain.routing.work_book import parse_work

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

_TOP_FIELDS = frozenset(
    {"timezone", "default_group", "callback_group", "holidays", "complaint_sticky_days"}
    | {"agent_sticky_days", "groups", "rules", "work"}
)
_GROUP_FIELDS = frozenset(
    {"did", "overflow", "overflow_after_s", "borrow", "borrow_after_s", "hours", "holiday_hours"}
)
_MATCH_FIELDS = frozenset(
    {"did", "menu", "caller", "segment", "role", "credit_hold", "open_complaint"}
    | {"served_recently", "queue"}
)
_RULE_FIELDS = frozenset(
    {"name", "match", "queue", "queue_from", "queue_if_staffed", "priority", "prefer"}
    | {"agents", "reason", "stop"}
)


def parse_rules(data: Mapping[str, object]) -> RoutingRules:
    """Validate a parsed rule book (e.g. from tomllib) into RoutingRules, or raise RulesError."""
    _no_unknown("rule book", data, _TOP_FIELDS)
    timezone = _str(data, "timezone", "rule book", default="UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RulesError(f"rule book: field 'timezone' names unknown zone {timezone!r}") from exc
    raw_groups = data.get("groups")
    if not isinstance(raw_groups, Mapping) or not raw_groups:
        raise RulesError("rule book: field 'groups' must be a non-empty table of groups")
    groups = {str(slug): _group(str(slug), spec) for slug, spec in raw_groups.items()}
    for group in groups.values():
        for name, target in (("overflow", group.overflow), ("borrow", group.borrow)):
            if target is not None and target not in groups:
                raise RulesError(
                    f"group '{group.slug}': field '{name}' names unknown group {target!r}"
                )
    by_did: dict[str, str] = {}
    for group in groups.values():
        if group.did is not None:
            if group.did in by_did:
                raise RulesError(f"group '{group.slug}': field 'did' {group.did!r} is already used")
            by_did[group.did] = group.slug
    default_group = _str(data, "default_group", "rule book", default=next(iter(groups)))
    callback_group = _str(data, "callback_group", "rule book", default=default_group)
    for name, slug in (("default_group", default_group), ("callback_group", callback_group)):
        if slug not in groups:
            raise RulesError(f"rule book: field '{name}' names unknown group {slug!r}")
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise RulesError("rule book: field 'rules' must be a list of [[rules]] tables")
    rules = tuple(_rule(i, spec, groups) for i, spec in enumerate(raw_rules))
    names = [r.name for r in rules]
    for name in names:
        if names.count(name) > 1:
            raise RulesError(f"rule '{name}': field 'name' is used by more than one rule")
    return RoutingRules(
        timezone=timezone,
        default_group=default_group,
        callback_group=callback_group,
        groups=groups,
        rules=rules,
        holidays=_holidays(data.get("holidays", [])),
        complaint_sticky_days=_int(data, "complaint_sticky_days", "rule book", 0, 3650, 30),
        agent_sticky_days=_int(data, "agent_sticky_days", "rule book", 0, 3650, 14),
        by_did=by_did,
        work=parse_work(data.get("work", {}), groups),
    )


def _group(slug: str, spec: object) -> GroupRouting:
    where = f"group '{slug}'"
    if not _SLUG.match(slug):
        raise RulesError(f"{where}: name must be lower-case letters, digits, '-' or '_'")
    if not isinstance(spec, Mapping):
        raise RulesError(f"{where}: must be a table")
    _no_unknown(where, spec, _GROUP_FIELDS)
    did = spec.get("did")
    if did is not None and (not isinstance(did, str) or not did.isdigit()):
        raise RulesError(f"{where}: field 'did' must be a string of digits")
    return GroupRouting(
        slug=slug,
        did=did,
        overflow=_opt_str(spec, "overflow", where),
        overflow_after_s=_int(spec, "overflow_after_s", where, 0, 3600, 0),
        borrow=_opt_str(spec, "borrow", where),
        borrow_after_s=_int(spec, "borrow_after_s", where, 0, 3600, 0),
        hours=_spans(spec.get("hours", []), where, "hours"),
        holiday_hours=_spans(spec.get("holiday_hours", []), where, "holiday_hours"),
    )


def _rule(index: int, spec: object, groups: Mapping[str, GroupRouting]) -> Rule:
    if not isinstance(spec, Mapping):
        raise RulesError(f"rule #{index + 1}: must be a table")
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RulesError(f"rule #{index + 1}: field 'name' must be a non-empty string")
    where = f"rule '{name}'"
    _no_unknown(where, spec, _RULE_FIELDS)
    for key in ("queue", "queue_if_staffed"):
        target = _opt_str(spec, key, where)
        if target is not None and target not in groups:
            raise RulesError(f"{where}: field '{key}' names unknown group {target!r}")
    queue_from = spec.get("queue_from")
    if queue_from not in (None, "complaint"):
        raise RulesError(f"{where}: field 'queue_from' must be \"complaint\"")
    prefer = spec.get("prefer")
    if prefer not in (None, "complaint-owner", "last-agent", "agents"):
        raise RulesError(
            f"{where}: field 'prefer' must be one of complaint-owner, last-agent, agents"
        )
    agents = _str_list(spec.get("agents", []), where, "agents")
    if prefer == "agents" and not agents:
        raise RulesError(f"{where}: field 'agents' must list agent codes when prefer = \"agents\"")
    stop = spec.get("stop", False)
    if not isinstance(stop, bool):
        raise RulesError(f"{where}: field 'stop' must be true or false")
    priority = spec.get("priority")
    if priority is not None and (
        isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= 100
    ):
        raise RulesError(f"{where}: field 'priority' must be an integer 0..100")
    return Rule(
        name=name,
        match=_match(spec.get("match", {}), where),
        queue=_opt_str(spec, "queue", where),
        queue_from=queue_from,
        queue_if_staffed=_opt_str(spec, "queue_if_staffed", where),
        priority=priority,
        prefer=prefer,
        agents=tuple(agents),
        reason=_opt_str(spec, "reason", where),
        stop=stop,
    )


def _match(spec: object, where: str) -> Match:
    if not isinstance(spec, Mapping):
        raise RulesError(f"{where}: field 'match' must be a table")
    _no_unknown(where, spec, _MATCH_FIELDS, prefix="match.")
    caller = spec.get("caller")
    if caller not in (None, "known", "unknown"):
        raise RulesError(f'{where}: field \'match.caller\' must be "known" or "unknown"')
    flags: dict[str, bool | None] = {}
    for key in ("credit_hold", "open_complaint", "served_recently"):
        value = spec.get(key)
        if value is not None and not isinstance(value, bool):
            raise RulesError(f"{where}: field 'match.{key}' must be true or false")
        flags[key] = value

    def _set(key: str) -> frozenset[str] | None:
        if key not in spec:
            return None
        return frozenset(_str_list(spec[key], where, f"match.{key}"))

    return Match(
        did=_set("did"),
        menu=_set("menu"),
        caller=caller,
        segment=_set("segment"),
        role=_set("role"),
        credit_hold=flags["credit_hold"],
        open_complaint=flags["open_complaint"],
        served_recently=flags["served_recently"],
        queue=_set("queue"),
    )


def _spans(value: object, where: str, key: str) -> tuple[OpenSpan, ...]:
    spans = []
    for item in _str_list(value, where, key):
        span = parse_span(item)
        if span is None:
            raise RulesError(
                f"{where}: field '{key}' entry {item!r} must look like 'mon-fri 08:00-20:00'"
            )
        spans.append(span)
    return tuple(spans)


def _holidays(value: object) -> frozenset[date]:
    days = set()
    for item in _str_list(value, "rule book", "holidays"):
        try:
            days.add(date.fromisoformat(item))
        except ValueError as exc:
            raise RulesError(f"rule book: field 'holidays' entry {item!r} is not a date") from exc
    return frozenset(days)


def _no_unknown(
    where: str, spec: Mapping[str, object], known: frozenset[str], prefix: str = ""
) -> None:
    for key in spec:
        if key not in known:
            raise RulesError(f"{where}: unknown field '{prefix}{key}'")


def _str(spec: Mapping[str, object], key: str, where: str, *, default: str) -> str:
    value = _opt_str(spec, key, where)
    return default if value is None else value


def _opt_str(spec: Mapping[str, object], key: str, where: str) -> str | None:
    value = spec.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise RulesError(f"{where}: field '{key}' must be a non-empty string")
    return value


def _int(spec: Mapping[str, object], key: str, where: str, lo: int, hi: int, default: int) -> int:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise RulesError(f"{where}: field '{key}' must be an integer {lo}..{hi}")
    return value


def _str_list(value: object, where: str, key: str) -> Sequence[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RulesError(f"{where}: field '{key}' must be a list of non-empty strings")
    return value
