"""The tickets service's copies of cadres and pairings follow people.v1: each event is applied
once (a redelivery changes nothing), an ended pairing stays ended, and moves re-root them."""

from __future__ import annotations

import types
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2
from lianxin.kit.auth import SYSTEM
from lianxin.kit.db import make_sessions
from lianxin.kit.envelope import PendingEvent, wrap
from lianxin.kit.settings import KitSettings, PiiConfig
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.consumers import on_org_unit_moved, people_consumer
from lianxin.tickets.domain.people_refs import CadreRef, PairingRef
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, OTHER_TOWN, TOWN, VILLAGE, ticket

pytestmark = pytest.mark.integration
CADRE, PAIRING, POINT_PAIRING = uuid.UUID(int=700), uuid.UUID(int=600), uuid.UUID(int=601)
HOUSEHOLD = uuid.UUID(int=500)


def envelope(msg: Message, key: uuid.UUID) -> Any:
    """A Kafka record as the consumer receives it (value, and headers for the trace context)."""
    data = wrap(PendingEvent("pairing", str(key), 1, msg), SYSTEM).SerializeToString()
    return types.SimpleNamespace(value=data, topic="people.v1", partition=0, offset=0, headers=[])


@pytest.fixture
def consume(seeded_engine: AsyncEngine, pii: PiiConfig) -> Any:
    settings = KitSettings(
        environment="test", database_url="postgresql+asyncpg://unused/x",
        kafka_bootstrap="unused:9092", jwt_secret="s" * 32)
    consumer = people_consumer(settings, make_sessions(seeded_engine), pii)

    async def deliver(record: Any) -> None:
        await consumer._consume(record)  # the consumer's own dispatch and dedupe, minus Kafka

    return deliver


async def refs(engine: AsyncEngine, pii: PiiConfig) -> tuple[Any, Any, Any]:
    uow = TicketsUnitOfWork(make_sessions(engine), pii)
    async with uow:
        return (await uow.cadres.get(CADRE), await uow.cadres.by_subject("cadre-li"),
                await uow.pairings.get(PAIRING))


async def test_cadre_and_pairing_events_build_the_read_models_once(
        seeded_engine: AsyncEngine, pii: PiiConfig, consume: Any) -> None:
    cadre = envelope(people_pb2.CadreRegistered(
        cadre_id=str(CADRE), work_unit_id=str(TOWN), org_path=[str(COUNTY), str(TOWN)],
        subject="cadre-li", rank=people_pb2.CADRE_RANK_SECTION), CADRE)
    created = envelope(people_pb2.PairingCreated(
        pairing_id=str(PAIRING), cadre_id=str(CADRE), household_id=str(HOUSEHOLD),
        org_path=[str(COUNTY), str(TOWN), str(VILLAGE)], card_no="MJ-0001"), PAIRING)
    for record in (cadre, created, cadre, created):   # each delivered twice
        await consume(record)

    by_id, by_subject, pairing = await refs(seeded_engine, pii)
    assert by_id == by_subject == CadreRef(CADRE, "cadre-li", TOWN, (COUNTY, TOWN))
    assert pairing == PairingRef(PAIRING, CADRE, HOUSEHOLD, None, (COUNTY, TOWN, VILLAGE))
    assert pairing.active and pairing.place_id == VILLAGE
    async with seeded_engine.connect() as conn:
        assert (await conn.execute(sa.text(
            "SELECT count(*) FROM processed_event WHERE consumer = 'tickets'"))).scalar_one() == 2

    ended = envelope(people_pb2.PairingEnded(pairing_id=str(PAIRING), cadre_id=str(CADRE),
                                             household_id=str(HOUSEHOLD), reason="迁出"), PAIRING)
    await consume(ended)
    # A PairingCreated published again under a new event id does not revive the pairing.
    await consume(envelope(people_pb2.PairingCreated(
        pairing_id=str(PAIRING), cadre_id=str(CADRE), household_id=str(HOUSEHOLD),
        org_path=[str(COUNTY), str(TOWN), str(VILLAGE)]), PAIRING))
    assert (await refs(seeded_engine, pii))[2].active is False


async def test_contact_point_pairings_and_unknown_ends(
        seeded_engine: AsyncEngine, pii: PiiConfig, consume: Any) -> None:
    await consume(envelope(people_pb2.PairingEnded(pairing_id=str(uuid.UUID(int=999))),
                           uuid.UUID(int=999)))   # never seen: nothing to end, no failure
    await consume(envelope(people_pb2.PairingCreated(
        pairing_id=str(POINT_PAIRING), cadre_id=str(CADRE), contact_point_id=str(VILLAGE),
        org_path=[str(COUNTY), str(TOWN), str(VILLAGE)]), POINT_PAIRING))
    uow = TicketsUnitOfWork(make_sessions(seeded_engine), pii)
    async with uow:
        point = await uow.pairings.get(POINT_PAIRING)
        assert await uow.pairings.get(uuid.UUID(int=999)) is None
    assert point is not None and point.household_id is None
    assert (point.contact_point_id, point.place_id) == (VILLAGE, VILLAGE)


async def test_moves_reroot_cadres_and_pairings(seeded_engine: AsyncEngine, pii: PiiConfig,
                                                consume: Any) -> None:
    await consume(envelope(people_pb2.CadreRegistered(
        cadre_id=str(CADRE), work_unit_id=str(VILLAGE),
        org_path=[str(COUNTY), str(TOWN), str(VILLAGE)]), CADRE))
    await consume(envelope(people_pb2.PairingCreated(
        pairing_id=str(PAIRING), cadre_id=str(CADRE), household_id=str(HOUSEHOLD),
        org_path=[str(COUNTY), str(TOWN), str(VILLAGE)]), PAIRING))
    uow = TicketsUnitOfWork(make_sessions(seeded_engine), pii)
    async with uow:
        await on_org_unit_moved(uow, None, people_pb2.OrgUnitMoved(  # type: ignore[arg-type]
            org_unit_id=str(VILLAGE), parent_id=str(OTHER_TOWN),
            path=[str(COUNTY), str(OTHER_TOWN), str(VILLAGE)],
            old_path=[str(COUNTY), str(TOWN), str(VILLAGE)]))
        await uow.commit()
    cadre, by_subject, pairing = await refs(seeded_engine, pii)
    assert cadre.org_path == pairing.org_path == (COUNTY, OTHER_TOWN, VILLAGE)
    assert cadre.subject is None and by_subject is None   # registered without a login


async def test_a_logged_visit_links_the_tickets_it_names_once(
        seeded_engine: AsyncEngine, pii: PiiConfig, consume: Any) -> None:
    visit, other_visit = uuid.UUID(int=800), uuid.UUID(int=801)
    ids = [uuid.UUID(int=900 + i) for i in range(3)]
    uow = TicketsUnitOfWork(make_sessions(seeded_engine), pii)
    async with uow:
        for n, ticket_id in enumerate(ids):
            await uow.tickets.add(ticket(id=ticket_id, visit_id=other_visit if n == 2 else None))
        await uow.commit()
    logged = envelope(people_pb2.VisitLogged(
        visit_id=str(visit), ticket_ids=[str(i) for i in ids]), visit)
    await consume(logged)
    await consume(logged)
    async with seeded_engine.connect() as conn:
        rows = dict((await conn.execute(sa.text(
            "SELECT id, visit_id FROM ticket WHERE id = ANY(:ids)"), {"ids": ids})).all())
    # The two without a visit learn it; one already recorded on another visit keeps that.
    assert rows == {ids[0]: visit, ids[1]: visit, ids[2]: other_visit}
