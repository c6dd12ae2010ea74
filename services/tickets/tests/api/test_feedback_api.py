"""Feedback, merge, pause and extension through `schema.execute` against the seeded database:
every mutation answers TicketResult, expected failures are typed errors (nothing written), who
may do what, and what the Ticket then shows (extensions, merged tickets, the master's answer)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus
from lianxin.tickets.domain.calendar import CHINA
from lianxin.tickets.domain.ticket import Channel, Contact, Deadline, Outcome, Status, Ticket
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import (
    OTHER_TOWN,
    SCHEMA,
    TOWN,
    VILLAGE,
    WATER,
    add_assignments,
    assignment,
    single,
)
from tickets_helpers import add_ticket as store

pytestmark = pytest.mark.integration
RESIDENT_ID, OTHER_RESIDENT = uuid.UUID(int=777), uuid.UUID(int=778)

TICKET = """id status answer answeredAt answerChannel solved satisfaction ratedByStaff
  closeReason closedAt reopenCount paused pausedAt handleDue { at provisional }
  master { id } assignments { id status due }
  extensions { id workingDays reason requestedBy status decidedBy decisionNote }
  history { action fromStatus toStatus note actor }"""
RESULT = f"""__typename ... on Ticket {{ {TICKET} }}
  ... on UserError {{ code message field }}"""


def mutation(name: str) -> str:
    kind = name[0].upper() + name[1:] + "Input"
    return f"mutation($input: {kind}!) {{ {name}(input: $input) {{ {RESULT} }} }}"


READ = f"query($id: ID!) {{ ticket(id: $id) {{ {TICKET} mergedTickets {{ id }} }} }}"


async def step(ctx: Any, name: str, **input: Any) -> Any:
    return await single(ctx, mutation(name), input=input)


NOW = dt.datetime.now(dt.UTC)


async def add_ticket(engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork],
                     status: Status = Status.RESOLVED, **kw: Any) -> Ticket:
    """The resident's ticket at the village, handled by the town, 县水务局 involved."""
    return await store(make_uow(engine), **{
        "handling_unit_id": TOWN, "status": status, "submitted_by": str(RESIDENT_ID),
        "submitted_at": NOW - dt.timedelta(days=20), "involved_units": (WATER,),
        "contact": Contact(resident_id=RESIDENT_ID, phone="13800138000"), **kw})


def answered(days_ago: float = 1) -> dict[str, Any]:
    at = NOW - dt.timedelta(days=days_ago)
    return {"outcome": Outcome.SOLVED, "resolution": "管网已修复", "resolved_at": at,
            "answer": "已修复", "answer_channel": Channel.HOTLINE, "answered_at": at}


async def add_lead(engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork], t: Ticket,
                   status: AssignmentStatus, due: dt.datetime) -> Assignment:
    a = assignment(t, task="抢修", due=Deadline(due), assigned_at=NOW - dt.timedelta(days=10),
                   status=status)
    await add_assignments(make_uow(engine), a)
    return a


@pytest.fixture
def resident(ctx: Callable[..., Any]) -> Any:
    return ctx(role="resident", subject=str(RESIDENT_ID))


