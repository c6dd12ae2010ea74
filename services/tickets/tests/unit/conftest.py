"""In-memory unit of work for the tickets use cases."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence

import pytest
from lianxin.tickets.domain.events import Event
from lianxin.tickets.domain.ticket import OrgUnitRef, Ticket


class FakeTickets:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Ticket] = {}

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Ticket]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def add(self, ticket: Ticket) -> bool:
        if ticket.id in self.rows:
            return False
        self.rows[ticket.id] = ticket
        return True

    async def in_subtrees(self, org_ids: Sequence[uuid.UUID],
                          limit: int) -> dict[uuid.UUID, list[Ticket]]:
        newest = sorted(self.rows.values(), key=lambda t: t.submitted_at, reverse=True)
        return {o: [t for t in newest if o in t.org_path][:limit] for o in org_ids}


class FakeOrgUnits:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, OrgUnitRef] = {}

    async def get(self, unit_id: uuid.UUID) -> OrgUnitRef | None:
        return self.rows.get(unit_id)

    async def upsert(self, unit: OrgUnitRef) -> None:
        self.rows[unit.id] = unit


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.tickets = FakeTickets()
        self.org_units = FakeOrgUnits()
        self.committed_events: list[Event] = []
        self._staged: list[Event] = []
        self._snapshot = (dict(self.tickets.rows), dict(self.org_units.rows))

    async def __aenter__(self) -> FakeUnitOfWork:
        self._snapshot = (dict(self.tickets.rows), dict(self.org_units.rows))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.tickets.rows, self.org_units.rows = (copy.copy(s) for s in self._snapshot)
        self._staged = []

    def record(self, event: Event) -> None:
        self._staged.append(event)

    async def commit(self) -> None:
        self._snapshot = (dict(self.tickets.rows), dict(self.org_units.rows))
        self.committed_events += self._staged
        self._staged = []


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
