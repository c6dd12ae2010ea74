"""Event consumer of the tickets service: keeps the local org-unit read model from people.v1."""

from __future__ import annotations

import uuid

from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.consumer import EventConsumer
from lianxin.kit.settings import KitSettings
from lianxin.tickets.adapters.events import record_org_unit_from
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.commands import (
    MoveOrgUnitRef,
    RenameOrgUnitRef,
    move_org_unit_ref,
    record_org_unit,
    rename_org_unit_ref,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def on_org_unit_created(uow: TicketsUnitOfWork, env: Envelope, msg: Message) -> None:
    assert isinstance(msg, people_pb2.OrgUnitCreated)
    await record_org_unit(record_org_unit_from(msg), uow)


async def on_org_unit_renamed(uow: TicketsUnitOfWork, env: Envelope, msg: Message) -> None:
    assert isinstance(msg, people_pb2.OrgUnitRenamed)
    await rename_org_unit_ref(RenameOrgUnitRef(uuid.UUID(msg.org_unit_id), msg.name), uow)


async def on_org_unit_moved(uow: TicketsUnitOfWork, env: Envelope, msg: Message) -> None:
    assert isinstance(msg, people_pb2.OrgUnitMoved)
    await move_org_unit_ref(MoveOrgUnitRef(
        uuid.UUID(msg.org_unit_id), uuid.UUID(msg.parent_id) if msg.parent_id else None,
        tuple(uuid.UUID(p) for p in msg.path), tuple(uuid.UUID(p) for p in msg.old_path)), uow)


def people_consumer(settings: KitSettings,
                    sessions: async_sessionmaker[AsyncSession]) -> EventConsumer:
    return EventConsumer(
        settings, group_id="tickets", topics=["people.v1"],
        handlers={people_pb2.OrgUnitCreated.DESCRIPTOR.full_name: on_org_unit_created,
                  people_pb2.OrgUnitRenamed.DESCRIPTOR.full_name: on_org_unit_renamed,
                  people_pb2.OrgUnitMoved.DESCRIPTOR.full_name: on_org_unit_moved},
        uow_factory=lambda: TicketsUnitOfWork(sessions))
