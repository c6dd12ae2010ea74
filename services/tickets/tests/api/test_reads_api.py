"""Reading tickets through GraphQL against a real database: who sees which ticket and which
contact, masking and audited unmasking, filters and keyset pages, the entity extensions, a
merged ticket's answer, and that a page costs a constant number of statements."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
import tickets_helpers as helpers
from lianxin.kit.testing.statements import statements
from lianxin.tickets.domain.assignment import Assignment, AssignmentStatus
from lianxin.tickets.domain.ticket import (
    Channel,
    Contact,
    Deadline,
    Kind,
    Ledger,
    Status,
    Ticket,
    Urgency,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, GRID, HOUSING, OTHER_TOWN, TOWN, VILLAGE, WATER, codes

pytestmark = pytest.mark.integration
# Deadline.overdue is computed against the real clock, so tickets live around now.
BASE = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=30)
HOUSEHOLD, VISIT, CADRE = uuid.UUID(int=700), uuid.UUID(int=800), uuid.UUID(int=900)


def tid(n: int) -> uuid.UUID:
    return uuid.UUID(int=1000 + n)


def ticket(n: int, place: uuid.UUID = VILLAGE, **changes: Any) -> Ticket:
    """resident-1's ticket R-n at `place`, submitted n hours after BASE by hotline."""
    return helpers.ticket(**{
        "id": tid(n), "code": f"R-{n}", "org_unit_id": place, "channel": Channel.HOTLINE,
        "category": "water.supply", "text": f"第{n}件：村里停水三天了", "submitted_by": "resident-1",
        "submitted_at": BASE + dt.timedelta(hours=n), **changes})


async def store(make_uow: Callable[..., Any], engine: AsyncEngine, *tickets: Ticket,
                details: dict[str, Any] | None = None,
                assignments: tuple[Assignment, ...] = ()) -> None:
    await helpers.add_tickets(make_uow(engine), *tickets, submitted=True, details=details)
    await helpers.add_assignments(make_uow(engine), *assignments)


def assigned(t: Ticket, cadre: uuid.UUID | None = CADRE,
             status: AssignmentStatus = AssignmentStatus.OPEN) -> Assignment:
    return helpers.assignment(t, responsible_name="李科长", task="修复管道",
                              due=Deadline(BASE + dt.timedelta(days=40)), assigned_by="cadre-1",
                              responsible_cadre_id=cadre, status=status)


ONE = "query($id: ID!) { ticket(id: $id) { code } }"
UNIT_PAGE = """query($r: [_Any!]!, $f: TicketFilter, $first: Int!, $after: String) {
  _entities(representations: $r) { ... on OrgUnit {
    tickets(filter: $f, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { code } } } } } }"""


def unit(u: uuid.UUID) -> list[dict[str, str]]:
    return [{"__typename": "OrgUnit", "id": str(u)}]


async def unit_codes(ask: Any, u: uuid.UUID, f: dict[str, Any] | None = None,
                     first: int = 100, **who: Any) -> tuple[list[str], int]:
    result = await ask(UNIT_PAGE, r=unit(u), f=f, first=first, **who)
    assert result.errors is None, result.errors
    conn = result.data["_entities"][0]["tickets"]
    return [e["node"]["code"] for e in conn["edges"]], conn["totalCount"]


