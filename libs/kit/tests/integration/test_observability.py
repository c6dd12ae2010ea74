"""Observability of the relay and consumers against real PostgreSQL and Kafka: the outbox
backlog and its age, consumer lag and DLQ counts as metrics, and one trace from the request
that wrote an event, through the relay's publish (traceparent in Kafka headers), to the
consumer that handled it."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit import tracing
from lianxin.kit.auth import SYSTEM
from lianxin.kit.consumer import EventConsumer
from lianxin.kit.envelope import PendingEvent, wrap
from lianxin.kit.metrics import exposition
from lianxin.kit.outbox import OutboxRelay
from lianxin.kit.settings import KitSettings
from lianxin.kit.testing.kafka import produce
from lianxin.kit.testing.relaying import Relaying
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
CREATED = people_pb2.OrgUnitCreated.DESCRIPTOR.full_name


def event(key: str) -> PendingEvent:
    return PendingEvent("org_unit", key, 1, people_pb2.OrgUnitCreated(org_unit_id=key, name=key))


async def emit(uow_factory: Any, key: str) -> None:
    async with uow_factory() as uow:
        uow.emit(event(key))
        await uow.commit()


async def unpublished(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL"))).scalar_one())


def metric(name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(exposition().decode()):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return None


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def test_backlog_and_age_of_the_outbox(engine: AsyncEngine, settings: KitSettings,
                                             uow_factory: Any, topic: str, eventually: Any) -> None:
    service = f"svc-{topic}"
    relay = OutboxRelay(engine, settings, service, topic)
    for key in "abc":
        await emit(uow_factory, key)
    await asyncio.sleep(0.2)
    count, age = await relay.measure_backlog_once()
    assert count == 3 and age >= 0.2
    assert metric("lianxin_outbox_backlog", service=service) == 3
    assert metric("lianxin_outbox_oldest_age_seconds", service=service) == age
    async with Relaying(relay):
        assert await eventually(lambda: _zero(engine))
    assert await relay.measure_backlog_once() == (0, 0.0)
    assert metric("lianxin_outbox_backlog", service=service) == 0
    assert metric("lianxin_outbox_published_total", service=service) == 3


async def _zero(engine: AsyncEngine) -> bool:
    return await unpublished(engine) == 0


async def test_consumer_lag_is_high_water_minus_position(settings: KitSettings, topic: str) -> None:
    await produce(settings, topic, [wrap(event(k), SYSTEM).SerializeToString() for k in "abc"])
    group = f"g-{topic}"
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=settings.kafka_bootstrap, group_id=group,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        async with asyncio.timeout(15):
            got: list[Any] = []
            while not got:
                got = [r for rs in (await consumer.getmany(timeout_ms=200, max_records=1)).values()
                       for r in rs]
        [record] = got
        probe = EventConsumer(settings, group_id=group, topics=[topic], handlers={},
                              uow_factory=lambda: None)  # type: ignore[arg-type, return-value]
        lags = await probe.measure_lag(consumer)
    finally:
        await consumer.stop()
    # Two records after the one taken in its partition; the other partitions are empty.
    assert {(tp.topic, tp.partition): lag for tp, lag in lags.items() if lag} == {
        (topic, record.partition): 2}
    assert all(tp.topic == topic for tp in lags) and len(lags) == settings.kafka_partitions
    assert metric("lianxin_consumer_lag", group=group, topic=topic,
                  partition=str(record.partition)) == 2


async def test_one_trace_from_request_through_relay_to_consumer(
        engine: AsyncEngine, settings: KitSettings, uow_factory: Any, topic: str,
        eventually: Any, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch) -> None:
    import lianxin.kit.consumer as consumer_module

    monkeypatch.setattr(consumer_module, "LAG_INTERVAL_S", 0.1)
    seen: dict[str, str | None] = {}

    async def handler(uow: Any, env: Envelope, msg: Message) -> None:
        assert isinstance(msg, people_pb2.OrgUnitCreated)
        if msg.org_unit_id == "poison":
            raise ValueError("cannot be applied")
        seen[msg.org_unit_id] = tracing.trace_id()  # what the handler's own logs would carry

    with tracing.tracer.start_as_current_span("request") as request:
        await emit(uow_factory, "a")  # the Envelope takes the current traceparent
        await emit(uow_factory, "poison")
    request_trace = format(request.get_span_context().trace_id, "032x")
    group = f"g-{topic}"
    consumer = EventConsumer(settings, group_id=group, topics=[topic],
                             handlers={CREATED: handler}, uow_factory=uow_factory,
                             retry_delay_s=0.01)
    stop = asyncio.Event()
    async with Relaying(OutboxRelay(engine, settings, "svc", topic)):
        task = asyncio.create_task(consumer.run(stop))
        try:
            assert await eventually(lambda: _true(consumer.dead_lettered == 1 and "a" in seen))
            assert await eventually(lambda: _true(metric(
                "lianxin_consumer_lag", group=group, topic=topic, partition="0") is not None
                or any(metric("lianxin_consumer_lag", group=group, topic=topic,
                              partition=str(p)) is not None for p in range(3))))
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 15)

    assert seen["a"] == request_trace
    finished = spans.get_finished_spans()
    publish = [s for s in finished if s.kind is SpanKind.PRODUCER and s.name == f"publish {topic}"]
    process = [s for s in finished if s.kind is SpanKind.CONSUMER and s.name == f"process {topic}"]
    assert len(publish) == 2 and len(process) == 2
    assert all(format(s.context.trace_id, "032x") == request_trace for s in publish + process)
    # The consumer's span is a child of the publish span (traceparent from the Kafka headers).
    assert {s.parent.span_id for s in process if s.parent} == {s.context.span_id for s in publish}
    assert metric("lianxin_dlq_messages_total", group=group, topic=topic) == 1
    assert metric("lianxin_consumer_applied_total", group=group) == 1


async def _true(value: bool) -> bool:
    return value