async def test_answer_once_then_the_resident_rates_and_it_closes(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any],
        resident: Any) -> None:
    t = await add_ticket(seeded_engine, make_uow, outcome=Outcome.SOLVED, resolved_at=NOW)
    town = ctx(TOWN)
    early = await step(resident, "rateTicket", ticketId=str(t.id), solved=True,
                       satisfaction="SATISFIED")
    assert (early["__typename"], early["code"]) == ("IllegalTransitionError",
                                                    "ILLEGAL_TRANSITION")
    request = str(uuid.uuid4())
    answer = {"ticketId": str(t.id), "reply": "水管已修复", "channel": "HOTLINE",
              "requestId": request}
    got = await step(town, "answerTicket", **answer)
    assert (got["__typename"], got["answer"], got["answerChannel"]) == (
        "Ticket", "水管已修复", "HOTLINE")
    again = await step(town, "answerTicket", **answer)   # a retry: the ticket as it is
    assert again["__typename"] == "Ticket" and len(again["history"]) == 1
    twice = await step(town, "answerTicket", **{**answer, "requestId": str(uuid.uuid4())})
    assert twice["__typename"] == "IllegalTransitionError"
    assert "already answered" in twice["message"]

    other = ctx(role="resident", subject=str(OTHER_RESIDENT))
    hidden = await step(other, "rateTicket", ticketId=str(t.id), solved=True,
                        satisfaction="SATISFIED")
    assert (hidden["__typename"], hidden["code"]) == ("NotFoundError", "NOT_FOUND")
    result = await SCHEMA.execute(mutation("rateTicket"), context_value=town, variable_values={
        "input": {"ticketId": str(t.id), "solved": True, "satisfaction": "SATISFIED"}})
    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"

    closed = await step(resident, "rateTicket", ticketId=str(t.id), solved=True,
                        satisfaction="SATISFIED")
    assert (closed["status"], closed["closeReason"], closed["satisfaction"], closed["solved"],
            closed["ratedByStaff"]) == ("CLOSED", "RATED", "SATISFIED", True, False)
    assert [h["action"] for h in closed["history"]] == ["ANSWER", "RATE"]


async def test_dissatisfied_reopens_and_the_lead_works_again(
        seeded_engine: AsyncEngine, make_uow: Any, resident: Any) -> None:
    t = await add_ticket(seeded_engine, make_uow, **answered())
    lead = await add_lead(seeded_engine, make_uow, t, AssignmentStatus.DONE,
                          NOW - dt.timedelta(days=3))
    got = await step(resident, "rateTicket", ticketId=str(t.id), solved=False,
                     satisfaction="DISSATISFIED")
    assert (got["status"], got["reopenCount"], got["answer"], got["satisfaction"]) == (
        "ASSIGNED", 1, None, None)
    due = dt.datetime.fromisoformat(got["handleDue"]["at"])
    assert due > NOW + dt.timedelta(days=10)     # ten working days are at least two weeks
    [a] = got["assignments"]
    assert (a["id"], a["status"], dt.datetime.fromisoformat(a["due"])) == (
        str(lead.id), "OPEN", due)
    [h] = got["history"]
    assert (h["action"], h["fromStatus"], h["toStatus"]) == ("REOPEN", "RESOLVED", "ASSIGNED")


async def test_a_return_visit_rates_for_the_resident(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any]) -> None:
    t = await add_ticket(seeded_engine, make_uow, **answered())
    visit = {"ticketId": str(t.id), "solved": True, "satisfaction": "BASICALLY_SATISFIED",
             "channel": "HOME_VISIT", "note": "入户回访"}
    result = await SCHEMA.execute(mutation("recordReturnVisit"), variable_values={
        "input": visit}, context_value=ctx(role="resident", subject=str(RESIDENT_ID)))
    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"
    got = await step(ctx(VILLAGE), "recordReturnVisit", **visit)
    assert (got["status"], got["ratedByStaff"], got["closeReason"]) == (
        "CLOSED", True, "RATED")
    blank = await step(ctx(VILLAGE), "recordReturnVisit", **{**visit, "note": " "})
    assert blank["__typename"] == "IllegalTransitionError"   # closed already


async def test_close_unrated_only_once_the_rating_days_are_over(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any]) -> None:
    fresh = await add_ticket(seeded_engine, make_uow, **answered(days_ago=1))
    stale = await add_ticket(seeded_engine, make_uow, **answered(days_ago=8))
    town = ctx(TOWN)
    early = await step(town, "closeUnratedTicket", ticketId=str(fresh.id))
    assert early["__typename"] == "IllegalTransitionError"
    assert "may rate it until" in early["message"]
    closed = await step(town, "closeUnratedTicket", ticketId=str(stale.id))
    assert (closed["status"], closed["closeReason"]) == ("CLOSED", "NO_RATING")


