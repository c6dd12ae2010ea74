"""SQL repository for the organisation tree."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from lianxin.people.adapters.tables import org_unit
from lianxin.people.domain import OrgUnit, OrgUnitKind
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def _to_domain(row: sa.Row) -> OrgUnit:
    return OrgUnit(id=row.id, parent_id=row.parent_id, name=row.name, kind=OrgUnitKind(row.kind),
                   path=tuple(row.path), version=row.version)


class SqlOrgUnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

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

    async def add(self, unit: OrgUnit) -> bool:
        # ON CONFLICT waits for a concurrent insert of the same id to commit, then skips it.
        stmt = insert(org_unit).values(
            id=unit.id, parent_id=unit.parent_id, name=unit.name, kind=unit.kind.value,
            path=list(unit.path), version=unit.version)
        result = await self._session.execute(stmt.on_conflict_do_nothing().returning(org_unit.c.id))
        return result.first() is not None
