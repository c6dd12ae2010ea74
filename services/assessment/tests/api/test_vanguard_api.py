"""`Cadre.vanguardIndex`, `vanguardRules` and `setVanguardRules` through `schema.execute`: the
breakdown of a member's April from visits and pairings (people events), the cadre cube
(merged tickets left out) and whistle report-ins (China dates at the edges); campaign rules and
quota; validation that names the field and writes nothing; non-members, callers outside the
cadre's scope and non-admins refused."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.assessment.adapters.tables import cube_tables, vanguard_rule, whistle_task_fact
from lianxin.assessment.api.schema import build_schema
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from people_scenario import (
    COUNTY,
    OTHER_TOWN,
    TOWN,
    A,
    C,
    K,
    county,
    feed,
    uid,
)

pytestmark = pytest.mark.integration
SCHEMA = build_schema()
INDEX = """query($r: [_Any!]!, $p: PeriodInput!, $k: ID) {
  _entities(representations: $r) { ... on Cadre { id vanguardIndex(period: $p, campaignId: $k) {
    period { label start end } score basic bonus
    items { item label count weight cap points source } } } } }"""
SET = """mutation($i: SetVanguardRulesInput!) { setVanguardRules(input: $i) {
  __typename ... on UserError { code message field }
  ... on VanguardRuleSet { campaignId rules { item weight cap source } } } }"""
APRIL = {"kind": "MONTH", "date": "2026-04-15"}
CHINA = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int, month: int = 4) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=CHINA)


@pytest.fixture
async def scenario(engine: AsyncEngine) -> AsyncEngine:
    """The county, plus A's April in the cube and in whistle report-ins."""
    await feed(engine, county())
    cube = cube_tables["cadre_day"]
    tasks = [(at(10, 9), False), (at(30, 23), False),      # on time, in April (China dates)
             (at(31, 23, month=3), False),                  # March 31 in China
             (at(12, 9), True)]                             # late
    async with engine.begin() as conn:
        await conn.execute(sa.insert(cube), [
            {"cadre_id": A, "day": dt.date(2026, 4, 5), "klass": "normal",
             "assignments_on_time": 4, "satisfied": 30},
            {"cadre_id": A, "day": dt.date(2026, 4, 6), "klass": "merged",
             "assignments_on_time": 5, "satisfied": 5},
            {"cadre_id": A, "day": dt.date(2026, 5, 1), "klass": "normal",
             "assignments_on_time": 7, "satisfied": 7}])
        await conn.execute(sa.insert(whistle_task_fact), [
            {"task_id": uid(700 + i), "whistle_id": uid(800 + i), "ticket_id": uid(900 + i),
             "department_id": uid(50), "blower_unit_id": TOWN, "blower_path": [COUNTY, TOWN],
             "day": when.date(), "blown_at": when, "reported_at": when,
             "reported_by": "cadre-a", "late": late} for i, (when, late) in enumerate(tasks)])
    return engine


async def index(ctx: Any, cadre: Any = A, period: dict[str, str] = APRIL,
                campaign: Any = None) -> Any:
    return await SCHEMA.execute(INDEX, context_value=ctx, variable_values={
        "r": [{"__typename": "Cadre", "id": str(cadre)}], "p": period,
        "k": str(campaign) if campaign else None})


def breakdown(result: Any) -> dict[str, Any]:
    assert result.errors is None, result.errors
    found: dict[str, Any] = result.data["_entities"][0]["vanguardIndex"]
    return found


async def test_the_breakdown_explains_the_score(scenario: AsyncEngine,
                                                graphql_context: Any) -> None:
    v = breakdown(await index(graphql_context(scenario, role="cadre", org_scope=(str(TOWN),))))
    assert v["period"] == {"label": "2026-04", "start": "2026-04-01", "end": "2026-04-30"}
    items = {i["item"]: (i["count"], i["weight"], i["cap"], i["points"]) for i in v["items"]}
    assert items == {
        "visits": (1, 2.0, 40.0, 2.0),                   # joined V2 on 04-02 (V1 is March)
        "pairing_quota": (0, 20.0, 20.0, 0.0),           # 2 paired, section default 3
        "tickets_on_time": (4, 2.0, 15.0, 8.0),          # merged day and May left out
        "whistle_reports_on_time": (2, 3.0, 10.0, 6.0),  # 04-10 and 04-30 23:00 China
        "satisfied_ratings": (30, 1.0, 15.0, 15.0)}      # capped
    assert {i["label"] for i in v["items"]} >= {"走访群众", "群众满意评价"}
    assert (v["basic"], v["bonus"], v["score"]) == (2.0, 29.0, 31.0)
    assert sum(i["points"] for i in v["items"]) == v["score"]
    assert {i["source"] for i in v["items"]} == {"built_in"}


