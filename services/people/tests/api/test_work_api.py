"""Cadre work through `schema.execute` on a real migrated database: quotas, pairing rules,
contact cards whose QR codes scan back to their pairings, offline-safe visits, org scope, and
the number of SQL statements a page of cadres costs."""

from __future__ import annotations

import base64
import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa
import zxingcpp
from lianxin.kit.db import make_sessions
from lianxin.kit.testing.statements import statements
from lianxin.kit.tokens import card_qr_payload, sign_token
from lianxin.people.adapters.uow import PeopleUnitOfWork
from lianxin.people.api.schema import build_schema
from lianxin.people.app import register as reg
from lianxin.people.app import work_queries as q
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from lianxin.people.app.work import CreatePairing, RegisterCadre, create_pairing, register_cadre
from lianxin.people.domain.cadre import Rank
from lianxin.people.domain.org import OrgUnitKind
from lianxin.people.domain.pairing import Pairing
from lianxin.people.domain.register import Gender, Relation
from lianxin.people.main import SPEC
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
schema = build_schema()
COUNTY, TOWN_A, VILLAGE_A, TOWN_B, VILLAGE_B, DEPT = (uuid.UUID(int=i) for i in range(21, 27))
HOUSEHOLDS_A = 6  # households 0-5 in village A, 6-7 in village B


def uid(kind: int, n: int) -> uuid.UUID:
    return uuid.UUID(int=kind * 10_000 + n)


def hh(n: int) -> str:
    return str(uid(1, n))


def cadre_id(n: int) -> str:
    return str(uid(2, n))


@pytest.fixture
async def engine(migrated_engine: Any, pii: Any) -> AsyncEngine:
    engine: AsyncEngine = await migrated_engine(SPEC.migrations_dir)
    sessions = make_sessions(engine)

    def u() -> PeopleUnitOfWork:
        return PeopleUnitOfWork(sessions, pii)

    for unit_id, name, kind, parent in [
            (COUNTY, "陆良县", OrgUnitKind.COUNTY, None),
            (TOWN_A, "中枢街道", OrgUnitKind.TOWNSHIP, COUNTY),
            (VILLAGE_A, "石桥村", OrgUnitKind.VILLAGE, TOWN_A),
            (TOWN_B, "马街镇", OrgUnitKind.TOWNSHIP, COUNTY),
            (VILLAGE_B, "雍家村", OrgUnitKind.VILLAGE, TOWN_B),
            (DEPT, "县水务局", OrgUnitKind.DEPARTMENT, COUNTY)]:
        await create_org_unit(CreateOrgUnit(unit_id, name, kind, parent), u())
    for n in range(HOUSEHOLDS_A + 2):
        village = VILLAGE_A if n < HOUSEHOLDS_A else VILLAGE_B
        await reg.register_household(reg.RegisterHousehold(uid(1, n), village, f"{n:03d}",
                                                           f"石桥村{n}号"), u())
        await reg.register_resident(reg.RegisterResident(
            uid(3, n), uid(1, n), f"王户主{n}", Gender.MALE, 1960, Relation.HEAD,
            phone=f"1391234{n:04d}"), u())
    return engine


def caller(graphql_context: Any, engine: AsyncEngine, **kw: Any) -> Callable[[], Any]:
    """Who asks: a fresh request context per request, as the server makes (DataLoaders cache
    for one request only)."""
    return lambda: graphql_context(engine, **kw)


async def run(who: Callable[[], Any], query: str, **variables: Any) -> Any:
    return await schema.execute(query, variable_values=variables, context_value=who())


async def ok(who: Callable[[], Any], query: str, **variables: Any) -> Any:
    result = await run(who, query, **variables)
    assert result.errors is None, result.errors
    return result.data


async def counts(engine: AsyncEngine, *tables: str) -> tuple[int, ...]:
    async with engine.connect() as conn:
        return tuple([(await conn.execute(sa.text(f"SELECT count(*) FROM {t}"))).scalar_one()
                      for t in tables])


REGISTER = """mutation($input: RegisterCadreInput!) { registerCadre(input: $input) {
  __typename ... on Cadre { id name } ... on UserError { code message field } } }"""
