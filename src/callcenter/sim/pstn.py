"""The simulated public network: what each dialled number does (answer, busy, machine, …)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

OUTCOMES = ("answer", "busy", "noanswer", "congestion", "invalid", "machine")
MODE_ALIASES = {"no-answer": "noanswer", "no_answer": "noanswer", "unknown": "invalid"}


@dataclass(frozen=True)
class Dialled:
    """What one dialled number does this time."""

    outcome: str  # one of OUTCOMES
    ring_s: float = 4.0  # until answer (or until busy/congestion is signalled)
    talk_s: float = 30.0  # after answer, until the customer hangs up
    signal_s: float | None = None  # busy / congestion signalled this late (None: 0.5 s)


@dataclass
class Pstn:
    """Per-number behaviour: fixed numbers first, then rates (seeded through the simulator)."""

    rates: dict[str, float] = field(default_factory=lambda: {"answer": 1.0})
    ring_mean_s: float = 4.0
    talk_mean_s: float = 30.0
    numbers: dict[str, Dialled] = field(default_factory=dict)
    # Busy and congestion signalled after the number's ring time (exponential, ring_mean_s)
    # rather than after a fixed 0.5 s: lines freed at random moments, not all at once.
    signal_after_ring: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.rates) - set(OUTCOMES)
        if unknown:
            raise ValueError(f"unknown outcomes {sorted(unknown)}; use {', '.join(OUTCOMES)}")
        if any(r < 0 for r in self.rates.values()) or sum(self.rates.values()) <= 0:
            raise ValueError("outcome rates must be >= 0 and not all zero")

    def decide(self, number: str, rng: random.Random, variables: dict[str, str]) -> Dialled:
        """The number's behaviour; Originate variables PSTN_MODE/RING/TALK win (as recorded)."""
        plain = {k.lstrip("_"): v for k, v in variables.items()}
        fixed = self.numbers.get(number)
        if fixed is None:
            if not number.isdigit() or len(number) < 6:
                fixed = Dialled("invalid")
            else:
                names = list(self.rates)
                outcome = rng.choices(names, weights=[self.rates[n] for n in names])[0]
                ring = rng.expovariate(1 / self.ring_mean_s) if self.ring_mean_s > 0 else 0.0
                talk = rng.expovariate(1 / self.talk_mean_s) if self.talk_mean_s > 0 else 1.0
                fixed = Dialled(outcome, ring, talk)
        mode = plain.get("PSTN_MODE", "").lower()
        mode = MODE_ALIASES.get(mode, mode)
        if plain.get("PSTN_ANSWER", "").lower() in ("no", "0", "false"):
            mode = "noanswer"
        if not mode and "machine" in plain.get("PSTN_PLAY", "").lower():
            mode = "machine"  # the line plays an answering machine's greeting
        ring_s = _num(plain.get("PSTN_RING", ""), fixed.ring_s)
        return Dialled(
            mode if mode in OUTCOMES else fixed.outcome,
            ring_s,
            _num(plain.get("PSTN_TALK", ""), fixed.talk_s),
            ring_s if self.signal_after_ring else fixed.signal_s,
        )


def _num(text: str, default: float) -> float:
    try:
        return float(text) if text else default
    except ValueError:
        return default
