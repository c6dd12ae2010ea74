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
  createOrgUnit(input: $input) { __typename ... on OrgUnit { id name kind path parent { id } }
                                 ... on UserError { code message field } } }"""


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
        assert result.data["createOrgUnit"]["__typename"] == "OrgUnit", result.data


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


@pytest.mark.parametrize(("input_", "expected"), [
    ({"id": "not-a-uuid", "name": "x", "kind": "COUNTY"}, ("InvalidInputError", "BAD_USER_INPUT", "id")),
    ({"id": str(uuid.uuid4()), "name": "x", "kind": "VILLAGE", "parentId": str(uuid.uuid4())},
     ("NotFoundError", "UNKNOWN_ORG_UNIT", "parentId")),
    ({"id": str(uuid.uuid4()), "name": "x", "kind": "VILLAGE", "parentId": COUNTY},
     ("InvalidInputError", "BAD_USER_INPUT", "parentId")),
    ({"id": TOWN, "name": "改名镇", "kind": "TOWNSHIP", "parentId": COUNTY},
     ("ConflictError", "CONFLICT", "id")),
    ({"id": str(uuid.uuid4()), "kind": "COUNTY"}, "GRAPHQL_VALIDATION_FAILED"),
])
async def test_bad_input_gets_a_coded_error_and_writes_nothing(
        engine: AsyncEngine, graphql_context: Any, input_: dict[str, str], expected: Any) -> None:
    await tree(engine, graphql_context)
    result = await run(graphql_context(engine), CREATE, input=input_)
    if isinstance(expected, str):  # not even valid GraphQL: a top-level error
        assert [e.extensions["code"] for e in result.errors or []] == [expected]
    else:
        answer = result.data["createOrgUnit"]
        assert (answer["__typename"], answer["code"], answer["field"]) == expected
        assert answer["message"]
    async with engine.connect() as conn:
        counts = (await conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM org_unit), (SELECT count(*) FROM outbox)"))).one()
    assert tuple(counts) == (4, 4)


async def test_retry_returns_the_same_unit(engine: AsyncEngine, graphql_context: Any) -> None:
    await tree(engine, graphql_context)
    again = await run(graphql_context(engine), CREATE,
                      input={"id": TOWN, "name": "联珠镇", "kind": "TOWNSHIP", "parentId": COUNTY})
    assert again.errors is None and again.data["createOrgUnit"]["id"] == TOWN


MOVE = """mutation($id: ID!, $parent: ID!) { moveOrgUnit(id: $id, parentId: $parent) {
  __typename ... on OrgUnit { path history { version change name } } ... on UserError { code } } }"""


async def test_move_and_rename_keep_history_and_reroot_the_subtree(
        engine: AsyncEngine, graphql_context: Any) -> None:
    await tree(engine, graphql_context)
    ctx = graphql_context(engine)
    renamed = await run(ctx, """mutation($id: ID!) { renameOrgUnit(id: $id, name: "碧溪新村") {
        ... on OrgUnit { name } } }""", id=VILLAGE)
    assert renamed.data == {"renameOrgUnit": {"name": "碧溪新村"}}
    moved = await run(graphql_context(engine), MOVE, id=VILLAGE, parent=OTHER)
    assert moved.errors is None, moved.errors
    assert moved.data["moveOrgUnit"]["path"] == [COUNTY, OTHER, VILLAGE]
    assert [h["change"] for h in moved.data["moveOrgUnit"]["history"]] == [
        "created", "renamed", "moved"]
    # The old township's cadre no longer sees the village; the new one's does.
    old = await run(graphql_context(engine, role="cadre", org_scope=(TOWN,)),
                    "query($id: ID!) { orgUnit(id: $id) { name } }", id=VILLAGE)
    new = await run(graphql_context(engine, role="cadre", org_scope=(OTHER,)),
                    "query($id: ID!) { orgUnit(id: $id) { name } }", id=VILLAGE)
    assert old.data == {"orgUnit": None} and new.data == {"orgUnit": {"name": "碧溪新村"}}
    into_itself = await run(graphql_context(engine), MOVE, id=TOWN, parent=TOWN)
    assert into_itself.data["moveOrgUnit"] == {"__typename": "InvalidInputError",
                                               "code": "BAD_USER_INPUT"}


async def test_descendants_answer_any_depth_in_one_query(
        engine: AsyncEngine, graphql_context: Any) -> None:
    await tree(engine, graphql_context)
    result = await run(graphql_context(engine), """query($id: ID!) { orgUnit(id: $id) {
        descendants(kinds: [VILLAGE]) { name } all: descendants { name } } }""", id=COUNTY)
    assert result.data == {"orgUnit": {"descendants": [{"name": "碧溪村"}],
                                       "all": [{"name": "联珠镇"}, {"name": "通关镇"},
                                               {"name": "碧溪村"}]}}


@pytest.mark.parametrize(("role", "code"), [(None, "UNAUTHENTICATED"), ("cadre", "FORBIDDEN")])
async def test_only_admins_create_units(engine: AsyncEngine, graphql_context: Any,
                                        role: str | None, code: str) -> None:
    result = await run(graphql_context(engine, role=role), CREATE,
                       input={"id": COUNTY, "name": "墨江县", "kind": "COUNTY"})
    assert [e.extensions["code"] for e in result.errors or []] == [code]
