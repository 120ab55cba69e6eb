"""Where scorecards and evaluations are kept (quality scoring, issue 13)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.domain.quality.evaluations import Evaluation
from callcenter.domain.quality.scorecards import Scorecard


class QualityStore(Protocol):
    """Scorecards (never changed once stored) and evaluations; each call its own transaction.

    `add_scorecard` raises DuplicateKey for a name the group already uses, `add_evaluation` for
    a second evaluation of the same call on the same scorecard by the same scorer.
    """

    async def add_scorecard(self, card: Scorecard) -> int: ...
    async def scorecard(self, card_id: int) -> Scorecard | None: ...
    async def scorecards(self, *, group_slug: str | None = None) -> list[Scorecard]: ...
    async def add_evaluation(self, evaluation: Evaluation) -> int: ...
    async def of_call(self, pbx: str, linkedid: str) -> list[Evaluation]:
        """Every evaluation of one call, oldest first."""
        ...

    async def of_agent(
        self, agent_code: str, *, since: datetime | None = None, limit: int = 500
    ) -> list[Evaluation]:
        """The agent's evaluations, newest first."""
        ...

    async def of_group(
        self, group_slug: str, *, since: datetime | None = None, limit: int = 5000
    ) -> list[Evaluation]:
        """Evaluations on the group's scorecards, newest first."""
        ...
