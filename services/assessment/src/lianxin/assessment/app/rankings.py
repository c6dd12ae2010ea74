"""Rankings and scorecards (赛马 / 考核): the children of a unit, the departments under a county
or the cadres of a subtree, scored (domain/scoring.py) and ranked per period, with the rank
change since the previous period. A published ranking is a snapshot that stays fixed: it is
what was announced, even when late events change the live figures afterwards (the answer then
says so: `changed_since_published`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from lianxin.assessment.app.metrics import (
    CubeQuery,
    MetricsQuery,
    MetricsReader,
    MetricsRow,
    compute,
    evaluate,
    plan,
)
from lianxin.assessment.app.scope import Directory, Viewer, visible_cadre, visible_unit
from lianxin.assessment.app.snapshots import Entry, Snapshot, comparable
from lianxin.assessment.domain.periods import Period
from lianxin.assessment.domain.scoring import (
    SCORECARD_MEASURES,
    WEIGHTS,
    competition_ranks,
    composite,
    standings,
)
from lianxin.kit.errors import Conflict


class Level(enum.Enum):
    CHILDREN = "CHILDREN"        # the unit's child units (townships of a county …), not departments
    DEPARTMENTS = "DEPARTMENTS"  # units of kind department below the unit, by department figures
    CADRES = "CADRES"            # responsible cadres working in the subtree


@dataclass(frozen=True, slots=True)
class Ranking:
    scope: uuid.UUID
    level: Level
    period: Period
    entries: tuple[Entry, ...]
    published_at: dt.datetime | None = None
    published_by: str | None = None
    changed_since_published: bool = False

    @property
    def published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True, slots=True)
class Scorecard:
    """One unit's, department's or cadre's figures and score, with its place in the ranking
    it belongs to (`among`: the parent unit, or a cadre's work unit; None when unranked)."""

    entry: Entry
    period: Period
    level: Level
    among: uuid.UUID | None


class RankingStore(MetricsReader, Directory, Protocol):
    async def departments_under(self, unit: uuid.UUID) -> list[uuid.UUID]: ...
    async def snapshot(self, scope: uuid.UUID, level: str, period: Period) -> Snapshot | None: ...
    async def save_snapshot(self, snapshot: Snapshot) -> bool:
        """Store it; False when one exists already for that scope, level and period."""
        ...


NOT_PLACES = frozenset({"department", "party_org"})


async def _figures(store: RankingStore, scope: uuid.UUID, level: Level, period: Period,
                   exclude: frozenset[str]) -> dict[uuid.UUID, MetricsRow]:
    base = MetricsQuery(start=period.start, end=period.end, measures=SCORECARD_MEASURES,
                        exclude=exclude)
    if level is Level.CHILDREN:
        kids = await store.units(await store.children(scope))
        # Places only: departments have their own level, party bodies handle no tickets.
        keys = sorted(k for k, u in kids.items() if u.kind not in NOT_PLACES)
        q = dataclasses.replace(base, subtree=scope, group_by=("org_unit",))
        rows = await compute(store, q)
    elif level is Level.DEPARTMENTS:
        keys = await store.departments_under(scope)
        q = dataclasses.replace(base, group_by=("department",))
        cq = dataclasses.replace(await plan(store, q), within={"department_id": tuple(keys)})
        rows = evaluate(q, cq, await store.sum_cube(cq))
    else:
        q = dataclasses.replace(base, subtree=scope, group_by=("cadre",))
        rows = await compute(store, q)
        keys = [k for r in rows if isinstance(k := r.keys["cadre"], uuid.UUID)]
    by_key = {r.keys[q.group_by[0]]: r for r in rows}
    zero = evaluate(base, CubeQuery(cube="unit_month"), [])[0]
    return {k: by_key.get(k, zero) for k in keys}


def _score(row: MetricsRow) -> float | None:
    return composite({m: row.values[m][0] for m in WEIGHTS})


async def _previous_ranks(store: RankingStore, scope: uuid.UUID, level: Level, period: Period,
                          exclude: frozenset[str]) -> Mapping[uuid.UUID, int | None]:
    """The ranks to compare with: the previous period's published ranking if there is one
    (what people were told), else its live ranking."""
    published = await store.snapshot(scope, level.value, period)
    if published is not None:
        return {e.key: e.rank for e in published.entries}
    figures = await _figures(store, scope, level, period, exclude)
    return competition_ranks({k: _score(r) for k, r in figures.items()})


async def live_entries(store: RankingStore, scope: uuid.UUID, level: Level, period: Period,
                       exclude: frozenset[str]) -> list[Entry]:
    """The ranking computed now from the cubes."""
    figures = await _figures(store, scope, level, period, exclude)
    previous = await _previous_ranks(store, scope, level, period.previous, exclude)
    return [Entry(s.key, s.score, s.rank, s.previous_rank, s.rank_change,
                  figures[s.key].values, figures[s.key].updated_at)
            for s in standings({k: _score(r) for k, r in figures.items()}, previous)]


async def ranking(store: RankingStore, viewer: Viewer, scope: uuid.UUID, level: Level,
                  period: Period, exclude: frozenset[str]) -> Ranking:
    """The published ranking if there is one (and whether live figures moved since), else
    the live one."""
    await visible_unit(store, viewer, scope)
    live = await live_entries(store, scope, level, period, exclude)
    snap = await store.snapshot(scope, level.value, period)
    if snap is None:
        return Ranking(scope, level, period, tuple(live))
    return Ranking(scope, level, period, snap.entries, snap.published_at, snap.published_by,
                   changed_since_published=comparable(live) != comparable(snap.entries))


async def publish(store: RankingStore, viewer: Viewer, by: str, scope: uuid.UUID, level: Level,
                  period: Period, exclude: frozenset[str], now: dt.datetime) -> Ranking:
    """Fix the ranking as published now; CONFLICT if it was published already."""
    unit = await visible_unit(store, viewer, scope)
    existing = await store.snapshot(scope, level.value, period)
    if existing is None:
        entries = tuple(await live_entries(store, scope, level, period, exclude))
        if await store.save_snapshot(Snapshot(scope, level.value, period, now, by, entries)):
            return Ranking(scope, level, period, entries, now, by)
        existing = await store.snapshot(scope, level.value, period)   # lost a race
    when = f" on {existing.published_at:%Y-%m-%d %H:%M} by {existing.published_by}" \
        if existing else ""
    raise Conflict(f"the {level.value} ranking of {unit.name} for {period.label} was "
                   f"published{when}; a published ranking stays fixed", field="period")


async def scorecard(store: RankingStore, viewer: Viewer, unit_id: uuid.UUID, period: Period,
                    exclude: frozenset[str]) -> Scorecard:
    """A unit's scorecard: a department's by department figures (ranked among the departments
    under its parent), any other unit's by subtree figures (ranked among its siblings)."""
    unit = await visible_unit(store, viewer, unit_id)
    level = Level.DEPARTMENTS if unit.kind == "department" else Level.CHILDREN
    if unit.parent_id is not None:
        for entry in await live_entries(store, unit.parent_id, level, period, exclude):
            if entry.key == unit.id:
                return Scorecard(entry, period, level, unit.parent_id)
    q = MetricsQuery(department=unit.id) if level is Level.DEPARTMENTS else \
        MetricsQuery(subtree=unit.id)
    return await _unranked(store, q, unit.id, period, level, exclude)


async def cadre_scorecard(store: RankingStore, viewer: Viewer, cadre_id: uuid.UUID,
                          period: Period, exclude: frozenset[str]) -> Scorecard:
    """A responsible cadre's scorecard, ranked among the cadres of their work unit's subtree."""
    cadre = await visible_cadre(store, viewer, cadre_id)
    if cadre.work_unit_id is not None:
        for entry in await live_entries(store, cadre.work_unit_id, Level.CADRES, period, exclude):
            if entry.key == cadre.id:
                return Scorecard(entry, period, Level.CADRES, cadre.work_unit_id)
    return await _unranked(store, MetricsQuery(cadre=cadre.id), cadre.id, period, Level.CADRES,
                           exclude)


async def _unranked(store: RankingStore, q: MetricsQuery, key: uuid.UUID, period: Period,
                    level: Level, exclude: frozenset[str]) -> Scorecard:
    q = dataclasses.replace(q, start=period.start, end=period.end,
                            measures=SCORECARD_MEASURES, exclude=exclude)
    row = (await compute(store, q))[0]
    return Scorecard(Entry(key, _score(row), None, None, None, row.values, row.updated_at),
                     period, level, None)
