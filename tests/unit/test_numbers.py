"""Caller-ID normalization: every raw shape a trunk sends becomes number, withheld or garbage."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.domain.customers.numbers import ParsedNumber, parse_caller_id, to_e164
from support import TRACES

# (raw caller ID, expected kind, expected E.164 or None), region CN unless the test says otherwise
SHAPES: list[tuple[str | None, str, str | None]] = [
    # CN numbers in every shape a trunk sends them
    ("13800138000", "number", "+8613800138000"),
    ("+8613800138000", "number", "+8613800138000"),
    ("8613800138000", "number", "+8613800138000"),
    ("008613800138000", "number", "+8613800138000"),
    ("+86 138 0013 8000", "number", "+8613800138000"),
    ("138-0013-8000", "number", "+8613800138000"),
    ("138.0013.8000", "number", "+8613800138000"),
    ("(+86) 13800138000", "number", "+8613800138000"),
    ("  13800138000\t", "number", "+8613800138000"),
    ("１３８００１３８０００", "number", "+8613800138000"),
    ("010-62751234", "number", "+861062751234"),
    ("01062751234", "number", "+861062751234"),
    ("(010) 6275 1234", "number", "+861062751234"),
    ("+86 10 6275 1234", "number", "+861062751234"),
    ("+86 (0)10 6275 1234", "number", "+861062751234"),
    ("861062751234", "number", "+861062751234"),
    ("0086-10-62751234", "number", "+861062751234"),
    ("057187654321", "number", "+8657187654321"),
    ("075583451234", "number", "+8675583451234"),
    ("400-810-8888", "number", "+864008108888"),
    # foreign numbers
    ("+4915112345678", "number", "+4915112345678"),
    ("0049 151 12345678", "number", "+4915112345678"),
    ("+85291234567", "number", "+85291234567"),
    ("+886912345678", "number", "+886912345678"),
    ("+1 (650) 253-0000", "number", "+16502530000"),
    # SIP and tel URIs
    ("sip:+8613800138000@pbx.example.com;user=phone", "number", "+8613800138000"),
    ("sips:13800138000@pbx.example.com", "number", "+8613800138000"),
    ("SIP:010-62751234@10.0.0.1:5060", "number", "+861062751234"),
    ("tel:+86-10-6275-1234", "number", "+861062751234"),
    ("tel:62751234;phone-context=+86-10", "number", "+861062751234"),
    ("tel:62751234;phone-context=example.com", "garbage", None),
    ('"Li Wei" <sip:+8613800138000@trunk.example.com>', "number", "+8613800138000"),
    ("sip:anonymous@anonymous.invalid", "withheld", None),
    ("sip:1001@pbx.example.com", "garbage", None),
    # withheld markers
    (None, "withheld", None),
    ("", "withheld", None),
    ("   ", "withheld", None),
    ("<unknown>", "withheld", None),
    ("unknown", "withheld", None),
    ("anonymous", "withheld", None),
    ("Anonymous", "withheld", None),
    ("ANONYMOUS", "withheld", None),
    ("restricted", "withheld", None),
    ("Private", "withheld", None),
    ("withheld", "withheld", None),
    ("unavailable", "withheld", None),
    ('"Anonymous"', "withheld", None),
    # garbage: internal extensions, junk, wrong lengths, invalid ranges, control characters
    ("8002", "garbage", None),
    ("1001", "garbage", None),
    ("10086", "garbage", None),
    ("s", "garbage", None),
    ("abc", "garbage", None),
    ("1380013800O", "garbage", None),
    ("13800138000 ext. 12", "garbage", None),
    ("+", "garbage", None),
    ("---", "garbage", None),
    ("+86", "garbage", None),
    ("+1234", "garbage", None),
    ("1234567", "garbage", None),
    ("12345678901234567890", "garbage", None),
    ("+8613800138000+1", "garbage", None),
    ("138*0013#8000", "garbage", None),
    ("0013800138000", "garbage", None),
    ("00000000000", "garbage", None),
    ("1380013800\x00", "garbage", None),
    ("138\x1b[2J00138000", "garbage", None),
    ("138\u200b00138000", "garbage", None),
    ("9" * 300, "garbage", None),
]


def test_table_has_at_least_forty_shapes() -> None:
    assert len(SHAPES) >= 40
    kinds = {kind for _, kind, _ in SHAPES}
    assert kinds == {"number", "withheld", "garbage"}


@pytest.mark.parametrize(("raw", "kind", "e164"), SHAPES)
def test_shape_is_classified(raw: str | None, kind: str, e164: str | None) -> None:
    parsed = parse_caller_id(raw, "CN")
    assert (parsed.kind, parsed.e164) == (kind, e164)
    assert parsed.raw == ("" if raw is None else raw)  # the original is kept, untouched
    assert parsed.reason


def test_to_e164_is_the_e164_of_the_classification() -> None:
    assert to_e164("010-62751234") == "+861062751234"
    assert to_e164("anonymous") is None
    assert to_e164("8002") is None


def test_region_decides_what_a_national_number_means() -> None:
    assert to_e164("030 12345678", "DE") == "+493012345678"
    assert to_e164("(650) 253-0000", "US") == "+16502530000"
    assert to_e164("(650) 253-0000", "CN") is None  # not a CN number


def test_region_is_case_insensitive_and_unknown_region_is_a_clear_error() -> None:
    assert to_e164("13800138000", "cn") == "+8613800138000"
    with pytest.raises(ValueError, match="unknown phone region"):
        parse_caller_id("13800138000", "XX")


def test_reasons_tell_an_operator_what_was_wrong() -> None:
    assert parse_caller_id("8002").reason == "internal extension"
    assert parse_caller_id("abc").reason == "letters in number"
    assert parse_caller_id("1380013800\x00").reason == "control characters"
    assert parse_caller_id("8613800138000").reason == "country code without +"
    assert parse_caller_id("<unknown>").reason == "withheld (unknown)"


def test_parsed_number_is_frozen() -> None:
    parsed = parse_caller_id("13800138000")
    assert parsed.is_number
    with pytest.raises(AttributeError):
        parsed.e164 = "+1"  # type: ignore[misc]


def _trace_caller_ids() -> set[str]:
    found: set[str] = set()
    for path in TRACES.glob("*.ami"):
        text = path.read_bytes().decode("utf-8")
        found.update(re.findall(r"^(?:CallerIDNum|ConnectedLineNum): (.*?)\r$", text, re.M))
    return found


def test_every_caller_id_in_the_real_traces_is_classified() -> None:
    seen = _trace_caller_ids()
    assert {"<unknown>", "anonymous", "8002", "+8613800138000", "01062751234"} <= seen
    by_raw = {raw: parse_caller_id(raw) for raw in seen}
    # customers' phones are numbers; Asterisk's placeholders and entry points are not
    assert {raw for raw, p in by_raw.items() if p.kind == "withheld"} == {"<unknown>", "anonymous"}
    assert all(p.kind == "garbage" for raw, p in by_raw.items() if len(raw) <= 4)
    numbers = [p for p in by_raw.values() if p.kind == "number"]
    assert len(numbers) >= 25
    assert all(p.e164 is not None and p.e164.startswith("+") for p in numbers)


def test_fastagi_unknown_callerid_is_withheld() -> None:
    text = (TRACES / "anonymous_caller.agi.txt").read_text(encoding="utf-8")
    raw = re.search(r"^<< agi_callerid: (.*)$", text, re.M)
    assert raw is not None
    assert parse_caller_id(raw.group(1)).kind == "withheld"


@given(st.one_of(st.none(), st.text(max_size=80)))
def test_never_raises_and_is_consistent(raw: str | None) -> None:
    parsed = parse_caller_id(raw)
    assert isinstance(parsed, ParsedNumber)
    assert (parsed.e164 is not None) == (parsed.kind == "number")
    if parsed.e164 is not None:
        assert re.fullmatch(r"\+[1-9]\d{6,14}", parsed.e164)
        assert to_e164(parsed.e164) == parsed.e164  # normalizing twice changes nothing
