"""The SLA scheduler against the real database, under an injected clock: each alarm exactly
once per ticket, clock, level and deadline — swept again, restarted, or two sweeps at once —
never after close, never while paused, and one bad ticket does not block the others."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.kit.ids import uuid7
from lianxin.tickets.adapters.calendar_source import PackageCalendar
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.scheduler import SlaScheduler, SweepReport, raise_alarm, sweep
from lianxin.tickets.app.triage import escalate_by_policy
from lianxin.tickets.domain.calendar import WorkCalendar
from lianxin.tickets.domain.scheduling import Alarm
from lianxin.tickets.domain.sla import DEFAULT_POLICY, Clock, NoticeStatus
from lianxin.tickets.domain.ticket import (
    Deadline,
    Status,
    Ticket,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, TOWN, FakeClock, Uow, end_of
from tickets_helpers import add_ticket as store

pytestmark = pytest.mark.integration
H = dt.timedelta(hours=1)
EV = "lianxin.events.v1."
DUE = end_of(2026, 9, 30)           # accept by the end of Wed Sep 30
LEVEL_2 = end_of(2026, 10, 10)      # + 3 working days: Oct 8, 9, make-up Saturday Oct 10


async def add_ticket(uow: Uow, code: str, **changes: Any) -> Ticket:
    """A ticket straight into the repository (no intake), received at the village."""
    return await store(uow(), **{"code": code, "submitted_at": DUE - 30 * H,
                                 "accept_due": Deadline(DUE), **changes})


async def change(uow: Uow, t: Ticket, **changes: Any) -> Ticket:
    async with uow() as u:
        current = await u.tickets.get_for_update(t.id)
        assert current is not None
        after = current.advance(DUE, **changes)
        await u.tickets.save(after)
        await u.commit()
    return after


async def events(engine: AsyncEngine, ticket: Ticket | None = None) -> Counter[str]:
    query = "SELECT event_type FROM outbox" + (" WHERE key = :k" if ticket else "")
    async with engine.connect() as conn:
        rows = await conn.execute(sa.text(query), {"k": str(ticket.id)} if ticket else {})
        return Counter(r.event_type.removeprefix(EV) for r in rows)


async def notices(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list(await conn.execute(sa.text(
            "SELECT ticket_id, clock, level, supervising_unit_id, supervising_path, status "
            "FROM supervision_notice ORDER BY level")))


async def actions(uow: Uow, t: Ticket) -> list[str]:
    async with uow() as u:
        return [e.action.value for e in (await u.history.for_tickets([t.id]))[t.id]]


async def test_due_soon_once_then_overdue_once_with_one_notice(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    t = await add_ticket(uow, "S-1")
    await add_ticket(uow, "S-2", accept_due=Deadline(DUE + 10 * 24 * H))  # not yet
    clock = FakeClock(DUE - 30 * H)
    assert (await sweep(uow, clock)).due_soon == 0
    clock.now = DUE - 2 * H
    first = await sweep(uow, clock)
    again = await sweep(uow, clock)
    assert (first.due_soon, again.due_soon) == (1, 0)
    assert await events(seeded_engine) == {"TicketDueSoon": 1}

    clock.now = DUE + H
    report = await sweep(uow, clock)
    await sweep(uow, clock)
    assert (report.overdue, report.notices_opened, report.failed) == (1, 1, 0)
    assert await events(seeded_engine) == {"TicketDueSoon": 1, "TicketOverdue": 1,
                                           "SupervisionOpened": 1}
    [notice] = await notices(seeded_engine)
    assert (notice.ticket_id, notice.clock, notice.level) == (t.id, "accept", 1)
    assert notice.supervising_unit_id == TOWN and notice.supervising_path == [COUNTY, TOWN]
    assert await actions(uow, t) == ["due_soon", "overdue"]


async def test_level_two_opens_a_notice_higher_up_and_escalates_by_policy(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    t = await add_ticket(uow, "S-3")
    clock = FakeClock(LEVEL_2 - H)
    await sweep(uow, clock)
    clock.now = LEVEL_2
    report = await sweep(uow, clock)
    assert report.overdue == 1 and report.failed == 0
    assert [(n.level, n.supervising_unit_id) for n in await notices(seeded_engine)] == [
        (1, TOWN), (2, COUNTY)]
    counts = await events(seeded_engine, t)
    assert (counts["TicketOverdue"], counts["SupervisionOpened"]) == (2, 2)
    assert "TicketDueSoon" not in counts   # it was overdue at the first sweep
    assert report.escalated == 1 and counts["TicketEscalated"] == 1
    async with uow() as u:
        [moved] = await u.tickets.get_many([t.id])
    assert moved.handling_unit_id == TOWN and moved.status is Status.RECEIVED
    assert (await actions(uow, t))[-3:] == ["overdue", "supervise", "escalate"]
    # The village's notices close: the ticket left them for the township's own clock.
    after = await sweep(uow, clock)
    assert after.notices_closed == 2 and after.escalated == 0
    assert {n.status for n in await notices(seeded_engine)} == {"closed"}


async def test_restarts_and_concurrent_sweeps_raise_each_alarm_once(
        seeded_engine: AsyncEngine, uow: Uow,
        make_uow: Callable[..., TicketsUnitOfWork]) -> None:
    tickets = [await add_ticket(uow, f"S-{10 + i}", status=Status.IN_PROGRESS,
                                accept_due=None, handle_due=Deadline(DUE)) for i in range(12)]
    clock = FakeClock(DUE - H)
    soon = await asyncio.gather(sweep(uow, clock), sweep(uow, clock))
    assert sum(r.due_soon for r in soon) == 12
    clock.now = LEVEL_2 + H
    reports = await asyncio.gather(sweep(uow, clock), sweep(uow, clock),
                                   sweep(uow, clock))
    # "Restart": a new scheduler with new units of work, same moment.
    restarted = await sweep(lambda: make_uow(seeded_engine), clock)
    assert sum(r.overdue for r in [*reports, restarted]) == 24
    assert sum(r.failed for r in [*reports, restarted]) == 0
    assert await events(seeded_engine) == {"TicketDueSoon": 12, "TicketOverdue": 24,
                                           "SupervisionOpened": 24}
    assert len(await notices(seeded_engine)) == 24
    for t in tickets:
        assert Counter(await actions(uow, t)) == {"due_soon": 1, "overdue": 1,
                                                      "supervise": 1}


async def test_nothing_after_close_and_notices_close_with_the_step(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    closed = await add_ticket(uow, "S-30", status=Status.CLOSED, closed_at=DUE - H)
    merged = await add_ticket(uow, "S-31", status=Status.MERGED)
    t = await add_ticket(uow, "S-32")
    clock = FakeClock(DUE + H)
    await sweep(uow, clock)
    assert await events(seeded_engine, closed) == {} and await events(seeded_engine, merged) == {}
    assert len(await notices(seeded_engine)) == 1
    # Accepted: the accept clock stopped, its notice closes; the handle clock runs anew.
    await change(uow, t, status=Status.ACCEPTED, handle_due=Deadline(end_of(2026, 10, 20)))
    report = await sweep(uow, clock)
    assert (report.notices_closed, report.overdue) == (1, 0)
    [notice] = await notices(seeded_engine)
    assert notice.status == NoticeStatus.CLOSED.value
    # Closed: never an alarm again, however late.
    await change(uow, t, status=Status.CLOSED, closed_at=DUE + 2 * H)
    clock.now = end_of(2026, 12, 1)
    assert (await sweep(uow, clock)).overdue == 0
    assert await events(seeded_engine, t) == {"TicketOverdue": 1, "SupervisionOpened": 1,
                                              "SupervisionClosed": 1}


async def test_paused_tickets_are_skipped_until_resumed(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    t = await add_ticket(uow, "S-40", status=Status.ASSIGNED, accept_due=None,
                         handle_due=Deadline(DUE), paused_at=DUE - 48 * H)
    clock = FakeClock(DUE + H)
    assert (await sweep(uow, clock)).overdue == 0
    await change(uow, t, paused_at=None, handle_due=Deadline(DUE + 24 * H))
    clock.now = DUE + 25 * H
    assert (await sweep(uow, clock)).overdue == 1
    assert (await events(seeded_engine, t))["TicketOverdue"] == 1


async def test_feedback_clock_and_a_new_deadline_raise_again(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    t = await add_ticket(uow, "S-50", status=Status.RESOLVED, resolved_at=DUE - 72 * H,
                         feedback_due=Deadline(DUE))
    clock = FakeClock(DUE + H)
    assert (await sweep(uow, clock)).overdue == 1
    # A new feedback deadline (e.g. recomputed) is a new alarm; the old notice closes.
    await change(uow, t, feedback_due=Deadline(DUE + 2 * H))
    clock.now = DUE + 3 * H
    report = await sweep(uow, clock)
    assert (report.overdue, report.notices_closed) == (1, 1)
    assert [(n.clock, n.status) for n in await notices(seeded_engine)] == [
        ("feedback", "closed"), ("feedback", "open")]
    # Answered: the feedback clock stops.
    await change(uow, t, answered_at=DUE + 4 * H)
    assert (await sweep(uow, clock)).notices_closed == 1


async def test_one_bad_ticket_does_not_block_the_others(
        seeded_engine: AsyncEngine, uow: Uow,
        caplog: pytest.LogCaptureFixture) -> None:
    bad = await add_ticket(uow, "S-60", handling_path=())   # nowhere to send a notice
    good = await add_ticket(uow, "S-61")
    report = await sweep(uow, FakeClock(DUE + H))
    assert (report.failed, report.overdue) == (1, 1)
    assert await events(seeded_engine, bad) == {}
    assert (await events(seeded_engine, good))["TicketOverdue"] == 1
    assert str(bad.id) in caplog.text and "自来水" not in caplog.text


async def test_pages_cover_every_ticket(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    for i in range(7):
        await add_ticket(uow, f"S-7{i}")
    report: SweepReport = await sweep(uow, FakeClock(DUE + H), page=3)
    assert (report.tickets, report.overdue) == (7, 7)


async def test_answered_tickets_close_unrated_after_the_rating_window(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    t = await add_ticket(uow, "S-80", status=Status.RESOLVED, resolved_at=DUE - 72 * H,
                         feedback_due=Deadline(DUE), answered_at=DUE - H)
    clock = FakeClock(DUE + 6 * 24 * H)
    assert (await sweep(uow, clock)).closed_unrated == 0
    clock.now = DUE + 7 * 24 * H
    report = await sweep(uow, clock)
    again = await sweep(uow, clock)
    assert (report.closed_unrated, again.closed_unrated) == (1, 0)
    async with uow() as u:
        [done] = await u.tickets.get_many([t.id])
    assert done.status is Status.CLOSED
    assert "TicketOverdue" not in await events(seeded_engine, t)


async def test_a_claimed_alarm_is_never_raised_again(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    t = await add_ticket(uow, "S-90")
    calendar = calendar_2026()
    alarm, clock = Alarm(Clock.ACCEPT, 1, DUE), FakeClock(DUE + H)
    assert await raise_alarm(uow(), t.id, alarm, DEFAULT_POLICY, calendar, clock)
    assert await raise_alarm(uow(), t.id, alarm, DEFAULT_POLICY, calendar, clock) is False
    # Not due (any more): nothing claimed, nothing written.
    early = Alarm(Clock.ACCEPT, 2, DUE)
    assert await raise_alarm(uow(), t.id, early, DEFAULT_POLICY, calendar, clock) is False
    assert await events(seeded_engine, t) == {"TicketOverdue": 1, "SupervisionOpened": 1}


def calendar_2026() -> WorkCalendar:
    return WorkCalendar({d.day: d.workday for d in PackageCalendar().days(2026)})


async def test_an_escalation_lost_in_a_crash_is_made_by_the_next_sweep_once(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    t = await add_ticket(uow, "S-85")
    clock = FakeClock(LEVEL_2 + H)
    # The scheduler raised both alarms and crashed before escalating.
    for level in (1, 2):
        assert await raise_alarm(uow(), t.id, Alarm(Clock.ACCEPT, level, DUE),
                                 DEFAULT_POLICY, calendar_2026(), clock)
    assert "TicketEscalated" not in await events(seeded_engine, t)
    clock.now += H
    report = await sweep(uow, clock)
    assert (report.overdue, report.escalated, report.failed) == (0, 1, 0)
    assert (await events(seeded_engine, t))["TicketEscalated"] == 1
    async with uow() as u:
        [moved] = await u.tickets.get_many([t.id])
    assert (moved.handling_unit_id, moved.status) == (TOWN, Status.RECEIVED)
    assert moved.accept_due is not None and moved.accept_due.at > clock.now
    # Swept again, or asked again for the overdue deadline: it moved up once.
    assert (await sweep(uow, clock)).escalated == 0
    assert await escalate_by_policy(t.id, uow(), clock, DUE) is None
    async with uow() as u:
        [same] = await u.tickets.get_many([t.id])
    assert same.version == moved.version
    assert (await events(seeded_engine, t))["TicketEscalated"] == 1
    assert Counter(await actions(uow, t))["escalate"] == 1


async def test_concurrent_sweeps_past_level_two_escalate_once(
        seeded_engine: AsyncEngine, uow: Uow,
        make_uow: Callable[..., TicketsUnitOfWork]) -> None:
    tickets = [await add_ticket(uow, f"S-8{6 + i}") for i in range(3)]
    # one of them already has its alarms (a crash before escalating)
    for level in (1, 2):
        await raise_alarm(uow(), tickets[0].id, Alarm(Clock.ACCEPT, level, DUE),
                          DEFAULT_POLICY, calendar_2026(), FakeClock(LEVEL_2))
    clock = FakeClock(LEVEL_2 + H)
    reports = await asyncio.gather(*(sweep(lambda: make_uow(seeded_engine), clock)
                                     for _ in range(3)))
    assert sum(r.escalated for r in reports) == 3 and sum(r.failed for r in reports) == 0
    assert (await events(seeded_engine))["TicketEscalated"] == 3
    for t in tickets:
        assert (await events(seeded_engine, t))["TicketEscalated"] == 1
        async with uow() as u:
            [moved] = await u.tickets.get_many([t.id])
        assert moved.handling_unit_id == TOWN


async def test_no_escalation_at_the_top_or_when_the_policy_says_no(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    async with uow() as u:
        await u.sla_policies.upsert(dataclasses.replace(DEFAULT_POLICY, id=uuid7(), category="road",
                                                 escalate_on_overdue=False), "test")
        await u.commit()
    top = await add_ticket(uow, "S-91", org_unit_id=COUNTY, org_path=(COUNTY,),
                           handling_unit_id=COUNTY, handling_path=(COUNTY,))
    road = await add_ticket(uow, "S-92", category="road.light")
    report = await sweep(uow, FakeClock(LEVEL_2 + H))
    assert (report.overdue, report.escalated, report.failed) == (4, 0, 0)
    for t in (top, road):
        assert "TicketEscalated" not in await events(seeded_engine, t)
    assert {(n.level, n.supervising_unit_id) for n in await notices(seeded_engine)
            if n.ticket_id == top.id} == {(1, COUNTY), (2, COUNTY)}


async def test_the_worker_component_loads_missing_years_then_sweeps_until_stopped(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    t = await add_ticket(uow, "S-95")
    stop, sweeps = asyncio.Event(), []

    async def before_sweep() -> None:
        sweeps.append(1)
        if len(sweeps) == 2:
            stop.set()   # the second sweep runs, then the component returns

    scheduler = SlaScheduler(uow, PackageCalendar(), every_s=0.001, clock=FakeClock(DUE + H),
                             before_sweep=before_sweep)
    await asyncio.wait_for(scheduler.run(stop), 60)
    assert len(sweeps) == 2
    assert (await events(seeded_engine, t))["TicketOverdue"] == 1
    async with uow() as u:
        assert set(await u.calendar.years()) == set(PackageCalendar().years_known())
