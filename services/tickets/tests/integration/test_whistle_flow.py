"""The whistle's use cases against the real database with an injected clock: a village blows a
whistle summoning 县水务局 (10) and 县住建局 (11); one reports in on time, one late; both complete
and the whistle closes — with its events in the outbox and every step in the ticket's history."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

import pytest
from lianxin.tickets.app import whistle_queries as reads
from lianxin.tickets.app import whistles as app
from lianxin.tickets.app.common import Actor
from lianxin.tickets.domain.calendar import CHINA
from lianxin.tickets.domain.errors import (
    IllegalTransition,
    InvalidTicket,
    NotFound,
    OutOfScope,
    TicketIdConflict,
)
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import (
    Contact,
    Status,
    Ticket,
    Urgency,
)
from lianxin.tickets.domain.whistle import TaskOrder, TaskStatus, Whistle, WhistleStatus
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import (
    COUNTY,
    GRID,
    HOUSING,
    OTHER_TOWN,
    TOWN,
    TRANSPORT,
    VILLAGE,
    WATER,
    FakeClock,
    Uow,
    china,
    outbox,
)
from tickets_helpers import add_ticket as store

pytestmark = pytest.mark.integration

def cadre(*scope: uuid.UUID, subject: str = "cadre") -> Actor:
    return Actor(subject=subject, role="cadre", org_scope=frozenset(scope))


VILLAGE_CADRE = cadre(VILLAGE, subject="village-cadre")
WATER_CADRE = cadre(WATER, subject="water-cadre")
HOUSING_CADRE = cadre(HOUSING, subject="housing-cadre")
ADMIN = Actor(subject="admin", role="admin")


async def add_ticket(uow: Uow, status: Status = Status.ASSIGNED) -> Ticket:
    """An urgent ticket placed at the grid, recorded and held by the village."""
    return await store(uow(), org_unit_id=GRID, handling_unit_id=VILLAGE, urgency=Urgency.URGENT,
                       text="村里自来水停了三天，房子也漏水", submitted_by="village-cadre",
                       recorded_by_staff=True, status=status,
                       contact=Contact(name="张三", phone="13800138000", address="玉溪村三组8号"))


BOTH = (TaskOrder(WATER, "抢修供水管网"), TaskOrder(HOUSING, "排查房屋渗漏"))


def blow_cmd(t: Ticket, urgency: Urgency = Urgency.URGENT, tasks: tuple[TaskOrder, ...] = BOTH,
             **kw: Any) -> app.BlowWhistle:
    return app.BlowWhistle(ticket_id=t.id, urgency=urgency, reason="停水又漏房，需水务和住建会商",
                           tasks=tasks, **kw)


async def test_two_departments_report_in_one_late_complete_and_the_whistle_closes(
        uow: Uow, seeded_engine: AsyncEngine) -> None:
    t = await add_ticket(uow)
    clock = FakeClock(china(2026, 9, 15, 10, 0))   # a Tuesday
    w = await app.blow_whistle(blow_cmd(t), uow(), VILLAGE_CADRE, clock)
    assert w.report_in_due.at == dt.datetime(2026, 9, 15, 12, 0, tzinfo=CHINA)
    assert (w.blower_unit_id, w.status, w.version) == (VILLAGE, WhistleStatus.OPEN, 1)
    assert [task.department_id for task in w.tasks] == [WATER, HOUSING]

    w = await app.report_in(app.ReportIn(w.id, WATER), uow(), WATER_CADRE, clock.at(
        2026, 9, 15, 10, 40))
    w = await app.report_in(app.ReportIn(w.id, HOUSING), uow(), HOUSING_CADRE, clock.at(
        2026, 9, 15, 12, 25))
    water, housing = w.tasks
    assert (water.status, water.late, water.late_seconds) == (TaskStatus.REPORTED, False, 0)
    assert (housing.late, housing.late_seconds) == (True, 25 * 60)

    for actor, dept in ((WATER_CADRE, WATER), (HOUSING_CADRE, HOUSING)):
        w = await app.start_whistle_task(app.StartWhistleTask(w.id, dept), uow(), actor,
                                         clock.at(2026, 9, 15, 14, 0))
    w = await app.complete_whistle_task(app.CompleteWhistleTask(w.id, WATER, "管网已抢修"),
                                        uow(), WATER_CADRE, clock.at(2026, 9, 16, 9, 0))
    assert w.status is WhistleStatus.OPEN
    w = await app.complete_whistle_task(app.CompleteWhistleTask(w.id, HOUSING, "渗漏已修补"),
                                        uow(), HOUSING_CADRE, clock.at(2026, 9, 17, 16, 0))
    assert (w.status, w.closed_at, w.version) == (WhistleStatus.CLOSED, clock.now, 8)

    # stored as returned
    [stored] = await reads.whistles_by_id(uow(), ADMIN, [w.id])
    assert stored == w

    # the ticket: same status, the departments involved, one history line per step
    async with uow() as u:
        [after] = await u.tickets.get_many([t.id])
        history = (await u.history.for_tickets([t.id]))[t.id]
    assert after.status is Status.ASSIGNED and after.version == t.version + 7
    assert set(after.involved_units) == {WATER, HOUSING}
    assert [(h.action, h.from_status, h.to_status) for h in history] == [
        (Action.BLOW_WHISTLE, Status.ASSIGNED, Status.ASSIGNED),
        *[(Action.WHISTLE, Status.ASSIGNED, Status.ASSIGNED)] * 6]
    notes = [h.note for h in history]
    assert notes[0] == "玉溪村 blew a whistle (URGENT): 县水务局、县住建局 to report in by 2026-09-15 12:00"
    assert notes[1:3] == ["县水务局 reported in on time", "县住建局 reported in 25 min late"]
    assert notes[-1] == "县住建局 completed its task; whistle closed, all 2 tasks complete"
    assert history[2].details == {"whistle_id": str(w.id), "task_id": str(housing.id),
                                  "department_id": str(HOUSING), "late_seconds": 1500,
                                  "whistle_closed": False}
    assert [h.actor for h in history[1:3]] == ["water-cadre", "housing-cadre"]
    text = repr([(h.note, h.details) for h in history])
    for personal in ("张三", "13800138000", "玉溪村三组", "停水又漏房", "抢修供水管网", "渗漏已修补"):
        assert personal not in text

    # events: keyed by the whistle, its version rising with every change, stamped with the clock
    envelopes = [e for e in await outbox(seeded_engine) if e.aggregate_type == "whistle"]
    assert Counter(e.event_type.rsplit(".", 1)[1] for e in envelopes) == {
        "WhistleBlown": 1, "WhistleReportedIn": 2, "WhistleTaskStarted": 2,
        "WhistleTaskCompleted": 2, "WhistleClosed": 1}
    assert {e.aggregate_id for e in envelopes} == {str(w.id)}
    assert [e.aggregate_version for e in envelopes] == list(range(1, 9))
    assert envelopes[-1].occurred_at.ToDatetime(dt.UTC) == clock.now


async def test_steps_out_of_order_and_on_a_closed_whistle_are_illegal(uow: Uow) -> None:
    t = await add_ticket(uow)
    w = await app.blow_whistle(blow_cmd(t, tasks=BOTH[:1]), uow(), VILLAGE_CADRE)
    with pytest.raises(IllegalTransition, match="report in first"):
        await app.complete_whistle_task(app.CompleteWhistleTask(w.id, WATER, "已修"), uow(),
                                        WATER_CADRE)
    await app.report_in(app.ReportIn(w.id, WATER), uow(), WATER_CADRE)
    with pytest.raises(IllegalTransition, match="REPORTED; report in is allowed only"):
        await app.report_in(app.ReportIn(w.id, WATER), uow(), WATER_CADRE)
    w = await app.complete_whistle_task(app.CompleteWhistleTask(w.id, WATER, "已修"), uow(),
                                        WATER_CADRE)
    assert w.status is WhistleStatus.CLOSED
    with pytest.raises(IllegalTransition, match="CLOSED"):
        await app.start_whistle_task(app.StartWhistleTask(w.id, WATER), uow(), WATER_CADRE)
    async with uow() as u:
        assert len((await u.history.for_tickets([t.id]))[t.id]) == 3   # nothing half-written


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.RESOLVED, Status.CLOSED])
async def test_a_whistle_is_blown_only_on_a_ticket_being_worked(uow: Uow, status: Status) -> None:
    t = await add_ticket(uow, status=status)
    with pytest.raises(IllegalTransition, match=f"is {status.name}; BLOW_WHISTLE"):
        await app.blow_whistle(blow_cmd(t), uow(), VILLAGE_CADRE)


async def test_steps_stay_open_after_the_ticket_moves_on(uow: Uow) -> None:
    """WHISTLE is allowed in every state: a department may finish after the ticket resolved."""
    t = await add_ticket(uow)
    w = await app.blow_whistle(blow_cmd(t), uow(), VILLAGE_CADRE)
    async with uow() as u:
        ticket = await u.tickets.get_for_update(t.id)
        assert ticket is not None
        await u.tickets.save(ticket.advance(ticket.submitted_at, status=Status.RESOLVED))
        await u.commit()
    w = await app.report_in(app.ReportIn(w.id, WATER), uow(), WATER_CADRE)
    assert w.tasks[0].status is TaskStatus.REPORTED


async def test_who_may_blow_and_who_may_act_for_a_department(uow: Uow) -> None:
    t = await add_ticket(uow)
    # another township's cadre does not even see the ticket
    with pytest.raises(NotFound):
        await app.blow_whistle(blow_cmd(t), uow(), cadre(OTHER_TOWN))
    # a village cadre cannot blow in the township's name
    with pytest.raises(OutOfScope, match="blowing a whistle for 联珠镇"):
        await app.blow_whistle(blow_cmd(t, blower_unit_id=TOWN), uow(), VILLAGE_CADRE)
    # a department is no blower
    with pytest.raises(InvalidTicket, match="is a department; only a township") as err:
        await app.blow_whistle(blow_cmd(t, blower_unit_id=WATER), uow(), ADMIN)
    assert err.value.details["field"] == "blowerUnitId"
    # the township may blow on its village's ticket
    w = await app.blow_whistle(blow_cmd(t, blower_unit_id=TOWN), uow(), cadre(TOWN))
    assert (w.blower_unit_id, w.blower_path) == (TOWN, (COUNTY, TOWN))

    # 县交通运输局 was not summoned: its cadre does not see the whistle; for an admin it has no task
    with pytest.raises(NotFound, match="does not exist or is not yours to see"):
        await app.report_in(app.ReportIn(w.id, TRANSPORT), uow(), cadre(TRANSPORT))
    with pytest.raises(NotFound, match="was not summoned") as err2:
        await app.report_in(app.ReportIn(w.id, TRANSPORT), uow(), ADMIN)
    assert err2.value.details["field"] == "departmentId"
    # one department cannot act for another; the blowing unit's staff may record it for them
    with pytest.raises(OutOfScope, match="acting for 县住建局"):
        await app.report_in(app.ReportIn(w.id, HOUSING), uow(), WATER_CADRE)
    w = await app.report_in(app.ReportIn(w.id, HOUSING), uow(), cadre(TOWN))
    assert w.tasks[1].status is TaskStatus.REPORTED
    with pytest.raises(NotFound):
        await app.report_in(app.ReportIn(uuid.uuid4(), WATER), uow(), ADMIN)


async def test_routine_whistle_before_national_day_is_due_at_the_end_of_the_next_working_day(
        uow: Uow) -> None:
    t = await add_ticket(uow)
    clock = FakeClock(china(2026, 9, 30, 17, 0))
    w = await app.blow_whistle(blow_cmd(t, Urgency.ROUTINE), uow(), VILLAGE_CADRE, clock)
    assert w.report_in_due.at == dt.datetime(2026, 10, 9, tzinfo=CHINA)    # end of Thu Oct 8
    assert not w.report_in_due.provisional
    async with uow() as u:
        [line] = (await u.history.for_tickets([t.id]))[t.id]
    assert line.note.endswith("to report in by the end of 2026-10-08")
    w = await app.blow_whistle(blow_cmd(t, Urgency.EMERGENCY), uow(), VILLAGE_CADRE,
                               clock.at(2026, 10, 1, 23, 45))
    assert w.report_in_due.at == dt.datetime(2026, 10, 2, 0, 15, tzinfo=CHINA)
    async with uow() as u:
        assert len((await u.whistles.for_tickets([t.id]))[t.id]) == 2   # several per ticket


async def test_retries_return_the_whistle_as_stored(uow: Uow, seeded_engine: AsyncEngine) -> None:
    t = await add_ticket(uow)
    blow = blow_cmd(t, request_id=uuid.uuid4())
    first = await app.blow_whistle(blow, uow(), VILLAGE_CADRE)
    report = app.ReportIn(first.id, WATER, request_id=uuid.uuid4())
    reported = await app.report_in(report, uow(), WATER_CADRE)
    again = await app.blow_whistle(blow, uow(), VILLAGE_CADRE)
    assert again == reported                  # the same whistle, as it is now
    assert await app.report_in(report, uow(), WATER_CADRE) == reported
    async with uow() as u:
        assert len((await u.whistles.for_tickets([t.id]))[t.id]) == 1
        assert len((await u.history.for_tickets([t.id]))[t.id]) == 2
    assert len(await outbox(seeded_engine)) == 2
    # a request id belongs to one step on one whistle
    other = await app.blow_whistle(blow_cmd(t), uow(), VILLAGE_CADRE)
    with pytest.raises(TicketIdConflict, match="already used"):
        await app.report_in(app.ReportIn(other.id, WATER, request_id=report.request_id), uow(),
                            WATER_CADRE)


async def test_whistles_in_a_unit_page_newest_first(uow: Uow) -> None:
    t = await add_ticket(uow)
    clock = FakeClock(china(2026, 9, 15, 9, 0))
    made: list[Whistle] = []
    for minutes, tasks in ((0, BOTH[:1]), (10, BOTH[1:]), (20, BOTH)):
        clock.now += dt.timedelta(minutes=minutes)
        made.append(await app.blow_whistle(blow_cmd(t, tasks=tasks), uow(), VILLAGE_CADRE,
                                           clock))

    async def ids(unit: uuid.UUID, actor: Actor, first: int = 10, **kw: Any) -> list[uuid.UUID]:
        found = await reads.whistles_in(uow(), actor, unit, open_only=kw.get("open_only", True),
                                      first=first, after=kw.get("after"))
        return [w.id for w in found.whistles]

    newest = [w.id for w in reversed(made)]
    assert await ids(TOWN, cadre(TOWN)) == newest
    assert await ids(WATER, WATER_CADRE) == [made[2].id, made[0].id]
    assert await ids(HOUSING, HOUSING_CADRE) == [made[2].id, made[1].id]
    page = await reads.whistles_in(uow(), ADMIN, COUNTY, open_only=True, first=2, after=None)
    assert [w.id for w in page.whistles] == newest[:2] and page.has_next and page.end
    assert await ids(COUNTY, ADMIN, after=page.end) == newest[2:]
    assert await ids(OTHER_TOWN, ADMIN) == []
    with pytest.raises(OutOfScope):
        await ids(TOWN, WATER_CADRE)
