"""submitTicket through the subgraph: a resident scanning a contact card, a cadre recording a
demand with the resident's contact, and cards that no longer open a demand."""

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
from tickets_helpers import COUNTY, TOWN, VILLAGE, single

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
