"""The SLA scheduler: every sweep raises the deadline alarms that came due (domain/scheduling.py
says which), opens supervision notices (督办), escalates per policy, closes notices whose
ticket moved on, and closes answered tickets left unrated past their rating window.

Exactly once per ticket, clock, level and deadline — across restarts and with several
schedulers at once — because each alarm is one transition whose step first claims the alarm's
row in `sla_alert` (primary key ticket, clock, level, due): the claim, the history line, the
notice and the events commit together, and a second claim of the same key finds the row and
rolls its transition back. Never after close: the state table refuses alarms on closed tickets.
Each ticket is swept in its own transactions, so one that fails is logged (by id) and skipped.

Escalation by policy is triage's own transition, asked for at every sweep while the ticket's
accept deadline is past level 2 — not only by the sweep that raised the alarm, so the sweep
after a crash between the two completes the move. It escalates only while the ticket still
has that very deadline (checked under its row lock), and escalating gives it a new one, so a
ticket moves up once per overdue deadline however many sweeps ask.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lianxin.kit.ids import uuid7
from lianxin.kit.worker import keep_running
from lianxin.tickets.app.calendar import CalendarSource, load_missing_years
from lianxin.tickets.app.common import SYSTEM_ACTOR, Clock, utcnow
from lianxin.tickets.app.feedback import close_unrated
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import Change, transition
from lianxin.tickets.app.triage import escalate_by_policy
from lianxin.tickets.domain.calendar import WorkCalendar, deadline_day
from lianxin.tickets.domain.errors import DomainError
from lianxin.tickets.domain.events import (
    SupervisionClosed,
    SupervisionOpened,
    TicketDueSoon,
    TicketOverdue,
)
from lianxin.tickets.domain.scheduling import (
    DUE_SOON,
    Alarm,
    due_alarms,
    escalates,
    notice_stands,
    rating_window_over,
    running_clock,
    still_due,
    supervising_path,
)
from lianxin.tickets.domain.sla import DEFAULT_POLICY, SlaPolicy, SupervisionNotice, governing
from lianxin.tickets.domain.sla import Clock as SlaClock
from lianxin.tickets.domain.ticket import Ticket

log = logging.getLogger(__name__)
PAGE = 500
UowFactory = Callable[[], UnitOfWork]
Raised = set[tuple[uuid.UUID, SlaClock, int, dt.datetime]]


@dataclass(slots=True)
class SweepReport:
    """What one sweep did (counts only: no personal data in logs)."""

    tickets: int = 0
    due_soon: int = 0
    overdue: int = 0
    notices_opened: int = 0
    notices_closed: int = 0
    escalated: int = 0
    closed_unrated: int = 0
    failed: int = 0

    @property
    def anything(self) -> bool:
        return any((self.due_soon, self.overdue, self.notices_closed, self.escalated,
                    self.closed_unrated, self.failed))


class _NotRaised(Exception):
    """Raised before or no longer due: roll the alarm's transition back."""


_LABEL = {0: "due soon", 1: "overdue", 2: "overdue for long"}


async def raise_alarm(uow: UnitOfWork, ticket_id: uuid.UUID, alarm: Alarm, policy: SlaPolicy,
                      calendar: WorkCalendar, clock: Clock = utcnow) -> SupervisionNotice | bool:
    """One alarm as one transition: claim, history line, notice and events together.
    False if it was raised before (or no longer holds); the notice for an overdue level."""
    opened: list[SupervisionNotice] = []

    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        if not still_due(ticket, alarm, policy, calendar, now) or not await uow.alerts.claim(
                ticket.id, alarm.clock, alarm.level, alarm.due, now):
            raise _NotRaised
        after = ticket.advance(now)
        details: dict[str, str | int | bool | None] = {
            "clock": alarm.clock.value, "level": alarm.level, "due": alarm.due.isoformat()}
        note = f"{alarm.clock.value} deadline {_LABEL[min(alarm.level, 2)]}"
        if alarm.level == DUE_SOON:
            return Change(after, [TicketDueSoon(after, alarm.clock, alarm.due)], note, details)
        path = supervising_path(ticket.handling_path, alarm.level)
        notice = SupervisionNotice(
            id=uuid7(), ticket_id=ticket.id, clock=alarm.clock, level=alarm.level,
            supervising_unit_id=path[-1], supervising_path=path, due=alarm.due, opened_at=now)
        await uow.notices.add(notice)
        opened.append(notice)
        details |= {"notice_id": str(notice.id), "supervising_unit_id": str(path[-1])}
        return Change(after, [TicketOverdue(after, alarm.clock, alarm.due, alarm.level),
                              SupervisionOpened(after, notice)],
                      note + "; supervision notice (督办) opened", details)

    try:
        await transition(uow, ticket_id, alarm.action, step, SYSTEM_ACTOR, clock=clock)
    except _NotRaised:
        return False
    return opened[0] if opened else True


async def _escalate(uow: UnitOfWork, ticket_id: uuid.UUID, due: dt.datetime,
                    clock: Clock) -> bool:
    try:
        moved = await escalate_by_policy(ticket_id, uow, clock, due)
    except DomainError as exc:
        log.info("ticket %s not escalated by policy: %s", ticket_id, exc.code)
        return False
    # None: escalated before (its accept deadline moved on), at the top, or no longer received
    return moved is not None


