"""State of the simulated PBX: channels, queues, members and their AMI header blocks."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field

Message = list[tuple[str, str]]

STATE_DESC = {"0": "Down", "4": "Ring", "5": "Ringing", "6": "Up"}
UNKNOWN = "<unknown>"

# Entry points 8001-8007 map to the seven groups in DESIGN order; 7001-7007 are transfer targets.
QUEUE_ORDER = (
    "member-hotline",
    "online-service",
    "telemarketing",
    "letters",
    "documents",
    "finance",
    "data-maintenance",
)
ENTRY_POINTS = {f"800{i + 1}": q for i, q in enumerate(QUEUE_ORDER)}
TRANSFER_TARGETS = {f"700{i + 1}": q for i, q in enumerate(QUEUE_ORDER)}
OVERFLOW = {"member-hotline": "online-service"}
# Order in which the recorded Asterisk listed its queues (its hash container), kept for QueueStatus.
LISTING_ORDER = (
    "documents",
    "online-service",
    "member-hotline",
    "telemarketing",
    "data-maintenance",
    "letters",
    "finance",
)
AGENT_NAMES = {
    "1001": "Wang Fang",
    "1002": "Zhang Wei",
    "1003": "Liu Yang",
    "1004": "Chen Jing",
    "1005": "Yang Li",
    "1006": "Zhao Lei",
    "1007": "Huang Min",
    "1008": "Zhou Jie",
    "1009": "Wu Xia",
    "1010": "Xu Tao",
}
# queue -> (strategy, wrapuptime, weight, [(extension, penalty)])
DEFAULT_QUEUES: dict[str, tuple[str, int, int, list[tuple[str, int]]]] = {
    "member-hotline": ("rrmemory", 0, 10, [("1001", 0), ("1002", 0), ("1003", 0)]),
    "online-service": ("leastrecent", 5, 0, [("1004", 0), ("1005", 0), ("1003", 1)]),
    "telemarketing": ("rrmemory", 0, 0, [("1006", 0), ("1007", 0)]),
    "letters": ("leastrecent", 0, 0, [("1007", 0), ("1008", 0)]),
    "documents": ("ringall", 0, 0, [("1008", 0)]),
    "finance": ("rrmemory", 0, 0, [("1009", 0), ("1005", 2)]),
    "data-maintenance": ("leastrecent", 0, 0, [("1010", 0), ("1004", 1)]),
}


def interface_of(extension: str) -> str:
    """The queue-member interface of an agent extension, as in the recorded dialplan."""
    return f"Local/{extension}@agents/n"


@dataclass
class Channel:
    """One channel leg with the fields every channel event carries."""

    name: str
    uniqueid: str
    linkedid: str
    context: str
    exten: str
    state: str = "0"
    cid_num: str = UNKNOWN
    cid_name: str = UNKNOWN
    conn_num: str = UNKNOWN
    conn_name: str = UNKNOWN
    priority: str = "1"
    application: str = ""
    app_data: str = ""
    bridge: str = ""
    created: float = 0.0
    spy_flags: str = ""  # a running ChanSpy's options; DTMF 4/5/6 change them under option d

    def headers(self, prefix: str = "", **override: str) -> Message:
        """The channel block (Channel … Linkedid), optionally prefixed (Dest, LocalOne…)."""
        values = {
            "Channel": self.name,
            "ChannelState": self.state,
            "ChannelStateDesc": STATE_DESC.get(self.state, "Unknown"),
            "CallerIDNum": self.cid_num,
            "CallerIDName": self.cid_name,
            "ConnectedLineNum": self.conn_num,
            "ConnectedLineName": self.conn_name,
            "Language": "en",
            "AccountCode": "",
            "Context": self.context,
            "Exten": self.exten,
            "Priority": self.priority,
            "Uniqueid": self.uniqueid,
            "Linkedid": self.linkedid,
        }
        values.update(override)
        if "ChannelState" in override and "ChannelStateDesc" not in override:
            values["ChannelStateDesc"] = STATE_DESC.get(override["ChannelState"], "Unknown")
        return [(prefix + k, v) for k, v in values.items()]


@dataclass
class Agent:
    """The device behind one or more queue memberships (its Custom: state is shared)."""

    interface: str
    name: str
    state_interface: str
    status: str = "1"  # AMI device state number: 1 idle, 2 in use, 6 ringing
    wrapup_until: float = 0.0


@dataclass
class Member:
    """An agent's membership in one queue."""

    agent: Agent
    penalty: int = 0
    paused: bool = False
    reason: str = ""
    membership: str = "dynamic"  # queues.conf has no members: all come from QueueAdd
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    login_time: int = 0
    in_call: bool = False

    def headers(self, queue: Queue, *, listing: bool = False) -> Message:
        """QueueMember* event fields; QueueStatus items use Name/Location and omit Ringinuse."""
        name_key, iface_key = ("Name", "Location") if listing else ("MemberName", "Interface")
        out: Message = [("Queue", queue.name)]
        if listing:
            out += [(name_key, self.agent.name), (iface_key, self.agent.interface)]
        else:
            out += [(name_key, self.agent.name), (iface_key, self.agent.interface)]
        out += [
            ("StateInterface", self.agent.state_interface),
            ("Membership", self.membership),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", "1" if self.in_call else "0"),
            ("Status", self.agent.status),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", self.reason),
        ]
        if not listing:
            out.append(("Ringinuse", "0"))
        out.append(("Wrapuptime", str(queue.wrapuptime)))
        return out


