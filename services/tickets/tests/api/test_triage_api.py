"""Triage and dispatch through `schema.execute` against the real database: accept, handle here,
escalate, dispatch to a lead and co-handlers, return and reassign, start, complete a task,
resolve, resolve on the spot and explain — with scope, illegal steps, retries and the
National Day deadline (the time-sensitive cases call the use cases with an injected clock)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from lianxin.events.v1 import tickets_pb2
from lianxin.tickets.api.triage import AssignmentType
from lianxin.tickets.app import dispatch, triage
from lianxin.tickets.app.common import Actor
from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus, DelayOn, Role
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import (
    Channel,
    Contact,
    Deadline,
    Outcome,
    Status,
    Ticket,
)
from lianxin.tickets.domain.triage import AssignmentOrder
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import (
    COUNTY,
    GRID,
    HOUSING,
    OTHER_TOWN,
    PATH,
    TOWN,
    TRANSPORT,
    VILLAGE,
    WATER,
    FakeClock,
    Uow,
    china,
    end_of,
    execute,
    outbox,
)
from tickets_helpers import add_ticket as store

pytestmark = pytest.mark.integration
VILLAGE_PATH = PATH[VILLAGE]
PERSONAL = ("张三", "13800138000", "玉溪村三组8号", "李四", "王五")

RESULT = """{ __typename ... on Ticket { id status }
  ... on UserError { code message field } }"""


def step(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {RESULT} }}"


ACCEPT = step("acceptTicket", "AcceptTicketInput")
ON_THE_SPOT = step("resolveOnTheSpot", "ResolveOnTheSpotInput")
HANDLE_HERE = step("handleTicketHere", "HandleTicketHereInput")
ESCALATE = step("escalateTicket", "EscalateTicketInput")
DISPATCH = step("dispatchTicket", "DispatchTicketInput")
RETURN = step("returnDispatch", "ReturnDispatchInput")
REASSIGN = step("reassignTicket", "ReassignTicketInput")
START = step("startTicket", "StartTicketInput")
COMPLETE = step("completeTask", "CompleteTaskInput")
RESOLVE = step("resolveTicket", "ResolveTicketInput")
EXPLAIN = step("explainTicket", "ExplainTicketInput")


H = dt.timedelta(hours=1)


@pytest.fixture
def engine(seeded_engine: AsyncEngine) -> AsyncEngine:
    return seeded_engine


@pytest.fixture
def as_(ctx: Callable[..., Any]) -> Callable[..., Any]:
    """The request context of a staff member working at `units` (admin when none)."""
    def make(*units: uuid.UUID, role: str = "cadre", subject: str = "cadre") -> Any:
        if not units:
            return ctx(role="admin", subject="admin")
        return ctx(*units, role=role, subject=subject)
    return make


async def add_ticket(uow: Uow, status: Status = Status.RECEIVED,
                     handling: tuple[uuid.UUID, ...] = VILLAGE_PATH,
                     accept_due: Deadline | None = None) -> Ticket:
    """A ticket placed at the grid, as intake would store it, held by the last unit of
    `handling`."""
    return await store(uow(), org_unit_id=GRID, submitted_by="village-cadre",
                       recorded_by_staff=True, handling_path=handling, status=status,
                       accept_due=accept_due,
                       contact=Contact(name="张三", phone="13800138000", address="玉溪村三组8号"))


async def run(ctx: Any, query: str, **input: Any) -> Any:
    result = await execute(ctx, query, input=input)
    if result.errors:
        return [e.extensions.get("code") if e.extensions else e.message for e in result.errors]
    assert result.data is not None
    [answer] = result.data.values()
    return answer


def ok(answer: Any, status: str) -> None:
    assert answer["__typename"] == "Ticket", answer
    assert answer["status"] == status


def refused(answer: Any, typename: str, field: str | None = None, match: str = "") -> None:
    assert answer["__typename"] == typename, answer
    assert field is None or answer["field"] == field, answer
    assert match in answer["message"], answer


def lead(dept: uuid.UUID = WATER, **kw: Any) -> dict[str, Any]:
    return {"departmentId": str(dept), "responsibleName": "李四", "task": "三日内恢复供水",
            "standard": "户户通水", **kw}


async def stored(uow: Uow, t: Ticket) -> tuple[Ticket, list[Assignment], list[HistoryEntry]]:
    async with uow() as u:
        [ticket] = await u.tickets.get_many([t.id])
        assignments = (await u.assignments.for_tickets([t.id]))[t.id]
        history = (await u.history.for_tickets([t.id]))[t.id]
    return ticket, assignments, history


async def events(engine: AsyncEngine, t: Ticket) -> list[tuple[str, Any]]:
    """(type name, payload message) of the ticket's events in the outbox, oldest first."""
    out = []
    for env in await outbox(engine, t):
        name = env.event_type.rsplit(".", 1)[1]
        payload = getattr(tickets_pb2, name)()
        env.payload.Unpack(payload)
        out.append((name, payload))
    return out


