"""SQL of the people read models (`proj.org_unit`, household, cadre, pairing, visit, campaign),
written only through the Table objects so a replay's schema_translate_map reaches them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.assessment.adapters.tables import (
    cadre,
    campaign,
    household,
    org_unit,
    pairing,
    visit,
)
from lianxin.assessment.app.people_projection import (
    CadreRow,
    HouseholdRow,
    OrgUnitRow,
    PairingRow,
    VisitRow,
)
from lianxin.assessment.domain.coverage import CampaignTerms
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

_PATH = ARRAY(UUID(as_uuid=True))
# Every copied org path, re-rooted when a unit moves.
PATH_COLUMNS: tuple[sa.Column[Any], ...] = (
    org_unit.c.path, household.c.org_path, cadre.c.org_path, pairing.c.org_path,
    visit.c.org_path, campaign.c.org_path)


def _current_path(path: Sequence[uuid.UUID]) -> sa.ColumnElement[Any]:
    """The stored path of the path's last unit if the tree knows it, else `path` itself."""
    given = sa.cast(sa.literal(list(path), type_=_PATH), _PATH)
    if not path:
        return given
    stored = sa.select(org_unit.c.path).where(org_unit.c.id == path[-1]).scalar_subquery()
    return sa.func.coalesce(stored, given)


async def _upsert(session: AsyncSession, table: sa.Table, values: dict[str, Any],
                  keep: Sequence[str] = ()) -> None:
    """Insert, or update every column but the key and `keep` (first-seen values)."""
    stmt = insert(table).values(**values)
    update = {k: stmt.excluded[k] for k in values if k != "id" and k not in keep}
    await session.execute(stmt.on_conflict_do_update(index_elements=[table.c.id], set_=update))


