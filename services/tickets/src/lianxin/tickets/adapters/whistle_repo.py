"""SQL repository: whistles and their task lists (吹哨报到, 一哨一清单)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.tickets.adapters.reads import visible_to
from lianxin.tickets.adapters.tables import ticket, whistle, whistle_task
from lianxin.tickets.app.common import Actor
from lianxin.tickets.domain.errors import StaleTicket
from lianxin.tickets.domain.ticket import Deadline, Urgency
from lianxin.tickets.domain.whistle import TaskStatus, Whistle, WhistleStatus, WhistleTask
from sqlalchemy.ext.asyncio import AsyncSession


def _task(row: sa.RowMapping) -> WhistleTask:
    return WhistleTask(
        id=row["id"], whistle_id=row["whistle_id"], department_id=row["department_id"],
        department_path=tuple(row["department_path"]), task=row["task"],
        status=TaskStatus(row["status"]), reported_at=row["reported_at"], late=row["late"],
        late_seconds=row["late_seconds"], started_at=row["started_at"],
        completed_at=row["completed_at"], report=row["report"])


def _whistle(row: sa.RowMapping, tasks: Sequence[WhistleTask]) -> Whistle:
    return Whistle(
        id=row["id"], ticket_id=row["ticket_id"], blower_unit_id=row["blower_unit_id"],
        blower_path=tuple(row["blower_path"]), urgency=Urgency(row["urgency"]),
        reason=row["reason"], blown_at=row["blown_at"], blown_by=row["blown_by"],
        report_in_due=Deadline(row["report_in_due"], row["report_in_due_provisional"]),
        tasks=tuple(tasks), status=WhistleStatus(row["status"]), closed_at=row["closed_at"],
        version=row["version"])


def _whistle_values(w: Whistle) -> dict[str, Any]:
    return {"id": w.id, "ticket_id": w.ticket_id, "blower_unit_id": w.blower_unit_id,
            "blower_path": list(w.blower_path), "urgency": w.urgency.value, "reason": w.reason,
            "blown_at": w.blown_at, "blown_by": w.blown_by, "report_in_due": w.report_in_due.at,
            "report_in_due_provisional": w.report_in_due.provisional, "status": w.status.value,
            "closed_at": w.closed_at, "version": w.version}


def _task_values(t: WhistleTask) -> dict[str, Any]:
    return {"id": t.id, "whistle_id": t.whistle_id, "department_id": t.department_id,
            "department_path": list(t.department_path), "task": t.task, "status": t.status.value,
            "reported_at": t.reported_at, "late": t.late, "late_seconds": t.late_seconds,
            "started_at": t.started_at, "completed_at": t.completed_at, "report": t.report}


class SqlWhistles:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _assemble(self, rows: Sequence[sa.RowMapping]) -> list[Whistle]:
        """Whistles of `rows`, in their order, each with its tasks in the order they were
        listed (task ids are handed out in ascending order)."""
        if not rows:
            return []
        found = await self._session.execute(
            sa.select(whistle_task).where(whistle_task.c.whistle_id.in_([r["id"] for r in rows]))
            .order_by(whistle_task.c.whistle_id, whistle_task.c.id))
        tasks: dict[uuid.UUID, list[WhistleTask]] = {}
        for t in found.mappings():
            tasks.setdefault(t["whistle_id"], []).append(_task(t))
        return [_whistle(r, tasks.get(r["id"], [])) for r in rows]

    async def add(self, w: Whistle) -> None:
        await self._session.execute(sa.insert(whistle).values(**_whistle_values(w)))
        await self._session.execute(sa.insert(whistle_task), [_task_values(t) for t in w.tasks])

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Whistle]:
        if not ids:
            return []
        rows = await self._session.execute(sa.select(whistle).where(whistle.c.id.in_(list(ids))))
        return await self._assemble(list(rows.mappings()))

    async def get_for_update(self, whistle_id: uuid.UUID) -> Whistle | None:
        rows = await self._session.execute(
            sa.select(whistle).where(whistle.c.id == whistle_id).with_for_update())
        found = await self._assemble(list(rows.mappings()))
        return found[0] if found else None

    async def save(self, w: Whistle) -> None:
        values = _whistle_values(w)
        del values["id"]
        # A step may bump the version twice (the last completion also closes the whistle), so
        # the guard is "newer than stored"; the row lock of get_for_update serialises steps.
        result = await self._session.execute(
            sa.update(whistle).where(whistle.c.id == w.id, whistle.c.version < w.version)
            .values(**values))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleTicket(f"whistle {w.id} was changed by someone else meanwhile; reload it "
                              "and try again", field="whistleId")
        stmt = sa.update(whistle_task).where(whistle_task.c.id == sa.bindparam("task_id"))
        rows = []
        for t in w.tasks:
            v = _task_values(t)
            del v["id"], v["whistle_id"], v["department_id"], v["department_path"], v["task"]
            rows.append({"task_id": t.id, **v})
        await self._session.execute(stmt, rows)

    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]
                          ) -> dict[uuid.UUID, list[Whistle]]:
        out: dict[uuid.UUID, list[Whistle]] = {i: [] for i in ticket_ids}
        if ticket_ids:
            rows = await self._session.execute(
                sa.select(whistle).where(whistle.c.ticket_id.in_(list(ticket_ids)))
                .order_by(whistle.c.blown_at, whistle.c.id))
            for w in await self._assemble(list(rows.mappings())):
                out[w.ticket_id].append(w)
        return out

    async def in_unit(self, unit_id: uuid.UUID, viewer: Actor, *, open_only: bool, limit: int,
                      after: tuple[dt.datetime, uuid.UUID] | None = None) -> list[Whistle]:
        summoned = sa.exists().where(whistle_task.c.whistle_id == whistle.c.id,
                                     whistle_task.c.department_path.contains([unit_id]))
        # Visibility in SQL (the ticket's rule), so a page is never short of what it could show.
        stmt = (sa.select(whistle).join(ticket, ticket.c.id == whistle.c.ticket_id)
                .where(sa.or_(whistle.c.blower_path.contains([unit_id]), summoned),
                       visible_to(viewer)))
        if open_only:
            stmt = stmt.where(whistle.c.status == WhistleStatus.OPEN.value)
        if after is not None:
            stmt = stmt.where(sa.tuple_(whistle.c.blown_at, whistle.c.id) < sa.tuple_(*after))
        rows = await self._session.execute(
            stmt.order_by(whistle.c.blown_at.desc(), whistle.c.id.desc()).limit(limit))
        return await self._assemble(list(rows.mappings()))
