"""Feedback, merge, pause and extension use cases against the real database with an injected
clock: answer, rate (close or reopen), return visit, close without a rating, merge, pause and
resume, extension on the National Day calendar, reflections — state, assignments, history and
outbox in one commit each."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
import tickets_helpers as helpers
from lianxin.tickets.app import extensions as ext
from lianxin.tickets.app import feedback as app
from lianxin.tickets.app import merge
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.dispatch import ResolveTicket, resolve_ticket
from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus, Role
from lianxin.tickets.domain.errors import IllegalTransition, InvalidTicket, NotFound, OutOfScope
from lianxin.tickets.domain.sla import ExtensionStatus
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import (
    Channel,
    CloseReason,
    Contact,
    Deadline,
    Outcome,
    Satisfaction,
    Status,
    Ticket,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, OTHER_TOWN, TOWN, VILLAGE, WATER, FakeClock, Uow, china

pytestmark = pytest.mark.integration
RESIDENT_ID = uuid.UUID(int=777)

TOWN_CADRE = Actor(subject="town-cadre", role="cadre", org_scope=frozenset({TOWN}))
WATER_CADRE = Actor(subject="water-cadre", role="cadre", org_scope=frozenset({WATER}))
OTHER_CADRE = Actor(subject="other-cadre", role="cadre", org_scope=frozenset({OTHER_TOWN}))
SUPERVISOR = Actor(subject="supervisor", role="supervisor", org_scope=frozenset({COUNTY}))
VILLAGE_CADRE = Actor(subject="village-cadre", role="cadre", org_scope=frozenset({VILLAGE}))
RESIDENT = Actor(subject=str(RESIDENT_ID), role="resident")
STRANGER = Actor(subject=str(uuid.UUID(int=778)), role="resident")


async def add_ticket(uow: Uow, status: Status = Status.RESOLVED, **kw: Any) -> Ticket:
    """The resident's ticket at the village, handled by the town, inserted as it stands (no
    workflow steps before it)."""
    return await helpers.add_ticket(uow(), **{
        "handling_unit_id": TOWN, "status": status, "submitted_by": str(RESIDENT_ID),
        "submitted_at": china(2026, 9, 1, 9, 0),
        "contact": Contact(resident_id=RESIDENT_ID, name="张三", phone="13800138000"), **kw})


def answered(**kw: Any) -> dict[str, Any]:
    return {"outcome": Outcome.SOLVED, "resolution": "管网已修复",
            "resolved_at": china(2026, 9, 10, 9, 0), "answer": "已修复，请查看",
            "answer_channel": Channel.HOTLINE, "answered_at": china(2026, 9, 10, 10, 0),
            "feedback_due": Deadline(china(2026, 9, 16)), **kw}


async def add_assignment(uow: Uow, t: Ticket, status: AssignmentStatus = AssignmentStatus.DONE,
                         role: Role = Role.LEAD, due: dt.datetime | None = None) -> Assignment:
    a = helpers.assignment(t, role=role, status=status, due=Deadline(due or china(2026, 9, 9)),
                           assigned_at=china(2026, 9, 2, 9, 0),
                           completed_at=china(2026, 9, 10, 9, 0)
                           if status is AssignmentStatus.DONE else None)
    await helpers.add_assignments(uow(), a)
    return a


async def stored(uow: Uow, t: Ticket) -> tuple[Ticket, list[Assignment], list[Any]]:
    async with uow() as u:
        [after] = await u.tickets.get_many([t.id])
        assignments = (await u.assignments.for_tickets([t.id]))[t.id]
        history = (await u.history.for_tickets([t.id]))[t.id]
    return after, assignments, history


async def events(engine: AsyncEngine, t: Ticket) -> list[str]:
    return [e.event_type.rsplit(".", 1)[1] for e in await helpers.outbox(engine, t)]


# --- answer and rating ------------------------------------------------------------------------
async def test_answer_then_a_satisfied_rating_closes(uow: Uow, seeded_engine: AsyncEngine) -> None:
    t = await add_ticket(uow, feedback_due=Deadline(china(2026, 9, 16)),
                         outcome=Outcome.SOLVED, resolved_at=china(2026, 9, 10, 9, 0))
    clock = FakeClock(china(2026, 9, 16, 11, 0))   # after the feedback deadline
    with pytest.raises(OutOfScope):   # sees it (its place), but does not handle it
        await app.answer_ticket(app.AnswerTicket(t.id, "已修复", Channel.HOTLINE), uow(),
                                VILLAGE_CADRE, clock)
    with pytest.raises(NotFound):
        await app.answer_ticket(app.AnswerTicket(t.id, "已修复", Channel.HOTLINE), uow(),
                                OTHER_CADRE, clock)
    with pytest.raises(IllegalTransition, match="not been answered"):
        await app.rate_ticket(app.RateTicket(t.id, True, Satisfaction.SATISFIED), uow(),
                              RESIDENT, clock)
    after = await app.answer_ticket(app.AnswerTicket(t.id, " 已修复 ", Channel.HOTLINE), uow(),
                                    TOWN_CADRE, clock)
    assert (after.answer, after.answer_channel, after.answered_at) == (
        "已修复", Channel.HOTLINE, clock.now)
    with pytest.raises(IllegalTransition, match="already answered"):
        await app.answer_ticket(app.AnswerTicket(t.id, "再次", Channel.WECHAT), uow(),
                                TOWN_CADRE, clock)

    with pytest.raises(NotFound):   # another resident: as if it did not exist
        await app.rate_ticket(app.RateTicket(t.id, True, Satisfaction.SATISFIED), uow(),
                              STRANGER, clock)
    with pytest.raises(NotFound):   # staff record a return visit instead
        await app.rate_ticket(app.RateTicket(t.id, True, Satisfaction.SATISFIED), uow(),
                              TOWN_CADRE, clock)
    clock.now = china(2026, 9, 17, 8, 0)
    after = await app.rate_ticket(app.RateTicket(t.id, True, Satisfaction.BASICALLY_SATISFIED),
                                  uow(), RESIDENT, clock)
    assert (after.status, after.close_reason, after.closed_at, after.satisfaction,
            after.solved, after.rated_by_staff) == (
        Status.CLOSED, CloseReason.RATED, clock.now, Satisfaction.BASICALLY_SATISFIED, True,
        False)
    with pytest.raises(IllegalTransition, match="CLOSED"):
        await app.rate_ticket(app.RateTicket(t.id, True, Satisfaction.SATISFIED), uow(),
                              RESIDENT, clock)

    _, _, history = await stored(uow, t)
    assert [(h.action, h.to_status) for h in history] == [
        (Action.ANSWER, Status.RESOLVED), (Action.RATE, Status.CLOSED)]
    assert history[0].details == {"channel": "hotline", "on_time": False}
    assert history[1].details["satisfaction"] == "basically_satisfied"
    assert await events(seeded_engine, t) == ["TicketAnswered", "TicketRated", "TicketClosed"]
    assert "张三" not in repr([(h.note, h.details) for h in history])


async def test_dissatisfied_reopens_to_assigned_with_a_fresh_deadline(
        uow: Uow, seeded_engine: AsyncEngine) -> None:
    t = await add_ticket(uow, **answered(on_the_spot=False))
    co = await add_assignment(uow, t, role=Role.CO)
    lead = await add_assignment(uow, t)
    clock = FakeClock(china(2026, 9, 15, 10, 0))   # a Tuesday
    after = await app.rate_ticket(app.RateTicket(t.id, False, Satisfaction.DISSATISFIED), uow(),
                                  RESIDENT, clock)
    # ten working days: Sun 09-20 works (调休), Fri 09-25 is Mid-autumn: the 10th is Tue 09-29
    due = Deadline(china(2026, 9, 30))
    assert (after.status, after.reopen_count, after.handle_due) == (Status.ASSIGNED, 1, due)
    assert (after.outcome, after.answer, after.answered_at, after.feedback_due, after.solved,
            after.satisfaction, after.rated_at) == (None,) * 7

    stored_t, assignments, history = await stored(uow, t)
    assert stored_t == after
    by_id = {a.id: a for a in assignments}
    assert (by_id[lead.id].status, by_id[lead.id].due, by_id[lead.id].completed_at) == (
        AssignmentStatus.OPEN, due, None)
    assert by_id[co.id].status is AssignmentStatus.DONE
    [reopen] = history
    assert (reopen.action, reopen.from_status, reopen.to_status) == (
        Action.REOPEN, Status.RESOLVED, Status.ASSIGNED)
    assert reopen.details["previous_outcome"] == "solved"
    assert reopen.details["previous_satisfaction"] == "dissatisfied"
    assert reopen.details["assignment_id"] == str(lead.id)
    assert (reopen.details["due_start"], reopen.details["due_days"]) == (
        clock.now.isoformat(), 10)
    assert await events(seeded_engine, t) == ["TicketRated", "TicketReopened"]

    # answered again after a new resolution, the resident can rate again
    async with uow() as u:
        again = after.advance(clock.now, status=Status.RESOLVED, **answered())
        await u.tickets.save(again)
        await u.commit()
    closed = await app.rate_ticket(app.RateTicket(t.id, True, Satisfaction.SATISFIED), uow(),
                                   RESIDENT, clock)
    assert (closed.status, closed.reopen_count) == (Status.CLOSED, 1)


async def test_a_return_visit_records_the_rating_for_the_resident(uow: Uow) -> None:
    t = await add_ticket(uow, involved_units=(WATER,), **answered())
    clock = FakeClock(china(2026, 9, 12, 15, 0))
    with pytest.raises(OutOfScope):   # the department sees it, but visits are not its part
        await app.record_return_visit(app.RecordReturnVisit(
            t.id, True, Satisfaction.SATISFIED, Channel.HOME_VISIT, "入户回访"), uow(),
            WATER_CADRE, clock)
    with pytest.raises(InvalidTicket):
        await app.record_return_visit(app.RecordReturnVisit(
            t.id, True, Satisfaction.SATISFIED, Channel.HOME_VISIT, " "), uow(), TOWN_CADRE,
            clock)
    after = await app.record_return_visit(app.RecordReturnVisit(
        t.id, True, Satisfaction.SATISFIED, Channel.HOME_VISIT, "入户回访，水已通"), uow(),
        VILLAGE_CADRE, clock)
    assert (after.status, after.rated_by_staff, after.close_reason) == (
        Status.CLOSED, True, CloseReason.RATED)
    _, _, [line] = await stored(uow, t)
    assert (line.action, line.actor, line.note) == (
        Action.RATE, "village-cadre", "return visit (HOME_VISIT): 入户回访，水已通")
    assert line.details["channel"] == "home_visit" and line.details["by_staff"] is True


# --- closing without a rating -----------------------------------------------------------------
async def test_close_unrated_only_when_due_and_once(uow: Uow, seeded_engine: AsyncEngine) -> None:
    t = await add_ticket(uow, **answered())   # answered 09-10 10:00; 7 rating days
    clock = FakeClock(china(2026, 9, 17, 9, 59))
    assert await app.close_unrated(t.id, uow(), clock) is None
    assert (await stored(uow, t))[0].version == t.version    # nothing written
    with pytest.raises(IllegalTransition, match="may rate it until"):
        await app.close_unrated_ticket(app.CloseUnratedTicket(t.id), uow(), TOWN_CADRE, clock)

    clock.now = china(2026, 9, 17, 10, 0)
    closed = await app.close_unrated(t.id, uow(), clock)
    assert closed is not None
    assert (closed.status, closed.close_reason, closed.closed_at) == (
        Status.CLOSED, CloseReason.NO_RATING, clock.now)
    clock.now += dt.timedelta(hours=1)
    assert await app.close_unrated(t.id, uow(), clock) is None
    after, _, history = await stored(uow, t)
    assert after == closed
    assert [(h.action, h.actor) for h in history] == [(Action.CLOSE, "system")]
    assert await events(seeded_engine, t) == ["TicketClosed"]


async def test_staff_close_an_unrated_ticket_once_the_days_are_over(uow: Uow) -> None:
    t = await add_ticket(uow, **answered())
    clock = FakeClock(china(2026, 9, 20, 9, 0))
    with pytest.raises(OutOfScope):
        await app.close_unrated_ticket(app.CloseUnratedTicket(t.id), uow(), VILLAGE_CADRE,
                                       clock)
    after = await app.close_unrated_ticket(app.CloseUnratedTicket(t.id), uow(), TOWN_CADRE,
                                           clock)
    assert after.close_reason is CloseReason.NO_RATING
    unanswered = await add_ticket(uow)
    assert await app.close_unrated(unanswered.id, uow(), clock) is None


# --- merge ------------------------------------------------------------------------------------
async def test_merge_follows_the_master_and_cancels_work(uow: Uow,
                                                         seeded_engine: AsyncEngine) -> None:
    master = await add_ticket(uow, Status.ASSIGNED, code="F-1")
    dup = await add_ticket(uow, Status.ASSIGNED, code="F-2")
    work = await add_assignment(uow, dup, AssignmentStatus.IN_PROGRESS)
    after = await merge.merge_ticket(merge.MergeTicket(dup.id, master.id, "同一停水"), uow(),
                                     TOWN_CADRE)
    assert (after.status, after.master_id) == (Status.MERGED, master.id)
    _, [cancelled], [line] = await stored(uow, dup)
    assert (cancelled.id, cancelled.status) == (work.id, AssignmentStatus.CANCELLED)
    assert (line.action, line.note, line.details["master_code"]) == (
        Action.MERGE, "merged into F-1: 同一停水", "F-1")
    assert await events(seeded_engine, dup) == ["TicketMerged"]
    followers = await merge.merged_into(uow(), [master.id, dup.id])
    assert [f.id for f in followers[master.id]] == [dup.id] and followers[dup.id] == []

    # no chains, no merging into a merged ticket, a closed one, itself or one out of sight
    third = await add_ticket(uow, Status.ACCEPTED, code="F-3")
    with pytest.raises(IllegalTransition, match="master of F-2; merge F-3 into F-1"):
        await merge.merge_ticket(merge.MergeTicket(master.id, third.id), uow(), TOWN_CADRE)
    with pytest.raises(IllegalTransition, match="MERGED and cannot be a master"):
        await merge.merge_ticket(merge.MergeTicket(third.id, dup.id), uow(), TOWN_CADRE)
    closed = await add_ticket(uow, Status.CLOSED)
    with pytest.raises(IllegalTransition, match="CLOSED and cannot be a master"):
        await merge.merge_ticket(merge.MergeTicket(third.id, closed.id), uow(), TOWN_CADRE)
    with pytest.raises(InvalidTicket, match="itself"):
        await merge.merge_ticket(merge.MergeTicket(third.id, third.id), uow(), TOWN_CADRE)
    elsewhere = await add_ticket(uow, Status.ASSIGNED, org_unit_id=OTHER_TOWN,
                                 handling_unit_id=OTHER_TOWN)
    with pytest.raises(NotFound) as err:
        await merge.merge_ticket(merge.MergeTicket(third.id, elsewhere.id), uow(), TOWN_CADRE)
    assert err.value.details["field"] == "masterId"
    with pytest.raises(IllegalTransition, match="RESOLVED; MERGE"):
        resolved = await add_ticket(uow, Status.RESOLVED)
        await merge.merge_ticket(merge.MergeTicket(resolved.id, master.id), uow(), TOWN_CADRE)
    assert (await stored(uow, third))[0].status is Status.ACCEPTED


# --- pause and resume -------------------------------------------------------------------------
async def test_resume_moves_deadlines_by_the_paused_time(uow: Uow,
                                                         seeded_engine: AsyncEngine) -> None:
    handle_due = Deadline(china(2026, 9, 25))
    t = await add_ticket(uow, status=Status.IN_PROGRESS, handle_due=handle_due,
                         accept_due=Deadline(china(2026, 9, 2)), involved_units=(WATER,))
    lead = await add_assignment(uow, t, AssignmentStatus.IN_PROGRESS, due=china(2026, 9, 24))
    done = await add_assignment(uow, t, AssignmentStatus.DONE, role=Role.CO)
    clock = FakeClock(china(2026, 9, 15, 10, 0))
    with pytest.raises(IllegalTransition, match="not paused"):
        await ext.resume_ticket(ext.ResumeTicket(t.id), uow(), WATER_CADRE, clock)
    paused = await ext.pause_ticket(ext.PauseTicket(t.id, "等待群众补充材料"), uow(),
                                    WATER_CADRE, clock)
    assert paused.paused_at == clock.now
    with pytest.raises(IllegalTransition, match="already paused"):
        await ext.pause_ticket(ext.PauseTicket(t.id, "again"), uow(), TOWN_CADRE, clock)
    with pytest.raises(OutOfScope):
        await ext.resume_ticket(ext.ResumeTicket(t.id), uow(), VILLAGE_CADRE, clock)

    clock.now += dt.timedelta(hours=50, minutes=30)
    after = await ext.resume_ticket(ext.ResumeTicket(t.id, "材料已补齐"), uow(), TOWN_CADRE, clock)
    held = dt.timedelta(hours=50, minutes=30)
    assert (after.paused_at, after.handle_due) == (None, Deadline(handle_due.at + held))
    assert after.accept_due == t.accept_due
    _, assignments, history = await stored(uow, t)
    by_id = {a.id: a for a in assignments}
    assert by_id[lead.id].due.at == lead.due.at + held
    assert by_id[done.id].due == done.due
    assert [h.action for h in history] == [Action.PAUSE, Action.RESUME]
    assert history[1].details["paused_hours"] == 50.5
    assert await events(seeded_engine, t) == ["TicketPaused", "TicketResumed"]


# --- extension --------------------------------------------------------------------------------
async def test_extension_request_and_approval_on_the_national_day_calendar(
        uow: Uow, seeded_engine: AsyncEngine) -> None:
    t = await add_ticket(uow, status=Status.IN_PROGRESS, handle_due=Deadline(china(2026, 10, 1)),
                         involved_units=(WATER,))
    lead = await add_assignment(uow, t, AssignmentStatus.IN_PROGRESS, due=china(2026, 9, 30))
    clock = FakeClock(china(2026, 9, 28, 10, 0))
    with pytest.raises(OutOfScope):
        await ext.request_extension(ext.RequestExtension(t.id, 3, "管材缺货"), uow(),
                                    VILLAGE_CADRE, clock)
    with pytest.raises(InvalidTicket) as err:
        await ext.request_extension(ext.RequestExtension(t.id, 61, "管材缺货"), uow(),
                                    WATER_CADRE, clock)
    assert err.value.details["field"] == "workingDays"
    await ext.request_extension(ext.RequestExtension(t.id, 3, "管材缺货"), uow(), WATER_CADRE,
                                clock)
    with pytest.raises(IllegalTransition, match="already has an extension"):
        await ext.request_extension(ext.RequestExtension(t.id, 2, "再延"), uow(), WATER_CADRE,
                                    clock)
    async with uow() as u:
        [pending] = (await u.extensions.for_tickets([t.id]))[t.id]
    assert (pending.status, pending.requested_by, pending.working_days) == (
        ExtensionStatus.PENDING, "water-cadre", 3)

    decide = ext.DecideExtension(t.id, pending.id, True)
    with pytest.raises(IllegalTransition, match="you requested"):
        await ext.decide_extension(decide, uow(), replace(WATER_CADRE, org_scope=None), clock)
    with pytest.raises(OutOfScope):
        await ext.decide_extension(decide, uow(), WATER_CADRE, clock)
    with pytest.raises(NotFound):
        await ext.decide_extension(replace(decide, extension_id=uuid.uuid4()), uow(),
                                   TOWN_CADRE, clock)
    after = await ext.decide_extension(decide, uow(), TOWN_CADRE, clock)
    # end of Wed 09-30 + 3 working days: Oct 1–7 off, Thu 10-08, Fri 10-09, Sat 10-10 (调休)
    assert after.handle_due == Deadline(china(2026, 10, 11))
    with pytest.raises(IllegalTransition, match="already approved"):
        await ext.decide_extension(decide, uow(), SUPERVISOR, clock)

    _, [moved], history = await stored(uow, t)
    assert (moved.id, moved.due) == (lead.id, Deadline(china(2026, 10, 10)))
    async with uow() as u:
        [approved] = (await u.extensions.for_tickets([t.id]))[t.id]
    assert (approved.status, approved.decided_by, approved.decided_at) == (
        ExtensionStatus.APPROVED, "town-cadre", clock.now)
    assert [h.action for h in history] == [Action.REQUEST_EXTENSION, Action.DECIDE_EXTENSION]
    assert history[1].details["handle_due"] == china(2026, 10, 11).isoformat()
    assert await events(seeded_engine, t) == ["TicketExtensionRequested",
                                              "TicketExtensionDecided"]

    # a supervisor rejects the next one, with a reason; the deadline stays
    await ext.request_extension(ext.RequestExtension(t.id, 5, "施工受阻"), uow(), WATER_CADRE,
                                clock)
    async with uow() as u:
        second = (await u.extensions.for_tickets([t.id]))[t.id][-1]
    with pytest.raises(InvalidTicket):
        await ext.decide_extension(ext.DecideExtension(t.id, second.id, False), uow(),
                                   SUPERVISOR, clock)
    rejected = await ext.decide_extension(ext.DecideExtension(t.id, second.id, False, "理由不足"),
                                          uow(), SUPERVISOR, clock)
    assert rejected.handle_due == after.handle_due
    async with uow() as u:
        statuses = [e.status for e in (await u.extensions.for_tickets([t.id]))[t.id]]
    assert statuses == [ExtensionStatus.APPROVED, ExtensionStatus.REJECTED]


# --- reflections ------------------------------------------------------------------------------
async def test_reflections_on_resolved_or_closed_tickets_only(uow: Uow) -> None:
    t = await add_ticket(uow, status=Status.CLOSED)
    after = await app.add_reflection(app.AddReflection(t.id, "应提前排查老旧管网"), uow(),
                                     TOWN_CADRE)
    assert (after.status, after.version) == (Status.CLOSED, t.version + 1)
    _, _, [line] = await stored(uow, t)
    assert (line.action, line.note, line.to_status) == (
        Action.REFLECT, "应提前排查老旧管网", Status.CLOSED)
    working = await add_ticket(uow, Status.ASSIGNED)
    with pytest.raises(IllegalTransition, match="REFLECT is allowed only when it is RESOLVED, "
                                                "CLOSED"):
        await app.add_reflection(app.AddReflection(working.id, "x"), uow(), TOWN_CADRE)
    with pytest.raises(OutOfScope):   # the resident sees their ticket; reflections are staff's
        await app.add_reflection(app.AddReflection(t.id, "x"), uow(), RESIDENT)
    for outsider in (OTHER_CADRE, STRANGER):
        with pytest.raises(NotFound):
            await app.add_reflection(app.AddReflection(t.id, "x"), uow(), outsider)
    assert Counter(h.action for h in (await stored(uow, t))[2]) == {Action.REFLECT: 1}


async def test_resolving_a_paused_ticket_ends_the_pause(uow: Uow) -> None:
    """Otherwise the feedback clock would never run (the scheduler skips paused tickets) and
    the ticket could not be resumed (RESUME is not allowed once RESOLVED)."""
    t = await add_ticket(uow, status=Status.IN_PROGRESS, handle_due=Deadline(china(2026, 9, 25)),
                         involved_units=(WATER,))
    await add_assignment(uow, t, AssignmentStatus.IN_PROGRESS, due=china(2026, 9, 24))
    clock = FakeClock(china(2026, 9, 15, 10, 0))
    await ext.pause_ticket(ext.PauseTicket(t.id, "等待群众补充材料"), uow(), WATER_CADRE, clock)
    clock.now += dt.timedelta(hours=3)
    resolved = await resolve_ticket(ResolveTicket(t.id, Outcome.SOLVED, "群众已补充，问题已解决"),
                                    uow(), WATER_CADRE, clock)
    assert (resolved.status, resolved.paused_at) == (Status.RESOLVED, None)
    assert resolved.feedback_due is not None