async def test_campaign_rules_and_quota_apply(scenario: AsyncEngine,
                                              graphql_context: Any) -> None:
    admin = graphql_context(scenario, role="admin")
    result = await SCHEMA.execute(SET, context_value=admin, variable_values={"i": {
        "campaignId": str(K), "rules": [{"item": "visits", "weight": 10, "cap": 5}]}})
    assert result.errors is None, result.errors
    assert result.data is not None
    rules = {r["item"]: r for r in result.data["setVanguardRules"]["rules"]}
    assert rules["visits"] == {"item": "visits", "weight": 10.0, "cap": 5.0, "source": "campaign"}
    assert rules["satisfied_ratings"]["source"] == "built_in"
    # The deployment default for another item; the campaign's own rule still wins for visits.
    await SCHEMA.execute(SET, context_value=graphql_context(scenario, role="admin"),
                         variable_values={"i": {"rules": [
                             {"item": "satisfied_ratings", "weight": 0.5},
                             {"item": "visits", "weight": 1, "cap": 1}]}})

    v = breakdown(await index(graphql_context(scenario, role="analyst", org_scope=(str(COUNTY),)),
                              campaign=K))
    items = {i["item"]: (i["points"], i["source"]) for i in v["items"]}
    assert items["visits"] == (5.0, "campaign")          # 1 × 10, capped at 5
    assert items["pairing_quota"] == (20.0, "built_in")  # the campaign's SECTION quota is 2
    assert items["satisfied_ratings"] == (15.0, "deployment")  # 30 × 0.5, uncapped
    assert v["score"] == sum(p for p, _ in items.values())


async def test_bad_rules_name_the_field_and_write_nothing(scenario: AsyncEngine,
                                                          graphql_context: Any) -> None:
    async def set_rules(inp: dict[str, Any], role: str = "admin") -> Any:
        return await SCHEMA.execute(SET, context_value=graphql_context(scenario, role=role),
                                    variable_values={"i": inp})

    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"campaignId": str(K), "rules": [{"item": "stars", "weight": 1}]},
         "InvalidInputError", "rules[0].item"),
        ({"campaignId": str(K), "rules": [{"item": "visits", "weight": 1},
                                          {"item": "satisfied_ratings", "weight": -1}]},
         "InvalidInputError", "rules[1].weight"),
        ({"rules": [{"item": "visits", "weight": 1, "cap": -2}]},
         "InvalidInputError", "rules[0].cap"),
        ({"campaignId": "nope", "rules": []}, "InvalidInputError", "campaignId"),
        ({"campaignId": str(uid(399)), "rules": [{"item": "visits", "weight": 1}]},
         "NotFoundError", "campaignId"),
    ]
    for inp, typename, field in cases:
        result = await set_rules(inp)
        assert result.errors is None, result.errors
        assert result.data is not None
        answer = result.data["setVanguardRules"]
        assert (answer["__typename"], answer["field"]) == (typename, field), answer
    refused = await set_rules({"rules": []}, role="supervisor")
    assert refused.errors and refused.errors[0].extensions["code"] == "FORBIDDEN"
    async with scenario.connect() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(vanguard_rule))
                ).scalar_one() == 0


async def test_who_gets_an_index(scenario: AsyncEngine, graphql_context: Any) -> None:
    outside = await index(graphql_context(scenario, role="cadre", org_scope=(str(OTHER_TOWN),)))
    assert outside.errors and outside.errors[0].extensions["code"] == "FORBIDDEN"
    assert outside.data["_entities"][0]["vanguardIndex"] is None
    not_member = await index(graphql_context(scenario, role="analyst", org_scope=(str(COUNTY),)),
                             cadre=C)
    assert not_member.errors is None and not_member.data["_entities"][0]["vanguardIndex"] is None
    unknown = await index(graphql_context(scenario), cadre=uid(299))
    assert unknown.errors and unknown.errors[0].extensions["code"] == "NOT_FOUND"
    resident = await index(graphql_context(scenario, role="resident", org_scope=(str(TOWN),)))
    assert resident.errors and resident.errors[0].extensions["code"] == "FORBIDDEN"


async def test_vanguard_rules_query_shows_the_rules_in_force(scenario: AsyncEngine,
                                                             graphql_context: Any) -> None:
    result = await SCHEMA.execute(
        "query($k: ID) { vanguardRules(campaignId: $k) { campaignId rules { item label group "
        "weight cap source } } }", context_value=graphql_context(scenario, role="screen",
                                                                 org_scope=(str(COUNTY),)),
        variable_values={"k": str(K)})
    assert result.errors is None, result.errors
    assert result.data is not None
    found = result.data["vanguardRules"]
    assert found["campaignId"] == str(K) and len(found["rules"]) == 5
    assert found["rules"][0] == {"item": "visits", "label": "走访群众", "group": "basic",
                                 "weight": 2.0, "cap": 40.0, "source": "built_in"}
