"""SQL repositories of the assessment service."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from lianxin.assessment.adapters.tables import org_unit_ticket_count as counts
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


class SqlTicketCountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def increment(self, org_ids: Sequence[uuid.UUID], by: int = 1) -> None:
        if not org_ids:
            return
        # Sorted ids: concurrent consumers lock rows in one order, so they cannot deadlock.
        stmt = insert(counts).values([{"org_unit_id": i, "ticket_count": by}
                                      for i in sorted(org_ids)])
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=[counts.c.org_unit_id],
            set_={"ticket_count": counts.c.ticket_count + stmt.excluded.ticket_count,
                  "updated_at": sa.func.now()}))

    async def counts(self, org_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not org_ids:
            return {}
        rows = await self._session.execute(
            sa.select(counts.c.org_unit_id, counts.c.ticket_count)
            .where(counts.c.org_unit_id.in_(list(org_ids))))
        return {r.org_unit_id: r.ticket_count for r in rows}
