"""Published ranking snapshots (public.ranking_snapshot: a decision people made, so replay
never touches it) on top of the metrics reader."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from lianxin.assessment.adapters.metrics_repo import SqlMetricsReader
from lianxin.assessment.adapters.tables import ranking_snapshot
from lianxin.assessment.app.snapshots import Snapshot, from_json, to_json
from lianxin.assessment.domain.periods import Period
from lianxin.kit.ids import uuid7
from sqlalchemy.dialects.postgresql import insert

t = ranking_snapshot


class SqlRankingStore(SqlMetricsReader):
    """RankingStore: the cubes and read models, plus the snapshots."""

    async def snapshot(self, scope: uuid.UUID, level: str, period: Period) -> Snapshot | None:
        row = (await self._db.execute(sa.select(t).where(
            t.c.scope_unit_id == scope, t.c.level == level,
            t.c.period_kind == period.kind.value, t.c.period_start == period.start))).first()
        if row is None:
            return None
        return Snapshot(scope, level, period, row.published_at, row.published_by,
                        from_json(row.rows))

    async def save_snapshot(self, snapshot: Snapshot) -> bool:
        stmt = insert(t).values(
            id=uuid7(), scope_unit_id=snapshot.scope, level=snapshot.level,
            period_kind=snapshot.period.kind.value, period_start=snapshot.period.start,
            published_at=snapshot.published_at, published_by=snapshot.published_by,
            rows=to_json(snapshot.entries),
        ).on_conflict_do_nothing(constraint="uq_ranking_snapshot_period").returning(t.c.id)
        return (await self._db.execute(stmt)).first() is not None
