"""Ledger import (台账导入) against the seeded database: items in every state become tickets
through the live steps' events, dated as the ledger says; re-importing writes nothing; a changed
row is reported; bad rows are reported and leave nothing behind; a dry run writes nothing."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.kit.envelope import unwrap
from lianxin.kit.importing.held import held_transactions
from lianxin.kit.importing.sheets import read_rows
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.import_ledger import ImportLedger, LedgerReport, import_ledger, ledger_ticket_id
from lianxin.tickets.domain.assignment import AssignmentStatus, Role
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import CloseReason, OrgUnitRef, Satisfaction, Status, Ticket
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, OTHER_TOWN, TOWN, VILLAGE, WATER, china

pytestmark = pytest.mark.integration
NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
IMPORTER = Actor(subject="ledger-import", role="system")
HEADER = ("编号,登记日期,渠道,类别,性质,台账,紧急程度,村/社区,诉求内容,联系人,联系电话,地址,状态,"
          "受理日期,责任单位,派单日期,办结日期,办理结果,办理情况,答复内容,答复日期,满意度,回访日期")
ROWS = [  # the sheet's row 2 onwards
    "A-1,2025-03-03,入户走访,停水,诉求,,紧急,玉溪村,村里停水三天了,张有福,13887901234,一组3号,"
    "已关闭,2025-03-03,县水务局,2025-03-04,2025-03-10,已解决,换管道,已恢复供水,2025-03-11,满意,"
    "2025-03-12",
    "A-2,2025-03-05,院坝会,路灯,意见建议,,,玉溪村,路口没有路灯,,,,已办结,2025-03-06,县交通运输局,,"
    "2025-04-18,部分解决,装了5盏,已装5盏,2025-04-21,不满意,",
    "A-3,2025-04-01,电话,road.village,,,,玉溪村第一网格,便道塌方,,,,办理中,2025-04-01 10:00,"
    "县交通运输局,2025-04-02,,,,,,,",
    "A-4,2025-04-08,窗口来访,低保,求助,困难群众,,玉溪村,申请低保,,,,已派单,2025-04-09,,,,,,,,,",
    "A-5,2025-04-15 10:30,微信,医保报销,咨询,,,联珠镇,报销要什么材料,,,,已受理,2025-04-15 14:00,,,,"
    ",,,,,",
    "A-6,2025-04-20,意见箱,垃圾处理,,,,玉溪村,垃圾桶太少,,,,待受理,,,,,,,,,,",
    "A-7,2025-01-06,来信,危房改造,,,,玉溪村,墙体开裂,,,,已关闭,2025-01-07,县住建局,,2025-01-20,已解决,"
    ",已答复,2025-01-21,,",
    "B-1,2025-03-03,入户走访,停水,,,,不存在村,停水,,,,待受理,,,,,,,,,,",            # unknown place
    "B-2,2025-03-03,入户走访,停水,,,,玉溪村,停水,,,,办理中,2025-03-03,,,2025-03-09,,,,,,",  # 办结日期
    "B-3,2025-03-03,入户走访,停水,,,,玉溪村,停水,王五,1388790,,待受理,,,,,,,,,,",    # phone
    "A-1,2025-03-03,入户走访,停水,,,,玉溪村,又是停水,,,,待受理,,,,,,,,,,",            # code again
    "B-5,2025-03-03,入户走访,停水,,,,新村,停水,,,,待受理,,,,,,,,,,",                  # two 新村
]
IMPORTED = ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6", "A-7"]


def ticket_id(code: str, source: str = "台账2025") -> uuid.UUID:
    return ledger_ticket_id(COUNTY, source, code)


@pytest.fixture
async def engine(seeded_engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork]) -> AsyncEngine:
    """The seeded county with two villages named 新村, one in each township."""
    uow = make_uow(seeded_engine)
    async with uow:
        for i, town in ((20, TOWN), (21, OTHER_TOWN)):
            await uow.org_units.upsert(OrgUnitRef(uuid.UUID(int=i), town, "新村", "village",
                                                  (COUNTY, town, uuid.UUID(int=i))))
        await uow.commit()
    return seeded_engine


def sheet(tmp_path: Path, rows: list[str], name: str = "台账.csv") -> list[Any]:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return read_rows(path)


async def run(engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork], rows: list[Any], *,
              dry_run: bool = False, source: str = "台账2025", chunk: int = 1000,
              transactions: Any = None) -> LedgerReport:
    transactions = transactions or held_transactions(lambda: make_uow(engine), commit=not dry_run)
    return await import_ledger(ImportLedger(rows, source=source, chunk=chunk), transactions,
                               IMPORTER, clock=lambda: NOW)


def failing(engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork],
            fails: Callable[[int], bool]) -> Any:
    """Transactions of which the n-th (from 1) fails when `fails(n)`: after its writes, before
    its commit, as a lost connection would."""
    real = held_transactions(lambda: make_uow(engine))
    opened = 0

    @contextlib.asynccontextmanager
    async def scope() -> AsyncIterator[Any]:
        nonlocal opened
        opened += 1
        async with real() as uow:
            yield uow
            if fails(opened):
                raise ConnectionError("connection lost")
    return scope


async def outbox(engine: AsyncEngine) -> list[tuple[str, uuid.UUID, dt.datetime]]:
    """(event type, ticket id, occurred at) of every outbox row, in order."""
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT envelope FROM outbox ORDER BY id"))).scalars()
        out = []
        for data in rows:
            env, _ = unwrap(data)
            out.append((env.event_type.rsplit(".", 1)[-1], uuid.UUID(env.aggregate_id),
                        env.occurred_at.ToDatetime(dt.UTC)))
        return out


async def counts(engine: AsyncEngine) -> tuple[int, ...]:
    async with engine.connect() as conn:
        return tuple((await conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM ticket), (SELECT count(*) FROM ticket_history), "
            "(SELECT count(*) FROM assignment), (SELECT count(*) FROM outbox)"))).one())


async def tickets(engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork]) -> dict[str, Ticket]:
    uow = make_uow(engine)
    async with uow:
        found = await uow.tickets.get_many([ticket_id(c) for c in IMPORTED])
    return {t.external_ref or "": t for t in found}


async def test_a_ledger_becomes_tickets_with_the_live_events_at_their_historical_times(
        engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork], tmp_path: Path) -> None:
    rows = sheet(tmp_path, ROWS)
    report = await run(engine, make_uow, rows)
    assert (report.rows, report.created, report.unchanged) == (12, 7, 0)
    assert [(e.row, e.column) for e in report.errors] == [
        (9, "村/社区"), (10, "办结日期"), (11, "联系电话"), (12, "编号"), (13, "村/社区")]
    messages = {e.row: e.message for e in report.errors}
    assert "no village, community or place is named '不存在村'" in messages[9]
    assert "1388790" not in messages[11]
    assert "also on row 2" in messages[12]
    assert "墨江县 › 联珠镇 › 新村; 墨江县 › 通关镇 › 新村" in messages[13]

    events = await outbox(engine)
    by_type = collections.Counter(kind for kind, _, _ in events)
    assert by_type == {"TicketSubmitted": 7, "TicketAccepted": 6, "TicketDispatched": 5,
                       "TicketStarted": 1, "TicketResolved": 3, "TicketAnswered": 3,
                       "TicketRated": 2, "TicketClosed": 2, "TicketReopened": 1}
    first = [(kind, at) for kind, tid, at in events if tid == ticket_id("A-1")]
    assert first == [("TicketSubmitted", china(2025, 3, 3, 9)), ("TicketAccepted", china(2025, 3, 3, 9)),
                     ("TicketDispatched", china(2025, 3, 4, 9)), ("TicketResolved", china(2025, 3, 10, 9)),
                     ("TicketAnswered", china(2025, 3, 11, 9)), ("TicketRated", china(2025, 3, 12, 9)),
                     ("TicketClosed", china(2025, 3, 12, 9))]

    found = await tickets(engine, make_uow)
    assert {code: t.status for code, t in found.items()} == {
        "A-1": Status.CLOSED, "A-2": Status.ASSIGNED, "A-3": Status.IN_PROGRESS,
        "A-4": Status.ASSIGNED, "A-5": Status.ACCEPTED, "A-6": Status.RECEIVED,
        "A-7": Status.CLOSED}
    a1, a2, a7 = found["A-1"], found["A-2"], found["A-7"]
    assert a1.imported and a1.code.startswith("墨江县-2025-") and a1.contact.phone == "13887901234"
    assert (a1.satisfaction, a1.close_reason, a1.closed_at) == (
        Satisfaction.SATISFIED, CloseReason.RATED, china(2025, 3, 12, 9))
    assert WATER in a1.involved_units and a1.submitted_at == china(2025, 3, 3, 9)
    assert (a2.reopen_count, a2.satisfaction) == (1, Satisfaction.DISSATISFIED)
    assert a7.close_reason is CloseReason.NO_RATING
    assert found["A-5"].submitted_at == china(2025, 4, 15, 10, 30)

    uow = make_uow(engine)
    async with uow:
        history = (await uow.history.for_tickets([a1.id]))[a1.id]
        assignments = await uow.assignments.for_tickets([a1.id, found["A-3"].id, found["A-4"].id])
    [water], [transport], [local] = assignments.values()
    assert (water.department_id, water.role, water.status, water.completed_at) == (
        WATER, Role.LEAD, AssignmentStatus.DONE, china(2025, 3, 10, 9))
    assert (transport.status, transport.started_at) == (AssignmentStatus.IN_PROGRESS,
                                                        china(2025, 4, 2, 9))
    assert (local.role, local.department_id, local.status) == (Role.LOCAL, VILLAGE,
                                                               AssignmentStatus.OPEN)
    assert [h.action for h in history] == [Action.SUBMIT] + [Action.IMPORT] * 6
    assert [h.at for h in history][-1] == china(2025, 3, 12, 9)
    assert history[1].note == "imported from 台账2025 row 2: ACCEPTED"
    assert history[-1].note == "imported from 台账2025 row 2: CLOSED"
    assert all("13887901234" not in str(h.details) for h in history)


async def test_importing_again_writes_nothing_and_a_changed_row_is_reported(
        engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork], tmp_path: Path) -> None:
    await run(engine, make_uow, sheet(tmp_path, ROWS[:7]))
    before = await counts(engine)
    again = await run(engine, make_uow, sheet(tmp_path, ROWS[:7]))
    assert (again.created, again.unchanged, again.errors) == (0, 7, [])
    assert await counts(engine) == before

    # A-3 was in progress; the ledger now says it was resolved: reported, not applied.
    changed = ROWS[:7]
    changed[2] = changed[2].replace("办理中,2025-04-01 10:00,县交通运输局,2025-04-02,,,,,,,",
                                    "已办结,2025-04-01 10:00,县交通运输局,2025-04-02,2025-04-20,"
                                    "已解决,修好了,,,,")
    changed[3] = changed[3].replace("申请低保,,", "申请低保,李大妈,")
    report = await run(engine, make_uow, sheet(tmp_path, changed))
    assert (report.created, report.unchanged) == (0, 5)
    assert [(e.row, e.column) for e in report.errors] == [
        (4, "状态"), (4, "办结日期"), (4, "办理结果"), (4, "办理情况"), (5, "联系人")]
    assert "imported as ticket 墨江县-2025-" in report.errors[0].message
    assert "李大妈" not in report.errors[-1].message
    assert await counts(engine) == before


async def test_a_dry_run_checks_every_row_and_writes_nothing(
        engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork], tmp_path: Path) -> None:
    before = await counts(engine)
    report = await run(engine, make_uow, sheet(tmp_path, ROWS), dry_run=True)
    assert (report.created, report.skipped) == (7, 5)
    assert await counts(engine) == before
    assert (await run(engine, make_uow, sheet(tmp_path, ROWS))).created == 7


async def state(engine: AsyncEngine) -> tuple[Any, ...]:
    """What an import leaves, compared across ways of running it: counts, the codes drawn, the
    event types per ticket in outbox order."""
    async with engine.connect() as conn:
        codes = sorted((await conn.execute(sa.text("SELECT code FROM ticket"))).scalars())
    per_ticket: dict[uuid.UUID, list[str]] = collections.defaultdict(list)
    for kind, tid, _ in await outbox(engine):
        per_ticket[tid].append(kind)
    return await counts(engine), codes, dict(per_ticket)


async def test_chunks_of_any_size_import_the_same_with_bad_rows_among_them(
        engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork], tmp_path: Path) -> None:
    rows = sheet(tmp_path, ROWS)
    first = await run(engine, make_uow, rows, chunk=1, source="one")
    for chunk in (3, 5):  # bad rows in the middle of chunks, at their ends, chunks of bad rows
        report = await run(engine, make_uow, rows, chunk=chunk, source=f"chunks of {chunk}")
        assert (report.rows, report.created, report.errors) == (first.rows, 7, first.errors)
    async with engine.connect() as conn:
        codes = sorted((await conn.execute(sa.text("SELECT code FROM ticket"))).scalars())
    assert [int(c.rsplit("-", 1)[1]) for c in codes] == list(range(1, 22))  # no gaps
    per_source = collections.Counter[tuple[str, str]]()
    for kind, tid, _ in await outbox(engine):
        for source in ("one", "chunks of 3", "chunks of 5"):
            if tid in {ticket_id(c, source) for c in IMPORTED}:
                per_source[source, kind] += 1
    assert {k: n for (s, k), n in per_source.items() if s == "one"} == \
        {k: n for (s, k), n in per_source.items() if s == "chunks of 5"} == \
        {k: n for (s, k), n in per_source.items() if s == "chunks of 3"}


async def test_a_chunk_that_fails_as_a_whole_is_imported_again_a_row_at_a_time(
        engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork], tmp_path: Path) -> None:
    rows = sheet(tmp_path, ROWS)
    transactions = failing(engine, make_uow, lambda n: n == 1)  # the first chunk's commit
    report = await run(engine, make_uow, rows, chunk=4, transactions=transactions)
    assert (report.rows, report.created, report.unchanged) == (12, 7, 0)
    assert [(e.row, e.column) for e in report.errors] == [
        (9, "村/社区"), (10, "办结日期"), (11, "联系电话"), (12, "编号"), (13, "村/社区")]
    after_failure = await state(engine)

    async with engine.begin() as conn:  # the same sheet imported in one go, to compare with
        await conn.execute(sa.text("TRUNCATE ticket, ticket_history, assignment, outbox, "
                                   "ticket_code_counter CASCADE"))
    await run(engine, make_uow, rows)
    assert await state(engine) == after_failure


async def test_an_import_that_stops_resumes_where_it_stopped(
        engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork], tmp_path: Path) -> None:
    rows = sheet(tmp_path, ROWS)
    down = failing(engine, make_uow, lambda n: n >= 2)  # the database goes away after a chunk
    with pytest.raises(ConnectionError):
        await run(engine, make_uow, rows, chunk=3, transactions=down)
    assert (await counts(engine))[0] == 3  # the first chunk (A-1 … A-3) stays imported

    report = await run(engine, make_uow, rows, chunk=3)
    assert (report.created, report.unchanged, report.skipped) == (4, 3, 5)
    resumed = await state(engine)
    async with engine.begin() as conn:
        await conn.execute(sa.text("TRUNCATE ticket, ticket_history, assignment, outbox, "
                                   "ticket_code_counter CASCADE"))
    await run(engine, make_uow, rows)
    assert await state(engine) == resumed
