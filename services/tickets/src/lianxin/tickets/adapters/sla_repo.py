"""SQL repositories of the working-day calendar, the SLA policies, the alarms already raised and
the supervision notices (督办)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.tickets.adapters.tables import (
    calendar_day,
    calendar_year,
    category,
    sla_alert,
    sla_policy,
    supervision_notice,
    ticket,
)
from lianxin.tickets.domain.calendar import ADMIN, CalendarDay, WorkCalendar
from lianxin.tickets.domain.sla import Clock, NoticeStatus, SlaPolicy, SupervisionNotice
from lianxin.tickets.domain.ticket import Kind, Urgency
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


class SqlCalendar:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, start: dt.date, end: dt.date) -> WorkCalendar:
        rows = await self._session.execute(
            sa.select(calendar_day.c.day, calendar_day.c.workday)
            .where(calendar_day.c.day.between(start, end)))
        return WorkCalendar({r.day: r.workday for r in rows})

    async def days(self, start: dt.date, end: dt.date) -> list[CalendarDay]:
        rows = await self._session.execute(
            sa.select(calendar_day).where(calendar_day.c.day.between(start, end))
            .order_by(calendar_day.c.day))
        return [CalendarDay(r.day, r.workday, r.name, r.source) for r in rows]

    async def _flags(self, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
        return dict((await self.load(start, end)).days)

    async def put_year(self, year: int, days: Sequence[CalendarDay], source: str,
                       actor: str) -> list[dt.date]:
        # Lock the year first: two loaders of the same year (two workers starting) queue here,
        # so each sees the other's days when telling which ones changed.
        await self._session.execute(sa.text("SELECT pg_advisory_xact_lock(:k, :y)"),
                                    {"k": 0x5A1A, "y": year})
        before = await self._flags(dt.date(year, 1, 1), dt.date(year, 12, 31))
        if days:
            stmt = insert(calendar_day).values([
                {"day": d.day, "workday": d.workday, "name": d.name, "source": d.source,
                 "updated_by": actor} for d in days])
            await self._session.execute(stmt.on_conflict_do_update(
                index_elements=[calendar_day.c.day],
                set_={"workday": stmt.excluded.workday, "name": stmt.excluded.name,
                      "source": stmt.excluded.source, "updated_by": stmt.excluded.updated_by,
                      "updated_at": sa.func.now()},
                where=calendar_day.c.source != ADMIN))
        year_stmt = insert(calendar_year).values(year=year, source=source)
        await self._session.execute(year_stmt.on_conflict_do_update(
            index_elements=[calendar_year.c.year],
            set_={"source": source, "loaded_at": sa.func.now()}))
        after = await self._flags(dt.date(year, 1, 1), dt.date(year, 12, 31))
        return sorted(d for d, flag in after.items() if before.get(d) != flag)

    async def put_day(self, day: CalendarDay, actor: str) -> bool:
        before = (await self._flags(day.day, day.day)).get(day.day)
        stmt = insert(calendar_day).values(day=day.day, workday=day.workday, name=day.name,
                                           source=day.source, updated_by=actor)
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=[calendar_day.c.day],
            set_={"workday": day.workday, "name": day.name, "source": day.source,
                  "updated_by": actor, "updated_at": sa.func.now()}))
        return before != day.workday

    async def years(self) -> dict[int, tuple[str, dt.datetime]]:
        rows = await self._session.execute(sa.select(calendar_year).order_by(calendar_year.c.year))
        return {r.year: (r.source, r.loaded_at) for r in rows}


def _policy(r: Any) -> SlaPolicy:
    return SlaPolicy(
        id=r.id, kind=Kind(r.kind) if r.kind else None, category=r.category_code,
        urgency=Urgency(r.urgency) if r.urgency else None, accept_days=r.accept_days,
        handle_days=r.handle_days, feedback_days=r.feedback_days, rating_days=r.rating_days,
        due_soon_hours=r.due_soon_hours, escalate_after_days=r.escalate_after_days,
        escalate_on_overdue=r.escalate_on_overdue)


class SqlSlaPolicies:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> list[SlaPolicy]:
        rows = await self._session.execute(sa.select(sla_policy).order_by(
            sla_policy.c.kind.nulls_first(), sla_policy.c.category_code.nulls_first(),
            sla_policy.c.urgency.nulls_first()))
        return [_policy(r) for r in rows]

    async def upsert(self, policy: SlaPolicy, actor: str) -> SlaPolicy:
        numbers = {"accept_days": policy.accept_days, "handle_days": policy.handle_days,
                   "feedback_days": policy.feedback_days, "rating_days": policy.rating_days,
                   "due_soon_hours": policy.due_soon_hours,
                   "escalate_after_days": policy.escalate_after_days,
                   "escalate_on_overdue": policy.escalate_on_overdue, "updated_by": actor}
        stmt = insert(sla_policy).values(
            id=policy.id, kind=policy.kind.value if policy.kind else None,
            category_code=policy.category,
            urgency=policy.urgency.value if policy.urgency else None, **numbers)
        stmt = stmt.on_conflict_do_update(constraint="uq_sla_policy_match",
                                          set_={**numbers, "updated_at": sa.func.now()})
        row = (await self._session.execute(stmt.returning(*sla_policy.c))).one()
        return _policy(row)

    async def delete(self, policy_id: uuid.UUID) -> SlaPolicy | None:
        row = (await self._session.execute(sa.delete(sla_policy).where(
            sla_policy.c.id == policy_id).returning(*sla_policy.c))).first()
        return _policy(row) if row is not None else None

    async def category_exists(self, code: str) -> bool:
        found = await self._session.execute(sa.select(category.c.code).where(
            category.c.code == code))
        return found.first() is not None


# The deadline of the clock a ticket's state runs (see domain/scheduling.running_clock).
_RUNNING_DUE = (
    "CASE WHEN t.status = 'received' THEN t.accept_due "
    "WHEN t.status IN ('accepted', 'assigned', 'in_progress') THEN t.handle_due "
    "WHEN t.status = 'resolved' AND t.answered_at IS NULL THEN t.feedback_due END")
_RUNNING_PROVISIONAL = (
    "CASE WHEN t.status = 'received' THEN t.accept_due_provisional "
    "WHEN t.status IN ('accepted', 'assigned', 'in_progress') THEN t.handle_due_provisional "
    "WHEN t.status = 'resolved' AND t.answered_at IS NULL THEN t.feedback_due_provisional END")
_OPEN = "t.status IN ('received', 'accepted', 'assigned', 'in_progress', 'resolved')"
_SWEEP = sa.text(
    f"SELECT t.id FROM ticket t WHERE {_OPEN} "
    "AND (CAST(:after AS uuid) IS NULL OR t.id > CAST(:after AS uuid)) "
    f"AND (({_RUNNING_DUE}) <= :horizon OR (t.status = 'resolved' "
    "AND t.answered_at < :answered_before AND t.rated_at IS NULL)) "
    "ORDER BY t.id LIMIT :n")
_RECOMPUTE = sa.text(
    f"SELECT t.id FROM ticket t WHERE {_OPEN} "
    "AND (CAST(:after AS uuid) IS NULL OR t.id > CAST(:after AS uuid)) "
    f"AND (({_RUNNING_PROVISIONAL}) OR ({_RUNNING_DUE}) >= :since) "
    "ORDER BY t.id LIMIT :n")
_STALE = sa.text(
    "SELECT DISTINCT n.ticket_id FROM supervision_notice n JOIN ticket t ON t.id = n.ticket_id "
    "WHERE n.status = 'open' AND NOT ("
    "(n.clock = 'accept' AND t.status = 'received' AND t.accept_due = n.due) OR "
    "(n.clock = 'handle' AND t.status IN ('accepted', 'assigned', 'in_progress') "
    " AND t.handle_due = n.due) OR "
    "(n.clock = 'feedback' AND t.status = 'resolved' AND t.answered_at IS NULL "
    " AND t.feedback_due = n.due)) LIMIT :n")


class SqlAlerts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, ticket_id: uuid.UUID, clock: Clock, level: int, due: dt.datetime,
                    now: dt.datetime) -> bool:
        # A concurrent claim of the same key waits for the first transaction, then finds the
        # row and inserts nothing: one winner, whether it commits now or crashed (then a later
        # sweep wins instead).
        stmt = insert(sla_alert).values(ticket_id=ticket_id, clock=clock.value, level=level,
                                        due=due, raised_at=now)
        result = await self._session.execute(
            stmt.on_conflict_do_nothing().returning(sla_alert.c.ticket_id))
        return result.first() is not None

    async def raised(self, ticket_ids: Sequence[uuid.UUID]
                     ) -> set[tuple[uuid.UUID, Clock, int, dt.datetime]]:
        if not ticket_ids:
            return set()
        rows = await self._session.execute(sa.select(
            sla_alert.c.ticket_id, sla_alert.c.clock, sla_alert.c.level, sla_alert.c.due)
            .where(sla_alert.c.ticket_id.in_(list(ticket_ids))))
        return {(r.ticket_id, Clock(r.clock), r.level, r.due) for r in rows}

    async def sweep_candidates(self, horizon: dt.datetime, answered_before: dt.datetime,
                               after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
        rows = await self._session.execute(_SWEEP, {
            "horizon": horizon, "answered_before": answered_before, "after": after, "n": limit})
        return [r.id for r in rows]

    async def recompute_candidates(self, since: dt.datetime | None, after: uuid.UUID | None,
                                   limit: int) -> list[uuid.UUID]:
        # No `since`: provisional deadlines only (a date no deadline reaches).
        rows = await self._session.execute(_RECOMPUTE, {
            "since": since or dt.datetime.max.replace(tzinfo=dt.UTC), "after": after,
            "n": limit})
        return [r.id for r in rows]


def _notice(r: Any) -> SupervisionNotice:
    return SupervisionNotice(
        id=r.id, ticket_id=r.ticket_id, clock=Clock(r.clock), level=r.level,
        supervising_unit_id=r.supervising_unit_id, supervising_path=tuple(r.supervising_path),
        due=r.due, opened_at=r.opened_at, status=NoticeStatus(r.status), closed_at=r.closed_at)


class SqlNotices:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, n: SupervisionNotice) -> None:
        await self._session.execute(sa.insert(supervision_notice).values(
            id=n.id, ticket_id=n.ticket_id, clock=n.clock.value, level=n.level,
            supervising_unit_id=n.supervising_unit_id, supervising_path=list(n.supervising_path),
            due=n.due, opened_at=n.opened_at, status=n.status.value, closed_at=n.closed_at))

    async def open_for_ticket(self, ticket_id: uuid.UUID) -> list[SupervisionNotice]:
        rows = await self._session.execute(sa.select(supervision_notice).where(
            supervision_notice.c.ticket_id == ticket_id,
            supervision_notice.c.status == NoticeStatus.OPEN.value)
            .order_by(supervision_notice.c.opened_at, supervision_notice.c.id))
        return [_notice(r) for r in rows]

    async def close(self, notice_id: uuid.UUID, at: dt.datetime) -> SupervisionNotice | None:
        row = (await self._session.execute(
            sa.update(supervision_notice).where(
                supervision_notice.c.id == notice_id,
                supervision_notice.c.status == NoticeStatus.OPEN.value)
            .values(status=NoticeStatus.CLOSED.value, closed_at=at)
            .returning(*supervision_notice.c))).first()
        return _notice(row) if row is not None else None

    async def stale(self, limit: int) -> list[uuid.UUID]:
        return [r.ticket_id for r in await self._session.execute(_STALE, {"n": limit})]

    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]
                          ) -> dict[uuid.UUID, list[SupervisionNotice]]:
        out: dict[uuid.UUID, list[SupervisionNotice]] = {i: [] for i in ticket_ids}
        if ticket_ids:
            rows = await self._session.execute(
                sa.select(supervision_notice)
                .where(supervision_notice.c.ticket_id.in_(list(ticket_ids)))
                .order_by(supervision_notice.c.opened_at, supervision_notice.c.id))
            for r in rows:
                out[r.ticket_id].append(_notice(r))
        return out

    async def under(self, unit_id: uuid.UUID, open_only: bool, cleared: bool,
                    after: tuple[dt.datetime, uuid.UUID] | None,
                    limit: int) -> list[SupervisionNotice]:
        n = supervision_notice
        query = sa.select(n).where(n.c.supervising_path.contains([unit_id]))
        if open_only:
            query = query.where(n.c.status == NoticeStatus.OPEN.value)
        if not cleared:
            query = query.join(ticket, ticket.c.id == n.c.ticket_id).where(
                ticket.c.kind != "stability_risk", ticket.c.ledger != "stability_risk")
        if after is not None:
            query = query.where(sa.tuple_(n.c.opened_at, n.c.id) < sa.tuple_(*after))
        rows = await self._session.execute(
            query.order_by(n.c.opened_at.desc(), n.c.id.desc()).limit(limit))
        return [_notice(r) for r in rows]
