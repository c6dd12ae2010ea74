"""SQL repositories of the tickets service."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from lianxin.kit.paths import reroot
from lianxin.tickets.adapters.tables import org_unit_ref, ticket
from lianxin.tickets.domain.ticket import Channel, OrgUnitRef, Status, Ticket
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def _ticket(row: sa.RowMapping) -> Ticket:
    return Ticket(id=row["id"], org_unit_id=row["org_unit_id"], org_path=tuple(row["org_path"]),
                  channel=Channel(row["channel"]), category=row["category"], text=row["text"],
                  submitted_by=row["submitted_by"], submitted_at=row["submitted_at"],
                  status=Status(row["status"]), version=row["version"])


# Newest tickets in each root's subtree; `org_path @> ARRAY[root]` uses the GIN index.
_NEWEST_UNDER = sa.text(
    "SELECT r.root, t.* FROM unnest(CAST(:ids AS uuid[])) AS r(root) "
    "CROSS JOIN LATERAL (SELECT * FROM ticket WHERE org_path @> ARRAY[r.root] "
    "ORDER BY submitted_at DESC, id LIMIT :n) AS t"
)


class SqlTicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Ticket]:
        if not ids:
            return []
        rows = await self._session.execute(sa.select(ticket).where(ticket.c.id.in_(list(ids))))
        return [_ticket(r) for r in rows.mappings()]

    async def add(self, t: Ticket) -> bool:
        # ON CONFLICT waits for a concurrent insert of the same id to commit, then skips it.
        stmt = insert(ticket).values(
            id=t.id, org_unit_id=t.org_unit_id, org_path=list(t.org_path), channel=t.channel.value,
            category=t.category, text=t.text, submitted_by=t.submitted_by,
            submitted_at=t.submitted_at, status=t.status.value, version=t.version)
        result = await self._session.execute(stmt.on_conflict_do_nothing().returning(ticket.c.id))
        return result.first() is not None

    async def in_subtrees(self, org_ids: Sequence[uuid.UUID],
                          limit: int) -> dict[uuid.UUID, list[Ticket]]:
        if not org_ids:
            return {}
        rows = await self._session.execute(_NEWEST_UNDER, {"ids": list(org_ids), "n": limit})
        out: dict[uuid.UUID, list[Ticket]] = {}
        for r in rows.mappings():
            out.setdefault(r["root"], []).append(_ticket(r))
        return out


class SqlOrgUnitRefRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, unit_id: uuid.UUID) -> OrgUnitRef | None:
        row = (await self._session.execute(
            sa.select(org_unit_ref).where(org_unit_ref.c.id == unit_id))).first()
        if row is None:
            return None
        return OrgUnitRef(id=row.id, parent_id=row.parent_id, name=row.name, kind=row.kind,
                          path=tuple(row.path))

    async def upsert(self, unit: OrgUnitRef) -> None:
        values = {"id": unit.id, "parent_id": unit.parent_id, "name": unit.name,
                  "kind": unit.kind, "path": list(unit.path)}
        stmt = insert(org_unit_ref).values(**values)
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=[org_unit_ref.c.id], set_={k: v for k, v in values.items() if k != "id"}))

    async def rename(self, unit_id: uuid.UUID, name: str) -> None:
        await self._session.execute(sa.update(org_unit_ref).where(org_unit_ref.c.id == unit_id)
                                    .values(name=name))

    async def move(self, unit_id: uuid.UUID, parent_id: uuid.UUID | None,
                   path: Sequence[uuid.UUID], old_path: Sequence[uuid.UUID]) -> None:
        """Re-root the unit's subtree here and in the tickets' copied paths (scope and
        roll-ups follow the move)."""
        await self._session.execute(sa.update(org_unit_ref).where(org_unit_ref.c.id == unit_id)
                                    .values(parent_id=parent_id))
        for table, column in (("org_unit_ref", "path"), ("ticket", "org_path")):
            await reroot(self._session, table, column, unit_id, path, old_path)
