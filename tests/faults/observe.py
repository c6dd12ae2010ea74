"""Reading the stack from outside, as the invariants need it: SQL on each service's database and
every record of a topic, from offset 0. Synchronous (each call runs its own event loop), so the
scenarios stay plain functions around the dev stack's synchronous API."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from lianxin.kit.devstack.stack import DevStack
from sqlalchemy.engine import make_url


def _connect_args(stack: DevStack, service: str) -> dict[str, Any]:
    url = make_url(stack.database_url(service))
    return {"user": url.username or "postgres", "database": url.database,
            "host": url.host or url.query.get("host"), "port": url.port or 5432}


async def connect(stack: DevStack, service: str) -> asyncpg.Connection:
    """A plain asyncpg connection to a service's database (the caller closes it)."""
    return await asyncpg.connect(**_connect_args(stack, service))


def sql(stack: DevStack, service: str, query: str, *args: Any) -> list[asyncpg.Record]:
    """Rows of one query on a service's database."""

    async def run() -> list[asyncpg.Record]:
        conn = await connect(stack, service)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def execute(stack: DevStack, service: str, *statements: str) -> None:
    """Run statements on a service's database, each committed."""

    async def run() -> None:
        conn = await connect(stack, service)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, bytes]


def read_topic(stack: DevStack, topic: str, grace_s: float = 1.0) -> list[Record]:
    """Every record of `topic` from offset 0 up to its end when called, and whatever else
    arrives in the next `grace_s`.

    The grace is there because tansu can report a partition's end one short of its last record
    after a multi-record produce (bench/p6_replay.py): at rest, that record arrives within it;
    under load the read still ends (reading "until quiet" would not)."""

    async def run() -> list[Record]:
        consumer = AIOKafkaConsumer(bootstrap_servers=stack.broker_bootstrap,
                                    enable_auto_commit=False, fetch_max_wait_ms=100)
        await consumer.start()
        try:
            partitions = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in sorted(partitions)]
            if not tps:
                return []
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            records: list[Record] = []
            reached: float | None = None
            while reached is None or time.monotonic() - reached < grace_s:
                batch = await consumer.getmany(timeout_ms=200, max_records=5000)
                records += [Record(r.topic, r.partition, r.offset, r.key, r.value,
                                   {k: bytes(v) for k, v in r.headers})
                            for rs in batch.values() for r in rs]
                positions = [await consumer.position(tp) for tp in tps]
                if reached is None and all(p >= ends[tp] for p, tp in zip(positions, tps,
                                                                           strict=True)):
                    reached = time.monotonic()
            return records
        finally:
            await consumer.stop()

    return asyncio.run(run())


def produce(stack: DevStack, topic: str,
            messages: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]) -> None:
    """Send (key, value, headers) records to `topic` straight to the broker, acks=all."""

    async def run() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=stack.broker_bootstrap, acks="all")
        await producer.start()
        try:
            for key, value, headers in messages:
                await producer.send_and_wait(topic, value=value, key=key, headers=headers)
        finally:
            await producer.stop()

    asyncio.run(run())
