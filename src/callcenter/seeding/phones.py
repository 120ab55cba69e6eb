"""Phone numbers in the raw shapes Chinese CRMs really hold, from digits the generator picks."""

from __future__ import annotations

import random

from callcenter.seeding.catalog import MOBILE_PREFIXES_CN


def cn_mobile(rng: random.Random) -> str:
    """An 11-digit Chinese mobile number (national digits only)."""
    return rng.choice(MOBILE_PREFIXES_CN) + f"{rng.randrange(100_000_000):08d}"


def cn_mobile_raw(rng: random.Random, m: str) -> str:
    """One of the ways people write a Chinese mobile number."""
    r = rng.random()
    if r < 0.35:
        return m
    if r < 0.55:
        return f"{m[:3]} {m[3:7]} {m[7:]}"
    if r < 0.70:
        return f"+86 {m[:3]} {m[3:7]} {m[7:]}"
    if r < 0.80:
        return f"{m[:3]}-{m[3:7]}-{m[7:]}"
    if r < 0.90:
        return "86" + m
    if r < 0.95:
        return "0086" + m
    return "+86-" + m


def cn_landline(rng: random.Random) -> str:
    """A local number (8 digits, first digit 2-8) for an area code."""
    return str(rng.randrange(2, 9)) + f"{rng.randrange(10_000_000):07d}"


def cn_landline_raw(rng: random.Random, area: str, local: str) -> str:
    """One of the ways people write a Chinese landline."""
    r = rng.random()
    if r < 0.40:
        return f"0{area}-{local}"
    if r < 0.60:
        return f"(0{area}) {local[:4]} {local[4:]}"
    if r < 0.80:
        return f"0{area} {local[:4]} {local[4:]}"
    if r < 0.90:
        return f"0{area}{local}"
    return f"+86 {area} {local}"


def foreign_raw(rng: random.Random, cc: str, prefix: str, rest: str) -> str:
    """A foreign mobile number as written by someone in China."""
    r = rng.random()
    if r < 0.5:
        return f"+{cc} {prefix} {rest}"
    if r < 0.75:
        return f"00{cc} {prefix}{rest}"
    return f"+{cc}{prefix}{rest}"


def garbled(rng: random.Random, m: str) -> str:
    """A number typed wrong (a digit lost): stored raw, no E.164."""
    cut = rng.randrange(3, 11)
    return f"{m[:3]} {(m[3:cut] + m[cut + 1 :])[:4]} {(m[3:cut] + m[cut + 1 :])[4:]}"
