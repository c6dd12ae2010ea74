"""SLA policies: deadlines in working days per kind / category / urgency, with the seeds'
defaults (accept within 1 working day; plan or report up within 10; answer within 3 of
resolution).

The default policy (kind, category and urgency all "any"; seeded by the migration, editable,
never deletable):

    accept_days 1          received → accepted, in working days
    handle_days 10         accepted → resolved (plan or report up within 10: the seeds' rule)
    feedback_days 3        resolved → answered
    rating_days 7          calendar days the resident has to rate an answer, else closed NO_RATING
    due_soon_hours 24      "due soon" alarm this long before a deadline
    escalate_after_days 3  working days overdue before the level-2 alarm (督办 one level higher)
    escalate_on_overdue    the level-2 alarm on the accept clock also escalates the ticket
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from lianxin.tickets.domain.errors import DomainError
from lianxin.tickets.domain.ticket import Kind, Status, Urgency


class Clock(enum.Enum):
    ACCEPT = "accept"        # received → accepted (accept_due)
    HANDLE = "handle"        # accepted → resolved (handle_due)
    FEEDBACK = "feedback"    # resolved → answered (feedback_due)


# The states in which each clock runs (FEEDBACK also needs the answer still missing).
CLOCK_STATES: dict[Clock, frozenset[Status]] = {
    Clock.ACCEPT: frozenset({Status.RECEIVED}),
    Clock.HANDLE: frozenset({Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS}),
    Clock.FEEDBACK: frozenset({Status.RESOLVED}),
}


class InvalidPolicy(DomainError):
    code = "BAD_USER_INPUT"


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    id: uuid.UUID
    kind: Kind | None = None          # None: any
    category: str | None = None       # a category code; matches its sub-categories too
    urgency: Urgency | None = None
    accept_days: int = 1
    handle_days: int = 10
    feedback_days: int = 3
    rating_days: int = 7              # calendar days to rate after the answer, else NO_RATING
    due_soon_hours: int = 24
    escalate_after_days: int = 3      # working days overdue before level 2
    escalate_on_overdue: bool = True  # level 2 on the accept clock moves the ticket up a level


DEFAULT_POLICY = SlaPolicy(id=uuid.UUID("00000000-0000-7000-8000-000000000001"))

# field → (GraphQL input name, lowest, highest)
LIMITS: dict[str, tuple[str, int, int]] = {
    "accept_days": ("acceptDays", 0, 30),
    "handle_days": ("handleDays", 1, 365),
    "feedback_days": ("feedbackDays", 0, 60),
    "rating_days": ("ratingDays", 1, 90),
    "due_soon_hours": ("dueSoonHours", 0, 720),
    "escalate_after_days": ("escalateAfterDays", 0, 60),
}


def is_default(policy: SlaPolicy) -> bool:
    """The catch-all policy (any kind, category and urgency): there is always exactly one."""
    return policy.kind is None and policy.category is None and policy.urgency is None


def check_policy(policy: SlaPolicy) -> SlaPolicy:
    """InvalidPolicy naming the input field when a number lies outside its range."""
    for name, (field, low, high) in LIMITS.items():
        value = getattr(policy, name)
        if not low <= value <= high:
            raise InvalidPolicy(f"{field} must be between {low} and {high}, got {value}",
                                field=field)
    return policy


def specificity(policy: SlaPolicy) -> int:
    """How specific a policy is; the most specific matching policy governs a ticket."""
    return ((policy.category.count(".") + 1) * 4 if policy.category else 0) + \
        (2 if policy.kind else 0) + (1 if policy.urgency else 0)


def governing(policies: list[SlaPolicy], kind: Kind, category: str,
              urgency: Urgency) -> SlaPolicy:
    """The most specific policy matching the ticket (DEFAULT_POLICY when none does)."""
    def matches(p: SlaPolicy) -> bool:
        return ((p.kind is None or p.kind is kind) and (p.urgency is None or p.urgency is urgency)
                and (p.category is None or category == p.category
                     or category.startswith(p.category + ".")))

    found = [p for p in policies if matches(p)]
    return max(found, key=specificity) if found else DEFAULT_POLICY


class NoticeStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"   # the ticket left the overdue step (or closed)


@dataclass(frozen=True, slots=True)
class SupervisionNotice:
    """督办: an overdue ticket flagged to a supervising org unit (one level up per level)."""

    id: uuid.UUID
    ticket_id: uuid.UUID
    clock: Clock
    level: int
    supervising_unit_id: uuid.UUID
    supervising_path: tuple[uuid.UUID, ...]
    due: dt.datetime
    opened_at: dt.datetime
    status: NoticeStatus = NoticeStatus.OPEN
    closed_at: dt.datetime | None = None


class ExtensionStatus(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Extension:
    """延期: a request for more working days on the handle deadline, and its decision."""

    id: uuid.UUID
    ticket_id: uuid.UUID
    working_days: int
    reason: str
    requested_at: dt.datetime
    requested_by: str
    status: ExtensionStatus = ExtensionStatus.PENDING
    decided_at: dt.datetime | None = None
    decided_by: str | None = None
    decision_note: str | None = None
