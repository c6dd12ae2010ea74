"""The kit's LISTEN hub on a channel of its own: committed payloads reach every subscriber,
decoded; malformed ones and rolled-back ones do not; `drain` takes what waits; a lost
connection ends subscriptions with FeedLost and the next subscriber reconnects."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from lianxin.kit.live import Feed, FeedLost
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
CHANNEL = "lianxin_kit_test"


def decode(payload: str) -> int | None:
    return int(payload) if payload.isdigit() else None


async def notify(engine: AsyncEngine, *payloads: str, commit: bool = True) -> None:
    async with engine.connect() as conn:
        for p in payloads:
            await conn.execute(sa.select(sa.func.pg_notify(CHANNEL, p)))
        if commit:
            await conn.commit()
        else:
            await conn.rollback()


async def test_payloads_fan_out_decoded_and_drain_takes_what_waits(engine: AsyncEngine) -> None:
    hub = Feed(CHANNEL, decode, name="test feed").hub(engine)
    async with hub.subscribe() as one, hub.subscribe() as two:
        assert hub.subscribers == 2
        await notify(engine, "1", "oops", "2")
        await notify(engine, "99", commit=False)
        await notify(engine, "3")
        assert await asyncio.wait_for(anext(one), 10) == 1
        await asyncio.sleep(0.2)
        assert one.drain() == [2, 3]
        assert one.drain() == []
        assert [await asyncio.wait_for(anext(two), 10) for _ in range(3)] == [1, 2, 3]
    assert hub.subscribers == 0
    assert not hub.listening.is_set()


async def test_a_lost_connection_ends_the_subscription_and_a_new_one_reconnects(
        engine: AsyncEngine) -> None:
    hub = Feed(CHANNEL, decode, name="test feed").hub(engine)
    async with hub.subscribe() as items:
        async with engine.connect() as conn:
            await conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE query LIKE 'LISTEN%{CHANNEL}%' AND pid <> pg_backend_pid()"))
        with pytest.raises(FeedLost, match="test feed"):
            await asyncio.wait_for(anext(items), 10)
    async with hub.subscribe() as items:
        await notify(engine, "7")
        assert await asyncio.wait_for(anext(items), 10) == 7
