"""Assignment (派单): a department — or the ticket's own unit — made responsible for a ticket,
with a responsible person, a task, a completion standard and a deadline (压实责任)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from lianxin.tickets.domain.ticket import Deadline


class Role(enum.Enum):
    LEAD = "lead"      # 主办
    CO = "co"          # 协办
    LOCAL = "local"    # handled at the ticket's own level (本级办理)


class AssignmentStatus(enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    RETURNED = "returned"      # 退单
    CANCELLED = "cancelled"    # superseded (escalated away, merged, explained)


class DelayOn(enum.Enum):
    """Whose delay a returned dispatch counts as, decided by the dispatcher on reassigning."""

    DISPATCHER = "dispatcher"   # sent to the wrong department
    DEPARTMENT = "department"   # returned without good reason


@dataclass(frozen=True, slots=True)
class Assignment:
    id: uuid.UUID
    ticket_id: uuid.UUID
    department_id: uuid.UUID
    department_path: tuple[uuid.UUID, ...]
    role: Role
    responsible_name: str
    task: str
    due: Deadline
    assigned_at: dt.datetime
    assigned_by: str
    responsible_cadre_id: uuid.UUID | None = None
    standard: str = ""
    status: AssignmentStatus = AssignmentStatus.OPEN
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    report: str | None = None
    returned_at: dt.datetime | None = None
    return_reason: str | None = None
    delay_on: DelayOn | None = None
    replaces_id: uuid.UUID | None = None

    @property
    def active(self) -> bool:
        return self.status in (AssignmentStatus.OPEN, AssignmentStatus.IN_PROGRESS)