async def test_merge_and_both_submitters_see_the_answer(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any],
        resident: Any) -> None:
    master = await add_ticket(seeded_engine, make_uow, Status.ASSIGNED,
                              submitted_by="village-cadre", recorded_by_staff=True,
                              contact=Contact())
    dup = await add_ticket(seeded_engine, make_uow, Status.ACCEPTED)
    town = ctx(TOWN)
    bad = await step(town, "mergeTicket", ticketId=str(dup.id), masterId="nope")
    assert (bad["__typename"], bad["field"]) == ("InvalidInputError", "masterId")
    itself = await step(town, "mergeTicket", ticketId=str(dup.id), masterId=str(dup.id))
    assert (itself["__typename"], itself["field"]) == ("InvalidInputError", "masterId")
    elsewhere = await add_ticket(seeded_engine, make_uow, Status.ASSIGNED,
                                 org_unit_id=OTHER_TOWN, handling_unit_id=OTHER_TOWN,
                                 involved_units=())
    unseen = await step(town, "mergeTicket", ticketId=str(dup.id), masterId=str(elsewhere.id))
    assert (unseen["__typename"], unseen["field"]) == ("NotFoundError", "masterId")

    got = await step(town, "mergeTicket", ticketId=str(dup.id), masterId=str(master.id),
                     note="同一停水")
    assert (got["status"], got["master"]) == ("MERGED", {"id": str(master.id)})
    chained = await step(town, "mergeTicket", ticketId=str(master.id), masterId=str(dup.id))
    assert chained["__typename"] == "IllegalTransitionError"

    read = await single(town, READ, id=str(master.id))
    assert read["mergedTickets"] == [{"id": str(dup.id)}]
    # the master is answered; the duplicate's submitter hears it through their own ticket
    async with make_uow(seeded_engine) as u:
        [m] = await u.tickets.get_many([master.id])
        await u.tickets.save(m.advance(NOW, status=Status.RESOLVED, **answered(0)))
        await u.commit()
    mine = await single(resident, READ, id=str(dup.id))
    assert (mine["status"], mine["answer"]) == ("MERGED", "已修复")


async def test_pause_and_resume(seeded_engine: AsyncEngine, make_uow: Any,
                                ctx: Callable[..., Any]) -> None:
    due = NOW + dt.timedelta(days=5)
    t = await add_ticket(seeded_engine, make_uow, status=Status.IN_PROGRESS,
                         handle_due=Deadline(due))
    await add_lead(seeded_engine, make_uow, t, AssignmentStatus.IN_PROGRESS, due)
    water = ctx(WATER)
    outsider = await SCHEMA.execute(mutation("pauseTicket"), context_value=ctx(VILLAGE),
                                    variable_values={"input": {"ticketId": str(t.id),
                                                               "reason": "等待"}})
    assert outsider.errors and outsider.errors[0].extensions["code"] == "FORBIDDEN"
    early = await step(water, "resumeTicket", ticketId=str(t.id))
    assert early["__typename"] == "IllegalTransitionError"
    paused = await step(water, "pauseTicket", ticketId=str(t.id), reason="等待群众补充材料")
    assert paused["paused"] is True and paused["pausedAt"] is not None
    twice = await step(water, "pauseTicket", ticketId=str(t.id), reason="again")
    assert twice["__typename"] == "IllegalTransitionError"
    long = await step(ctx(TOWN), "resumeTicket", ticketId=str(t.id), note="x" * 5001)
    assert (long["__typename"], long["field"]) == ("InvalidInputError", "note")
    resumed = await step(ctx(TOWN), "resumeTicket", ticketId=str(t.id), note="材料已补齐")
    assert resumed["paused"] is False
    assert dt.datetime.fromisoformat(resumed["handleDue"]["at"]) > due
    assert dt.datetime.fromisoformat(resumed["assignments"][0]["due"]) > due
    assert [h["action"] for h in resumed["history"]] == ["PAUSE", "RESUME"]


