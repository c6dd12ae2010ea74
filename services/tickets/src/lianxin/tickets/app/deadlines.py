"""Deadlines from the working-day calendar in the database and the governing SLA policy."""

from __future__ import annotations

import datetime as dt

from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.calendar import CHINA, WorkCalendar
from lianxin.tickets.domain.scheduling import deadline_basis
from lianxin.tickets.domain.sla import Clock as SlaClock
from lianxin.tickets.domain.sla import SlaPolicy, governing
from lianxin.tickets.domain.ticket import Deadline, Ticket


async def calendar_for(uow: UnitOfWork, start: dt.datetime, working_days: int) -> WorkCalendar:
    """The calendar from `start` far enough ahead for `working_days` (Spring Festival and
    National Day weeks included)."""
    day = start.astimezone(CHINA).date()
    return await uow.calendar.load(day - dt.timedelta(days=1),
                                   day + dt.timedelta(days=working_days * 2 + 30))


async def deadline(uow: UnitOfWork, start: dt.datetime, working_days: int) -> Deadline:
    """End of the `working_days`-th working day after `start` (provisional past the known years)."""
    cal = await calendar_for(uow, start, working_days)
    return cal.add_working_days(start, working_days)


async def handling_days(uow: UnitOfWork, ticket: Ticket, resolved_at: dt.datetime) -> float:
    """Working days from the ticket's submission to `resolved_at` (its handling time), counted
    on the calendar like a returned dispatch's held time."""
    cal = await uow.calendar.load(ticket.submitted_at.astimezone(CHINA).date(),
                                  resolved_at.astimezone(CHINA).date())
    return cal.working_days_between(ticket.submitted_at, resolved_at)


async def policy_for(uow: UnitOfWork, ticket: Ticket) -> SlaPolicy:
    return governing(await uow.sla_policies.all(), ticket.kind, ticket.category, ticket.urgency)


async def basis_of(uow: UnitOfWork, ticket: Ticket,
                   clock: SlaClock) -> tuple[dt.datetime, int] | None:
    """(start, working days) the ticket's `clock` deadline counts from — from its history, else
    its policy — or None when nobody knows."""
    history = (await uow.history.for_tickets([ticket.id])).get(ticket.id, [])
    return deadline_basis(ticket, clock, history, await policy_for(uow, ticket))
