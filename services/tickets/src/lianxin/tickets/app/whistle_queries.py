"""Whistle reads: by id, the tickets they were blown on, and the whistles of an org unit — all
limited to what the caller sees (who sees the ticket sees its whistles; summoned departments
see it through the ticket's involved units)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.errors import UnknownOrgUnit
from lianxin.tickets.domain.ticket import Ticket
from lianxin.tickets.domain.whistle import Whistle


async def whistles_by_id(uow: UnitOfWork, actor: Actor,
                         ids: Sequence[uuid.UUID]) -> list[Whistle | None]:
    """Whistles by id; None where unknown or its ticket is not the caller's to see."""
    async with uow:
        found = {w.id: w for w in await uow.whistles.get_many(ids)}
        seen = await _seen_tickets(uow, actor, {w.ticket_id for w in found.values()})
    return [w if (w := found.get(i)) is not None and w.ticket_id in seen else None for i in ids]


async def _seen_tickets(uow: UnitOfWork, actor: Actor,
                        ids: set[uuid.UUID]) -> dict[uuid.UUID, Ticket]:
    return {t.id: t for t in await uow.tickets.get_many(list(ids)) if actor.sees(t)}


async def tickets_of(uow: UnitOfWork, actor: Actor,
                     ids: Sequence[uuid.UUID]) -> list[Ticket | None]:
    """The whistles' tickets, None where the caller does not see it."""
    async with uow:
        seen = await _seen_tickets(uow, actor, set(ids))
    return [seen.get(i) for i in ids]


@dataclass(frozen=True, slots=True)
class WhistlePage:
    whistles: list[Whistle]
    has_next: bool
    end: tuple[dt.datetime, uuid.UUID] | None   # keyset position of the page's last row


async def whistles_in(uow: UnitOfWork, actor: Actor, unit_id: uuid.UUID, *, open_only: bool,
                      first: int, after: tuple[dt.datetime, uuid.UUID] | None) -> WhistlePage:
    """Whistles blown in the unit's subtree or summoning a department in it, newest first;
    whistles on tickets the caller may not see (stability-risk items without clearance) are
    left out by the query itself, so every page is full until the last."""
    async with uow:
        unit = await uow.org_units.get(unit_id)
        if unit is None:
            raise UnknownOrgUnit(f"no org unit {unit_id}", field="orgUnitId")
        actor.require_at(unit.path, f"whistles of {unit.name}")
        rows = await uow.whistles.in_unit(unit_id, actor, open_only=open_only,
                                          limit=first + 1, after=after)
        shown = rows[:first]
    return WhistlePage(whistles=shown, has_next=len(rows) > first,
                       end=(shown[-1].blown_at, shown[-1].id) if shown else None)