async def test_extension_requested_by_the_department_decided_by_the_dispatcher(
        seeded_engine: AsyncEngine, make_uow: Any, ctx: Callable[..., Any]) -> None:
    # end of Tue 2026-12-01 + 3 working days: end of Fri 12-04
    t = await add_ticket(seeded_engine, make_uow, status=Status.IN_PROGRESS,
                         handle_due=Deadline(dt.datetime(2026, 12, 2, tzinfo=CHINA)))
    await add_lead(seeded_engine, make_uow, t, AssignmentStatus.IN_PROGRESS,
                   dt.datetime(2026, 12, 2, tzinfo=CHINA))
    water, town = ctx(WATER, subject="water-cadre"), ctx(TOWN, subject="town-cadre")
    too_many = await step(water, "requestExtension", ticketId=str(t.id), workingDays=61,
                          reason="管材缺货")
    assert (too_many["__typename"], too_many["field"]) == ("InvalidInputError", "workingDays")
    got = await step(water, "requestExtension", ticketId=str(t.id), workingDays=3,
                     reason="管材缺货")
    [e] = got["extensions"]
    assert (e["status"], e["workingDays"], e["reason"], e["requestedBy"]) == (
        "PENDING", 3, "管材缺货", "water-cadre")

    decide = {"ticketId": str(t.id), "extensionId": e["id"], "approve": True}
    result = await SCHEMA.execute(mutation("decideExtension"), variable_values={
        "input": decide}, context_value=water)
    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"
    own = ctx(role="admin", subject="water-cadre")
    mine = await step(own, "decideExtension", **decide)
    assert mine["__typename"] == "IllegalTransitionError" and "you requested" in mine["message"]
    unknown = await step(town, "decideExtension", **{**decide, "extensionId": str(uuid.uuid4())})
    assert (unknown["__typename"], unknown["field"]) == ("NotFoundError", "extensionId")

    approved = await step(town, "decideExtension", **decide, note="同意")
    assert dt.datetime.fromisoformat(approved["handleDue"]["at"]) == dt.datetime(
        2026, 12, 5, tzinfo=CHINA)
    [a] = approved["assignments"]
    assert dt.datetime.fromisoformat(a["due"]) == dt.datetime(2026, 12, 5, tzinfo=CHINA)
    [e] = approved["extensions"]
    assert (e["status"], e["decidedBy"], e["decisionNote"]) == ("APPROVED", "town-cadre", "同意")
    again = await step(town, "decideExtension", **decide)
    assert again["__typename"] == "IllegalTransitionError"


async def test_reflections_on_a_closed_ticket(seeded_engine: AsyncEngine, make_uow: Any,
                                              ctx: Callable[..., Any]) -> None:
    t = await add_ticket(seeded_engine, make_uow, status=Status.CLOSED)
    working = await add_ticket(seeded_engine, make_uow, status=Status.ASSIGNED)
    water = ctx(WATER, subject="water-cadre")
    got = await step(water, "addReflection", ticketId=str(t.id), note="应提前排查老旧管网")
    assert got["status"] == "CLOSED"
    assert got["history"][-1] == {"action": "REFLECT", "fromStatus": "CLOSED",
                                  "toStatus": "CLOSED", "note": "应提前排查老旧管网",
                                  "actor": "water-cadre"}
    early = await step(water, "addReflection", ticketId=str(working.id), note="x")
    assert early["__typename"] == "IllegalTransitionError"
    empty = await step(water, "addReflection", ticketId=str(t.id), note=" ")
    assert (empty["__typename"], empty["field"]) == ("InvalidInputError", "note")
