"""Whistle (吹哨报到): a township or village summons departments to one ticket; each department
reports in (报到) by a deadline set by urgency, handles and completes its task (一哨一清单); the
whistle closes when every task is complete (闭环)."""

from __future__ import annotations

import datetime as dt
import enum
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from lianxin.tickets.domain.calendar import WorkCalendar
from lianxin.tickets.domain.errors import IllegalTransition, InvalidTicket, NotFound, UnknownOrgUnit
from lianxin.tickets.domain.ticket import (
    MAX_TEXT_LENGTH,
    Deadline,
    OrgUnitRef,
    Ticket,
    Urgency,
)


class WhistleStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class TaskStatus(enum.Enum):
    SUMMONED = "summoned"
    REPORTED = "reported"     # 报到
    HANDLING = "handling"
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class WhistleTask:
    id: uuid.UUID
    whistle_id: uuid.UUID
    department_id: uuid.UUID
    department_path: tuple[uuid.UUID, ...]
    task: str
    status: TaskStatus = TaskStatus.SUMMONED
    reported_at: dt.datetime | None = None
    late: bool | None = None
    late_seconds: int | None = None
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    report: str | None = None


@dataclass(frozen=True, slots=True)
class Whistle:
    id: uuid.UUID
    ticket_id: uuid.UUID
    blower_unit_id: uuid.UUID
    blower_path: tuple[uuid.UUID, ...]
    urgency: Urgency
    reason: str
    blown_at: dt.datetime
    blown_by: str
    report_in_due: Deadline
    tasks: tuple[WhistleTask, ...]
    status: WhistleStatus = WhistleStatus.OPEN
    closed_at: dt.datetime | None = None
    version: int = 1


# --- rules -------------------------------------------------------------------------------------
# Report-in windows by urgency: emergencies and urgent matters run on the wall clock (a night or
# a holiday does not stop a burst main); routine ones get the rest of the next working day.
REPORT_IN_WINDOW: dict[Urgency, dt.timedelta] = {
    Urgency.EMERGENCY: dt.timedelta(minutes=30),
    Urgency.URGENT: dt.timedelta(hours=2),
}
ROUTINE_REPORT_IN_DAYS = 1
BLOWER_KINDS = frozenset({"township", "village", "community"})  # who may blow (乡镇、村、社区)
MAX_TASKS = 20


def report_in_due(urgency: Urgency, blown_at: dt.datetime, calendar: WorkCalendar) -> Deadline:
    """When summoned departments must have reported in (报到): 30 minutes for an emergency,
    2 hours when urgent, the end of the next working day when routine."""
    window = REPORT_IN_WINDOW.get(urgency)
    if window is not None:
        return calendar.add_duration(blown_at, window)
    return calendar.add_working_days(blown_at, ROUTINE_REPORT_IN_DAYS)


def choose_blower(ticket: Ticket, handling: Sequence[OrgUnitRef],
                  named: OrgUnitRef | None) -> OrgUnitRef:
    """The unit that blows: `named` if given (a township, village or community on the ticket's
    place or handling path), else the nearest such unit at or above the one handling it.
    `handling`: the org units of the ticket's handling path."""
    if named is not None:
        if named.kind not in BLOWER_KINDS:
            raise InvalidTicket(f"{named.name} is a {named.kind}; only a township, village or "
                                "community blows a whistle", field="blowerUnitId")
        if named.id not in (*ticket.org_path, *ticket.handling_path):
            raise InvalidTicket(f"{named.name} is not on the path of ticket {ticket.code}; name "
                                "the township or village the ticket belongs to or is handled by",
                                field="blowerUnitId")
        return named
    by_id = {u.id: u for u in handling}
    for unit_id in reversed(ticket.handling_path):
        unit = by_id.get(unit_id)
        if unit is not None and unit.kind in BLOWER_KINDS:
            return unit
    raise InvalidTicket(f"ticket {ticket.code} is handled above any township or village; name "
                        "blowerUnitId: a township, village or community on the ticket's path",
                        field="blowerUnitId")


@dataclass(frozen=True, slots=True)
class TaskOrder:
    """One line of the whistle's task list: a department and what it is to do."""

    department_id: uuid.UUID
    task: str


