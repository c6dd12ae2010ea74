"""SQL repository for the organisation tree, with its change history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from lianxin.kit.paths import reroot
from lianxin.people.adapters.tables import org_unit, org_unit_change
from lianxin.people.domain import OrgUnit, OrgUnitKind, OrgUnitSubkind
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

# Every table holding a copy of an org path: a move rewrites them all in its transaction.
PATH_COLUMNS = (("org_unit", "path"), ("household", "org_path"), ("resident", "org_path"),
                ("cadre", "org_path"), ("campaign", "org_path"), ("pairing", "org_path"),
                ("visit", "org_path"))


def _to_domain(row: sa.Row) -> OrgUnit:
    return OrgUnit(id=row.id, parent_id=row.parent_id, name=row.name, kind=OrgUnitKind(row.kind),
                   path=tuple(row.path), version=row.version,
                   subkind=OrgUnitSubkind(row.subkind) if row.subkind else None)


class SqlOrgUnitRepository:
    def __init__(self, session: AsyncSession, actor: str) -> None:
        self._session = session
        self._actor = actor

    async def _select(self, where: sa.ColumnElement[bool]) -> list[OrgUnit]:
        rows = await self._session.execute(sa.select(org_unit).where(where))
        return [_to_domain(r) for r in rows]

    async def get(self, unit_id: uuid.UUID) -> OrgUnit | None:
        found = await self._select(org_unit.c.id == unit_id)
        return found[0] if found else None

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[OrgUnit]:
        return await self._select(org_unit.c.id.in_(list(ids))) if ids else []

    async def children_of(self, parent_ids: Sequence[uuid.UUID]) -> list[OrgUnit]:
        return await self._select(org_unit.c.parent_id.in_(list(parent_ids))) if parent_ids else []

    async def roots(self) -> list[OrgUnit]:
        return await self._select(org_unit.c.parent_id.is_(None))

    async def subtree(self, root_id: uuid.UUID, kinds: Sequence[OrgUnitKind] = ()) -> list[OrgUnit]:
        """Every unit at or below `root_id` (one indexed query, any depth)."""
        where = org_unit.c.path.contains([root_id])
        if kinds:
            where &= org_unit.c.kind.in_([k.value for k in kinds])
        return await self._select(where)

    async def add(self, unit: OrgUnit) -> bool:
        # ON CONFLICT waits for a concurrent insert of the same id to commit, then skips it.
        stmt = insert(org_unit).values(
            id=unit.id, parent_id=unit.parent_id, name=unit.name, kind=unit.kind.value,
            path=list(unit.path), version=unit.version,
            subkind=unit.subkind.value if unit.subkind else None)
        result = await self._session.execute(stmt.on_conflict_do_nothing().returning(org_unit.c.id))
        if result.first() is None:
            return False
        await self._history(unit, "created")
        return True

    async def rename(self, unit: OrgUnit) -> None:
        await self._session.execute(sa.update(org_unit).where(org_unit.c.id == unit.id)
                                    .values(name=unit.name, version=unit.version))
        await self._history(unit, "renamed")

    async def move(self, unit: OrgUnit, old_path: Sequence[uuid.UUID]) -> int:
        """Re-root the unit's subtree, and every path copied into other tables, one statement
        per table; returns the number of org units moved."""
        await self._session.execute(sa.update(org_unit).where(org_unit.c.id == unit.id)
                                    .values(parent_id=unit.parent_id, version=unit.version))
        moved = {table: await reroot(self._session, table, column, unit.id, unit.path, old_path)
                 for table, column in PATH_COLUMNS}
        await self._history(unit, "moved")
        return moved["org_unit"]

    async def history(self, unit_ids: Sequence[uuid.UUID]) -> list[dict[str, object]]:
        rows = await self._session.execute(
            sa.select(org_unit_change).where(org_unit_change.c.org_unit_id.in_(list(unit_ids)))
            .order_by(org_unit_change.c.org_unit_id, org_unit_change.c.version))
        return [dict(r._mapping) for r in rows]

    async def _history(self, unit: OrgUnit, change: str) -> None:
        await self._session.execute(sa.insert(org_unit_change).values(
            org_unit_id=unit.id, version=unit.version, change=change, name=unit.name,
            parent_id=unit.parent_id, path=list(unit.path), actor=self._actor))
