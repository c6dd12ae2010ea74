"""Consumer guarantees: no double effect on redelivery; poison messages go to the DLQ loudly
while later messages keep flowing."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.auth import SYSTEM
from lianxin.kit.consumer import EventConsumer
from lianxin.kit.envelope import PendingEvent, wrap
from lianxin.kit.kafka import dlq_topic
from lianxin.kit.settings import KitSettings
from lianxin.kit.testing.kafka import produce
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
CREATED = people_pb2.OrgUnitCreated.DESCRIPTOR.full_name
APPLIED = sa.table("applied", sa.column("key"), sa.column("n"))


async def count_handler(uow: Any, env: Envelope, msg: Message) -> None:
    """A projection: counts how often each org unit's event took effect."""
    assert isinstance(msg, people_pb2.OrgUnitCreated)
    if msg.name == "poison":
        raise ValueError("this event cannot be applied")
    stmt = insert(APPLIED).values(key=msg.org_unit_id, n=1)
    await uow.session.execute(stmt.on_conflict_do_update(
        index_elements=["key"], set_={"n": APPLIED.c.n + 1}))


def envelope(key: str, name: str = "ok") -> bytes:
    payload = people_pb2.OrgUnitCreated(org_unit_id=key, name=name)
    return wrap(PendingEvent("org_unit", key, 1, payload), SYSTEM).SerializeToString()


async def applied(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {r.key: r.n for r in await conn.execute(sa.select(APPLIED))}


@contextlib.asynccontextmanager
async def consuming(settings: KitSettings, topic: str, uow_factory: Any) -> Any:
    consumer = EventConsumer(settings, group_id=f"g-{topic}", topics=[topic],
                             handlers={CREATED: count_handler}, uow_factory=uow_factory,
                             retry_delay_s=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield consumer
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_a_redelivered_event_changes_the_projection_once(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        eventually: Any) -> None:
    first = envelope("a")
    await produce(settings, topic, [first, first, envelope("b"), first])
    async with consuming(settings, topic, uow_factory):
        assert await eventually(lambda: _has(engine, {"a": 1, "b": 1}))
        await asyncio.sleep(0.5)  # time for any wrongly repeated effect to show
    assert await applied(engine) == {"a": 1, "b": 1}


async def _has(engine: AsyncEngine, want: dict[str, int]) -> bool:
    return await applied(engine) == want


async def test_poison_messages_go_to_the_dlq_and_later_ones_flow(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        read_topic: Any, eventually: Any, caplog: pytest.LogCaptureFixture) -> None:
    values = [envelope("before"), b"\x00not protobuf\xff", envelope("bad", name="poison"),
              envelope("after")]
    await produce(settings, topic, values)
    async with consuming(settings, topic, uow_factory) as consumer:
        assert await eventually(lambda: _has(engine, {"before": 1, "after": 1}))
        dead = await read_topic(settings.kafka_bootstrap, dlq_topic(topic), 2)
        assert consumer.dead_lettered == 2
    headers = [dict(r.headers) for r in dead]
    assert [r.value for r in dead] == values[1:3]
    assert [h["dlq.error.class"] for h in headers] == [b"UndecodableEvent", b"ValueError"]
    assert headers[1]["dlq.attempts"] == str(settings.consumer_max_retries + 1).encode()
    assert all(h["dlq.source.topic"] == topic.encode() for h in headers)
    assert sum("DLQ consumer" in m for m in caplog.messages) == 2


async def test_a_dead_lettered_event_is_not_retried_when_redelivered(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        read_topic: Any, eventually: Any) -> None:
    poison = envelope("bad", name="poison")
    await produce(settings, topic, [poison])
    async with consuming(settings, topic, uow_factory):
        await read_topic(settings.kafka_bootstrap, dlq_topic(topic), 1)
    await produce(settings, topic, [poison, envelope("next")])
    async with consuming(settings, topic, uow_factory) as consumer:
        # The group hands over to a new member only after the old one's session expires.
        assert await eventually(lambda: _has(engine, {"next": 1}), wait_s=60)
        assert consumer.dead_lettered == 0
