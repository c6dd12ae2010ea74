"""The analysts' API through `schema.execute` on real PostgreSQL (metrics_scenario's county):
metrics rows with typed keys and the cube used, satisfaction by category × month and the same
as CSV, trends with every period, OrgUnit.kpis batched, measure definitions, validation errors
that say what to fix, and callers outside the unit's scope refused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from lianxin.assessment.api.schema import build_schema
from lianxin.assessment.domain.measures import MEASURES
from lianxin.assessment.settings import AssessmentSettings
from lianxin.kit.testing.statements import statements
from metrics_scenario import CADRE_1, COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, at, load_county
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
SCHEMA = build_schema()
SEPT = {"kind": "MONTH", "date": "2026-09-15"}
METRICS = """query($f: MetricsFilter!, $g: [MetricsDimension!]! = [], $m: [Measure!]!) {
  metrics(filter: $f, groupBy: $g, measures: $m) {
    cube updatedAt
    rows { orgUnit { id } department { id } cadre { id } category kind channel ledger
           period { kind start end label } updatedAt
           values { measure value numerator denominator } } } }"""
CSV = """query($f: MetricsFilter!, $g: [MetricsDimension!]!, $m: [Measure!]!) {
  metricsCsv(filter: $f, groupBy: $g, measures: $m) { filename mediaType text } }"""


@pytest.fixture
async def county(engine: AsyncEngine) -> AsyncEngine:
    await load_county(engine)
    return engine


async def ask(engine: AsyncEngine, ctx: Any, query: str, **variables: Any) -> Any:
    return await SCHEMA.execute(query, variable_values=variables, context_value=ctx)


def codes(result: Any) -> list[str]:
    return [e.extensions["code"] for e in result.errors or []]


async def test_metrics_groups_a_subtree_by_org_unit(county: AsyncEngine,
                                                    graphql_context: Any) -> None:
    result = await ask(county, graphql_context(county), METRICS,
                       f={"subtreeId": str(COUNTY), "period": SEPT},
                       g=["ORG_UNIT"], m=["SUBMITTED", "SATISFACTION_RATE"])
    assert result.errors is None, result.errors
    data = result.data["metrics"]
    assert data["cube"] == "unit_month"
    assert data["updatedAt"] == at(5).isoformat()
    rows = {r["orgUnit"]["id"]: r for r in data["rows"]}
    assert set(rows) == {str(TOWN_A), str(TOWN_B)}
    assert rows[str(TOWN_A)]["values"] == [
        {"measure": "SUBMITTED", "value": 4, "numerator": 4, "denominator": 1},
        {"measure": "SATISFACTION_RATE", "value": 2 / 3, "numerator": 2, "denominator": 3}]
    assert rows[str(TOWN_A)]["period"] is None and rows[str(TOWN_A)]["cadre"] is None


async def test_satisfaction_by_category_and_month_and_its_csv(county: AsyncEngine,
                                                              graphql_context: Any) -> None:
    ctx = graphql_context(county, role="analyst", org_scope=(str(COUNTY),))
    f = {"subtreeId": str(COUNTY), "from": "2026-09-01", "to": "2026-10-31"}
    result = await ask(county, ctx, METRICS, f=f, g=["CATEGORY", "MONTH"],
                       m=["SATISFACTION_RATE"])
    assert result.errors is None, result.errors
    assert result.data["metrics"]["cube"] == "detail_day"
    rows = [(r["category"], r["period"]["label"], r["values"][0]["value"])
            for r in result.data["metrics"]["rows"]]
    assert rows == [("roads", "2026-09", 1.0), ("water", "2026-09", 0.5),
                    ("water", "2026-10", 1.0), ("water.supply", "2026-09", 1.0)]
    doc = (await ask(county, ctx, CSV, f=f, g=["CATEGORY", "MONTH"],
                     m=["SATISFACTION_RATE", "SUBMITTED"])).data["metricsCsv"]
    assert doc["mediaType"] == "text/csv; charset=utf-8"
    assert doc["filename"] == "metrics-2026-09-01_2026-10-31-by-category-month.csv"
    assert doc["text"].startswith("\ufeff")
    table = list(csv.reader(io.StringIO(doc["text"][1:])))
    assert table[0] == ["类别", "月份", "满意率", "受理量"]
    assert table[1:] == [["roads", "2026-09", "1", "2"], ["water", "2026-09", "0.5", "2"],
                         ["water", "2026-10", "1", "1"], ["water.supply", "2026-09", "1", "1"]]


async def test_keys_are_typed_and_filters_take_the_tickets_spelling(
        county: AsyncEngine, graphql_context: Any) -> None:
    ctx = graphql_context(county)
    result = await ask(county, ctx, METRICS, f={"subtreeId": str(TOWN_A), "period": SEPT,
                                                "channel": "HOTLINE"},
                       g=["DEPARTMENT", "CHANNEL", "WEEK"], m=["SUBMITTED"])
    assert result.errors is None, result.errors
    first = result.data["metrics"]["rows"][0]
    assert (first["channel"], first["period"]["kind"], first["period"]["label"]) == (
        "HOTLINE", "WEEK", "2026-W36")
    assert first["department"]["id"]
    cadres = await ask(county, ctx, METRICS, f={"cadreId": str(CADRE_1), "period": SEPT},
                       g=["CADRE"], m=["SUBMITTED"])
    assert cadres.data["metrics"]["rows"][0]["cadre"] == {"id": str(CADRE_1)}
    assert cadres.data["metrics"]["cube"] == "cadre_day"


async def test_a_trend_has_every_period_of_the_range(county: AsyncEngine,
                                                     graphql_context: Any) -> None:
    result = await ask(county, graphql_context(county), """query($f: MetricsFilter!) {
      trend(filter: $f, measure: SUBMITTED, granularity: WEEK) {
        measure granularity updatedAt points { period { label } value } } }""",
                       f={"subtreeId": str(VILLAGE_A1), "period": SEPT})
    assert result.errors is None, result.errors
    points = [(p["period"]["label"], p["value"]) for p in result.data["trend"]["points"]]
    assert points == [("2026-W36", 1), ("2026-W37", 0), ("2026-W38", 0), ("2026-W39", 0),
                      ("2026-W40", 1)]


async def test_kpis_of_many_units_cost_one_cube_statement(county: AsyncEngine,
                                                          graphql_context: Any) -> None:
    query = """query($r: [_Any!]!, $p: PeriodInput!) { _entities(representations: $r) {
      ... on OrgUnit { id kpis(period: $p) { period { label } updatedAt
                                              values { measure value } } } } }"""
    reps = [{"__typename": "OrgUnit", "id": str(u)} for u in (TOWN_A, TOWN_B, COUNTY)]
    with statements(county) as sent:
        result = await ask(county, graphql_context(county), query, r=reps, p=SEPT)
    assert result.errors is None, result.errors
    assert sum("cube_" in s for s in sent) == 1
    kpis = {e["id"]: e["kpis"] for e in result.data["_entities"]}
    assert len(kpis[str(TOWN_A)]["values"]) == len(MEASURES)
    submitted = {u: next(v["value"] for v in k["values"] if v["measure"] == "SUBMITTED")
                 for u, k in kpis.items()}
    assert submitted == {str(TOWN_A): 4, str(TOWN_B): 1, str(COUNTY): 5}
    assert kpis[str(COUNTY)]["period"]["label"] == "2026-09"


async def test_measure_definitions_are_published(county: AsyncEngine,
                                                 graphql_context: Any) -> None:
    result = await ask(county, graphql_context(county),
                       "{ measureDefinitions { measure label unit definition } }")
    definitions = {d["measure"]: d for d in result.data["measureDefinitions"]}
    assert definitions["SATISFACTION_RATE"]["label"] == "满意率"
    assert definitions["SATISFACTION_RATE"]["definition"] == MEASURES["SATISFACTION_RATE"].definition
    assert "Rated tickets rated satisfied" in str(SCHEMA)   # the enum values' descriptions


@pytest.mark.parametrize(("f", "g", "field", "says"), [
    ({"period": SEPT, "from": "2026-09-01"}, [], "period", "not both"),
    ({"channel": "FAX"}, [], "channel", "HOTLINE"),
    ({"kind": "wish"}, [], "kind", "DEMAND"),
    ({"cadreId": str(CADRE_1), "category": "water"}, [], "cadreId", "drop category"),
    ({"from": "2026-09-30", "to": "2026-09-01"}, [], "from", "after"),
    ({"subtreeId": "town-a"}, [], "subtreeId", "UUID"),
    ({}, ["DAY", "MONTH"], "groupBy", "at most one"),
])
async def test_bad_input_is_answered_with_what_to_fix(
        county: AsyncEngine, graphql_context: Any, f: dict[str, Any], g: list[str],
        field: str, says: str) -> None:
    result = await ask(county, graphql_context(county), METRICS, f=f, g=g, m=["SUBMITTED"])
    assert codes(result) == ["BAD_USER_INPUT"]
    assert result.errors[0].extensions["field"] == field
    assert says in result.errors[0].message


async def test_callers_see_only_their_scope(county: AsyncEngine, graphql_context: Any) -> None:
    town_b = graphql_context(county, role="supervisor", org_scope=(str(TOWN_B),))
    outside = await ask(county, town_b, METRICS, f={"subtreeId": str(TOWN_A)}, m=["SUBMITTED"])
    assert codes(outside) == ["FORBIDDEN"] and "outside your org scope" in outside.errors[0].message
    cadre = await ask(county, town_b, METRICS, f={"cadreId": str(CADRE_1)}, m=["SUBMITTED"])
    assert codes(cadre) == ["FORBIDDEN"]
    own = await ask(county, town_b, METRICS, f={"period": SEPT}, m=["SUBMITTED"])
    assert own.data["metrics"]["rows"][0]["values"][0]["value"] == 1   # their subtree by default
    resident = graphql_context(county, role="resident", org_scope=(str(COUNTY),))
    assert codes(await ask(county, resident, METRICS, f={}, m=["SUBMITTED"])) == ["FORBIDDEN"]
    unknown = await ask(county, graphql_context(county), METRICS,
                        f={"subtreeId": "00000000-0000-0000-0000-0000000000ff"}, m=["SUBMITTED"])
    assert codes(unknown) == ["NOT_FOUND"] and "unknown" in unknown.errors[0].message
    anonymous = graphql_context(county, role=None)
    assert codes(await ask(county, anonymous, METRICS, f={}, m=["SUBMITTED"])) == ["UNAUTHENTICATED"]


async def test_exclusions_default_to_the_deployments_setting(county: AsyncEngine,
                                                             graphql_context: Any) -> None:
    ctx = graphql_context(county)
    settings = ctx.resources.settings
    ctx.resources.settings = AssessmentSettings(**{
        **settings.model_dump(), "assessment_exclude": "merged"})
    f = {"subtreeId": str(COUNTY), "period": SEPT}
    configured = await ask(county, ctx, METRICS, f=f, m=["SUBMITTED"])
    assert configured.data["metrics"]["rows"][0]["values"][0]["value"] == 6   # explained counts
    everything = await ask(county, ctx, METRICS, f={**f, "exclude": []}, m=["SUBMITTED"])
    assert everything.data["metrics"]["rows"][0]["values"][0]["value"] == 7


async def test_ticket_count_is_every_ticket_of_all_time(county: AsyncEngine,
                                                        graphql_context: Any) -> None:
    """The walking skeleton's OrgUnit.ticketCount: all months and every class (the merged
    ticket 7 and the explained ticket 6 count), in one cube statement for several units."""
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on OrgUnit { id ticketCount } } }"""
    units = [COUNTY, TOWN_A, TOWN_B, VILLAGE_A1]
    with statements(county) as seen:
        result = await ask(county, graphql_context(county), query,
                           r=[{"__typename": "OrgUnit", "id": str(u)} for u in units])
    assert result.errors is None, result.errors
    counts = {e["id"]: e["ticketCount"] for e in result.data["_entities"]}
    assert counts == {str(COUNTY): 8, str(TOWN_A): 6, str(TOWN_B): 2, str(VILLAGE_A1): 4}
    assert len([s for s in seen if "cube_unit_month" in s]) == 1