PAIR = """mutation($input: CreatePairingInput!) { createPairing(input: $input) {
  __typename ... on Pairing { id cardNo active } ... on UserError { code message field } } }"""
END = """mutation($input: EndPairingInput!) { endPairing(input: $input) {
  __typename ... on Pairing { id active endedOn } ... on UserError { code message field } } }"""
CAMPAIGN = """mutation($input: CreateCampaignInput!) { createCampaign(input: $input) {
  __typename ... on Campaign { id } ... on UserError { code message field } } }"""
VISIT = """mutation($input: LogVisitInput!) { logVisit(input: $input) {
  __typename ... on Visit { id kind ticketIds orgUnit { name } households { householdNo } }
  ... on UserError { code message field } } }"""


async def register(ctx: Any, n: int, rank: str | None, unit: uuid.UUID = TOWN_A, **kw: Any) -> None:
    data = await ok(ctx, REGISTER, input={"id": cadre_id(n), "name": f"李干部{n:02d}",
                                          "workUnitId": str(unit), "rank": rank,
                                          "partyMember": True, **kw})
    assert data["registerCadre"]["__typename"] == "Cadre", data


async def pair(ctx: Any, n: int, cadre: int, household: int, **kw: Any) -> dict[str, Any]:
    data = await ok(ctx, PAIR, input={"id": str(uid(4, n)), "cadreId": cadre_id(cadre),
                                      "householdId": hh(household), "startedOn": "2026-03-01",
                                      **kw})
    result: dict[str, Any] = data["createPairing"]
    return result


# --- quotas and who is paired with whom ---------------------------------------------------------
async def test_each_cadres_pairings_against_quota_and_each_households_cadres(
        engine: AsyncEngine, graphql_context: Any) -> None:
    admin = caller(graphql_context, engine)
    await register(admin, 1, "DIVISION")
    await register(admin, 2, "SECTION")
    await register(admin, 3, None, dutyPost="PEOPLE_CONDITIONS")
    for i in range(4):
        await pair(admin, 10 + i, 1, i)
    await pair(admin, 20, 2, 0)
    await pair(admin, 21, 3, 1)
    point = await ok(admin, PAIR, input={"id": str(uid(4, 22)), "cadreId": cadre_id(1),
                                         "contactPointId": str(VILLAGE_A), "startedOn": "2026-03-01"})
    assert point["createPairing"]["__typename"] == "Pairing"  # a contact point: not a household
    lu = await ok(admin, CAMPAIGN, input={"id": str(uid(5, 1)), "name": "万名干部下基层",
                                          "orgUnitId": str(COUNTY), "startsOn": "2026-01-01",
                                          "endsOn": "2026-12-31", "minHouseholds": 20})
    assert lu["createCampaign"]["__typename"] == "Campaign"

    data = await ok(admin, """query($unit: ID!, $lu: ID!) { cadres(orgUnitId: $unit) { nodes {
        name rank quota { required actual met shortfall } lu: quota(campaignId: $lu) { required met }
        contactPoints { name } pairings { cardNo household { householdNo } } } } }""",
                    unit=str(TOWN_A), lu=str(uid(5, 1)))

    nodes = data["cadres"]["nodes"]
    assert [c["contactPoints"] for c in nodes] == [[{"name": "石桥村"}], [], []]
    assert [(c["name"], c["rank"], c["quota"], c["lu"], [p["household"]["householdNo"]
                                                          for p in c["pairings"] if p["household"]])
            for c in nodes] == [
        ("李干部01", "DIVISION", {"required": 5, "actual": 4, "met": False, "shortfall": 1},
         {"required": 20, "met": False}, ["000", "001", "002", "003"]),
        ("李干部02", "SECTION", {"required": 3, "actual": 1, "met": False, "shortfall": 2},
         {"required": 20, "met": False}, ["000"]),
        ("李干部03", None, {"required": 1, "actual": 1, "met": True, "shortfall": 0},
         {"required": 20, "met": False}, ["001"])]
    cards = [p["cardNo"] for c in nodes for p in c["pairings"]]
    assert len(set(cards)) == 7 and all(c.startswith("LX-") and len(c) == 9 for c in cards)

    households = await ok(admin, """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Household { householdNo pairings { cadre { name } } } } }""",
                          r=[{"__typename": "Household", "id": hh(i)} for i in (0, 1, 5)])
    assert [(h["householdNo"], sorted(p["cadre"]["name"] for p in h["pairings"]))
            for h in households["_entities"]] == [
        ("000", ["李干部01", "李干部02"]), ("001", ["李干部01", "李干部03"]), ("005", [])]


