"""SQL repositories of the category taxonomy and the routing rules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.tickets.adapters.tables import category, routing_rule
from lianxin.tickets.domain.category import Category, lineage
from lianxin.tickets.domain.routing import RoutingRule
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


class SqlCategories:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> dict[str, Category]:
        return self._table(await self._session.execute(sa.select(category)))

    async def lineage(self, code: str) -> dict[str, Category]:
        # A submit checks one category and its parents: reading the whole taxonomy for it was
        # a tenth of a submit's CPU (bench/RESULTS.md, P3).
        return self._table(await self._session.execute(
            sa.select(category).where(category.c.code.in_(lineage(code)))))

    @staticmethod
    def _table(rows: Any) -> dict[str, Category]:
        return {r.code: Category(code=r.code, name=r.name, parent_code=r.parent_code,
                                 position=r.position, active=r.active) for r in rows}

    async def add(self, c: Category) -> bool:
        stmt = insert(category).values(code=c.code, parent_code=c.parent_code, name=c.name,
                                       position=c.position, active=c.active)
        result = await self._session.execute(
            stmt.on_conflict_do_nothing(index_elements=[category.c.code]).returning(category.c.code))
        return result.first() is not None

    async def save(self, c: Category) -> None:
        await self._session.execute(sa.update(category).where(category.c.code == c.code).values(
            name=c.name, position=c.position, active=c.active))


def _rule(r: Any) -> RoutingRule:
    return RoutingRule(id=r.id, category=r.category_code, area_unit_id=r.area_unit_id,
                       area_depth=r.area_depth, department_id=r.department_id, note=r.note,
                       created_at=r.created_at, created_by=r.created_by)


class SqlRoutingRules:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, rule_id: uuid.UUID) -> RoutingRule | None:
        row = (await self._session.execute(
            sa.select(routing_rule).where(routing_rule.c.id == rule_id))).first()
        return _rule(row) if row is not None else None

    async def put(self, rule: RoutingRule) -> RoutingRule:
        stmt = insert(routing_rule).values(
            id=rule.id, category_code=rule.category, area_unit_id=rule.area_unit_id,
            area_depth=rule.area_depth, department_id=rule.department_id, note=rule.note,
            created_at=rule.created_at, created_by=rule.created_by)
        # The same (category, area, department) again only updates its note (NULLS NOT DISTINCT
        # makes "anywhere" one key too).
        stmt = stmt.on_conflict_do_update(
            constraint="uq_routing_rule",
            set_={"note": stmt.excluded.note, "area_depth": stmt.excluded.area_depth})
        row = (await self._session.execute(stmt.returning(*routing_rule.c))).one()
        return _rule(row)

    async def delete(self, rule_id: uuid.UUID) -> bool:
        result = await self._session.execute(
            sa.delete(routing_rule).where(routing_rule.c.id == rule_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def candidates(self, categories: Sequence[str],
                         place: Sequence[uuid.UUID]) -> list[RoutingRule]:
        if not categories:
            return []
        area = routing_rule.c.area_unit_id
        rows = await self._session.execute(sa.select(routing_rule).where(
            routing_rule.c.category_code.in_(list(categories)),
            sa.or_(area.is_(None), area.in_(list(place)) if place else sa.false())))
        return [_rule(r) for r in rows]

    async def page(self, after: tuple[str, uuid.UUID] | None, limit: int,
                   category: str | None = None) -> list[RoutingRule]:
        code = routing_rule.c.category_code
        stmt = sa.select(routing_rule).order_by(code, routing_rule.c.id).limit(limit)
        if category is not None:
            stmt = stmt.where(sa.or_(code == category, code.startswith(category + ".",
                                                                        autoescape=True)))
        if after is not None:
            stmt = stmt.where(sa.tuple_(code, routing_rule.c.id) > sa.tuple_(
                sa.literal(after[0]), sa.literal(after[1], routing_rule.c.id.type)))
        return [_rule(r) for r in await self._session.execute(stmt)]
