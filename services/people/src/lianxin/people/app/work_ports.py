"""What the cadre, campaign, pairing and visit use cases need from storage (SQL and fakes)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Protocol

from lianxin.people.domain.cadre import Cadre, Rank
from lianxin.people.domain.campaign import Campaign
from lianxin.people.domain.org import OrgUnit
from lianxin.people.domain.pairing import Pairing
from lianxin.people.domain.visit import Visit

# Keyset positions: cadres are listed by (name, id), visits newest first by (visited_on, id).
CadreKey = tuple[str, uuid.UUID]
VisitKey = tuple[dt.date, uuid.UUID]


class CadreRepository(Protocol):
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Cadre]: ...
    async def by_subjects(self, subjects: Sequence[str]) -> list[Cadre]: ...
    async def by_phone(self, phone: str) -> list[Cadre]:
        """Cadres with this (normalised) phone, found through its blind index."""
        ...
    def phone_key(self, phone: str) -> str:
        """A stable keyed digest (hex) of a normalised phone, for deterministic ids."""
        ...
    async def pages_under(self, roots: Sequence[uuid.UUID], rank: Rank | None,
                          after: CadreKey | None, limit: int) -> list[list[Cadre]]:
        """For each root, up to `limit` cadres whose work unit is at or below it, after `after`."""
        ...
    async def add(self, cadre: Cadre) -> bool:
        """Insert; False if the id (or the sign-in subject) was taken meanwhile (nothing written)."""
        ...


class CampaignRepository(Protocol):
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Campaign]: ...
    async def concerning(self, unit: OrgUnit) -> list[Campaign]:
        """Campaigns organised at, above or below `unit` (those that apply to it or inside it)."""
        ...
    async def add(self, campaign: Campaign) -> bool: ...


class PairingRepository(Protocol):
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Pairing]: ...
    async def of_cadres(self, cadre_ids: Sequence[uuid.UUID], active_only: bool) -> list[Pairing]: ...
    async def of_households(self, household_ids: Sequence[uuid.UUID],
                            active_only: bool) -> list[Pairing]: ...
    async def household_pairings_under(self, root_id: uuid.UUID) -> list[Pairing]:
        """Active household pairings whose household lies at or below `root_id`."""
        ...
    async def active_household_counts(self, cadre_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]: ...
    async def add(self, pairing: Pairing) -> Pairing | None:
        """Insert with a new card number; the stored pairing, or None when the id was taken or
        the cadre is already actively paired with that household / contact point."""
        ...
    async def end(self, pairing: Pairing) -> None: ...


class VisitRepository(Protocol):
    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Visit]: ...
    async def pages_of_cadres(self, cadre_ids: Sequence[uuid.UUID], after: VisitKey | None,
                              limit: int) -> list[list[Visit]]:
        """For each cadre, up to `limit` visits they led, newest first, after `after`."""
        ...
    async def pages_of_households(self, household_ids: Sequence[uuid.UUID],
                                  after: VisitKey | None, limit: int) -> list[list[Visit]]: ...
    async def add(self, visit: Visit, recorded_by: str) -> bool: ...