# --- the main road ------------------------------------------------------------------------------
async def test_accept_dispatch_start_complete_and_resolve(
        uow: Uow, engine: AsyncEngine, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow)
    town, water = as_(TOWN, subject="town-cadre"), as_(WATER, subject="water-cadre")
    housing = as_(HOUSING, subject="housing-cadre")
    ok(await run(town, ACCEPT, ticketId=str(t.id), note="已受理"), "ACCEPTED")
    ok(await run(town, DISPATCH, ticketId=str(t.id), lead=lead(dueWorkingDays=5),
                 coHandlers=[lead(HOUSING, task="修补渗漏", standard=None)]), "ASSIGNED")
    after, [main, co], _ = await stored(uow, t)
    assert (main.role, main.department_id, co.role, co.department_id) == (
        Role.LEAD, WATER, Role.CO, HOUSING)
    assert (main.responsible_name, main.task, main.standard, co.standard) == (
        "李四", "三日内恢复供水", "户户通水", "")
    assert after.handle_due == main.due and set(after.involved_units) == {WATER, HOUSING}

    # a co-handler does not start the lead's work; the lead department (scope [10]) does
    assert await run(housing, START, ticketId=str(t.id)) == ["FORBIDDEN"]
    ok(await run(water, START, ticketId=str(t.id)), "IN_PROGRESS")
    # not resolved while 县住建局's task is open; its report does not change the ticket's state
    refused(await run(water, RESOLVE, ticketId=str(t.id), outcome="SOLVED", report="已恢复供水"),
            "IllegalTransitionError", match="县住建局")
    refused(await run(water, COMPLETE, ticketId=str(t.id), assignmentId=str(main.id),
                      report="x"), "IllegalTransitionError", "assignmentId", "resolveTicket")
    assert await run(water, COMPLETE, ticketId=str(t.id), assignmentId=str(co.id),
                     report="x") == ["FORBIDDEN"]
    ok(await run(housing, COMPLETE, ticketId=str(t.id), assignmentId=str(co.id),
                 report="渗漏已修补"), "IN_PROGRESS")
    refused(await run(water, RESOLVE, ticketId=str(t.id), outcome="EXPLAINED", report="x"),
            "InvalidInputError", "outcome", "explainTicket")
    ok(await run(water, RESOLVE, ticketId=str(t.id), outcome="SOLVED", report="已恢复供水"),
       "RESOLVED")

    after, [main, co], history = await stored(uow, t)
    assert (main.status, main.report, co.status, co.report) == (
        AssignmentStatus.DONE, "已恢复供水", AssignmentStatus.DONE, "渗漏已修补")
    assert main.started_at is not None and main.completed_at == after.resolved_at
    assert (after.outcome, after.resolution, after.on_the_spot) == (
        Outcome.SOLVED, "已恢复供水", False)
    assert after.feedback_due is not None and after.resolved_at is not None
    assert after.feedback_due.at > after.resolved_at
    assert [(h.action, h.to_status, h.actor) for h in history] == [
        (Action.ACCEPT, Status.ACCEPTED, "town-cadre"),
        (Action.DISPATCH, Status.ASSIGNED, "town-cadre"),
        (Action.START, Status.IN_PROGRESS, "water-cadre"),
        (Action.COMPLETE_TASK, Status.IN_PROGRESS, "housing-cadre"),
        (Action.RESOLVE, Status.RESOLVED, "water-cadre")]
    assert history[0].note == "已受理"
    assert history[1].note.startswith("dispatched to 县水务局 (lead; co-handling: 县住建局), due ")
    assert history[3].note == "县住建局 completed its co-handling task"
    text = repr([(h.note, h.details) for h in history])
    for personal in PERSONAL:
        assert personal not in text
    found = await events(engine, t)
    assert [name for name, _ in found] == [
        "TicketAccepted", "TicketDispatched", "TicketDispatched", "TicketStarted",
        "AssignmentCompleted", "TicketResolved"]
    assert found[1][1].role == tickets_pb2.ASSIGNMENT_ROLE_LEAD
    assert found[2][1].department_id == str(HOUSING)
    assert found[4][1].on_time and found[5][1].on_time


