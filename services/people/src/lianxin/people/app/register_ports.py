"""What the register use cases (households, residents, needs tags) need from storage.

Repositories take and return domain objects holding clear values; the SQL ones seal personal
data on the way in and open it on the way out, and look values up by blind index.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from lianxin.people.domain.register import Household, NeedsTag, NeedsTagKind, Resident

# Keyset positions: households are listed by (household number, id), residents by (name, id).
HouseholdKey = tuple[str, uuid.UUID]
ResidentKey = tuple[str, uuid.UUID]


@dataclass(frozen=True, slots=True)
class HouseholdFilter:
    """Households at or below `root_id`; each other field, when set, narrows the list.

    needs_help: has (True) / lacks (False) a needs tag active on `on`;
    needs_tag: has an active tag of this kind on `on`;
    paired: has (True) / lacks (False) an active pairing with a cadre (the coverage gap).
    """

    root_id: uuid.UUID
    on: dt.date
    needs_help: bool | None = None
    needs_tag: NeedsTagKind | None = None
    paired: bool | None = None


@dataclass(frozen=True, slots=True)
class ResidentFilter:
    """Residents under any of `roots` (None: everywhere) matching every filter given:
    `name` a case-insensitive substring; `phone` and `id_number` exact, already normalised."""

    roots: tuple[uuid.UUID, ...] | None
    name: str | None = None
    phone: str | None = None
    id_number: str | None = None


class HouseholdRepository(Protocol):
    async def get(self, household_id: uuid.UUID) -> Household | None: ...
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Household]: ...
    async def by_number(self, org_unit_id: uuid.UUID, household_no: str) -> Household | None: ...
    async def add(self, household: Household) -> bool:
        """Insert; False if the id or (unit, household number) was taken meanwhile."""
        ...
    async def update(self, household: Household) -> bool:
        """Store a changed household (version bumped by one); False if the stored version is
        not the one it was changed from (someone else changed it meanwhile; nothing written)."""
        ...
    async def in_subtree(self, where: HouseholdFilter, after: HouseholdKey | None,
                         limit: int) -> list[Household]:
        """Up to `limit` matching households after `after`, by (household number, id)."""
        ...


class ResidentRepository(Protocol):
    async def get(self, resident_id: uuid.UUID) -> Resident | None: ...
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Resident]: ...
    async def of_households(self, household_ids: Sequence[uuid.UUID]) -> list[Resident]: ...
    async def by_id_number(self, id_number: str) -> Resident | None: ...
    async def add(self, resident: Resident) -> bool:
        """Insert; False if the id or the ID number was taken meanwhile."""
        ...
    async def update(self, resident: Resident) -> bool:
        """Like HouseholdRepository.update."""
        ...
    async def search(self, where: ResidentFilter, after: ResidentKey | None,
                     limit: int) -> list[Resident]:
        """Up to `limit` matching residents after `after`, by (name, id)."""
        ...
    def id_number_key(self, id_number: str) -> str:
        """A stable keyed digest (hex) of a normalised ID number, for deterministic ids:
        never derive anything from the clear number itself."""
        ...


class NeedsTagRepository(Protocol):
    async def get(self, tag_id: uuid.UUID) -> NeedsTag | None: ...
    async def of_households(self, household_ids: Sequence[uuid.UUID]) -> list[NeedsTag]: ...
    async def add(self, tag: NeedsTag) -> bool:
        """Insert; False if the id was taken meanwhile."""
        ...
    async def update(self, tag: NeedsTag) -> None:
        """Store a changed `until`."""
        ...
    def kind_key(self, kind: NeedsTagKind) -> str:
        """A stable keyed digest (hex) of a tag kind (the kind itself is sensitive)."""
        ...
