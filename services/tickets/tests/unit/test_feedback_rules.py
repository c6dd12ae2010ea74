"""Feedback, merge, pause and extension as pure rules (domain/feedback.py, domain/holds.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest
import tickets_helpers as helpers
from lianxin.tickets.domain import feedback as rules
from lianxin.tickets.domain import holds
from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus, Role
from lianxin.tickets.domain.calendar import CHINA, WorkCalendar
from lianxin.tickets.domain.errors import IllegalTransition, InvalidTicket, NotFound
from lianxin.tickets.domain.sla import DEFAULT_POLICY, Extension, ExtensionStatus
from lianxin.tickets.domain.ticket import (
    Channel,
    CloseReason,
    Deadline,
    Outcome,
    Satisfaction,
    Status,
    Ticket,
)
from tickets_helpers import COUNTY, TOWN, WATER

NOW = dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC)   # a Tuesday, 10:00 in China
HOUR = dt.timedelta(hours=1)


def ticket(status: Status = Status.RESOLVED, **kw: object) -> Ticket:
    """Ticket F-1 at the town, submitted 100 hours ago."""
    return helpers.ticket(**{"id": uuid.UUID(int=99), "code": "F-1", "org_unit_id": TOWN,
                             "submitted_at": NOW - 100 * HOUR, "status": status, **kw})


def assignment(role: Role = Role.LEAD, status: AssignmentStatus = AssignmentStatus.DONE,
               unit: uuid.UUID = WATER, n: int = 1) -> Assignment:
    return Assignment(id=uuid.UUID(int=500 + n), ticket_id=uuid.UUID(int=99), department_id=unit,
                      department_path=(COUNTY, unit), role=role, responsible_name="张三", task="修",
                      due=Deadline(NOW), assigned_at=NOW - n * HOUR, assigned_by="x",
                      status=status)


ANSWERED = ticket(outcome=Outcome.SOLVED, resolution="修好了", resolved_at=NOW - 50 * HOUR,
                  answer="已修复", answer_channel=Channel.HOTLINE, answered_at=NOW - 48 * HOUR,
                  feedback_due=Deadline(NOW - 40 * HOUR), on_the_spot=True)


# --- answer -----------------------------------------------------------------------------------
def test_an_answer_records_reply_channel_and_time() -> None:
    t = ticket(feedback_due=Deadline(NOW + HOUR))
    after = rules.answered(t, NOW, "  已修复  ", Channel.WECHAT)
    assert (after.answer, after.answer_channel, after.answered_at, after.version) == (
        "已修复", Channel.WECHAT, NOW, t.version + 1)


def test_a_second_answer_is_an_illegal_transition() -> None:
    with pytest.raises(IllegalTransition, match="already answered"):
        rules.answered(ANSWERED, NOW, "again", Channel.WECHAT)


def test_an_empty_reply_names_the_field() -> None:
    with pytest.raises(InvalidTicket) as err:
        rules.answered(ticket(), NOW, "  ", Channel.WECHAT)
    assert err.value.details["field"] == "reply"


@pytest.mark.parametrize(("due", "on_time"), [(None, True), (NOW, True), (NOW - HOUR, False)])
def test_answer_on_time_against_the_feedback_deadline(due: dt.datetime | None,
                                                      on_time: bool) -> None:
    t = ticket(feedback_due=Deadline(due) if due else None)
    assert rules.answer_on_time(t, NOW) is on_time


# --- rating and reopening ---------------------------------------------------------------------
def test_rating_before_the_answer_is_illegal() -> None:
    with pytest.raises(IllegalTransition, match="not been answered"):
        rules.rated(ticket(), NOW, True, Satisfaction.SATISFIED, by_staff=False)


@pytest.mark.parametrize("satisfaction", [Satisfaction.SATISFIED,
                                          Satisfaction.BASICALLY_SATISFIED])
def test_a_satisfied_rating_closes(satisfaction: Satisfaction) -> None:
    after = rules.rated(ANSWERED, NOW, False, satisfaction, by_staff=True)
    assert (after.status, after.close_reason, after.closed_at) == (
        Status.CLOSED, CloseReason.RATED, NOW)
    assert (after.solved, after.satisfaction, after.rated_at, after.rated_by_staff) == (
        False, satisfaction, NOW, True)


def test_a_dissatisfied_rating_leaves_reopening_to_reopened() -> None:
    rated = rules.rated(ANSWERED, NOW, False, Satisfaction.DISSATISFIED, by_staff=False)
    assert rated.status is Status.RESOLVED and rated.satisfaction is Satisfaction.DISSATISFIED
    due = Deadline(NOW + 240 * HOUR)
    after = rules.reopened(rated, due)
    assert (after.status, after.reopen_count, after.handle_due, after.version) == (
        Status.ASSIGNED, 1, due, ANSWERED.version + 1)
    cleared = ("outcome", "resolution", "resolved_at", "answer", "answer_channel",
               "answered_at", "feedback_due", "solved", "satisfaction", "rated_at",
               "rated_by_staff")
    assert {f: getattr(after, f) for f in cleared} == dict.fromkeys(cleared)
    assert after.on_the_spot is False


def test_reopening_picks_the_last_finished_lead_or_local_assignment() -> None:
    t = ANSWERED
    co = assignment(Role.CO, n=1)
    first, last = assignment(n=2), assignment(n=3)
    assert rules.to_reopen(t, [first, co, last]) == last
    assert rules.to_reopen(t, [co]) is None
    assert rules.to_reopen(t, []) is None
    returned = assignment(status=AssignmentStatus.RETURNED, n=4)
    assert rules.to_reopen(t, [first, returned]) is None
    explained = assignment(status=AssignmentStatus.CANCELLED, n=5)
    assert rules.to_reopen(t, [explained]) == explained
    # local work of a unit the ticket was escalated away from stays cancelled
    gone = assignment(Role.LOCAL, AssignmentStatus.CANCELLED, unit=uuid.UUID(int=7), n=6)
    assert rules.to_reopen(t, [gone]) is None
    here = assignment(Role.LOCAL, AssignmentStatus.CANCELLED, unit=TOWN, n=7)
    assert rules.to_reopen(t, [here]) == here


def test_a_reopened_assignment_is_open_again_with_the_new_due() -> None:
    a = replace(assignment(), completed_at=NOW - HOUR, report="done")
    due = Deadline(NOW + 100 * HOUR, True)
    again = rules.reopened_assignment(a, due)
    assert (again.status, again.due, again.completed_at) == (AssignmentStatus.OPEN, due, None)


# --- closing without a rating -----------------------------------------------------------------
def test_unrated_closes_only_after_the_rating_days() -> None:
    answered_at = ANSWERED.answered_at
    assert answered_at is not None
    ends = answered_at + dt.timedelta(days=DEFAULT_POLICY.rating_days)
    with pytest.raises(IllegalTransition, match="may rate it until"):
        rules.closed_unrated(ANSWERED, DEFAULT_POLICY, ends - dt.timedelta(seconds=1))
    after = rules.closed_unrated(ANSWERED, DEFAULT_POLICY, ends)
    assert (after.status, after.close_reason, after.closed_at) == (
        Status.CLOSED, CloseReason.NO_RATING, ends)


def test_an_unanswered_or_rated_ticket_is_never_due_to_close_unrated() -> None:
    late = NOW + dt.timedelta(days=30)
    assert not rules.unrated_due(ticket(), DEFAULT_POLICY, late)
    assert not rules.unrated_due(replace(ANSWERED, rated_at=NOW), DEFAULT_POLICY, late)
    assert not rules.unrated_due(replace(ANSWERED, status=Status.CLOSED), DEFAULT_POLICY, late)
    with pytest.raises(IllegalTransition, match="not been answered"):
        rules.closed_unrated(ticket(), DEFAULT_POLICY, late)


# --- merge ------------------------------------------------------------------------------------
def test_merge_into_an_open_master() -> None:
    dup = ticket(Status.ACCEPTED, paused_at=NOW - HOUR)
    master = ticket(Status.ASSIGNED, id=uuid.UUID(int=1000), code="F-2")
    after = rules.merged(dup, master, [], NOW)
    assert (after.status, after.master_id, after.paused_at) == (Status.MERGED, master.id, None)


def test_merge_refusals_name_the_master_field() -> None:
    dup = ticket(Status.ACCEPTED)
    with pytest.raises(InvalidTicket, match="itself") as err:
        rules.merged(dup, dup, [], NOW)
    assert err.value.details["field"] == "masterId"
    with pytest.raises(NotFound):
        rules.merged(dup, None, [], NOW)
    for status in (Status.MERGED, Status.CLOSED):
        master = ticket(status, id=uuid.UUID(int=1000), code="F-2", master_id=uuid.UUID(int=5))
        with pytest.raises(IllegalTransition, match=status.name) as illegal:
            rules.merged(dup, master, [], NOW)
        assert illegal.value.details["field"] == "masterId"


def test_a_master_of_others_is_not_merged_in_turn() -> None:
    dup = ticket(Status.ACCEPTED)
    master = ticket(Status.ASSIGNED, id=uuid.UUID(int=1000), code="F-2")
    follower = ticket(Status.MERGED, id=uuid.UUID(int=1001), code="F-3", master_id=dup.id)
    with pytest.raises(IllegalTransition, match="master of F-3; merge F-2 into F-1"):
        rules.merged(dup, master, [follower], NOW)


# --- pause and resume -------------------------------------------------------------------------
def test_pause_once_and_resume_only_when_paused() -> None:
    t = ticket(Status.ASSIGNED)
    paused = holds.paused(t, NOW)
    assert paused.paused_at == NOW
    with pytest.raises(IllegalTransition, match="already paused"):
        holds.paused(paused, NOW)
    with pytest.raises(IllegalTransition, match="not paused"):
        holds.paused_for(t, NOW)
    assert holds.paused_for(paused, NOW + 5 * HOUR) == 5 * HOUR


def test_resume_moves_deadlines_still_ahead_by_the_pause() -> None:
    t = ticket(Status.ASSIGNED, paused_at=NOW, accept_due=Deadline(NOW - 90 * HOUR),
               handle_due=Deadline(NOW + 10 * HOUR, True))
    after = holds.resumed(t, NOW + 3 * HOUR, 3 * HOUR)
    assert after.paused_at is None
    assert after.handle_due == Deadline(NOW + 13 * HOUR, True)
    assert after.accept_due == t.accept_due       # acceptance is done: its deadline is history
    assert after.feedback_due is None


def test_resume_shifts_only_active_assignments() -> None:
    active = assignment(status=AssignmentStatus.IN_PROGRESS, n=1)
    done = assignment(Role.CO, AssignmentStatus.DONE, n=2)
    [moved] = holds.shifted([active, done], 2 * HOUR)
    assert (moved.id, moved.due.at) == (active.id, active.due.at + 2 * HOUR)
    assert holds.hours(dt.timedelta(minutes=90)) == 1.5


# --- extension --------------------------------------------------------------------------------
def _request(days: int = 5, existing: tuple[Extension, ...] = ()) -> Extension:
    return holds.requested_extension(ticket(Status.ASSIGNED), uuid.UUID(int=7), days, " 材料 ",
                                     existing, NOW, "water-cadre")


def test_an_extension_request_is_pending_with_a_reason() -> None:
    e = _request()
    assert (e.status, e.reason, e.requested_by, e.working_days) == (
        ExtensionStatus.PENDING, "材料", "water-cadre", 5)


@pytest.mark.parametrize("days", [0, 61])
def test_extension_days_are_bounded(days: int) -> None:
    with pytest.raises(InvalidTicket) as err:
        _request(days)
    assert err.value.details["field"] == "workingDays"


def test_one_pending_extension_at_a_time() -> None:
    with pytest.raises(IllegalTransition, match="already has an extension"):
        _request(existing=(_request(),))
    rejected = replace(_request(), status=ExtensionStatus.REJECTED)
    assert _request(existing=(rejected,)).status is ExtensionStatus.PENDING


def test_deciding_an_extension() -> None:
    t, e = ticket(Status.ASSIGNED), _request()
    approved = holds.decided(t, e, True, None, NOW, "town-cadre")
    assert (approved.status, approved.decided_by, approved.decision_note) == (
        ExtensionStatus.APPROVED, "town-cadre", None)
    with pytest.raises(IllegalTransition, match="already approved"):
        holds.decided(t, approved, False, "no", NOW, "town-cadre")
    with pytest.raises(IllegalTransition, match="you requested"):
        holds.decided(t, e, True, None, NOW, "water-cadre")
    with pytest.raises(InvalidTicket) as err:
        holds.decided(t, e, False, " ", NOW, "town-cadre")
    assert err.value.details["field"] == "note"
    with pytest.raises(NotFound):
        holds.decided(t, None, True, None, NOW, "town-cadre")
    with pytest.raises(NotFound):
        holds.decided(t, replace(e, ticket_id=uuid.UUID(int=3)), True, None, NOW, "town-cadre")


def test_an_extension_counts_working_days_from_the_deadline() -> None:
    # Fri 2026-09-18 end of day + 2 working days: Sun 09-20 is a make-up working day (调休)
    cal = WorkCalendar({dt.date(2026, 9, 19): False, dt.date(2026, 9, 20): True,
                        dt.date(2026, 9, 21): True})
    due = Deadline(dt.datetime(2026, 9, 19, tzinfo=CHINA).astimezone(dt.UTC))
    later = holds.extended(due, 2, cal)
    assert later.at == dt.datetime(2026, 9, 22, tzinfo=CHINA)
    assert later.provisional is False
    assert holds.extended(replace(due, provisional=True), 2, cal).provisional is True
