"""Lookup ranking: who is calling, in the order an agent should consider them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from callcenter.domain.customers.lookup import LookupCandidateRow, rank_candidates
from callcenter.domain.customers.numbers import parse_caller_id

NUMBER = parse_caller_id("13800138000")


def row(
    customer_id: int,
    segment: str = "regular",
    *,
    primary: bool = False,
    last: datetime | None = None,
    name: str = "",
) -> LookupCandidateRow:
    return LookupCandidateRow(customer_id, name or f"C{customer_id}", segment, primary, last)


def ids(rows: list[LookupCandidateRow]) -> list[int]:
    return [c.customer_id for c in rank_candidates(NUMBER, rows).candidates]


def test_one_customer_is_matched_with_a_reason() -> None:
    result = rank_candidates(
        NUMBER, [row(7, "vip", primary=True, last=datetime(2026, 11, 20, 9, 30), name="Li Wei")]
    )
    assert result.status == "matched"
    assert result.e164 == "+8613800138000"
    assert result.customer_id == 7
    assert result.candidates[0].name == "Li Wei"
    assert result.candidates[0].reason == "primary number, vip member, last contact 2026-11-20"


def test_several_customers_are_ambiguous_not_picked() -> None:
    result = rank_candidates(NUMBER, [row(1), row(2)])
    assert result.status == "ambiguous"
    assert result.customer_id is None
    assert len(result.candidates) == 2


def test_primary_number_beats_segment_and_recency() -> None:
    recent = datetime(2026, 11, 20, tzinfo=UTC)
    rows = [row(1, "vip", last=recent), row(2, "regular", primary=True)]
    assert ids(rows) == [2, 1]


def test_segment_order_is_vip_then_senior_then_regular_then_unknown() -> None:
    rows = [row(1, "regular"), row(2, "mystery"), row(3, "senior"), row(4, "VIP")]
    assert ids(rows) == [4, 3, 1, 2]


def test_most_recent_contact_breaks_ties_and_never_contacted_goes_last() -> None:
    base = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [row(1), row(2, last=base), row(3, last=base + timedelta(days=3)), row(4, last=base)]
    assert ids(rows) == [3, 2, 4, 1]


def test_naive_and_aware_timestamps_compare_without_error() -> None:
    # SQLite returns naive UTC, PostgreSQL aware: 09:00+08:00 is 01:00 UTC, earlier than 02:00
    rows = [
        row(1, last=datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))),
        row(2, last=datetime(2026, 11, 20, 2, 0)),
    ]
    assert ids(rows) == [2, 1]


def test_duplicate_rows_of_one_customer_are_one_candidate() -> None:
    later = datetime(2026, 11, 20)
    result = rank_candidates(NUMBER, [row(5), row(5, primary=True, last=later)])
    assert result.status == "matched"
    assert result.candidates[0].reason == "primary number, regular member, last contact 2026-11-20"


def test_secondary_never_contacted_reason() -> None:
    result = rank_candidates(NUMBER, [row(1, "senior")])
    assert result.candidates[0].reason == "secondary number, senior member, no previous contact"


def test_no_rows_is_unknown_but_keeps_the_number() -> None:
    result = rank_candidates(NUMBER, [])
    assert (result.status, result.e164, result.candidates) == ("unknown", "+8613800138000", ())


def test_withheld_caller_ignores_rows() -> None:
    result = rank_candidates(parse_caller_id("anonymous"), [row(1)])
    assert (result.status, result.e164, result.candidates) == ("withheld", None, ())


def test_garbage_caller_is_unknown_without_number() -> None:
    for raw in ("8002", "abc", "1380013800\x00"):
        result = rank_candidates(parse_caller_id(raw), [row(1)])
        assert (result.status, result.e164, result.candidates) == ("unknown", None, ())


def test_to_json_is_plain_data() -> None:
    result = rank_candidates(NUMBER, [row(2, "vip"), row(1, "senior", primary=True)])
    assert result.to_json() == {
        "status": "ambiguous",
        "e164": "+8613800138000",
        "candidates": [
            {
                "customer_id": 1,
                "name": "C1",
                "segment": "senior",
                "reason": "primary number, senior member, no previous contact",
            },
            {
                "customer_id": 2,
                "name": "C2",
                "segment": "vip",
                "reason": "secondary number, vip member, no previous contact",
            },
        ],
    }
