"""What the use cases need; SQL adapters and in-memory fakes implement it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol

from lianxin.tickets.domain.events import Event
from lianxin.tickets.domain.ticket import OrgUnitRef, Ticket


class TicketRepository(Protocol):
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Ticket]: ...
    async def add(self, ticket: Ticket) -> bool:
        """Insert; False if a ticket with this id was committed meanwhile (nothing written)."""
        ...
    async def in_subtrees(self, org_ids: Sequence[uuid.UUID],
                          limit: int) -> dict[uuid.UUID, list[Ticket]]: ...


class OrgUnitRefRepository(Protocol):
    async def get(self, unit_id: uuid.UUID) -> OrgUnitRef | None: ...
    async def upsert(self, unit: OrgUnitRef) -> None: ...


class UnitOfWork(Protocol):
    @property
    def tickets(self) -> TicketRepository: ...
    @property
    def org_units(self) -> OrgUnitRefRepository: ...

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None: ...
    def record(self, event: Event) -> None: ...
    async def commit(self) -> None: ...