# --- pairing rules ------------------------------------------------------------------------------
async def test_pairing_twice_conflicts_and_ending_then_pairing_again_works(
        engine: AsyncEngine, graphql_context: Any) -> None:
    admin = caller(graphql_context, engine)
    await register(admin, 1, "SECTION")
    first = await pair(admin, 1, 1, 0)
    assert first["__typename"] == "Pairing" and first["active"]

    twice = await pair(admin, 2, 1, 0)
    assert (twice["__typename"], twice["code"], twice["field"]) == ("ConflictError", "CONFLICT",
                                                                    "householdId")
    assert "already paired" in twice["message"]

    end = {"id": first["id"], "endedOn": "2026-06-30", "reason": "户迁出"}
    ended = (await ok(admin, END, input=end))["endPairing"]
    assert (ended["active"], ended["endedOn"]) == (False, "2026-06-30")
    again = await pair(admin, 3, 1, 0)
    assert again["__typename"] == "Pairing" and again["cardNo"] != first["cardNo"]
    end_twice = (await ok(admin, END, input=end))["endPairing"]
    assert (end_twice["__typename"], end_twice["field"]) == ("InvalidInputError", "id")
    assert await counts(engine, "pairing") == (2,)


async def test_the_database_refuses_a_second_active_pairing_even_past_the_check(
        engine: AsyncEngine, pii: Any) -> None:
    """Two concurrent pairings both pass the app's check; the partial unique index decides."""
    sessions = make_sessions(engine)
    await register_cadre(RegisterCadre(uid(2, 1), "李干部", TOWN_A, Rank.STAFF, True),
                         PeopleUnitOfWork(sessions, pii))
    uow = PeopleUnitOfWork(sessions, pii)
    async with uow:
        first = Pairing(id=uid(4, 9), cadre_id=uid(2, 1), household_id=uid(1, 0),
                        contact_point_id=None, campaign_id=None,
                        org_path=(COUNTY, TOWN_A, VILLAGE_A), started_on=dt.date(2026, 3, 1))
        assert await uow.pairings.add(first) is not None
        assert await uow.pairings.add(replace(first, id=uid(4, 10))) is None
        assert await uow.pairings.add(replace(first, id=uid(4, 11), household_id=uid(1, 1)))


# --- contact cards ------------------------------------------------------------------------------
def scanned(document: dict[str, Any]) -> list[str]:
    pdf = pdfium.PdfDocument(base64.b64decode(document["base64"]))
    return [code.text for page in pdf
            for code in zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil())]


CARD = """query($qr: String!) { contactCard(qrPayload: $qr) { id cardNo cadre { name }
  household { householdNo } } }"""


