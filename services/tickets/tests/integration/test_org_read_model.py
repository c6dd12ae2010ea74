"""The tickets service's copy of the org tree follows renames and moves from people.v1, and so
do the org paths of its tickets (scope and roll-ups depend on them)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2
from lianxin.kit.db import make_sessions
from lianxin.kit.settings import PiiConfig
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.common import SYSTEM_ACTOR
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.consumers import on_org_unit_moved, on_org_unit_renamed
from lianxin.tickets.domain.ticket import Channel
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, OTHER_TOWN, TOWN

pytestmark = pytest.mark.integration


async def apply(engine: AsyncEngine, pii: PiiConfig, handler: object, msg: Message) -> None:
    uow = TicketsUnitOfWork(make_sessions(engine), pii)
    async with uow:
        await handler(uow, None, msg)  # type: ignore[operator]
        await uow.commit()


async def test_rename_and_move_reach_units_and_tickets(seeded_engine: AsyncEngine,
                                                       pii: PiiConfig) -> None:
    village = uuid.UUID(int=20)
    uow = TicketsUnitOfWork(make_sessions(seeded_engine), pii)
    from lianxin.tickets.app.commands import RecordOrgUnit, record_org_unit
    from lianxin.tickets.domain.ticket import OrgUnitRef

    async with uow:
        await record_org_unit(RecordOrgUnit(OrgUnitRef(village, TOWN, "癸能村", "village",
                                                       (COUNTY, TOWN, village))), uow)
        await uow.commit()
    ticket_id = uuid.uuid4()
    await submit_ticket(SubmitTicket(ticket_id, Channel.HOTLINE, "water", "停水了",
                                     org_unit_id=village),
                        TicketsUnitOfWork(make_sessions(seeded_engine), pii), SYSTEM_ACTOR)

    await apply(seeded_engine, pii, on_org_unit_renamed,
                people_pb2.OrgUnitRenamed(org_unit_id=str(village), name="癸能新村"))
    await apply(seeded_engine, pii, on_org_unit_moved, people_pb2.OrgUnitMoved(
        org_unit_id=str(village), parent_id=str(OTHER_TOWN),
        path=[str(COUNTY), str(OTHER_TOWN), str(village)], old_path=[str(COUNTY), str(TOWN), str(village)]))

    async with seeded_engine.connect() as conn:
        unit = (await conn.execute(sa.text(
            "SELECT name, parent_id, path FROM org_unit_ref WHERE id = :id"), {"id": village})).one()
        ticket_path = (await conn.execute(sa.text(
            "SELECT org_path FROM ticket WHERE id = :id"), {"id": ticket_id})).scalar_one()
        untouched = (await conn.execute(sa.text(
            "SELECT path FROM org_unit_ref WHERE id = :id"), {"id": TOWN})).scalar_one()
    assert unit.name == "癸能新村" and unit.parent_id == OTHER_TOWN
    assert list(unit.path) == [COUNTY, OTHER_TOWN, village]
    assert list(ticket_path) == [COUNTY, OTHER_TOWN, village]
    assert list(untouched) == [COUNTY, TOWN]
