"""The tickets subgraph through `schema.execute`, against a real migrated database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.tickets.api.schema import build_schema
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
schema = build_schema()
COUNTY, TOWN, OTHER = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)  # seeded by conftest
SUBMIT = """mutation($input: SubmitTicketInput!) {
  submitTicket(input: $input) { id status channel category text orgUnit { id } } }"""


@pytest.fixture
def engine(seeded_engine: AsyncEngine) -> AsyncEngine:
    return seeded_engine


def ticket_input(**kw: str) -> dict[str, str]:
    return {"id": str(uuid.uuid4()), "orgUnitId": str(TOWN), "channel": "MINI_PROGRAM",
            "category": "water", "text": "我们村停水三天了", **kw}


async def run(ctx: Any, query: str, **variables: Any) -> Any:
    return await schema.execute(query, variable_values=variables, context_value=ctx)


async def test_resident_submits_retries_and_reads_only_their_own(
        engine: AsyncEngine, graphql_context: Any) -> None:
    me = graphql_context(engine, role="resident", subject="resident-1")
    data = ticket_input()
    first = await run(me, SUBMIT, input=data)
    retry = await run(me, SUBMIT, input=data)
    assert first.errors is None and retry.data == first.data
    assert first.data["submitTicket"]["status"] == "RECEIVED"
    read = "query($id: ID!) { ticket(id: $id) { text } }"
    assert (await run(me, read, id=data["id"])).data == {"ticket": {"text": "我们村停水三天了"}}
    other = graphql_context(engine, role="resident", subject="resident-2")
    assert (await run(other, read, id=data["id"])).data == {"ticket": None}
    entities = await run(other, """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Ticket { text } } }""", r=[{"__typename": "Ticket", "id": data["id"]}])
    assert entities.data == {"_entities": [None]}
    async with engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM outbox"))).scalar_one() == 1


@pytest.mark.parametrize(("overrides", "code"), [
    ({"orgUnitId": str(uuid.UUID(int=404))}, "UNKNOWN_ORG_UNIT"),
    ({"orgUnitId": "12"}, "BAD_USER_INPUT"),
    ({"id": "abc"}, "BAD_USER_INPUT"),
    ({"text": " "}, "BAD_USER_INPUT"),
    ({"category": "weather"}, "BAD_USER_INPUT"),
    ({"channel": "CARRIER_PIGEON"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"orgUnitId": str(OTHER)}, "FORBIDDEN"),  # outside the cadre's scope
])
async def test_bad_submissions_get_coded_errors_and_write_nothing(
        engine: AsyncEngine, graphql_context: Any, overrides: dict[str, str], code: str) -> None:
    cadre = graphql_context(engine, role="cadre", org_scope=(str(TOWN),))
    result = await run(cadre, SUBMIT, input=ticket_input(**overrides))
    assert [e.extensions["code"] for e in result.errors or []] == [code]
    async with engine.connect() as conn:
        counts = (await conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM ticket), (SELECT count(*) FROM outbox)"))).one()
    assert tuple(counts) == (0, 0)


async def test_org_unit_tickets_cover_the_subtree_newest_first(
        engine: AsyncEngine, graphql_context: Any) -> None:
    admin = graphql_context(engine)
    for text, unit in (("一", TOWN), ("二", OTHER), ("三", TOWN)):
        assert (await run(admin, SUBMIT, input=ticket_input(text=text, orgUnitId=str(unit)))).errors is None
    result = await run(admin, """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on OrgUnit { tickets(first: 10) { text } } } }""",
                       r=[{"__typename": "OrgUnit", "id": str(COUNTY)},
                          {"__typename": "OrgUnit", "id": str(TOWN)}])
    assert result.errors is None
    texts = [[t["text"] for t in e["tickets"]] for e in result.data["_entities"]]
    assert texts == [["三", "二", "一"], ["三", "一"]]
    too_many = await run(admin, """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on OrgUnit { tickets(first: 1000) { text } } } }""",
                         r=[{"__typename": "OrgUnit", "id": str(COUNTY)}])
    assert [e.extensions["code"] for e in too_many.errors or []] == ["BAD_USER_INPUT"]
