"""Time held off a ticket's deadlines: pause while waiting for the resident (the scheduler raises
no overdue alarm while paused; on resume every deadline still ahead, and the active
assignments' deadlines, move on by the paused wall-clock time), and extension (延期): more
working days on the handle deadline, requested by whoever handles the ticket and approved or
rejected by someone else.

Who: the handling unit's staff (or above it) and the staff of the department answering for the
ticket (its active lead or local assignment) pause, resume and request. A supervisor or admin
who sees the ticket, or the handling unit's staff (the dispatcher), decide — never whoever
requested it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace

from lianxin.kit.ids import uuid7
from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.deadlines import calendar_for, deadline
from lianxin.tickets.app.handling import assignments_of, require_handler_or
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import Change, transition
from lianxin.tickets.domain import holds as rules
from lianxin.tickets.domain.calendar import CHINA, deadline_day
from lianxin.tickets.domain.errors import OutOfScope
from lianxin.tickets.domain.events import (
    TicketExtensionDecided,
    TicketExtensionRequested,
    TicketPaused,
    TicketResumed,
)
from lianxin.tickets.domain.feedback import optional_text, text
from lianxin.tickets.domain.sla import Clock as SlaClock
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Deadline, Ticket
from lianxin.tickets.domain.triage import answering

DECIDING_ROLES = ("supervisor", "admin")


@dataclass(frozen=True, slots=True)
class PauseTicket:
    ticket_id: uuid.UUID
    reason: str
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ResumeTicket:
    ticket_id: uuid.UUID
    note: str | None = None
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class RequestExtension:
    ticket_id: uuid.UUID
    working_days: int
    reason: str
    request_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class DecideExtension:
    ticket_id: uuid.UUID
    extension_id: uuid.UUID
    approve: bool
    note: str | None = None
    request_id: uuid.UUID | None = None


async def pause_ticket(cmd: PauseTicket, uow: UnitOfWork, actor: Actor,
                       clock: Clock = utcnow) -> Ticket:
    """Pause while waiting for the resident (材料补充 …), with a reason; not twice."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        require_handler_or(actor, ticket, answering(await assignments_of(uow, ticket)), "pausing")
        reason = text(cmd.reason, "the reason for pausing", "reason")
        after = rules.paused(ticket, now)
        return Change(after, [TicketPaused(after)], note=f"paused: {reason}")

    return await transition(uow, cmd.ticket_id, Action.PAUSE, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def resume_ticket(cmd: ResumeTicket, uow: UnitOfWork, actor: Actor,
                        clock: Clock = utcnow) -> Ticket:
    """Resume a paused ticket: its deadlines still ahead and its active assignments' deadlines
    move on by the time it was paused."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        assignments = await assignments_of(uow, ticket)
        require_handler_or(actor, ticket, answering(assignments), "resuming")
        note = optional_text(cmd.note, "the note", "note")
        held = rules.paused_for(ticket, now)
        after = rules.resumed(ticket, now, held)
        for a in rules.shifted(assignments, held):
            await uow.assignments.save(a)
        paused_hours = rules.hours(held)
        return Change(after, [TicketResumed(after, paused_hours)],
                      note=f"resumed after {paused_hours:g} hours" + (f": {note}" if note else ""),
                      details={"paused_hours": paused_hours, "handle_due":
                               after.handle_due.at.isoformat() if after.handle_due else None})

    return await transition(uow, cmd.ticket_id, Action.RESUME, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def request_extension(cmd: RequestExtension, uow: UnitOfWork, actor: Actor,
                            clock: Clock = utcnow) -> Ticket:
    """延期申请: ask for more working days on the handle deadline; one pending at a time."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        require_handler_or(actor, ticket, answering(await assignments_of(uow, ticket)),
                           "an extension of")
        existing = (await uow.extensions.for_tickets([ticket.id]))[ticket.id]
        extension = rules.requested_extension(ticket, uuid7(), cmd.working_days, cmd.reason,
                                              existing, now, actor.subject)
        await uow.extensions.add(extension)
        after = ticket.advance(now)
        return Change(after, [TicketExtensionRequested(after, extension.id, cmd.working_days)],
                      note=f"extension of {cmd.working_days} working days requested",
                      details={"extension_id": str(extension.id),
                               "working_days": cmd.working_days})

    return await transition(uow, cmd.ticket_id, Action.REQUEST_EXTENSION, step, actor,
                            request_id=cmd.request_id, clock=clock)


async def _later(uow: UnitOfWork, due: Deadline, working_days: int) -> Deadline:
    return rules.extended(due, working_days, await calendar_for(uow, due.at, working_days))


async def decide_extension(cmd: DecideExtension, uow: UnitOfWork, actor: Actor,
                           clock: Clock = utcnow) -> Ticket:
    """Approve or reject a pending extension. Approval moves the handle deadline, and the
    answering assignment's deadline, on by the working days asked for."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        if not ((actor.role in DECIDING_ROLES and actor.works_at(ticket.reach))
                or actor.works_at(ticket.handling_path)):
            raise OutOfScope(f"deciding extensions of ticket {ticket.code} lies outside your "
                             "org scope: a supervisor or the dispatching unit decides",
                             field="id")
        found = await uow.extensions.get_for_update(cmd.extension_id)
        extension = rules.decided(ticket, found, cmd.approve, cmd.note, now, actor.subject)
        await uow.extensions.save(extension)
        details: dict[str, str | int | bool | None] = {
            "extension_id": str(extension.id), "approved": cmd.approve,
            "working_days": extension.working_days}
        after = ticket.advance(now)
        if cmd.approve:
            days = extension.working_days
            old = ticket.handle_due
            due = await _later(uow, old, days) if old else await deadline(uow, now, days)
            after = replace(after, handle_due=due)
            lead = answering(await assignments_of(uow, ticket))
            if lead is not None:
                await uow.assignments.save(replace(lead, due=await _later(uow, lead.due, days)))
            start = (dt.datetime.combine(deadline_day(old.at), dt.time(12), CHINA)
                     if old else now)
            # what the handle deadline now counts from (the scheduler recomputes it)
            details |= {"handle_due": due.at.isoformat(), "due_clock": SlaClock.HANDLE.value,
                        "due_start": start.isoformat(), "due_days": days}
        verdict = "approved" if cmd.approve else "rejected"
        return Change(after, [TicketExtensionDecided(after, extension.id, cmd.approve)],
                      note=f"extension of {extension.working_days} working days {verdict}"
                           + (f": {extension.decision_note}" if extension.decision_note else ""),
                      details=details)

    return await transition(uow, cmd.ticket_id, Action.DECIDE_EXTENSION, step, actor,
                            request_id=cmd.request_id, clock=clock)
