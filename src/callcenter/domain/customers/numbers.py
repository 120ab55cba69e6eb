"""Caller-ID normalization: any raw caller ID becomes a number (E.164), withheld, or garbage."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import phonenumbers

NumberKind = Literal["number", "withheld", "garbage"]

# What PBXs and carriers put in CallerIDNum when the caller hides their number.
WITHHELD_MARKERS: frozenset[str] = frozenset(
    {
        "anonymous",
        "unknown",
        "restricted",
        "private",
        "withheld",
        "unavailable",
        "blocked",
        "private number",
        "unknown number",
        "number withheld",
        "no caller id",
        "nocallerid",
    }
)

# Longer than any SIP URI a trunk would plausibly send; keeps phonenumbers away from huge input.
MAX_RAW_LENGTH = 256
# Asterisk puts the dialled entry point (e.g. 8002) or an extension here: not a customer's phone.
MAX_INTERNAL_DIGITS = 6
MIN_NATIONAL_DIGITS = 7
MAX_E164_DIGITS = 15

_URI_SCHEME = re.compile(r"^(?:tel|sips?):", re.IGNORECASE)
_SEPARATORS = frozenset(" -().-/\u00a0\u3000\u2010\u2011\u2012\u2013\u2014\uff08\uff09\uff0d")


@dataclass(frozen=True)
class ParsedNumber:
    """A classified caller ID; `e164` is set only when `kind` is "number".

    `verified` is False for a plausible number phonenumbers calls invalid (a range newer than
    its metadata, one digit too many or too few): its best normalized form is kept.
    """

    kind: NumberKind
    e164: str | None
    raw: str
    reason: str
    verified: bool = True

    @property
    def is_number(self) -> bool:
        """True when the caller ID is a real, dialable customer number."""
        return self.kind == "number"


def to_e164(raw: str, region: str = "CN") -> str | None:
    """The E.164 form of a caller ID, or None when it is withheld or not a valid number."""
    return parse_caller_id(raw, region).e164


# The same few numbers are classified again and again (a call's every fact, each lookup), and
# phonenumbers' validation costs a good part of a millisecond: results are kept, bounded.
@lru_cache(maxsize=16_384)
def parse_caller_id(raw: str | None, region: str = "CN") -> ParsedNumber:
    """Classify a raw caller ID; never raises for bad input (an unknown region is a ValueError).

    Pure and cached: the answer for a (raw, region) pair never changes."""
    region = region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown phone region {region!r}")
    original = "" if raw is None else raw
    if raw is None:
        return ParsedNumber("withheld", None, original, "no caller id")
    if len(raw) > MAX_RAW_LENGTH:
        return ParsedNumber("garbage", None, original, "too long")
    text = raw.strip()
    if not text:
        return ParsedNumber("withheld", None, original, "no caller id")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        return ParsedNumber("garbage", None, original, "control characters")
    text = _user_part(text)
    marker = _withheld_marker(text)
    if marker is not None:
        return ParsedNumber("withheld", None, original, f"withheld ({marker})")
    return _classify_dialable(text, original, region)


def _user_part(text: str) -> str:
    """The number inside `"Name" <sip:user@host;params>` or `tel:number;params`; else the text."""
    if "<" in text and text.endswith(">"):
        inner = text[text.rindex("<") + 1 : -1].strip()
        if _URI_SCHEME.match(inner):
            text = inner
    if not _URI_SCHEME.match(text):
        return text
    rest = text.split(":", 1)[1]
    rest = rest.split("@", 1)[0]
    # URI parameters (user=phone, phone-context=...) follow the user part after ';'
    number, *params = (part.strip() for part in rest.split(";"))
    for param in params:
        name, _, value = param.partition("=")
        # RFC 3966: a local number is completed by a global phone-context such as +86-10
        if name.lower() == "phone-context" and value.startswith("+") and "+" not in number:
            return value + number
    return number


def _withheld_marker(text: str) -> str | None:
    """The withheld marker this text spells (ignoring case, brackets, quotes), if any."""
    word = text.strip().strip("<>\"'[]").strip()
    word = " ".join(word.lower().replace("_", " ").split())
    return word if word in WITHHELD_MARKERS else None


def _classify_dialable(text: str, original: str, region: str) -> ParsedNumber:
    """Turn what should be a dialable string into a number or garbage."""
    digits: list[str] = []
    plus = False
    for ch in text:
        value = unicodedata.decimal(ch, None)
        if value is not None:
            digits.append(str(value))
        elif ch in "+\uff0b" and not digits and not plus:
            plus = True
        elif ch in _SEPARATORS:
            continue
        elif ch.isalpha():
            return ParsedNumber("garbage", None, original, "letters in number")
        else:
            return ParsedNumber("garbage", None, original, f"unexpected character {ch!r}")
    number = "".join(digits)
    if not number:
        return ParsedNumber("garbage", None, original, "no digits")
    if not plus and number.startswith("00"):
        # 00 is the international prefix in CN and most of the world
        plus, number = True, number[2:]
    if not plus and len(number) <= MAX_INTERNAL_DIGITS:
        return ParsedNumber("garbage", None, original, "internal extension")
    if len(number) < MIN_NATIONAL_DIGITS:
        return ParsedNumber("garbage", None, original, "too short")
    if len(number) > MAX_E164_DIGITS + (0 if plus else 1):
        return ParsedNumber("garbage", None, original, "too long")
    if plus:
        e164 = _valid_e164("+" + number, None)
        reason = "international"
    else:
        # phonenumbers also recognises the region's own country code sent without '+'
        e164 = _valid_e164(number, region) or _valid_e164("+" + number, None)
        reason = "country code without +" if e164 == "+" + number else "national"
    if e164 is not None:
        return ParsedNumber("number", e164, original, reason)
    if plus:
        guess = _plausible_e164("+" + number, None)
    else:
        guess = _plausible_e164(number, region) or _plausible_e164("+" + number, None)
    if guess is None:
        return ParsedNumber("garbage", None, original, "invalid number")
    return ParsedNumber("number", guess, original, "unverified", verified=False)


def _valid_e164(text: str, region: str | None) -> str | None:
    """The E.164 form if phonenumbers considers the number valid, else None."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _plausible_e164(text: str, region: str | None) -> str | None:
    """The E.164 form of a number phonenumbers calls invalid that is still plausible: one digit
    more or less would make it valid, or it has the length and first digit of the country's
    mobile or fixed-line numbers (a range newer than the metadata). Else None."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    code = parsed.country_code
    home = phonenumbers.region_code_for_country_code(code) if code else None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(home) if home else None
    national = phonenumbers.national_significant_number(parsed)
    if metadata is None or not national:
        return None
    e164 = f"+{code}{national}"
    for near in (national[:-1], *(national + digit for digit in "0123456789")):
        if _valid_e164(f"+{code}{near}", None) is not None:
            return e164
    for desc in (metadata.mobile, metadata.fixed_line):
        example = desc.example_number if desc is not None else None
        if example and len(example) == len(national) and example[0] == national[0]:
            return e164
    return None
