"""Duplicate suggestions (重复诉求提示): at intake, and on a ticket, the open tickets of the same
area and top-level category that say the same thing in other words ("村里自来水停了三天" ~
"我们村停水三天了"). Candidates come from SQL (domain/duplicates.py says which); their texts
are scored in Python (domain/similarity.py). A suggestion only — merging (并单) is the
feedback use case `merge_tickets`, decided by a person.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain import duplicates as rule
from lianxin.tickets.domain.errors import InvalidTicket, UnknownOrgUnit
from lianxin.tickets.domain.similarity import THRESHOLD, Profile, profile, score
from lianxin.tickets.domain.ticket import MAX_TEXT_LENGTH, Status, Ticket

MAX_CANDIDATES = 500   # newest first: a village's open tickets of one category in a quarter
Scored = list[tuple[Ticket, float]]


def _check_limit(limit: int, field: str = "first") -> None:
    if not 1 <= limit <= rule.MAX_SUGGESTIONS:
        raise InvalidTicket(f"{field} must be between 1 and {rule.MAX_SUGGESTIONS}", field=field)


async def _area(uow: UnitOfWork, unit_id: uuid.UUID, field: str) -> uuid.UUID:
    unit = await uow.org_units.get(unit_id)
    if unit is None:
        raise UnknownOrgUnit(f"no org unit {unit_id}; pick the village, community or grid the "
                             "demand is about", field=field)
    ancestors = {u.id: u for u in await uow.org_units.get_many(unit.path)}
    return rule.area_of(unit, ancestors | {unit.id: unit})


async def _candidates(uow: UnitOfWork, actor: Actor, area_id: uuid.UUID, category: str,
                      exclude: Sequence[uuid.UUID], clock: Clock) -> list[Ticket]:
    now = clock()
    found = await uow.analytics.near(
        area_id, rule.top_category(category), now - rule.SUBMITTED_WITHIN,
        now - rule.RESOLVED_WITHIN, actor, exclude, MAX_CANDIDATES)
    return [t for t in found if actor.sees(t) and rule.is_candidate(t, now)]


def _rank(query: Profile, candidates: Sequence[Ticket], limit: int,
          skip: uuid.UUID | None = None) -> Scored:
    scored = [(t, round(score(query, profile(t.text)), 3)) for t in candidates if t.id != skip]
    best = [(t, s) for t, s in scored if s >= THRESHOLD]
    best.sort(key=lambda pair: (-pair[1], -pair[0].submitted_at.timestamp(), str(pair[0].id)))
    return best[:limit]


async def similar_tickets(uow: UnitOfWork, actor: Actor, text: str, org_unit_id: uuid.UUID,
                          category: str, limit: int = 5, exclude_id: uuid.UUID | None = None,
                          clock: Clock = utcnow) -> Scored:
    """Tickets that may be the same problem as `text` raised at `org_unit_id` in `category`,
    best first with their score (0 … 1): open (or resolved within 30 days), submitted within 90
    days, placed in the same village or community (the township's subtree for a demand at a
    township), of the same top-level category, and visible to the actor."""
    _check_limit(limit)
    if not text.strip() or len(text) > MAX_TEXT_LENGTH:
        raise InvalidTicket(f"text must hold 1 to {MAX_TEXT_LENGTH} characters", field="text")
    async with uow:
        if category not in await uow.categories.all():
            raise InvalidTicket(f"unknown category {category!r}; list them with the categories "
                                "query", field="category")
        area = await _area(uow, org_unit_id, "orgUnitId")
        exclude = [exclude_id] if exclude_id is not None else []
        candidates = await _candidates(uow, actor, area, category, exclude, clock)
    return _rank(profile(text), candidates, limit)


async def duplicate_suggestions(uow: UnitOfWork, actor: Actor, ticket_ids: Sequence[uuid.UUID],
                                limit: int = 5, clock: Clock = utcnow
                                ) -> dict[uuid.UUID, Scored]:
    """For each ticket (batched, for `Ticket.duplicateSuggestions`): the tickets that may be the
    same problem, as `similar_tickets` finds them for its text, place and category, never itself.
    Tickets the actor may not see, unknown ones and merged ones get an empty list."""
    _check_limit(limit)
    out: dict[uuid.UUID, Scored] = {i: [] for i in ticket_ids}
    async with uow:
        tickets = [t for t in await uow.tickets.get_many(list(dict.fromkeys(ticket_ids)))
                   if t.status is not Status.MERGED and actor.sees(t)]
        # Tickets of one area and top-level category share their candidates: one query each.
        areas = {unit: await _area(uow, unit, "id") for unit in {t.org_unit_id for t in tickets}}
        groups = {(areas[t.org_unit_id], rule.top_category(t.category)) for t in tickets}
        pools = {g: await _candidates(uow, actor, g[0], g[1], [], clock) for g in groups}
    for t in tickets:
        pool = pools[(areas[t.org_unit_id], rule.top_category(t.category))]
        out[t.id] = _rank(profile(t.text), pool, limit, skip=t.id)
    return out
