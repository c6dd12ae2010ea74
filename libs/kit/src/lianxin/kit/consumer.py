"""Consumer base: idempotent, batched, with bounded retries and a dead-letter topic.

For each message: the handler's effect and a `processed_event` row commit in one transaction
(a redelivered event finds its row and changes nothing); offsets are committed only after.

Batch mode (`batch_handler`, for projections that gain from applying many events at once):
each partition's fetched records are decoded, claimed together (`claim_events` returns the
ids not seen before) and handed to the batch handler in ONE transaction; offsets after the
commit. Types are filtered by `interested` (every type when None). If the batch fails for a
reason other than infrastructure, it is replayed record by record — each with its own claim,
transaction, retries and DLQ — so one poison event never blocks a partition and the good ones
still apply. Undecodable records go to the DLQ after the batch commits (a transient failure
re-reads the batch; sending them first would dead-letter them twice).

Two kinds of failure are told apart:
- the database or broker is unreachable (transient): nothing is skipped — the consumer backs
  off and re-reads from the failed message, however long the outage lasts;
- the message itself fails (undecodable, or its handler raises): retried `consumer_max_retries`
  times, then sent to `<topic>.dlq` with the error in headers, logged and counted, and marked
  so a redelivery is not retried again. Later messages keep flowing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from google.protobuf.message import Message
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.envelope import UndecodableEvent, unwrap
from lianxin.kit.faults import crash_point
from lianxin.kit.kafka import dlq_topic, ensure_topics, make_producer
from lianxin.kit.metrics import CONSUMER_APPLIED, CONSUMER_LAG, DLQ_MESSAGES
from lianxin.kit.settings import KitSettings
from lianxin.kit.tracing import context_from_kafka, fail_span, tracer
from lianxin.kit.transient import is_transient
from lianxin.kit.worker import keep_running
from opentelemetry import trace
from opentelemetry.trace import SpanKind

log = logging.getLogger(__name__)
# How often consumer lag is measured (from the fetched high-water marks: no extra requests).
LAG_INTERVAL_S = 5.0
# An offset commit taking longer than this means the broker cannot take it (see below).
COMMIT_TIMEOUT_S = 30.0


class ConsumerUnitOfWork(Protocol):
    async def __aenter__(self) -> Any: ...
    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...
    async def claim_event(self, event_id: str, consumer: str, event_type: str,
                          outcome: str = "applied") -> bool: ...
    async def claim_events(self, envs: Sequence[Envelope], consumer: str,
                           outcome: str = "applied") -> set[str]:
        """Record the events as handled by `consumer`; the ids of those not recorded before."""
        ...
    async def commit(self) -> None: ...


Handler = Callable[[Any, Envelope, Message], Awaitable[None]]
Item = tuple[Envelope, Message]
BatchHandler = Callable[[Any, list[Item]], Awaitable[None]]
Apply = Callable[[Any], Awaitable[bool]]   # inside a unit of work: True if it took effect


class Transient(Exception):
    """Infrastructure is unavailable; the message must be retried later, never dead-lettered."""


class EventConsumer:
    """Consumes topics in a consumer group and applies registered handlers exactly once —
    per message (`handlers` by event type) or per fetched batch (`batch_handler`)."""

    def __init__(self, settings: KitSettings, *, group_id: str, topics: list[str],
                 uow_factory: Callable[[], ConsumerUnitOfWork],
                 handlers: Mapping[str, Handler] | None = None,
                 batch_handler: BatchHandler | None = None,
                 interested: Callable[[str], bool] | None = None,
                 retry_delay_s: float = 0.2) -> None:
        if (handlers is None) == (batch_handler is None):
            raise ValueError("give either per-message handlers or one batch_handler")
        self._settings = settings
        self.group_id = group_id
        self._topics = topics
        self._handlers = handlers or {}
        self._batch_handler = batch_handler
        self._interested = interested or (lambda _type: True)
        self._uow_factory = uow_factory
        self._retry_delay_s = retry_delay_s
        self.applied = 0
        self.dead_lettered = 0
        self.batches_split = 0   # batches replayed record by record after a failure
        self._lag_labels: set[tuple[str, str]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; restarts its clients after infrastructure failures."""
        await keep_running(f"consumer {self.group_id}", self._run_once, stop)

    async def _run_once(self, stop: asyncio.Event) -> None:
        await ensure_topics(self._settings, self._topics)
        consumer = AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=self._settings.kafka_bootstrap,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=50,  # live dashboards want events within a second
        )
        producer = make_producer(self._settings, f"{self.group_id}-dlq")
        await consumer.start()
        await producer.start()
        self._dlq_producer = producer
        measured = 0.0
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=500,
                                               max_records=self._settings.consumer_batch_size)
                for tp, records in batch.items():
                    await self._consume_partition(consumer, tp, records)
                if time.monotonic() - measured >= LAG_INTERVAL_S:
                    await self.measure_lag(consumer)
                    measured = time.monotonic()
        finally:
            await consumer.stop()
            await producer.stop()

    async def measure_lag(self, consumer: AIOKafkaConsumer) -> dict[TopicPartition, int]:
        """Per assigned partition: the high-water mark minus our position, also set as the
        lag gauge (partitions no longer assigned are dropped from it)."""
        lags: dict[TopicPartition, int] = {}
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            if high is None:
                continue  # nothing fetched from it yet
            with contextlib.suppress(Exception):  # a partition revoked meanwhile
                lags[tp] = max(0, high - await consumer.position(tp))
        labels = {(tp.topic, str(tp.partition)) for tp in lags}
        for topic, partition in self._lag_labels - labels:
            with contextlib.suppress(KeyError):
                CONSUMER_LAG.remove(self.group_id, topic, partition)
        for tp, lag in lags.items():
            CONSUMER_LAG.labels(self.group_id, tp.topic, str(tp.partition)).set(lag)
        self._lag_labels = labels
        return lags

    def _span(self, record: ConsumerRecord, env: Envelope | None, name: str = "process") -> trace.Span:
        """A CONSUMER span continuing the trace the record carries (headers, else Envelope)."""
        ctx = context_from_kafka(record.headers, env.trace.traceparent if env is not None else "")
        return tracer.start_span(
            f"{name} {record.topic}", context=ctx, kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka", "messaging.operation.type": "process",
                        "messaging.destination.name": record.topic,
                        "messaging.destination.partition.id": str(record.partition),
                        "messaging.kafka.offset": record.offset,
                        "messaging.consumer.group.name": self.group_id,
                        "lianxin.event_type": env.event_type if env is not None else ""})

    async def _consume_partition(self, consumer: AIOKafkaConsumer, tp: TopicPartition,
                                 records: list[ConsumerRecord]) -> None:
        done: int | None = None
        try:
            if self._batch_handler is not None:
                # All or nothing: a re-read batch finds its applied events claimed.
                await self._consume_batch(self._batch_handler, records)
                done = records[-1].offset
            else:
                for record in records:
                    await self._consume(record)
                    done = record.offset
        except Transient:
            failed_at = records[0].offset if done is None else done + 1
            log.warning("consumer %s: infrastructure unavailable; will re-read %s@%d",
                        self.group_id, tp, failed_at)
            consumer.seek(tp, failed_at)
            await asyncio.sleep(1.0)
        if done is not None:
            crash_point("consumer.before_offset_commit")  # the effect is committed, the offset not
            try:
                # aiokafka retries a commit forever when the broker lost the topic (a restarted
                # tansu): give up, and start the consumer again from whatever the broker has.
                await asyncio.wait_for(consumer.commit({tp: done + 1}), COMMIT_TIMEOUT_S)
            except TimeoutError:
                raise Transient(f"offset commit of {tp} did not finish in "
                                f"{COMMIT_TIMEOUT_S:.0f}s") from None

    async def _consume(self, record: ConsumerRecord) -> None:
        try:
            env, payload = unwrap(record.value)
        except UndecodableEvent as exc:
            await self._dead_letter(record, exc, attempts=1, env=None)
            return
        handler = self._handlers.get(env.event_type)
        if handler is None:
            return  # an event this service does not need

        async def apply(uow: Any) -> bool:
            if not await uow.claim_event(env.event_id, self.group_id, env.event_type):
                return False
            await handler(uow, env, payload)
            return True

        # Current while it is handled: events the handler raises join the same trace.
        span = self._span(record, env)
        with trace.use_span(span, end_on_exit=True, record_exception=False,
                            set_status_on_exception=False):
            try:
                await self._with_retries(record, env, apply)
            except BaseException as exc:
                fail_span(span, exc)
                raise

    async def _consume_batch(self, handler: BatchHandler, records: list[ConsumerRecord]) -> None:
        undecodable: list[tuple[ConsumerRecord, UndecodableEvent]] = []
        decoded: list[tuple[ConsumerRecord, Envelope, Message]] = []
        for record in records:
            try:
                env, payload = unwrap(record.value)
            except UndecodableEvent as exc:
                undecodable.append((record, exc))
                continue
            if self._interested(env.event_type):
                decoded.append((record, env, payload))
        if decoded:
            # One span per record, in the trace of the request that caused it; the batch is
            # applied at once, so they share its timing.
            spans = [self._span(record, env) for record, env, _ in decoded]
            try:
                async with self._uow_factory() as uow:
                    claimed = await uow.claim_events([e for _, e, _ in decoded], self.group_id)
                    items = _fresh(decoded, claimed)
                    if items:
                        await handler(uow, items)
                    await uow.commit()
                self.applied += len(items)
                CONSUMER_APPLIED.labels(self.group_id).inc(len(items))
            except Exception as exc:
                for span in spans:
                    fail_span(span, exc)
                if is_transient(exc):
                    raise Transient() from exc
                self.batches_split += 1
                log.warning("consumer %s: batch of %d failed (%r); applying it record by record",
                            self.group_id, len(decoded), exc)
                for record, env, payload in decoded:
                    await self._with_retries(record, env, self._one(handler, env, payload))
            finally:
                for span in spans:
                    span.end()
        for record, error in undecodable:
            await self._dead_letter(record, error, attempts=1, env=None)

    def _one(self, handler: BatchHandler, env: Envelope, payload: Message) -> Apply:
        async def apply(uow: Any) -> bool:
            if not await uow.claim_events([env], self.group_id):
                return False
            await handler(uow, [(env, payload)])
            return True
        return apply

    async def _with_retries(self, record: ConsumerRecord, env: Envelope, apply: Apply) -> None:
        """Apply in a unit of work; retried, then dead-lettered (never on transient errors)."""
        last_error: Exception | None = None
        for attempt in range(self._settings.consumer_max_retries + 1):
            try:
                async with self._uow_factory() as uow:
                    if await apply(uow):
                        await uow.commit()
                        self.applied += 1
                        CONSUMER_APPLIED.labels(self.group_id).inc()
                return
            except Exception as exc:
                if is_transient(exc):
                    raise Transient() from exc
                last_error = exc
                log.warning("consumer %s: %s failed (attempt %d): %r", self.group_id,
                            env.event_type, attempt + 1, exc)
                await asyncio.sleep(self._retry_delay_s * (attempt + 1))
        assert last_error is not None
        await self._dead_letter(record, last_error, attempts=self._settings.consumer_max_retries + 1,
                                env=env)

    async def _dead_letter(self, record: ConsumerRecord, error: Exception, *, attempts: int,
                           env: Envelope | None) -> None:
        headers = [
            ("dlq.source.topic", record.topic.encode()),
            ("dlq.source.partition", str(record.partition).encode()),
            ("dlq.source.offset", str(record.offset).encode()),
            ("dlq.consumer", self.group_id.encode()),
            ("dlq.attempts", str(attempts).encode()),
            ("dlq.error.class", type(error).__name__.encode()),
            ("dlq.error.message", str(error)[:1000].encode()),
        ]
        try:
            await self._dlq_producer.send_and_wait(dlq_topic(record.topic), value=record.value,
                                                   key=record.key, headers=headers)
        except Exception as exc:
            raise Transient() from exc
        if env is not None:
            # Mark it so a redelivery is not retried again; the DLQ holds it for an operator.
            try:
                async with self._uow_factory() as uow:
                    if self._batch_handler is None:
                        await uow.claim_event(env.event_id, self.group_id, env.event_type,
                                              "dead_lettered")
                    else:
                        await uow.claim_events([env], self.group_id, "dead_lettered")
                    await uow.commit()
            except Exception as exc:
                if is_transient(exc):
                    raise Transient() from exc
                # Unmarkable (a malformed event id): a redelivery is dead-lettered again,
                # which beats stalling the partition on it.
                log.warning("consumer %s: could not mark an event dead-lettered: %r",
                            self.group_id, exc)
        self.dead_lettered += 1
        DLQ_MESSAGES.labels(self.group_id, record.topic).inc()
        # The message body may hold personal data: log where it was, never what it says.
        log.error("DLQ consumer=%s topic=%s partition=%d offset=%d event_type=%s error=%s: %s",
                  self.group_id, record.topic, record.partition, record.offset,
                  env.event_type if env is not None else None,
                  type(error).__name__, str(error)[:200])


def _fresh(decoded: list[tuple[ConsumerRecord, Envelope, Message]], claimed: set[str]) -> list[Item]:
    """The claimed events in partition order, each once (a batch may hold an event twice)."""
    items: list[Item] = []
    for _, env, payload in decoded:
        if env.event_id in claimed:
            claimed = claimed - {env.event_id}
            items.append((env, payload))
    return items
