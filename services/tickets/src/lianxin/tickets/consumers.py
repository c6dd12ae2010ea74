"""Event consumer of the tickets service: keeps the local read models of org units, cadres and
pairings from people.v1. Every handler is an upsert, so a redelivery changes nothing."""

from __future__ import annotations

import uuid

from google.protobuf.message import Message
from lianxin.events.v1 import people_pb2
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.consumer import EventConsumer
from lianxin.kit.settings import KitSettings, PiiConfig
from lianxin.tickets.adapters.events import record_org_unit_from
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.commands import (
    EndPairing,
    LinkVisit,
    MoveOrgUnitRef,
    RecordCadre,
    RecordPairing,
    RenameOrgUnitRef,
    end_pairing,
    link_visit,
    move_org_unit_ref,
    record_cadre,
    record_org_unit,
    record_pairing,
    rename_org_unit_ref,
)
from lianxin.tickets.domain.people_refs import CadreRef, PairingRef
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


def _opt_id(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


async def on_cadre_registered(uow: TicketsUnitOfWork, env: Envelope, msg: Message) -> None:
    assert isinstance(msg, people_pb2.CadreRegistered)
    await record_cadre(RecordCadre(CadreRef(
        id=uuid.UUID(msg.cadre_id), subject=msg.subject or None,
        work_unit_id=uuid.UUID(msg.work_unit_id),
        org_path=tuple(uuid.UUID(p) for p in msg.org_path))), uow)


async def on_pairing_created(uow: TicketsUnitOfWork, env: Envelope, msg: Message) -> None:
    assert isinstance(msg, people_pb2.PairingCreated)
    await record_pairing(RecordPairing(PairingRef(
        id=uuid.UUID(msg.pairing_id), cadre_id=uuid.UUID(msg.cadre_id),
        household_id=_opt_id(msg.household_id), contact_point_id=_opt_id(msg.contact_point_id),
        org_path=tuple(uuid.UUID(p) for p in msg.org_path))), uow)


async def on_pairing_ended(uow: TicketsUnitOfWork, env: Envelope, msg: Message) -> None:
    assert isinstance(msg, people_pb2.PairingEnded)
    await end_pairing(EndPairing(uuid.UUID(msg.pairing_id)), uow)


async def on_visit_logged(uow: TicketsUnitOfWork, env: Envelope, msg: Message) -> None:
    assert isinstance(msg, people_pb2.VisitLogged)
    await link_visit(LinkVisit(uuid.UUID(msg.visit_id),
                               tuple(uuid.UUID(t) for t in msg.ticket_ids)), uow)


# The people events the tickets read model is built from (the others are not claimed).
HANDLERS = {people_pb2.OrgUnitCreated.DESCRIPTOR.full_name: on_org_unit_created,
            people_pb2.OrgUnitRenamed.DESCRIPTOR.full_name: on_org_unit_renamed,
            people_pb2.OrgUnitMoved.DESCRIPTOR.full_name: on_org_unit_moved,
            people_pb2.CadreRegistered.DESCRIPTOR.full_name: on_cadre_registered,
            people_pb2.PairingCreated.DESCRIPTOR.full_name: on_pairing_created,
            people_pb2.PairingEnded.DESCRIPTOR.full_name: on_pairing_ended,
            people_pb2.VisitLogged.DESCRIPTOR.full_name: on_visit_logged}
GROUP_ID = "tickets"


def people_consumer(settings: KitSettings, sessions: async_sessionmaker[AsyncSession],
                    pii: PiiConfig) -> EventConsumer:
    return EventConsumer(settings, group_id=GROUP_ID, topics=["people.v1"], handlers=HANDLERS,
                         uow_factory=lambda: TicketsUnitOfWork(sessions, pii))
