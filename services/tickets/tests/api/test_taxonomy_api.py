"""Categories and routing rules through the tickets subgraph, against the seeded database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import execute

pytestmark = pytest.mark.integration
COUNTY, TOWN, OTHER, VILLAGE = (str(uuid.UUID(int=i)) for i in (1, 2, 3, 4))  # seeded
WATER, HOUSING, TRANSPORT = (str(uuid.UUID(int=i)) for i in (10, 11, 12))
RESULT = "__typename ... on UserError { code field message }"
CATEGORY = f"{RESULT} ... on Category {{ code name active parent {{ code }} }}"
CREATE = f"""mutation($i: CreateCategoryInput!) {{ createCategory(input: $i) {{ {CATEGORY} }} }}"""
UPDATE = f"""mutation($i: UpdateCategoryInput!) {{ updateCategory(input: $i) {{ {CATEGORY} }} }}"""
SET_RULE = f"""mutation($i: SetRoutingRuleInput!) {{ setRoutingRule(input: $i) {{ {RESULT}
  ... on RoutingRule {{ id categoryCode areaDepth note area {{ id }} department {{ id }}
                        category {{ name }} }} }} }}"""
DELETE_RULE = f"""mutation($i: DeleteRoutingRuleInput!) {{ deleteRoutingRule(input: $i) {{
  {RESULT} ... on DeletedRoutingRule {{ id }} }} }}"""
SUBMIT = """mutation($i: SubmitTicketInput!) { submitTicket(input: $i) {
  __typename ... on Ticket { id } ... on UserError { code field } } }"""
ROUTE = "query($t: ID!) { routeTicket(ticketId: $t) { id } }"


async def ok(ctx: Any, query: str, **variables: Any) -> Any:
    result = await execute(ctx, query, **variables)
    assert result.errors is None, result.errors
    return result.data


async def test_seeded_tree_reads_parents_children_and_paths(
        seeded_engine: AsyncEngine, graphql_context: Any) -> None:
    resident = graphql_context(seeded_engine, role="resident", subject="r1")
    data = await ok(resident, """{ categories { code depth parent { code } }
        category(code: "water.supply") { name path { code } }
        water: category(code: "water") { children { code } }
        none: category(code: "weather") { code } }""")
    codes = [c["code"] for c in data["categories"]]
    assert codes[:5] == ["water", "water.supply", "water.quality", "water.irrigation",
                         "water.drainage"] and "other" in codes and len(codes) == 34
    assert data["category"] == {"name": "停水 / 供水不足",
                                "path": [{"code": "water"}, {"code": "water.supply"}]}
    assert [c["code"] for c in data["water"]["children"]][:2] == ["water.supply", "water.quality"]
    assert data["none"] is None


async def test_admins_add_rename_and_retire_categories(
        seeded_engine: AsyncEngine, graphql_context: Any) -> None:
    admin = graphql_context(seeded_engine)
    made = await ok(admin, CREATE, i={"code": "water.tank", "name": "水窖", "parentCode": "water"})
    assert made["createCategory"] == {"__typename": "Category", "code": "water.tank",
                                      "name": "水窖", "active": True, "parent": {"code": "water"}}
    bad = await ok(admin, CREATE, i={"code": "Water Tank", "name": "水窖"})
    assert (bad["createCategory"]["code"], bad["createCategory"]["field"]) == ("BAD_USER_INPUT",
                                                                              "code")
    again = await ok(admin, CREATE, i={"code": "water.tank", "name": "水窖", "parentCode": "water"})
    assert again["createCategory"]["__typename"] == "ConflictError"

    renamed = await ok(admin, UPDATE, i={"code": "water", "name": "饮水", "active": False})
    assert renamed["updateCategory"]["name"] == "饮水"
    assert renamed["updateCategory"]["active"] is False
    data = await ok(admin, """{ active: categories { code }
        all: categories(includeInactive: true) { code active } }""")
    assert not any(c["code"].startswith("water") for c in data["active"])
    assert {"code": "water.tank", "active": False} in data["all"]   # retired with its parent
    submit = await ok(admin, SUBMIT, i={"id": str(uuid.uuid4()), "orgUnitId": VILLAGE,
                                        "channel": "APP", "category": "water.tank",
                                        "text": "水窖漏水"})
    assert submit["submitTicket"] == {"__typename": "InvalidInputError", "code": "BAD_USER_INPUT",
                                      "field": "category"}
    missing = await ok(admin, UPDATE, i={"code": "weather", "name": "天气"})
    assert missing["updateCategory"]["__typename"] == "NotFoundError"


async def test_cadres_and_residents_cannot_edit_the_taxonomy(
        seeded_engine: AsyncEngine, graphql_context: Any) -> None:
    for role in ("cadre", "resident"):
        caller = graphql_context(seeded_engine, role=role, org_scope=(TOWN,))
        result = await execute(caller, CREATE, i={"code": "gas.meter", "name": "燃气表",
                                              "parentCode": "gas"})
        assert [e.extensions["code"] for e in result.errors or []] == ["FORBIDDEN"]
        rule = await execute(caller, SET_RULE, i={"categoryCode": "water", "departmentId": WATER,
                                              "areaUnitId": TOWN})
        assert [e.extensions["code"] for e in rule.errors or []] == ["FORBIDDEN"]


async def test_routing_rules_suggest_the_most_specific_departments(
        seeded_engine: AsyncEngine, graphql_context: Any) -> None:
    admin = graphql_context(seeded_engine)
    supervisor = graphql_context(seeded_engine, role="supervisor", org_scope=(TOWN,))
    anywhere = await ok(admin, SET_RULE, i={"categoryCode": "water", "departmentId": WATER})
    assert anywhere["setRoutingRule"]["area"] is None
    assert anywhere["setRoutingRule"]["category"] == {"name": "供水 / 饮水"}
    town = await ok(supervisor, SET_RULE, i={"categoryCode": "water", "departmentId": HOUSING,
                                             "areaUnitId": TOWN, "note": "镇里先看"})
    assert town["setRoutingRule"]["areaDepth"] == 2
    tie = await ok(supervisor, SET_RULE, i={"categoryCode": "water.supply",
                                            "departmentId": TRANSPORT, "areaUnitId": TOWN})
    not_a_department = await ok(admin, SET_RULE, i={"categoryCode": "water",
                                                    "departmentId": VILLAGE})
    assert not_a_department["setRoutingRule"]["field"] == "departmentId"
    outside = await execute(supervisor, SET_RULE, i={"categoryCode": "water", "departmentId": WATER,
                                                 "areaUnitId": OTHER})
    assert [e.extensions["code"] for e in outside.errors or []] == ["FORBIDDEN"]

    ids = {}
    for name, unit, category in (("village", VILLAGE, "water.supply"),
                                 ("other", OTHER, "water.quality"), ("road", TOWN, "road")):
        ids[name] = str(uuid.uuid4())
        await ok(admin, SUBMIT, i={"id": ids[name], "orgUnitId": unit, "channel": "HOTLINE",
                                   "category": category, "text": "停水了"})
    cadre = graphql_context(seeded_engine, role="cadre", org_scope=(TOWN,), subject="cadre-1")
    # In the town, the town rule is deeper than "anywhere"; water.supply beats water there.
    assert (await ok(cadre, ROUTE, t=ids["village"]))["routeTicket"] == [{"id": TRANSPORT}]
    assert (await ok(admin, ROUTE, t=ids["other"]))["routeTicket"] == [{"id": WATER}]
    assert (await ok(admin, ROUTE, t=ids["road"]))["routeTicket"] == []
    hidden = await execute(cadre, ROUTE, t=ids["other"])   # another township's ticket
    assert [e.extensions["code"] for e in hidden.errors or []] == ["NOT_FOUND"]

    gone = await ok(supervisor, DELETE_RULE, i={"id": tie["setRoutingRule"]["id"]})
    assert gone["deleteRoutingRule"] == {"__typename": "DeletedRoutingRule",
                                         "id": tie["setRoutingRule"]["id"]}
    assert (await ok(cadre, ROUTE, t=ids["village"]))["routeTicket"] == [{"id": HOUSING}]
    again = await ok(supervisor, DELETE_RULE, i={"id": tie["setRoutingRule"]["id"]})
    assert again["deleteRoutingRule"]["__typename"] == "NotFoundError"
    assert town["setRoutingRule"]["note"] == "镇里先看"


async def test_routing_rules_page_by_category(seeded_engine: AsyncEngine,
                                              graphql_context: Any) -> None:
    admin = graphql_context(seeded_engine)
    for category in ("road", "water.supply", "water", "power"):
        for department in (WATER, TRANSPORT):
            await ok(admin, SET_RULE, i={"categoryCode": category, "departmentId": department})
    query = """query($after: String, $c: String) { routingRules(first: 3, after: $after,
        categoryCode: $c) { nodes { categoryCode } pageInfo { hasNextPage endCursor } } }"""
    seen, after = [], None
    while True:
        page = (await ok(admin, query, after=after))["routingRules"]
        seen += [n["categoryCode"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["power"] * 2 + ["road"] * 2 + ["water"] * 2 + ["water.supply"] * 2
    water = (await ok(admin, query, c="water"))["routingRules"]["nodes"]
    assert [n["categoryCode"] for n in water] == ["water", "water", "water.supply"]
    resident = graphql_context(seeded_engine, role="resident", subject="r1")
    refused = await execute(resident, query)
    assert [e.extensions["code"] for e in refused.errors or []] == ["FORBIDDEN"]
    tampered = await execute(admin, query, after="nonsense!")
    assert [e.extensions["code"] for e in tampered.errors or []] == ["BAD_USER_INPUT"]
