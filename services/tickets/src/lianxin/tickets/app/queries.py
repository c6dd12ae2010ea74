"""Read use cases: tickets by id, the lists a caller pages through (an org unit's, a household's,
a visit's, a cadre's, their own), what of a requester's contact they may see, and which live
events they may follow.

Visibility is `Actor.sees` everywhere; the lists apply the same rule in SQL (adapters/reads.py),
so a page never holds, nor a count counts, a ticket the caller may not see.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.errors import DomainError, NotFound
from lianxin.tickets.domain.scheduling import running_clock
from lianxin.tickets.domain.sla import Clock as SlaClock
from lianxin.tickets.domain.ticket import (
    Channel,
    Kind,
    Ledger,
    OrgUnitRef,
    Status,
    Ticket,
    Urgency,
)

T = TypeVar("T")
NO_CONTACT_ROLES = ("analyst", "screen")  # statistics and wall screens: never a requester


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """What a list shows; empty tuples and None mean "any". A category code matches its
    sub-categories ("water" matches "water.supply"); `overdue` is whether a running clock is
    past its deadline (a paused ticket is not overdue); `text` is a substring of the text or
    the code; `submitted_to` is exclusive."""

    statuses: tuple[Status, ...] = ()
    kinds: tuple[Kind, ...] = ()
    categories: tuple[str, ...] = ()
    ledgers: tuple[Ledger, ...] = ()
    channels: tuple[Channel, ...] = ()
    urgencies: tuple[Urgency, ...] = ()
    overdue: bool | None = None
    submitted_from: dt.datetime | None = None
    submitted_to: dt.datetime | None = None
    text: str | None = None
    involving_department: uuid.UUID | None = None


class Anchor(enum.Enum):
    """Whose tickets a list holds (the owner id's meaning)."""

    UNIT = "unit"                  # reaching into an org unit (its place, handler or a task)
    HOUSEHOLD = "household"        # raised by a household
    VISIT = "visit"                # recorded on a visit
    CADRE = "cadre"                # with an assignment naming the cadre responsible
    CADRE_OPEN = "cadre_open"      # … whose assignment is active and ticket still open
    MASTER = "master"              # merged into a master ticket


Keyset = tuple[dt.datetime, uuid.UUID]


@dataclass(frozen=True, slots=True)
class ListQuery:
    """One page request: newest first by (submitted_at desc, id), strictly after `after`;
    `limit` rows (a caller asks for one more than it shows, to know if more exist)."""

    limit: int
    filter: TicketFilter = field(default_factory=TicketFilter)
    after: Keyset | None = None
    count: bool = False  # also count every matching ticket (one more statement)


@dataclass(frozen=True, slots=True)
class TicketPage:
    tickets: list[Ticket]
    total: int | None = None


async def tickets_by_id(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[Ticket | None]:
    """Tickets by id, unfiltered: callers apply `Actor.sees` (a merged ticket's submitter gets
    the master's answer without seeing the master)."""
    async with uow:
        found = {t.id: t for t in await uow.tickets.get_many(ids)}
    return [found.get(i) for i in ids]


class ForTickets(Protocol[T]):
    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[T]]: ...


async def per_ticket(uow: UnitOfWork, ids: Sequence[uuid.UUID],
                     repository: Callable[[UnitOfWork], ForTickets[T]]) -> list[list[T]]:
    """What one repository holds for each ticket (history, assignments, whistles …), in one
    statement for all of them."""
    async with uow:
        found = await repository(uow).for_tickets(ids)
    return [found.get(i, []) for i in ids]


async def tickets_of(uow: UnitOfWork, actor: Actor, anchor: Anchor,
                     owners: Sequence[uuid.UUID], query: ListQuery,
                     clock: Clock = utcnow) -> list[TicketPage]:
    """One page of each owner's tickets that the caller may see."""
    async with uow:
        found = await uow.reads.lists(anchor, owners, actor, query, clock())
    return [found.get(o, TicketPage([], 0 if query.count else None)) for o in owners]


async def unit_tickets(uow: UnitOfWork, actor: Actor, unit_ids: Sequence[uuid.UUID],
                       query: ListQuery, clock: Clock = utcnow) -> list[TicketPage | DomainError]:
    """One page of tickets reaching into each org unit; each unit must lie in the caller's
    scope (else FORBIDDEN for that unit; NOT_FOUND if unknown)."""
    async with uow:
        units = {u.id: u for u in await uow.org_units.get_many(unit_ids)}
        allowed: list[uuid.UUID] = []
        out: dict[uuid.UUID, TicketPage | DomainError] = {}
        for unit_id in unit_ids:
            try:
                _require_unit(actor, unit_id, units.get(unit_id))
                allowed.append(unit_id)
            except DomainError as exc:
                out[unit_id] = exc
        found = await uow.reads.lists(Anchor.UNIT, allowed, actor, query, clock())
    empty = TicketPage([], 0 if query.count else None)
    return [out.get(u) or found.get(u, empty) for u in unit_ids]


async def my_tickets(uow: UnitOfWork, actor: Actor, query: ListQuery,
                     clock: Clock = utcnow) -> TicketPage:
    """The caller's own tickets: submitted by them, or recorded for them (a resident)."""
    async with uow:
        return await uow.reads.requested_by(actor, query, clock())


async def unit_in_scope(uow: UnitOfWork, actor: Actor, unit_id: uuid.UUID) -> OrgUnitRef:
    """The org unit, which the caller works in (NOT_FOUND / FORBIDDEN otherwise)."""
    async with uow:
        unit = await uow.org_units.get(unit_id)
    return _require_unit(actor, unit_id, unit)


def _require_unit(actor: Actor, unit_id: uuid.UUID, unit: OrgUnitRef | None) -> OrgUnitRef:
    if unit is None:
        raise NotFound(f"org unit {unit_id} is not known to the tickets service",
                       field="orgUnitId")
    actor.require_at(unit.path, f"org unit {unit.name}")
    return unit


def shows_contact(actor: Actor, ticket: Ticket) -> bool:
    """Whether the caller (who sees the ticket) may see who raised it, even masked: the owner
    always; nobody else on an anonymous ticket; never analysts or screens; on a confidential
    ticket only the cleared."""
    if actor.owns(ticket):
        return True
    if ticket.anonymous or actor.role in NO_CONTACT_ROLES:
        return False
    return actor.cleared if ticket.confidential else actor.sees(ticket)


def late_clocks(ticket: Ticket, now: dt.datetime) -> frozenset[SlaClock]:
    """The clocks past their deadline at `now`: at most the one the ticket's state runs, and
    none while it is paused (the same rule as the scheduler's alarms)."""
    running = running_clock(ticket)
    if running is None or ticket.paused_at is not None or now <= running[1].at:
        return frozenset()
    return frozenset({running[0]})


@dataclass(frozen=True, slots=True)
class LiveTicketEvent:
    """A committed ticket event as the live feed carries it: no personal data, and where it
    reaches (`reach`) and whether it is a stability-risk item (`sensitive`) for filtering."""

    ticket_id: uuid.UUID
    code: str
    type: str
    status: Status
    reach: tuple[uuid.UUID, ...]
    sensitive: bool
    at: dt.datetime


def follows(actor: Actor, unit_id: uuid.UUID, event: LiveTicketEvent) -> bool:
    """Whether a subscriber to the unit's feed (scope checked when subscribing) gets it:
    the ticket reaches into the unit, and stability-risk items only for the cleared."""
    return unit_id in event.reach and (actor.cleared or not event.sensitive)
