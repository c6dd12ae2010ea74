"""SQL repository: extension requests (延期) on a ticket's handle deadline.

Requests change only inside their ticket's transition, under the ticket's row lock; the row
lock taken here also keeps two deciders of one request apart."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.tickets.adapters.tables import extension
from lianxin.tickets.domain.errors import NotFound
from lianxin.tickets.domain.sla import Extension, ExtensionStatus
from sqlalchemy.ext.asyncio import AsyncSession


def _extension(row: sa.RowMapping) -> Extension:
    return Extension(
        id=row["id"], ticket_id=row["ticket_id"], working_days=row["working_days"],
        reason=row["reason"], requested_at=row["requested_at"], requested_by=row["requested_by"],
        status=ExtensionStatus(row["status"]), decided_at=row["decided_at"],
        decided_by=row["decided_by"], decision_note=row["decision_note"])


def _values(e: Extension) -> dict[str, Any]:
    return {"id": e.id, "ticket_id": e.ticket_id, "working_days": e.working_days,
            "reason": e.reason, "requested_at": e.requested_at, "requested_by": e.requested_by,
            "status": e.status.value, "decided_at": e.decided_at, "decided_by": e.decided_by,
            "decision_note": e.decision_note}


class SqlExtensions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, e: Extension) -> None:
        await self._session.execute(sa.insert(extension).values(**_values(e)))

    async def get_for_update(self, extension_id: uuid.UUID) -> Extension | None:
        row = (await self._session.execute(
            sa.select(extension).where(extension.c.id == extension_id).with_for_update())
        ).mappings().first()
        return _extension(row) if row is not None else None

    async def save(self, e: Extension) -> None:
        values = _values(e)
        del values["id"], values["ticket_id"]
        result = await self._session.execute(
            sa.update(extension).where(extension.c.id == e.id).values(**values))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound(f"extension request {e.id} does not exist", field="extensionId")

    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]
                          ) -> dict[uuid.UUID, list[Extension]]:
        out: dict[uuid.UUID, list[Extension]] = {i: [] for i in ticket_ids}
        if ticket_ids:
            rows = await self._session.execute(
                sa.select(extension).where(extension.c.ticket_id.in_(list(ticket_ids)))
                .order_by(extension.c.requested_at, extension.c.id))
            for row in rows.mappings():
                out[row["ticket_id"]].append(_extension(row))
        return out
