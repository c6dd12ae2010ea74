"""Duplicate candidates, hot-spot counts and repeat requesters in SQL.

Every statement starts from `org_path @> ARRAY[unit]` (the GIN index ix_ticket_org_path): hot
spots and duplicates are about where a problem arises, so they follow the ticket's place, not
whoever handles it now (`reach`). Counting is GROUP BY in the database; only the candidate
texts for duplicate suggestions come back to be scored in Python.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from lianxin.kit.settings import PiiConfig
from lianxin.tickets.adapters.reads import sensitive, visible_to
from lianxin.tickets.adapters.repository import TicketCodec
from lianxin.tickets.adapters.tables import Uuid, ticket
from lianxin.tickets.app.common import Actor
from lianxin.tickets.domain.hotspots import REQUESTER_TICKETS_SHOWN, RequesterGroup, WeekCount
from lianxin.tickets.domain.ticket import OPEN_STATUSES, Status, Ticket
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

_OPEN = [s.value for s in OPEN_STATUSES]
_top = sa.func.split_part(ticket.c.category, ".", 1)
# ISO weeks start on Monday; China has kept UTC+8 without daylight saving since 1991.
_WEEK = sa.cast(sa.func.date_trunc("week", sa.func.timezone(sa.text("INTERVAL '+08:00'"),
                                                            ticket.c.submitted_at)), sa.Date)


def _under(unit_id: uuid.UUID) -> sa.ColumnElement[bool]:
    return ticket.c.org_path.contains(sa.cast([unit_id], ARRAY(Uuid)))


def _in_category(code: str) -> sa.ColumnElement[bool]:
    """The category or one below it (no LIKE: codes contain `_`)."""
    return sa.or_(ticket.c.category == code,
                  sa.func.left(ticket.c.category, len(code) + 1) == code + ".")


class SqlTicketAnalytics:
    def __init__(self, session: AsyncSession, pii: PiiConfig) -> None:
        self._session = session
        self._codec = TicketCodec(pii)

    async def near(self, area_id: uuid.UUID, top_category: str, submitted_since: dt.datetime,
                   resolved_since: dt.datetime, viewer: Actor, exclude: Sequence[uuid.UUID],
                   limit: int) -> list[Ticket]:
        live = sa.or_(ticket.c.status.in_(_OPEN), sa.and_(
            ticket.c.status == Status.RESOLVED.value, ticket.c.resolved_at >= resolved_since))
        stmt = (sa.select(ticket)
                .where(_under(area_id), _top == top_category,
                       ticket.c.submitted_at >= submitted_since, live, visible_to(viewer))
                .order_by(ticket.c.submitted_at.desc(), ticket.c.id).limit(limit))
        if exclude:
            stmt = stmt.where(ticket.c.id.not_in(list(exclude)))
        rows = await self._session.execute(stmt)
        return [self._codec.ticket(r) for r in rows.mappings()]

    async def weekly_counts(self, unit_id: uuid.UUID, start: dt.datetime, end: dt.datetime,
                            category: str | None, include_sensitive: bool) -> list[WeekCount]:
        # The place is the element after the unit in the ticket's path (arrays are 1-based);
        # past the end of the path it is NULL, i.e. a ticket recorded at the unit itself.
        unit = sa.cast(unit_id, Uuid)
        place = sa.func.coalesce(
            ticket.c.org_path[sa.func.array_position(ticket.c.org_path, unit) + 1], unit)
        conditions = [_under(unit_id), ticket.c.submitted_at >= start, ticket.c.submitted_at < end]
        if category is not None:
            conditions.append(_in_category(category))
        if not include_sensitive:
            conditions.append(sa.not_(sensitive()))
        stmt = (sa.select(_top.label("category"), place.label("place"), _WEEK.label("week"),
                          sa.func.count().label("n"))
                .where(*conditions).group_by(_top, place, _WEEK))
        rows = await self._session.execute(stmt)
        return [WeekCount(r.category, r.place, r.week, r.n) for r in rows]

    async def repeat_requesters(self, unit_id: uuid.UUID, since: dt.datetime, min_tickets: int,
                                include_sensitive: bool, include_confidential: bool,
                                limit: int) -> list[RequesterGroup]:
        conditions = [_under(unit_id), ticket.c.submitted_at >= since,
                      ticket.c.requester_key.is_not(None), sa.not_(ticket.c.anonymous)]
        if not include_sensitive:
            conditions.append(sa.not_(sensitive()))
        if not include_confidential:
            conditions.append(sa.not_(ticket.c.confidential))
        count, last = sa.func.count(), sa.func.max(ticket.c.submitted_at)
        newest = sa.func.array_agg(aggregate_order_by(
            ticket.c.id, ticket.c.submitted_at.desc(), ticket.c.id))
        stmt = (sa.select(ticket.c.requester_key, count.label("n"), last.label("last"),
                          sa.type_coerce(newest, ARRAY(Uuid))[1:REQUESTER_TICKETS_SHOWN]
                          .label("ids"))
                .where(*conditions).group_by(ticket.c.requester_key)
                .having(count >= min_tickets)
                .order_by(count.desc(), last.desc(), ticket.c.requester_key).limit(limit))
        rows = await self._session.execute(stmt)
        return [RequesterGroup(r.requester_key, r.n, r.last, tuple(r.ids)) for r in rows]
