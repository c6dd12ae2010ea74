"""In-memory unit of work for the people use cases (no mocks: a real, tiny implementation)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pytest
from lianxin.people.domain.events import Event
from lianxin.people.domain.org import OrgUnit


class FakeOrgUnits:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, OrgUnit] = {}

    async def get(self, unit_id: uuid.UUID) -> OrgUnit | None:
        return self.rows.get(unit_id)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[OrgUnit]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def children_of(self, parent_ids: Sequence[uuid.UUID]) -> list[OrgUnit]:
        return [u for u in self.rows.values() if u.parent_id in parent_ids]

    async def roots(self) -> list[OrgUnit]:
        return [u for u in self.rows.values() if u.parent_id is None]

    async def add(self, unit: OrgUnit) -> bool:
        if unit.id in self.rows:
            return False
        self.rows[unit.id] = unit
        return True


class FakeUnitOfWork:
    """Stages writes and events; only `commit` makes them visible, like the SQL one."""

    def __init__(self) -> None:
        self.org_units = FakeOrgUnits()
        self.committed_events: list[Event] = []
        self._staged: list[Event] = []
        self._snapshot: dict[uuid.UUID, OrgUnit] = {}
        self.commits = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        self._snapshot = dict(self.org_units.rows)
        self._staged = []
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.org_units.rows = self._snapshot  # roll back anything uncommitted
        self._staged = []

    def record(self, event: Event) -> None:
        self._staged.append(event)

    async def commit(self) -> None:
        self._snapshot = dict(self.org_units.rows)
        self.committed_events += self._staged
        self._staged = []
        self.commits += 1


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