async def test_contact_cards_scan_back_to_their_pairings(engine: AsyncEngine, graphql_context: Any,
                                                         pii: Any) -> None:
    admin = caller(graphql_context, engine)
    await register(admin, 1, "SECTION", phone="138 1234 5678")
    await register(admin, 2, "STAFF", unit=TOWN_B)
    pairings = {(await pair(admin, i, 1, i))["id"]: i for i in range(3)}
    await pair(admin, 9, 2, 6)  # in township B: not on village A's sheet
    township_cadre = caller(graphql_context, engine, role="cadre", org_scope=(str(TOWN_A),))

    data = await ok(township_cadre, """query($unit: ID!) { contactCardsPdf(orgUnitId: $unit) {
        filename contentType sizeBytes cardCount base64 } }""", unit=str(VILLAGE_A))

    document = data["contactCardsPdf"]
    assert (document["contentType"], document["cardCount"]) == ("application/pdf", 3)
    assert document["sizeBytes"] == len(base64.b64decode(document["base64"]))
    text = "".join(p.get_textpage().get_text_range()
                   for p in pdfium.PdfDocument(base64.b64decode(document["base64"])))
    assert "王户主0" in text and "李干部01" in text and "138****5678" in text
    assert "13812345678" not in text
    payloads = scanned(document)
    assert len(payloads) == 3
    found = [(await ok(township_cadre, CARD, qr=p))["contactCard"] for p in payloads]
    assert sorted(pairings[c["id"]] for c in found) == [0, 1, 2]
    assert {c["household"]["householdNo"] for c in found} == {"000", "001", "002"}

    # A card whose code was altered, or has expired, is refused with a code the app can show.
    tampered = payloads[0][:-3] + ("AAA" if not payloads[0].endswith("AAA") else "BBB")
    expired = card_qr_payload(sign_token(pii.link_token_secret, "contact-card", found[0]["id"],
                                         ttl_seconds=60, now=int(time.time()) - 3600))
    for bad in (tampered, expired, "https://example.com/not-a-card"):
        result = await run(township_cadre, CARD, qr=bad)
        assert [e.extensions["code"] for e in result.errors or []] == ["INVALID_TOKEN"], bad

    other_township = caller(graphql_context, engine, role="cadre", org_scope=(str(TOWN_B),))
    refused = await run(other_township, """query($unit: ID!) { contactCardsPdf(orgUnitId: $unit) {
        cardCount } }""", unit=str(VILLAGE_A))
    assert [e.extensions["code"] for e in refused.errors or []] == ["FORBIDDEN"]
    assert (await ok(other_township, CARD, qr=payloads[0]))["contactCard"] is None


# --- visits -------------------------------------------------------------------------------------
async def test_a_resent_visit_is_one_row_and_one_event(engine: AsyncEngine,
                                                       graphql_context: Any) -> None:
    admin = caller(graphql_context, engine)
    await register(admin, 1, "STAFF")
    events_before = await counts(engine, "outbox")
    ticket = str(uuid.uuid4())
    visit = {"id": str(uid(6, 1)), "kind": "HOME_VISIT", "cadreId": cadre_id(1),
             "visitedOn": "2026-03-02", "householdIds": [hh(0)], "notes": "屋顶漏雨",
             "ticketIds": [ticket]}

    first = (await ok(admin, VISIT, input=visit))["logVisit"]
    again = (await ok(admin, VISIT, input=visit))["logVisit"]

    assert first == again == {"__typename": "Visit", "id": visit["id"], "kind": "HOME_VISIT",
                              "ticketIds": [ticket], "orgUnit": {"name": "石桥村"},
                              "households": [{"householdNo": "000"}]}
    assert await counts(engine, "visit") == (1,)
    assert (await counts(engine, "outbox"))[0] == events_before[0] + 1
    other = (await ok(admin, VISIT, input={**visit, "notes": "已修好"}))["logVisit"]
    assert (other["__typename"], other["field"]) == ("ConflictError", "id")
    two_homes = (await ok(admin, VISIT, input={**visit, "id": str(uid(6, 2)),
                                               "householdIds": [hh(0), hh(1)]}))["logVisit"]
    assert (two_homes["__typename"], two_homes["field"]) == ("InvalidInputError", "householdIds")
    assert await counts(engine, "visit") == (1,)