async def test_the_dispatching_unit_acts_for_a_department(uow: Uow, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow, Status.ACCEPTED)
    town = as_(TOWN)
    ok(await run(town, DISPATCH, ticketId=str(t.id), lead=lead(),
                 coHandlers=[lead(TRANSPORT)]), "ASSIGNED")
    _, [_, co], _ = await stored(uow, t)
    ok(await run(town, START, ticketId=str(t.id)), "IN_PROGRESS")
    ok(await run(town, COMPLETE, ticketId=str(t.id), assignmentId=str(co.id), report="路已修"),
       "IN_PROGRESS")
    ok(await run(town, RESOLVE, ticketId=str(t.id), outcome="PARTIALLY_SOLVED", report="基本恢复"),
       "RESOLVED")


# --- who may act ---------------------------------------------------------------------------------
async def test_scope_decides_who_triages_and_dispatches(uow: Uow, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow, Status.ACCEPTED, handling=(COUNTY, TOWN))
    # township 3's cadre does not even see township 2's ticket: nothing to act on
    refused(await run(as_(OTHER_TOWN), DISPATCH, ticketId=str(t.id), lead=lead()),
            "NotFoundError")
    # the village sees the ticket (it was raised there) but it is the township's now
    assert await run(as_(VILLAGE), DISPATCH, ticketId=str(t.id), lead=lead()) == ["FORBIDDEN"]
    assert await run(as_(VILLAGE), ESCALATE, ticketId=str(t.id), reason="x") == ["FORBIDDEN"]
    # residents and analysts do not work tickets
    assert await run(as_(TOWN, role="resident"), ACCEPT, ticketId=str(t.id)) == ["FORBIDDEN"]
    ok(await run(as_(TOWN), DISPATCH, ticketId=str(t.id), lead=lead()), "ASSIGNED")
    # the water bureau now sees it, but only the township escalates it; other bureaus see nothing
    assert await run(as_(WATER), ESCALATE, ticketId=str(t.id), reason="x") == ["FORBIDDEN"]
    refused(await run(as_(HOUSING), START, ticketId=str(t.id)), "NotFoundError")
    ticket, _, history = await stored(uow, t)
    assert ticket.status is Status.ASSIGNED and len(history) == 1


async def test_illegal_steps_are_typed_errors_and_write_nothing(
        uow: Uow, engine: AsyncEngine, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow)
    town = as_(TOWN)
    for query, extra in ((START, {}), (DISPATCH, {"lead": lead()}),
                         (RESOLVE, {"outcome": "SOLVED", "report": "x"}),
                         (EXPLAIN, {"reply": "x", "channel": "HOTLINE"}),
                         (REASSIGN, {"delayOn": "DISPATCHER", "lead": lead()}),
                         (HANDLE_HERE, {"responsibleName": "王五", "task": "x"})):
        refused(await run(town, query, ticketId=str(t.id), **extra), "IllegalTransitionError",
                match="is RECEIVED")
    ok(await run(town, ACCEPT, ticketId=str(t.id)), "ACCEPTED")
    refused(await run(town, ACCEPT, ticketId=str(t.id)), "IllegalTransitionError",
            match="ACCEPT is allowed only when it is RECEIVED")
    refused(await run(town, REASSIGN, ticketId=str(t.id), delayOn="DISPATCHER", lead=lead()),
            "IllegalTransitionError", "ticketId", "no returned dispatch")
    refused(await run(town, RESOLVE, ticketId=str(t.id), outcome="SOLVED", report="x"),
            "IllegalTransitionError")
    ticket, assignments, history = await stored(uow, t)
    assert (ticket.status, assignments, len(history)) == (Status.ACCEPTED, [], 1)
    assert [name for name, _ in await events(engine, t)] == ["TicketAccepted"]


