"""Triage and dispatch (研判分拣、派单) as pure rules: what a dispatch order must hold, where an
escalation goes, which assignments a step acts on, and what a return, a reassignment or a
resolution leaves behind. The use cases (app/triage.py) load, lock and save; these functions
only decide, raising a domain error that names the input field to fix."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus, DelayOn, Role
from lianxin.tickets.domain.errors import IllegalTransition, InvalidTicket, NotFound, UnknownOrgUnit
from lianxin.tickets.domain.ticket import (
    MAX_TEXT_LENGTH,
    Deadline,
    OrgUnitRef,
    Outcome,
    Status,
    Ticket,
)

MAX_DUE_DAYS = 365      # working days one assignment may be given
MAX_CO_HANDLERS = 20    # co-handling departments on one dispatch
NAME_LENGTH = 100       # a responsible person's name


def text(value: str, what: str, field: str, limit: int = MAX_TEXT_LENGTH) -> str:
    """`value` stripped; InvalidTicket when it is empty or longer than `limit`."""
    cleaned = value.strip()
    if not cleaned:
        raise InvalidTicket(f"{what} is required", field=field)
    if len(cleaned) > limit:
        raise InvalidTicket(f"{what} is {len(cleaned)} characters; at most {limit}", field=field)
    return cleaned


def optional_text(value: str | None, what: str, field: str) -> str:
    """`value` stripped, "" when missing; InvalidTicket when too long."""
    return text(value, what, field) if value and value.strip() else ""


def _prefixed(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# --- orders ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AssignmentOrder:
    """What the dispatcher asks of one department (or of its own unit when handled here):
    a responsible person, a task, a completion standard and a deadline in working days
    (None: the governing policy's handle_days)."""

    department_id: uuid.UUID
    responsible_name: str
    task: str
    responsible_cadre_id: uuid.UUID | None = None
    standard: str | None = None
    due_working_days: int | None = None


@dataclass(frozen=True, slots=True)
class CheckedOrder:
    """An order whose texts are cleaned and whose unit is known; `field`: its input path."""

    order: AssignmentOrder
    unit: OrgUnitRef
    role: Role
    field: str


def check_order(order: AssignmentOrder, unit: OrgUnitRef, role: Role, prefix: str = "") -> CheckedOrder:
    """The order with its texts cleaned; InvalidTicket naming the field otherwise."""
    days = order.due_working_days
    if days is not None and not 1 <= days <= MAX_DUE_DAYS:
        raise InvalidTicket(f"dueWorkingDays must be between 1 and {MAX_DUE_DAYS}, got {days}",
                            field=_prefixed(prefix, "dueWorkingDays"))
    cleaned = replace(
        order,
        responsible_name=text(order.responsible_name, "the responsible person's name",
                              _prefixed(prefix, "responsibleName"), NAME_LENGTH),
        task=text(order.task, "the task", _prefixed(prefix, "task")),
        standard=optional_text(order.standard, "the completion standard",
                               _prefixed(prefix, "standard")))
    return CheckedOrder(cleaned, unit, role, prefix)


def check_dispatch(lead: AssignmentOrder, co_handlers: Sequence[AssignmentOrder],
                   units: Mapping[uuid.UUID, OrgUnitRef]) -> list[CheckedOrder]:
    """The lead and co-handling orders of a dispatch (派单), lead first. Each names a known
    department (NotFound / InvalidTicket naming e.g. "coHandlers[1].departmentId"), none twice.
    `units`: the org units the orders name, as far as the read model knows them."""
    if len(co_handlers) > MAX_CO_HANDLERS:
        raise InvalidTicket(f"{len(co_handlers)} co-handling departments; at most "
                            f"{MAX_CO_HANDLERS}", field="coHandlers")
    named = [(lead, Role.LEAD, "lead")] + [
        (o, Role.CO, f"coHandlers[{i}]") for i, o in enumerate(co_handlers)]
    checked: list[CheckedOrder] = []
    for order, role, prefix in named:
        field = f"{prefix}.departmentId"
        unit = units.get(order.department_id)
        if unit is None:
            raise UnknownOrgUnit(f"no org unit {order.department_id}", field=field)
        if unit.kind != "department":
            raise InvalidTicket(f"{unit.name} is a {unit.kind}; dispatch goes to departments "
                                "(handle it here or escalate instead)", field=field)
        if any(c.unit.id == unit.id for c in checked):
            raise InvalidTicket(f"{unit.name} is named twice; give each department one task",
                                field=field)
        checked.append(check_order(order, unit, role, prefix))
    return checked


def new_assignment(checked: CheckedOrder, *, assignment_id: uuid.UUID, ticket: Ticket,
                   due: Deadline, now: dt.datetime, by: str,
                   replaces_id: uuid.UUID | None = None) -> Assignment:
    o = checked.order
    return Assignment(
        id=assignment_id, ticket_id=ticket.id, department_id=checked.unit.id,
        department_path=checked.unit.path, role=checked.role,
        responsible_name=o.responsible_name, responsible_cadre_id=o.responsible_cadre_id,
        task=o.task, standard=o.standard or "", due=due, assigned_at=now, assigned_by=by,
        replaces_id=replaces_id)


# --- escalation --------------------------------------------------------------------------------
def escalation_target(ticket: Ticket, handling: OrgUnitRef | None,
                      parent: OrgUnitRef | None) -> OrgUnitRef:
    """The unit a ticket escalates to (上报): the parent of the unit handling it (grid → village
    → township → county). IllegalTransition when there is none above."""
    if handling is None:
        raise UnknownOrgUnit(f"org unit {ticket.handling_unit_id} handling ticket {ticket.code} "
                             "is not in the org read model yet; try again shortly",
                             field="ticketId")
    if handling.parent_id is None:
        raise IllegalTransition(f"ticket {ticket.code} is handled by {handling.name}, the top "
                                "of the org tree; there is no level above to escalate to — "
                                "dispatch it, handle it here or explain it", field="ticketId",
                                status=ticket.status.name, action="ESCALATE")
    if parent is None:
        raise UnknownOrgUnit(f"the parent {handling.parent_id} of {handling.name} is not in the "
                             "org read model yet; try again shortly", field="ticketId")
    return parent


def escalation_cancels(ticket: Ticket, assignments: Sequence[Assignment]) -> list[Assignment]:
    """The active LOCAL assignment an escalation cancels. IllegalTransition while a department
    holds the ticket: it must return the dispatch first."""
    active = [a for a in assignments if a.active]
    held = [a for a in active if a.role is not Role.LOCAL]
    if held:
        raise IllegalTransition(
            f"ticket {ticket.code} is dispatched to a department; it must return it first (退单) "
            "before the ticket can be escalated", field="ticketId", status=ticket.status.name,
            action="ESCALATE")
    return active


def status_after_escalation(ticket: Ticket) -> Status:
    """A received ticket arrives received at the parent; any other arrives accepted."""
    return Status.RECEIVED if ticket.status is Status.RECEIVED else Status.ACCEPTED


def cancelled(a: Assignment, now: dt.datetime) -> Assignment:
    """Superseded: escalated away, or explained. `completed_at` records when it stopped."""
    return replace(a, status=AssignmentStatus.CANCELLED, completed_at=now)


# --- which assignment ---------------------------------------------------------------------------
def assignment_of(ticket: Ticket, assignments: Sequence[Assignment],
                  assignment_id: uuid.UUID) -> Assignment:
    for a in assignments:
        if a.id == assignment_id:
            return a
    raise NotFound(f"assignment {assignment_id} is not one of ticket {ticket.code}'s",
                   field="assignmentId")


def responsible(assignments: Sequence[Assignment]) -> Assignment | None:
    """The assignment answering for the ticket: the active LEAD or LOCAL one, else the latest
    finished one (a ticket reopened after its lead department was done)."""
    leads = [a for a in assignments if a.role in (Role.LEAD, Role.LOCAL)]
    active = [a for a in leads if a.active]
    if active:
        return active[-1]
    done = [a for a in leads if a.status is AssignmentStatus.DONE]
    return done[-1] if done else None


def answering(assignments: Sequence[Assignment]) -> Assignment | None:
    """The active LEAD or LOCAL assignment: the department working on the ticket now, if any."""
    lead = responsible(assignments)
    return lead if lead is not None and lead.active else None


def open_co_tasks(assignments: Sequence[Assignment]) -> list[Assignment]:
    return [a for a in assignments if a.role is Role.CO and a.active]


# --- return and reassign (退单 / 改派) ---------------------------------------------------------
def returnable(ticket: Ticket, assignment: Assignment) -> None:
    """Only the active lead of a dispatch sends it back; co-handlers and local work do not."""
    if assignment.role is not Role.LEAD:
        what = ("work handled at this level is escalated, not returned"
                if assignment.role is Role.LOCAL else
                "a co-handling department cannot return the dispatch; ask the lead department "
                "or the dispatcher")
        raise IllegalTransition(what, field="assignmentId", status=ticket.status.name,
                                action="RETURN")
    if not assignment.active:
        raise IllegalTransition(f"assignment {assignment.id} is {assignment.status.name}; only "
                                "an OPEN or IN_PROGRESS dispatch can be returned",
                                field="assignmentId", status=ticket.status.name, action="RETURN")


def returned(assignments: Sequence[Assignment], now: dt.datetime,
             reason: str) -> list[Assignment]:
    """Every active assignment of the dispatch (lead and co-handlers) marked RETURNED."""
    return [replace(a, status=AssignmentStatus.RETURNED, returned_at=now, return_reason=reason)
            for a in assignments if a.active]


def awaiting_reassignment(ticket: Ticket, assignments: Sequence[Assignment]) -> Assignment:
    """The lead assignment returned last, if it still waits to be reassigned (改派)."""
    back = [a for a in assignments if a.role is Role.LEAD
            and a.status is AssignmentStatus.RETURNED]
    last = max(back, key=lambda a: (a.returned_at or a.assigned_at, a.id), default=None)
    if last is None or last.delay_on is not None or any(
            a.replaces_id == last.id for a in assignments):
        raise IllegalTransition(f"ticket {ticket.code} has no returned dispatch waiting to be "
                                "reassigned; use dispatchTicket", field="ticketId",
                                status=ticket.status.name, action="REASSIGN")
    return last


def with_delay(a: Assignment, delay_on: DelayOn) -> Assignment:
    return replace(a, delay_on=delay_on)


# --- start, complete, resolve ------------------------------------------------------------------
def started(a: Assignment, now: dt.datetime) -> Assignment:
    """In progress from now (again, for a lead reopened after it was done)."""
    return replace(a, status=AssignmentStatus.IN_PROGRESS, started_at=now, completed_at=None)


def completed(ticket: Ticket, a: Assignment, now: dt.datetime, report: str) -> Assignment:
    """A co-handling department's task done, with its report."""
    if a.role is not Role.CO:
        raise IllegalTransition("this is the lead's assignment; the lead finishes with "
                                "resolveTicket", field="assignmentId", status=ticket.status.name,
                                action="COMPLETE_TASK")
    if not a.active:
        raise IllegalTransition(f"assignment {a.id} is {a.status.name}; only an OPEN or "
                                "IN_PROGRESS task can be completed", field="assignmentId",
                                status=ticket.status.name, action="COMPLETE_TASK")
    return done(a, now, report)


def done(a: Assignment, now: dt.datetime, report: str) -> Assignment:
    return replace(a, status=AssignmentStatus.DONE, completed_at=now, report=report)


def check_resolution(ticket: Ticket, outcome: Outcome, open_co: Sequence[Assignment],
                     names: Mapping[uuid.UUID, str]) -> None:
    """Resolving (办结) needs a real outcome and every co-handling task done."""
    if outcome is Outcome.EXPLAINED:
        raise InvalidTicket("an explained demand needs a reply to the resident: use "
                            "explainTicket", field="outcome")
    if open_co:
        waiting = "、".join(names.get(a.department_id, str(a.department_id)) for a in open_co)
        raise IllegalTransition(f"co-handling tasks are not done yet: {waiting}; they complete "
                                "them first (completeTask)", field="ticketId",
                                status=ticket.status.name, action="RESOLVE")


def on_time(due: Deadline | None, now: dt.datetime) -> bool:
    return due is None or now <= due.at
