"""Journey 4 — an analyst (分析员) of a county, through the gateway.

This month the county recorded three demands: two about the water supply — one solved on the
spot, the resident satisfied on the return visit — and one about a street lamp, still open. The
county's analyst, whose token is scoped to the county, asks for demands and satisfaction by
category this month, then downloads the same figures as a CSV file for the monthly report
(UTF-8 with a byte-order mark, so Excel shows the Chinese headers)."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from journeys import operations as op
from journeys.frontends import App, answer
from journeys.places import china_today, create_area, wait_until_tickets_knows
from journeys.waiting import eventually

pytestmark = pytest.mark.e2e

MONTHLY_BY_CATEGORY = """query MonthlyByCategory($filter: MetricsFilter!) {
  metrics(filter: $filter, groupBy: [CATEGORY], measures: [SUBMITTED, RATED, SATISFACTION_RATE]) {
    cube
    rows { category values { measure value numerator denominator } }
  }
}"""
MONTHLY_BY_CATEGORY_CSV = """query MonthlyByCategoryCsv($filter: MetricsFilter!) {
  metricsCsv(filter: $filter, groupBy: [CATEGORY], measures: [SUBMITTED, RATED, SATISFACTION_RATE]) {
    filename mediaType text
  }
}"""


@pytest.fixture(scope="module")
def county(stack: Any, admin: App) -> dict[str, str]:
    """The county and its three demands of the month, recorded and worked by a county cadre."""
    ids = create_area(admin, [("county", None, "分析县", "COUNTY"),
                              ("town", "county", "分析镇", "TOWNSHIP"),
                              ("village", "town", "分析村", "VILLAGE")])
    wait_until_tickets_knows(admin, *ids.values())
    staff = App(stack.gateway_url, stack.token("cadre", [ids["county"]], f"cc-{uuid.uuid4()}"))
    tickets = [answer(staff.run(op.RECORD_DEMAND, input={
        "id": str(uuid.uuid4()), "orgUnitId": ids["village"], "channel": "HOTLINE",
        "category": category, "text": text}))["id"] for category, text in (
            ("water.supply", "自来水停了"), ("water.supply", "水压太低"), ("road.light", "路灯不亮"))]
    solved = tickets[0]
    answer(staff.run(op.RESOLVE_ON_THE_SPOT, input={"ticketId": solved, "report": "开闸恢复供水"}))
    answer(staff.run(op.ANSWER, input={"ticketId": solved, "reply": "已恢复供水",
                                       "channel": "HOTLINE"}))
    answer(staff.run(op.RETURN_VISIT, input={"ticketId": solved, "solved": True,
                                             "satisfaction": "SATISFIED", "channel": "HOTLINE",
                                             "note": "回访满意"}))
    return ids


def by_category(metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["category"]: {v["measure"]: v["value"] for v in row["values"]}
            for row in metrics["rows"]}


def test_an_analyst_queries_the_months_figures_by_category_and_exports_them_as_csv(
        stack: Any, county: dict[str, str]) -> None:
    analyst = App(stack.gateway_url, stack.token("analyst", [county["county"]], "analyst-county"))
    this_month = {"subtreeId": county["county"],
                  "period": {"kind": "MONTH", "date": china_today().isoformat()}}
    expected = {"water.supply": {"SUBMITTED": 2, "RATED": 1, "SATISFACTION_RATE": 1.0},
                "road.light": {"SUBMITTED": 1, "RATED": 0, "SATISFACTION_RATE": None}}

    # 1. The figures by category (the projection is a moment behind the tickets: ask again
    #    until the rating is in).
    metrics = eventually(lambda: analyst.run(MONTHLY_BY_CATEGORY, filter=this_month)["metrics"],
                         lambda m: by_category(m) == expected)
    assert metrics["cube"]   # which rollup answered, for the curious

    # 2. The same figures as a CSV file: a header row, then one line per category.
    document = analyst.run(MONTHLY_BY_CATEGORY_CSV, filter=this_month)["metricsCsv"]
    assert document["mediaType"].startswith("text/csv") and document["filename"].endswith(".csv")
    assert document["text"].startswith("\ufeff")
    header, *lines = list(csv.reader(io.StringIO(document["text"].removeprefix("\ufeff"))))
    assert len(header) == 4 and "满意率" in header[-1]
    assert sorted(line[0] for line in lines) == sorted(expected)
    water = next(line for line in lines if line[0] == "water.supply")
    assert [float(x) for x in water[1:]] == [2, 1, 1.0]
