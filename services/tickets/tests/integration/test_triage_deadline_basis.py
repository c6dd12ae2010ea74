"""Every triage and dispatch step that sets a deadline says in its history line what it counts
from (`due_clock`, `due_start`, `due_days`), so a calendar change computes it again — a
dispatch's provisional handle deadline included, and the one a returned dispatch keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from lianxin.tickets.app import dispatch, triage
from lianxin.tickets.app.calendar import SetCalendarDay, set_calendar_day
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.deadlines import deadline, policy_for
from lianxin.tickets.domain.assignment import DelayOn
from lianxin.tickets.domain.scheduling import DUE_FIELD, deadline_basis
from lianxin.tickets.domain.sla import Clock as SlaClock
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import (
    Channel,
    Deadline,
    Outcome,
    Status,
    Ticket,
)
from lianxin.tickets.domain.triage import AssignmentOrder
from tickets_helpers import GRID, HOUSING, TOWN, VILLAGE, WATER, FakeClock, Uow, china, end_of
from tickets_helpers import add_ticket as store

pytestmark = pytest.mark.integration
VILLAGE_CADRE = Actor("village-cadre", "cadre", frozenset({VILLAGE}))
TOWN_CADRE = Actor("town-cadre", "cadre", frozenset({TOWN}))
WATER_CADRE = Actor("water-cadre", "cadre", frozenset({WATER}))
ADMIN = Actor(subject="admin-1", role="admin")


async def add_ticket(uow: Uow, status: Status = Status.RECEIVED) -> Ticket:
    """A ticket placed at the grid, held by the village."""
    return await store(uow(), org_unit_id=GRID, handling_unit_id=VILLAGE, status=status,
                       submitted_by="village-cadre", recorded_by_staff=True)


async def stored(uow: Uow, t: Ticket) -> tuple[Ticket, list[HistoryEntry]]:
    async with uow() as u:
        [ticket] = await u.tickets.get_many([t.id])
        return ticket, (await u.history.for_tickets([t.id]))[t.id]


async def says_its_basis(uow: Uow, t: Ticket, action: Action, clock: SlaClock,
                         days: int) -> None:
    """The step's history line names the clock, start and working days its deadline counts
    from, and counting them again gives the ticket's deadline."""
    ticket, history = await stored(uow, t)
    entry = history[-1]
    assert entry.action is action
    assert (entry.details["due_clock"], entry.details["due_days"]) == (clock.value, days)
    start = entry.details["due_start"]
    assert isinstance(start, str) and dt.datetime.fromisoformat(start).tzinfo is not None
    due = getattr(ticket, DUE_FIELD[clock])
    async with uow() as u:
        assert await deadline(u, dt.datetime.fromisoformat(start), days) == due
        basis = deadline_basis(ticket, clock, history, await policy_for(u, ticket))
    assert basis == (dt.datetime.fromisoformat(start), days)


