"""Ticket lists in SQL: one statement pages the tickets of many owners at once (a LATERAL join
over the owner ids, so a DataLoader batch of org units or households costs one round trip), with
the caller's visibility (`Actor.sees`) and the filter in the WHERE clause.

Pages are newest first by (submitted_at desc, id); a cursor holds the last row's pair, and the
next page starts strictly after it (keyset: the same cost at any depth).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from lianxin.kit.settings import PiiConfig
from lianxin.tickets.adapters.repository import TicketCodec
from lianxin.tickets.adapters.tables import Uuid, assignment, ticket
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.queries import Anchor, Keyset, ListQuery, TicketFilter, TicketPage
from lianxin.tickets.domain.assignment import AssignmentStatus
from lianxin.tickets.domain.sla import CLOCK_STATES, Clock
from lianxin.tickets.domain.ticket import OPEN_STATUSES, Kind, Ledger
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.ext.asyncio import AsyncSession

Condition = sa.ColumnElement[bool]
_DUE = {Clock.ACCEPT: ticket.c.accept_due, Clock.HANDLE: ticket.c.handle_due,
        Clock.FEEDBACK: ticket.c.feedback_due}
_ACTIVE = [AssignmentStatus.OPEN.value, AssignmentStatus.IN_PROGRESS.value]
_OPEN = [s.value for s in OPEN_STATUSES]


def sensitive() -> Condition:
    """`Ticket.sensitive` in SQL: stability-risk by kind or by ledger (涉稳)."""
    return sa.or_(ticket.c.kind == Kind.STABILITY_RISK.value,
                  ticket.c.ledger == Ledger.STABILITY_RISK.value)


def owned_by(viewer: Actor) -> Condition:
    """`Actor.owns` in SQL: submitted by the viewer, or recorded for them as a resident."""
    owns: Condition = ticket.c.submitted_by == viewer.subject
    try:
        return sa.or_(owns, ticket.c.resident_id == uuid.UUID(viewer.subject))
    except ValueError:
        return owns


def visible_to(viewer: Actor) -> Condition:
    """`Actor.sees` in SQL: their own; for staff what reaches into their scope, stability-risk
    items only when cleared."""
    if viewer.is_resident:
        return owned_by(viewer)
    staff: Condition = sa.true()
    if viewer.org_scope is not None:
        staff = ticket.c.reach.overlap(sa.cast(sorted(viewer.org_scope), ARRAY(Uuid)))
    if not viewer.cleared:
        staff = sa.and_(staff, sa.not_(sensitive()))
    return sa.or_(owned_by(viewer), staff)


def overdue(now: dt.datetime) -> Condition:
    """The running clock is past its deadline (`queries.late_clocks` in SQL): never while paused."""
    late = []
    for clock, states in CLOCK_STATES.items():
        due = _DUE[clock]
        running = [ticket.c.status.in_([s.value for s in states]), due.is_not(None), due < now]
        if clock is Clock.FEEDBACK:
            running.append(ticket.c.answered_at.is_(None))
        late.append(sa.and_(*running))
    return sa.and_(ticket.c.paused_at.is_(None), sa.or_(*late))


def matching(f: TicketFilter, now: dt.datetime) -> list[Condition]:
    conditions: list[Condition] = []
    for column, values in ((ticket.c.status, f.statuses), (ticket.c.kind, f.kinds),
                           (ticket.c.ledger, f.ledgers), (ticket.c.channel, f.channels),
                           (ticket.c.urgency, f.urgencies)):
        if values:
            conditions.append(column.in_([v.value for v in values]))
    if f.categories:
        conditions.append(sa.or_(ticket.c.category.in_(f.categories), *(
            ticket.c.category.startswith(code + ".", autoescape=True) for code in f.categories)))
    if f.overdue is not None:
        conditions.append(overdue(now) if f.overdue else sa.not_(overdue(now)))
    if f.submitted_from is not None:
        conditions.append(ticket.c.submitted_at >= f.submitted_from)
    if f.submitted_to is not None:
        conditions.append(ticket.c.submitted_at < f.submitted_to)
    if f.text:
        conditions.append(sa.or_(ticket.c.text.contains(f.text, autoescape=True),
                                 ticket.c.code.icontains(f.text, autoescape=True)))
    if f.involving_department is not None:
        conditions.append(ticket.c.involved_units.contains(
            sa.cast([f.involving_department], ARRAY(Uuid))))
    return conditions


def after(key: Keyset | None) -> list[Condition]:
    if key is None:
        return []
    at, last = key
    return [sa.or_(ticket.c.submitted_at < at,
                   sa.and_(ticket.c.submitted_at == at, ticket.c.id > last))]


def anchored(anchor: Anchor, owner: sa.ColumnElement[uuid.UUID]) -> Condition:
    if anchor is Anchor.UNIT:
        return ticket.c.reach.contains(array([owner]))
    if anchor is Anchor.HOUSEHOLD:
        return ticket.c.household_id == owner
    if anchor is Anchor.VISIT:
        return ticket.c.visit_id == owner
    if anchor is Anchor.MASTER:
        return ticket.c.master_id == owner
    assigned = (sa.select(assignment.c.ticket_id)
                .where(assignment.c.responsible_cadre_id == owner).correlate_except(assignment))
    if anchor is Anchor.CADRE_OPEN:
        return sa.and_(ticket.c.id.in_(assigned.where(assignment.c.status.in_(_ACTIVE))),
                       ticket.c.status.in_(_OPEN))
    return ticket.c.id.in_(assigned)


_NEWEST = (ticket.c.submitted_at.desc(), ticket.c.id)


class SqlTicketReads:
    def __init__(self, session: AsyncSession, pii: PiiConfig) -> None:
        self._session = session
        self._codec = TicketCodec(pii)

    async def lists(self, anchor: Anchor, owners: Sequence[uuid.UUID], viewer: Actor,
                    query: ListQuery, now: dt.datetime) -> dict[uuid.UUID, TicketPage]:
        if not owners:
            return {}
        ids = sa.func.unnest(sa.cast(list(dict.fromkeys(owners)), ARRAY(Uuid))).table_valued(
            sa.column("owner", Uuid)).render_derived(name="owners")
        where = [anchored(anchor, ids.c.owner), visible_to(viewer), *matching(query.filter, now)]
        page = (sa.select(ticket).where(*where, *after(query.after)).order_by(*_NEWEST)
                .limit(query.limit).lateral("t"))
        rows = await self._session.execute(
            sa.select(ids.c.owner.label("_owner"), page).select_from(ids.join(page, sa.true())))
        out: dict[uuid.UUID, TicketPage] = {o: TicketPage([]) for o in owners}
        for row in rows.mappings():
            out[row["_owner"]].tickets.append(self._codec.ticket(row))
        if query.count:
            counted = sa.select(sa.func.count()).select_from(ticket).where(*where)
            totals = await self._session.execute(
                sa.select(ids.c.owner, counted.scalar_subquery()).select_from(ids))
            for owner, total in totals:
                out[owner] = TicketPage(out[owner].tickets, int(total))
        return out

    async def requested_by(self, viewer: Actor, query: ListQuery, now: dt.datetime) -> TicketPage:
        where = [owned_by(viewer), *matching(query.filter, now)]
        rows = await self._session.execute(
            sa.select(ticket).where(*where, *after(query.after)).order_by(*_NEWEST)
            .limit(query.limit))
        tickets = [self._codec.ticket(r) for r in rows.mappings()]
        total = None
        if query.count:
            total = int((await self._session.execute(
                sa.select(sa.func.count()).select_from(ticket).where(*where))).scalar_one())
        return TicketPage(tickets, total)