@pytest.mark.parametrize(("lead_", "co", "typename", "field"), [
    (lead(uuid.UUID(int=404)), [], "NotFoundError", "lead.departmentId"),
    (lead(), [lead(HOUSING), lead(uuid.UUID(int=404))], "NotFoundError",
     "coHandlers[1].departmentId"),
    (lead(COUNTY), [], "InvalidInputError", "lead.departmentId"),
    (lead(), [lead(WATER)], "InvalidInputError", "coHandlers[0].departmentId"),
    (lead(departmentId="10"), [], "InvalidInputError", "lead.departmentId"),
    (lead(), [lead(HOUSING, responsibleCadreId="x")], "InvalidInputError",
     "coHandlers[0].responsibleCadreId"),
    (lead(responsibleName=" "), [], "InvalidInputError", "lead.responsibleName"),
    (lead(), [lead(HOUSING, task="")], "InvalidInputError", "coHandlers[0].task"),
    (lead(dueWorkingDays=0), [], "InvalidInputError", "lead.dueWorkingDays"),
])
async def test_a_bad_dispatch_names_the_field_and_writes_nothing(
        uow: Uow, as_: Callable[..., Any], lead_: dict[str, Any], co: list[dict[str, Any]],
        typename: str, field: str) -> None:
    t = await add_ticket(uow, Status.ACCEPTED)
    refused(await run(as_(TOWN), DISPATCH, ticketId=str(t.id), lead=lead_, coHandlers=co),
            typename, field)
    ticket, assignments, history = await stored(uow, t)
    assert (ticket.version, assignments, history) == (t.version, [], [])


async def test_a_retry_with_the_same_request_id_dispatches_once(
        uow: Uow, engine: AsyncEngine, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow, Status.ACCEPTED)
    request = str(uuid.uuid4())
    first = await run(as_(TOWN), DISPATCH, ticketId=str(t.id), lead=lead(),
                      coHandlers=[lead(HOUSING)], requestId=request)
    retry = await run(as_(TOWN), DISPATCH, ticketId=str(t.id), lead=lead(),
                      coHandlers=[lead(HOUSING)], requestId=request)
    ok(first, "ASSIGNED")
    assert retry == first
    ticket, assignments, history = await stored(uow, t)
    assert (ticket.version, len(assignments), len(history)) == (t.version + 1, 2, 1)
    assert history[0].id == uuid.UUID(request)
    assert len(await events(engine, t)) == 2
    # the same request id on another ticket is a conflict, not a silent success
    other = await add_ticket(uow, Status.ACCEPTED)
    refused(await run(as_(TOWN), ACCEPT, ticketId=str(other.id), requestId=request),
            "ConflictError", "requestId")
    # a start retried after it committed answers the ticket as it is now
    start = str(uuid.uuid4())
    ok(await run(as_(WATER), START, ticketId=str(t.id), requestId=start), "IN_PROGRESS")
    ok(await run(as_(WATER), START, ticketId=str(t.id), requestId=start), "IN_PROGRESS")
    assert len((await stored(uow, t))[2]) == 2