async def _close_unrated(uow: UnitOfWork, ticket_id: uuid.UUID, clock: Clock) -> bool:
    try:
        closed = await close_unrated(ticket_id, uow, clock)
    except DomainError:
        return False
    return closed is not None   # None: rated, reopened or closed meanwhile


async def close_stale_notices(uow: UnitOfWork, ticket_id: uuid.UUID, clock: Clock = utcnow) -> int:
    """Close the ticket's open notices whose clock stopped or whose deadline moved."""
    async with uow:
        ticket = await uow.tickets.get_for_update(ticket_id)
        if ticket is None:
            return 0
        now, closed = clock(), 0
        for notice in await uow.notices.open_for_ticket(ticket_id):
            if notice_stands(ticket, notice):
                continue
            done = await uow.notices.close(notice.id, now)
            if done is not None:
                uow.record(SupervisionClosed(ticket, done), occurred_at=now)
                closed += 1
        await uow.commit()
    return closed


async def _sweep_ticket(make_uow: UowFactory, ticket: Ticket, policy: SlaPolicy,
                        calendar: WorkCalendar, clock: Clock, now: dt.datetime,
                        raised_before: Raised,
                        report: SweepReport) -> None:
    alarms = due_alarms(ticket, policy, calendar, now)
    for alarm in alarms:
        if (ticket.id, alarm.clock, alarm.level, alarm.due) in raised_before:
            continue   # spares overdue tickets a locked no-op every sweep
        raised = await raise_alarm(make_uow(), ticket.id, alarm, policy, calendar, clock)
        if raised is False:
            continue
        if alarm.level == DUE_SOON:
            report.due_soon += 1
            continue
        report.overdue += 1
        report.notices_opened += 1
    # After the alarms (the level-2 notice goes above the unit the ticket leaves), whether or
    # not this sweep raised them: a crash after the alarm's commit loses no escalation.
    # A ticket at the top of the tree has nowhere to go: spared the locked no-op.
    for alarm in alarms:
        if escalates(alarm, policy) and len(ticket.handling_path) > 1:
            report.escalated += await _escalate(make_uow(), ticket.id, alarm.due, clock)
    if rating_window_over(ticket, policy, now):
        report.closed_unrated += await _close_unrated(make_uow(), ticket.id, clock)


def _calendar_span(tickets: list[Ticket], policies: list[SlaPolicy],
                   now: dt.datetime) -> tuple[dt.date, dt.date]:
    dues = [r[1].at for r in map(running_clock, tickets) if r is not None] or [now]
    reach = max(p.escalate_after_days for p in policies) * 2 + 30
    return (deadline_day(min(dues)) - dt.timedelta(days=1),
            deadline_day(max(*dues, now)) + dt.timedelta(days=reach))


async def sweep(uow_factory: UowFactory, clock: Clock = utcnow, page: int = PAGE) -> SweepReport:
    """One pass over every ticket with a deadline near or past, `page` tickets per query."""
    now, report = clock(), SweepReport()
    async with uow_factory() as uow:
        policies = await uow.sla_policies.all() or [DEFAULT_POLICY]
        stale = await uow.notices.stale(page)
    for ticket_id in stale:
        try:
            report.notices_closed += await close_stale_notices(uow_factory(), ticket_id, clock)
        except Exception as exc:  # one bad ticket must not block the others
            _failed(report, ticket_id, exc)
    horizon = now + dt.timedelta(hours=max(p.due_soon_hours for p in policies))
    answered_before = now - dt.timedelta(days=min(p.rating_days for p in policies))
    after: uuid.UUID | None = None
    while True:
        async with uow_factory() as uow:
            ids = await uow.alerts.sweep_candidates(horizon, answered_before, after, page)
            tickets = sorted(await uow.tickets.get_many(ids), key=lambda t: t.id)
            calendar = await uow.calendar.load(*_calendar_span(tickets, policies, now))
            raised_before = await uow.alerts.raised(ids)
        report.tickets += len(tickets)
        for ticket in tickets:
            policy = governing(policies, ticket.kind, ticket.category, ticket.urgency)
            try:
                await _sweep_ticket(uow_factory, ticket, policy, calendar, clock, now,
                                    raised_before, report)
            except Exception as exc:
                _failed(report, ticket.id, exc)
        if len(ids) < page:
            return report
        after = ids[-1]


def _failed(report: SweepReport, ticket_id: uuid.UUID, exc: Exception) -> None:
    # The type only: a database error's text may quote the row, personal data included.
    report.failed += 1
    log.error("SLA sweep: ticket %s failed (%s)", ticket_id, type(exc).__name__)


class SlaScheduler:
    """Worker component `sla-scheduler`: load the calendar years the database lacks, then
    sweep every `every_s` seconds until stopped (restarted after a failure)."""

    def __init__(self, uow_factory: UowFactory, source: CalendarSource, every_s: float,
                 clock: Clock = utcnow,
                 before_sweep: Callable[[], Any] | None = None) -> None:
        self._uow_factory, self._source, self._every_s = uow_factory, source, every_s
        self._clock, self._before_sweep = clock, before_sweep

    async def run(self, stop: asyncio.Event) -> None:
        await keep_running("sla-scheduler", self._run_once, stop)

    async def _run_once(self, stop: asyncio.Event) -> None:
        await load_missing_years(self._uow_factory(), self._source, self._clock)
        while not stop.is_set():
            if self._before_sweep is not None:
                await self._before_sweep()
            report = await sweep(self._uow_factory, self._clock)
            if report.anything:
                log.info("SLA sweep: %s", report)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._every_s)