def _text(value: str, what: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidTicket(f"{what} is required", field=field)
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidTicket(f"{what} is {len(text)} characters; at most {MAX_TEXT_LENGTH}",
                            field=field)
    return text


def blow(*, whistle_id: uuid.UUID, ticket: Ticket, blower: OrgUnitRef, urgency: Urgency,
         reason: str, orders: Sequence[TaskOrder], departments: Mapping[uuid.UUID, OrgUnitRef],
         blown_at: dt.datetime, blown_by: str, due: Deadline,
         new_id: Callable[[], uuid.UUID]) -> Whistle:
    """A new whistle with one task per department (一哨一清单). `departments`: the org units
    the orders name, as far as known."""
    reason = _text(reason, "the reason for the whistle", "reason")
    if not orders:
        raise InvalidTicket("summon at least one department", field="tasks")
    if len(orders) > MAX_TASKS:
        raise InvalidTicket(f"{len(orders)} tasks; one whistle summons at most {MAX_TASKS} "
                            "departments", field="tasks")
    tasks: list[WhistleTask] = []
    for order in orders:
        unit = departments.get(order.department_id)
        if unit is None:
            raise UnknownOrgUnit(f"no org unit {order.department_id}", field="departmentId")
        if unit.kind != "department":
            raise InvalidTicket(f"{unit.name} is a {unit.kind}; a whistle summons departments",
                                field="departmentId")
        if any(t.department_id == unit.id for t in tasks):
            raise InvalidTicket(f"{unit.name} is named twice; one task per department "
                                "(一哨一清单)", field="departmentId")
        tasks.append(WhistleTask(id=new_id(), whistle_id=whistle_id, department_id=unit.id,
                                 department_path=unit.path,
                                 task=_text(order.task, f"the task of {unit.name}", "task")))
    return Whistle(id=whistle_id, ticket_id=ticket.id, blower_unit_id=blower.id,
                   blower_path=blower.path, urgency=urgency, reason=reason, blown_at=blown_at,
                   blown_by=blown_by, report_in_due=due, tasks=tuple(tasks))


# Which task states each step starts from (the whistle's small state table).
TASK_STEPS: dict[str, frozenset[TaskStatus]] = {
    "report in": frozenset({TaskStatus.SUMMONED}),
    "start": frozenset({TaskStatus.REPORTED}),
    "complete": frozenset({TaskStatus.REPORTED, TaskStatus.HANDLING}),
}


def task_of(whistle: Whistle, department_id: uuid.UUID) -> WhistleTask:
    """The task of a summoned department; NotFound for a department the whistle did not call."""
    for task in whistle.tasks:
        if task.department_id == department_id:
            return task
    raise NotFound(f"department {department_id} was not summoned by whistle {whistle.id}",
                   field="departmentId")


def _require(whistle: Whistle, task: WhistleTask, step: str) -> None:
    if whistle.status is WhistleStatus.CLOSED:
        raise IllegalTransition(f"whistle {whistle.id} is CLOSED; nothing more can be done on it",
                                field="whistleId", status=whistle.status.name, action=step)
    allowed = TASK_STEPS[step]
    if task.status not in allowed:
        hint = (" — report in first" if task.status is TaskStatus.SUMMONED else "")
        raise IllegalTransition(
            f"the department's task is {task.status.name}; {step} is allowed only when it is "
            f"{' or '.join(s.name for s in TaskStatus if s in allowed)}{hint}",
            field="departmentId", status=task.status.name, action=step)


def _with(whistle: Whistle, task: WhistleTask) -> Whistle:
    tasks = tuple(task if t.id == task.id else t for t in whistle.tasks)
    return replace(whistle, tasks=tasks, version=whistle.version + 1)


def report_in(whistle: Whistle, department_id: uuid.UUID,
              now: dt.datetime) -> tuple[Whistle, WhistleTask]:
    """The department reports in (报到); late by how much past the report-in deadline."""
    task = task_of(whistle, department_id)
    _require(whistle, task, "report in")
    late_seconds = max(0, math.ceil((now - whistle.report_in_due.at).total_seconds()))
    task = replace(task, status=TaskStatus.REPORTED, reported_at=now, late=late_seconds > 0,
                   late_seconds=late_seconds)
    return _with(whistle, task), task


def start_task(whistle: Whistle, department_id: uuid.UUID,
               now: dt.datetime) -> tuple[Whistle, WhistleTask]:
    """The department starts handling its task."""
    task = task_of(whistle, department_id)
    _require(whistle, task, "start")
    task = replace(task, status=TaskStatus.HANDLING, started_at=now)
    return _with(whistle, task), task


def complete_task(whistle: Whistle, department_id: uuid.UUID, now: dt.datetime,
                  report: str) -> tuple[Whistle, WhistleTask]:
    """The department completes its task with a report of what it did; a department that
    reported in may complete without a separate start (started_at = now)."""
    task = task_of(whistle, department_id)
    _require(whistle, task, "complete")
    task = replace(task, status=TaskStatus.COMPLETED, completed_at=now,
                   started_at=task.started_at or now,
                   report=_text(report, "the report of what was done", "report"))
    return _with(whistle, task), task


def close_if_done(whistle: Whistle, now: dt.datetime) -> Whistle | None:
    """The closed whistle (闭环) when every task is complete, else None."""
    if whistle.status is WhistleStatus.CLOSED or any(
            t.status is not TaskStatus.COMPLETED for t in whistle.tasks):
        return None
    return replace(whistle, status=WhistleStatus.CLOSED, closed_at=now,
                   version=whistle.version + 1)


def overdue(whistle: Whistle, task: WhistleTask, now: dt.datetime) -> bool:
    """A department that has not reported in past the deadline (computed when read)."""
    return (whistle.status is WhistleStatus.OPEN and task.status is TaskStatus.SUMMONED
            and now > whistle.report_in_due.at)


def lateness(seconds: int) -> str:
    """'on time', '25 min late', '2 h 5 min late' — for history notes."""
    if seconds <= 0:
        return "on time"
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours} h {minutes} min late" if hours else f"{minutes} min late")
