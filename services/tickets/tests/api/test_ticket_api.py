"""The tickets subgraph through `schema.execute`, against a real migrated database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, OTHER_TOWN, TOWN, execute

pytestmark = pytest.mark.integration
SUBMIT = """mutation($input: SubmitTicketInput!) { submitTicket(input: $input) {
  __typename ... on Ticket { id status channel categoryCode text orgUnit { id } }
  ... on UserError { code field } } }"""


@pytest.fixture
def engine(seeded_engine: AsyncEngine) -> AsyncEngine:
    return seeded_engine


def ticket_input(**kw: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "orgUnitId": str(TOWN), "channel": "MINI_PROGRAM",
            "category": "water", "text": "我们村停水三天了", **kw}


async def test_resident_submits_retries_and_reads_only_their_own(
        engine: AsyncEngine, graphql_context: Any) -> None:
    me = graphql_context(engine, role="resident", subject="resident-1")
    data = ticket_input()
    first = await execute(me, SUBMIT, input=data)
    retry = await execute(me, SUBMIT, input=data)
    assert first.errors is None and retry.data == first.data
    assert first.data["submitTicket"]["__typename"] == "Ticket"
    assert first.data["submitTicket"]["status"] == "RECEIVED"
    conflict = await execute(me, SUBMIT, input={**data, "text": "路灯坏了"})
    assert conflict.data["submitTicket"] == {"__typename": "ConflictError", "code": "CONFLICT",
                                             "field": "id"}
    read = "query($id: ID!) { ticket(id: $id) { text } }"
    assert (await execute(me, read, id=data["id"])).data == {"ticket": {"text": "我们村停水三天了"}}
    other = graphql_context(engine, role="resident", subject="resident-2")
    assert (await execute(other, read, id=data["id"])).data == {"ticket": None}
    entities = await execute(other, """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Ticket { text } } }""", r=[{"__typename": "Ticket", "id": data["id"]}])
    assert entities.data == {"_entities": [None]}
    async with engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM outbox"))).scalar_one() == 1


@pytest.mark.parametrize(("overrides", "result"), [
    ({"orgUnitId": str(uuid.UUID(int=404))}, ("NotFoundError", "UNKNOWN_ORG_UNIT", "orgUnitId")),
    ({"orgUnitId": "12"}, ("InvalidInputError", "BAD_USER_INPUT", "orgUnitId")),
    ({"id": "abc"}, ("InvalidInputError", "BAD_USER_INPUT", "id")),
    ({"text": " "}, ("InvalidInputError", "BAD_USER_INPUT", "text")),
    ({"category": "weather"}, ("InvalidInputError", "BAD_USER_INPUT", "category")),
    ({"contact": {"phone": "12345"}}, ("InvalidInputError", "BAD_USER_INPUT", "contact.phone")),
    ({"pairingToken": "not-a-card"}, ("InvalidInputError", "INVALID_TOKEN", "pairingToken")),
])
async def test_bad_submissions_get_typed_errors_and_write_nothing(
        engine: AsyncEngine, graphql_context: Any, overrides: dict[str, Any],
        result: tuple[str, str, str]) -> None:
    cadre = graphql_context(engine, role="cadre", org_scope=(str(TOWN),))
    answer = await execute(cadre, SUBMIT, input=ticket_input(**overrides))
    assert answer.errors is None
    got = answer.data["submitTicket"]
    assert (got["__typename"], got["code"], got["field"]) == result
    await nothing_written(engine)


@pytest.mark.parametrize(("overrides", "role", "code"), [
    ({"channel": "CARRIER_PIGEON"}, "cadre", "GRAPHQL_VALIDATION_FAILED"),
    ({"orgUnitId": str(OTHER_TOWN)}, "cadre", "FORBIDDEN"),  # outside the cadre's scope
    ({}, "analyst", "FORBIDDEN"),
])
async def test_refused_submissions_are_graphql_errors(
        engine: AsyncEngine, graphql_context: Any, overrides: dict[str, str], role: str,
        code: str) -> None:
    caller = graphql_context(engine, role=role, org_scope=(str(TOWN),))
    answer = await execute(caller, SUBMIT, input=ticket_input(**overrides))
    assert [e.extensions["code"] for e in answer.errors or []] == [code]
    await nothing_written(engine)


async def nothing_written(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        counts = (await conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM ticket), (SELECT count(*) FROM outbox)"))).one()
    assert tuple(counts) == (0, 0)


async def test_org_unit_tickets_cover_the_subtree_newest_first(
        engine: AsyncEngine, graphql_context: Any) -> None:
    admin = graphql_context(engine)
    for text, unit in (("一", TOWN), ("二", OTHER_TOWN), ("三", TOWN)):
        submitted = await execute(admin, SUBMIT, input=ticket_input(text=text, orgUnitId=str(unit)))
        assert submitted.errors is None
    result = await execute(admin, """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on OrgUnit { tickets(first: 10) { nodes { text } } } } }""",
                       r=[{"__typename": "OrgUnit", "id": str(COUNTY)},
                          {"__typename": "OrgUnit", "id": str(TOWN)}])
    assert result.errors is None
    texts = [[t["text"] for t in e["tickets"]["nodes"]] for e in result.data["_entities"]]
    assert texts == [["三", "二", "一"], ["三", "一"]]
    too_many = await execute(admin, """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on OrgUnit { tickets(first: 1000) { nodes { text } } } } }""",
                         r=[{"__typename": "OrgUnit", "id": str(COUNTY)}])
    assert [e.extensions["code"] for e in too_many.errors or []] == ["BAD_USER_INPUT"]
