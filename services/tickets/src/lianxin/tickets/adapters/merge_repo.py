"""SQL reads of merged tickets (并单): the followers of each master, so a master shows its
merged tickets and every follower's submitter hears the master's answer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from lianxin.kit.settings import PiiConfig
from lianxin.tickets.adapters.repository import TicketCodec
from lianxin.tickets.adapters.tables import ticket
from lianxin.tickets.domain.ticket import Status, Ticket
from sqlalchemy.ext.asyncio import AsyncSession


class SqlMergeReads:
    def __init__(self, session: AsyncSession, pii: PiiConfig) -> None:
        self._session = session
        self._codec = TicketCodec(pii)

    async def followers(self, master_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Ticket]]:
        out: dict[uuid.UUID, list[Ticket]] = {i: [] for i in master_ids}
        if master_ids:
            rows = await self._session.execute(
                sa.select(ticket).where(ticket.c.master_id.in_(list(master_ids)),
                                        ticket.c.status == Status.MERGED.value)
                .order_by(ticket.c.submitted_at, ticket.c.id))  # uses ix_ticket_master_id
            for row in rows.mappings():
                out[row["master_id"]].append(self._codec.ticket(row))
        return out
