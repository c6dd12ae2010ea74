"""After PostgreSQL closes the pool's idle connections (a restart; here pg_terminate_backend),
the next request gets a fresh connection instead of failing on a dead one — no matter how long
after the restart it comes (tests/faults found a request failing two scenarios later)."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from lianxin.kit.db import make_engine
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration


async def test_connections_the_server_closed_are_not_handed_out(engine: AsyncEngine) -> None:
    pooled = make_engine(engine.url.render_as_string(hide_password=False), pool_size=3,
                         application_name="pool-recovery")
    try:
        async with asyncio.TaskGroup() as group:  # three connections made and pooled
            for _ in range(3):
                group.create_task(_select(pooled, hold_s=0.2))
        async with engine.connect() as admin:
            killed = (await admin.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'pool-recovery'"))).scalar_one()
        assert killed == 3
        await asyncio.sleep(0.5)  # the closed sockets reach the client's event loop
        for _ in range(3):  # each checkout would have met a dead connection
            assert await _select(pooled) == 1
    finally:
        await pooled.dispose()


async def _select(engine: AsyncEngine, hold_s: float = 0.0) -> int:
    async with engine.connect() as conn:
        value = (await conn.execute(sa.text("SELECT 1"))).scalar_one()
        await asyncio.sleep(hold_s)
        return int(value)
