"""`Campaign.coverage` through `schema.execute` against read models fed by people.v1 events
(tests/people_scenario.py): the county's figures match the hand count of the scenario; the
unvisited households page by id cursor; cadres below quota say what they miss; a township
sees its part only; a subtree outside the caller's scope is refused, an unknown one NOT_FOUND;
the campaign's listed units and cadres narrow it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from lianxin.assessment.api.schema import build_schema
from lianxin.events.v1 import people_pb2 as pb
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from people_scenario import (
    COUNTY,
    H1,
    H4,
    H5,
    OTHER_TOWN,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    A,
    B,
    C,
    K,
    county,
    feed,
    s,
    uid,
)

pytestmark = pytest.mark.integration
SCHEMA = build_schema()
FIGURES = """subtree { id } startsOn endsOn householdsRegistered householdsVisited visitRate
  coverageTarget targetMet cadresTakingPart cadresMeetingPairingQuota cadresMeetingVisitQuota
  cadresMeetingBoth pairings contactCardsIssued"""
COVERAGE = """query($r: [_Any!]!, $sub: ID, $first: Int!, $after: String) {
  _entities(representations: $r) { ... on Campaign { coverage(subtreeId: $sub) { FIGURES
    unvisitedHouseholds(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { household { id } orgUnit { id } } }
    cadresBelowQuota(first: 10) { totalCount nodes {
      cadre { id } rank requiredHouseholds pairedHouseholds pairingShortfall meetsPairingQuota
      householdsToVisit householdsVisited meetsVisitQuota unvisitedHouseholds { id } } } } } } }