async def test_a_cadres_visits_page_newest_first_and_a_households_visits_are_listed(
        engine: AsyncEngine, graphql_context: Any, pii: Any) -> None:
    admin = caller(graphql_context, engine)
    await register(admin, 1, "SECTION")
    await register(admin, 2, "VILLAGE_CADRE")
    for n, day, kind, households in [(1, "2026-03-01", "HOME_VISIT", [hh(0)]),
                                     (2, "2026-03-05", "COURTYARD_MEETING", [hh(0), hh(1)]),
                                     (3, "2026-03-03", "FORUM", [])]:
        data = await ok(admin, VISIT, input={
            "id": str(uid(6, n)), "kind": kind, "cadreId": cadre_id(1), "visitedOn": day,
            "householdIds": households, "orgUnitId": str(VILLAGE_A),
            "participantCadreIds": [cadre_id(2)]})
        assert data["logVisit"]["__typename"] == "Visit"
    query = """query($id: ID!, $after: String) { cadre(id: $id) { visits(first: 2, after: $after) {
        nodes { visitedOn kind participants { name } } pageInfo { hasNextPage endCursor } } } }"""

    first = (await ok(admin, query, id=cadre_id(1)))["cadre"]["visits"]
    rest = (await ok(admin, query, id=cadre_id(1),
                     after=first["pageInfo"]["endCursor"]))["cadre"]["visits"]

    assert [(v["visitedOn"], v["kind"]) for v in first["nodes"] + rest["nodes"]] == [
        ("2026-03-05", "COURTYARD_MEETING"), ("2026-03-03", "FORUM"), ("2026-03-01", "HOME_VISIT")]
    assert first["nodes"][0]["participants"] == [{"name": "李干部02"}]
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)
    bad = await run(admin, query, id=cadre_id(1), after="not-a-cursor")
    assert [e.extensions["code"] for e in bad.errors or []] == ["BAD_USER_INPUT"]
    [to_first, to_second] = await q.visit_pages_by_household(
        PeopleUnitOfWork(make_sessions(engine), pii), [uid(1, 0), uid(1, 1)], None, 10)
    assert ([v.id for v in to_first], [v.id for v in to_second]) == (
        [uid(6, 2), uid(6, 1)], [uid(6, 2)])


async def test_campaigns_apply_downwards_and_are_seen_by_the_units_they_concern(
        engine: AsyncEngine, graphql_context: Any) -> None:
    admin = caller(graphql_context, engine)
    await register(admin, 1, "SECTION")
    for n, unit, name in [(1, COUNTY, "万名干部下基层"), (2, TOWN_A, "院坝会月"), (3, TOWN_B, "马街行动")]:
        data = await ok(admin, CAMPAIGN, input={
            "id": str(uid(5, n)), "name": name, "orgUnitId": str(unit), "startsOn": f"2026-0{n}-01",
            "endsOn": "2026-12-31", "quotaByRank": [{"rank": "SECTION", "households": 10}],
            "cadreIds": [cadre_id(1)] if unit != TOWN_B else []})
        assert data["createCampaign"]["__typename"] == "Campaign", data
    township_a = caller(graphql_context, engine, role="cadre", org_scope=(str(TOWN_A),))

    data = await ok(township_a, """query($unit: ID!, $b: ID!, $county: ID!) {
        campaigns(orgUnitId: $unit) { name organiser { name } quotaByRank { rank households }
          cadres { name } }
        other: campaign(id: $b) { name } county: campaign(id: $county) { name } }""",
                    unit=str(TOWN_A), b=str(uid(5, 3)), county=str(uid(5, 1)))

    assert data["campaigns"] == [
        {"name": "院坝会月", "organiser": {"name": "中枢街道"},
         "quotaByRank": [{"rank": "SECTION", "households": 10}], "cadres": [{"name": "李干部01"}]},
        {"name": "万名干部下基层", "organiser": None,  # the county lies above the caller's scope
         "quotaByRank": [{"rank": "SECTION", "households": 10}], "cadres": [{"name": "李干部01"}]}]
    assert (data["other"], data["county"]) == (None, {"name": "万名干部下基层"})
    quota = await ok(township_a, """query($id: ID!, $c: ID!) { cadre(id: $id) {
        quota(campaignId: $c) { required actual met shortfall } } }""",
                     id=cadre_id(1), c=str(uid(5, 1)))
    assert quota["cadre"]["quota"] == {"required": 10, "actual": 0, "met": False, "shortfall": 10}


