"""Which agent an AMI interface or member name belongs to; rebuilt from the agents table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# "Local/1001@agents/n", "PJSIP/1001", "SIP/1001-0000002a", "Custom:agent1001"
_EXTENSION = re.compile(r"^(?:[A-Za-z]+/|Custom:agent)(\d{2,8})(?:[@;\-/].*)?$")


@dataclass(frozen=True)
class KnownAgent:
    """The identity of one agent as the PBX shows it."""

    code: str
    name: str
    interface: str
    state_interface: str | None = None


def extension_of(interface: str) -> str | None:
    """The extension digits of a channel or interface name, if it has the usual shape."""
    match = _EXTENSION.match(interface.strip())
    return match.group(1) if match else None


class AgentDirectory:
    """Maps interfaces, state interfaces and member names to agent codes."""

    def __init__(self, agents: Iterable[KnownAgent] = ()) -> None:
        self._by_key: dict[str, str] = {}
        self._codes: set[str] = set()
        self._names: dict[str, str] = {}
        self._interfaces: dict[str, str] = {}
        self.replace(agents)

    def replace(self, agents: Iterable[KnownAgent]) -> None:
        """Swap in a fresh list of agents (after the agents table changed)."""
        by_key: dict[str, str] = {}
        codes: set[str] = set()
        names: dict[str, str] = {}
        interfaces: dict[str, str] = {}
        for agent in agents:
            codes.add(agent.code)
            names[agent.code] = agent.name
            interfaces[agent.code] = agent.interface
            by_key[agent.interface.lower()] = agent.code
            if agent.state_interface:
                by_key[agent.state_interface.lower()] = agent.code
            by_key.setdefault(f"name:{agent.name.lower()}", agent.code)
        self._by_key, self._codes, self._names = by_key, codes, names
        self._interfaces = interfaces

    def code_for(self, interface: str, member_name: str | None) -> str | None:
        """The agent's code: by interface, then member name, then the interface's extension."""
        code = self._by_key.get(interface.lower())
        if code is None and member_name:
            code = self._by_key.get(f"name:{member_name.lower()}")
        if code is None:
            ext = extension_of(interface)
            code = ext if ext in self._codes else None
        return code

    def name_of(self, code: str) -> str | None:
        """The agent's name as the agents table has it (the PBX's member name may differ)."""
        return self._names.get(code)

    def interface_of(self, code: str) -> str | None:
        """The interface the agent's calls ring (as of the last reload of the agents table)."""
        return self._interfaces.get(code)
