"""Reading the rule book's `[work]` table (see work_sla) into `WorkTargets`, or a `RulesError`."""

from __future__ import annotations

from collections.abc import Mapping

from callcenter.domain.routing.rules import RulesError
from callcenter.domain.routing.work_sla import SlaTarget, WorkTargets, parse_target
from callcenter.domain.work_items import WORK_KINDS

_FIELDS = frozenset({"groups", "sla", "sla_by_group"})


def parse_work(value: object, groups: Mapping[str, object]) -> WorkTargets:
    """The `[work]` table; every kind and group named must exist."""
    if not isinstance(value, Mapping):
        raise RulesError("rule book: field 'work' must be a table")
    for key in value:
        if key not in _FIELDS:
            raise RulesError(f"rule book: unknown field 'work.{key}'")
    kind_groups = _kinds(value.get("groups", {}), "work.groups")
    for kind, slug in kind_groups.items():
        if slug not in groups:
            raise RulesError(f"rule book: field 'work.groups.{kind}' names unknown group {slug!r}")
    by_group_raw = value.get("sla_by_group", {})
    if not isinstance(by_group_raw, Mapping):
        raise RulesError("rule book: field 'work.sla_by_group' must be a table of groups")
    by_group: dict[str, dict[str, SlaTarget]] = {}
    for slug, spec in by_group_raw.items():
        if slug not in groups:
            raise RulesError(f"rule book: field 'work.sla_by_group' names unknown group {slug!r}")
        by_group[str(slug)] = _targets(spec, f"work.sla_by_group.{slug}")
    return WorkTargets(
        groups=kind_groups, sla=_targets(value.get("sla", {}), "work.sla"), sla_by_group=by_group
    )


def _kinds(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise RulesError(f"rule book: field '{where}' must be a table of kinds")
    out: dict[str, str] = {}
    for kind, text in value.items():
        if kind not in WORK_KINDS:
            raise RulesError(
                f"rule book: field '{where}.{kind}' is not a work kind ({', '.join(WORK_KINDS)})"
            )
        if not isinstance(text, str) or not text.strip():
            raise RulesError(f"rule book: field '{where}.{kind}' must be a non-empty string")
        out[str(kind)] = text.strip()
    return out


def _targets(value: object, where: str) -> dict[str, SlaTarget]:
    out: dict[str, SlaTarget] = {}
    for kind, text in _kinds(value, where).items():
        target = parse_target(text)
        if target is None:
            raise RulesError(
                f"rule book: field '{where}.{kind}' {text!r} must look like '2d', '4h' or '30m'"
            )
        out[kind] = target
    return out
