"""The whistle (吹哨报到) through `schema.execute` against the seeded database: blow, report in,
start, complete; typed errors; who sees a whistle; overdue computed when read; the unit lists."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app import whistles as app
from lianxin.tickets.app.common import Actor
from lianxin.tickets.domain.ticket import Kind, Ledger, Status, Ticket, Urgency
from lianxin.tickets.domain.whistle import TaskOrder
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import (
    COUNTY,
    HOUSING,
    OTHER_TOWN,
    TOWN,
    TRANSPORT,
    VILLAGE,
    WATER,
    execute,
    single,
)
from tickets_helpers import add_ticket as store

pytestmark = pytest.mark.integration

WHISTLE = """id status urgency reason blownAt reportInDue closedAt blowerUnit { id } ticket { id }
  tasks { department { id } task status reportedAt late lateSeconds overdue startedAt completedAt
          report }"""
RESULT = f"""__typename ... on Whistle {{ {WHISTLE} }}
  ... on UserError {{ code message field }}"""
BLOW = f"mutation($input: BlowWhistleInput!) {{ blowWhistle(input: $input) {{ {RESULT} }} }}"
REPORT = f"mutation($input: ReportInInput!) {{ reportIn(input: $input) {{ {RESULT} }} }}"
START = (f"mutation($input: StartWhistleTaskInput!) {{ startWhistleTask(input: $input) "
         f"{{ {RESULT} }} }}")
COMPLETE = (f"mutation($input: CompleteWhistleTaskInput!) {{ completeWhistleTask(input: $input) "
            f"{{ {RESULT} }} }}")
READ = f"query($id: ID!) {{ whistle(id: $id) {{ {WHISTLE} }} }}"
LIST = """query($unit: ID!, $open: Boolean!, $first: Int!, $after: String) {
  whistles(orgUnitId: $unit, openOnly: $open, first: $first, after: $after) {
    nodes { id status } pageInfo { hasNextPage endCursor } } }"""


async def add_ticket(engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork],
                     status: Status = Status.ASSIGNED) -> Ticket:
    return await store(make_uow(engine), status=status, urgency=Urgency.URGENT,
                       submitted_by="village-cadre", submitted_at=dt.datetime.now(dt.UTC))


def blow_input(t: Ticket, *tasks: tuple[uuid.UUID | str, str], **kw: Any) -> dict[str, Any]:
    tasks = tasks or ((WATER, "抢修供水管网"), (HOUSING, "排查房屋渗漏"))
    return {"ticketId": str(t.id), "urgency": "URGENT", "reason": "停水又漏房，需会商",
            "tasks": [{"departmentId": str(d), "task": x} for d, x in tasks], **kw}


async def test_blow_report_in_handle_complete_and_close(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any]) -> None:
    t = await add_ticket(seeded_engine, make_uow)
    village, water, housing = ctx(VILLAGE), ctx(WATER), ctx(HOUSING)
    before = dt.datetime.now(dt.UTC)
    w = await single(village, BLOW, input=blow_input(t))
    assert w["__typename"] == "Whistle" and w["status"] == "OPEN"
    assert (w["blowerUnit"], w["ticket"]) == ({"id": str(VILLAGE)}, {"id": str(t.id)})
    due = dt.datetime.fromisoformat(w["reportInDue"]) - before
    assert dt.timedelta(hours=2) <= due < dt.timedelta(hours=2, minutes=1)
    assert [(x["department"]["id"], x["status"], x["overdue"]) for x in w["tasks"]] == [
        (str(WATER), "SUMMONED", False), (str(HOUSING), "SUMMONED", False)]

    step = {"whistleId": w["id"], "departmentId": str(WATER)}
    w = await single(water, REPORT, input=step)
    assert (w["tasks"][0]["status"], w["tasks"][0]["late"], w["tasks"][0]["lateSeconds"]) == (
        "REPORTED", False, 0)
    w = await single(water, START, input=step)
    assert w["tasks"][0]["status"] == "HANDLING" and w["tasks"][0]["startedAt"]
    w = await single(water, COMPLETE, input={**step, "report": "管网已抢修"})
    assert (w["tasks"][0]["status"], w["tasks"][0]["report"], w["status"]) == (
        "COMPLETED", "管网已抢修", "OPEN")
    step = {"whistleId": w["id"], "departmentId": str(HOUSING)}
    await single(housing, REPORT, input=step)
    w = await single(housing, COMPLETE, input={**step, "report": "渗漏已修补"})
    assert w["status"] == "CLOSED" and w["closedAt"]
    assert [x["status"] for x in w["tasks"]] == ["COMPLETED", "COMPLETED"]

    # who sees the ticket sees its whistles; a department not summoned does not
    for viewer, seen in ((water, True), (ctx(TOWN), True), (ctx(TRANSPORT), False),
                         (ctx(OTHER_TOWN), False), (ctx(role="resident", subject="r-9"), False)):
        assert ((await single(viewer, READ, id=w["id"])) is not None) is seen
        entity = await single(viewer, """query($r: [_Any!]!) { _entities(representations: $r) {
            ... on Whistle { status } } }""", r=[{"__typename": "Whistle", "id": w["id"]}])
        assert entity == ([{"status": "CLOSED"}] if seen else [None])
    async with seeded_engine.connect() as conn:
        kinds = (await conn.execute(sa.text(
            "SELECT event_type, count(*) FROM outbox GROUP BY event_type"))).all()
    assert {k.rsplit(".", 1)[1]: n for k, n in kinds} == {
        "WhistleBlown": 1, "WhistleReportedIn": 2, "WhistleTaskStarted": 1,
        "WhistleTaskCompleted": 2, "WhistleClosed": 1}


async def test_expected_failures_are_typed_and_write_nothing(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any]) -> None:
    t = await add_ticket(seeded_engine, make_uow)
    received = await add_ticket(seeded_engine, make_uow, Status.RECEIVED)
    village, admin = ctx(VILLAGE), ctx(role="admin")

    async def error(c: Any, query: str, **input: Any) -> tuple[str, str | None, str]:
        r = await single(c, query, input=input)
        return r["__typename"], r["field"], r["message"]

    assert (await error(village, BLOW, **blow_input(t, (WATER, "a"), (WATER, "b"))))[:2] == (
        "InvalidInputError", "departmentId")
    assert (await error(village, BLOW, **blow_input(t, ("abc", "a"))))[:2] == (
        "InvalidInputError", "departmentId")
    assert (await error(village, BLOW, **blow_input(t, (TOWN, "a"))))[:2] == (
        "InvalidInputError", "departmentId")
    assert (await error(village, BLOW, **blow_input(t, (uuid.UUID(int=404), "a"))))[:2] == (
        "NotFoundError", "departmentId")
    assert (await error(village, BLOW, **{**blow_input(t), "tasks": []}))[:2] == (
        "InvalidInputError", "tasks")
    assert (await error(admin, BLOW, **blow_input(t, blowerUnitId=str(COUNTY))))[:2] == (
        "InvalidInputError", "blowerUnitId")
    assert (await error(village, BLOW, **blow_input(received)))[0] == "IllegalTransitionError"
    assert (await error(ctx(OTHER_TOWN), BLOW, **blow_input(t)))[0] == "NotFoundError"
    async with seeded_engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM whistle"))).scalar_one() == 0

    w = await single(village, BLOW, input=blow_input(t))
    water = {"whistleId": w["id"], "departmentId": str(WATER)}
    kind, field, message = await error(ctx(WATER), COMPLETE, **water, report="已修")
    assert (kind, field) == ("IllegalTransitionError", "departmentId")
    assert "report in first" in message
    assert (await error(admin, REPORT, whistleId=w["id"], departmentId=str(TRANSPORT)))[:2] == (
        "NotFoundError", "departmentId")
    assert (await error(ctx(TRANSPORT), REPORT, whistleId=w["id"],
                        departmentId=str(TRANSPORT)))[:2] == ("NotFoundError", "whistleId")
    assert (await error(admin, REPORT, whistleId=str(uuid.uuid4()),
                        departmentId=str(WATER)))[:2] == ("NotFoundError", "whistleId")
    # acting for another department, or as a resident, is refused outright
    for caller in (ctx(HOUSING), ctx(role="resident", subject="r-1")):
        result = await execute(caller, REPORT, input=water)
        assert [e.extensions["code"] for e in result.errors] == ["FORBIDDEN"]
    # the blowing village may record a department's report-in for it
    assert (await single(village, REPORT, input=water))["tasks"][0]["status"] == "REPORTED"


async def test_overdue_is_computed_when_read_and_lateness_is_kept(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any]) -> None:
    t = await add_ticket(seeded_engine, make_uow)
    blown = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    village = Actor(subject="village-cadre", role="cadre", org_scope=frozenset({VILLAGE}))
    w = await app.blow_whistle(app.BlowWhistle(
        ticket_id=t.id, urgency=Urgency.EMERGENCY, reason="爆管",
        tasks=(TaskOrder(WATER, "抢修"), TaskOrder(HOUSING, "排险"))), make_uow(seeded_engine),
        village, lambda: blown)
    reported = blown + dt.timedelta(minutes=47, seconds=30)     # 17.5 minutes late
    await app.report_in(app.ReportIn(w.id, WATER), make_uow(seeded_engine),
                        Actor(subject="w", role="cadre", org_scope=frozenset({WATER})),
                        lambda: reported)
    read = await single(ctx(TOWN), READ, id=str(w.id))
    assert [(x["late"], x["lateSeconds"], x["overdue"]) for x in read["tasks"]] == [
        (True, 17 * 60 + 30, False), (None, None, True)]


async def test_whistles_of_a_unit_open_first_paged(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any]) -> None:
    t = await add_ticket(seeded_engine, make_uow)
    village, water = ctx(VILLAGE), ctx(WATER)
    first = await single(village, BLOW, input=blow_input(t, (WATER, "抢修")))
    second = await single(village, BLOW, input=blow_input(t, (HOUSING, "排险")))
    step = {"whistleId": first["id"], "departmentId": str(WATER)}
    await single(water, REPORT, input=step)
    await single(water, COMPLETE, input={**step, "report": "已修"})     # the first one closes

    async def listed(c: Any, unit: uuid.UUID, open_: bool = True, n: int = 10,
                     after: str | None = None) -> Any:
        return await single(c, LIST, unit=str(unit), open=open_, first=n, after=after)

    assert [n["id"] for n in (await listed(village, VILLAGE))["nodes"]] == [second["id"]]
    page1 = await listed(ctx(TOWN), TOWN, False, 1)
    assert page1["nodes"] == [{"id": second["id"], "status": "OPEN"}]
    assert page1["pageInfo"]["hasNextPage"]
    page2 = await listed(ctx(TOWN), TOWN, False, 1, page1["pageInfo"]["endCursor"])
    assert page2["nodes"] == [{"id": first["id"], "status": "CLOSED"}]
    assert not page2["pageInfo"]["hasNextPage"]
    assert (await listed(water, WATER, False))["nodes"] == [{"id": first["id"], "status": "CLOSED"}]
    assert (await listed(water, WATER))["nodes"] == []
    result = await execute(water, LIST, unit=str(TOWN), open=True, first=10)
    assert [e.extensions["code"] for e in result.errors] == ["FORBIDDEN"]
    result = await execute(village, LIST, unit=str(VILLAGE), open=True, first=500)
    assert [e.extensions["code"] for e in result.errors] == ["BAD_USER_INPUT"]


async def test_a_retried_step_returns_the_whistle_as_stored(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any]) -> None:
    t = await add_ticket(seeded_engine, make_uow)
    village, water = ctx(VILLAGE), ctx(WATER)
    blow = blow_input(t, requestId=str(uuid.uuid4()))
    w = await single(village, BLOW, input=blow)
    report = {"whistleId": w["id"], "departmentId": str(WATER), "requestId": str(uuid.uuid4())}
    reported = await single(water, REPORT, input=report)
    assert await single(water, REPORT, input=report) == reported
    assert await single(village, BLOW, input=blow) == reported    # the same whistle, as it is now
    async with seeded_engine.connect() as conn:
        counts = (await conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM whistle), (SELECT count(*) FROM outbox), "
            "(SELECT count(*) FROM ticket_history)"))).one()
    assert tuple(counts) == (1, 2, 2)


async def test_a_page_of_whistles_is_full_around_stability_risk_ones(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any]) -> None:
    """A plain cadre never sees whistles on stability-risk (涉稳) tickets, and the query leaves
    them out itself: the page holds `first` whistles the cadre may see, not fewer."""
    plain = await add_ticket(seeded_engine, make_uow)
    risky = await store(make_uow(seeded_engine), status=Status.ASSIGNED, urgency=Urgency.URGENT,
                        kind=Kind.STABILITY_RISK, ledger=Ledger.STABILITY_RISK,
                        submitted_by="someone-else", submitted_at=dt.datetime.now(dt.UTC))
    supervisor = ctx(COUNTY, role="supervisor")
    older = await single(supervisor, BLOW, input=blow_input(plain, (WATER, "抢修")))
    for _ in range(2):   # the newest two are on the stability-risk ticket
        await single(supervisor, BLOW, input=blow_input(risky, (HOUSING, "排险")))

    page = await single(ctx(TOWN), LIST, unit=str(TOWN), open=True, first=1, after=None)
    assert page["nodes"] == [{"id": older["id"], "status": "OPEN"}]
    assert not page["pageInfo"]["hasNextPage"]
    seen_by_supervisor = await single(supervisor, LIST, unit=str(TOWN), open=True, first=10,
                                      after=None)
    assert len(seen_by_supervisor["nodes"]) == 3
