"""The ticket and whistle projection on the real database: a batch projected twice counts once;
after random batches (shuffled, repeated, split anywhere) every cube holds exactly the sums
of the stored facts' contributions and every fact is its in-order fold; a batch holds the
projection lock and announces the changed org units when it commits."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.assessment.adapters import tables as t
from lianxin.assessment.adapters.decode import decode
from lianxin.assessment.adapters.schema import PROJECTION_LOCK
from lianxin.assessment.adapters.uow import CHANGES_CHANNEL, AssessmentUnitOfWork, changes_payload
from lianxin.assessment.app.projection import Projected, project
from lianxin.assessment.domain.cubes import CUBES
from lianxin.assessment.domain.facts import contributions, fold
from lianxin.assessment.domain.whistle_facts import tasks_contributions
from lianxin.events.v1 import tickets_pb2 as pb
from lianxin.kit.db import make_sessions
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from projection_story import (
    CADRE_B,
    HOUSING,
    PATH,
    ROADS,
    TOWN,
    WATER,
    Item,
    TicketStory,
    WhistleStory,
    china,
    expected_cubes,
    without_late,
)

pytestmark = pytest.mark.integration
OTHER_VILLAGE = (PATH[0], TOWN, uuid.UUID(int=0x72))


async def run(engine: AsyncEngine, items: list[Item]) -> Projected:
    """One consumer batch: claim, project what is new, commit (with its NOTIFY)."""
    async with AssessmentUnitOfWork(make_sessions(engine)) as uow:
        claimed = await uow.claim_events([env for env, _ in items], "assessment")
        fresh = list({env.event_id: (env, msg) for env, msg in items
                      if env.event_id in claimed}.values())
        projected = await project(uow, fresh)
        uow.changed(projected.units)
        await uow.commit()
    return projected


async def cubes(engine: AsyncEngine) -> dict[str, dict[Any, dict[str, float]]]:
    out: dict[str, dict[Any, dict[str, float]]] = {}
    async with engine.connect() as conn:
        for cube in CUBES:
            rows = (await conn.execute(sa.select(t.cube_tables[cube.name]))).mappings()
            out[cube.name] = {tuple(r[d] for d in cube.dims): {
                k: float(v) for k, v in r.items() if k not in cube.dims and k != "updated_at"}
                for r in rows}
    return out


async def facts_sums(engine: AsyncEngine) -> dict[str, dict[Any, dict[str, float]]]:
    async with AssessmentUnitOfWork(make_sessions(engine)) as uow:
        ids = (await uow.session.execute(sa.select(t.ticket_fact.c.ticket_id))).scalars().all()
        whistles = (await uow.session.execute(
            sa.select(t.whistle_task_fact.c.whistle_id).distinct())).scalars().all()
        facts = await uow.projection.ticket_facts(ids)
        tasks = await uow.projection.whistle_tasks(whistles)
    return expected_cubes([c for f in facts.values() for c in contributions(f)]
                          + tasks_contributions(x for ts in tasks.values() for x in ts))


def nonzero(cubes: dict[str, dict[Any, dict[str, float]]]) -> dict[str, Any]:
    """The counters that are not zero (a row whose contributions moved away stays, at 0)."""
    out = {c: {k: {n: v for n, v in row.items() if v}
               for k, row in rows.items()} for c, rows in cubes.items()}
    return {c: {k: row for k, row in rows.items() if row} for c, rows in out.items()}


def random_ticket(rng: random.Random, start: dt.datetime, masters: list[uuid.UUID]) -> TicketStory:
    """A plausible history: some overdue, returned, extended, explained, reopened, merged."""
    s = TicketStory()
    at = start
    def later(hours: float) -> dt.datetime:
        nonlocal at
        at += dt.timedelta(hours=hours * rng.uniform(0.5, 1.5))
        return at
    s.submitted(at, path=rng.choice([PATH, OTHER_VILLAGE]), category=rng.choice(["water", "road"]),
                accept_due=at + dt.timedelta(hours=24))
    if masters and rng.random() < 0.1:
        s.merged(later(3), rng.choice(masters))
        return s
    if rng.random() < 0.2:
        s.overdue(start + dt.timedelta(hours=24), pb.CLOCK_ACCEPT, start + dt.timedelta(hours=24))
        at = max(at, start + dt.timedelta(hours=24))
    if rng.random() < 0.15:
        s.resolved(later(2), on_the_spot=True, days=0.1)
        return s
    handle_due = later(2) + dt.timedelta(days=10)
    s.accepted(at, on_time=at <= start + dt.timedelta(hours=24), handle_due=handle_due)
    lead = s.dispatched(later(1), rng.choice([WATER, ROADS]), due=handle_due)
    if rng.random() < 0.3:
        co = s.dispatched(at, HOUSING, CADRE_B, pb.ASSIGNMENT_ROLE_CO, due=handle_due, same=True)
        s.completed(later(30), co, on_time=rng.random() < 0.7)
    if rng.random() < 0.2:
        s.returned(later(20), lead)
        s.dispatched(later(5), ROADS, CADRE_B, due=handle_due)
    if rng.random() < 0.2:
        s.overdue(handle_due, pb.CLOCK_HANDLE, handle_due)
        at = max(at, handle_due)
        if rng.random() < 0.5:
            s.extended(later(2), handle_due + dt.timedelta(days=5))
    outcome = pb.OUTCOME_EXPLAINED if rng.random() < 0.15 else pb.OUTCOME_SOLVED
    s.resolved(later(rng.choice([20, 100, 400])), on_time=rng.random() < 0.8,
               days=round(rng.uniform(0.2, 25), 3), outcome=outcome)
    if rng.random() < 0.7:
        s.answered(later(10))
        bad = rng.random() < 0.25
        s.rated(later(200), pb.SATISFACTION_DISSATISFIED if bad else pb.SATISFACTION_SATISFIED,
                solved=not bad)
        if bad:
            s.reopened(at)
            s.resolved(later(300), days=round(rng.uniform(5, 40), 3))
            s.rated(later(100), pb.SATISFACTION_BASICALLY_SATISFIED)
        s.closed(at)
    return s


def random_whistle(rng: random.Random, start: dt.datetime, ticket: uuid.UUID) -> WhistleStory:
    w = WhistleStory()
    tasks = w.blown(start, ticket, rng.sample([WATER, HOUSING, ROADS], 2))
    for task in tasks:
        if rng.random() < 0.8:
            w.reported(start + dt.timedelta(hours=rng.uniform(0.5, 3)), task,
                       late=rng.random() < 0.3)
    w.closed(start + dt.timedelta(days=2), ticket)
    return w


async def test_projecting_the_same_batch_twice_counts_once(engine: AsyncEngine) -> None:
    rng = random.Random(1)
    stories = [random_ticket(rng, china(2026, 9, 14 + i), []) for i in range(4)]
    whistle = random_whistle(rng, china(2026, 9, 15), stories[0].id)
    items = [i for s in [*stories, whistle] for i in s.items]
    first = await run(engine, items)
    once = await cubes(engine)
    assert first.units and await run(engine, items) == Projected(set(), 0)
    assert await cubes(engine) == once
    async with engine.connect() as conn:
        logged = (await conn.execute(sa.select(sa.func.count()).select_from(t.event))).scalar()
    assert logged == len(items)


async def test_after_random_batches_the_cubes_are_the_sums_of_the_facts(
        engine: AsyncEngine) -> None:
    rng = random.Random(20261001)
    stories: list[TicketStory] = []
    for _ in range(40):
        start = china(2026, 9, 1) + dt.timedelta(hours=rng.uniform(0, 24 * 90))
        stories.append(random_ticket(rng, start, [s.id for s in stories]))
    whistles = [random_whistle(rng, china(2026, 10, 31, 20), s.id) for s in stories[:5]]
    items = [i for s in [*stories, *whistles] for i in s.items]
    batches: list[list[Item]] = []
    half = items[: len(items) // 2]
    rng.shuffle(half)                               # the first half arrives out of order
    order = half + items[len(half):] + rng.sample(items, 25)   # some arrive twice
    while order:
        n = rng.randint(1, 40)
        batches.append(order[:n])
        order = order[n:]
    for batch in batches:
        await run(engine, batch)
    # every counter is an integer (handling time in thousandths): sums are exact in any order
    got = await cubes(engine)
    assert nonzero(without_late(got)) == nonzero(await facts_sums(engine))
    assert sum(r["late_events"] for r in got["unit_month"].values()) > 0   # some came late
    async with AssessmentUnitOfWork(make_sessions(engine)) as uow:
        stored = await uow.projection.ticket_facts([s.id for s in stories])
    for s in stories:
        events: list[Any] = [e for e in (decode(*i) for i in s.items) if e]
        assert stored[s.id] == fold(s.id, events)


async def test_a_batch_holds_the_projection_lock_and_announces_its_units(
        engine: AsyncEngine) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()
    async with engine.connect() as listener:
        raw = (await listener.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.add_listener(CHANNEL, lambda *args: heard.put_nowait(args[-1]))
        s = TicketStory()
        s.submitted(china(2026, 9, 14))
        async with AssessmentUnitOfWork(make_sessions(engine)) as uow:
            await uow.claim_events([env for env, _ in s.items], "assessment")
            async with engine.connect() as other:   # a replay's swap would wait here
                assert not (await other.execute(sa.select(
                    sa.func.pg_try_advisory_xact_lock(PROJECTION_LOCK)))).scalar()
            uow.changed((await project(uow, s.items)).units)
            await uow.commit()
        payload = json.loads(await asyncio.wait_for(heard.get(), 5))
    assert payload == {"units": sorted(str(u) for u in PATH)}


CHANNEL = CHANGES_CHANNEL


def test_too_many_units_for_one_notification_say_all() -> None:
    assert json.loads(changes_payload([uuid.uuid4() for _ in range(10)]))["units"] != "*"
    assert json.loads(changes_payload([uuid.uuid4() for _ in range(500)])) == {"units": "*"}