@dataclass
class Queue:
    """One app_queue queue with its members, waiting callers and statistics."""

    name: str
    strategy: str = "ringall"
    wrapuptime: int = 0
    weight: int = 0
    timeout: int = 15
    retry: int = 2
    joinempty: bool = True
    members: dict[str, Member] = field(default_factory=dict)
    waiting: list[Channel] = field(default_factory=list)
    joined_at: dict[str, float] = field(default_factory=dict)
    completed: int = 0
    abandoned: int = 0
    holdtime: int = 0
    talktime: int = 0
    rr_last: int = -1

    def free_members(self, now: float) -> list[Member]:
        """Members that could be rung now, best first (lowest penalty, then the strategy)."""
        # Approximations of app_queue: one member is rung per attempt whatever the strategy
        # (ringall rings the first listed); rrmemory goes on after the member rung last;
        # leastrecent takes the oldest LastCall; wrap-up blocks the agent in every queue
        # (as with shared_lastcall); a member is free only when its device is idle.
        ifaces = list(self.members)
        free = [
            m
            for m in self.members.values()
            if not m.paused and m.agent.status == "1" and m.agent.wrapup_until <= now
        ]
        if not free:
            return []
        low = min(m.penalty for m in free)
        free = [m for m in free if m.penalty == low]
        if self.strategy == "rrmemory":
            # Round robin from just after the member rung last (approximates rrmemory).
            def rr_key(m: Member) -> int:
                return (ifaces.index(m.agent.interface) - self.rr_last - 1) % len(ifaces)

            free.sort(key=rr_key)
        elif self.strategy == "leastrecent":
            free.sort(key=lambda m: m.last_call)
        return free


class PbxModel:
    """Queues, agents and the counters Asterisk uses for channel and unique ids."""

    def __init__(self, *, epoch: int, with_default_members: bool = True) -> None:
        self.epoch = epoch
        self.queues: dict[str, Queue] = {}
        self.agents: dict[str, Agent] = {}
        self.channels: dict[str, Channel] = {}
        self._seq = itertools.count()
        self._local = itertools.count()
        for name in LISTING_ORDER:
            strategy, wrap, weight, members = DEFAULT_QUEUES[name]
            queue = Queue(name=name, strategy=strategy, wrapuptime=wrap, weight=weight)
            self.queues[name] = queue
            if with_default_members:
                for ext, penalty in members:
                    agent = self.agent(interface_of(ext), AGENT_NAMES[ext], f"Custom:agent{ext}")
                    queue.members[agent.interface] = Member(
                        agent=agent, penalty=penalty, login_time=epoch
                    )

    def agent(self, interface: str, name: str, state_interface: str) -> Agent:
        """The agent for an interface, created on first use."""
        if interface not in self.agents:
            self.agents[interface] = Agent(interface, name or interface, state_interface)
        return self.agents[interface]

    def memberships(self, interface: str) -> list[tuple[Queue, Member]]:
        """Every (queue, member) an interface belongs to."""
        return [(q, q.members[interface]) for q in self.queues.values() if interface in q.members]

    def uniqueid(self, now: float) -> str:
        """Asterisk-style `<epoch>.<seq>`."""
        return f"{int(now)}.{next(self._seq)}"

    def local_pair(
        self, target: str, now: float, linkedid: str | None = None
    ) -> tuple[Channel, Channel]:
        """A new Local channel pair `Local/target-XXXXXXXX;1/;2`."""
        exten, _, context = target.partition("@")
        tag = f"{next(self._local):08x}"
        one_id = self.uniqueid(now)
        link = linkedid or one_id
        one = Channel(f"Local/{target}-{tag};1", one_id, link, context, exten, created=now)
        two = Channel(f"Local/{target}-{tag};2", self.uniqueid(now), link, context, exten, "4")
        two.created = now
        self.channels[one.name] = one
        self.channels[two.name] = two
        return one, two

    def device(self, extension: str, now: float, linkedid: str) -> Channel:
        """An agent's own phone `PJSIP/10NN-XXXXXXXX`, dialled by the dialplan (`[agent-phone]`)."""
        tag = f"{next(self._local):08x}"
        one = Channel(f"PJSIP/{extension}-{tag}", self.uniqueid(now), linkedid, "phones", "s")
        one.created = now
        self.channels[one.name] = one
        return one

    @staticmethod
    def bridge_id() -> str:
        """A bridge's unique id (a UUID, like Asterisk's)."""
        return str(uuid.uuid4())
