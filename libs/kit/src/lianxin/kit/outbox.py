"""Outbox relay: publishes committed outbox rows to Kafka, then marks them published.

Guarantees (tested in tests/integration):
- at least once: a row is marked only after the broker acknowledged it (acks=all); a relay
  killed between publish and mark republishes on restart, and consumers drop the duplicate;
- per-aggregate order: rows are sent in id order, and one aggregate's rows are inserted by
  transactions serialised on that aggregate, so they commit in id order;
- no skipped rows: each pass reads *unpublished* rows, not "ids after the last one", so a
  transaction that took a low id and commits late is still picked up;
- one active relay per service: a session-level advisory lock; others wait as standbys;
- a broker that lost its log (tansu keeps topics in memory) is noticed at start-up — a
  partition whose record at the highest offset we recorded is not the event we put there is
  republished — and while running: an ack at or below an offset already recorded for its
  partition means the log started again, so the relay starts again (and recovers) before
  marking anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition
from google.protobuf.message import DecodeError
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.faults import crash_point
from lianxin.kit.kafka import ensure_topics, make_producer
from lianxin.kit.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED
from lianxin.kit.settings import KitSettings
from lianxin.kit.tracing import context_from_traceparent, fail_span, kafka_headers, tracer
from lianxin.kit.uow import NOTIFY_CHANNEL
from lianxin.kit.worker import keep_running
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

_SELECT = sa.text(
    "SELECT id, topic, key, envelope, event_id::text AS event_id, event_type FROM outbox "
    "WHERE published_at IS NULL ORDER BY id LIMIT :n"
)
_MARK = sa.text(
    "UPDATE outbox o SET published_at = now(), kafka_partition = m.p, kafka_offset = m.o "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:ps AS int[]), CAST(:os AS bigint[])) AS m(id, p, o) "
    "WHERE o.id = m.id"
)
_BACKLOG = sa.text(
    "SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age "
    "FROM outbox WHERE published_at IS NULL"
)
# How often the backlog is measured; a stalled relay (broker down) is what it must show.
BACKLOG_INTERVAL_S = 5.0


class BrokerLostLog(RuntimeError):
    """The broker acked at an offset we had already recorded: its log started again."""


class OutboxRelay:
    """Moves outbox rows of one service's database to its Kafka topic."""

    def __init__(self, engine: AsyncEngine, settings: KitSettings, service: str, topic: str,
                 after_publish: Callable[[list[int]], Awaitable[None]] | None = None) -> None:
        self._engine = engine
        self._settings = settings
        self._service = service
        self._topic = topic
        self._wake = asyncio.Event()
        # Fault-injection seam for tests: runs after the broker acked, before rows are marked.
        self._after_publish = after_publish
        self.published = 0
        # The highest offset recorded per partition of our topic (set by the start-up check).
        self._high: dict[int, int] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; transient database or broker failures are retried. The
        backlog is measured beside it (by standbys too), so a stuck relay shows as a growing
        backlog rather than as silence."""
        await asyncio.gather(
            keep_running(f"outbox relay for {self._service}", self._run_once, stop),
            keep_running(f"outbox backlog of {self._service}", self._measure_backlog, stop))

    async def measure_backlog_once(self) -> tuple[int, float]:
        """Unpublished rows and the age of the oldest (seconds), also set as gauges."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(_BACKLOG)).one()
        count, age = int(row.n), float(row.age)
        OUTBOX_BACKLOG.labels(self._service).set(count)
        OUTBOX_OLDEST_AGE.labels(self._service).set(age)
        return count, age

    async def _measure_backlog(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.measure_backlog_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), BACKLOG_INTERVAL_S)

    async def _run_once(self, stop: asyncio.Event) -> None:
        async with self._engine.connect() as conn:
            try:
                await self._relay_on(conn, stop)
            finally:
                # Never hand a connection that holds the relay lock back to the pool: closing
                # it is what releases the lock (and the LISTEN) for the next relay.
                await conn.invalidate()

    async def _relay_on(self, conn: AsyncConnection, stop: asyncio.Event) -> None:
        if not await self._acquire_lock(conn, stop):
            return
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
        await conn.commit()
        await ensure_topics(self._settings, [self._topic])
        producer = make_producer(self._settings, f"{self._service}-relay")
        await producer.start()
        try:
            await self._recover_lost_partitions(conn)
            log.info("outbox relay for %s is active", self._service)
            while not stop.is_set():
                # Clear before reading: a NOTIFY that lands during the read keeps us awake.
                self._wake.clear()
                sent = await self._publish_batch(conn, producer)
                if sent < self._settings.relay_batch_size:
                    await self._sleep(stop)
        finally:
            await producer.stop()

    async def _acquire_lock(self, conn: AsyncConnection, stop: asyncio.Event) -> bool:
        key = f"lianxin-outbox-relay:{self._service}"
        while not stop.is_set():
            got = (await conn.execute(sa.text("SELECT pg_try_advisory_lock(hashtext(:k))"),
                                      {"k": key})).scalar()
            await conn.commit()
            if got:
                return True
            log.info("another outbox relay for %s is active; standing by", self._service)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 5.0)
        return False

    async def _sleep(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        await asyncio.wait(waiters, timeout=self._settings.relay_poll_interval_s,
                           return_when=asyncio.FIRST_COMPLETED)
        for task in waiters:
            task.cancel()

    async def _publish_batch(self, conn: AsyncConnection, producer: object) -> int:
        rows = (await conn.execute(_SELECT, {"n": self._settings.relay_batch_size})).all()
        await conn.commit()
        if not rows:
            return 0
        send = producer.send  # type: ignore[attr-defined]
        spans = [self._publish_span(r) for r in rows]
        try:
            futures = [
                await send(r.topic, value=r.envelope, key=r.key.encode(),
                           headers=[("event_id", r.event_id.encode()),
                                    ("event_type", r.event_type.encode()),
                                    *kafka_headers(trace.set_span_in_context(span))])
                for r, span in zip(rows, spans, strict=True)
            ]
            metas = await asyncio.gather(*futures)
        except BaseException as exc:
            for span in spans:
                fail_span(span, exc)
                span.end()
            raise
        for span, meta in zip(spans, metas, strict=True):
            span.set_attribute("messaging.destination.partition.id", str(meta.partition))
            span.set_attribute("messaging.kafka.offset", meta.offset)
            span.end()
        went_back = sorted({m.partition for m in metas if m.offset <= self._high.get(m.partition, -1)})
        if went_back:
            # Do not mark: the relay starts again, and its start-up check republishes what the
            # broker lost (these rows included).
            raise BrokerLostLog(f"{self._topic} partitions {went_back} acked at offsets already "
                                "recorded: the broker lost its log")
        if self._after_publish is not None:
            await self._after_publish([r.id for r in rows])
        crash_point("relay.before_mark")  # the broker has the rows; they are not marked yet
        await conn.execute(_MARK, {"ids": [r.id for r in rows], "ps": [m.partition for m in metas],
                                   "os": [m.offset for m in metas]})
        await conn.commit()
        for meta in metas:
            self._high[meta.partition] = max(meta.offset, self._high.get(meta.partition, -1))
        self.published += len(rows)
        OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))
        return len(rows)

    def _publish_span(self, row: Any) -> trace.Span:
        """A PRODUCER span in the trace of the request that wrote the row (its Envelope keeps
        the traceparent), so consumers continue that trace."""
        env = Envelope()
        with contextlib.suppress(DecodeError):  # never stall the relay over a trace
            env.ParseFromString(row.envelope)
        return tracer.start_span(
            f"publish {row.topic}", context=context_from_traceparent(env.trace.traceparent),
            kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "kafka", "messaging.operation.type": "send",
                        "messaging.destination.name": row.topic,
                        "messaging.message.id": row.event_id,
                        "lianxin.event_type": row.event_type,
                        "lianxin.service": self._service})

    async def _recover_lost_partitions(self, conn: AsyncConnection) -> None:
        """Republish the partitions the broker lost: for each, the record at the highest offset
        we recorded must be there and be the event we recorded at it. (End offsets alone do not
        tell: tansu can report a partition's end one batch short of its last record.)"""
        recorded = (await conn.execute(sa.text(
            "SELECT DISTINCT ON (kafka_partition) kafka_partition AS p, kafka_offset AS o, "
            "event_id::text AS e FROM outbox WHERE topic = :t AND published_at IS NOT NULL "
            "ORDER BY kafka_partition, kafka_offset DESC"), {"t": self._topic})).all()
        await conn.commit()
        self._high = {}
        if not recorded:
            return
        lost = await self._lost(recorded)
        self._high = {r.p: r.o for r in recorded if r.p not in lost}
        if lost:
            result = await conn.execute(sa.text(
                "UPDATE outbox SET published_at = NULL WHERE topic = :t "
                "AND kafka_partition = ANY(CAST(:ps AS int[]))"), {"t": self._topic, "ps": lost})
            await conn.commit()
            log.warning("broker lost partitions %s of %s; republishing %d events",
                        lost, self._topic, result.rowcount)

    async def _lost(self, recorded: Sequence[Any]) -> list[int]:
        probe = AIOKafkaConsumer(bootstrap_servers=self._settings.kafka_bootstrap,
                                 enable_auto_commit=False, fetch_max_wait_ms=100)
        await probe.start()
        try:
            known = probe.partitions_for_topic(self._topic) or set()
            lost = [r.p for r in recorded if r.p not in known]
            for r in (r for r in recorded if r.p in known):
                tp = TopicPartition(self._topic, r.p)
                probe.assign([tp])
                probe.seek(tp, r.o)
                found = (await probe.getmany(tp, timeout_ms=2000, max_records=1)).get(tp, [])
                event_id = dict(found[0].headers).get("event_id", b"").decode() if found else ""
                if not found or found[0].offset != r.o or event_id != r.e:
                    lost.append(r.p)
            return lost
        finally:
            await probe.stop()