async def test_who_sees_which_ticket(seeded_engine: AsyncEngine, make_uow: Any, ask: Any) -> None:
    await store(make_uow, seeded_engine,
                ticket(1),                                              # resident-1, village
                ticket(2, OTHER_TOWN, submitted_by="resident-2"),       # another township
                ticket(3, TOWN, involved_units=(WATER,)),               # dispatched to water
                ticket(4, kind=Kind.STABILITY_RISK, submitted_by="cadre-rec",
                       recorded_by_staff=True),                         # 涉稳, by kind
                ticket(5, ledger=Ledger.STABILITY_RISK))                # 涉稳, by ledger
    callers: dict[str, dict[str, Any]] = {
        "owner": {"role": "resident", "subject": "resident-1", "scope": ()},
        "stranger": {"role": "resident", "subject": "resident-2", "scope": ()},
        "town cadre": {},
        "other town cadre": {"scope": (OTHER_TOWN,)},
        "water cadre": {"scope": (WATER,), "subject": "water-1"},
        "recorder out of scope": {"scope": (OTHER_TOWN,), "subject": "cadre-rec"},
        "town supervisor": {"role": "supervisor"},
        "cleared cadre": {"permissions": ("stability:read",)},
        "county analyst": {"role": "analyst", "scope": (COUNTY,)},
    }
    expected = {
        "owner": {"R-1", "R-3", "R-5"},  # resident-1 submitted 1, 3 and 5 (not 4)
        "stranger": {"R-2"},
        "town cadre": {"R-1", "R-3"},
        "other town cadre": {"R-2"},
        "water cadre": {"R-3"},
        "recorder out of scope": {"R-2", "R-4"},
        "town supervisor": {"R-1", "R-3", "R-4", "R-5"},
        "cleared cadre": {"R-1", "R-3", "R-4", "R-5"},
        "county analyst": {"R-1", "R-2", "R-3"},
    }
    for who, kw in callers.items():
        seen = set()
        for n in range(1, 6):
            result = await ask(ONE, id=str(tid(n)), **kw)
            assert result.errors is None, (who, result.errors)
            if result.data["ticket"]:
                seen.add(result.data["ticket"]["code"])
        assert seen == expected[who], who
        entities = await ask("""query($r: [_Any!]!) { _entities(representations: $r) {
            ... on Ticket { code } } }""", r=[{"__typename": "Ticket", "id": str(tid(n))}
                                             for n in range(1, 6)], **kw)
        assert {e["code"] for e in entities.data["_entities"] if e} == expected[who], who

    # Lists apply the same rule in SQL: a plain cadre does not even count stability-risk items.
    assert await unit_codes(ask, TOWN) == (["R-3", "R-1"], 2)
    assert await unit_codes(ask, TOWN, role="supervisor") == (["R-5", "R-4", "R-3", "R-1"], 4)
    assert await unit_codes(ask, WATER, scope=(WATER,)) == (["R-3"], 1)
    # A department cadre asking for the township it does not work in is refused.
    refused = await ask(UNIT_PAGE, r=unit(TOWN), first=5, scope=(WATER,))
    assert codes(refused) == ["FORBIDDEN"]
    unknown = await ask(UNIT_PAGE, r=unit(uuid.UUID(int=404)), first=5)
    assert codes(unknown) == ["NOT_FOUND"]
    # Residents page through their own tickets.
    mine = await ask("{ myTickets { totalCount nodes { code } } }", role="resident",
                     subject="resident-2", scope=())
    assert mine.data == {"myTickets": {"totalCount": 1, "nodes": [{"code": "R-2"}]}}


CONTACT = """query($id: ID!, $unmasked: Boolean!, $reason: String) { ticket(id: $id) {
  contact(unmasked: $unmasked, reason: $reason) { name phone address residentId householdId
    household { id } } } }"""
PERSON = Contact(resident_id=uuid.UUID(int=600), household_id=HOUSEHOLD, name="王建国",
                 phone="13812341234", address="玉溪村三组12号")


