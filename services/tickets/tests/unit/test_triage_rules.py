"""Triage and dispatch rules (domain/triage.py), without a database."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

import pytest
import tickets_helpers as helpers
from lianxin.tickets.domain import triage as rules
from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus, DelayOn, Role
from lianxin.tickets.domain.errors import IllegalTransition, InvalidTicket, NotFound, UnknownOrgUnit
from lianxin.tickets.domain.ticket import (
    Deadline,
    Outcome,
    Status,
    Ticket,
)
from lianxin.tickets.domain.triage import AssignmentOrder
from tickets_helpers import COUNTY, HOUSING, TOWN, TRANSPORT, VILLAGE, WATER

UNITS = {u.id: u for u in helpers.UNITS}
NOW = dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.UTC)
DUE = Deadline(dt.datetime(2026, 10, 19, 16, 0, tzinfo=dt.UTC))


def ticket(status: Status = Status.ACCEPTED, handling: tuple[uuid.UUID, ...] = (
        COUNTY, TOWN, VILLAGE)) -> Ticket:
    """Ticket 99 at the village, held by the last unit of `handling`."""
    return helpers.ticket(id=uuid.UUID(int=99), code="T-1", submitted_by="cadre", submitted_at=NOW,
                          handling_path=handling, status=status)


def order(dept: uuid.UUID = WATER, **kw: Any) -> AssignmentOrder:
    values: dict[str, Any] = {"responsible_name": "李四", "task": "三日内恢复供水", **kw}
    return AssignmentOrder(department_id=dept, **values)


def assignment(role: Role = Role.LEAD, status: AssignmentStatus = AssignmentStatus.OPEN,
               dept: uuid.UUID = WATER, n: int = 1, **kw: Any) -> Assignment:
    return replace(Assignment(
        id=uuid.UUID(int=1000 + n), ticket_id=uuid.UUID(int=99), department_id=dept,
        department_path=UNITS[dept].path, role=role, responsible_name="李四", task="修",
        due=DUE, assigned_at=NOW + dt.timedelta(hours=n), assigned_by="cadre", status=status),
        **kw)


# --- dispatch orders ---------------------------------------------------------------------------
def test_a_dispatch_lists_the_lead_first_with_cleaned_texts() -> None:
    checked = rules.check_dispatch(order(responsible_name=" 李四 ", standard="  "),
                                   [order(HOUSING, task=" 修补渗漏 ", standard="不再渗水")], UNITS)
    assert [(c.unit.id, c.role, c.field) for c in checked] == [
        (WATER, Role.LEAD, "lead"), (HOUSING, Role.CO, "coHandlers[0]")]
    assert checked[0].order.responsible_name == "李四" and checked[0].order.standard == ""
    assert (checked[1].order.task, checked[1].order.standard) == ("修补渗漏", "不再渗水")


@pytest.mark.parametrize(("lead", "co", "error", "field"), [
    (order(uuid.UUID(int=404)), [], UnknownOrgUnit, "lead.departmentId"),
    (order(), [order(HOUSING), order(uuid.UUID(int=404))], UnknownOrgUnit,
     "coHandlers[1].departmentId"),
    (order(TOWN), [], InvalidTicket, "lead.departmentId"),
    (order(), [order(HOUSING), order(WATER)], InvalidTicket, "coHandlers[1].departmentId"),
    (order(responsible_name=" "), [], InvalidTicket, "lead.responsibleName"),
    (order(responsible_name="李" * 101), [], InvalidTicket, "lead.responsibleName"),
    (order(), [order(HOUSING, task="")], InvalidTicket, "coHandlers[0].task"),
    (order(due_working_days=0), [], InvalidTicket, "lead.dueWorkingDays"),
    (order(), [order(HOUSING, due_working_days=366)], InvalidTicket,
     "coHandlers[0].dueWorkingDays"),
    (order(standard="x" * 5001), [], InvalidTicket, "lead.standard"),
])
def test_a_bad_dispatch_names_the_field_to_fix(lead: AssignmentOrder, co: list[AssignmentOrder],
                                               error: type[Exception], field: str) -> None:
    with pytest.raises(error) as caught:
        rules.check_dispatch(lead, co, UNITS)
    assert caught.value.details["field"] == field  # type: ignore[attr-defined]


def test_too_many_co_handlers_are_refused() -> None:
    with pytest.raises(InvalidTicket, match="at most 20"):
        rules.check_dispatch(order(), [order(HOUSING)] * 21, UNITS)


def test_a_local_order_names_plain_fields() -> None:
    with pytest.raises(InvalidTicket) as caught:
        rules.check_order(order(VILLAGE, task=" "), UNITS[VILLAGE], Role.LOCAL)
    assert caught.value.details["field"] == "task"


def test_a_new_assignment_carries_the_order_and_what_it_replaces() -> None:
    [checked] = rules.check_dispatch(order(standard="户户通水"), [], UNITS)
    a = rules.new_assignment(checked, assignment_id=uuid.UUID(int=7), ticket=ticket(), due=DUE,
                             now=NOW, by="cadre", replaces_id=uuid.UUID(int=6))
    assert (a.department_id, a.department_path, a.role, a.status) == (
        WATER, (COUNTY, WATER), Role.LEAD, AssignmentStatus.OPEN)
    assert (a.standard, a.due, a.replaces_id, a.ticket_id) == (
        "户户通水", DUE, uuid.UUID(int=6), uuid.UUID(int=99))


# --- escalation --------------------------------------------------------------------------------
def test_escalation_goes_to_the_parent_and_stops_at_the_top() -> None:
    assert rules.escalation_target(ticket(), UNITS[VILLAGE], UNITS[TOWN]) == UNITS[TOWN]
    with pytest.raises(IllegalTransition, match="top of the org tree"):
        rules.escalation_target(ticket(handling=(COUNTY,)), UNITS[COUNTY], None)
    with pytest.raises(UnknownOrgUnit):
        rules.escalation_target(ticket(), None, None)
    with pytest.raises(UnknownOrgUnit, match="not in the org read model"):
        rules.escalation_target(ticket(), UNITS[VILLAGE], None)


def test_escalation_cancels_local_work_and_waits_for_a_department() -> None:
    local = assignment(Role.LOCAL, dept=WATER)
    old = assignment(status=AssignmentStatus.RETURNED, n=0)
    assert rules.escalation_cancels(ticket(Status.ASSIGNED), [old, local]) == [local]
    assert rules.escalation_cancels(ticket(), [old]) == []
    with pytest.raises(IllegalTransition, match="return it first"):
        rules.escalation_cancels(ticket(Status.IN_PROGRESS), [
            assignment(status=AssignmentStatus.IN_PROGRESS), assignment(Role.CO, dept=HOUSING)])
    with pytest.raises(IllegalTransition, match="return it first"):
        rules.escalation_cancels(ticket(Status.ASSIGNED), [
            assignment(status=AssignmentStatus.DONE), assignment(Role.CO, dept=HOUSING)])


@pytest.mark.parametrize(("before", "after"), [
    (Status.RECEIVED, Status.RECEIVED), (Status.ACCEPTED, Status.ACCEPTED),
    (Status.ASSIGNED, Status.ACCEPTED), (Status.IN_PROGRESS, Status.ACCEPTED)])
def test_a_received_ticket_arrives_received_any_other_accepted(before: Status,
                                                               after: Status) -> None:
    assert rules.status_after_escalation(ticket(before)) is after


def test_cancelled_records_when_it_stopped() -> None:
    a = rules.cancelled(assignment(), NOW)
    assert (a.status, a.completed_at, a.active) == (AssignmentStatus.CANCELLED, NOW, False)


# --- which assignment ---------------------------------------------------------------------------
def test_the_responsible_assignment_is_the_active_lead_else_the_last_done() -> None:
    returned = assignment(status=AssignmentStatus.RETURNED, n=1)
    done = assignment(Role.LOCAL, status=AssignmentStatus.DONE, n=2)
    lead = assignment(n=3)
    co = assignment(Role.CO, dept=HOUSING, n=4)
    assert rules.responsible([returned, done, lead, co]) == lead
    assert rules.responsible([returned, done, co]) == done
    assert rules.responsible([returned, co]) is None
    assert rules.open_co_tasks([lead, co, replace(co, status=AssignmentStatus.DONE)]) == [co]


def test_an_assignment_of_another_ticket_is_not_found() -> None:
    a = assignment()
    assert rules.assignment_of(ticket(), [a], a.id) == a
    with pytest.raises(NotFound) as caught:
        rules.assignment_of(ticket(), [a], uuid.UUID(int=5))
    assert caught.value.details["field"] == "assignmentId"


# --- return and reassign -----------------------------------------------------------------------
def test_only_the_active_lead_returns_a_dispatch() -> None:
    rules.returnable(ticket(Status.ASSIGNED), assignment())
    with pytest.raises(IllegalTransition, match="co-handling department cannot return"):
        rules.returnable(ticket(Status.ASSIGNED), assignment(Role.CO))
    with pytest.raises(IllegalTransition, match="escalated, not returned"):
        rules.returnable(ticket(Status.ASSIGNED), assignment(Role.LOCAL))
    with pytest.raises(IllegalTransition, match="RETURNED"):
        rules.returnable(ticket(Status.ASSIGNED), assignment(status=AssignmentStatus.RETURNED))


def test_a_return_sends_back_every_open_assignment_but_keeps_done_work() -> None:
    lead, co = assignment(), assignment(Role.CO, dept=HOUSING, n=2)
    finished = assignment(Role.CO, AssignmentStatus.DONE, dept=TRANSPORT, n=3)
    back = rules.returned([lead, co, finished], NOW, "不属本单位职责")
    assert [(a.id, a.status, a.returned_at, a.return_reason) for a in back] == [
        (lead.id, AssignmentStatus.RETURNED, NOW, "不属本单位职责"),
        (co.id, AssignmentStatus.RETURNED, NOW, "不属本单位职责")]


def test_reassignment_takes_the_last_returned_lead_once() -> None:
    first = assignment(status=AssignmentStatus.RETURNED, n=1, returned_at=NOW)
    later = assignment(status=AssignmentStatus.RETURNED, dept=HOUSING, n=2,
                       returned_at=NOW + dt.timedelta(days=1))
    co = assignment(Role.CO, AssignmentStatus.RETURNED, dept=TRANSPORT, n=3,
                    returned_at=NOW + dt.timedelta(days=2))
    assert rules.awaiting_reassignment(ticket(), [first, later, co]) == later
    with pytest.raises(IllegalTransition, match="no returned dispatch"):
        rules.awaiting_reassignment(ticket(), [])
    with pytest.raises(IllegalTransition, match="no returned dispatch"):
        rules.awaiting_reassignment(ticket(), [first, rules.with_delay(later, DelayOn.DEPARTMENT)])
    with pytest.raises(IllegalTransition, match="no returned dispatch"):
        rules.awaiting_reassignment(ticket(), [first, later, assignment(
            n=4, replaces_id=later.id, status=AssignmentStatus.DONE)])


# --- start, complete, resolve ------------------------------------------------------------------
def test_starting_again_after_a_reopen_clears_the_completion() -> None:
    a = rules.started(assignment(status=AssignmentStatus.DONE, completed_at=NOW), NOW)
    assert (a.status, a.started_at, a.completed_at) == (AssignmentStatus.IN_PROGRESS, NOW, None)


def test_only_an_open_co_handling_task_is_completed() -> None:
    a = rules.completed(ticket(Status.ASSIGNED), assignment(Role.CO), NOW, "已完成")
    assert (a.status, a.completed_at, a.report) == (AssignmentStatus.DONE, NOW, "已完成")
    with pytest.raises(IllegalTransition, match="resolveTicket"):
        rules.completed(ticket(Status.ASSIGNED), assignment(), NOW, "已完成")
    with pytest.raises(IllegalTransition, match="DONE"):
        rules.completed(ticket(Status.ASSIGNED), a, NOW, "again")


def test_resolving_waits_for_co_handlers_and_refuses_explained() -> None:
    co = assignment(Role.CO, dept=HOUSING)
    rules.check_resolution(ticket(Status.IN_PROGRESS), Outcome.PARTIALLY_SOLVED, [], {})
    with pytest.raises(IllegalTransition, match="not done yet: 县住建局"):
        rules.check_resolution(ticket(Status.IN_PROGRESS), Outcome.SOLVED, [co],
                               {HOUSING: "县住建局"})
    with pytest.raises(InvalidTicket, match="explainTicket") as caught:
        rules.check_resolution(ticket(Status.IN_PROGRESS), Outcome.EXPLAINED, [], {})
    assert caught.value.details["field"] == "outcome"


def test_on_time_means_by_the_deadline() -> None:
    assert rules.on_time(None, NOW)
    assert rules.on_time(DUE, DUE.at)
    assert not rules.on_time(DUE, DUE.at + dt.timedelta(seconds=1))
