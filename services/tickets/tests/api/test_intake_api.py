"""submitTicket through the subgraph: a resident scanning a contact card, a cadre recording a
demand with the resident's contact, cards that no longer open a demand, and photo references."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.kit.db import make_sessions
from lianxin.kit.settings import PiiConfig
from lianxin.kit.tokens import card_qr_payload, sign_token
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.domain.people_refs import PairingRef
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, OTHER_TOWN, TOWN, VILLAGE, single

pytestmark = pytest.mark.integration
PAIRING, ENDED, HOUSEHOLD = uuid.UUID(int=600), uuid.UUID(int=601), uuid.UUID(int=500)
RESIDENT = str(uuid.UUID(int=800))
SUBMIT = """mutation($i: SubmitTicketInput!) { submitTicket(input: $i) {
  __typename ... on Ticket { id status code categoryCode orgUnit { id } }
  ... on UserError { code field message } } }"""


@pytest.fixture
async def engine(seeded_engine: AsyncEngine, pii: PiiConfig) -> AsyncEngine:
    uow = TicketsUnitOfWork(make_sessions(seeded_engine), pii)
    async with uow:
        for pairing_id, active in ((PAIRING, True), (ENDED, False)):
            await uow.pairings.upsert(PairingRef(pairing_id, uuid.UUID(int=700), HOUSEHOLD, None,
                                                 (COUNTY, TOWN, VILLAGE), active))
        await uow.commit()
    return seeded_engine


def card(pii: PiiConfig, pairing: uuid.UUID) -> str:
    return card_qr_payload(sign_token(pii.link_token_secret, "contact-card", str(pairing),
                                      ttl_seconds=3600, now=int(time.time())))


async def submit(ctx: Any, **fields: Any) -> Any:
    data = {"id": str(uuid.uuid4()), "channel": "MINI_PROGRAM", "category": "water.supply",
            "text": "我们村停水三天了", **fields}
    return await single(ctx, SUBMIT, i=data)


async def stored(engine: AsyncEngine, ticket_id: str) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text("SELECT * FROM ticket WHERE id = :id"),
                                   {"id": uuid.UUID(ticket_id)})).one()


async def test_resident_scans_a_card_and_the_demand_lands_at_the_household(
        engine: AsyncEngine, graphql_context: Any, pii: PiiConfig) -> None:
    me = graphql_context(engine, role="resident", subject=RESIDENT)
    got = await submit(me, pairingToken=card(pii, PAIRING))
    assert got["__typename"] == "Ticket" and got["orgUnit"] == {"id": str(VILLAGE)}
    row = await stored(engine, got["id"])
    assert (row.pairing_id, row.household_id, str(row.resident_id)) == (PAIRING, HOUSEHOLD,
                                                                        RESIDENT)
    assert row.code.startswith("墨江县-") and row.code.endswith("-000001")


async def test_ended_or_foreign_cards_are_invalid_input(
        engine: AsyncEngine, graphql_context: Any, pii: PiiConfig) -> None:
    me = graphql_context(engine, role="resident", subject=RESIDENT)
    ended = await submit(me, pairingToken=card(pii, ENDED))
    assert (ended["__typename"], ended["code"], ended["field"]) == (
        "InvalidInputError", "INVALID_TOKEN", "pairingToken")
    forged = card_qr_payload(sign_token("forged-" + "f" * 32, "contact-card", str(PAIRING),
                                        ttl_seconds=60))
    assert (await submit(me, pairingToken=forged))["code"] == "INVALID_TOKEN"
    no_place = await submit(me)
    assert (no_place["code"], no_place["field"]) == ("BAD_USER_INPUT", "orgUnitId")


async def test_cadre_records_a_demand_with_the_residents_contact(
        engine: AsyncEngine, graphql_context: Any) -> None:
    cadre = graphql_context(engine, role="cadre", org_scope=(str(TOWN),), subject="cadre-li")
    got = await submit(cadre, orgUnitId=str(VILLAGE), channel="HOME_VISIT", kind="HELP",
                       urgency="URGENT", latitude=23.43, longitude=101.68,
                       contact={"name": "李大姐", "phone": "+86 138 1234 5678",
                                "householdId": str(HOUSEHOLD)})
    assert got["__typename"] == "Ticket" and got["status"] == "RECEIVED"
    row = await stored(engine, got["id"])
    assert (row.kind, row.urgency, row.ledger, row.channel) == ("help", "urgent", "livelihood",
                                                                "home_visit")
    assert row.recorded_by_staff and row.submitted_by == "cadre-li" and row.resident_id is None
    assert row.requester_key.startswith("p:") and b"138" not in row.contact_phone_enc
    bad = await submit(cadre, orgUnitId=str(VILLAGE), latitude=123.0, longitude=101.68)
    assert (bad["code"], bad["field"]) == ("BAD_USER_INPUT", "latitude")
    bad_id = await submit(cadre, orgUnitId=str(VILLAGE), contact={"householdId": "h-1"})
    assert bad_id["field"] == "contact.householdId"


# --- photo references ---------------------------------------------------------------------------
CLOUD = "cloud://prod-1a2b.7072-prod-1a2b-1300000000/tickets/leak.jpg"
HTTPS = "https://files.mojiang.gov.cn/tickets/2026/leak-2.jpg"
WITH_PHOTOS = """mutation($i: SubmitTicketInput!) { submitTicket(input: $i) {
  __typename ... on Ticket { id photos } ... on UserError { code field message } } }"""
READ = "query($id: ID!) { ticket(id: $id) { id photos } }"


async def test_photos_are_kept_in_order_and_shown_to_whoever_sees_the_ticket(
        engine: AsyncEngine, graphql_context: Any, pii: PiiConfig) -> None:
    me = graphql_context(engine, role="resident", subject=RESIDENT)
    data = {"id": str(uuid.uuid4()), "channel": "MINI_PROGRAM", "category": "water.supply",
            "text": "水管爆了", "pairingToken": card(pii, PAIRING), "photos": [HTTPS, CLOUD]}
    got = await single(me, WITH_PHOTOS, i=data)
    assert got == {"__typename": "Ticket", "id": data["id"], "photos": [HTTPS, CLOUD]}
    assert (await stored(engine, got["id"])).photos == [HTTPS, CLOUD]
    cadre = graphql_context(engine, role="cadre", org_scope=(str(TOWN),), subject="cadre-li")
    for caller in (me, cadre):
        assert await single(caller, READ, id=got["id"]) == {"id": got["id"],
                                                            "photos": [HTTPS, CLOUD]}
    elsewhere = graphql_context(engine, role="cadre", org_scope=(str(OTHER_TOWN),))
    assert await single(elsewhere, READ, id=got["id"]) is None
    plain = await submit(me, pairingToken=card(pii, PAIRING))
    assert await single(me, READ, id=plain["id"]) == {"id": plain["id"], "photos": []}


async def test_a_retry_with_the_same_photos_is_one_ticket_other_photos_a_conflict(
        engine: AsyncEngine, graphql_context: Any, pii: PiiConfig) -> None:
    me = graphql_context(engine, role="resident", subject=RESIDENT)
    data = {"id": str(uuid.uuid4()), "channel": "MINI_PROGRAM", "category": "water.supply",
            "text": "水管爆了", "pairingToken": card(pii, PAIRING), "photos": [CLOUD, HTTPS]}
    first = await single(me, WITH_PHOTOS, i=data)
    assert await single(me, WITH_PHOTOS, i=data) == first
    other = await single(me, WITH_PHOTOS, i={**data, "photos": [CLOUD]})
    assert (other["__typename"], other["code"], other["field"]) == (
        "ConflictError", "CONFLICT", "id")
    async with engine.connect() as conn:
        count = await conn.execute(sa.text("SELECT count(*) FROM ticket WHERE id = :id"),
                                   {"id": uuid.UUID(data["id"])})
        assert count.scalar_one() == 1
    assert (await stored(engine, data["id"])).photos == [CLOUD, HTTPS]


async def test_a_bad_photo_reference_is_invalid_input_naming_it(
        engine: AsyncEngine, graphql_context: Any) -> None:
    cadre = graphql_context(engine, role="cadre", org_scope=(str(TOWN),), subject="cadre-li")
    data = {"id": str(uuid.uuid4()), "channel": "APP", "category": "water.supply",
            "text": "水管爆了", "orgUnitId": str(VILLAGE),
            "photos": [CLOUD, HTTPS, "wxfile://tmp_8f2c.jpg"]}
    bad = await single(cadre, WITH_PHOTOS, i=data)
    assert (bad["__typename"], bad["code"], bad["field"]) == (
        "InvalidInputError", "BAD_USER_INPUT", "photos[2]")
    assert "wx.cloud.uploadFile" in bad["message"]
    too_many = await single(cadre, WITH_PHOTOS, i={
        **data, "photos": [f"cloud://env-1/t/{n}.jpg" for n in range(10)]})
    assert (too_many["field"], too_many["code"]) == ("photos", "BAD_USER_INPUT")
    async with engine.connect() as conn:
        count = await conn.execute(sa.text("SELECT count(*) FROM ticket WHERE id = :id"),
                                   {"id": uuid.UUID(data["id"])})
        assert count.scalar_one() == 0