# --- handle here and escalate -------------------------------------------------------------------
async def test_escalation_climbs_from_the_village_to_the_county(
        uow: Uow, engine: AsyncEngine, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow)
    village, town, county = as_(VILLAGE), as_(TOWN), as_(COUNTY)
    refused(await run(village, ESCALATE, ticketId=str(t.id), reason=" "),
            "InvalidInputError", "reason")
    ok(await run(village, ESCALATE, ticketId=str(t.id), reason="村级无法协调水源"), "RECEIVED")
    after, _, _ = await stored(uow, t)
    assert (after.handling_unit_id, after.handling_path) == (TOWN, (COUNTY, TOWN))
    assert after.accept_due is not None
    # the village still sees it, but the township accepts it now
    assert await run(village, ACCEPT, ticketId=str(t.id)) == ["FORBIDDEN"]
    ok(await run(town, ACCEPT, ticketId=str(t.id)), "ACCEPTED")
    ok(await run(town, HANDLE_HERE, ticketId=str(t.id), responsibleName="王五",
                 task="协调邻村供水", dueWorkingDays=3), "ASSIGNED")
    _, [local], _ = await stored(uow, t)
    assert (local.role, local.department_id, local.department_path) == (
        Role.LOCAL, TOWN, (COUNTY, TOWN))
    ok(await run(town, START, ticketId=str(t.id)), "IN_PROGRESS")
    # work handled here is cancelled when it goes up; it arrives accepted
    ok(await run(town, ESCALATE, ticketId=str(t.id), reason="需县级统筹"), "ACCEPTED")
    after, [local], history = await stored(uow, t)
    assert local.status is AssignmentStatus.CANCELLED
    assert (after.handling_unit_id, after.handling_path) == (COUNTY, (COUNTY,))
    refused(await run(county, ESCALATE, ticketId=str(t.id), reason="x"),
            "IllegalTransitionError", "ticketId", "top of the org tree")
    assert [h.note for h in history if h.action is Action.ESCALATE] == [
        "escalated from 玉溪村 to 联珠镇: 村级无法协调水源",
        "escalated from 联珠镇 to 墨江县: 需县级统筹"]
    found = [p for name, p in await events(engine, t) if name == "TicketEscalated"]
    assert [(p.from_unit_id, p.to_unit_id, p.by_policy) for p in found] == [
        (str(VILLAGE), str(TOWN), False), (str(TOWN), str(COUNTY), False)]
    # each carries the receiving unit's fresh clock: to accept (it arrived received), then to
    # handle (it arrived accepted) — what assessment needs to judge the next step on time
    assert [(bool(p.accept_due), bool(p.handle_due)) for p in found] == [(True, False),
                                                                         (False, True)]
    assert after.handle_due is not None
    assert found[1].handle_due == after.handle_due.at.isoformat()
    dispatched = [p for name, p in await events(engine, t) if name == "TicketDispatched"]
    assert [p.role for p in dispatched] == [tickets_pb2.ASSIGNMENT_ROLE_LOCAL]


async def test_a_ticket_with_a_department_is_returned_before_it_goes_up(
        uow: Uow, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow, Status.ACCEPTED)
    ok(await run(as_(VILLAGE), DISPATCH, ticketId=str(t.id), lead=lead()), "ASSIGNED")
    refused(await run(as_(VILLAGE), ESCALATE, ticketId=str(t.id), reason="x"),
            "IllegalTransitionError", "ticketId", "return it first")


async def test_escalation_by_policy_needs_no_reason_and_stops_at_the_top(uow: Uow,
                                                                       engine: AsyncEngine) -> None:
    overdue = Deadline(end_of(2026, 9, 17))
    t = await add_ticket(uow, accept_due=overdue)
    clock = FakeClock(china(2026, 9, 29, 10))
    # asked for another deadline than the ticket's: nothing happens
    assert await triage.escalate_by_policy(t.id, uow(), clock, overdue.at - H) is None
    after = await triage.escalate_by_policy(t.id, uow(), clock, overdue.at)
    assert after is not None
    assert (after.status, after.handling_unit_id) == (Status.RECEIVED, TOWN)
    assert after.accept_due == Deadline(end_of(2026, 9, 30))
    # asked again for the same overdue deadline (a second scheduler): it moved up once
    assert await triage.escalate_by_policy(t.id, uow(), clock, overdue.at) is None
    at_top = await add_ticket(uow, handling=(COUNTY,), accept_due=overdue)
    assert await triage.escalate_by_policy(at_top.id, uow(), clock, overdue.at) is None
    [(name, payload)] = await events(engine, t)
    assert (name, payload.by_policy, payload.to_unit_id) == ("TicketEscalated", True, str(TOWN))
    _, _, [entry] = await stored(uow, t)
    assert (entry.actor, entry.note) == ("system",
                                         "escalated from 玉溪村 to 联珠镇: overdue under the SLA policy")
    assert (await stored(uow, at_top))[2] == []


