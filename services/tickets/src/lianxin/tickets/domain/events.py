"""Domain events of the tickets service: one per transition, whistle step and deadline alarm.
They carry domain objects; adapters/events.py maps each to its protobuf message (ids, codes and
numbers only — no personal data leaves the service)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from lianxin.tickets.domain.assignment import Assignment, DelayOn
from lianxin.tickets.domain.sla import Clock, SupervisionNotice
from lianxin.tickets.domain.ticket import Ticket
from lianxin.tickets.domain.whistle import Whistle, WhistleTask


@dataclass(frozen=True, slots=True)
class TicketSubmitted:
    ticket: Ticket


@dataclass(frozen=True, slots=True)
class TicketAccepted:
    ticket: Ticket


@dataclass(frozen=True, slots=True)
class TicketEscalated:
    ticket: Ticket
    from_unit_id: uuid.UUID
    by_policy: bool = False


@dataclass(frozen=True, slots=True)
class TicketDispatched:
    ticket: Ticket
    assignment: Assignment


@dataclass(frozen=True, slots=True)
class TicketDispatchReturned:
    ticket: Ticket
    assignment: Assignment
    held_working_days: float


@dataclass(frozen=True, slots=True)
class TicketReassigned:
    ticket: Ticket
    returned: Assignment
    delay_on: DelayOn


@dataclass(frozen=True, slots=True)
class TicketStarted:
    ticket: Ticket
    assignment: Assignment


@dataclass(frozen=True, slots=True)
class AssignmentCompleted:
    ticket: Ticket
    assignment: Assignment
    on_time: bool


@dataclass(frozen=True, slots=True)
class TicketResolved:
    ticket: Ticket
    on_time: bool
    # Working days from submission to this resolution (the working-day calendar's count).
    handling_working_days: float = 0.0


@dataclass(frozen=True, slots=True)
class TicketAnswered:
    ticket: Ticket
    on_time: bool


@dataclass(frozen=True, slots=True)
class TicketRated:
    ticket: Ticket


@dataclass(frozen=True, slots=True)
class TicketReopened:
    ticket: Ticket


@dataclass(frozen=True, slots=True)
class TicketClosed:
    ticket: Ticket


@dataclass(frozen=True, slots=True)
class TicketMerged:
    ticket: Ticket


@dataclass(frozen=True, slots=True)
class TicketPaused:
    ticket: Ticket


@dataclass(frozen=True, slots=True)
class TicketResumed:
    ticket: Ticket
    paused_hours: float


@dataclass(frozen=True, slots=True)
class TicketExtensionRequested:
    ticket: Ticket
    extension_id: uuid.UUID
    working_days: int


@dataclass(frozen=True, slots=True)
class TicketExtensionDecided:
    ticket: Ticket
    extension_id: uuid.UUID
    approved: bool


@dataclass(frozen=True, slots=True)
class TicketDeadlinesRecomputed:
    ticket: Ticket


@dataclass(frozen=True, slots=True)
class TicketDueSoon:
    ticket: Ticket
    clock: Clock
    due: dt.datetime


@dataclass(frozen=True, slots=True)
class TicketOverdue:
    ticket: Ticket
    clock: Clock
    due: dt.datetime
    level: int


@dataclass(frozen=True, slots=True)
class SupervisionOpened:
    ticket: Ticket
    notice: SupervisionNotice


@dataclass(frozen=True, slots=True)
class SupervisionClosed:
    ticket: Ticket
    notice: SupervisionNotice


@dataclass(frozen=True, slots=True)
class WhistleBlown:
    whistle: Whistle


@dataclass(frozen=True, slots=True)
class WhistleReportedIn:
    whistle: Whistle
    task: WhistleTask


@dataclass(frozen=True, slots=True)
class WhistleTaskStarted:
    whistle: Whistle
    task: WhistleTask


@dataclass(frozen=True, slots=True)
class WhistleTaskCompleted:
    whistle: Whistle
    task: WhistleTask


@dataclass(frozen=True, slots=True)
class WhistleClosed:
    whistle: Whistle


TicketEvent = (TicketSubmitted | TicketAccepted | TicketEscalated | TicketDispatched
               | TicketDispatchReturned | TicketReassigned | TicketStarted | AssignmentCompleted
               | TicketResolved | TicketAnswered | TicketRated | TicketReopened | TicketClosed
               | TicketMerged | TicketPaused | TicketResumed | TicketExtensionRequested
               | TicketExtensionDecided | TicketDeadlinesRecomputed | TicketDueSoon
               | TicketOverdue | SupervisionOpened | SupervisionClosed)
WhistleEvent = (WhistleBlown | WhistleReportedIn | WhistleTaskStarted | WhistleTaskCompleted
                | WhistleClosed)
Event = TicketEvent | WhistleEvent
