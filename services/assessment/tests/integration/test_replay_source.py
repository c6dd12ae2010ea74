"""Where a replay stops reading: never short of the live consumer group's committed offsets.
(tansu can report a partition's end below its last record after a multi-record produce; what
the live group has applied must be in the rebuild, or it is lost at the swap.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from lianxin.assessment.adapters.replay_source import KafkaEventSource

pytestmark = pytest.mark.integration


async def test_the_end_is_at_least_the_live_groups_committed_offset(broker: Any) -> None:
    topic, group = f"tickets.{uuid.uuid4().hex[:8]}", f"live-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        for _ in range(3):
            await producer.send_and_wait(topic, value=b"x", key=b"k", partition=0)
    finally:
        await producer.stop()
    tp = TopicPartition(topic, 0)
    # The live group says it has applied up to offset 7 (beyond what the broker reports).
    live = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group,
                            enable_auto_commit=False)
    await live.start()
    try:
        live.assign([tp])
        await live.commit({tp: 7})
    finally:
        await live.stop()

    async with KafkaEventSource(broker.bootstrap, [topic]) as alone:
        _, end_alone = await alone.offsets()
    async with KafkaEventSource(broker.bootstrap, [topic], live_group=group) as source:
        _, end = await source.offsets()
    assert end_alone[(topic, 0)] == 3          # what the broker reports
    assert end[(topic, 0)] == 7                # …raised to what the live group has applied