# --- scope --------------------------------------------------------------------------------------
async def test_a_cadre_of_another_township_sees_nothing_of_this_one(
        engine: AsyncEngine, graphql_context: Any) -> None:
    admin = caller(graphql_context, engine)
    await register(admin, 1, "SECTION", subject="li.a")
    await register(admin, 2, "SECTION", unit=TOWN_B, subject="li.b")
    pairing = await pair(admin, 1, 1, 0)
    await ok(admin, VISIT, input={"id": str(uid(6, 1)), "kind": "HOME_VISIT",
                                  "cadreId": cadre_id(1), "visitedOn": "2026-03-02",
                                  "householdIds": [hh(0)]})
    b = caller(graphql_context, engine, role="cadre", org_scope=(str(TOWN_B),), subject="li.b")

    data = await ok(b, """query($c: ID!, $p: ID!, $v: ID!, $b: ID!) { cadre(id: $c) { name }
        pairing(id: $p) { id } visit(id: $v) { id } myCadre { name pairings { id } }
        mine: cadres(orgUnitId: $b) { nodes { name } } }""",
                    c=cadre_id(1), p=pairing["id"], v=str(uid(6, 1)), b=str(TOWN_B))
    assert data == {"cadre": None, "pairing": None, "visit": None,
                    "myCadre": {"name": "李干部02", "pairings": []},
                    "mine": {"nodes": [{"name": "李干部02"}]}}
    entities = await ok(b, """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Cadre { name } ... on Pairing { id } ... on Visit { id } } }""",
                        r=[{"__typename": "Cadre", "id": cadre_id(1)},
                           {"__typename": "Pairing", "id": pairing["id"]},
                           {"__typename": "Visit", "id": str(uid(6, 1))},
                           {"__typename": "Cadre", "id": cadre_id(2)}])
    assert entities["_entities"] == [None, None, None, {"name": "李干部02"}]
    listing = await run(b, "query($a: ID!) { cadres(orgUnitId: $a) { nodes { name } } }",
                        a=str(TOWN_A))
    assert [e.extensions["code"] for e in listing.errors or []] == ["FORBIDDEN"]


# --- no N+1 -------------------------------------------------------------------------------------
PAGE = """query($unit: ID!, $first: Int!) { cadres(orgUnitId: $unit, first: $first) {
  pageInfo { hasNextPage } nodes { name phone workUnit { name } quota { required actual met }
  pairings { cardNo household { householdNo } } } } }"""


async def test_a_page_of_cadres_costs_the_same_few_statements_at_any_size(
        engine: AsyncEngine, graphql_context: Any, pii: Any) -> None:
    sessions = make_sessions(engine)
    for n in range(55):
        await register_cadre(RegisterCadre(uid(2, n), f"干部{n:02d}", TOWN_A, Rank.STAFF, True,
                                           phone=f"1381234{n:04d}"), PeopleUnitOfWork(sessions, pii))
        for k in range(2):
            await create_pairing(CreatePairing(uid(4, 2 * n + k), uid(2, n),
                                               dt.date(2026, 3, 1),
                                               uid(1, (n + k) % HOUSEHOLDS_A)),
                                 PeopleUnitOfWork(sessions, pii))
    admin = caller(graphql_context, engine)
    await ok(admin, PAGE, unit=str(TOWN_A), first=5)  # warm up the pool's connections

    costs = {}
    for first in (10, 50):
        with statements(engine) as seen:
            data = await ok(admin, PAGE, unit=str(TOWN_A), first=first)
        nodes = data["cadres"]["nodes"]
        assert len(nodes) == first and data["cadres"]["pageInfo"]["hasNextPage"]
        assert all(len(c["pairings"]) == 2 and c["quota"] == {"required": 3, "actual": 2,
                                                              "met": False} for c in nodes)
        assert all(p["household"] for c in nodes for p in c["pairings"])
        costs[first] = len(seen)
    assert costs[10] == costs[50] <= 10, costs


