"""The topics read from the beginning for a replay (app/replay.py).

A consumer without a group: it is assigned every partition and seeks to the start, so a replay
neither joins the live consumer's group (no rebalance pauses it) nor commits any offset (the
live consumer's position is untouched). Reads stop exactly at the offsets asked for: records
fetched beyond them are left for the next read (the catch-up under the lock).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from types import TracebackType

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from lianxin.assessment.app.replay import Event, Failure, Fetched, Offsets
from lianxin.kit.envelope import UndecodableEvent, unwrap

log = logging.getLogger(__name__)


def _where(r: ConsumerRecord) -> str:
    return f"{r.topic}/{r.partition}@{r.offset}"


class KafkaEventSource:
    """EventSource over Kafka topics; use as an async context manager."""

    def __init__(self, bootstrap: str, topics: Sequence[str], *, batch_size: int = 2000,
                 client_id: str = "assessment-replay", live_group: str | None = None) -> None:
        self._bootstrap = bootstrap
        self._live_group = live_group
        self._topics = list(topics)
        self._batch_size = batch_size
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, client_id=client_id, group_id=None,
            enable_auto_commit=False, auto_offset_reset="earliest", fetch_max_wait_ms=100,
            max_partition_fetch_bytes=4 * 1024 * 1024)
        self._partitions: list[TopicPartition] = []

    async def __aenter__(self) -> KafkaEventSource:
        await self._consumer.start()
        try:
            await self._consumer.topics()   # fetches the cluster's metadata
            for topic in self._topics:
                found = self._consumer.partitions_for_topic(topic)
                if not found:
                    log.warning("topic %s does not exist (yet): nothing to replay from it", topic)
                self._partitions += [TopicPartition(topic, p) for p in sorted(found or ())]
            self._consumer.assign(self._partitions)
            if self._partitions:
                await self._consumer.seek_to_beginning(*self._partitions)
        except BaseException:
            await self._consumer.stop()
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self._consumer.stop()

    async def offsets(self) -> tuple[Offsets, Offsets]:
        if not self._partitions:
            return {}, {}
        first = await self._consumer.beginning_offsets(self._partitions)
        end = await self._consumer.end_offsets(self._partitions)
        # Never stop short of what the live consumer has applied: after the swap it goes on
        # from its committed offsets, so anything before them must be in the rebuild. (tansu
        # reports a partition's end below its last record after a multi-record produce.)
        for tp, committed in (await self._committed()).items():
            if tp in end:
                end[tp] = max(end[tp], committed)
        return ({(tp.topic, tp.partition): n for tp, n in first.items()},
                {(tp.topic, tp.partition): n for tp, n in end.items()})

    async def _committed(self) -> dict[TopicPartition, int]:
        if self._live_group is None:
            return {}
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap,
                                    client_id="assessment-replay-admin")
        await admin.start()
        try:
            found = await admin.list_consumer_group_offsets(self._live_group,
                                                            partitions=self._partitions)
        finally:
            await admin.close()
        return {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}

    async def read(self, until: Offsets) -> AsyncIterator[Fetched]:
        consumer = self._consumer
        pending = {tp for tp in self._partitions
                   if await consumer.position(tp) < until.get((tp.topic, tp.partition), 0)}
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=500,
                                           max_records=self._batch_size)
            events: list[Event] = []
            failures: list[Failure] = []
            records = 0
            for tp, found in batch.items():
                stop = until[(tp.topic, tp.partition)]
                for r in found:
                    if r.offset >= stop:
                        consumer.seek(tp, stop)   # the rest is the catch-up's
                        break
                    records += 1
                    try:
                        env, payload = unwrap(r.value or b"")
                    except UndecodableEvent as exc:
                        failures.append(Failure(_where(r), "", "", str(exc)))
                        continue
                    events.append(Event(_where(r), env, payload))
            for tp in list(pending):
                if await consumer.position(tp) >= until[(tp.topic, tp.partition)]:
                    pending.discard(tp)
            if records:
                yield Fetched(events, failures, records)