# --- return and reassign ------------------------------------------------------------------------
async def test_a_returned_dispatch_is_reassigned_with_the_delay_attributed(
        uow: Uow, engine: AsyncEngine, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow, Status.ACCEPTED)
    town, transport = as_(TOWN), as_(TRANSPORT, subject="transport-cadre")
    ok(await run(town, DISPATCH, ticketId=str(t.id), lead=lead(TRANSPORT),
                 coHandlers=[lead(HOUSING)]), "ASSIGNED")
    _, [main, co], _ = await stored(uow, t)
    refused(await run(as_(HOUSING), RETURN, ticketId=str(t.id), assignmentId=str(co.id),
                      reason="x"), "IllegalTransitionError", "assignmentId", "co-handling")
    assert await run(town, RETURN, ticketId=str(t.id), assignmentId=str(main.id),
                     reason="x") == ["FORBIDDEN"]
    refused(await run(transport, RETURN, ticketId=str(t.id), assignmentId=str(main.id),
                      reason=""), "InvalidInputError", "reason")
    refused(await run(transport, RETURN, ticketId=str(t.id), assignmentId=str(uuid.uuid4()),
                      reason="x"), "NotFoundError", "assignmentId")
    ok(await run(transport, RETURN, ticketId=str(t.id), assignmentId=str(main.id),
                 reason="供水不属交通部门职责"), "ACCEPTED")
    _, back, _ = await stored(uow, t)
    assert [(a.status, a.return_reason) for a in back] == [
        (AssignmentStatus.RETURNED, "供水不属交通部门职责")] * 2

    refused(await run(town, REASSIGN, ticketId=str(t.id), delayOn="DISPATCHER",
                      lead=lead(TRANSPORT), coHandlers=[lead(TRANSPORT)]),
            "InvalidInputError", "coHandlers[0].departmentId")
    ok(await run(town, REASSIGN, ticketId=str(t.id), delayOn="DISPATCHER", lead=lead()),
       "ASSIGNED")
    after, assignments, history = await stored(uow, t)
    returned_lead, returned_co, new = assignments
    assert (returned_lead.id, returned_lead.delay_on, returned_co.delay_on) == (
        main.id, DelayOn.DISPATCHER, None)
    assert (new.department_id, new.role, new.replaces_id, new.status) == (
        WATER, Role.LEAD, main.id, AssignmentStatus.OPEN)
    assert after.handle_due == new.due and set(after.involved_units) == {TRANSPORT, HOUSING, WATER}
    assert [h.action for h in history] == [Action.DISPATCH, Action.RETURN, Action.REASSIGN]
    assert history[1].note.startswith("returned by 县交通运输局 after ")
    assert history[2].note.startswith("reassigned (delay on the dispatcher): dispatched to 县水务局")
    found = await events(engine, t)
    assert Counter(name for name, _ in found) == {
        "TicketDispatched": 3, "TicketDispatchReturned": 1, "TicketReassigned": 1}
    [(_, reassigned)] = [(n, p) for n, p in found if n == "TicketReassigned"]
    assert (reassigned.returned_assignment_id, reassigned.delay_on) == (
        str(main.id), tickets_pb2.DELAY_ON_DISPATCHER)
    assert found[-1][1].replaces_assignment_id == str(main.id)
    # once reassigned, it waits for no second reassignment
    ok(await run(as_(WATER), RETURN, ticketId=str(t.id), assignmentId=str(new.id),
                 reason="需住建配合"), "ACCEPTED")
    ok(await run(town, REASSIGN, ticketId=str(t.id), delayOn="DEPARTMENT", lead=lead(),
                 coHandlers=[lead(HOUSING)]), "ASSIGNED")
    _, assignments, _ = await stored(uow, t)
    assert assignments[2].delay_on is DelayOn.DEPARTMENT
    assert [a.replaces_id for a in assignments[3:]] == [new.id, new.id]


# --- on the spot and explained ------------------------------------------------------------------
async def test_resolved_on_the_spot(uow: Uow, engine: AsyncEngine, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow)
    refused(await run(as_(VILLAGE), ON_THE_SPOT, ticketId=str(t.id), report=" "),
            "InvalidInputError", "report")
    ok(await run(as_(VILLAGE), ON_THE_SPOT, ticketId=str(t.id), report="当场疏通了水管"),
       "RESOLVED")
    after, assignments, history = await stored(uow, t)
    assert (after.on_the_spot, after.outcome, after.resolution, assignments) == (
        True, Outcome.SOLVED, "当场疏通了水管", [])
    assert after.feedback_due is not None and after.resolved_at is not None
    [(name, payload)] = await events(engine, t)
    assert (name, payload.on_the_spot, payload.on_time) == ("TicketResolved", True, True)
    assert [h.action for h in history] == [Action.RESOLVE_ON_SPOT]