""".replace("FIGURES", FIGURES)


@pytest.fixture
async def scenario(engine: AsyncEngine) -> AsyncEngine:
    await feed(engine, county())
    return engine


async def ask(ctx: Any, campaign: Any = K, subtree: Any = None, first: int = 10,
              after: str | None = None) -> Any:
    return await SCHEMA.execute(COVERAGE, context_value=ctx, variable_values={
        "r": [{"__typename": "Campaign", "id": str(campaign)}],
        "sub": str(subtree) if subtree else None, "first": first, "after": after})


def coverage(result: Any) -> dict[str, Any]:
    assert result.errors is None, result.errors
    found: dict[str, Any] = result.data["_entities"][0]["coverage"]
    return found


async def test_county_figures_match_the_hand_count(scenario: AsyncEngine,
                                                   graphql_context: Any) -> None:
    c = coverage(await ask(graphql_context(scenario, role="analyst", org_scope=(str(COUNTY),))))
    figures = {k: v for k, v in c.items() if k not in ("unvisitedHouseholds", "cadresBelowQuota")}
    assert figures == {
        "subtree": {"id": str(COUNTY)}, "startsOn": "2026-03-01", "endsOn": "2026-05-31",
        "householdsRegistered": 5, "householdsVisited": 3, "visitRate": 0.6,
        "coverageTarget": 0.8, "targetMet": False, "cadresTakingPart": 3,
        "cadresMeetingPairingQuota": 1, "cadresMeetingVisitQuota": 2, "cadresMeetingBoth": 1,
        "pairings": 4, "contactCardsIssued": 3}
    assert c["unvisitedHouseholds"] == {
        "totalCount": 2, "nodes": [
            {"household": {"id": str(H4)}, "orgUnit": {"id": str(OTHER_VILLAGE)}},
            {"household": {"id": str(H5)}, "orgUnit": {"id": str(TOWN)}}],
        "pageInfo": {"hasNextPage": False, "endCursor": c["unvisitedHouseholds"]["pageInfo"]
                     ["endCursor"]}}
    gaps = c["cadresBelowQuota"]
    assert gaps["totalCount"] == 2
    assert gaps["nodes"] == [
        {"cadre": {"id": str(B)}, "rank": "staff", "requiredHouseholds": 3,
         "pairedHouseholds": 2, "pairingShortfall": 1, "meetsPairingQuota": False,
         "householdsToVisit": 1, "householdsVisited": 1, "meetsVisitQuota": True,
         "unvisitedHouseholds": []},
        {"cadre": {"id": str(C)}, "rank": "division", "requiredHouseholds": 5,
         "pairedHouseholds": 0, "pairingShortfall": 5, "meetsPairingQuota": False,
         "householdsToVisit": 0, "householdsVisited": 0, "meetsVisitQuota": False,
         "unvisitedHouseholds": []}]


async def test_unvisited_households_page_by_cursor(scenario: AsyncEngine,
                                                   graphql_context: Any) -> None:
    ctx = graphql_context(scenario, role="supervisor", org_scope=(str(COUNTY),))
    first = coverage(await ask(ctx, first=1))["unvisitedHouseholds"]
    assert [n["household"]["id"] for n in first["nodes"]] == [str(H4)]
    assert first["pageInfo"]["hasNextPage"] is True
    ctx = graphql_context(scenario, role="supervisor", org_scope=(str(COUNTY),))
    second = coverage(await ask(ctx, first=1, after=first["pageInfo"]["endCursor"]))
    assert [n["household"]["id"] for n in second["unvisitedHouseholds"]["nodes"]] == [str(H5)]
    assert second["unvisitedHouseholds"]["pageInfo"]["hasNextPage"] is False
    too_many = await ask(graphql_context(scenario, role="supervisor", org_scope=(str(COUNTY),)),
                         first=101)
    assert too_many.errors and too_many.errors[0].extensions["code"] == "BAD_USER_INPUT"


async def test_a_township_sees_its_part_and_nothing_beyond(scenario: AsyncEngine,
                                                         graphql_context: Any) -> None:
    def town_cadre() -> Any:
        return graphql_context(scenario, role="cadre", org_scope=(str(TOWN),))

    c = coverage(await ask(town_cadre(), subtree=TOWN))
    assert (c["householdsRegistered"], c["householdsVisited"], c["cadresTakingPart"]) == (4, 3, 2)
    assert [n["household"]["id"] for n in c["unvisitedHouseholds"]["nodes"]] == [str(H5)]
    assert [n["cadre"]["id"] for n in c["cadresBelowQuota"]["nodes"]] == [str(B)]

    for subtree in (None, OTHER_TOWN):   # default = the county: outside the town's scope
        refused = await ask(town_cadre(), subtree=subtree)
        assert refused.errors and refused.errors[0].extensions["code"] == "FORBIDDEN"
        assert refused.data["_entities"][0]["coverage"] is None
    unknown = await ask(town_cadre(), subtree=uid(999))
    assert unknown.errors and unknown.errors[0].extensions["code"] == "NOT_FOUND"
    resident = await ask(graphql_context(scenario, role="resident", org_scope=(str(TOWN),)),
                         subtree=TOWN)
    assert resident.errors and resident.errors[0].extensions["code"] == "FORBIDDEN"


async def test_an_unknown_campaign_has_no_coverage_yet(scenario: AsyncEngine,
                                                       graphql_context: Any) -> None:
    result = await ask(graphql_context(scenario), campaign=uid(301))
    assert result.errors is None and result.data["_entities"][0]["coverage"] is None


async def test_listed_units_and_cadres_narrow_the_campaign(scenario: AsyncEngine,
                                                          graphql_context: Any) -> None:
    narrow = uid(302)
    await feed(scenario, [pb.CampaignCreated(
        campaign_id=str(narrow), name="村组联户", org_unit_id=str(COUNTY), org_path=s(COUNTY),
        starts_on="2026-04-01", ends_on="2026-04-30", min_households=1, coverage_target=1.0,
        org_unit_ids=s(VILLAGE), cadre_ids=s(A, B))])
    c = coverage(await ask(graphql_context(scenario), campaign=narrow))
    # Area = the village: H1–H3; only V2 (2026-04-02) falls in April: H2, H3 visited.
    assert (c["householdsRegistered"], c["householdsVisited"]) == (3, 2)
    # A and B listed; min 1 household each — both paired. No pairing made under this
    # campaign, so each must visit all their active households: A has H1 unvisited in April.
    assert (c["cadresTakingPart"], c["cadresMeetingPairingQuota"],
            c["cadresMeetingVisitQuota"]) == (2, 2, 1)
    [gap] = c["cadresBelowQuota"]["nodes"]
    assert gap["cadre"]["id"] == str(A) and gap["unvisitedHouseholds"] == [{"id": str(H1)}]
