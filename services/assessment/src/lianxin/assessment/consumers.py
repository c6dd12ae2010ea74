"""Event consumer of the assessment service: projects tickets.v1 (and later people.v1)."""

from __future__ import annotations

import uuid

from google.protobuf.message import Message
from lianxin.assessment.adapters.uow import AssessmentUnitOfWork
from lianxin.assessment.app.projections import CountSubmittedTicket, count_submitted_ticket
from lianxin.events.v1 import tickets_pb2
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.consumer import EventConsumer
from lianxin.kit.settings import KitSettings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def on_ticket_submitted(uow: AssessmentUnitOfWork, env: Envelope, msg: Message) -> None:
    assert isinstance(msg, tickets_pb2.TicketSubmitted)
    cmd = CountSubmittedTicket(ticket_id=uuid.UUID(msg.ticket_id),
                               org_path=tuple(uuid.UUID(p) for p in msg.org_path))
    await count_submitted_ticket(cmd, uow)


def projection_consumer(settings: KitSettings,
                        sessions: async_sessionmaker[AsyncSession]) -> EventConsumer:
    return EventConsumer(
        settings, group_id="assessment", topics=["people.v1", "tickets.v1"],
        handlers={tickets_pb2.TicketSubmitted.DESCRIPTOR.full_name: on_ticket_submitted},
        uow_factory=lambda: AssessmentUnitOfWork(sessions))
