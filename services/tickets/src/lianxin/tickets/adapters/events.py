"""Map domain events to protobuf (ids, codes, numbers and masked values only), and people-service
events to commands."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2
from lianxin.events.v1 import tickets_pb2 as pb
from lianxin.kit.envelope import PendingEvent
from lianxin.tickets.app.commands import RecordOrgUnit
from lianxin.tickets.domain import events as ev
from lianxin.tickets.domain.ticket import Deadline, OrgUnitRef, Status, Ticket

TOPIC = "tickets.v1"


def _s(value: uuid.UUID | None) -> str:
    return str(value) if value is not None else ""


def _t(value: dt.datetime | Deadline | None) -> str:
    if isinstance(value, Deadline):
        value = value.at
    return value.isoformat() if value is not None else ""


def _p(deadline: Deadline | None) -> bool:
    return deadline.provisional if deadline is not None else False


def _enum(enum_type: Any, prefix: str, member: Any) -> Any:
    return int(enum_type.Value(f"{prefix}_{member.name}")) if member is not None else 0


def _status(t: Ticket) -> Any:
    return _enum(pb.TicketStatus, "TICKET_STATUS", t.status)


def _accepted_on_time(t: Ticket) -> bool:
    # `advance` stamps updated_at with the step's time; accept_due still holds the deadline met.
    return t.accept_due is None or t.updated_at is None or t.updated_at <= t.accept_due.at


def _escalated_due(t: Ticket) -> dict[str, Any]:
    received = t.status is Status.RECEIVED
    due = t.accept_due if received else t.handle_due
    return {"accept_due": _t(due) if received else "", "handle_due": "" if received else _t(due),
            "due_provisional": _p(due)}


def _submitted(e: ev.TicketSubmitted) -> Message:
    t = e.ticket
    hidden = t.anonymous or t.confidential
    return pb.TicketSubmitted(
        ticket_id=str(t.id), org_unit_id=str(t.org_unit_id), org_path=[str(p) for p in t.org_path],
        channel=_enum(pb.Channel, "CHANNEL", t.channel), category=t.category,
        text_length=len(t.text), kind=_enum(pb.TicketKind, "TICKET_KIND", t.kind),
        ledger=_enum(pb.Ledger, "LEDGER", t.ledger), urgency=_enum(pb.Urgency, "URGENCY", t.urgency),
        code=t.code, resident_id="" if hidden else _s(t.contact.resident_id),
        household_id="" if hidden else _s(t.contact.household_id), visit_id=_s(t.visit_id),
        pairing_id=_s(t.pairing_id), anonymous=t.anonymous, confidential=t.confidential,
        accept_due=_t(t.accept_due), accept_due_provisional=_p(t.accept_due),
        imported=t.imported, submitted_at=_t(t.submitted_at),
        handling_unit_id=str(t.handling_unit_id), photo_count=len(t.photos))


def _dispatched(e: ev.TicketDispatched) -> Message:
    a = e.assignment
    return pb.TicketDispatched(
        ticket_id=str(e.ticket.id), assignment_id=str(a.id), department_id=str(a.department_id),
        department_path=[str(p) for p in a.department_path],
        role=_enum(pb.AssignmentRole, "ASSIGNMENT_ROLE", a.role), due=_t(a.due),
        due_provisional=a.due.provisional, responsible_cadre_id=_s(a.responsible_cadre_id),
        status=_status(e.ticket), replaces_assignment_id=_s(a.replaces_id))


def _whistle_task(message: type[Message]) -> Callable[[Any], Message]:
    def build(e: Any) -> Message:
        return message(whistle_id=str(e.whistle.id), task_id=str(e.task.id),
                       department_id=str(e.task.department_id))
    return build


_TICKET: dict[type, Callable[[Any], Message]] = {
    ev.TicketSubmitted: _submitted,
    ev.TicketAccepted: lambda e: pb.TicketAccepted(
        ticket_id=str(e.ticket.id), handling_unit_id=str(e.ticket.handling_unit_id),
        status=_status(e.ticket), handle_due=_t(e.ticket.handle_due),
        handle_due_provisional=_p(e.ticket.handle_due), on_time=_accepted_on_time(e.ticket)),
    ev.TicketEscalated: lambda e: pb.TicketEscalated(
        ticket_id=str(e.ticket.id), from_unit_id=str(e.from_unit_id),
        to_unit_id=str(e.ticket.handling_unit_id),
        to_path=[str(p) for p in e.ticket.handling_path], status=_status(e.ticket),
        by_policy=e.by_policy, **_escalated_due(e.ticket)),
    ev.TicketDispatched: _dispatched,
    ev.TicketDispatchReturned: lambda e: pb.TicketDispatchReturned(
        ticket_id=str(e.ticket.id), assignment_id=str(e.assignment.id),
        department_id=str(e.assignment.department_id), status=_status(e.ticket),
        held_working_days=e.held_working_days),
    ev.TicketReassigned: lambda e: pb.TicketReassigned(
        ticket_id=str(e.ticket.id), returned_assignment_id=str(e.returned.id),
        delay_on=_enum(pb.DelayOn, "DELAY_ON", e.delay_on)),
    ev.TicketStarted: lambda e: pb.TicketStarted(
        ticket_id=str(e.ticket.id), assignment_id=str(e.assignment.id), status=_status(e.ticket)),
    ev.AssignmentCompleted: lambda e: pb.AssignmentCompleted(
        ticket_id=str(e.ticket.id), assignment_id=str(e.assignment.id),
        department_id=str(e.assignment.department_id), on_time=e.on_time),
    ev.TicketResolved: lambda e: pb.TicketResolved(
        ticket_id=str(e.ticket.id), outcome=_enum(pb.Outcome, "OUTCOME", e.ticket.outcome),
        on_the_spot=e.ticket.on_the_spot, status=_status(e.ticket),
        feedback_due=_t(e.ticket.feedback_due), feedback_due_provisional=_p(e.ticket.feedback_due),
        on_time=e.on_time, handling_working_days=e.handling_working_days),
    ev.TicketAnswered: lambda e: pb.TicketAnswered(
        ticket_id=str(e.ticket.id), channel=_enum(pb.Channel, "CHANNEL", e.ticket.answer_channel),
        reply_length=len(e.ticket.answer or ""), on_time=e.on_time),
    ev.TicketRated: lambda e: pb.TicketRated(
        ticket_id=str(e.ticket.id), solved=bool(e.ticket.solved),
        satisfaction=_enum(pb.Satisfaction, "SATISFACTION", e.ticket.satisfaction),
        by_staff=bool(e.ticket.rated_by_staff)),
    ev.TicketReopened: lambda e: pb.TicketReopened(
        ticket_id=str(e.ticket.id), reopen_count=e.ticket.reopen_count, status=_status(e.ticket),
        handle_due=_t(e.ticket.handle_due), handle_due_provisional=_p(e.ticket.handle_due)),
    ev.TicketClosed: lambda e: pb.TicketClosed(
        ticket_id=str(e.ticket.id),
        reason=_enum(pb.CloseReason, "CLOSE_REASON", e.ticket.close_reason),
        satisfaction=_enum(pb.Satisfaction, "SATISFACTION", e.ticket.satisfaction)),
    ev.TicketMerged: lambda e: pb.TicketMerged(ticket_id=str(e.ticket.id),
                                               master_id=_s(e.ticket.master_id)),
    ev.TicketPaused: lambda e: pb.TicketPaused(ticket_id=str(e.ticket.id)),
    ev.TicketResumed: lambda e: pb.TicketResumed(
        ticket_id=str(e.ticket.id), paused_hours=e.paused_hours,
        handle_due=_t(e.ticket.handle_due)),
    ev.TicketExtensionRequested: lambda e: pb.TicketExtensionRequested(
        ticket_id=str(e.ticket.id), extension_id=str(e.extension_id),
        working_days=e.working_days),
    ev.TicketExtensionDecided: lambda e: pb.TicketExtensionDecided(
        ticket_id=str(e.ticket.id), extension_id=str(e.extension_id), approved=e.approved,
        handle_due=_t(e.ticket.handle_due), handle_due_provisional=_p(e.ticket.handle_due)),
    ev.TicketDeadlinesRecomputed: lambda e: pb.TicketDeadlinesRecomputed(
        ticket_id=str(e.ticket.id), accept_due=_t(e.ticket.accept_due),
        handle_due=_t(e.ticket.handle_due), feedback_due=_t(e.ticket.feedback_due),
        provisional=any(_p(d) for d in (e.ticket.accept_due, e.ticket.handle_due,
                                        e.ticket.feedback_due))),
    ev.TicketDueSoon: lambda e: pb.TicketDueSoon(
        ticket_id=str(e.ticket.id), clock=_enum(pb.Clock, "CLOCK", e.clock), due=_t(e.due),
        org_path=[str(p) for p in e.ticket.org_path]),
    ev.TicketOverdue: lambda e: pb.TicketOverdue(
        ticket_id=str(e.ticket.id), clock=_enum(pb.Clock, "CLOCK", e.clock), due=_t(e.due),
        level=e.level, org_path=[str(p) for p in e.ticket.org_path],
        handling_unit_id=str(e.ticket.handling_unit_id)),
    ev.SupervisionOpened: lambda e: pb.SupervisionOpened(
        notice_id=str(e.notice.id), ticket_id=str(e.ticket.id),
        clock=_enum(pb.Clock, "CLOCK", e.notice.clock), level=e.notice.level,
        supervising_unit_id=str(e.notice.supervising_unit_id),
        org_path=[str(p) for p in e.ticket.org_path]),
    ev.SupervisionClosed: lambda e: pb.SupervisionClosed(notice_id=str(e.notice.id),
                                                         ticket_id=str(e.ticket.id)),
}

_WHISTLE: dict[type, Callable[[Any], Message]] = {
    ev.WhistleBlown: lambda e: pb.WhistleBlown(
        whistle_id=str(e.whistle.id), ticket_id=str(e.whistle.ticket_id),
        blower_unit_id=str(e.whistle.blower_unit_id),
        blower_path=[str(p) for p in e.whistle.blower_path],
        urgency=_enum(pb.Urgency, "URGENCY", e.whistle.urgency),
        report_in_due=_t(e.whistle.report_in_due), task_ids=[str(t.id) for t in e.whistle.tasks],
        department_ids=[str(t.department_id) for t in e.whistle.tasks]),
    ev.WhistleReportedIn: lambda e: pb.WhistleReportedIn(
        whistle_id=str(e.whistle.id), task_id=str(e.task.id),
        department_id=str(e.task.department_id), late=bool(e.task.late),
        late_seconds=e.task.late_seconds or 0),
    ev.WhistleTaskStarted: _whistle_task(pb.WhistleTaskStarted),
    ev.WhistleTaskCompleted: _whistle_task(pb.WhistleTaskCompleted),
    ev.WhistleClosed: lambda e: pb.WhistleClosed(whistle_id=str(e.whistle.id),
                                                 ticket_id=str(e.whistle.ticket_id)),
}


def to_pending(event: ev.Event) -> PendingEvent:
    """The outbox row for a domain event: ticket events keyed by ticket, whistle events by
    whistle, each with its aggregate's version after the change."""
    build = _TICKET.get(type(event))
    if build is not None:
        t = event.ticket  # type: ignore[union-attr]
        return PendingEvent("ticket", str(t.id), t.version, build(event))
    build = _WHISTLE.get(type(event))
    if build is not None:
        w = event.whistle  # type: ignore[union-attr]
        return PendingEvent("whistle", str(w.id), w.version, build(event))
    raise TypeError(f"no protobuf mapping for {type(event).__name__}")


def record_org_unit_from(msg: people_pb2.OrgUnitCreated) -> RecordOrgUnit:
    kind = people_pb2.OrgUnitKind.Name(msg.kind).removeprefix("ORG_UNIT_KIND_").lower()
    return RecordOrgUnit(OrgUnitRef(
        id=uuid.UUID(msg.org_unit_id),
        parent_id=uuid.UUID(msg.parent_id) if msg.parent_id else None,
        name=msg.name, kind=kind, path=tuple(uuid.UUID(p) for p in msg.path)))
