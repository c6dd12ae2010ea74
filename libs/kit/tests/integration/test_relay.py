"""Outbox relay guarantees, against real PostgreSQL and a real Kafka-protocol broker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.events.v1 import people_pb2
from lianxin.kit.envelope import PendingEvent, unwrap
from lianxin.kit.outbox import OutboxRelay
from lianxin.kit.settings import KitSettings
from lianxin.kit.testing.relaying import Relaying
from lianxin.kit.uow import SqlUnitOfWork
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration


def event(key: str, version: int = 1) -> PendingEvent:
    payload = people_pb2.OrgUnitCreated(org_unit_id=key, name=key)
    return PendingEvent("org_unit", key, version, payload)


async def emit(uow_factory: Callable[[], SqlUnitOfWork], *keys: str) -> None:
    async with uow_factory() as uow:
        for version, key in enumerate(keys, start=1):
            uow.emit(event(key, version))
        await uow.commit()


async def unpublished(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL"))).scalar_one())


async def test_events_are_published_in_order_with_ids_in_headers(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str, read_topic: Any,
        eventually: Any) -> None:
    await emit(uow_factory, "a", "a", "a")  # one aggregate: one partition, in order
    async with Relaying(OutboxRelay(engine, settings, "svc", topic)):
        records = await read_topic(settings.kafka_bootstrap, topic, 3)
        await eventually(lambda: _zero(engine))
    envelopes = [unwrap(r.value)[0] for r in records]
    assert [dict(r.headers)["event_id"].decode() for r in records] == [e.event_id for e in envelopes]
    assert [e.aggregate_version for e in envelopes] == [1, 2, 3]  # the order they were raised


async def _zero(engine: AsyncEngine) -> bool:
    return await unpublished(engine) == 0


async def test_relay_killed_between_publish_and_mark_loses_nothing(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str, read_topic: Any,
        eventually: Any) -> None:
    async def die(_: list[int]) -> None:
        raise asyncio.CancelledError  # the process dies after the broker acked

    await emit(uow_factory, "k1")
    task = asyncio.create_task(OutboxRelay(engine, settings, "svc", topic,
                                           after_publish=die).run(asyncio.Event()))
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 15)
    assert await unpublished(engine) == 1  # published, but not marked
    async with Relaying(OutboxRelay(engine, settings, "svc", topic)):
        await eventually(lambda: _zero(engine))
    records = await read_topic(settings.kafka_bootstrap, topic, 2)
    # Delivered twice with one event id: consumers deduplicate on it (see test_consumer).
    assert len({dict(r.headers)["event_id"] for r in records}) == 1


async def test_a_row_that_commits_late_is_not_skipped(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str, read_topic: Any,
        eventually: Any) -> None:
    async with Relaying(OutboxRelay(engine, settings, "svc", topic)):
        slow = uow_factory()
        async with slow:
            slow.emit(event("slow"))
            await slow.flush_events()  # takes the lower outbox id, transaction still open
            await emit(uow_factory, "fast")
            await read_topic(settings.kafka_bootstrap, topic, 1)
            await slow.commit()
        records = await read_topic(settings.kafka_bootstrap, topic, 2)
    assert sorted(r.key for r in records) == [b"fast", b"slow"]


async def test_only_one_relay_is_active(engine: AsyncEngine, settings: KitSettings,
                                       uow_factory: Any, topic: str, eventually: Any) -> None:
    first, second = OutboxRelay(engine, settings, "svc", topic), OutboxRelay(
        engine, settings, "svc", topic)
    async with Relaying(first), Relaying(second):
        await emit(uow_factory, *[f"e{i}" for i in range(20)])
        await eventually(lambda: _zero(engine))
        assert sorted([first.published, second.published]) == [0, 20]


async def test_relay_republishes_after_the_broker_lost_its_log(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        broker: Any, read_topic: Any, eventually: Any) -> None:
    await emit(uow_factory, "x", "y")
    async with Relaying(OutboxRelay(engine, settings, "svc", topic)):
        await eventually(lambda: _zero(engine))
    await asyncio.to_thread(broker.restart)  # memory storage: every topic is gone
    async with Relaying(OutboxRelay(engine, settings, "svc", topic)):
        records = await read_topic(settings.kafka_bootstrap, topic, 2, wait_s=30)
    assert sorted(r.key for r in records) == [b"x", b"y"]


async def test_a_running_relay_notices_the_broker_lost_its_log(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        broker: Any, read_topic: Any, eventually: Any) -> None:
    """The broker restarts empty while the relay runs (its producer reconnects by itself): the
    next ack lands at an offset already recorded, and the relay republishes what was lost."""
    await emit(uow_factory, *[f"k{i}" for i in range(12)])
    async with Relaying(OutboxRelay(engine, settings, "svc", topic)):
        await eventually(lambda: _zero(engine))
        await asyncio.to_thread(broker.restart)
        # Keyed like an earlier event, so it lands on a partition the relay has used (an idle
        # relay notices a lost log only there — docs/reliability.md); with 4 partitions a new
        # key could hash to one none of the twelve went to.
        await emit(uow_factory, "k0")
        await eventually(lambda: _zero(engine))
        await asyncio.sleep(1)  # it may travel twice: acked once on the empty log
        records = await read_topic(settings.kafka_bootstrap, topic, 13, wait_s=60)
    assert {r.key for r in records} == {f"k{i}".encode() for i in range(12)}
    assert sum(r.key == b"k0" for r in records) >= 2  # k0 republished, and the new one


async def test_an_intact_log_is_not_republished_at_start_up(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        eventually: Any) -> None:
    """tansu reports a partition's end one batch short of its last record: a relay taking over
    must not read that as a lost log (it republished every partition on each takeover)."""
    await emit(uow_factory, *[f"m{i}" for i in range(30)])
    async with Relaying(OutboxRelay(engine, settings, "svc", topic)):
        await eventually(lambda: _zero(engine))
    async with Relaying(OutboxRelay(engine, settings, "svc", topic)) as second:
        await asyncio.sleep(3)
        assert second.published == 0 and await unpublished(engine) == 0
