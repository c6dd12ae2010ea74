"""What the screen wall reads besides the metrics engine: the latest overdue alarms of a
subtree (proj.alarm, found through its GIN-indexed org path, newest first)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from lianxin.assessment.adapters.tables import alarm
from lianxin.assessment.app.dashboard import Alarm
from sqlalchemy.ext.asyncio import AsyncSession


class SqlAlarmReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def latest_alarms(self, unit: uuid.UUID, limit: int) -> list[Alarm]:
        rows = await self._session.execute(
            sa.select(alarm.c.ticket_id, alarm.c.code, alarm.c.clock, alarm.c.level,
                      alarm.c.due, alarm.c.occurred_at)
            .where(alarm.c.org_path.contains([unit]))
            .order_by(alarm.c.occurred_at.desc(), alarm.c.event_id.desc()).limit(limit))
        return [Alarm(ticket_id=r.ticket_id, code=r.code, clock=r.clock, level=r.level,
                      due=r.due, at=r.occurred_at) for r in rows]
