"""Time travel for dev and test stacks: an admin moves the tickets service's clock forward so a
ticket can go overdue in an end-to-end test or a demo without waiting ten working days. The
offset lives in the database so the API and the worker (the SLA scheduler) follow it together;
production never reads or writes it (the settings' environment decides)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

import sqlalchemy as sa
from lianxin.tickets.adapters.tables import dev_clock
from lianxin.tickets.app.common import set_clock_offset
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

POLL_SECONDS = 0.5


async def read_offset(sessions: async_sessionmaker[AsyncSession]) -> dt.timedelta:
    async with sessions() as session:
        seconds = (await session.execute(sa.select(dev_clock.c.offset_seconds))).scalar()
    return dt.timedelta(seconds=seconds or 0.0)


async def write_offset(sessions: async_sessionmaker[AsyncSession], offset: dt.timedelta,
                       actor: str) -> None:
    """Store the offset and apply it to this process at once (others follow within a poll)."""
    values = {"id": 1, "offset_seconds": offset.total_seconds(), "set_by": actor}
    async with sessions() as session:
        await session.execute(insert(dev_clock).values(**values).on_conflict_do_update(
            index_elements=[dev_clock.c.id],
            set_={"offset_seconds": values["offset_seconds"], "set_by": actor,
                  "set_at": sa.func.now()}))
        await session.commit()
    set_clock_offset(offset)


async def follow(sessions: async_sessionmaker[AsyncSession], stop: asyncio.Event) -> None:
    """Keep this process's clock offset equal to the stored one until `stop` is set."""
    while not stop.is_set():
        set_clock_offset(await read_offset(sessions))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), POLL_SECONDS)