async def test_an_explained_demand_is_answered_and_its_work_cancelled(
        uow: Uow, engine: AsyncEngine, as_: Callable[..., Any]) -> None:
    t = await add_ticket(uow, Status.ACCEPTED)
    ok(await run(as_(TOWN), DISPATCH, ticketId=str(t.id), lead=lead(),
                 coHandlers=[lead(HOUSING)]), "ASSIGNED")
    refused(await run(as_(WATER), EXPLAIN, ticketId=str(t.id), reply="", channel="HOTLINE"),
            "InvalidInputError", "reply")
    assert await run(as_(HOUSING), EXPLAIN, ticketId=str(t.id), reply="x",
                     channel="HOTLINE") == ["FORBIDDEN"]
    ok(await run(as_(WATER), EXPLAIN, ticketId=str(t.id), reply="该路段已纳入明年改造计划",
                 channel="HOTLINE"), "RESOLVED")
    after, assignments, _ = await stored(uow, t)
    assert [a.status for a in assignments] == [AssignmentStatus.CANCELLED] * 2
    assert (after.outcome, after.answer, after.answer_channel, after.resolution) == (
        Outcome.EXPLAINED, "该路段已纳入明年改造计划", Channel.HOTLINE, "该路段已纳入明年改造计划")
    assert after.answered_at == after.resolved_at
    found = await events(engine, t)
    assert [name for name, _ in found][-2:] == ["TicketResolved", "TicketAnswered"]
    assert found[-2][1].outcome == tickets_pb2.OUTCOME_EXPLAINED and found[-1][1].on_time


# --- deadlines on the working-day calendar ------------------------------------------------------
WATER_CADRE = Actor("water-cadre", "cadre", frozenset({WATER}))
TOWN_CADRE = Actor("town-cadre", "cadre", frozenset({TOWN}))


async def test_a_dispatch_before_national_day_is_due_after_it(uow: Uow, engine: AsyncEngine) -> None:
    t = await add_ticket(uow, Status.ACCEPTED)
    clock = FakeClock(china(2026, 9, 29, 10))   # Tuesday before National Day
    await dispatch.dispatch_ticket(dispatch.DispatchTicket(
        t.id, AssignmentOrder(WATER, "李四", "三日内恢复供水", due_working_days=10),
        (AssignmentOrder(HOUSING, "王五", "修补渗漏"),)), uow(), TOWN_CADRE, clock)
    after, [main, co], _ = await stored(uow, t)
    # Sep 30 is 1, Oct 1–7 are holidays, Oct 8, 9, the make-up Saturday Oct 10, then Oct 12–16
    # and Oct 19 is the tenth working day; the default (handle_days 10) is the same day
    assert main.due == Deadline(end_of(2026, 10, 19))
    assert co.due == main.due and after.handle_due == main.due
    [dispatched, _] = await events(engine, t)
    assert dispatched[1].due == "2026-10-19T16:00:00+00:00"

    # the co-handler finishes late, the lead returns nothing and resolves late
    await dispatch.complete_task(dispatch.CompleteTask(t.id, co.id, "渗漏已修补"), uow(),
                                 TOWN_CADRE, clock.at(2026, 10, 20, 9, 0))
    resolved = await dispatch.resolve_ticket(dispatch.ResolveTicket(
        t.id, Outcome.SOLVED, "已恢复供水"), uow(), WATER_CADRE, clock.at(2026, 10, 20, 10, 0))
    assert resolved.feedback_due == Deadline(end_of(2026, 10, 23))
    completed, solved = [p for _, p in (await events(engine, t))[2:]]
    assert (completed.on_time, solved.on_time) == (False, False)
    _, _, history = await stored(uow, t)
    assert [h.note for h in history][1:] == ["县住建局 completed its co-handling task (late)",
                                             "resolved (SOLVED), late"]


