"""`dashboard(orgUnitId)` against the real database: the query's figures, alarms and rates; the
subscription's first dashboard at once, an update for a NOTIFY naming the unit (not for one
naming another), a burst coalesced into few updates ending at the final state, and callers
outside the unit's scope refused. The projection's writes are stood in for by direct cube
rows plus the NOTIFY it sends at commit."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncGenerator
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.assessment.adapters.dashboard_repo import SqlAlarmReader
from lianxin.assessment.adapters.live import CHANNEL, hub_for
from lianxin.assessment.adapters.tables import alarm, cube_tables, org_unit
from lianxin.assessment.adapters.uow import changes_payload
from lianxin.assessment.api.schema import build_schema
from lianxin.assessment.domain.periods import CHINA
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
SCHEMA = build_schema()
COUNTY, TOWN, VILLAGE, OTHER_TOWN = (uuid.UUID(int=n) for n in (1, 2, 3, 4))
PATHS = {COUNTY: (COUNTY,), TOWN: (COUNTY, TOWN), VILLAGE: (COUNTY, TOWN, VILLAGE),
         OTHER_TOWN: (COUNTY, OTHER_TOWN)}
FIELDS = """orgUnitId today submittedToday resolvedToday open overdueOpen monthStart
  responseRate { value numerator denominator } onTimeRate { value }
  satisfactionRate { value numerator denominator }
  alarms { ticketId code clock level } ranking { orgUnitId name score rank rankChange }
  updatedAt"""
QUERY = f"query($u: ID!) {{ dashboard(orgUnitId: $u) {{ {FIELDS} }} }}"
SUBSCRIBE = "subscription($u: ID!) { dashboard(orgUnitId: $u) { submittedToday open } }"


def today() -> dt.date:
    return dt.datetime.now(CHINA).date()


@pytest.fixture
async def tree(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(org_unit), [
            {"id": u, "parent_id": p[-2] if len(p) > 1 else None, "name": f"unit {u.int}",
             "kind": "township", "path": list(p)} for u, p in PATHS.items()])
    return engine


async def bump(engine: AsyncEngine, place: uuid.UUID, day: dt.date, notify: bool = True,
               **counters: int) -> None:
    """Add counters at `place` on `day` to the daily and monthly cubes, as the projection
    does (every unit on the path, `own` at the place), and announce it like the projection."""
    path = PATHS[place]
    async with engine.begin() as conn:
        for cube, when in (("unit_day", {"day": day}), ("unit_month", {"month": day.replace(day=1)})):
            t = cube_tables[cube]
            for unit in path:
                stmt = insert(t).values(unit_id=unit, own=unit == place, klass="normal",
                                        updated_at=dt.datetime.now(dt.UTC), **when, **counters)
                await conn.execute(stmt.on_conflict_do_update(
                    index_elements=[c.name for c in t.primary_key],
                    set_={k: t.c[k] + v for k, v in counters.items()}))
        if notify:
            await conn.execute(sa.select(sa.func.pg_notify(CHANNEL, changes_payload(path))))


async def run(ctx: Any, unit: uuid.UUID) -> Any:
    return await SCHEMA.execute(QUERY, variable_values={"u": str(unit)}, context_value=ctx)


def codes(result: Any) -> list[str]:
    return [e.extensions["code"] for e in result.errors or []]


async def test_the_query_shows_the_subtrees_figures_alarms_and_rates(
        tree: AsyncEngine, graphql_context: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    yesterday = today() - dt.timedelta(days=1)
    await bump(tree, VILLAGE, today(), submitted=3, resolved=1, resolved_on_time=1, open=2,
               overdue_open=1, accept_judged=4, accepted_on_time=3, rated=2, satisfied=1)
    await bump(tree, TOWN, yesterday, submitted=5, open=1)   # not today; open counts
    await bump(tree, OTHER_TOWN, today(), submitted=7, open=7)      # another township
    async with tree.begin() as conn:
        await conn.execute(sa.insert(alarm), [
            {"event_id": uuid.UUID(int=100 + i), "ticket_id": uuid.UUID(int=200 + i),
             "code": f"R-{i}", "clock": "handle", "level": 1, "due": now,
             "org_path": list(PATHS[OTHER_TOWN if i == 11 else VILLAGE]),
             "occurred_at": now - dt.timedelta(minutes=i)} for i in range(12)])

    result = await run(graphql_context(tree, role="screen", org_scope=(str(TOWN),)), TOWN)
    assert result.errors is None, result.errors
    d = result.data["dashboard"]
    assert (d["submittedToday"], d["resolvedToday"], d["open"], d["overdueOpen"]) == (3, 1, 3, 1)
    assert d["today"] == today().isoformat()
    assert d["monthStart"] == today().replace(day=1).isoformat()
    assert d["responseRate"] == {"value": 0.75, "numerator": 3.0, "denominator": 4.0}
    assert d["satisfactionRate"] == {"value": 0.5, "numerator": 1.0, "denominator": 2.0}
    assert d["onTimeRate"]["value"] == 1.0
    assert [a["code"] for a in d["alarms"]] == [f"R-{i}" for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)]
    assert [r["orgUnitId"] for r in d["ranking"]] == [str(VILLAGE)]   # TOWN's one child

    county = await run(graphql_context(tree, role="analyst", org_scope=(str(COUNTY),)), COUNTY)
    ranking = county.data["dashboard"]["ranking"]   # app.rankings' live scores this month
    assert [r["orgUnitId"] for r in ranking] == [str(TOWN), str(OTHER_TOWN)]
    assert (ranking[0]["name"], ranking[0]["rank"], ranking[0]["rankChange"]) == \
        ("unit 2", 1, None)   # nothing to compare with last month
    assert d["updatedAt"] is not None


async def test_one_dashboard_is_one_snapshot_even_when_the_projection_commits_midway(
        tree: AsyncEngine, graphql_context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A screen must never show figures of two projection commits at once: the commit that
    lands between the build's first read (today's counters) and its alarms read is seen by
    neither, and by both in the next build."""
    real = SqlAlarmReader.latest_alarms

    async def commit_midway(self: SqlAlarmReader, unit: uuid.UUID, limit: int) -> Any:
        await bump(tree, VILLAGE, today(), notify=False, submitted=1, open=1, overdue_open=1)
        async with tree.begin() as conn:
            await conn.execute(sa.insert(alarm).values(
                event_id=uuid.uuid4(), ticket_id=uuid.uuid4(), code="R-MIDWAY", clock="accept",
                level=1, due=dt.datetime.now(dt.UTC), org_path=list(PATHS[VILLAGE]),
                occurred_at=dt.datetime.now(dt.UTC)))
        monkeypatch.setattr(SqlAlarmReader, "latest_alarms", real)   # once
        return await real(self, unit, limit)

    monkeypatch.setattr(SqlAlarmReader, "latest_alarms", commit_midway)
    ctx = graphql_context(tree, role="screen", org_scope=(str(COUNTY),))
    before = (await run(ctx, COUNTY)).data["dashboard"]
    assert (before["submittedToday"], before["overdueOpen"], before["alarms"]) == (0, 0, [])
    after = (await run(ctx, COUNTY)).data["dashboard"]
    assert (after["submittedToday"], after["overdueOpen"]) == (1, 1)
    assert [a["code"] for a in after["alarms"]] == ["R-MIDWAY"]


