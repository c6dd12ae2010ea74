"""The worker's `overdue-gauge` component: how many open tickets are past a running deadline,
as the `lianxin_tickets_overdue_open` gauge (the SLA dashboard's headline number)."""

from __future__ import annotations

import asyncio
import contextlib

import sqlalchemy as sa
from lianxin.kit.metrics import TICKETS_OVERDUE_OPEN
from lianxin.kit.worker import keep_running
from lianxin.tickets.adapters.reads import overdue
from lianxin.tickets.adapters.tables import ticket
from lianxin.tickets.app.common import utcnow
from lianxin.tickets.domain.ticket import OPEN_STATUSES
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Counting is one indexed query; a minute-old number is fresh enough for an SLA panel.
INTERVAL_S = 30.0


async def count_overdue_open(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Open tickets whose running clock is past its deadline now (the service clock, which a
    dev stack may have moved), also set as the gauge."""
    query = sa.select(sa.func.count()).select_from(ticket).where(
        ticket.c.status.in_([s.value for s in OPEN_STATUSES]), overdue(utcnow()))
    async with sessions() as session:
        count = int((await session.execute(query)).scalar_one())
    TICKETS_OVERDUE_OPEN.set(count)
    return count


class OverdueGauge:
    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 interval_s: float = INTERVAL_S) -> None:
        self._sessions = sessions
        self._interval_s = interval_s

    async def run(self, stop: asyncio.Event) -> None:
        await keep_running("overdue gauge", self._loop, stop)

    async def _loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await count_overdue_open(self._sessions)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval_s)
