"""Fixed people of the recorded AMI traces: their callers (in other raw shapes) and agents."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.domain.agents.records import Skill


@dataclass(frozen=True)
class KnownCaller:
    """A caller from the traces; `raw` deliberately differs from the trace's caller ID."""

    name: str
    raw: str
    segment: str = "regular"
    roles: tuple[str, ...] = ("member",)
    city: str = "北京"
    language: str = "zh"
    credit_rating: str | None = None
    kind: str = "mobile"


# The trace's E.164 numbers, written the way a CRM clerk typed them in.
KNOWN_CALLERS: tuple[KnownCaller, ...] = (
    KnownCaller("Li Wei", "8613800138000", segment="senior", roles=("member", "online")),
    KnownCaller("Zhao Min", "139-1234-5678", city="上海"),
    KnownCaller("Hans Müller", "0049 151 12345678", city="Berlin", language="de"),
    KnownCaller("Sun Li", "186 1234 5678", segment="vip", roles=("author", "member")),
    KnownCaller(
        "Chan Tai Man",
        "+852 9123 4567",
        roles=("distributor",),
        city="Hong Kong",
        language="zh-HK",
        credit_rating="D",
    ),
    KnownCaller("Wu Gang", "0086 136 1111 2222", segment="senior", city="广州"),
    KnownCaller("Li Na", "135 0123 4567", city="杭州"),
    KnownCaller("Lin Mei", "+886 912 345 678", city="台北", language="zh-TW"),
    KnownCaller("Wang Jun", "+86 189 1122 3344", roles=("member", "online")),
    KnownCaller("刘德明", "(0086) 137-6123-4567", segment="senior", city="成都"),
    KnownCaller("Peter Schmidt", "+49 30 123456789", city="Berlin", language="de"),
    KnownCaller("Zhang Hua", "136 9876 5432", segment="vip", city="南京"),
    KnownCaller("黄晓燕", "+86 131 2222 3333", city="深圳"),
    KnownCaller("Qian Hong", "138-1234-5678", city="上海"),  # the telemarketing call's target
    KnownCaller(
        "北大书店", "(010) 6275 1234", roles=("distributor",), credit_rating="A", kind="work"
    ),
    KnownCaller(
        "Ma Jianguo", "010 62751234", kind="landline"
    ),  # same switchboard as 北大书店: shared number
)


@dataclass(frozen=True)
class KnownAgent:
    """An agent with skills; skill level 10 = queue penalty 0 (penalty = 10 - level)."""

    code: str
    name: str
    skills: tuple[Skill, ...]
    active: bool = True

    @property
    def interface(self) -> str:
        """The app_queue member interface used in the traces."""
        return f"Local/{self.code}@agents/n"

    @property
    def state_interface(self) -> str:
        """The custom device state the agent dialplan sets."""
        return f"Custom:agent{self.code}"


def _s(*pairs: tuple[str, int]) -> tuple[Skill, ...]:
    return tuple(Skill(group, level) for group, level in pairs)


# Queue memberships of the traces' README; a penalty-1 member has level 9, penalty-2 level 8.
KNOWN_AGENTS: tuple[KnownAgent, ...] = (
    KnownAgent("1001", "Wang Fang", _s(("member-hotline", 10))),
    KnownAgent("1002", "Zhang Wei", _s(("member-hotline", 10))),
    KnownAgent("1003", "Liu Yang", _s(("member-hotline", 10), ("online-service", 9))),
    KnownAgent("1004", "Chen Jing", _s(("online-service", 10), ("data-maintenance", 9))),
    KnownAgent("1005", "Yang Li", _s(("online-service", 10), ("finance", 8))),
    KnownAgent("1006", "Zhao Lei", _s(("telemarketing", 10))),
    KnownAgent("1007", "Huang Min", _s(("telemarketing", 10), ("letters", 10))),
    KnownAgent("1008", "Zhou Jie", _s(("letters", 10), ("documents", 10))),
    KnownAgent("1009", "Wu Xia", _s(("finance", 10))),
    KnownAgent("1010", "Xu Tao", _s(("data-maintenance", 10))),
    # added at run time in agent_state_changes (penalty 2 hotline, 0 finance)
    KnownAgent("1011", "Sun Hui", _s(("member-hotline", 8), ("finance", 10))),
    KnownAgent("1012", "Gao Yan", _s(("documents", 9), ("letters", 8), ("member-hotline", 6))),
)
