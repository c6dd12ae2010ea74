"""Intake against the real database: codes per county, the acceptance deadline on the real
working-day calendar, the first history line, personal data sealed, and an event without it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.kit.db import make_sessions
from lianxin.kit.envelope import unwrap
from lianxin.kit.settings import PiiConfig
from lianxin.kit.tokens import card_qr_payload, sign_token
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.domain.errors import TicketIdConflict
from lianxin.tickets.domain.people_refs import PairingRef
from lianxin.tickets.domain.ticket import Channel, Contact, Kind, Ledger
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, TOWN, VILLAGE, FakeClock

pytestmark = pytest.mark.integration
PAIRING, HOUSEHOLD = uuid.UUID(int=600), uuid.UUID(int=500)
# Wednesday 30 September 2026, 10:00 in China: National Day (Oct 1–7) follows.
BEFORE_HOLIDAY = dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC)
CADRE = Actor(subject="cadre-li", role="cadre", org_scope=frozenset({TOWN}))


@pytest.fixture
def make(seeded_engine: AsyncEngine, pii: PiiConfig) -> Any:
    return lambda: TicketsUnitOfWork(make_sessions(seeded_engine), pii)


async def rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.text(sql), params)).all())


async def test_submit_stores_code_deadline_history_and_a_clean_event(
        seeded_engine: AsyncEngine, make: Any) -> None:
    cmd = SubmitTicket(uuid.uuid4(), Channel.HOME_VISIT, "water.supply", "村里自来水停了三天",
                       org_unit_id=VILLAGE, confidential=True,
                       contact=Contact(resident_id=uuid.UUID(int=800), name="李大姐",
                                       phone="138 1234 5678", address="玉溪村3组"))
    ticket = await submit_ticket(cmd, make(), CADRE, clock=FakeClock(BEFORE_HOLIDAY))
    assert ticket.code == "墨江县-2026-000001"
    # One working day after Sep 30 skips the holiday week: the end of Thursday Oct 8.
    assert ticket.accept_due is not None and not ticket.accept_due.provisional
    assert ticket.accept_due.at == dt.datetime(2026, 10, 8, 16, 0, tzinfo=dt.UTC)

    [stored] = await rows(seeded_engine, "SELECT * FROM ticket")
    assert b"13812345678" not in stored.contact_phone_enc and "李".encode() not in stored.contact_name_enc
    assert stored.requester_key == f"r:{uuid.UUID(int=800)}" and stored.recorded_by_staff
    [line] = await rows(seeded_engine, "SELECT * FROM ticket_history")
    assert (line.action, line.from_status, line.to_status, line.version) == (
        "submit", None, "received", 1)
    assert line.details == {"channel": "home_visit", "kind": "demand", "category": "water.supply"}

    [event] = await rows(seeded_engine, "SELECT envelope FROM outbox")
    env, payload = unwrap(event.envelope)
    assert env.occurred_at.ToDatetime(dt.UTC) == BEFORE_HOLIDAY
    assert (payload.code, payload.category, payload.text_length) == (
        ticket.code, "water.supply", len(cmd.text))
    assert payload.resident_id == "" and payload.confidential
    assert "李" not in str(payload) and "1234" not in str(payload)


async def test_conflicting_retry_writes_nothing_and_draws_no_number(
        seeded_engine: AsyncEngine, make: Any) -> None:
    cmd = SubmitTicket(uuid.uuid4(), Channel.HOTLINE, "road.light", "路灯坏了", org_unit_id=TOWN,
                       kind=Kind.STABILITY_RISK)
    first = await submit_ticket(cmd, make(), CADRE, clock=FakeClock(BEFORE_HOLIDAY))
    assert first.ledger is Ledger.STABILITY_RISK
    assert await submit_ticket(cmd, make(), CADRE) == first
    with pytest.raises(TicketIdConflict):
        await submit_ticket(SubmitTicket(cmd.id, Channel.HOTLINE, "road.light", "路灯坏了",
                                         org_unit_id=VILLAGE), make(), CADRE)
    assert [r.last for r in await rows(seeded_engine, "SELECT last FROM ticket_code_counter")] == [1]
    assert len(await rows(seeded_engine, "SELECT 1 FROM outbox")) == 1


async def test_contact_card_links_pairing_household_and_place(
        seeded_engine: AsyncEngine, make: Any, pii: PiiConfig) -> None:
    uow = make()
    async with uow:
        await uow.pairings.upsert(PairingRef(PAIRING, uuid.UUID(int=700), HOUSEHOLD, None,
                                             (COUNTY, TOWN, VILLAGE)))
        await uow.commit()
    now = dt.datetime.now(dt.UTC)
    qr = card_qr_payload(sign_token(pii.link_token_secret, "contact-card", str(PAIRING),
                                    ttl_seconds=600, now=int(now.timestamp())))
    resident = Actor(subject=str(uuid.UUID(int=801)), role="resident")
    ticket = await submit_ticket(SubmitTicket(uuid.uuid4(), Channel.MINI_PROGRAM, "water",
                                              "家门口的水管爆了", pairing_token=qr),
                                 make(), resident, clock=FakeClock(now))
    [stored] = await rows(seeded_engine, "SELECT * FROM ticket WHERE id = :id", id=ticket.id)
    assert (stored.org_unit_id, stored.pairing_id, stored.household_id, stored.resident_id) == (
        VILLAGE, PAIRING, HOUSEHOLD, uuid.UUID(int=801))
    assert list(stored.org_path) == [COUNTY, TOWN, VILLAGE] and not stored.recorded_by_staff


async def test_photo_references_are_stored_and_only_counted_in_the_event(
        seeded_engine: AsyncEngine, make: Any) -> None:
    photos = ("cloud://prod-1a2b/tickets/leak.jpg", "https://files.mojiang.gov.cn/t/leak-2.jpg")
    cmd = SubmitTicket(uuid.uuid4(), Channel.APP, "water.supply", "水管爆了", org_unit_id=VILLAGE,
                       photos=photos)
    ticket = await submit_ticket(cmd, make(), CADRE, clock=FakeClock(BEFORE_HOLIDAY))
    [stored] = await rows(seeded_engine, "SELECT photos FROM ticket")
    assert stored.photos == list(photos)
    uow = make()
    async with uow:
        [loaded] = await uow.tickets.get_many([ticket.id])
    assert loaded.photos == photos
    [event] = await rows(seeded_engine, "SELECT envelope FROM outbox")
    _, payload = unwrap(event.envelope)
    assert payload.photo_count == 2
    assert b"leak" not in payload.SerializeToString()