async def test_every_step_that_sets_a_deadline_says_what_it_counts_from(uow: Uow) -> None:
    clock = FakeClock(china(2026, 9, 29, 10))
    # accept (handle clock, 10 days) → dispatch with 5 → returned (keeps the dispatch's) →
    # reassigned (default days) → resolved (feedback clock, 3 days)
    t = await add_ticket(uow)
    await triage.accept_ticket(triage.AcceptTicket(t.id), uow(), VILLAGE_CADRE, clock)
    await says_its_basis(uow, t, Action.ACCEPT, SlaClock.HANDLE, 10)
    await dispatch.dispatch_ticket(dispatch.DispatchTicket(
        t.id, AssignmentOrder(HOUSING, "李四", "恢复供水", due_working_days=5),
        (AssignmentOrder(WATER, "王五", "协助", due_working_days=8),)), uow(), VILLAGE_CADRE,
        clock.at(2026, 9, 30, 10))
    await says_its_basis(uow, t, Action.DISPATCH, SlaClock.HANDLE, 5)   # the lead's days
    _, history = await stored(uow, t)
    dispatched = history[-1].details
    async with uow() as u:
        [lead, _] = (await u.assignments.for_tickets([t.id]))[t.id]
    await dispatch.return_dispatch(dispatch.ReturnDispatch(t.id, lead.id, "非本部门职责"), uow(),
                                   Actor("housing-cadre", "cadre", frozenset({HOUSING})),
                                   clock.at(2026, 10, 9, 10))
    await says_its_basis(uow, t, Action.RETURN, SlaClock.HANDLE, 5)
    _, history = await stored(uow, t)
    assert history[-1].details["due_start"] == dispatched["due_start"]
    await dispatch.reassign_ticket(dispatch.ReassignTicket(
        t.id, DelayOn.DISPATCHER, AssignmentOrder(WATER, "王五", "恢复供水")), uow(),
        VILLAGE_CADRE, clock.at(2026, 10, 12, 10))
    await says_its_basis(uow, t, Action.REASSIGN, SlaClock.HANDLE, 10)
    await dispatch.resolve_ticket(dispatch.ResolveTicket(t.id, Outcome.SOLVED, "已恢复供水"),
                                  uow(), WATER_CADRE, clock.at(2026, 10, 13, 10))
    await says_its_basis(uow, t, Action.RESOLVE, SlaClock.FEEDBACK, 3)

    # escalated while received: the parent's accept clock (1 day)
    received = await add_ticket(uow)
    await triage.escalate_ticket(triage.EscalateTicket(received.id, "需镇里协调"), uow(),
                                 VILLAGE_CADRE, clock.at(2026, 9, 30, 10))
    await says_its_basis(uow, received, Action.ESCALATE, SlaClock.ACCEPT, 1)
    # escalated once accepted: the parent's handle clock; handled there; explained
    accepted = await add_ticket(uow, Status.ACCEPTED)
    await triage.escalate_ticket(triage.EscalateTicket(accepted.id, "需镇里协调"), uow(),
                                 VILLAGE_CADRE, clock)
    await says_its_basis(uow, accepted, Action.ESCALATE, SlaClock.HANDLE, 10)
    await triage.handle_ticket_here(triage.HandleTicketHere(
        accepted.id, "赵六", "协调供水", due_working_days=4), uow(), TOWN_CADRE,
        clock.at(2026, 10, 8, 10))
    await says_its_basis(uow, accepted, Action.HANDLE_HERE, SlaClock.HANDLE, 4)
    await triage.explain_ticket(triage.ExplainTicket(accepted.id, "已纳入明年计划",
                                                     Channel.HOTLINE), uow(), TOWN_CADRE,
                                clock.at(2026, 10, 9, 10))
    await says_its_basis(uow, accepted, Action.EXPLAIN, SlaClock.FEEDBACK, 3)
    # resolved on the spot: the feedback clock
    spot = await add_ticket(uow)
    await triage.resolve_on_the_spot(triage.ResolveOnTheSpot(spot.id, "当场疏通了水管"), uow(),
                                     VILLAGE_CADRE, clock.at(2026, 9, 30, 10))
    await says_its_basis(uow, spot, Action.RESOLVE_ON_SPOT, SlaClock.FEEDBACK, 3)


async def test_a_provisional_dispatch_deadline_is_recomputed_when_a_2027_day_is_set(
        uow: Uow) -> None:
    # Dispatched on Mon Dec 28 2026 with 5 working days: Dec 29, 30, 31, then Fri Jan 1 and
    # Mon Jan 4 2027 — a year nobody loaded yet, counted Monday–Friday (provisional).
    clock = FakeClock(china(2026, 12, 28, 10))
    order = AssignmentOrder(WATER, "李四", "恢复供水", due_working_days=5)
    kept, returned = await add_ticket(uow, Status.ACCEPTED), await add_ticket(uow, Status.ACCEPTED)
    for t in (kept, returned):
        await dispatch.dispatch_ticket(dispatch.DispatchTicket(t.id, order), uow(), TOWN_CADRE,
                                       clock)
        assert (await stored(uow, t))[0].handle_due == Deadline(end_of(2027, 1, 4), True)
    # The department sends one back: the ticket keeps the dispatch's deadline.
    async with uow() as u:
        [lead] = (await u.assignments.for_tickets([returned.id]))[returned.id]
    await dispatch.return_dispatch(dispatch.ReturnDispatch(returned.id, lead.id, "非本部门职责"),
                                   uow(), WATER_CADRE, clock.at(2026, 12, 29, 10))

    # An admin sets New Year's Day 2027 a holiday: the year is known now (weekdays and that
    # holiday), so both deadlines move one working day later and stop being provisional.
    change = await set_calendar_day(SetCalendarDay(dt.date(2027, 1, 1), workday=False,
                                                   name="元旦"), uow(), ADMIN,
                                    clock.at(2026, 12, 30, 10))
    assert change.recomputed == 2
    for t in (kept, returned):
        ticket, history = await stored(uow, t)
        assert ticket.handle_due == Deadline(end_of(2027, 1, 5))
        assert history[-1].action is Action.RECOMPUTE_DEADLINES
        assert history[-1].details["previous_due"] == end_of(2027, 1, 4).isoformat()
    # The kept ticket's lead assignment moves with it; the returned one's stays as it was.
    async with uow() as u:
        [lead_kept] = (await u.assignments.for_tickets([kept.id]))[kept.id]
        [lead_returned] = (await u.assignments.for_tickets([returned.id]))[returned.id]
    assert lead_kept.due == Deadline(end_of(2027, 1, 5))
    assert lead_returned.due == Deadline(end_of(2027, 1, 4), True)