async def test_held_time_of_a_return_counts_working_days_only(uow: Uow,
                                                              engine: AsyncEngine) -> None:
    t = await add_ticket(uow, Status.ACCEPTED)
    clock = FakeClock(china(2026, 9, 29, 12))
    await dispatch.dispatch_ticket(dispatch.DispatchTicket(
        t.id, AssignmentOrder(WATER, "李四", "恢复供水")), uow(), TOWN_CADRE, clock)
    _, [main], _ = await stored(uow, t)
    await dispatch.return_dispatch(dispatch.ReturnDispatch(t.id, main.id, "非本部门职责"), uow(),
                                   WATER_CADRE, clock.at(2026, 10, 9, 12, 0))
    # half of Sep 29, Sep 30, Oct 8, half of Oct 9: the National Day week does not count
    [_, (name, returned)] = await events(engine, t)
    assert (name, returned.held_working_days) == ("TicketDispatchReturned", 3.0)
    _, [main], history = await stored(uow, t)
    assert main.returned_at == clock.now
    assert history[-1].note == "returned by 县水务局 after 3 working days: 非本部门职责"


async def test_a_resolution_carries_its_handling_time_in_working_days(
        uow: Uow, engine: AsyncEngine) -> None:
    submitted = china(2026, 9, 29, 12)   # Tuesday noon before National Day
    t = await store(uow(), org_unit_id=GRID, status=Status.ACCEPTED, submitted_at=submitted,
                    handling_path=VILLAGE_PATH)
    clock = FakeClock(submitted + H)
    await dispatch.dispatch_ticket(dispatch.DispatchTicket(
        t.id, AssignmentOrder(WATER, "李四", "恢复供水")), uow(), TOWN_CADRE, clock)
    await dispatch.resolve_ticket(dispatch.ResolveTicket(t.id, Outcome.SOLVED, "已恢复供水"),
                                  uow(), WATER_CADRE, clock.at(2026, 10, 9, 12, 0))
    # half of Sep 29, Sep 30, Oct 8, half of Oct 9: the third working day after submission
    [*_, (name, resolved)] = await events(engine, t)
    assert (name, resolved.handling_working_days) == ("TicketResolved", 3.0)

    # on the spot, half an hour after it was raised: a small fraction of a working day
    quick = await store(uow(), org_unit_id=GRID, submitted_at=submitted,
                        handling_path=VILLAGE_PATH)
    await triage.resolve_on_the_spot(triage.ResolveOnTheSpot(quick.id, "当场疏通了水管"), uow(),
                                     Actor("v", "cadre", frozenset({VILLAGE})),
                                     FakeClock(submitted + H / 2))
    [(name, spot)] = await events(engine, quick)
    assert (name, spot.on_the_spot, spot.handling_working_days) == ("TicketResolved", True, 0.02)


async def test_accepting_starts_the_ten_working_day_clock(uow: Uow, engine: AsyncEngine) -> None:
    t = await add_ticket(uow, accept_due=Deadline(end_of(2026, 9, 28)))
    after = await triage.accept_ticket(triage.AcceptTicket(t.id), uow(), TOWN_CADRE,
                                       FakeClock(china(2026, 9, 29, 10)))
    assert after.handle_due == Deadline(end_of(2026, 10, 19))
    # accepted a day after its accept deadline: the event says so (the response rate)
    [(name, accepted)] = await events(engine, t)
    assert (name, accepted.on_time) == ("TicketAccepted", False)
    _, _, [entry] = await stored(uow, t)
    assert entry.note == "accepted; plan or report up by the end of 2026-10-19"


def test_an_assignment_as_graphql() -> None:
    a = Assignment(id=uuid.UUID(int=7), ticket_id=uuid.UUID(int=99), department_id=WATER,
                   department_path=(COUNTY, WATER), role=Role.LEAD, responsible_name="李四",
                   task="恢复供水", due=Deadline(end_of(2026, 10, 19), True),
                   assigned_at=dt.datetime(2026, 9, 29, 2, tzinfo=dt.UTC), assigned_by="x",
                   delay_on=DelayOn.DEPARTMENT, replaces_id=uuid.UUID(int=6))
    gql = AssignmentType.from_domain(a)
    assert (gql.id, gql.due_provisional, gql.delay_on, gql.replaces_id, gql.responsible_cadre_id) \
        == (str(a.id), True, DelayOn.DEPARTMENT, str(uuid.UUID(int=6)), None)
    assert gql.department().id == str(WATER)
