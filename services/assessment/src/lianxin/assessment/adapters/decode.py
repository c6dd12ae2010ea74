"""tickets.v1 protobuf → the plain events of domain/ticket_events.py.

Envelope gives the meta (event id, aggregate id and version, occurred_at, actor subject);
payload fields become uuids, datetimes and lower-case enum names. Types the figures do not
depend on decode to None (their events are neither logged nor folded).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from google.protobuf.message import Message
from lianxin.assessment.domain import ticket_events as ev
from lianxin.events.v1 import tickets_pb2 as pb
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.envelope import unwrap


def _id(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _ids(values: Iterable[str]) -> tuple[uuid.UUID, ...]:
    return tuple(uuid.UUID(v) for v in values)


def _at(value: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _name(enum: Any, prefix: str) -> Callable[[int], str]:
    """Enum number → lower-case name without its prefix; "" when unspecified."""
    def name(number: int) -> str:
        return "" if number == 0 else enum.Name(number).removeprefix(prefix).lower()
    return name


status = _name(pb.TicketStatus, "TICKET_STATUS_")
channel = _name(pb.Channel, "CHANNEL_")
kind = _name(pb.TicketKind, "TICKET_KIND_")
ledger = _name(pb.Ledger, "LEDGER_")
urgency = _name(pb.Urgency, "URGENCY_")
outcome = _name(pb.Outcome, "OUTCOME_")
satisfaction = _name(pb.Satisfaction, "SATISFACTION_")
clock = _name(pb.Clock, "CLOCK_")
role = _name(pb.AssignmentRole, "ASSIGNMENT_ROLE_")


def meta(env: Envelope) -> ev.Meta:
    return ev.Meta(env.event_id, uuid.UUID(env.aggregate_id), env.aggregate_version,
                   env.occurred_at.ToDatetime(tzinfo=dt.UTC), env.actor.subject)


def _submitted(m: ev.Meta, p: pb.TicketSubmitted) -> ev.Event:
    return ev.TicketSubmitted(
        m, p.code, uuid.UUID(p.org_unit_id), _ids(p.org_path), _id(p.handling_unit_id),
        channel(p.channel), p.category, kind(p.kind), ledger(p.ledger), urgency(p.urgency),
        _at(p.submitted_at) or m.occurred_at, _at(p.accept_due), p.imported)


def _uid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


_DECODERS: dict[type[Message], Callable[[ev.Meta, Any], ev.Event]] = {
    pb.TicketSubmitted: _submitted,
    pb.TicketAccepted: lambda m, p: ev.TicketAccepted(m, status(p.status), _at(p.handle_due),
                                                      p.on_time),
    pb.TicketEscalated: lambda m, p: ev.TicketEscalated(
        m, _id(p.to_unit_id), status(p.status), _at(p.accept_due), _at(p.handle_due)),
    pb.TicketDispatched: lambda m, p: ev.TicketDispatched(
        m, _uid(p.assignment_id), _uid(p.department_id), role(p.role), _at(p.due),
        _id(p.responsible_cadre_id), status(p.status)),
    pb.TicketDispatchReturned: lambda m, p: ev.TicketDispatchReturned(
        m, _uid(p.assignment_id), status(p.status)),
    pb.TicketReassigned: lambda m, p: ev.TicketReassigned(m, _uid(p.returned_assignment_id)),
    pb.TicketStarted: lambda m, p: ev.TicketStarted(m, status(p.status)),
    pb.AssignmentCompleted: lambda m, p: ev.AssignmentCompleted(m, _uid(p.assignment_id),
                                                                p.on_time),
    pb.TicketResolved: lambda m, p: ev.TicketResolved(
        m, outcome(p.outcome), p.on_the_spot, status(p.status), p.on_time,
        p.handling_working_days),
    pb.TicketAnswered: lambda m, p: ev.TicketAnswered(m, p.on_time),
    pb.TicketRated: lambda m, p: ev.TicketRated(m, p.solved, satisfaction(p.satisfaction)),
    pb.TicketReopened: lambda m, p: ev.TicketReopened(m, p.reopen_count, status(p.status),
                                                      _at(p.handle_due)),
    pb.TicketClosed: lambda m, p: ev.TicketClosed(m),
    pb.TicketMerged: lambda m, p: ev.TicketMerged(m, _id(p.master_id)),
    pb.TicketPaused: lambda m, p: ev.TicketPaused(m),
    pb.TicketResumed: lambda m, p: ev.TicketResumed(m, _at(p.handle_due)),
    pb.TicketExtensionDecided: lambda m, p: ev.TicketExtensionDecided(m, p.approved,
                                                                      _at(p.handle_due)),
    pb.TicketDeadlinesRecomputed: lambda m, p: ev.TicketDeadlinesRecomputed(
        m, _at(p.accept_due), _at(p.handle_due)),
    pb.TicketOverdue: lambda m, p: ev.TicketOverdue(m, clock(p.clock), _at(p.due), p.level,
                                                    _ids(p.org_path)),
    pb.WhistleBlown: lambda m, p: ev.WhistleBlown(
        m, _uid(p.ticket_id), _uid(p.blower_unit_id), _ids(p.blower_path),
        _at(p.report_in_due), tuple(zip(_ids(p.task_ids), _ids(p.department_ids),
                                        strict=True))),
    pb.WhistleReportedIn: lambda m, p: ev.WhistleReportedIn(m, _uid(p.task_id), p.late,
                                                            p.late_seconds),
    pb.WhistleTaskCompleted: lambda m, p: ev.WhistleTaskCompleted(m, _uid(p.task_id)),
    pb.WhistleClosed: lambda m, p: ev.WhistleClosed(m),
}

# Full names of the event types the projection folds (the consumer's interest, the log's).
FOLDED_TYPES = frozenset(t.DESCRIPTOR.full_name for t in _DECODERS)


def decode(env: Envelope, payload: Message) -> ev.Event | None:
    """The plain event, or None for a type the figures do not depend on. Malformed ids or
    times raise ValueError (the consumer dead-letters such an event)."""
    build = _DECODERS.get(type(payload))
    return build(meta(env), payload) if build is not None else None


def decode_logged(envelope: bytes) -> ev.Event | None:
    """An event from the projected-event log (its envelope bytes)."""
    env, payload = unwrap(envelope)
    return decode(env, payload)
