"""Projection handlers; each runs inside the consumer's unit of work, which commits the
effect together with the processed-event row (so a redelivery changes nothing)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from lianxin.assessment.app.ports import UnitOfWork
from lianxin.assessment.domain.rollup import rollup_targets


@dataclass(frozen=True, slots=True)
class CountSubmittedTicket:
    ticket_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]


async def count_submitted_ticket(cmd: CountSubmittedTicket, uow: UnitOfWork) -> None:
    await uow.ticket_counts.increment(rollup_targets(cmd.org_path))


async def ticket_counts(uow: UnitOfWork, org_ids: Sequence[uuid.UUID]) -> list[int]:
    """Tickets submitted at or below each unit, in the order of `org_ids` (0 when none)."""
    async with uow:
        found = await uow.ticket_counts.counts(org_ids)
    return [found.get(i, 0) for i in org_ids]
