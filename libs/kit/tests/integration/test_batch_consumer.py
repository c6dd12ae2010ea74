"""Batch mode of the consumer: a fetched batch applies in one transaction, a redelivered event
has no second effect, and a poison event in a batch goes to the DLQ while the others apply."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
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
APPLIED = sa.table("applied", sa.column("key"), sa.column("n"))
PROCESSED = sa.table("processed_event", sa.column("event_id"), sa.column("consumer"),
                     sa.column("outcome"))


def envelope(key: str, name: str = "ok") -> bytes:
    payload = people_pb2.OrgUnitCreated(org_unit_id=key, name=name)
    return wrap(PendingEvent("org_unit", key, 1, payload), SYSTEM).SerializeToString()


async def applied(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {r.key: r.n for r in await conn.execute(sa.select(APPLIED))}


class Recorder:
    """A batch projection counting each org unit's effects, noting each call's transaction."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []   # (transaction id, items)

    async def __call__(self, uow: Any, items: list[tuple[Envelope, Message]]) -> None:
        txid = (await uow.session.execute(sa.select(sa.func.txid_current()))).scalar_one()
        self.calls.append((txid, len(items)))
        for _, msg in items:
            assert isinstance(msg, people_pb2.OrgUnitCreated)
            if msg.name == "poison":
                raise ValueError("this event cannot be applied")
            stmt = insert(APPLIED).values(key=msg.org_unit_id, n=1)
            await uow.session.execute(stmt.on_conflict_do_update(
                index_elements=["key"], set_={"n": APPLIED.c.n + 1}))


@contextlib.asynccontextmanager
async def consuming(settings: KitSettings, topic: str, uow_factory: Any, handler: Recorder,
                    interested: Callable[[str], bool] | None = None) -> Any:
    consumer = EventConsumer(settings, group_id=f"g-{topic}", topics=[topic],
                             batch_handler=handler, interested=interested,
                             uow_factory=uow_factory, retry_delay_s=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield consumer
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def _has(engine: AsyncEngine, want: dict[str, int]) -> bool:
    return await applied(engine) == want


async def _outcomes(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return sorted((await conn.execute(sa.select(PROCESSED.c.outcome))).scalars())


async def test_a_batch_applies_in_one_transaction_and_once(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        eventually: Any) -> None:
    first = envelope("a")
    values = [first, envelope("b"), first, *(envelope(f"k{i}") for i in range(20))]
    await produce(settings, topic, values)
    recorder = Recorder()
    want = {"a": 1, "b": 1, **{f"k{i}": 1 for i in range(20)}}
    async with consuming(settings, topic, uow_factory, recorder) as consumer:
        assert await eventually(lambda: _has(engine, want))
        assert consumer.applied == 22 and consumer.batches_split == 0
    # produced before the consumer started: one fetch, one call, one transaction
    assert [n for _, n in recorder.calls] == [22]

    # the same events again (a producer retry, a rewound group): claimed before, no effect
    await produce(settings, topic, [first, envelope("c")])
    async with consuming(settings, topic, uow_factory, recorder):
        assert await eventually(lambda: _has(engine, {**want, "c": 1}), wait_s=60)
        await asyncio.sleep(0.5)
    assert await applied(engine) == {**want, "c": 1}
    assert await _outcomes(engine) == ["applied"] * 23


async def test_a_poison_event_in_a_batch_goes_to_the_dlq_and_the_others_apply(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        read_topic: Any, eventually: Any) -> None:
    bad_id = Envelope.FromString(envelope("odd"))
    bad_id.event_id = "not-a-uuid"   # cannot even be claimed (nor marked dead-lettered)
    values = [envelope("before"), b"\x00not protobuf\xff", envelope("bad", name="poison"),
              bad_id.SerializeToString(), envelope("after")]
    await produce(settings, topic, values)
    recorder = Recorder()
    async with consuming(settings, topic, uow_factory, recorder) as consumer:
        assert await eventually(lambda: _has(engine, {"before": 1, "after": 1}))
        dead = await read_topic(settings.kafka_bootstrap, dlq_topic(topic), 3)
        assert (consumer.dead_lettered, consumer.batches_split) == (3, 1)
    headers = {r.value: dict(r.headers) for r in dead}
    assert set(headers) == set(values[1:4])
    assert headers[values[1]]["dlq.error.class"] == b"UndecodableEvent"
    assert headers[values[2]]["dlq.error.class"] == b"ValueError"
    assert headers[values[3]]["dlq.error.class"] == b"ValueError"
    assert headers[values[2]]["dlq.attempts"] == str(settings.consumer_max_retries + 1).encode()
    assert all(h["dlq.source.topic"] == topic.encode() for h in headers.values())
    # the batch failed claiming (the malformed id), so each event went on its own: the two
    # good ones once, the poison one with its retries
    assert [n for _, n in recorder.calls] == [1] * (2 + settings.consumer_max_retries + 1)
    assert await _outcomes(engine) == ["applied", "applied", "dead_lettered"]


async def test_a_failing_batch_is_split_and_its_good_events_still_apply(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        eventually: Any) -> None:
    await produce(settings, topic, [envelope("x"), envelope("bad", name="poison"),
                                    envelope("y")])
    recorder = Recorder()
    async with consuming(settings, topic, uow_factory, recorder) as consumer:
        assert await eventually(lambda: _has(engine, {"x": 1, "y": 1}))
        assert await eventually(lambda: _dead(consumer))
    # the whole batch once (rolled back), then record by record
    assert [n for _, n in recorder.calls] == [3] + [1] * (2 + settings.consumer_max_retries + 1)
    assert len({tx for tx, _ in recorder.calls}) == len(recorder.calls)


async def _dead(consumer: EventConsumer) -> bool:
    return consumer.dead_lettered == 1


async def test_types_of_no_interest_are_neither_handled_nor_claimed(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        eventually: Any) -> None:
    await produce(settings, topic, [envelope("a"), envelope("b")])
    recorder = Recorder()
    async with consuming(settings, topic, uow_factory, recorder, interested=lambda t: False):
        await asyncio.sleep(2.0)
    assert recorder.calls == [] and await applied(engine) == {}
    assert await _outcomes(engine) == []
