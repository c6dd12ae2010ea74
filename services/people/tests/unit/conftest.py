"""In-memory unit of work for the people use cases (no mocks: real, tiny implementations).

Every fake repository keeps all its state in `self.rows` (a dict), so the unit of work can
snapshot and restore them: only `commit` makes writes visible, like the SQL one.
"""

from __future__ import annotations

import copy
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from lianxin.people.domain import OrgUnit, OrgUnitKind
from lianxin.people.domain.events import Event

# The fakes live beside this file, one module per area (pytest's importlib mode does not put
# test folders on sys.path by itself).
sys.path.insert(0, str(Path(__file__).parent))
from fakes_register import FakeHouseholds, FakeNeedsTags, FakeResidents
from fakes_work import FakeCadres, FakeCampaigns, FakePairings, FakeVisits


class FakeOrgUnits:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, OrgUnit] = {}
        self.changes: list[tuple[uuid.UUID, int, str]] = []

    async def get(self, unit_id: uuid.UUID) -> OrgUnit | None:
        return self.rows.get(unit_id)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[OrgUnit]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def children_of(self, parent_ids: Sequence[uuid.UUID]) -> list[OrgUnit]:
        return [u for u in self.rows.values() if u.parent_id in parent_ids]

    async def roots(self) -> list[OrgUnit]:
        return [u for u in self.rows.values() if u.parent_id is None]

    async def subtree(self, root_id: uuid.UUID, kinds: Sequence[OrgUnitKind] = ()) -> list[OrgUnit]:
        return [u for u in self.rows.values() if root_id in u.path and (not kinds or u.kind in kinds)]

    async def add(self, unit: OrgUnit) -> bool:
        if unit.id in self.rows:
            return False
        self.rows[unit.id] = unit
        return True

    async def rename(self, unit: OrgUnit) -> None:
        self.rows[unit.id] = unit

    async def history(self, unit_ids: Sequence[uuid.UUID]) -> list[dict[str, object]]:
        return []  # history is SQL-only; its API test reads the real table

    async def move(self, unit: OrgUnit, old_path: Sequence[uuid.UUID]) -> int:
        moved = 0
        for other in list(self.rows.values()):
            if unit.id in other.path:
                tail = other.path[len(old_path):]
                self.rows[other.id] = OrgUnit(
                    id=other.id, parent_id=unit.parent_id if other.id == unit.id else other.parent_id,
                    name=other.name, kind=other.kind, path=(*unit.path, *tail),
                    version=unit.version if other.id == unit.id else other.version,
                    subkind=other.subkind)
                moved += 1
        return moved


class FakeUnitOfWork:
    """Stages writes and events; only `commit` makes them visible, like the SQL one."""

    def __init__(self) -> None:
        self.org_units = FakeOrgUnits()
        self.households = FakeHouseholds(self)
        self.residents = FakeResidents()
        self.needs_tags = FakeNeedsTags()
        self.cadres = FakeCadres()
        self.campaigns = FakeCampaigns()
        self.pairings = FakePairings(self)
        self.visits = FakeVisits()
        self.committed_events: list[Event] = []
        self._staged: list[Event] = []
        self._snapshot: dict[str, Any] = {}
        self.commits = 0

    @property
    def _repos(self) -> dict[str, Any]:
        return {name: repo for name, repo in vars(self).items() if hasattr(repo, "rows")}

    async def __aenter__(self) -> FakeUnitOfWork:
        self._snapshot = {name: copy.copy(repo.rows) for name, repo in self._repos.items()}
        self._staged = []
        return self

    async def __aexit__(self, *exc: object) -> None:
        for name, repo in self._repos.items():  # roll back anything uncommitted
            repo.rows = self._snapshot[name]
        self._staged = []

    def record(self, event: Event) -> None:
        self._staged.append(event)

    async def commit(self) -> None:
        self._snapshot = {name: copy.copy(repo.rows) for name, repo in self._repos.items()}
        self.committed_events += self._staged
        self._staged = []
        self.commits += 1


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
