"""Replay on real PostgreSQL and a real broker: the live consumer builds `proj` from a county's
people.v1 and tickets.v1 events (small batches, a duplicate, a poison event, an undecodable
record); a replay rebuilds it from the topics (in other batches) and every projection table
holds the same rows afterwards; a dry run finds no difference and leaves nothing behind; the live
consumer carries on in the swapped-in schema; the swap waits for a live batch, a reader
blocked by the swap then reads the new tables, never a missing one, and screen walls are told
to refresh."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from lianxin.assessment.adapters.live import hub_for
from lianxin.assessment.adapters.projection_diff import CUBE_TABLES
from lianxin.assessment.adapters.replay_store import SqlReplayTarget
from lianxin.assessment.adapters.schema import PROJECTION_LOCK
from lianxin.assessment.adapters.tables import event, org_unit, proj_metadata
from lianxin.assessment.adapters.uow import AssessmentUnitOfWork
from lianxin.assessment.app.projection import project
from lianxin.assessment.app.replay import Event
from lianxin.assessment.consumers import INTERESTING, project_batch
from lianxin.assessment.domain.measures import COUNTERS
from lianxin.assessment.replay_cli import run_replay
from lianxin.events.v1 import tickets_pb2 as pb
from lianxin.kit.consumer import EventConsumer
from lianxin.kit.db import make_sessions
from lianxin.kit.envelope import unwrap
from lianxin.kit.kafka import ensure_topics
from lianxin.kit.settings import KitSettings
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from people_scenario import county, envelope
from projection_story import WATER, Item, TicketStory, WhistleStory, china

pytestmark = pytest.mark.integration


@pytest.fixture
def topics() -> list[str]:
    suffix = uuid.uuid4().hex[:8]
    return [f"people.{suffix}", f"tickets.{suffix}"]


@pytest.fixture
def settings(engine: AsyncEngine, broker: Any) -> KitSettings:
    return KitSettings(  # type: ignore[call-arg]
        environment="test", database_url=engine.url.render_as_string(hide_password=False),
        kafka_bootstrap=broker.bootstrap, kafka_idempotence=False, jwt_secret="t" * 32,
        consumer_max_retries=0, consumer_batch_size=4)   # live batches ≠ replay batches


def ticket_events() -> list[Item]:
    """Tickets resolved and rated, overdue (an alarm), reopened, merged, a whistle, and one
    poison event (a malformed deadline) that the projection refuses."""
    done, late, dup, bad = TicketStory(), TicketStory(), TicketStory(), TicketStory()
    whistle = WhistleStory()
    day = china(2026, 9, 1)
    done.submitted(day)
    done.accepted(day + dt.timedelta(hours=2))
    lead = done.dispatched(day + dt.timedelta(hours=3))
    done.completed(day + dt.timedelta(days=2), lead, on_time=True)
    done.resolved(day + dt.timedelta(days=2), days=1.5)
    done.rated(day + dt.timedelta(days=3))
    late.submitted(day + dt.timedelta(days=1))
    late.overdue(day + dt.timedelta(days=3), pb.CLOCK_ACCEPT,
                 due=day + dt.timedelta(days=2))
    late.accepted(day + dt.timedelta(days=4), on_time=False)
    late.resolved(day + dt.timedelta(days=20), on_time=False, days=13.25)
    late.rated(china(2026, 10, 2), satisfaction=pb.SATISFACTION_DISSATISFIED, solved=False)
    late.reopened(china(2026, 10, 2, 11))
    dup.submitted(day + dt.timedelta(days=2))
    dup.merged(day + dt.timedelta(days=2, hours=1), done.id)
    tasks = whistle.blown(day + dt.timedelta(days=5), late.id, [WATER])
    whistle.reported(day + dt.timedelta(days=5, hours=1), tasks[0])
    whistle.completed(day + dt.timedelta(days=6), tasks[0])
    whistle.closed(day + dt.timedelta(days=7), late.id)
    bad.submitted(day + dt.timedelta(days=8))
    bad.emit(pb.TicketAccepted(ticket_id=str(bad.id), status=pb.TICKET_STATUS_ACCEPTED,
                               handle_due="next tuesday"), day + dt.timedelta(days=8, hours=1))
    return [*done.items, *late.items, *dup.items, *whistle.items, *bad.items]


async def publish(settings: KitSettings, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    await ensure_topics(settings, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


async def publish_county(settings: KitSettings, topics: list[str]) -> int:
    """Publish the county; the number of distinct events the projections claim."""
    people = [envelope(m) for m in county()]
    tickets = ticket_events()
    await publish(settings, topics[0], [(b"people", e.SerializeToString()) for e in people])
    records = [(env.aggregate_id.encode(), env.SerializeToString()) for env, _ in tickets]
    records.insert(3, records[2])                          # delivered twice
    records.append((b"junk", b"\x00not an envelope"))      # undecodable: DLQ, never claimed
    await publish(settings, topics[1], records)
    return len(people) + len(tickets)


async def logged(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(event)) or 0)


@contextlib.asynccontextmanager
async def live_consumer(settings: KitSettings, engine: AsyncEngine, topics: list[str],
                        group: str) -> AsyncIterator[EventConsumer]:
    """The service's projection consumer (consumers.projection_consumer) on these topics."""
    sessions = make_sessions(engine)
    consumer = EventConsumer(settings, group_id=group, topics=topics,
                             batch_handler=project_batch, interested=INTERESTING.__contains__,
                             uow_factory=lambda: AssessmentUnitOfWork(sessions),
                             retry_delay_s=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield consumer
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def until_logged(engine: AsyncEngine, want: int) -> None:
    async with asyncio.timeout(60):
        while True:
            if await logged(engine) >= want:
                return
            await asyncio.sleep(0.1)


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


async def contents(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection table's rows, sorted (floats to 1e-9; cube rows whose counters are
    all zero hold no figure and are left out, as the replay's comparison does)."""
    out = {}
    async with engine.connect() as conn:
        for table in proj_metadata.sorted_tables:
            stmt = sa.select(table)
            if table.name in CUBE_TABLES:
                stmt = stmt.where(sa.or_(*(table.c[c] != 0 for c in COUNTERS)))
            rows = await conn.execute(stmt)
            out[table.name] = sorted((tuple(_plain(v) for v in r) for r in rows), key=repr)
    return out


def figures(tables: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """The tables without the cubes' `updated_at` (the last column)."""
    return {name: [r[:-1] for r in rows] if name in CUBE_TABLES else rows
            for name, rows in tables.items()}


async def test_a_replay_rebuilds_exactly_what_the_live_consumer_built(
        engine: AsyncEngine, settings: KitSettings, topics: list[str]) -> None:
    claimed = await publish_county(settings, topics)
    group = f"assessment-{topics[0]}"
    async with live_consumer(settings, engine, topics, group) as live:
        await until_logged(engine, claimed)
        await asyncio.sleep(0.5)   # the undecodable record is dead-lettered after its batch
        assert live.dead_lettered == 2   # the poison event and the undecodable record
    before = await contents(engine)
    assert len(before["ticket_fact"]) == 4 and before["alarm"] and before["org_unit"]

    out, err = io.StringIO(), io.StringIO()
    assert await run_replay(settings, dry_run=True, topics=topics, out=out, err=err) == 0
    assert "identical to the live projections" in out.getvalue(), out.getvalue()
    assert await contents(engine) == before
    async with engine.connect() as conn:
        assert not await conn.scalar(sa.text(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'proj_next'"))

    out, err = io.StringIO(), io.StringIO()
    assert await run_replay(settings, topics=topics, out=out, err=err, batch_size=7) == 0
    report = out.getvalue()
    assert f"replayed {claimed + 2:,} events, 2 failed; swapped in as proj" in report
    assert "undecodable record" in report and "next tuesday" in report
    assert f"replay: {claimed + 2:,}/{claimed + 2:,} events (100.0%)" in err.getvalue()
    rebuilt = await contents(engine)
    assert figures(rebuilt) == figures(before)   # the figures, then (below) their stamps
    async with engine.connect() as conn:   # the BI views were re-created on the new schema
        assert await conn.scalar(sa.text("SELECT count(*) FROM bi.ticket_fact")) == 4

    # The live consumer carries on in the swapped-in schema (and skips what replay applied).
    extra = TicketStory()
    env, _ = extra.submitted(china(2026, 9, 30))
    await publish(settings, topics[1], [(env.aggregate_id.encode(), env.SerializeToString())])
    async with live_consumer(settings, engine, topics, group):
        await until_logged(engine, claimed + 1)
    after = await contents(engine)
    assert len(after["ticket_fact"]) == 5
    assert after["org_unit"] == before["org_unit"] and after["alarm"] == before["alarm"]

    assert rebuilt == before   # the cubes' stamps too: they do not depend on batching


async def waiting(engine: AsyncEngine, event_name: str, count: int = 1) -> None:
    """Until `count` backends of this database wait for a lock of this kind (advisory,
    relation); on timeout, fail showing what the backends were doing."""
    activity = sa.text("SELECT pid, state, wait_event_type, wait_event, left(query, 60) "
                       "FROM pg_stat_activity WHERE datname = current_database()")
    async with engine.connect() as conn:
        for _ in range(600):
            rows = (await conn.execute(activity)).all()
            if sum(r[2] == "Lock" and r[3] == event_name for r in rows) >= count:
                return
            await asyncio.sleep(0.05)
        pytest.fail(f"no {count} backends waiting for {event_name} locks: {rows}")


async def test_the_swap_waits_for_live_batches_and_readers_never_miss_a_table(
        engine: AsyncEngine) -> None:
    async with engine.begin() as conn:   # the live schema holds one unit
        await conn.execute(sa.insert(org_unit).values(id=uuid.uuid4(), name="old", kind="county",
                                                      path=[]))
    target = SqlReplayTarget(engine, project,
                             lambda sessions: AssessmentUnitOfWork(sessions, lock=False))
    units = [envelope(m) for m in county()[:5]]
    count = sa.select(sa.func.count()).select_from(org_unit)

    async with target, hub_for(engine).subscribe() as changes:
        await target.prepare()
        assert await target.apply([Event(f"p@{i}", e, unwrap(e.SerializeToString())[1])
                                   for i, e in enumerate(units)]) == []
        async with engine.connect() as batch, engine.connect() as reader, \
                engine.connect() as late:
            await late.scalar(sa.select(1))   # connected now: a slow connect is not the point
            await batch.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(PROJECTION_LOCK)))
            await batch.scalar(count)     # a live batch in flight
            assert await reader.scalar(count) == 1   # a reader's open transaction

            async def swap() -> None:
                async with target.locked() as locked:
                    await locked.swap()

            async def read() -> int:
                return int(await late.scalar(count) or 0)

            swapping = asyncio.create_task(swap())
            await waiting(engine, "advisory")            # the swap waits for the batch
            async with engine.connect() as conn:         # meanwhile reads go on, unblocked
                assert await conn.scalar(count) == 1
            await batch.commit()
            await waiting(engine, "relation")            # DROP SCHEMA waits for the reader
            late_read = asyncio.create_task(read())      # queues behind the swap
            await waiting(engine, "relation", 2)
            await reader.commit()
            await asyncio.wait_for(swapping, 10)
            assert await asyncio.wait_for(late_read, 10) == 5   # the new table, not an error
        # Every screen wall is told to read its figures again.
        assert (await asyncio.wait_for(anext(changes), 10)).units is None