async def test_contact_is_masked_hidden_or_unmasked_with_an_audit_row(
        seeded_engine: AsyncEngine, make_uow: Any, ask: Any) -> None:
    await store(make_uow, seeded_engine, ticket(1, contact=PERSON),
                ticket(2, contact=PERSON, anonymous=True),
                ticket(3, contact=PERSON, confidential=True))

    async def contact(n: int, unmasked: bool = False, reason: str | None = None,
                      **who: Any) -> Any:
        result = await ask(CONTACT, id=str(tid(n)), unmasked=unmasked, reason=reason, **who)
        return result if result.errors else result.data["ticket"]["contact"]

    masked = {"name": "王**", "phone": "138****1234", "address": "玉溪村****",
              "residentId": str(PERSON.resident_id), "householdId": str(HOUSEHOLD),
              "household": {"id": str(HOUSEHOLD)}}
    assert await contact(1) == masked
    assert await contact(1, role="analyst", scope=(COUNTY,)) is None   # never to analysts
    assert await contact(2) is None                                     # anonymous
    assert await contact(2, role="resident", subject="resident-1", scope=()) == masked  # owner
    assert await contact(3) is None                                     # confidential
    assert await contact(3, role="supervisor") == masked

    assert codes(await contact(1, unmasked=True, reason="回访")) == ["FORBIDDEN"]
    pii: dict[str, Any] = {"permissions": ("pii:read",)}
    assert codes(await contact(1, unmasked=True, **pii)) == ["BAD_USER_INPUT"]
    async with seeded_engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM pii_access"))).scalar_one() == 0
    clear = await contact(1, unmasked=True, reason="电话回访", **pii)
    assert (clear["name"], clear["phone"], clear["address"]) == ("王建国", "13812341234",
                                                                 "玉溪村三组12号")
    # Hidden stays hidden, and nothing is audited for it.
    assert await contact(2, unmasked=True, reason="电话回访", **pii) is None
    async with seeded_engine.connect() as conn:
        rows = (await conn.execute(sa.text(
            "SELECT subject, entity_type, entity_id, field, reason FROM pii_access"))).all()
    assert [tuple(r) for r in rows] == [("cadre-1", "ticket", tid(1), "contact", "电话回访")]


async def test_filters_and_keyset_pages(seeded_engine: AsyncEngine, make_uow: Any,
                                        ask: Any) -> None:
    past, future = BASE, BASE + dt.timedelta(days=365)
    await store(make_uow, seeded_engine,
                ticket(1, accept_due=Deadline(past)),                          # overdue accept
                ticket(2, accept_due=Deadline(future)),
                ticket(3, status=Status.ACCEPTED, handle_due=Deadline(past),
                       paused_at=BASE),                                        # paused: not late
                ticket(4, status=Status.RESOLVED, feedback_due=Deadline(past),
                       category="water.quality", kind=Kind.COMPLAINT),         # overdue feedback
                ticket(5, status=Status.RESOLVED, feedback_due=Deadline(past),
                       answered_at=BASE, category="road", channel=Channel.WECHAT),  # answered
                ticket(6, GRID, category="waterfront", urgency=Urgency.URGENT,
                       ledger=Ledger.NEEDY, text="路灯坏了 100%", involved_units=(HOUSING,)),
                ticket(7, OTHER_TOWN, accept_due=Deadline(past)))             # out of scope

    async def codes_for(f: dict[str, Any]) -> list[str]:
        found, total = await unit_codes(ask, TOWN, f)
        assert total == len(found)
        return found

    assert await codes_for({}) == ["R-6", "R-5", "R-4", "R-3", "R-2", "R-1"]
    assert await codes_for({"overdue": True}) == ["R-4", "R-1"]
    assert await codes_for({"overdue": False}) == ["R-6", "R-5", "R-3", "R-2"]
    assert await codes_for({"categories": ["water"]}) == ["R-4", "R-3", "R-2", "R-1"]
    assert await codes_for({"categories": ["road", "water.quality"]}) == ["R-5", "R-4"]
    assert await codes_for({"statuses": ["RESOLVED"], "kinds": ["COMPLAINT"]}) == ["R-4"]
    assert await codes_for({"channels": ["WECHAT"]}) == ["R-5"]
    assert await codes_for({"urgencies": ["URGENT"], "ledgers": ["NEEDY"]}) == ["R-6"]
    assert await codes_for({"text": "100%"}) == ["R-6"]          # % is literal, not a wildcard
    assert await codes_for({"text": "r-2"}) == ["R-2"]           # the code matches too
    assert await codes_for({"involvingDepartment": str(HOUSING)}) == ["R-6"]
    window = {"submittedFrom": (BASE + dt.timedelta(hours=2)).isoformat(),
              "submittedTo": (BASE + dt.timedelta(hours=4)).isoformat()}
    assert await codes_for(window) == ["R-3", "R-2"]

    bad = await ask(UNIT_PAGE, r=unit(TOWN), f={"submittedFrom": "2026-10-01T00:00:00"}, first=5)
    assert codes(bad) == ["BAD_USER_INPUT"]
    assert codes(await ask(UNIT_PAGE, r=unit(TOWN), first=0)) == ["BAD_USER_INPUT"]
    assert codes(await ask(UNIT_PAGE, r=unit(TOWN), first=5, after="bm9wZQ==")) == \
        ["BAD_USER_INPUT"]

    # Keyset pages: newest first, no row twice, none skipped, same total on every page.
    seen, after, pages = [], None, 0
    while True:
        result = await ask(UNIT_PAGE, r=unit(TOWN), first=4, after=after)
        conn = result.data["_entities"][0]["tickets"]
        assert conn["totalCount"] == 6
        seen += [e["node"]["code"] for e in conn["edges"]]
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert (seen, pages) == (["R-6", "R-5", "R-4", "R-3", "R-2", "R-1"], 2)

    deadlines = await ask("""query($id: ID!) { ticket(id: $id) { paused
        acceptDue { overdue provisional } handleDue { overdue } } }""", id=str(tid(3)))
    assert deadlines.data["ticket"] == {"paused": True, "acceptDue": None,
                                        "handleDue": {"overdue": False}}
    late = await ask("query($id: ID!) { ticket(id: $id) { acceptDue { overdue } } }",
                     id=str(tid(1)))
    assert late.data["ticket"]["acceptDue"] == {"overdue": True}