# --- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("mutation", "input_", "typename", "field"), [
    (REGISTER, {"id": "nope", "name": "x", "workUnitId": str(TOWN_A), "partyMember": True},
     "InvalidInputError", "id"),
    (REGISTER, {"id": cadre_id(7), "name": "x", "workUnitId": str(TOWN_A), "partyMember": True,
                "rank": "STAFF", "phone": "12345"}, "InvalidInputError", "phone"),
    (REGISTER, {"id": cadre_id(7), "name": "x", "workUnitId": str(TOWN_A), "partyMember": False},
     "InvalidInputError", "rank"),
    (REGISTER, {"id": cadre_id(7), "name": "x", "workUnitId": str(uuid.uuid4()),
                "partyMember": True, "rank": "STAFF"}, "NotFoundError", "workUnitId"),
    (REGISTER, {"id": cadre_id(1), "name": "改名", "workUnitId": str(TOWN_A), "partyMember": True,
                "rank": "SECTION"}, "ConflictError", "id"),
    (CAMPAIGN, {"id": str(uid(5, 2)), "name": "x", "orgUnitId": str(COUNTY),
                "startsOn": "2026-01-01", "endsOn": "2026-12-31",
                "quotaByRank": [{"rank": "STAFF", "households": 3},
                                {"rank": "STAFF", "households": 4}]},
     "InvalidInputError", "quotaByRank"),
    (CAMPAIGN, {"id": str(uid(5, 2)), "name": "x", "orgUnitId": str(COUNTY),
                "startsOn": "2026-12-31", "endsOn": "2026-01-01"}, "InvalidInputError", "endsOn"),
    (PAIR, {"id": str(uid(4, 5)), "cadreId": cadre_id(1), "startedOn": "2026-03-01"},
     "InvalidInputError", "householdId"),
    (PAIR, {"id": str(uid(4, 5)), "cadreId": cadre_id(1), "householdId": str(uuid.uuid4()),
            "startedOn": "2026-03-01"}, "NotFoundError", "householdId"),
    (VISIT, {"id": str(uid(6, 5)), "kind": "FORUM", "cadreId": cadre_id(1),
             "visitedOn": "2099-01-01", "orgUnitId": str(VILLAGE_A)}, "InvalidInputError",
     "visitedOn"),
    (VISIT, {"id": str(uid(6, 5)), "kind": "FORUM", "cadreId": cadre_id(1),
             "visitedOn": "2026-03-01", "orgUnitId": str(VILLAGE_A), "ticketIds": ["x"]},
     "InvalidInputError", "ticketIds"),
])
async def test_bad_input_gets_a_typed_error_naming_the_field_and_writes_nothing(
        engine: AsyncEngine, graphql_context: Any, mutation: str, input_: dict[str, Any],
        typename: str, field: str) -> None:
    admin = caller(graphql_context, engine)
    await register(admin, 1, "SECTION")
    before = await counts(engine, "cadre", "campaign", "pairing", "visit", "outbox")

    data = await ok(admin, mutation, input=input_)

    [result] = data.values()
    assert (result["__typename"], result["field"]) == (typename, field), result
    assert await counts(engine, "cadre", "campaign", "pairing", "visit", "outbox") == before


async def test_a_cadres_phone_is_sealed_masked_unless_asked_for_with_a_reason_and_audited(
        engine: AsyncEngine, graphql_context: Any, pii: Any) -> None:
    admin = caller(graphql_context, engine)
    await register(admin, 1, "SECTION", phone="+86 138-1234-5678")
    async with engine.connect() as conn:
        stored = (await conn.execute(sa.text("SELECT phone_enc, phone_bi FROM cadre"))).one()
    assert b"5678" not in stored.phone_enc
    assert stored.phone_bi == pii.blind_index.digest("phone", "13812345678")
    query = """query($id: ID!) { cadre(id: $id) { masked: phone clear: phone(unmasked: true,
        reason: "打印连心卡核对") } }"""
    data = await ok(admin, query, id=cadre_id(1))
    assert data["cadre"] == {"masked": "138****5678", "clear": "13812345678"}
    assert await counts(engine, "pii_access") == (1,)
    cadre = caller(graphql_context, engine, role="cadre", org_scope=(str(TOWN_A),))
    refused = await run(cadre, query, id=cadre_id(1))
    assert [e.extensions["code"] for e in refused.errors or []] == ["FORBIDDEN"]
    assert await counts(engine, "pii_access") == (1,)
