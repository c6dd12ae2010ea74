"""Time held off a ticket's deadlines, as pure rules: a pause while waiting for the resident
(the paused wall-clock time is added to every deadline still ahead when it resumes), and an
extension (延期) of the handle deadline by working days, requested by whoever handles it and
decided by someone else."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import replace

from lianxin.tickets.domain.assignment import Assignment
from lianxin.tickets.domain.calendar import WorkCalendar
from lianxin.tickets.domain.errors import IllegalTransition, InvalidTicket, NotFound
from lianxin.tickets.domain.feedback import optional_text, text
from lianxin.tickets.domain.sla import Extension, ExtensionStatus
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import OPEN_STATUSES, Deadline, Status, Ticket

MIN_EXTENSION_DAYS, MAX_EXTENSION_DAYS = 1, 60


# --- pause / resume ----------------------------------------------------------------------------
def paused(ticket: Ticket, now: dt.datetime) -> Ticket:
    if ticket.paused_at is not None:
        raise IllegalTransition(f"ticket {ticket.code} is already paused since "
                                f"{ticket.paused_at.isoformat()}; resume it first",
                                field="ticketId", status=ticket.status.name,
                                action=Action.PAUSE.name)
    return ticket.advance(now, paused_at=now)


def paused_for(ticket: Ticket, now: dt.datetime) -> dt.timedelta:
    """How long the ticket has been paused; IllegalTransition when it is not."""
    if ticket.paused_at is None:
        raise IllegalTransition(f"ticket {ticket.code} is not paused", field="ticketId",
                                status=ticket.status.name, action=Action.RESUME.name)
    return max(now - ticket.paused_at, dt.timedelta(0))


def _later(d: Deadline | None, by: dt.timedelta) -> Deadline | None:
    return replace(d, at=d.at + by) if d is not None else None


def resumed(ticket: Ticket, now: dt.datetime, held: dt.timedelta) -> Ticket:
    """Running again: each deadline still ahead of the ticket (accept while received, handle
    while open, feedback while unanswered) moves on by the time it was held. Deadlines of
    steps already done stay as they were — they are the record of that step."""
    changes: dict[str, object] = {"paused_at": None}
    if ticket.status is Status.RECEIVED:
        changes["accept_due"] = _later(ticket.accept_due, held)
    if ticket.status in OPEN_STATUSES:
        changes["handle_due"] = _later(ticket.handle_due, held)
    if ticket.answered_at is None:
        changes["feedback_due"] = _later(ticket.feedback_due, held)
    return ticket.advance(now, **changes)


def shifted(assignments: Sequence[Assignment], held: dt.timedelta) -> list[Assignment]:
    """The active assignments with their deadline moved on by `held`."""
    return [replace(a, due=replace(a.due, at=a.due.at + held)) for a in assignments if a.active]


def hours(held: dt.timedelta) -> float:
    return round(held.total_seconds() / 3600, 3)


# --- extension (延期) ---------------------------------------------------------------------------
def requested_extension(ticket: Ticket, extension_id: uuid.UUID, working_days: int,
                        reason: str, existing: Sequence[Extension], now: dt.datetime,
                        by: str) -> Extension:
    """A new PENDING request; one pending request per ticket at a time."""
    if not MIN_EXTENSION_DAYS <= working_days <= MAX_EXTENSION_DAYS:
        raise InvalidTicket(f"workingDays must be between {MIN_EXTENSION_DAYS} and "
                            f"{MAX_EXTENSION_DAYS}, got {working_days}", field="workingDays")
    why = text(reason, "the reason for the extension", "reason")
    if any(e.status is ExtensionStatus.PENDING for e in existing):
        raise IllegalTransition(f"ticket {ticket.code} already has an extension request waiting "
                                "for a decision; decide that one first", field="ticketId",
                                status=ticket.status.name, action=Action.REQUEST_EXTENSION.name)
    return Extension(id=extension_id, ticket_id=ticket.id, working_days=working_days,
                     reason=why, requested_at=now, requested_by=by)


def decided(ticket: Ticket, extension: Extension | None, approve: bool, note: str | None,
            now: dt.datetime, by: str) -> Extension:
    """The request approved or rejected (a rejection says why); never by whoever asked."""
    if extension is None or extension.ticket_id != ticket.id:
        raise NotFound(f"no such extension request on ticket {ticket.code}", field="extensionId")
    if extension.status is not ExtensionStatus.PENDING:
        raise IllegalTransition(f"this extension request was already {extension.status.value}",
                                field="extensionId", status=ticket.status.name,
                                action=Action.DECIDE_EXTENSION.name)
    if extension.requested_by == by:
        raise IllegalTransition("you requested this extension; a supervisor or the dispatching "
                                "unit decides it", field="extensionId",
                                status=ticket.status.name, action=Action.DECIDE_EXTENSION.name)
    why = (optional_text(note, "the note", "note") if approve
           else text(note, "the reason for rejecting", "note"))
    return replace(extension, status=ExtensionStatus.APPROVED if approve
                   else ExtensionStatus.REJECTED, decided_at=now, decided_by=by,
                   decision_note=why or None)


def extended(due: Deadline, working_days: int, calendar: WorkCalendar) -> Deadline:
    """`due` moved on by `working_days` working days (still provisional if it was)."""
    later = calendar.after_deadline(due.at, working_days)
    return Deadline(later.at, later.provisional or due.provisional)
