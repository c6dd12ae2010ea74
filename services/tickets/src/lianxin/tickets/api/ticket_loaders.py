"""The per-request DataLoaders behind Ticket and the ticket lists: every field that reads the
database goes through one, so a page of tickets costs one statement per field, never one per
ticket (tests/api/test_reads_statements.py counts them)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from lianxin.kit.graphql import loader
from lianxin.tickets.api.common import GqlInfo, actor, uow
from lianxin.tickets.app import queries
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.queries import Anchor, ForTickets, ListQuery, TicketPage
from lianxin.tickets.domain.errors import DomainError
from lianxin.tickets.domain.ticket import Ticket

T = TypeVar("T")
MAX_MASTER_HOPS = 5  # a master merged in turn: follow the chain this far for the answer


async def raw_tickets(info: GqlInfo, ids: list[uuid.UUID]) -> list[Ticket | None]:
    """Tickets by id whether or not the caller may see them: only for what a visible ticket
    shows of another (a merged ticket shows its master's answer)."""
    async def batch(keys: list[uuid.UUID]) -> list[Ticket | None]:
        return await queries.tickets_by_id(uow(info), keys)

    return list(await loader(info.context, "ticket", batch).load_many(ids))


async def load_tickets(info: GqlInfo, ids: list[uuid.UUID]) -> list[Ticket | None]:
    """Tickets by id; None where unknown or not the caller's to see (`Actor.sees`)."""
    caller = actor(info)
    return [t if t is not None and caller.sees(t) else None for t in await raw_tickets(info, ids)]


async def answering(info: GqlInfo, ticket: Ticket) -> Ticket:
    """The ticket whose answer this one gets: itself, or for a merged ticket its master (so
    every submitter of a merged demand hears the answer)."""
    current = ticket
    for _ in range(MAX_MASTER_HOPS):
        if current.master_id is None:
            break
        [master] = await raw_tickets(info, [current.master_id])
        if master is None:
            break
        current = master
    return current


async def per_ticket(info: GqlInfo, name: str, ticket_id: uuid.UUID,
                     repository: Callable[[UnitOfWork], ForTickets[T]]) -> list[T]:
    """What the repository holds for one ticket, batched with every other ticket of the
    request (`name` keys the request's loader)."""
    async def batch(keys: list[uuid.UUID]) -> list[list[T]]:
        return await queries.per_ticket(uow(info), keys, repository)

    found: list[T] = await loader(info.context, f"ticket_{name}", batch).load(ticket_id)
    return found


async def tickets_of(info: GqlInfo, anchor: Anchor, owner: uuid.UUID,
                     query: ListQuery) -> TicketPage:
    """One page of the owner's tickets the caller may see; owners asked for with the same
    query in this request share one statement."""
    caller = actor(info)

    async def batch(keys: list[tuple[uuid.UUID, ListQuery]]) -> list[TicketPage]:
        return await _grouped(keys, lambda owners, q: queries.tickets_of(
            uow(info), caller, anchor, owners, q))

    page: TicketPage = await loader(info.context, f"tickets_of_{anchor.value}", batch).load(
        (owner, query))
    return page


async def unit_tickets(info: GqlInfo, unit_id: uuid.UUID, query: ListQuery) -> TicketPage:
    """One page of the tickets reaching into an org unit in the caller's scope (FORBIDDEN
    otherwise)."""
    caller = actor(info)

    async def batch(keys: list[tuple[uuid.UUID, ListQuery]]) -> list[TicketPage | DomainError]:
        return await _grouped(keys, lambda owners, q: queries.unit_tickets(
            uow(info), caller, owners, q))

    page: TicketPage = await loader(info.context, "unit_tickets", batch).load((unit_id, query))
    return page


async def _grouped(keys: list[tuple[uuid.UUID, ListQuery]], fetch: Callable[
        [list[uuid.UUID], ListQuery], Any]) -> list[Any]:
    by_query: dict[ListQuery, list[uuid.UUID]] = defaultdict(list)
    for owner, query in keys:
        by_query[query].append(owner)
    found: dict[tuple[uuid.UUID, ListQuery], Any] = {}
    for query, owners in by_query.items():
        for owner, result in zip(owners, await fetch(owners, query), strict=True):
            found[(owner, query)] = result
    return [found[k] for k in keys]
