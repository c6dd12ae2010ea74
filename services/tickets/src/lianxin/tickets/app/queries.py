"""Read use cases."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.ticket import Ticket


async def tickets_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[Ticket | None]:
    async with uow:
        found = {t.id: t for t in await uow.tickets.get_many(ids)}
    return [found.get(i) for i in ids]


async def tickets_under(uow: UnitOfWork, org_ids: Sequence[uuid.UUID],
                        limit: int) -> list[list[Ticket]]:
    """Newest tickets in each org unit's subtree, `limit` per unit."""
    async with uow:
        found = await uow.tickets.in_subtrees(org_ids, limit)
    return [found.get(i, []) for i in org_ids]
