"""Triage (研判分拣) at the unit handling a ticket: accept it, solve it on the spot (快办快结),
handle it at this level (本级办理), escalate it to the parent unit (上报), or explain an
unreasonable or already-decided demand (outcome EXPLAINED, never dropped). Dispatch to
departments and what departments do with it live in app/dispatch.py.

Every step is a `transition` of the ticket (row-locked, state-checked, one history line, events
in the same commit); a retry with the same request id returns the ticket as it is. The acting
staff must work at the unit handling the ticket (or above it); explaining may also be done by
the department answering for the ticket."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from lianxin.kit.ids import uuid7
from lianxin.tickets.app.common import SYSTEM_ACTOR, Actor, Clock, utcnow
from lianxin.tickets.app.deadlines import deadline, handling_days, policy_for
from lianxin.tickets.app.handling import assignments_of, require_handler, require_handler_or
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import Change, Step, transition
from lianxin.tickets.domain import triage as rules
from lianxin.tickets.domain.assignment import Role
from lianxin.tickets.domain.calendar import deadline_text
from lianxin.tickets.domain.errors import IllegalTransition, UnknownOrgUnit
from lianxin.tickets.domain.events import (
    TicketAccepted,
    TicketAnswered,
    TicketDispatched,
    TicketEscalated,
    TicketResolved,
)
from lianxin.tickets.domain.scheduling import running_clock
from lianxin.tickets.domain.sla import Clock as SlaClock
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Channel, Deadline, OrgUnitRef, Outcome, Status, Ticket

Basis = dict[str, str | int]


@dataclass(frozen=True, slots=True)
class AcceptTicket:
    ticket_id: uuid.UUID
    note: str = ""
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ResolveOnTheSpot:
    ticket_id: uuid.UUID
    report: str
    outcome: Outcome = Outcome.SOLVED
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class HandleTicketHere:
    ticket_id: uuid.UUID
    responsible_name: str
    task: str
    responsible_cadre_id: uuid.UUID | None = None
    standard: str | None = None
    due_working_days: int | None = None
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class EscalateTicket:
    ticket_id: uuid.UUID
    reason: str
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ExplainTicket:
    ticket_id: uuid.UUID
    reply: str
    channel: Channel
    request_id: uuid.UUID | None = None


def due_note(due: Deadline) -> str:
    """A deadline as people read it: "the end of 2026-10-19" for a working-day deadline."""
    return deadline_text(due.at) + (" (provisional)" if due.provisional else "")


def due_basis(clock: SlaClock, start: dt.datetime, working_days: int) -> Basis:
    """History details saying what a deadline set by the step counts from (`working_days`
    working days after `start`, on `clock`), so a calendar change can compute it again
    (domain/scheduling.py `deadline_basis`)."""
    return {"due_clock": clock.value, "due_start": start.isoformat(), "due_days": working_days}


async def handling_unit(uow: UnitOfWork, ticket: Ticket) -> OrgUnitRef:
    unit = await uow.org_units.get(ticket.handling_unit_id)
    if unit is None:
        raise UnknownOrgUnit(f"org unit {ticket.handling_unit_id} handling ticket {ticket.code} "
                             "is not in the org read model yet; try again shortly",
                             field="ticketId")
    return unit


async def resolution_fields(uow: UnitOfWork, ticket: Ticket, now: dt.datetime, outcome: Outcome,
                            report: str) -> tuple[dict[str, object], Basis]:
    """What every resolution sets: the outcome, the report, when, and the feedback deadline;
    and the history details saying what that deadline counts from. A pause ends with it (the
    feedback clock must run, or its alarms would never come)."""
    policy = await policy_for(uow, ticket)
    fields: dict[str, object] = {
        "status": Status.RESOLVED, "outcome": outcome, "resolution": report, "resolved_at": now,
        "paused_at": None,
        "feedback_due": await deadline(uow, now, policy.feedback_days)}
    return fields, due_basis(SlaClock.FEEDBACK, now, policy.feedback_days)


async def accept_ticket(cmd: AcceptTicket, uow: UnitOfWork, actor: Actor,
                        clock: Clock = utcnow) -> Ticket:
    """受理: the handling unit takes the ticket on; the plan / report-up clock starts
    (handle_due: the policy's handle_days working days, 10 by default)."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        require_handler(actor, ticket)
        note = rules.optional_text(cmd.note, "the note", "note")
        policy = await policy_for(uow, ticket)
        due = await deadline(uow, now, policy.handle_days)
        after = ticket.advance(now, status=Status.ACCEPTED, handle_due=due)
        return Change(after, [TicketAccepted(after)],
                      note=note or f"accepted; plan or report up by {due_note(due)}",
                      details={"handle_due": due.at.isoformat(),
                               **due_basis(SlaClock.HANDLE, now, policy.handle_days)})

    return await transition(uow, cmd.ticket_id, Action.ACCEPT, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def resolve_on_the_spot(cmd: ResolveOnTheSpot, uow: UnitOfWork, actor: Actor,
                              clock: Clock = utcnow) -> Ticket:
    """快办快结: solved on the spot by the handling unit and reported, from RECEIVED or
    ACCEPTED; always on time."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        require_handler(actor, ticket)
        report = rules.text(cmd.report, "the report of what was done", "report")
        rules.check_resolution(ticket, cmd.outcome, [], {})
        fields, basis = await resolution_fields(uow, ticket, now, cmd.outcome, report)
        after = ticket.advance(now, on_the_spot=True, **fields)
        days = await handling_days(uow, ticket, now)
        return Change(after, [TicketResolved(after, on_time=True, handling_working_days=days)],
                      note=f"resolved on the spot ({cmd.outcome.name})",
                      details={"outcome": cmd.outcome.value, "on_the_spot": True, **basis})

    return await transition(uow, cmd.ticket_id, Action.RESOLVE_ON_SPOT, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def handle_ticket_here(cmd: HandleTicketHere, uow: UnitOfWork, actor: Actor,
                             clock: Clock = utcnow) -> Ticket:
    """本级办理: the handling unit keeps the ticket and handles it itself — a LOCAL assignment
    on its own unit with a responsible person, task, standard and deadline."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        require_handler(actor, ticket)
        unit = await handling_unit(uow, ticket)
        checked = rules.check_order(rules.AssignmentOrder(
            unit.id, cmd.responsible_name, cmd.task, cmd.responsible_cadre_id, cmd.standard,
            cmd.due_working_days), unit, Role.LOCAL)
        days = cmd.due_working_days or (await policy_for(uow, ticket)).handle_days
        due = await deadline(uow, now, days)
        assignment = rules.new_assignment(checked, assignment_id=uuid7(), ticket=ticket, due=due,
                                          now=now, by=actor.subject)
        await uow.assignments.add(assignment)
        after = ticket.advance(now, status=Status.ASSIGNED, handle_due=due)
        return Change(after, [TicketDispatched(after, assignment)],
                      note=f"handled here by {unit.name}; due {due_note(due)}",
                      details={"assignment_id": str(assignment.id), "due": due.at.isoformat(),
                               **due_basis(SlaClock.HANDLE, now, days)})

    return await transition(uow, cmd.ticket_id, Action.HANDLE_HERE, step, actor,
                            request_id=cmd.request_id, clock=clock)


def _escalation(actor: Actor, reason: str | None) -> Step:
    """The escalation step; `reason` None: by policy (the scheduler, no reason asked)."""
    by_policy = reason is None

    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        if reason is None:
            why = "overdue under the SLA policy"
        else:
            require_handler(actor, ticket)
            why = rules.text(reason, "the reason for escalating", "reason")
        unit = await uow.org_units.get(ticket.handling_unit_id)
        parent = await uow.org_units.get(unit.parent_id) if unit and unit.parent_id else None
        target = rules.escalation_target(ticket, unit, parent)
        assignments = await assignments_of(uow, ticket)
        for a in rules.escalation_cancels(ticket, assignments):
            await uow.assignments.save(rules.cancelled(a, now))
        status = rules.status_after_escalation(ticket)
        # The receiving unit gets its own clock: to accept, or to plan or report up again.
        policy = await policy_for(uow, ticket)
        received = status is Status.RECEIVED
        clock_days = policy.accept_days if received else policy.handle_days
        due = await deadline(uow, now, clock_days)
        fresh = {"accept_due": due} if received else {"handle_due": due}
        # The receiving unit starts its own clock: a pause at the unit below ends here.
        after = ticket.advance(now, status=status, handling_unit_id=target.id,
                               handling_path=target.path, paused_at=None, **fresh)
        source = unit.name if unit else str(ticket.handling_unit_id)
        return Change(after, [TicketEscalated(after, ticket.handling_unit_id, by_policy)],
                      note=f"escalated from {source} to {target.name}: {why}",
                      details={"from_unit_id": str(ticket.handling_unit_id),
                               "to_unit_id": str(target.id), "by_policy": by_policy,
                               **due_basis(SlaClock.ACCEPT if received else SlaClock.HANDLE,
                                           now, clock_days)})
    return step


async def escalate_ticket(cmd: EscalateTicket, uow: UnitOfWork, actor: Actor,
                          clock: Clock = utcnow) -> Ticket:
    """上报: beyond this level, the ticket moves to the parent unit (grid → village → township →
    county), with a reason. Allowed while nobody below holds it: work handled here (LOCAL) is
    cancelled; a ticket with a department must be returned first. A received ticket arrives
    received (the parent accepts it), any other arrives accepted; the receiving unit's clock
    starts afresh."""
    return await transition(uow, cmd.ticket_id, Action.ESCALATE,
                            _escalation(actor, cmd.reason), actor,
                            request_id=cmd.request_id, clock=clock)


class _NotDue(Exception):
    """The overdue accept deadline the escalation was asked for is no longer the ticket's."""


async def escalate_by_policy(ticket_id: uuid.UUID, uow: UnitOfWork, clock: Clock,
                             expected_due: dt.datetime) -> Ticket | None:
    """The SLA scheduler's escalation of a ticket overdue on its accept clock, as the system:
    the ticket after it, or None, with nothing written, when it cannot move up (already at the
    top, or its state no longer allows it) or is no longer due to — checked under the row lock:
    it must still be received (unpaused) with `accept_due` at `expected_due`. Escalating gives
    the ticket a fresh accept deadline, so asking twice for the same deadline (a sweep after a
    crash, two schedulers at once) moves it up once."""
    def still_overdue(ticket: Ticket) -> bool:
        running = running_clock(ticket)
        return (running is not None and running[0] is SlaClock.ACCEPT
                and running[1].at == expected_due and ticket.paused_at is None)

    inner = _escalation(SYSTEM_ACTOR, None)

    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        if not still_overdue(ticket):
            raise _NotDue
        return await inner(ticket, uow, now)

    try:
        return await transition(uow, ticket_id, Action.ESCALATE, step, SYSTEM_ACTOR,
                                clock=clock)
    except (_NotDue, IllegalTransition):
        return None


async def explain_ticket(cmd: ExplainTicket, uow: UnitOfWork, actor: Actor,
                         clock: Clock = utcnow) -> Ticket:
    """Explain an unreasonable or already-decided demand: RESOLVED with outcome EXPLAINED; the
    reply (required) is also the answer to the resident. Work in progress is cancelled. The
    handling unit's staff may explain, and so may the department answering for the ticket."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        assignments = await assignments_of(uow, ticket)
        require_handler_or(actor, ticket, rules.answering(assignments), "explaining")
        reply = rules.text(cmd.reply, "the reply to the resident", "reply")
        for a in assignments:
            if a.active:
                await uow.assignments.save(rules.cancelled(a, now))
        fields, basis = await resolution_fields(uow, ticket, now, Outcome.EXPLAINED, reply)
        after = ticket.advance(now, answer=reply, answer_channel=cmd.channel, answered_at=now,
                               **fields)
        resolved = TicketResolved(after, rules.on_time(ticket.handle_due, now),
                                  await handling_days(uow, ticket, now))
        return Change(after, [resolved, TicketAnswered(after, on_time=True)],
                      note=f"explained to the resident ({cmd.channel.name})",
                      details={"outcome": Outcome.EXPLAINED.value, "channel": cmd.channel.value,
                               **basis})

    return await transition(uow, cmd.ticket_id, Action.EXPLAIN, step, actor,
                            request_id=cmd.request_id, clock=clock)
