"""The people subgraph through `schema.execute`, against a real migrated database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.kit.envelope import unwrap
from lianxin.people.api.schema import build_schema
from lianxin.people.main import SPEC
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
schema = build_schema()
COUNTY, TOWN, VILLAGE, OTHER = (str(uuid.UUID(int=i)) for i in (11, 12, 13, 14))
CREATE = """mutation($input: CreateOrgUnitInput!) {
  createOrgUnit(input: $input) { id name kind path parent { id } } }"""


@pytest.fixture
async def engine(migrated_engine: Any) -> AsyncEngine:
    engine: AsyncEngine = await migrated_engine(SPEC.migrations_dir)
    return engine


async def run(ctx: Any, query: str, **variables: Any) -> Any:
    return await schema.execute(query, variable_values=variables, context_value=ctx)


async def tree(engine: AsyncEngine, graphql_context: Any) -> None:
    ctx = graphql_context(engine)
    for input_ in ({"id": COUNTY, "name": "墨江县", "kind": "COUNTY"},
                   {"id": TOWN, "name": "联珠镇", "kind": "TOWNSHIP", "parentId": COUNTY},
                   {"id": VILLAGE, "name": "碧溪村", "kind": "VILLAGE", "parentId": TOWN},
                   {"id": OTHER, "name": "通关镇", "kind": "TOWNSHIP", "parentId": COUNTY}):
        result = await run(ctx, CREATE, input=input_)
        assert result.errors is None, result.errors


async def test_created_units_form_a_tree_with_events(engine: AsyncEngine, graphql_context: Any) -> None:
    await tree(engine, graphql_context)
    result = await run(graphql_context(engine), "{ orgUnits { name children { name children { name } } } }")
    assert result.data == {"orgUnits": [{"name": "墨江县", "children": [
        {"name": "联珠镇", "children": [{"name": "碧溪村"}]}, {"name": "通关镇", "children": []}]}]}
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT envelope FROM outbox ORDER BY id"))).all()
    payloads = [unwrap(r.envelope)[1] for r in rows]
    assert [p.name for p in payloads] == ["墨江县", "联珠镇", "碧溪村", "通关镇"]  # type: ignore[attr-defined]
    assert list(payloads[2].path) == [COUNTY, TOWN, VILLAGE]  # type: ignore[attr-defined]


async def test_a_cadre_sees_only_their_scope(engine: AsyncEngine, graphql_context: Any) -> None:
    await tree(engine, graphql_context)
    cadre = graphql_context(engine, role="cadre", org_scope=(TOWN,))
    result = await run(cadre, "{ orgUnits { name parent { name } } }")
    assert result.data == {"orgUnits": [{"name": "联珠镇", "parent": None}]}
    hidden = await run(cadre, "query($id: ID!) { orgUnit(id: $id) { name } }", id=OTHER)
    assert hidden.data == {"orgUnit": None}
    entities = await run(cadre, """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on OrgUnit { name } } }""", r=[{"__typename": "OrgUnit", "id": OTHER},
                                          {"__typename": "OrgUnit", "id": VILLAGE}])
    assert entities.data == {"_entities": [None, {"name": "碧溪村"}]}


@pytest.mark.parametrize(("input_", "code"), [
    ({"id": "not-a-uuid", "name": "x", "kind": "COUNTY"}, "BAD_USER_INPUT"),
    ({"id": str(uuid.uuid4()), "name": "x", "kind": "VILLAGE", "parentId": str(uuid.uuid4())},
     "UNKNOWN_ORG_UNIT"),
    ({"id": str(uuid.uuid4()), "name": "x", "kind": "VILLAGE", "parentId": COUNTY}, "BAD_USER_INPUT"),
    ({"id": TOWN, "name": "改名镇", "kind": "TOWNSHIP", "parentId": COUNTY}, "CONFLICT"),
    ({"id": str(uuid.uuid4()), "kind": "COUNTY"}, "GRAPHQL_VALIDATION_FAILED"),
])
async def test_bad_input_gets_a_coded_error_and_writes_nothing(
        engine: AsyncEngine, graphql_context: Any, input_: dict[str, str], code: str) -> None:
    await tree(engine, graphql_context)
    result = await run(graphql_context(engine), CREATE, input=input_)
    assert [e.extensions["code"] for e in result.errors or []] == [code]
    async with engine.connect() as conn:
        counts = (await conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM org_unit), (SELECT count(*) FROM outbox)"))).one()
    assert tuple(counts) == (4, 4)


async def test_retry_returns_the_same_unit(engine: AsyncEngine, graphql_context: Any) -> None:
    await tree(engine, graphql_context)
    again = await run(graphql_context(engine), CREATE,
                      input={"id": TOWN, "name": "联珠镇", "kind": "TOWNSHIP", "parentId": COUNTY})
    assert again.errors is None and again.data["createOrgUnit"]["id"] == TOWN


@pytest.mark.parametrize(("role", "code"), [(None, "UNAUTHENTICATED"), ("cadre", "FORBIDDEN")])
async def test_only_admins_create_units(engine: AsyncEngine, graphql_context: Any,
                                        role: str | None, code: str) -> None:
    result = await run(graphql_context(engine, role=role), CREATE,
                       input={"id": COUNTY, "name": "墨江县", "kind": "COUNTY"})
    assert [e.extensions["code"] for e in result.errors or []] == [code]
