"""The worker's `sla-scheduler` component, wired to the database and the calendar package."""

from __future__ import annotations

from lianxin.kit.settings import KitSettings, PiiConfig
from lianxin.tickets.adapters import dev_clock
from lianxin.tickets.adapters.calendar_source import PackageCalendar
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.common import set_clock_offset
from lianxin.tickets.app.scheduler import SlaScheduler
from lianxin.tickets.settings import TicketsSettings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def sla_scheduler(settings: KitSettings, sessions: async_sessionmaker[AsyncSession],
                  pii: PiiConfig) -> SlaScheduler:
    """Loads missing calendar years at start, then sweeps every LIANXIN_SLA_SWEEP_SECONDS.
    Outside production it first takes up the service clock an admin moved (setServiceClock),
    so deadlines pass for the scheduler as they do for the API."""
    every = settings.sla_sweep_seconds if isinstance(settings, TicketsSettings) else 60.0

    async def follow_dev_clock() -> None:
        set_clock_offset(await dev_clock.read_offset(sessions))

    return SlaScheduler(lambda: TicketsUnitOfWork(sessions, pii), PackageCalendar(), every,
                        before_sweep=None if settings.environment == "production"
                        else follow_dev_clock)
