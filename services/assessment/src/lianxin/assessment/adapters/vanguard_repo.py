"""SQL of the vanguard index: members from `proj.cadre`, their period's activity (visits,
pairings, the cadre cube, whistle report-ins) for many members at once, and the configurable
rules in public `vanguard_rule` (kept across replays)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.assessment.adapters.coverage_repo import SqlCoverageReader
from lianxin.assessment.adapters.tables import (
    cadre,
    cube_tables,
    pairing,
    vanguard_rule,
    visit,
    whistle_task_fact,
)
from lianxin.assessment.app.vanguard import Activity, Member
from lianxin.assessment.domain.cubes import NIL, NORMAL
from lianxin.assessment.domain.periods import china_midnight
from lianxin.assessment.domain.vanguard import Rule
from sqlalchemy.ext.asyncio import AsyncSession


class SqlVanguardStore(SqlCoverageReader):
    """`VanguardReader` and `RuleStore` on a session (campaigns read as coverage reads them)."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def members(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Member]:
        rows = await self._session.execute(sa.select(
            cadre.c.id, cadre.c.subject, cadre.c.rank, cadre.c.party_member, cadre.c.org_path
        ).where(cadre.c.id.in_(list(ids))))
        return {r.id: Member(r.id, r.subject, r.rank, r.party_member, tuple(r.org_path))
                for r in rows}

    async def rules(self, campaign_id: uuid.UUID | None) -> tuple[list[Rule], list[Rule]]:
        keys = [NIL] if campaign_id is None else [campaign_id, NIL]
        rows = await self._session.execute(sa.select(vanguard_rule).where(
            vanguard_rule.c.campaign_id.in_(keys)).order_by(vanguard_rule.c.item))
        own: list[Rule] = []
        deployment: list[Rule] = []
        for r in rows:
            if r.campaign_id == NIL:
                deployment.append(Rule(r.item, r.weight, r.cap, "deployment"))
            else:
                own.append(Rule(r.item, r.weight, r.cap, "campaign"))
        return own, deployment

    async def replace_rules(self, campaign_id: uuid.UUID | None, rules: Sequence[Rule],
                            by: str) -> None:
        key = campaign_id or NIL
        await self._session.execute(sa.delete(vanguard_rule)
                                    .where(vanguard_rule.c.campaign_id == key))
        if rules:
            now = dt.datetime.now(dt.UTC)
            await self._session.execute(sa.insert(vanguard_rule), [
                {"campaign_id": key, "item": r.item, "weight": r.weight, "cap": r.cap,
                 "updated_at": now, "updated_by": by} for r in rules])

    async def commit(self) -> None:
        await self._session.commit()

    async def activity(self, members: Sequence[Member], start: dt.date,
                       end: dt.date) -> dict[uuid.UUID, Activity]:
        ids = [m.id for m in members]
        counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
        for name, rows in (("visits", await self._visits(ids, start, end)),
                           ("paired_at_end", await self._paired(ids, end))):
            for cadre_id, n in rows:
                counts[cadre_id][name] = int(n)
        cube = cube_tables["cadre_day"]
        for r in await self._session.execute(
                sa.select(cube.c.cadre_id, sa.func.sum(cube.c.assignments_on_time).label("on_time"),
                          sa.func.sum(cube.c.satisfied).label("sat"))
                .where(cube.c.cadre_id.in_(ids), cube.c.day.between(start, end),
                       cube.c.klass == NORMAL).group_by(cube.c.cadre_id)):
            counts[r.cadre_id].update(tickets_on_time=int(r.on_time), satisfied_ratings=int(r.sat))
        by_subject = {m.subject: m.id for m in members if m.subject}
        if by_subject:
            task = whistle_task_fact
            for subject, n in await self._session.execute(
                    sa.select(task.c.reported_by, sa.func.count())
                    .where(task.c.reported_by.in_(list(by_subject)), task.c.late.is_(False),
                           task.c.reported_at >= china_midnight(start),
                           task.c.reported_at < china_midnight(end + dt.timedelta(days=1)))
                    .group_by(task.c.reported_by)):
                counts[by_subject[subject]]["whistle_reports_on_time"] = int(n)
        return {k: Activity(**v) for k, v in counts.items()}

    async def _visits(self, ids: list[uuid.UUID], start: dt.date, end: dt.date) -> Any:
        """Visits led or joined, once per (visit, cadre)."""
        dates = visit.c.visited_on.between(start, end)
        led = sa.select(visit.c.id, visit.c.cadre_id.label("k")).where(
            dates, visit.c.cadre_id.in_(ids))
        joined = sa.select(visit.c.id, sa.func.unnest(visit.c.participant_ids).label("k")).where(
            dates, visit.c.participant_ids.overlap(ids))
        both = sa.union(led, joined).subquery()
        return await self._session.execute(
            sa.select(both.c.k, sa.func.count()).where(both.c.k.in_(ids)).group_by(both.c.k))

    async def _paired(self, ids: list[uuid.UUID], end: dt.date) -> Any:
        """Household pairings active on `end` (started by then, not ended before it)."""
        return await self._session.execute(
            sa.select(pairing.c.cadre_id, sa.func.count()).where(
                pairing.c.cadre_id.in_(ids), pairing.c.household_id.is_not(None),
                sa.or_(pairing.c.started_on.is_(None), pairing.c.started_on <= end),
                sa.or_(pairing.c.ended_on.is_(None), pairing.c.ended_on >= end))
            .group_by(pairing.c.cadre_id))
