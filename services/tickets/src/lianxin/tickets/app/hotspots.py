"""Hot spots and repeat requesters for an org unit — "draw inferences" (举一反三): which
problems pile up where and when (domain/hotspots.py has the spike rule), and who keeps asking.
Counted in SQL; the unit must lie in the caller's scope (else FORBIDDEN); stability-risk
tickets (涉稳) count only for cleared callers. Nothing personal leaves: requesters are opaque
hashes of the blind key, and their tickets are shown only if the caller may see them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain import hotspots as rule
from lianxin.tickets.domain.errors import InvalidTicket, UnknownOrgUnit
from lianxin.tickets.domain.ticket import OrgUnitRef, Ticket

MAX_REQUESTERS = 100
MAX_MIN_TICKETS = 1000


@dataclass(frozen=True, slots=True)
class RepeatRequester:
    requester_key: str          # opaque: truncated SHA-256 of the blind key
    ticket_count: int
    last_ticket_at: dt.datetime
    tickets: list[Ticket]       # newest first, at most 10, only those the caller may see


async def _unit(uow: UnitOfWork, actor: Actor, unit_id: uuid.UUID, what: str) -> OrgUnitRef:
    unit = await uow.org_units.get(unit_id)
    if unit is None:
        raise UnknownOrgUnit(f"no org unit {unit_id}", field="orgUnitId")
    actor.require_at(unit.path, what)
    return unit


async def hot_spots(uow: UnitOfWork, actor: Actor, org_unit_id: uuid.UUID, weeks: int = 8,
                    category: str | None = None, clock: Clock = utcnow) -> list[rule.HotSpot]:
    """Ticket counts by top-level category × place (each child of the unit) × ISO week for the
    last `weeks` weeks including this one, each flagged when it is a spike."""
    if not 1 <= weeks <= rule.MAX_WEEKS:
        raise InvalidTicket(f"weeks must be between 1 and {rule.MAX_WEEKS}", field="weeks")
    async with uow:
        if category is not None and category not in await uow.categories.all():
            raise InvalidTicket(f"unknown category {category!r}; list them with the categories "
                                "query", field="category")
        await _unit(uow, actor, org_unit_id, "hot spots of this unit")
        this_week = rule.week_start(clock())
        first = this_week - dt.timedelta(weeks=weeks - 1)
        counts = await uow.analytics.weekly_counts(
            org_unit_id, rule.week_start_at(first - dt.timedelta(weeks=rule.SPIKE_BASELINE_WEEKS)),
            rule.week_start_at(this_week + dt.timedelta(weeks=1)), category, actor.cleared)
    return rule.hot_spots(counts, first, weeks)


async def repeat_requesters(uow: UnitOfWork, actor: Actor, org_unit_id: uuid.UUID,
                            since: dt.datetime, min_tickets: int = 3) -> list[RepeatRequester]:
    """Requesters with at least `min_tickets` tickets placed under the unit since `since`, most
    tickets first (at most 100). Anonymous tickets never count; confidential-identity ones only
    for cleared callers, as stability-risk ones."""
    if not 2 <= min_tickets <= MAX_MIN_TICKETS:
        raise InvalidTicket(f"minTickets must be between 2 and {MAX_MIN_TICKETS}",
                            field="minTickets")
    if since.tzinfo is None:
        raise InvalidTicket("since needs a time zone, e.g. 2026-11-01T00:00:00+08:00",
                            field="since")
    async with uow:
        await _unit(uow, actor, org_unit_id, "repeat requesters of this unit")
        groups = await uow.analytics.repeat_requesters(
            org_unit_id, since, min_tickets, actor.cleared, actor.cleared, MAX_REQUESTERS)
        found = {t.id: t for t in await uow.tickets.get_many(
            [i for g in groups for i in g.ticket_ids])}
    return [RepeatRequester(
        rule.opaque_key(g.requester_key), g.ticket_count, g.last_ticket_at,
        [found[i] for i in g.ticket_ids if i in found and actor.sees(found[i])]) for g in groups]
