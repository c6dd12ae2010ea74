"""The screen wall (大屏): a subtree's live figures, pushed whenever the projection changes them.

`build_dashboard` reads the figures through the metrics engine (the same numbers as every other
query of the service), the latest overdue alarms and the children's ranking. `watch` turns a
feed of "these units changed" notices into a stream of dashboards: the current one at once,
then a fresh one after each notice naming the unit, coalescing bursts so a subscriber gets at
most one per `min_interval_s`. Nothing is lost: notices that arrive while one dashboard is
waiting or being built are drained *before* the next build reads the database, and any later
notice triggers another build, so a burst always ends with a dashboard showing its last change.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from lianxin.assessment.app.metrics import DEFAULT_EXCLUDE, MetricsQuery, MetricsRow, compute, newest
from lianxin.assessment.app.rankings import Level, RankingStore, live_entries
from lianxin.assessment.domain.periods import CHINA, PeriodKind, month_end, period_of

ALARMS = 10
TODAY = ("SUBMITTED", "RESOLVED")
NOW = ("OPEN", "OVERDUE_OPEN")
MONTH = ("RESPONSE_RATE", "ON_TIME_RATE", "SATISFACTION_RATE")
Value = tuple[float | None, float, float]   # value, numerator, denominator (metrics.py)


@dataclass(frozen=True, slots=True)
class Alarm:
    """An overdue alarm (from TicketOverdue): which clock ran out, how far escalated."""

    ticket_id: uuid.UUID
    code: str
    clock: str
    level: int
    due: dt.datetime | None
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class RankEntry:
    """A child unit's place this month (赛马): rank change > 0 means it moved up."""

    org_unit_id: uuid.UUID
    name: str
    score: float | None
    rank: int | None
    rank_change: int | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    org_unit_id: uuid.UUID
    today: dt.date                       # China date
    month_start: dt.date
    figures: dict[str, Value]            # TODAY (today's cohort), NOW (gauges), MONTH measures
    alarms: tuple[Alarm, ...]
    ranking: tuple[RankEntry, ...]
    updated_at: dt.datetime | None       # newest projected event behind the figures
    built_at: dt.datetime


class AlarmReader(Protocol):
    async def latest_alarms(self, unit: uuid.UUID, limit: int) -> list[Alarm]:
        """The newest overdue alarms of tickets at or below `unit`."""
        ...


async def children_ranking(store: RankingStore, unit: uuid.UUID, today: dt.date,
                           exclude: frozenset[str]) -> tuple[RankEntry, ...]:
    """The unit's children ranked on this month's live figures (app.rankings: the same scores
    as the rankings query), with their names from the org tree."""
    month = period_of(PeriodKind.MONTH, today)
    entries = await live_entries(store, unit, Level.CHILDREN, month, exclude)
    names = await store.units([e.key for e in entries])
    return tuple(RankEntry(e.key, names[e.key].name if e.key in names else "", e.score, e.rank,
                           e.rank_change) for e in entries)


async def build_dashboard(store: RankingStore, alarms: AlarmReader, unit: uuid.UUID,
                          now: dt.datetime, exclude: frozenset[str] = DEFAULT_EXCLUDE
                          ) -> Dashboard:
    """The dashboard of `unit`'s subtree as the projection stands now."""
    today = now.astimezone(CHINA).date()
    first = today.replace(day=1)
    figures: dict[str, Value] = {}
    rows: list[MetricsRow] = []
    for q in (MetricsQuery(subtree=unit, start=today, end=today, measures=TODAY),
              MetricsQuery(subtree=unit, measures=NOW),   # gauges summed over all cohorts
              MetricsQuery(subtree=unit, start=first, end=month_end(today), measures=MONTH)):
        found = await compute(store, dataclasses.replace(q, exclude=exclude))
        figures.update(found[0].values)   # no grouping: exactly one row
        rows += found
    return Dashboard(org_unit_id=unit, today=today, month_start=first, figures=figures,
                     alarms=tuple(await alarms.latest_alarms(unit, ALARMS)),
                     ranking=await children_ranking(store, unit, today, exclude),
                     updated_at=newest(rows), built_at=now)


@dataclass(frozen=True, slots=True)
class Changed:
    """A projection batch committed: the org units whose figures changed (None: all)."""

    units: frozenset[uuid.UUID] | None

    def concerns(self, unit: uuid.UUID) -> bool:
        return self.units is None or unit in self.units


class Changes(Protocol):
    """A subscription to Changed notices (lianxin.kit.live.Subscription fits)."""

    def __anext__(self) -> Awaitable[Changed]: ...
    def drain(self) -> list[Changed]: ...


def seconds_to_china_midnight(now: dt.datetime | None = None) -> float:
    """Until the China date turns (plus a second): "today" must roll over on a quiet wall."""
    local = (now or dt.datetime.now(dt.UTC)).astimezone(CHINA)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), CHINA)
    return (midnight - local).total_seconds() + 1.0


async def watch(unit: uuid.UUID, build: Callable[[], Awaitable[Dashboard]], changes: Changes,
                *, min_interval_s: float, clock: Callable[[], float] = time.monotonic,
                sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                refresh_in: Callable[[], float] = seconds_to_china_midnight,
                ) -> AsyncGenerator[Dashboard, None]:
    """The current dashboard, then one per notice naming `unit` — at most one per
    `min_interval_s`, the last reflecting every notice before it. Subscribe to `changes`
    before calling: a change committed between the subscription and the first build is then
    either in that build or announced after it. FeedLost from `changes` ends the stream."""
    yield await build()
    sent = clock()
    while True:
        try:
            async with asyncio.timeout(refresh_in()):
                change = await changes.__anext__()
        except TimeoutError:
            change = Changed(None)  # a new China day: "today" starts from zero
        if not change.concerns(unit):
            continue
        wait = sent + min_interval_s - clock()
        if wait > 0:
            await sleep(wait)
        changes.drain()  # all of them are read by the build below
        yield await build()
        sent = clock()
