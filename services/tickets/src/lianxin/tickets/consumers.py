"""Event consumer of the tickets service: keeps the local org-unit read model from people.v1."""

from __future__ import annotations

from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.consumer import EventConsumer
from lianxin.kit.settings import KitSettings
from lianxin.tickets.adapters.events import record_org_unit_from
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.commands import record_org_unit
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def on_org_unit_created(uow: TicketsUnitOfWork, env: Envelope, msg: Message) -> None:
    assert isinstance(msg, people_pb2.OrgUnitCreated)
    await record_org_unit(record_org_unit_from(msg), uow)


def people_consumer(settings: KitSettings,
                    sessions: async_sessionmaker[AsyncSession]) -> EventConsumer:
    return EventConsumer(
        settings, group_id="tickets", topics=["people.v1"],
        handlers={people_pb2.OrgUnitCreated.DESCRIPTOR.full_name: on_org_unit_created},
        uow_factory=lambda: TicketsUnitOfWork(sessions))