class PeopleRepo:
    """`PeopleReadModels` on a session (the caller's transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put_org_unit(self, unit: OrgUnitRow) -> None:
        """Below a known parent the path is the parent's as it stands now, else the event's.
        Then every path already copied through the unit takes the unit's path as its prefix:
        events of different units arrive in any order (a village before its township, a
        household before its village), and the rows must end as in-order delivery leaves them
        — live and in a replay alike."""
        given = sa.cast(sa.literal(list(unit.path), type_=_PATH), _PATH)
        path: sa.ColumnElement[Any] = given
        if unit.parent_id is not None:
            parent = sa.select(org_unit.c.path).where(org_unit.c.id == unit.parent_id)
            # (array_append(NULL, id) is {id}, not NULL: test for the parent explicitly)
            path = sa.case((parent.exists(), sa.func.array_append(parent.scalar_subquery(),
                                                                  unit.id)), else_=given)
        stmt = insert(org_unit).values(id=unit.id, parent_id=unit.parent_id, name=unit.name,
                                       kind=unit.kind, path=path)
        stored = (await self._session.execute(stmt.on_conflict_do_update(
            index_elements=[org_unit.c.id],
            set_={k: stmt.excluded[k] for k in ("parent_id", "name", "kind", "path")})
            .returning(org_unit.c.path))).scalar_one()
        await self._reroot(unit.id, tuple(stored))

    async def rename_org_unit(self, unit_id: uuid.UUID, name: str) -> None:
        await self._session.execute(sa.update(org_unit).where(org_unit.c.id == unit_id)
                                    .values(name=name))

    async def move_org_unit(self, unit_id: uuid.UUID, parent_id: uuid.UUID | None,
                            path: tuple[uuid.UUID, ...]) -> None:
        await self._session.execute(sa.update(org_unit).where(org_unit.c.id == unit_id)
                                    .values(parent_id=parent_id))
        await self._reroot(unit_id, path)

    async def _reroot(self, unit_id: uuid.UUID, path: tuple[uuid.UUID, ...]) -> None:
        """Every copied path through the unit gets `path` in place of its part up to the
        unit. Cut at the unit's position rather than at len(old_path), so applying the
        same move twice changes nothing the second time."""
        new = sa.cast(sa.literal(list(path), type_=_PATH), _PATH)
        for column in PATH_COLUMNS:
            table = column.table
            rest = column[sa.func.array_position(column, unit_id) + 1:
                          sa.func.cardinality(column)]
            await self._session.execute(
                sa.update(table).where(column.contains([unit_id]))
                .where(column[1:sa.func.array_position(column, unit_id)].is_distinct_from(new))
                .values({column.name: sa.func.array_cat(new, rest)}))

    async def put_households(self, rows: Sequence[tuple[HouseholdRow, dt.datetime]]) -> None:
        await _put_many(self._session, _HOUSEHOLD, [{
            "id": h.id, "org_unit_id": h.org_unit_id, **_path_params(h.org_path),
            "registered_at": registered_at} for h, registered_at in rows])

    async def put_cadres(self, rows: Sequence[CadreRow]) -> None:
        await _put_many(self._session, _CADRE, [{
            "id": c.id, "subject": c.subject, "work_unit_id": c.work_unit_id,
            **_path_params(c.org_path), "rank": c.rank, "party_member": c.party_member,
            "branch_id": c.branch_id} for c in rows])

    async def put_pairings(self, rows: Sequence[PairingRow]) -> None:
        await _put_many(self._session, _PAIRING, [{
            "id": p.id, "cadre_id": p.cadre_id, "household_id": p.household_id,
            "contact_point_id": p.contact_point_id, "campaign_id": p.campaign_id,
            **_path_params(p.org_path), "started_on": p.started_on, "card_no": p.card_no}
            for p in rows])

    async def end_pairing(self, pairing_id: uuid.UUID, ended_on: dt.date) -> None:
        await self._session.execute(sa.update(pairing).where(pairing.c.id == pairing_id)
                                    .values(ended_on=ended_on))

    async def put_visits(self, rows: Sequence[VisitRow]) -> None:
        await _put_many(self._session, _VISIT, [{
            "id": v.id, "kind": v.kind, "cadre_id": v.cadre_id,
            "participant_ids": list(v.participant_ids), "household_ids": list(v.household_ids),
            "org_unit_id": v.org_unit_id, **_path_params(v.org_path), "visited_on": v.visited_on,
            "campaign_id": v.campaign_id} for v in rows])

    async def put_campaign(self, c: CampaignTerms) -> None:
        await _upsert(self._session, campaign, {
            "id": c.id, "name": c.name, "org_unit_id": c.org_unit_id,
            "org_path": _current_path(c.org_path), "starts_on": c.starts_on,
            "ends_on": c.ends_on, "min_households": c.min_households,
            "quota_by_rank": dict(c.quota_by_rank), "coverage_target": c.coverage_target,
            "org_unit_ids": list(c.org_unit_ids), "cadre_ids": list(c.cadre_ids)})


# --- rows written a run at a time: one statement, executed for each row in order -------------
def _path_params(path: Sequence[uuid.UUID]) -> dict[str, Any]:
    return {"given_path": list(path), "place": path[-1] if path else None}


def _put_stmt(table: sa.Table, columns: Sequence[str], keep: Sequence[str] = ()) -> Any:
    """`_upsert` for an executemany: the org path is `_current_path` of the parameters
    `given_path` and `place` (its last unit; NULL for an empty path, which finds no unit)."""
    given = sa.cast(sa.bindparam("given_path", type_=_PATH), _PATH)
    stored = (sa.select(org_unit.c.path)
              .where(org_unit.c.id == sa.bindparam("place", type_=UUID(as_uuid=True)))
              .scalar_subquery())
    values: dict[str, Any] = {c: sa.bindparam(c, type_=table.c[c].type) for c in columns}
    stmt = insert(table).values(**values, org_path=sa.func.coalesce(stored, given))
    update = {k: stmt.excluded[k] for k in (*columns, "org_path") if k != "id" and k not in keep}
    return stmt.on_conflict_do_update(index_elements=[table.c.id], set_=update)


_HOUSEHOLD = _put_stmt(household, ("id", "org_unit_id", "registered_at"), keep=("registered_at",))
_CADRE = _put_stmt(cadre, ("id", "subject", "work_unit_id", "rank", "party_member", "branch_id"))
# `ended_on` is not in the values: a late PairingCreated never revives an ended one.
_PAIRING = _put_stmt(pairing, ("id", "cadre_id", "household_id", "contact_point_id",
                               "campaign_id", "started_on", "card_no"))
_VISIT = _put_stmt(visit, ("id", "kind", "cadre_id", "participant_ids", "household_ids",
                           "org_unit_id", "visited_on", "campaign_id"))


async def _put_many(session: AsyncSession, stmt: Any, rows: list[dict[str, Any]]) -> None:
    """Each row as its own execution, in order (an asyncpg executemany: one round trip), so
    two rows of one id end as the later one, exactly as one event at a time would."""
    if rows:
        await session.execute(stmt, rows)
