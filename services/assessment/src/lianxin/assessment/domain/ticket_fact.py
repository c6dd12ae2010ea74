"""The state of a ticket as the projection folds it (facts.py): dimensions, workflow
position, on-time flags, rating, overdue clocks and assignments — plus the class and lead the
cubes read off it. Plain frozen values; ticket_steps.py moves them on, facts.py counts them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from lianxin.assessment.domain import ticket_events as ev
from lianxin.assessment.domain.cubes import EXPLAINED, MERGED, NORMAL

ACTIVE, DONE, RETURNED, CANCELLED, STOPPED = "active", "done", "returned", "cancelled", "stopped"


@dataclass(frozen=True, slots=True)
class AssignmentFact:
    """A department's (or the ticket's own unit's) assignment; STOPPED: cancelled by an
    explanation or a merge, still the one that answered for the ticket."""

    id: uuid.UUID
    department_id: uuid.UUID
    cadre_id: uuid.UUID | None
    role: str
    status: str = ACTIVE
    on_time: bool | None = None    # of its latest completion
    returned: bool = False         # returned by its department (退单)


@dataclass(frozen=True, slots=True)
class TicketFact:
    ticket_id: uuid.UUID
    version: int = 0
    updated_at: dt.datetime | None = None
    day: dt.date | None = None     # China date of submission: the cohort (None: not yet seen)
    code: str = ""
    org_unit_id: uuid.UUID | None = None
    org_path: tuple[uuid.UUID, ...] = ()
    handling_unit_id: uuid.UUID | None = None
    category: str = ""
    kind: str = ""
    channel: str = ""
    ledger: str = ""
    urgency: str = ""
    imported: bool = False
    submitted_at: dt.datetime | None = None
    status: str = ""
    accept_due: dt.datetime | None = None
    handle_due: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    response: bool | None = None   # judged: on time / late; None: not yet
    resolved_at: dt.datetime | None = None
    outcome: str | None = None
    on_the_spot: bool = False
    resolved_on_time: bool | None = None
    handling_days: float | None = None
    rated_at: dt.datetime | None = None
    solved: bool | None = None
    satisfaction: str | None = None
    reopen_count: int = 0
    overdue: bool = False
    overdue_clocks: frozenset[str] = frozenset()
    master_id: uuid.UUID | None = None
    closed_at: dt.datetime | None = None
    assignments: tuple[AssignmentFact, ...] = ()

    @property
    def klass(self) -> str:
        if self.status == "merged":
            return MERGED
        return EXPLAINED if self.outcome == ev.EXPLAINED else NORMAL

    @property
    def is_open(self) -> bool:
        return self.status in ev.OPEN_STATUSES

    @property
    def overdue_now(self) -> bool:
        return self.is_open and bool(self.overdue_clocks)

    @property
    def lead(self) -> AssignmentFact | None:
        leads = [a for a in self.assignments if a.role in ev.LEAD_ROLES
                 and a.status in (ACTIVE, DONE, STOPPED)]
        return leads[-1] if leads else None
