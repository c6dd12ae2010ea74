"""Scorecards and rankings (考核 / 赛马): one composite score per unit, department or cadre
and period, ranked so that "the advanced move up and the laggards make way".

Composite score (written down; the README quotes it):

    score = 100 × Σ wᵢ·rateᵢ / Σ wᵢ   over the rates that are defined for the period,

with weights satisfaction rate 0.3, on-time completion rate 0.3, response rate 0.2,
resolution rate 0.2. A rate is undefined when its denominator is zero (nothing rated,
nothing resolved …); the weights are renormalised over the defined rates so that a unit is
neither rewarded nor punished for a rate it had no chance to earn. With no rate defined the
unit is unranked (score None). Scores are rounded to two decimals before ranking — the
figure people see is the figure that is ranked — and equal scores share a rank (standard
competition ranking: 1, 2, 2, 4). Rank change = previous rank − rank, so positive means the
unit moved up; None when either rank is missing.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

WEIGHTS: Mapping[str, float] = {
    "SATISFACTION_RATE": 0.3,
    "ON_TIME_RATE": 0.3,
    "RESPONSE_RATE": 0.2,
    "RESOLUTION_RATE": 0.2,
}

# What a scorecard shows beside the score (MEASURES names).
SCORECARD_MEASURES: tuple[str, ...] = (
    "SUBMITTED", "RESPONSE_RATE", "ON_TIME_RATE", "RESOLUTION_RATE", "SATISFACTION_RATE",
    "REOPEN_RATE", "MEAN_HANDLING_DAYS", "P90_HANDLING_DAYS", "OVERDUE", "OVERDUE_OPEN",
    "RESOLVED", "RATED", "LATE_EVENTS",
)


def composite(rates: Mapping[str, float | None]) -> float | None:
    """The composite score (0–100, two decimals) from the rates; None if none is defined."""
    defined = {name: w for name, w in WEIGHTS.items() if rates.get(name) is not None}
    total = sum(defined.values())
    if not total:
        return None
    weighted = sum(w * float(rates[name] or 0.0) for name, w in defined.items())
    return round(100 * weighted / total, 2)


def competition_ranks(scores: Mapping[K, float | None]) -> dict[K, int | None]:
    """Standard competition ranking, highest score first: ties share a rank and the next
    rank skips (1, 2, 2, 4); unscored entries get None."""
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    first_at: dict[float, int] = {}
    for position, score in enumerate(ordered, start=1):
        first_at.setdefault(score, position)
    return {key: (first_at[s] if s is not None else None) for key, s in scores.items()}


def rank_change(rank: int | None, previous: int | None) -> int | None:
    """Places gained since the previous period (positive = moved up)."""
    if rank is None or previous is None:
        return None
    return previous - rank


@dataclass(frozen=True, slots=True)
class Standing(Generic[K]):
    """One entry of a ranking."""

    key: K
    score: float | None
    rank: int | None
    previous_rank: int | None
    rank_change: int | None


def standings(scores: Mapping[K, float | None],
              previous_ranks: Mapping[K, int | None]) -> list[Standing[K]]:
    """The ranking of `scores` with each entry's rank change against `previous_ranks`:
    ranked entries first by rank, then the unranked; ties in key order (stable output)."""
    ranks = competition_ranks(scores)
    rows = [Standing(k, scores[k], ranks[k], previous_ranks.get(k),
                     rank_change(ranks[k], previous_ranks.get(k))) for k in scores]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, str(r.key)))

