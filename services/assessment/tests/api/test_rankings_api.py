"""Scorecards and rankings (赛马) through `schema.execute`: townships ranked with rank change
since August, departments and cadres ranked, a unit's and a department's scorecard, and a
published ranking that stays fixed while `changedSincePublished` tells of later changes;
publishing twice is a CONFLICT, and only supervisors (in scope) and admins publish.

September is metrics_scenario's county (town B 75.0 ahead of town A 60.0); August adds town A
100.0 (one ticket done well) ahead of town B 0.0 (one done badly) — so B moved up one place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from lianxin.assessment.api.schema import build_schema
from metrics_scenario import (
    CADRE_1,
    CADRE_2,
    COUNTY,
    ROADS,
    TOWN_A,
    TOWN_B,
    VILLAGE_A1,
    VILLAGE_B1,
    WATER,
    add,
    load_county,
    point,
    ticket,
)
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
SCHEMA = build_schema()
SEPT = {"kind": "MONTH", "date": "2026-09-15"}
ROWS = "rows { orgUnit { id } cadre { id } score rank previousRank rankChange values { measure value } }"
RANKING = f"""query($r: [_Any!]!, $p: PeriodInput!, $l: RankingLevel!) {{
  _entities(representations: $r) {{ ... on OrgUnit {{ ranking(period: $p, level: $l) {{
    scope {{ id }} level period {{ label }} published publishedAt publishedBy
    changedSincePublished {ROWS} }} }} }} }}"""
SCORECARD = """query($r: [_Any!]!, $p: PeriodInput!) { _entities(representations: $r) {
  ... on OrgUnit { scorecard(period: $p) { level among { id } period { label }
    row { orgUnit { id } score rank previousRank rankChange } } } } }"""
PUBLISH = """mutation($i: PublishRankingInput!) { publishRanking(input: $i) {
  __typename ... on Ranking { published publishedBy rows { orgUnit { id } rank score } }
  ... on UserError { code message field } } }"""


@pytest.fixture
async def county(engine: AsyncEngine) -> AsyncEngine:
    await load_county(engine)
    aug = dt.date(2026, 8, 10)
    await add(engine, [
        (point(VILLAGE_A1, aug), ticket(resolved_on_time=True, rated=True, satisfied=True,
                                        solved=True, accepted_on_time=True)),
        (point(VILLAGE_B1, aug), ticket(resolved_on_time=False, rated=True,
                                        accepted_on_time=False))],
        dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    return engine


def unit(u: Any) -> list[dict[str, str]]:
    return [{"__typename": "OrgUnit", "id": str(u)}]


async def ranking(engine: AsyncEngine, ctx: Any, scope: Any = COUNTY,
                  level: str = "CHILDREN") -> dict[str, Any]:
    result = await SCHEMA.execute(RANKING, variable_values={"r": unit(scope), "p": SEPT,
                                                            "l": level}, context_value=ctx)
    assert result.errors is None, result.errors
    ranked: dict[str, Any] = result.data["_entities"][0]["ranking"]
    return ranked


def places(r: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [((row["orgUnit"] or row["cadre"])["id"], row["score"], row["rank"],
             row["previousRank"], row["rankChange"]) for row in r["rows"]]


async def test_townships_ranked_with_rank_change(county: AsyncEngine, graphql_context: Any) -> None:
    r = await ranking(county, graphql_context(county, role="analyst", org_scope=(str(COUNTY),)))
    assert (r["level"], r["period"]["label"], r["published"]) == ("CHILDREN", "2026-09", False)
    # departments are not children here (they have a level of their own), nor party bodies
    assert places(r) == [(str(TOWN_B), 75.0, 1, 2, 1), (str(TOWN_A), 60.0, 2, 1, -1)]
    assert {v["measure"] for v in r["rows"][0]["values"]} >= {"SATISFACTION_RATE", "SUBMITTED"}


async def test_departments_and_cadres_ranked(county: AsyncEngine, graphql_context: Any) -> None:
    ctx = graphql_context(county)
    departments = places(await ranking(county, ctx, level="DEPARTMENTS"))
    # WATER Sept: tickets 1, 2, 5 (sat 2/3, on time 2/3, response 2/2, solved 1/3) → 66.67;
    # ROADS: 3, 4 (sat 1/1, on time 1/1, response 0/1, solved 0/1) → 60.0
    assert [(k, s, rank) for k, s, rank, _, _ in departments] == [
        (str(WATER), 66.67, 1), (str(ROADS), 60.0, 2)]
    cadres = places(await ranking(county, ctx, level="CADRES"))
    assert [k for k, *_ in cadres] == [str(CADRE_2), str(CADRE_1)]


async def test_scorecards_of_a_township_and_a_department(county: AsyncEngine,
                                                         graphql_context: Any) -> None:
    ctx = graphql_context(county, role="supervisor", org_scope=(str(TOWN_A),))
    result = await SCHEMA.execute(SCORECARD, variable_values={"r": unit(TOWN_A), "p": SEPT},
                                  context_value=ctx)
    assert result.errors is None, result.errors
    card = result.data["_entities"][0]["scorecard"]
    assert (card["level"], card["among"], card["period"]["label"]) == (
        "CHILDREN", {"id": str(COUNTY)}, "2026-09")
    assert card["row"] == {"orgUnit": {"id": str(TOWN_A)}, "score": 60.0, "rank": 2,
                           "previousRank": 1, "rankChange": -1}
    water = await SCHEMA.execute(SCORECARD, variable_values={"r": unit(WATER), "p": SEPT},
                                 context_value=graphql_context(county))
    assert water.data["_entities"][0]["scorecard"]["level"] == "DEPARTMENTS"
    assert water.data["_entities"][0]["scorecard"]["row"]["rank"] == 1
    cadre = await SCHEMA.execute(
        "query($c: ID!, $p: PeriodInput!) { cadreScorecard(cadreId: $c, period: $p) { "
        "level among { id } row { cadre { id } rank score } } }",
        variable_values={"c": str(CADRE_1), "p": SEPT}, context_value=graphql_context(county))
    assert cadre.errors is None, cadre.errors
    assert cadre.data["cadreScorecard"]["row"]["cadre"] == {"id": str(CADRE_1)}
    assert cadre.data["cadreScorecard"]["among"] == {"id": str(TOWN_A)}


async def test_a_published_ranking_stays_fixed(county: AsyncEngine, graphql_context: Any) -> None:
    supervisor = graphql_context(county, role="supervisor", org_scope=(str(COUNTY),),
                                 subject="supervisor-1")
    do = {"orgUnitId": str(COUNTY), "level": "CHILDREN", "period": SEPT}
    published = await SCHEMA.execute(PUBLISH, variable_values={"i": do}, context_value=supervisor)
    assert published.errors is None, published.errors
    assert published.data["publishRanking"]["__typename"] == "Ranking"
    assert published.data["publishRanking"]["publishedBy"] == "supervisor-1"
    before = await ranking(county, supervisor)
    assert (before["published"], before["publishedBy"], before["changedSincePublished"]) == (
        True, "supervisor-1", False)
    assert before["publishedAt"] is not None
    # a late rating for a September ticket of town A: live figures move, the ranking does not
    await add(county, [(point(VILLAGE_A1, dt.date(2026, 9, 5)),
                        ticket(resolved_on_time=True, rated=True, satisfied=True, solved=True,
                               accepted_on_time=True))], dt.datetime(2026, 10, 20, tzinfo=dt.UTC))
    after = await ranking(county, supervisor)
    assert after["changedSincePublished"] is True
    assert places(after) == places(before)
    again = await SCHEMA.execute(PUBLISH, variable_values={"i": do}, context_value=supervisor)
    assert again.data["publishRanking"]["__typename"] == "ConflictError"
    assert again.data["publishRanking"]["code"] == "CONFLICT"
    assert "stays fixed" in again.data["publishRanking"]["message"]


async def test_who_may_publish_and_read(county: AsyncEngine, graphql_context: Any) -> None:
    do = {"orgUnitId": str(COUNTY), "period": SEPT}
    analyst = graphql_context(county, role="analyst", org_scope=(str(COUNTY),))
    refused = await SCHEMA.execute(PUBLISH, variable_values={"i": do}, context_value=analyst)
    assert [e.extensions["code"] for e in refused.errors] == ["FORBIDDEN"]
    town = graphql_context(county, role="supervisor", org_scope=(str(TOWN_B),))
    outside = await SCHEMA.execute(PUBLISH, variable_values={"i": do}, context_value=town)
    assert [e.extensions["code"] for e in outside.errors] == ["FORBIDDEN"]
    read = await SCHEMA.execute(RANKING, variable_values={"r": unit(COUNTY), "p": SEPT,
                                                          "l": "CHILDREN"}, context_value=town)
    assert [e.extensions["code"] for e in read.errors] == ["FORBIDDEN"]
    unknown = await SCHEMA.execute(PUBLISH, variable_values={"i": {
        **do, "orgUnitId": "00000000-0000-0000-0000-0000000000ff"}},
        context_value=graphql_context(county))
    assert unknown.data["publishRanking"]["__typename"] == "NotFoundError"
