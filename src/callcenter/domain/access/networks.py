"""Source address allow-lists (who may use a hook without a token): parsing and matching."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[list[Network], list[str]]:
    """Addresses or networks (a bare address is a host network), and the entries that were not."""
    good: list[Network] = []
    bad: list[str] = []
    for entry in entries:
        try:
            good.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            bad.append(entry)
    return good, bad


def in_networks(host: str | None, networks: Iterable[Network]) -> bool:
    """Whether a client address falls in one of the networks (an IPv4-mapped IPv6 one too)."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        mapped = address.ipv4_mapped
        return any(address in net or mapped in net for net in networks)
    return any(address in net for net in networks)
