"""Kafka clients configured from settings, topic creation, and the DLQ naming rule."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from lianxin.kit.settings import KitSettings

log = logging.getLogger(__name__)


def dlq_topic(topic: str) -> str:
    """Dead-letter topic for a topic: `<topic>.dlq`."""
    return f"{topic}.dlq"


def make_producer(settings: KitSettings, client_id: str) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas; idempotence as configured (off for tansu)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=2,
        request_timeout_ms=15_000,
    )


async def ensure_topics(settings: KitSettings, topics: list[str]) -> None:
    """Create the topics (and their DLQs) if missing; existing ones are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = sorted({t for topic in topics for t in (topic, dlq_topic(topic))} - existing)
        for name in wanted:
            try:
                await admin.create_topics([NewTopic(name, settings.kafka_partitions,
                                                    settings.kafka_replication)])
                log.info("created topic %s", name)
            except TopicAlreadyExistsError:
                pass  # another process won the race
    finally:
        await admin.close()
