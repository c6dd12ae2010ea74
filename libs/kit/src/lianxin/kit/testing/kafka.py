"""Putting records on a topic for tests, as the relay would (one key: one partition, in order)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from lianxin.kit.kafka import ensure_topics
from lianxin.kit.settings import KitSettings


async def produce(settings: KitSettings, topic: str, values: Iterable[bytes],
                  key: bytes = b"one-partition") -> None:
    """Create `topic` if needed and send `values` to it in order, all under `key`."""
    await ensure_topics(settings, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()
