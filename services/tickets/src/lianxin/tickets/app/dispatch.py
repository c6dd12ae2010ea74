"""Dispatch (派单, 压实责任) and what the departments do with it: the handling unit sends an
accepted ticket to a lead department plus co-handling departments, each with a responsible
person, task, completion standard and deadline; the lead may return it (退单) with a reason and
the dispatcher reassigns it (改派) saying whose delay it was; the lead starts, co-handlers
complete their tasks, and the lead resolves (办结) once every co-handling task is done.

Who may act: dispatching and reassigning take staff of the unit handling the ticket; returning
takes staff of the lead department. Starting, completing a task and resolving take staff of the
department concerned — or of the handling unit, which may record the step on the department's
behalf (a department that reported at the township office or cannot use the system); the
history keeps who did it.

Assignment rows change only inside the ticket's transition, under its row lock, so the two
never disagree."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from lianxin.kit.ids import uuid7
from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.deadlines import basis_of, calendar_for, handling_days, policy_for
from lianxin.tickets.app.handling import (
    assignments_of,
    require_handler,
    require_handler_or,
    unit_name,
)
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import Change, transition
from lianxin.tickets.app.triage import Basis, due_basis, due_note, resolution_fields
from lianxin.tickets.domain import triage as rules
from lianxin.tickets.domain.assignment import Assignment, DelayOn
from lianxin.tickets.domain.calendar import CHINA
from lianxin.tickets.domain.errors import IllegalTransition
from lianxin.tickets.domain.events import (
    AssignmentCompleted,
    Event,
    TicketDispatched,
    TicketDispatchReturned,
    TicketReassigned,
    TicketResolved,
    TicketStarted,
)
from lianxin.tickets.domain.sla import Clock as SlaClock
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Outcome, Status, Ticket
from lianxin.tickets.domain.triage import AssignmentOrder


@dataclass(frozen=True, slots=True)
class DispatchTicket:
    ticket_id: uuid.UUID
    lead: AssignmentOrder
    co_handlers: tuple[AssignmentOrder, ...] = ()
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ReturnDispatch:
    ticket_id: uuid.UUID
    assignment_id: uuid.UUID
    reason: str
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ReassignTicket:
    ticket_id: uuid.UUID
    delay_on: DelayOn
    lead: AssignmentOrder
    co_handlers: tuple[AssignmentOrder, ...] = ()
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class StartTicket:
    ticket_id: uuid.UUID
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class CompleteTask:
    ticket_id: uuid.UUID
    assignment_id: uuid.UUID
    report: str
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ResolveTicket:
    ticket_id: uuid.UUID
    outcome: Outcome
    report: str
    request_id: uuid.UUID | None = None


async def _kept_basis(uow: UnitOfWork, ticket: Ticket) -> Basis:
    """What the handle deadline a step keeps counts from, repeated in the step's history line
    (a RETURN keeps the dispatch's deadline; without this a later calendar change could no
    longer recompute it). Empty when nobody knows."""
    basis = await basis_of(uow, ticket, SlaClock.HANDLE)
    return {} if basis is None else due_basis(SlaClock.HANDLE, *basis)


async def _send(ticket: Ticket, uow: UnitOfWork, now: dt.datetime, actor: Actor,
                lead: AssignmentOrder, co: Sequence[AssignmentOrder],
                replaces: Assignment | None
                ) -> tuple[Ticket, list[Event], str, dict[str, str | int]]:
    """New assignments for the lead and co-handlers; the ticket ASSIGNED with the lead's
    deadline and the departments among its involved units (so they see it). The details say
    what that deadline counts from (the lead's start and working days)."""
    require_handler(actor, ticket)
    ids = [lead.department_id, *(o.department_id for o in co)]
    units = {u.id: u for u in await uow.org_units.get_many(ids)}
    checked = rules.check_dispatch(lead, co, units)
    policy = await policy_for(uow, ticket)
    days = [c.order.due_working_days or policy.handle_days for c in checked]
    calendar = await calendar_for(uow, now, max(days))
    # Ascending ids keep the lead first when assignments are listed (by time, then id).
    new_ids = sorted(uuid7() for _ in checked)
    made = [rules.new_assignment(c, assignment_id=i, ticket=ticket,
                                 due=calendar.add_working_days(now, n), now=now,
                                 by=actor.subject, replaces_id=replaces.id if replaces else None)
            for c, i, n in zip(checked, new_ids, days, strict=True)]
    for a in made:
        await uow.assignments.add(a)
    after = ticket.advance(now, status=Status.ASSIGNED, handle_due=made[0].due,
                           involved_units=tuple(dict.fromkeys(
                               (*ticket.involved_units, *(a.department_id for a in made)))))
    events: list[Event] = [TicketDispatched(after, a) for a in made]
    co_names = "、".join(c.unit.name for c in checked[1:])
    note = (f"dispatched to {checked[0].unit.name} (lead"
            + (f"; co-handling: {co_names}" if co_names else "")
            + f"), due {due_note(made[0].due)}")
    details: dict[str, str | int] = {
        "assignment_ids": ",".join(str(a.id) for a in made),
        "department_ids": ",".join(str(a.department_id) for a in made),
        "due": made[0].due.at.isoformat(), **due_basis(SlaClock.HANDLE, now, days[0])}
    return after, events, note, details


async def dispatch_ticket(cmd: DispatchTicket, uow: UnitOfWork, actor: Actor,
                          clock: Clock = utcnow) -> Ticket:
    """派单: an ACCEPTED ticket to a lead department and any co-handling departments, each with
    a responsible person, task, standard and deadline (default: the policy's handle_days)."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        after, events, note, details = await _send(ticket, uow, now, actor, cmd.lead,
                                                   cmd.co_handlers, None)
        return Change(after, events, note=note, details=details)

    return await transition(uow, cmd.ticket_id, Action.DISPATCH, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def return_dispatch(cmd: ReturnDispatch, uow: UnitOfWork, actor: Actor,
                          clock: Clock = utcnow) -> Ticket:
    """退单: the lead department sends the dispatch back with a reason (not its remit, wrong
    place …); the ticket is ACCEPTED again at the dispatcher, every open assignment of the
    dispatch RETURNED. Only the lead department's staff may return it."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        assignments = await assignments_of(uow, ticket)
        lead = rules.assignment_of(ticket, assignments, cmd.assignment_id)
        actor.require_at(lead.department_path, "returning this dispatch")
        reason = rules.text(cmd.reason, "the reason for returning it", "reason")
        rules.returnable(ticket, lead)
        back = rules.returned(assignments, now, reason)
        for a in back:
            await uow.assignments.save(a)
        [lead_back] = [a for a in back if a.id == lead.id]
        # Held time counts working time only (a dispatch returned after National Day week
        # was not held for seven days).
        calendar = await uow.calendar.load(lead.assigned_at.astimezone(CHINA).date(),
                                           now.astimezone(CHINA).date())
        held = calendar.working_days_between(lead.assigned_at, now)
        after = ticket.advance(now, status=Status.ACCEPTED)
        name = await unit_name(uow, lead.department_id)
        return Change(after, [TicketDispatchReturned(after, lead_back, held)],
                      note=f"returned by {name} after {held:g} working days: {reason}",
                      details={"assignment_id": str(lead.id),
                               "department_id": str(lead.department_id),
                               "held_working_days": held, **await _kept_basis(uow, ticket)})

    return await transition(uow, cmd.ticket_id, Action.RETURN, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def reassign_ticket(cmd: ReassignTicket, uow: UnitOfWork, actor: Actor,
                          clock: Clock = utcnow) -> Ticket:
    """改派: dispatch a returned ticket again, attributing the delay (DISPATCHER: it went to the
    wrong department; DEPARTMENT: returned without good reason). The new assignments name the
    returned lead assignment they replace."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        require_handler(actor, ticket)
        returned = rules.awaiting_reassignment(ticket, await assignments_of(uow, ticket))
        returned = rules.with_delay(returned, cmd.delay_on)
        await uow.assignments.save(returned)
        after, events, note, details = await _send(ticket, uow, now, actor, cmd.lead,
                                                   cmd.co_handlers, returned)
        return Change(after, [TicketReassigned(after, returned, cmd.delay_on), *events],
                      note=f"reassigned (delay on the {cmd.delay_on.value}): {note}",
                      details={**details, "replaces_id": str(returned.id),
                               "delay_on": cmd.delay_on.value})

    return await transition(uow, cmd.ticket_id, Action.REASSIGN, step, actor,
                            request_id=cmd.request_id, clock=clock)


def _responsible(ticket: Ticket, assignments: Sequence[Assignment], action: str) -> Assignment:
    lead = rules.responsible(assignments)
    if lead is None:
        raise IllegalTransition(f"ticket {ticket.code} has no lead or local assignment to "
                                f"{action.lower()}", field="ticketId", status=ticket.status.name,
                                action=action)
    return lead


async def start_ticket(cmd: StartTicket, uow: UnitOfWork, actor: Actor,
                       clock: Clock = utcnow) -> Ticket:
    """The lead department (or the handling unit, for work handled here) starts handling an
    ASSIGNED ticket: the ticket and the lead's assignment go IN_PROGRESS. The handling unit's
    staff may record the start on the department's behalf."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        lead = _responsible(ticket, await assignments_of(uow, ticket), "START")
        require_handler_or(actor, ticket, lead, "starting the work of")
        lead = rules.started(lead, now)
        await uow.assignments.save(lead)
        after = ticket.advance(now, status=Status.IN_PROGRESS)
        return Change(after, [TicketStarted(after, lead)], note="handling started",
                      details={"assignment_id": str(lead.id),
                               "department_id": str(lead.department_id)})

    return await transition(uow, cmd.ticket_id, Action.START, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def complete_task(cmd: CompleteTask, uow: UnitOfWork, actor: Actor,
                        clock: Clock = utcnow) -> Ticket:
    """A co-handling department finishes its part (协办完成) with a report; the ticket's state
    does not change. The handling unit's staff may record it on the department's behalf."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        task = rules.assignment_of(ticket, await assignments_of(uow, ticket), cmd.assignment_id)
        require_handler_or(actor, ticket, task, "this co-handling task of")
        report = rules.text(cmd.report, "the report of what was done", "report")
        task = rules.completed(ticket, task, now, report)
        await uow.assignments.save(task)
        on_time = rules.on_time(task.due, now)
        name = await unit_name(uow, task.department_id)
        after = ticket.advance(now)
        return Change(after, [AssignmentCompleted(after, task, on_time)],
                      note=f"{name} completed its co-handling task"
                           + ("" if on_time else " (late)"),
                      details={"assignment_id": str(task.id),
                               "department_id": str(task.department_id), "on_time": on_time})

    return await transition(uow, cmd.ticket_id, Action.COMPLETE_TASK, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def resolve_ticket(cmd: ResolveTicket, uow: UnitOfWork, actor: Actor,
                         clock: Clock = utcnow) -> Ticket:
    """办结: the lead department (or the handling unit, for work handled here or on the
    department's behalf) resolves the ticket with an outcome (SOLVED or PARTIALLY_SOLVED) and
    a report, once every co-handling task is done. The feedback clock starts."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        assignments = await assignments_of(uow, ticket)
        lead = rules.responsible(assignments)
        require_handler_or(actor, ticket, lead, "resolving the work of")
        report = rules.text(cmd.report, "the report of what was done", "report")
        open_co = rules.open_co_tasks(assignments)
        names = {u.id: u.name for u in await uow.org_units.get_many(
            [a.department_id for a in open_co])}
        rules.check_resolution(ticket, cmd.outcome, open_co, names)
        if lead is not None and lead.active:
            await uow.assignments.save(rules.done(lead, now, report))
        fields, basis = await resolution_fields(uow, ticket, now, cmd.outcome, report)
        after = ticket.advance(now, **fields)
        on_time = rules.on_time(ticket.handle_due, now)
        days = await handling_days(uow, ticket, now)
        return Change(after, [TicketResolved(after, on_time, days)],
                      note=f"resolved ({cmd.outcome.name})" + ("" if on_time else ", late"),
                      details={"outcome": cmd.outcome.value, "on_time": on_time,
                               "assignment_id": str(lead.id) if lead else None, **basis})

    return await transition(uow, cmd.ticket_id, Action.RESOLVE, step, actor,
                            request_id=cmd.request_id, clock=clock)