async def subscribe(ctx: Any, unit: uuid.UUID) -> AsyncGenerator[Any, None]:
    stream = await SCHEMA.subscribe(SUBSCRIBE, variable_values={"u": str(unit)},
                                    context_value=ctx)
    assert isinstance(stream, AsyncGenerator), stream
    return stream


async def test_a_notice_for_the_unit_pushes_a_fresh_dashboard_and_one_for_another_does_not(
        tree: AsyncEngine, graphql_context: Any) -> None:
    stream = await subscribe(graphql_context(tree, role="cadre", org_scope=(str(TOWN),)), TOWN)
    first = await asyncio.wait_for(anext(stream), 10)
    assert first.errors is None, first.errors
    assert first.data == {"dashboard": {"submittedToday": 0, "open": 0}}
    assert hub_for(tree).subscribers == 1

    waiting = asyncio.create_task(anext(stream))
    await bump(tree, OTHER_TOWN, today(), submitted=1, open=1)   # names COUNTY, OTHER_TOWN
    await asyncio.sleep(0.6)
    assert not waiting.done()
    await bump(tree, VILLAGE, today(), submitted=1, open=1)
    update = await asyncio.wait_for(waiting, 10)
    assert update.data == {"dashboard": {"submittedToday": 1, "open": 1}}

    await stream.aclose()
    assert hub_for(tree).subscribers == 0
    assert not hub_for(tree).listening.is_set()


async def test_a_burst_of_notices_gives_few_updates_the_last_showing_the_final_state(
        tree: AsyncEngine, graphql_context: Any) -> None:
    stream = await subscribe(graphql_context(tree, role="screen", org_scope=(str(COUNTY),)),
                             TOWN)
    await asyncio.wait_for(anext(stream), 10)
    for _ in range(20):
        await bump(tree, VILLAGE, today(), submitted=1)
    seen = []
    while not seen or seen[-1] < 20:
        update = await asyncio.wait_for(anext(stream), 10)
        seen.append(update.data["dashboard"]["submittedToday"])
    assert len(seen) <= 3, seen
    assert seen == sorted(seen)
    await stream.aclose()


@pytest.mark.parametrize(("who", "unit", "code"), [
    ({"role": "cadre", "org_scope": (str(OTHER_TOWN),)}, TOWN, "FORBIDDEN"),
    ({"role": "resident", "subject": "resident-1"}, TOWN, "FORBIDDEN"),
    ({"role": "screen", "org_scope": (str(COUNTY),)}, uuid.UUID(int=404), "NOT_FOUND"),
])
async def test_only_readers_in_scope_may_watch(tree: AsyncEngine, graphql_context: Any,
                                               who: dict[str, Any], unit: uuid.UUID,
                                               code: str) -> None:
    ctx = graphql_context(tree, **who)
    stream = await subscribe(ctx, unit)
    assert codes(await asyncio.wait_for(anext(stream), 10)) == [code]
    assert hub_for(tree).subscribers == 0
    assert codes(await run(ctx, unit)) == [code]
