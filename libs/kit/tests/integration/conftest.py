"""A scratch database with the kit tables and a tiny projection, plus Kafka helpers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from lianxin.kit.db import make_sessions
from lianxin.kit.settings import KitSettings
from lianxin.kit.tables import add_kit_tables
from lianxin.kit.uow import SqlUnitOfWork
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = sa.MetaData()
add_kit_tables(metadata)
# A projection for consumer tests: how often each key's event was applied.
applied = sa.Table("applied", metadata, sa.Column("key", sa.Text, primary_key=True),
                   sa.Column("n", sa.Integer, nullable=False))


@pytest.fixture
async def engine(embedded_pg: Any) -> AsyncIterator[AsyncEngine]:
    name = f"kit_{uuid.uuid4().hex[:10]}"
    embedded_pg.create_database(name)
    eng = create_async_engine(embedded_pg.url(name), pool_size=5)
    async with eng.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield eng
    await eng.dispose()


@pytest.fixture
def settings(engine: AsyncEngine, broker: Any) -> KitSettings:
    return KitSettings(  # type: ignore[call-arg]
        environment="test", database_url=engine.url.render_as_string(hide_password=False),
        kafka_bootstrap=broker.bootstrap, kafka_idempotence=False, jwt_secret="t" * 32,
        relay_poll_interval_s=0.2, consumer_max_retries=2)


@pytest.fixture
def topic() -> str:
    return f"test.{uuid.uuid4().hex[:10]}"


@pytest.fixture
def uow_factory(engine: AsyncEngine, topic: str) -> Callable[[], SqlUnitOfWork]:
    cls = type("TestUnitOfWork", (SqlUnitOfWork,), {"topic": topic})
    sessions = make_sessions(engine)
    return lambda: cls(sessions)


@pytest.fixture
def read_topic() -> Callable[..., Any]:
    return _read_topic


@pytest.fixture
def eventually() -> Callable[..., Any]:
    return _eventually


async def _read_topic(bootstrap: str, topic: str, want: int, wait_s: float = 15.0) -> list[Any]:
    """Read `topic` from the start until `want` records arrived (or fail after `timeout`)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)  # no group: no rebalance wait
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(wait_s):
            while len(records) < want:
                batch = await consumer.getmany(timeout_ms=200)
                for recs in batch.values():
                    records.extend(recs)
    finally:
        await consumer.stop()
    return records


async def _eventually(check: Callable[[], Any], wait_s: float = 15.0) -> Any:
    """Poll an async check until it returns a truthy value."""
    async with asyncio.timeout(wait_s):
        while True:
            value = await check()
            if value:
                return value
            await asyncio.sleep(0.1)
