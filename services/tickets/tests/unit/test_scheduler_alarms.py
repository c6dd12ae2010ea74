"""Which alarms are due, where supervision goes, and what a deadline counts from (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
import tickets_helpers as helpers
from lianxin.tickets.adapters.calendar_source import PackageCalendar
from lianxin.tickets.domain.calendar import WorkCalendar
from lianxin.tickets.domain.scheduling import (
    Alarm,
    deadline_basis,
    due_alarms,
    escalates,
    notice_stands,
    rating_window_over,
    running_clock,
    supervising_path,
)
from lianxin.tickets.domain.sla import DEFAULT_POLICY, Clock, SlaPolicy, SupervisionNotice
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import (
    Deadline,
    Status,
    Ticket,
)
from tickets_helpers import COUNTY, TOWN, VILLAGE, end_of

CAL = WorkCalendar({d.day: d.workday for d in PackageCalendar().days(2026)})
H = dt.timedelta(hours=1)
DUE = end_of(2026, 9, 30)   # the end of Wed Sep 30, just before National Day
LEVEL_2 = end_of(2026, 10, 10)  # 3 working days later: Oct 8, 9 and the make-up Saturday Oct 10


def ticket(**kw: object) -> Ticket:
    """Ticket S-1 received at the village, to be accepted by DUE."""
    return helpers.ticket(**{"id": uuid.UUID(int=99), "code": "S-1", "submitted_at": DUE - 30 * H,
                             "accept_due": Deadline(DUE), **kw})


def levels(t: Ticket, now: dt.datetime, policy: SlaPolicy = DEFAULT_POLICY
           ) -> list[tuple[Clock, int]]:
    return [(a.clock, a.level) for a in due_alarms(t, policy, CAL, now)]


@pytest.mark.parametrize(("now", "expected"), [
    (DUE - 25 * H, []),
    (DUE - 24 * H, [(Clock.ACCEPT, 0)]),
    (DUE - dt.timedelta(seconds=1), [(Clock.ACCEPT, 0)]),
    (DUE, [(Clock.ACCEPT, 1)]),                       # due soon is dropped once overdue
    (LEVEL_2 - dt.timedelta(seconds=1), [(Clock.ACCEPT, 1)]),
    (LEVEL_2, [(Clock.ACCEPT, 1), (Clock.ACCEPT, 2)]),  # a scheduler that was down gets both
])
def test_accept_clock_levels_over_national_day(now: dt.datetime,
                                               expected: list[tuple[Clock, int]]) -> None:
    assert levels(ticket(), now) == expected


def test_each_state_runs_its_own_clock() -> None:
    late = LEVEL_2 + H
    working = ticket(status=Status.IN_PROGRESS, handle_due=Deadline(DUE))
    assert levels(working, DUE) == [(Clock.HANDLE, 1)]
    resolved = ticket(status=Status.RESOLVED, handle_due=Deadline(DUE), feedback_due=Deadline(DUE))
    assert levels(resolved, DUE) == [(Clock.FEEDBACK, 1)]
    answered = dataclasses.replace(resolved, answered_at=DUE - H)
    assert levels(answered, late) == [] and running_clock(answered) is None
    assert levels(ticket(status=Status.CLOSED), late) == []
    assert levels(ticket(status=Status.MERGED), late) == []
    assert levels(ticket(status=Status.ACCEPTED), late) == []   # no handle deadline yet


def test_paused_tickets_raise_nothing() -> None:
    paused = ticket(status=Status.ASSIGNED, handle_due=Deadline(DUE), paused_at=DUE - 48 * H)
    assert levels(paused, LEVEL_2) == []
    assert running_clock(paused) == (Clock.HANDLE, Deadline(DUE))  # recomputing still sees it


def test_policy_sets_due_soon_window_and_level_two() -> None:
    policy = dataclasses.replace(DEFAULT_POLICY, due_soon_hours=2, escalate_after_days=0)
    assert levels(ticket(), DUE - 3 * H, policy) == []
    assert levels(ticket(), DUE - 2 * H, policy) == [(Clock.ACCEPT, 0)]
    assert levels(ticket(), DUE, policy) == [(Clock.ACCEPT, 1), (Clock.ACCEPT, 2)]


def test_alarms_show_as_due_soon_overdue_and_supervise() -> None:
    assert [Alarm(Clock.ACCEPT, n, DUE).action for n in (0, 1, 2)] == [
        Action.DUE_SOON, Action.OVERDUE, Action.SUPERVISE]


def test_notices_go_one_level_up_per_level_and_stop_at_the_top() -> None:
    path = (COUNTY, TOWN, VILLAGE)
    assert supervising_path(path, 1) == (COUNTY, TOWN)
    assert supervising_path(path, 2) == (COUNTY,)
    assert supervising_path(path, 3) == (COUNTY,)
    assert supervising_path((COUNTY,), 1) == (COUNTY,)


def test_only_level_two_of_the_accept_clock_escalates_and_only_by_policy() -> None:
    assert escalates(Alarm(Clock.ACCEPT, 2, DUE), DEFAULT_POLICY)
    assert not escalates(Alarm(Clock.ACCEPT, 1, DUE), DEFAULT_POLICY)
    assert not escalates(Alarm(Clock.HANDLE, 2, DUE), DEFAULT_POLICY)
    off = dataclasses.replace(DEFAULT_POLICY, escalate_on_overdue=False)
    assert not escalates(Alarm(Clock.ACCEPT, 2, DUE), off)


def test_rating_window_counts_calendar_days_from_the_answer() -> None:
    answered = ticket(status=Status.RESOLVED, answered_at=DUE)
    assert not rating_window_over(answered, DEFAULT_POLICY, DUE + dt.timedelta(days=7) - H)
    assert rating_window_over(answered, DEFAULT_POLICY, DUE + dt.timedelta(days=7))
    rated = dataclasses.replace(answered, rated_at=DUE + H)
    assert not rating_window_over(rated, DEFAULT_POLICY, DUE + dt.timedelta(days=30))


def test_a_notice_stands_while_its_clock_runs_on_the_same_deadline() -> None:
    notice = SupervisionNotice(uuid.uuid4(), uuid.UUID(int=99), Clock.ACCEPT, 1, TOWN,
                               (COUNTY, TOWN), DUE, DUE)
    assert notice_stands(ticket(), notice)
    assert not notice_stands(ticket(status=Status.ACCEPTED), notice)
    assert not notice_stands(ticket(accept_due=Deadline(DUE + 24 * H)), notice)
    assert not notice_stands(ticket(status=Status.CLOSED), notice)


def entry(version: int, action: Action, **details: str | int) -> HistoryEntry:
    return HistoryEntry(uuid.uuid4(), uuid.UUID(int=99), version, DUE, "x", "cadre", action,
                        None, Status.ASSIGNED, details=dict(details))


def test_deadline_basis_from_history_or_the_ticket() -> None:
    t = ticket()
    policy = dataclasses.replace(DEFAULT_POLICY, accept_days=2)
    assert deadline_basis(t, Clock.ACCEPT, [], policy) == (t.submitted_at, 2)
    assert deadline_basis(t, Clock.ACCEPT, [entry(1, Action.SUBMIT)], policy) == (
        t.submitted_at, 2)
    assert deadline_basis(t, Clock.HANDLE, [entry(1, Action.SUBMIT)], policy) is None
    start = "2026-09-29T07:00:00+00:00"
    dispatched = [entry(1, Action.SUBMIT), entry(2, Action.ACCEPT),
                  entry(3, Action.DISPATCH, due_start=start, due_days=10),
                  entry(4, Action.OVERDUE, clock="handle", level=1)]
    assert deadline_basis(t, Clock.HANDLE, dispatched, policy) == (
        dt.datetime.fromisoformat(start), 10)
    # A newer step that may have set the deadline without saying how: keep the deadline.
    assert deadline_basis(t, Clock.HANDLE, [*dispatched, entry(5, Action.REOPEN)], policy) is None
    escalated = [entry(1, Action.SUBMIT), entry(2, Action.ESCALATE)]
    assert deadline_basis(t, Clock.ACCEPT, escalated, policy) is None
    with_details = [*escalated, entry(3, Action.ESCALATE, due_clock="accept", due_start=start,
                                      due_days=1)]
    assert deadline_basis(t, Clock.ACCEPT, with_details, policy) == (
        dt.datetime.fromisoformat(start), 1)


def test_feedback_basis_is_the_resolution() -> None:
    resolved = ticket(status=Status.RESOLVED, resolved_at=DUE)
    history = [entry(1, Action.SUBMIT), entry(2, Action.RESOLVE_ON_SPOT)]
    assert deadline_basis(resolved, Clock.FEEDBACK, history, DEFAULT_POLICY) == (DUE, 3)
