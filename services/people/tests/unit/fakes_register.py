"""In-memory register repositories: all state in `self.rows` (the fake unit of work snapshots it).

The households fake answers the `paired` and `needs_help` filters from the other fakes of its
unit of work: give it one (`FakeHouseholds(uow)`, or set `.uow` after construction).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lianxin.people.app.register_ports import HouseholdFilter, HouseholdKey, ResidentFilter, ResidentKey
from lianxin.people.domain.register import Household, NeedsTag, NeedsTagKind, Resident


def fake_digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"fake-key\x00{kind}\x00{value}".encode()).hexdigest()


class FakeHouseholds:
    def __init__(self, uow: Any = None) -> None:
        self.rows: dict[uuid.UUID, Household] = {}
        self.uow = uow

    async def get(self, household_id: uuid.UUID) -> Household | None:
        return self.rows.get(household_id)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Household]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def by_number(self, org_unit_id: uuid.UUID, household_no: str) -> Household | None:
        return next((h for h in self.rows.values()
                     if (h.org_unit_id, h.household_no) == (org_unit_id, household_no)), None)

    async def add(self, household: Household) -> bool:
        if household.id in self.rows or await self.by_number(household.org_unit_id,
                                                             household.household_no):
            return False
        self.rows[household.id] = household
        return True

    async def update(self, household: Household) -> bool:
        stored = self.rows.get(household.id)
        if stored is None or stored.version != household.version - 1:
            return False
        self.rows[household.id] = household
        return True

    def _matches(self, h: Household, where: HouseholdFilter) -> bool:
        if where.root_id not in h.org_path:
            return False
        if where.needs_help is not None or where.needs_tag is not None:
            tags = [t for t in self.uow.needs_tags.rows.values()
                    if t.household_id == h.id and t.active_on(where.on)]
            if where.needs_help is not None and bool(tags) != where.needs_help:
                return False
            if where.needs_tag is not None and all(t.kind is not where.needs_tag for t in tags):
                return False
        if where.paired is not None:
            paired = any(getattr(p, "household_id", None) == h.id and p.ended_on is None
                         for p in self.uow.pairings.rows.values())
            if paired != where.paired:
                return False
        return True

    async def in_subtree(self, where: HouseholdFilter, after: HouseholdKey | None,
                         limit: int) -> list[Household]:
        found = sorted((h for h in self.rows.values() if self._matches(h, where)),
                       key=lambda h: (h.household_no, str(h.id)))
        if after is not None:
            found = [h for h in found if (h.household_no, str(h.id)) > (after[0], str(after[1]))]
        return found[:limit]


class FakeResidents:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Resident] = {}

    def id_number_key(self, id_number: str) -> str:
        return fake_digest("id_number", id_number)

    async def get(self, resident_id: uuid.UUID) -> Resident | None:
        return self.rows.get(resident_id)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Resident]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def of_households(self, household_ids: Sequence[uuid.UUID]) -> list[Resident]:
        return [r for r in self.rows.values() if r.household_id in household_ids]

    async def by_id_number(self, id_number: str) -> Resident | None:
        return next((r for r in self.rows.values() if r.id_number == id_number), None)

    async def add(self, resident: Resident) -> bool:
        if resident.id in self.rows or (resident.id_number and
                                        await self.by_id_number(resident.id_number)):
            return False
        self.rows[resident.id] = resident
        return True

    async def update(self, resident: Resident) -> bool:
        stored = self.rows.get(resident.id)
        if stored is None or stored.version != resident.version - 1:
            return False
        self.rows[resident.id] = resident
        return True

    async def search(self, where: ResidentFilter, after: ResidentKey | None,
                     limit: int) -> list[Resident]:
        def matches(r: Resident) -> bool:
            return ((where.roots is None or any(root in r.org_path for root in where.roots))
                    and (not where.name or where.name.lower() in r.name.lower())
                    and (not where.phone or r.phone == where.phone)
                    and (not where.id_number or r.id_number == where.id_number))

        found = sorted(filter(matches, self.rows.values()), key=lambda r: (r.name, str(r.id)))
        if after is not None:
            found = [r for r in found if (r.name, str(r.id)) > (after[0], str(after[1]))]
        return found[:limit]


class FakeNeedsTags:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, NeedsTag] = {}

    def kind_key(self, kind: NeedsTagKind) -> str:
        return fake_digest("needs_tag.kind", kind.value)

    async def get(self, tag_id: uuid.UUID) -> NeedsTag | None:
        return self.rows.get(tag_id)

    async def of_households(self, household_ids: Sequence[uuid.UUID]) -> list[NeedsTag]:
        return [t for t in self.rows.values() if t.household_id in household_ids]

    async def add(self, tag: NeedsTag) -> bool:
        if tag.id in self.rows:
            return False
        self.rows[tag.id] = tag
        return True

    async def update(self, tag: NeedsTag) -> None:
        self.rows[tag.id] = replace(self.rows[tag.id], until=tag.until)