async def test_entity_extensions(seeded_engine: AsyncEngine, make_uow: Any, ask: Any) -> None:
    home = Contact(household_id=HOUSEHOLD)
    t1, t2 = ticket(1, contact=home, visit_id=VISIT), ticket(2, contact=home)
    t3 = ticket(3, OTHER_TOWN, contact=home, visit_id=VISIT)
    t4 = ticket(4, status=Status.RESOLVED)
    await store(make_uow, seeded_engine, t1, t2, t3, t4, assignments=(
        assigned(t1), assigned(t2, status=AssignmentStatus.RETURNED), assigned(t4),
        assigned(t3, cadre=uuid.UUID(int=901))))
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Household { tickets(first: 10) { totalCount nodes { code } } }
      ... on Visit { raised: tickets { code } }
      ... on Cadre { open: assignedTickets { nodes { code } }
                     all: assignedTickets(openOnly: false) { nodes { code } } } } }"""
    reps = [{"__typename": "Household", "id": str(HOUSEHOLD)},
            {"__typename": "Visit", "id": str(VISIT)},
            {"__typename": "Cadre", "id": str(CADRE)}]
    result = await ask(query, r=[dict(r) for r in reps])  # _entities consumes __typename
    assert result.errors is None, result.errors
    household, visit, cadre = result.data["_entities"]
    assert household == {"tickets": {"totalCount": 2, "nodes": [{"code": "R-2"}, {"code": "R-1"}]}}
    assert visit == {"raised": [{"code": "R-1"}]}       # R-3 lies outside the caller's scope
    assert cadre == {"open": {"nodes": [{"code": "R-1"}]},
                     "all": {"nodes": [{"code": "R-4"}, {"code": "R-2"}, {"code": "R-1"}]}}
    county = await ask(query, r=reps, scope=(COUNTY,))
    assert county.data["_entities"][1] == {"raised": [{"code": "R-3"}, {"code": "R-1"}]}

    linked = await ask("""query($id: ID!) { ticket(id: $id) { visit { id }
        orgUnit { id } handlingUnit { id } assignments { responsibleName } } }""",
                       id=str(tid(1)))
    assert linked.data["ticket"] == {"visit": {"id": str(VISIT)}, "orgUnit": {"id": str(VILLAGE)},
                                     "handlingUnit": {"id": str(VILLAGE)},
                                     "assignments": [{"responsibleName": "李科长"}]}


async def test_a_merged_ticket_shows_its_masters_answer(
        seeded_engine: AsyncEngine, make_uow: Any, ask: Any) -> None:
    answered = BASE + dt.timedelta(days=3)
    master = ticket(1, status=Status.RESOLVED, answer="已修复管道，恢复供水",
                    answered_at=answered, answer_channel=Channel.HOTLINE)
    merged = ticket(2, status=Status.MERGED, master_id=master.id, submitted_by="resident-2")
    hidden = ticket(3, status=Status.MERGED, master_id=master.id, submitted_by="resident-3",
                    kind=Kind.STABILITY_RISK)
    await store(make_uow, seeded_engine, master, merged, hidden,
                details={"master": "R-1", "days": 10, "late": True, "none": None})
    query = """query($id: ID!) { ticket(id: $id) { answer answeredAt answerChannel
        master { code } mergedTickets { code }
        history { action fromStatus toStatus note details { key value } } } }"""
    mine = await ask(query, id=str(tid(2)), role="resident", subject="resident-2", scope=())
    assert mine.errors is None, mine.errors
    assert mine.data["ticket"]["answer"] == "已修复管道，恢复供水"
    assert mine.data["ticket"]["answerChannel"] == "HOTLINE"
    assert mine.data["ticket"]["master"] is None        # not theirs to see, only its answer
    assert mine.data["ticket"]["history"] == [{
        "action": "SUBMIT", "fromStatus": None, "toStatus": "RECEIVED", "note": "recorded",
        "details": [{"key": "days", "value": "10"}, {"key": "late", "value": "true"},
                    {"key": "master", "value": "R-1"}, {"key": "none", "value": None}]}]
    staff = await ask(query, id=str(tid(1)))
    assert staff.data["ticket"]["mergedTickets"] == [{"code": "R-2"}]   # not the 涉稳 one
    cleared = await ask(query, id=str(tid(1)), role="supervisor")
    assert cleared.data["ticket"]["mergedTickets"] == [{"code": "R-3"}, {"code": "R-2"}]
    follows = await ask(query, id=str(tid(2)))
    assert follows.data["ticket"]["master"] == {"code": "R-1"}


PAGE_WITH_EVERYTHING = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on OrgUnit { tickets(first: 50) { totalCount edges { node {
    code category { name } history { action details { key } } assignments { task }
    whistles { id } supervisionNotices { id } extensions { id } contact { name } answer
    master { code } mergedTickets { code } acceptDue { overdue } } } } } } }"""


async def test_a_page_costs_a_constant_number_of_statements(
        seeded_engine: AsyncEngine, make_uow: Any, ask: Any) -> None:
    async def cost(first: int, count: int) -> int:
        place = {1: TOWN, 100: OTHER_TOWN}[first]
        tickets = [ticket(n, place, contact=PERSON, master_id=tid(first) if n > first else None)
                   for n in range(first, first + count)]
        await store(make_uow, seeded_engine, *tickets,
                    assignments=tuple(assigned(t) for t in tickets))
        with statements(seeded_engine) as sent:
            result = await ask(PAGE_WITH_EVERYTHING, r=unit(place), scope=(COUNTY,))
        assert result.errors is None, result.errors
        assert len(result.data["_entities"][0]["tickets"]["edges"]) == min(count, 50)
        return len(sent)

    few = await cost(1, 3)
    many = await cost(100, 60)
    assert few == many, (few, many)
    # scope, page, count, categories, history, assignments, whistles, notices, extensions,
    # the answers' masters, merged tickets
    assert many <= 11
