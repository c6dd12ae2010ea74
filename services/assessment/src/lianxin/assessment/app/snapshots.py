"""Ranking entries and published snapshots, and their JSON form (the snapshot's `rows` column).

The JSON keeps every figure the ranking showed, so a published ranking reads back exactly as
announced; infinite values (a p90 beyond the last histogram bound) are written as "inf"
because JSON has no infinity.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lianxin.assessment.domain.periods import Period

Values = Mapping[str, tuple[float | None, float, float]]


@dataclass(frozen=True, slots=True)
class Entry:
    """One ranked unit, department or cadre: score, ranks and the figures behind them."""

    key: uuid.UUID
    score: float | None
    rank: int | None
    previous_rank: int | None
    rank_change: int | None
    values: Values
    updated_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    scope: uuid.UUID
    level: str
    period: Period
    published_at: dt.datetime
    published_by: str
    entries: tuple[Entry, ...]


def _num(x: float | None) -> float | str | None:
    return "inf" if x is not None and math.isinf(x) else x


def _unnum(x: Any) -> float | None:
    return math.inf if x == "inf" else (None if x is None else float(x))


def to_json(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    return [{"key": str(e.key), "score": e.score, "rank": e.rank,
             "previousRank": e.previous_rank, "rankChange": e.rank_change,
             "values": {m: [_num(v), n, d] for m, (v, n, d) in e.values.items()},
             "updatedAt": e.updated_at.isoformat() if e.updated_at else None}
            for e in entries]


def from_json(rows: Sequence[Mapping[str, Any]]) -> tuple[Entry, ...]:
    return tuple(Entry(
        key=uuid.UUID(r["key"]), score=r["score"], rank=r["rank"],
        previous_rank=r["previousRank"], rank_change=r["rankChange"],
        values={m: (_unnum(v), float(n), float(d)) for m, (v, n, d) in r["values"].items()},
        updated_at=dt.datetime.fromisoformat(r["updatedAt"]) if r["updatedAt"] else None)
        for r in rows)


def comparable(entries: Sequence[Entry]) -> list[tuple[Any, ...]]:
    """What a published ranking is compared on with the live one: who, score, rank and every
    figure (not the previous period's rank, which has its own period)."""
    return [(e.key, e.score, e.rank, sorted((m, _num(v), n, d) for m, (v, n, d) in e.values.items()))
            for e in from_json(to_json(entries))]
