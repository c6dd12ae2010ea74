"""Pure whistle rules (吹哨报到): report-in deadlines by urgency on the working-day calendar, who
blows, the task list, and each department's steps up to closing."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
import tickets_helpers as helpers
from lianxin.tickets.domain import whistle as rules
from lianxin.tickets.domain.calendar import WorkCalendar
from lianxin.tickets.domain.errors import IllegalTransition, InvalidTicket, NotFound, UnknownOrgUnit
from lianxin.tickets.domain.ticket import (
    Deadline,
    OrgUnitRef,
    Status,
    Ticket,
    Urgency,
)
from lianxin.tickets.domain.whistle import TaskOrder, TaskStatus, Whistle, WhistleStatus
from tickets_helpers import (
    COUNTY,
    GRID,
    HOUSING,
    OTHER_TOWN,
    TOWN,
    VILLAGE,
    WATER,
    china,
    unit,
)

UNITS = {u.id: u for u in helpers.UNITS}


def autumn_2026() -> WorkCalendar:
    """September–October 2026 as the State Council set it: Mid-Autumn Fri Sep 25, National Day
    Oct 1–7, make-up working days Sun Sep 20 and Sat Oct 10."""
    days, day = {}, dt.date(2026, 9, 1)
    while day < dt.date(2026, 11, 1):
        days[day] = day.weekday() < 5
        day += dt.timedelta(days=1)
    for off in [dt.date(2026, 9, 25), *(dt.date(2026, 10, d) for d in range(1, 8))]:
        days[off] = False
    days[dt.date(2026, 9, 20)] = days[dt.date(2026, 10, 10)] = True
    return WorkCalendar(days)


# --- report-in deadlines -------------------------------------------------------------------------
@pytest.mark.parametrize(("blown", "urgency", "due"), [
    # wall clock: a night on a public holiday does not stop the clock
    (china(2026, 10, 1, 23, 50), Urgency.EMERGENCY, china(2026, 10, 2, 0, 20)),
    (china(2026, 10, 3, 23, 0), Urgency.URGENT, china(2026, 10, 4, 1, 0)),
    # routine: the end of the next working day
    (china(2026, 9, 15, 9, 0), Urgency.ROUTINE, china(2026, 9, 17)),          # Tue → end of Wed
    (china(2026, 9, 18, 16, 0), Urgency.ROUTINE, china(2026, 9, 21)),         # Fri → make-up Sun 20
    (china(2026, 9, 24, 10, 0), Urgency.ROUTINE, china(2026, 9, 29)),         # Thu → Mid-Autumn → Mon 28
    (china(2026, 9, 30, 17, 0), Urgency.ROUTINE, china(2026, 10, 9)),         # Wed → National Day → Thu 8
    (china(2026, 10, 9, 11, 0), Urgency.ROUTINE, china(2026, 10, 11)),        # Fri → make-up Sat 10
    (china(2026, 10, 4, 11, 0), Urgency.ROUTINE, china(2026, 10, 9)),         # blown on a holiday
])
def test_report_in_deadline_by_urgency(blown: dt.datetime, urgency: Urgency,
                                       due: dt.datetime) -> None:
    got = rules.report_in_due(urgency, blown.astimezone(dt.UTC), autumn_2026())
    assert got == Deadline(due.astimezone(dt.UTC), provisional=False)


def test_routine_deadline_past_the_known_calendar_is_provisional() -> None:
    got = rules.report_in_due(Urgency.ROUTINE, china(2026, 12, 31, 10, 0), autumn_2026())
    assert got.provisional and got.at == china(2027, 1, 2)     # Fri Jan 1 counted as a weekday


# --- who blows ----------------------------------------------------------------------------------
def ticket(handling: uuid.UUID = VILLAGE, status: Status = Status.ASSIGNED) -> Ticket:
    """An urgent ticket W-1 placed at the grid, held by `handling`."""
    return helpers.ticket(id=unit(100), code="W-1", org_unit_id=GRID, urgency=Urgency.URGENT,
                          handling_unit_id=handling, status=status)


def handling_units(t: Ticket) -> list[OrgUnitRef]:
    return [UNITS[i] for i in t.handling_path]


@pytest.mark.parametrize(("handling", "blower"), [(VILLAGE, VILLAGE), (GRID, VILLAGE),
                                                   (TOWN, TOWN)])
def test_the_blower_defaults_to_the_nearest_township_or_village_handling_it(
        handling: uuid.UUID, blower: uuid.UUID) -> None:
    t = ticket(handling)
    assert rules.choose_blower(t, handling_units(t), None).id == blower


def test_a_ticket_handled_by_the_county_needs_a_named_blower() -> None:
    t = ticket(COUNTY)
    with pytest.raises(InvalidTicket, match="name blowerUnitId") as err:
        rules.choose_blower(t, handling_units(t), None)
    assert err.value.details["field"] == "blowerUnitId"
    # the township on the ticket's place path may blow it
    assert rules.choose_blower(t, handling_units(t), UNITS[TOWN]).id == TOWN


@pytest.mark.parametrize(("named", "message"), [
    (OTHER_TOWN, "通关镇 is not on the path of ticket W-1"),
    (WATER, "县水务局 is a department; only a township"),
    (COUNTY, "墨江县 is a county; only a township, village or community blows"),
    (GRID, "玉溪村第一网格 is a grid; only a township"),
])
def test_only_a_township_or_village_on_the_path_may_be_named(named: uuid.UUID,
                                                             message: str) -> None:
    t = ticket()
    with pytest.raises(InvalidTicket, match=message) as err:
        rules.choose_blower(t, handling_units(t), UNITS[named])
    assert err.value.details["field"] == "blowerUnitId"


# --- the task list ------------------------------------------------------------------------------
BLOWN = china(2026, 9, 15, 9, 0).astimezone(dt.UTC)
DUE = Deadline(BLOWN + dt.timedelta(hours=2))


def blow(*orders: TaskOrder, reason: str = "停水涉及管网和房屋") -> Whistle:
    ids = (unit(1000 + i) for i in itertools.count())
    return rules.blow(whistle_id=unit(900), ticket=ticket(), blower=UNITS[VILLAGE],
                      urgency=Urgency.URGENT, reason=reason, orders=orders, departments=UNITS,
                      blown_at=BLOWN, blown_by="cadre-1", due=DUE, new_id=lambda: next(ids))


TWO = (TaskOrder(WATER, "抢修供水管网"), TaskOrder(HOUSING, "排查房屋渗漏"))


def test_one_task_per_department_in_the_order_given() -> None:
    w = blow(*TWO)
    assert [(t.department_id, t.task, t.status) for t in w.tasks] == [
        (WATER, "抢修供水管网", TaskStatus.SUMMONED), (HOUSING, "排查房屋渗漏", TaskStatus.SUMMONED)]
    assert (w.status, w.version, w.blower_path, w.report_in_due) == (
        WhistleStatus.OPEN, 1, (COUNTY, TOWN, VILLAGE), DUE)
    assert w.tasks[0].department_path == (COUNTY, WATER)


@pytest.mark.parametrize(("orders", "reason", "error", "field", "message"), [
    ((), "原因", InvalidTicket, "tasks", "at least one department"),
    ((TaskOrder(WATER, "a"), TaskOrder(WATER, "b")), "原因", InvalidTicket, "departmentId",
     "县水务局 is named twice"),
    ((TaskOrder(TOWN, "a"),), "原因", InvalidTicket, "departmentId",
     "联珠镇 is a township; a whistle summons departments"),
    ((TaskOrder(unit(404), "a"),), "原因", UnknownOrgUnit, "departmentId", "no org unit"),
    ((TaskOrder(WATER, "  "),), "原因", InvalidTicket, "task", "the task of 县水务局 is required"),
    ((TaskOrder(WATER, "a"),), " ", InvalidTicket, "reason", "reason for the whistle is required"),
])
def test_a_bad_task_list_is_refused(orders: tuple[TaskOrder, ...], reason: str,
                                    error: type[Exception], field: str, message: str) -> None:
    with pytest.raises(error, match=message) as err:
        blow(*orders, reason=reason)
    assert err.value.details["field"] == field  # type: ignore[attr-defined]


# --- report in, handle, complete, close ---------------------------------------------------------
def test_reporting_in_records_lateness_per_department() -> None:
    w = blow(*TWO)
    w, water = rules.report_in(w, WATER, BLOWN + dt.timedelta(minutes=50))
    w, housing = rules.report_in(w, HOUSING, DUE.at + dt.timedelta(minutes=25, seconds=3))
    assert (water.status, water.late, water.late_seconds) == (TaskStatus.REPORTED, False, 0)
    assert (housing.late, housing.late_seconds) == (True, 25 * 60 + 3)
    assert housing.reported_at == DUE.at + dt.timedelta(minutes=25, seconds=3)
    assert w.tasks == (water, housing) and w.version == 3
    assert rules.lateness(housing.late_seconds or 0) == "26 min late"
    assert rules.lateness(2 * 3600 + 300) == "2 h 5 min late"
    assert rules.lateness(0) == "on time"


def test_overdue_until_reported_in() -> None:
    w = blow(*TWO)
    after = DUE.at + dt.timedelta(seconds=1)
    assert not rules.overdue(w, w.tasks[0], DUE.at)
    assert rules.overdue(w, w.tasks[0], after)
    w, water = rules.report_in(w, WATER, after)
    assert not rules.overdue(w, water, after) and rules.overdue(w, w.tasks[1], after)


def test_all_tasks_complete_closes_the_whistle() -> None:
    w = blow(*TWO)
    now = BLOWN + dt.timedelta(hours=1)
    w, _ = rules.report_in(w, WATER, now)
    w, _ = rules.report_in(w, HOUSING, now)
    w, water = rules.start_task(w, WATER, now)
    assert (water.status, water.started_at) == (TaskStatus.HANDLING, now)
    w, water = rules.complete_task(w, WATER, now + dt.timedelta(hours=3), " 管网已修复 ")
    assert (water.status, water.report) == (TaskStatus.COMPLETED, "管网已修复")
    assert rules.close_if_done(w, now) is None
    # completing straight from REPORTED: handled and finished at once
    later = now + dt.timedelta(days=1)
    w, housing = rules.complete_task(w, HOUSING, later, "已排查")
    assert (housing.started_at, housing.completed_at) == (later, later)
    closed = rules.close_if_done(w, later)
    assert closed is not None
    assert (closed.status, closed.closed_at, closed.version) == (
        WhistleStatus.CLOSED, later, w.version + 1) and w.version == 6
    with pytest.raises(IllegalTransition, match="CLOSED; nothing more") as err:
        rules.start_task(closed, WATER, later)
    assert err.value.details["field"] == "whistleId"


@pytest.mark.parametrize(("steps", "message"), [
    (["complete"], "SUMMONED; complete is allowed only when it is REPORTED or HANDLING — "
                   "report in first"),
    (["start"], "SUMMONED; start is allowed only when it is REPORTED — report in first"),
    (["report", "report"], "REPORTED; report in is allowed only when it is SUMMONED"),
    (["report", "start", "start"], "HANDLING; start is allowed only when it is REPORTED"),
    (["report", "complete", "complete"], "COMPLETED; complete is allowed only"),
])
def test_steps_out_of_order_are_illegal(steps: list[str], message: str) -> None:
    w = blow(*TWO)
    act = {"report": lambda w: rules.report_in(w, WATER, BLOWN),
           "start": lambda w: rules.start_task(w, WATER, BLOWN),
           "complete": lambda w: rules.complete_task(w, WATER, BLOWN, "done")}
    with pytest.raises(IllegalTransition, match=message) as err:
        for step in steps:
            w, _ = act[step](w)
    assert err.value.details["field"] == "departmentId"


def test_a_department_not_summoned_has_no_task() -> None:
    with pytest.raises(NotFound, match="was not summoned") as err:
        rules.report_in(blow(TWO[0]), HOUSING, BLOWN)
    assert err.value.details["field"] == "departmentId"


def test_completing_needs_a_report() -> None:
    w, _ = rules.report_in(blow(*TWO), WATER, BLOWN)
    with pytest.raises(InvalidTicket, match="report of what was done is required"):
        rules.complete_task(w, WATER, BLOWN, "  ")
