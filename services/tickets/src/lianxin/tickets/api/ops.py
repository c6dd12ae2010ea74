"""Operators' tools: the service clock (time travel in dev and test stacks only) and running the
SLA sweep now."""

from __future__ import annotations

import datetime as dt

import strawberry
from lianxin.kit.errors import Forbidden
from lianxin.tickets.adapters import dev_clock
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.api.common import GqlInfo
from lianxin.tickets.app.common import utcnow
from lianxin.tickets.app.scheduler import sweep
from strawberry.tools import merge_types


@strawberry.type(description="The tickets service's clock: real time plus the offset an admin "
                             "set in a dev or test stack (always zero in production)")
class ServiceClock:
    now: dt.datetime
    offset_seconds: float


def _clock() -> ServiceClock:
    now = utcnow()
    return ServiceClock(now=now, offset_seconds=round(
        (now - dt.datetime.now(dt.UTC)).total_seconds()))


@strawberry.type
class Query:
    @strawberry.field(description="What time the tickets service thinks it is")
    def service_clock(self, info: GqlInfo) -> ServiceClock:
        info.context.require()
        return _clock()


@strawberry.type
class ClockMutation:
    @strawberry.mutation(description="Dev and test stacks only (admin): move the tickets "
                         "service's clock (API and scheduler) to `at`, so deadlines can pass "
                         "without waiting. Refused in production.")
    async def set_service_clock(self, info: GqlInfo, at: dt.datetime) -> ServiceClock:
        principal = info.context.require("admin")
        if info.context.resources.settings.environment == "production":
            raise Forbidden("the service clock cannot be moved in production")
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        await dev_clock.write_offset(info.context.resources.sessions,
                                     at - dt.datetime.now(dt.UTC), principal.subject)
        return _clock()


@strawberry.type(description="What one SLA sweep did (counts)")
class SweepResult:
    tickets: int
    due_soon: int
    overdue: int
    notices_opened: int
    notices_closed: int
    escalated: int
    closed_unrated: int
    failed: int


@strawberry.type
class SweepMutation:
    @strawberry.mutation(description="Run the SLA scheduler's sweep now (admin): due-soon and "
                         "overdue alarms, supervision notices, escalation and unrated closes, "
                         "exactly as the worker does every LIANXIN_SLA_SWEEP_SECONDS.")
    async def run_sla_sweep(self, info: GqlInfo) -> SweepResult:
        info.context.require("admin")
        resources = info.context.resources
        assert resources.pii is not None
        pii = resources.pii
        report = await sweep(lambda: TicketsUnitOfWork(resources.sessions, pii))
        return SweepResult(**{f: getattr(report, f) for f in SweepResult.__annotations__})


Mutation = merge_types("Mutation", (ClockMutation, SweepMutation))
TYPES: list[type] = []
