"""Through the real broker: ticket and whistle events published to the topics end up in the
cubes, in batches; a malformed event goes to the DLQ while the rest of its batch applies."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from lianxin.assessment.adapters import tables as t
from lianxin.assessment.consumers import projection_consumer
from lianxin.events.v1 import tickets_pb2 as pb
from lianxin.kit.db import make_sessions
from lianxin.kit.kafka import dlq_topic, ensure_topics
from lianxin.kit.settings import KitSettings
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from projection_story import HOUSING, TOWN, WATER, Item, TicketStory, WhistleStory, china

pytestmark = pytest.mark.integration


def settings_for(engine: AsyncEngine, broker: Any) -> KitSettings:
    return KitSettings(
        environment="test", database_url=engine.url.render_as_string(hide_password=False),
        kafka_bootstrap=broker.bootstrap, kafka_idempotence=False, jwt_secret="t" * 32,
        consumer_max_retries=1)


async def publish(settings: KitSettings, topic: str, items: list[Item]) -> None:
    await ensure_topics(settings, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for env, _ in items:   # keyed by aggregate, as the outbox relay does
            await producer.send_and_wait(topic, value=env.SerializeToString(),
                                         key=env.aggregate_id.encode())
    finally:
        await producer.stop()


async def town_month(engine: AsyncEngine) -> dict[str, float]:
    """The town's subtree in September (its own row — whistles it blew — and its villages')."""
    cube = t.cube_tables["unit_month"]
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(cube).where(
            cube.c.unit_id == TOWN, cube.c.month == dt.date(2026, 9, 1),
            cube.c.klass == "normal"))).mappings().all()
    return {c: sum(r[c] for r in rows) for c in ("submitted", "accept_judged", "resolved",
                                                 "open", "assignments", "whistle_tasks",
                                                 "whistle_reported")}


async def dead_letters(bootstrap: str, topic: str) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=3000)
        return [r for records in batch.values() for r in records]
    finally:
        await consumer.stop()


async def test_published_ticket_events_end_up_in_the_cubes(engine: AsyncEngine,
                                                           broker: Any) -> None:
    settings = settings_for(engine, broker)
    topic = f"tickets.v1.{uuid.uuid4().hex[:8]}"
    stories = []
    for i in range(5):
        s = TicketStory()
        s.submitted(china(2026, 9, 10 + i))
        s.accepted(china(2026, 9, 10 + i, 11))
        s.dispatched(china(2026, 9, 10 + i, 12))
        if i % 2 == 0:
            s.resolved(china(2026, 9, 12 + i), days=2.0)
        stories.append(s)
    w = WhistleStory()
    tasks = w.blown(china(2026, 9, 11), stories[0].id, [WATER, HOUSING])
    w.reported(china(2026, 9, 11, 11), tasks[0])
    poison = TicketStory()
    poison.submitted(china(2026, 9, 11))
    poison.emit(pb.TicketDispatched(ticket_id=str(poison.id), assignment_id="not-a-uuid",
                                    department_id=str(WATER)), china(2026, 9, 11, 12))
    items = [i for s in [*stories, w, poison] for i in s.items]
    await publish(settings, topic, items)

    consumer = projection_consumer(settings, make_sessions(engine), topics=[topic],
                                   group_id=f"assessment-{topic}")
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        async with asyncio.timeout(30):
            while True:   # until every event is in (the poison one dead-lettered)
                if (await town_month(engine)).get("submitted") == 6:
                    break
                await asyncio.sleep(0.1)
        dead = await dead_letters(settings.kafka_bootstrap, dlq_topic(topic))
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    row = await town_month(engine)
    assert (row["submitted"], row["accept_judged"], row["resolved"], row["open"],
            row["assignments"], row["whistle_tasks"], row["whistle_reported"]) == (
        6, 5, 3, 3, 5, 2, 1)
    assert [dict(r.headers)["dlq.error.class"] for r in dead] == [b"ValueError"]
    assert consumer.applied == len(items) - 1 and consumer.dead_lettered == 1
    async with engine.connect() as conn:
        outcomes: dict[str, int] = dict((await conn.execute(sa.select(t.event.c.outcome, sa.func.count())
                                            .group_by(t.event.c.outcome))).all())
    assert outcomes == {"applied": len(items) - 1, "dead_lettered": 1}
