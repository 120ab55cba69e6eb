"""What the PBX dials for an agent's outbound call or transfer."""

from __future__ import annotations

import phonenumbers

from callcenter.services.errors import InvalidField


def transfer_exten(entry_point: str) -> str:
    """A group's transfer target: entry point 800N -> 700N (the [cc-transfer] context)."""
    if len(entry_point) == 4 and entry_point.startswith("800") and entry_point[3].isdigit():
        return "700" + entry_point[3]
    raise InvalidField(("group",), f"group entry point {entry_point!r} has no transfer target")


def dial_string(e164: str, region: str) -> str:
    """What the trunk dials: the national form at home (013…, 021…), 00 + number abroad."""
    number = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(number) == region.upper():
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return "".join(ch for ch in national if ch.isdigit())
    return "00" + e164.lstrip("+")
