"""Event consumer of the assessment service: projects people.v1 and tickets.v1 in batches.

Each fetched batch is one transaction (kit EventConsumer in batch mode): claimed in
`proj.event`, projected (app/projection.py), and committed with a NOTIFY of the org units
whose figures changed. Only the types the projections read are claimed: every people.v1
type (the people read models decide what they keep) and the ticket and whistle events the
figures depend on.
"""

from __future__ import annotations

from google.protobuf.message import Message
from lianxin.assessment.adapters.decode import FOLDED_TYPES
from lianxin.assessment.adapters.uow import AssessmentUnitOfWork
from lianxin.assessment.app.projection import project
from lianxin.events.v1 import people_pb2
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.consumer import EventConsumer
from lianxin.kit.settings import KitSettings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

GROUP_ID = "assessment"
TOPICS = ["people.v1", "tickets.v1"]
PEOPLE_TYPES = frozenset(m.full_name for m in people_pb2.DESCRIPTOR.message_types_by_name.values())
INTERESTING = PEOPLE_TYPES | FOLDED_TYPES


async def project_batch(uow: AssessmentUnitOfWork, items: list[tuple[Envelope, Message]]) -> None:
    """The batch handler: project, and name the changed org units for the commit's NOTIFY."""
    projected = await project(uow, items)
    uow.changed(projected.units)


def projection_consumer(settings: KitSettings, sessions: async_sessionmaker[AsyncSession],
                        topics: list[str] | None = None,
                        group_id: str = GROUP_ID) -> EventConsumer:
    """The live projection; `topics` and `group_id` only change in tests."""
    return EventConsumer(
        settings, group_id=group_id, topics=topics or TOPICS, batch_handler=project_batch,
        interested=INTERESTING.__contains__, uow_factory=lambda: AssessmentUnitOfWork(sessions))
