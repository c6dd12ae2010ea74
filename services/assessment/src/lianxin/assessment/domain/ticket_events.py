"""The ticket and whistle events the assessment projection reads, as plain values.

Decoded from tickets.v1 (adapters/decode.py) so the fold in facts.py depends on no protobuf.
Only what a figure needs is kept: ids, dimensions, deadlines, on-time flags, outcomes. Enums
are the lower-case names the facts and cubes use ("demand", "hotline", "in_progress"); an
unspecified enum or absent time is "" / None. Events the figures do not depend on (due-soon
alarms, supervision notices, extension requests, whistle task starts) are not decoded at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

# TicketStatus (lower-case) in which each SLA clock runs; alarms of other clocks count nowhere.
ACCEPT, HANDLE = "accept", "handle"
CLOCK_RUNS: dict[str, frozenset[str]] = {
    ACCEPT: frozenset({"received"}),
    HANDLE: frozenset({"accepted", "assigned", "in_progress"}),
}
OPEN_STATUSES = frozenset({"received", "accepted", "assigned", "in_progress"})
LEAD_ROLES = frozenset({"lead", "local"})   # the assignment answering for the ticket
EXPLAINED = "explained"
SATISFIED = frozenset({"satisfied", "basically_satisfied"})


@dataclass(frozen=True, slots=True)
class Meta:
    """The envelope's part: which event, of which aggregate, at which version, when, by whom."""

    event_id: str
    aggregate_id: uuid.UUID
    version: int
    occurred_at: dt.datetime
    actor: str = ""

    @property
    def order(self) -> tuple[int, dt.datetime, str]:
        """Fold order: versions have gaps and siblings share one, so time and id break ties
        (event ids are UUIDv7, in the order the service raised them)."""
        return self.version, self.occurred_at, self.event_id


@dataclass(frozen=True, slots=True)
class TicketSubmitted:
    meta: Meta
    code: str
    org_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]
    handling_unit_id: uuid.UUID | None
    channel: str
    category: str
    kind: str
    ledger: str
    urgency: str
    submitted_at: dt.datetime
    accept_due: dt.datetime | None
    imported: bool


@dataclass(frozen=True, slots=True)
class TicketAccepted:
    meta: Meta
    status: str
    handle_due: dt.datetime | None
    on_time: bool


@dataclass(frozen=True, slots=True)
class TicketEscalated:
    meta: Meta
    to_unit_id: uuid.UUID | None
    status: str
    accept_due: dt.datetime | None
    handle_due: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TicketDispatched:
    meta: Meta
    assignment_id: uuid.UUID
    department_id: uuid.UUID
    role: str
    due: dt.datetime | None
    cadre_id: uuid.UUID | None
    status: str


@dataclass(frozen=True, slots=True)
class TicketDispatchReturned:
    meta: Meta
    assignment_id: uuid.UUID
    status: str


@dataclass(frozen=True, slots=True)
class TicketReassigned:
    meta: Meta
    returned_assignment_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class TicketStarted:
    meta: Meta
    status: str


@dataclass(frozen=True, slots=True)
class AssignmentCompleted:
    meta: Meta
    assignment_id: uuid.UUID
    on_time: bool


@dataclass(frozen=True, slots=True)
class TicketResolved:
    meta: Meta
    outcome: str
    on_the_spot: bool
    status: str
    on_time: bool
    handling_days: float


@dataclass(frozen=True, slots=True)
class TicketAnswered:
    meta: Meta
    on_time: bool


@dataclass(frozen=True, slots=True)
class TicketRated:
    meta: Meta
    solved: bool
    satisfaction: str


@dataclass(frozen=True, slots=True)
class TicketReopened:
    meta: Meta
    reopen_count: int
    status: str
    handle_due: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TicketClosed:
    meta: Meta


@dataclass(frozen=True, slots=True)
class TicketMerged:
    meta: Meta
    master_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class TicketPaused:
    meta: Meta


@dataclass(frozen=True, slots=True)
class TicketResumed:
    meta: Meta
    handle_due: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TicketExtensionDecided:
    meta: Meta
    approved: bool
    handle_due: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TicketDeadlinesRecomputed:
    meta: Meta
    accept_due: dt.datetime | None
    handle_due: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TicketOverdue:
    meta: Meta
    clock: str
    due: dt.datetime | None
    level: int
    org_path: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class WhistleBlown:
    meta: Meta
    ticket_id: uuid.UUID
    blower_unit_id: uuid.UUID
    blower_path: tuple[uuid.UUID, ...]
    report_in_due: dt.datetime | None
    tasks: tuple[tuple[uuid.UUID, uuid.UUID], ...]   # (task id, summoned department id)


@dataclass(frozen=True, slots=True)
class WhistleReportedIn:
    meta: Meta
    task_id: uuid.UUID
    late: bool
    late_seconds: int


@dataclass(frozen=True, slots=True)
class WhistleTaskCompleted:
    meta: Meta
    task_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class WhistleClosed:
    meta: Meta


TicketEvent = (TicketSubmitted | TicketAccepted | TicketEscalated | TicketDispatched
               | TicketDispatchReturned | TicketReassigned | TicketStarted | AssignmentCompleted
               | TicketResolved | TicketAnswered | TicketRated | TicketReopened | TicketClosed
               | TicketMerged | TicketPaused | TicketResumed | TicketExtensionDecided
               | TicketDeadlinesRecomputed | TicketOverdue)
WhistleEvent = WhistleBlown | WhistleReportedIn | WhistleTaskCompleted | WhistleClosed
Event = TicketEvent | WhistleEvent
