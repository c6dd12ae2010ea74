"""In-memory cadre-work repositories: all state in `self.rows` (the fake unit of work snapshots it).

They mirror what the SQL ones guarantee: `add` inserts nothing for a taken id (or subject, or
an active cadre–household pair), pages are keyset pages in the same order.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from fakes_register import fake_digest
from lianxin.people.app.work_ports import CadreKey, VisitKey
from lianxin.people.domain.cadre import Cadre, Rank
from lianxin.people.domain.campaign import Campaign
from lianxin.people.domain.org import OrgUnit
from lianxin.people.domain.pairing import Pairing
from lianxin.people.domain.visit import Visit


class FakeCadres:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Cadre] = {}

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Cadre]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def by_subjects(self, subjects: Sequence[str]) -> list[Cadre]:
        return [c for c in self.rows.values() if c.subject is not None and c.subject in subjects]

    async def by_phone(self, phone: str) -> list[Cadre]:
        return [c for c in self.rows.values() if c.phone == phone]

    def phone_key(self, phone: str) -> str:
        return fake_digest("phone", phone)

    async def pages_under(self, roots: Sequence[uuid.UUID], rank: Rank | None,
                          after: CadreKey | None, limit: int) -> list[list[Cadre]]:
        ordered = sorted(self.rows.values(), key=lambda c: (c.name, c.id))
        return [[c for c in ordered if root in c.org_path and (rank is None or c.rank is rank)
                 and (after is None or (c.name, c.id) > after)][:limit] for root in roots]

    async def add(self, cadre: Cadre) -> bool:
        if cadre.id in self.rows or (cadre.subject and await self.by_subjects([cadre.subject])):
            return False
        self.rows[cadre.id] = cadre
        return True


class FakeCampaigns:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Campaign] = {}

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Campaign]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def concerning(self, unit: OrgUnit) -> list[Campaign]:
        return [c for c in self.rows.values() if unit.id in c.org_path or c.org_unit_id in unit.path]

    async def add(self, campaign: Campaign) -> bool:
        if campaign.id in self.rows:
            return False
        self.rows[campaign.id] = campaign
        return True


class FakePairings:
    """Checks the cadre and household exist in its unit of work, as the foreign keys do."""

    def __init__(self, uow: Any) -> None:
        self.rows: dict[uuid.UUID, Pairing] = {}
        self.uow = uow
        # Like a PostgreSQL sequence, card numbers are not rolled back with the transaction.
        self._card_numbers = itertools.count(1)

    def _select(self, where: Callable[[Pairing], bool]) -> list[Pairing]:
        return sorted((p for p in self.rows.values() if where(p)),
                      key=lambda p: (p.started_on, p.card_no))

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Pairing]:
        return [self.rows[i] for i in ids if i in self.rows]

    async def of_cadres(self, cadre_ids: Sequence[uuid.UUID], active_only: bool) -> list[Pairing]:
        return self._select(lambda p: p.cadre_id in cadre_ids and (p.active or not active_only))

    async def of_households(self, household_ids: Sequence[uuid.UUID],
                            active_only: bool) -> list[Pairing]:
        return self._select(lambda p: p.household_id in household_ids
                            and (p.active or not active_only))

    async def household_pairings_under(self, root_id: uuid.UUID) -> list[Pairing]:
        return self._select(lambda p: root_id in p.org_path and p.household_id is not None
                            and p.active)

    async def active_household_counts(self, cadre_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        counts: dict[uuid.UUID, int] = {}
        for p in self._select(lambda p: p.cadre_id in cadre_ids and p.household_id is not None
                              and p.active):
            counts[p.cadre_id] = counts.get(p.cadre_id, 0) + 1
        return counts

    async def add(self, pairing: Pairing) -> Pairing | None:
        assert pairing.cadre_id in self.uow.cadres.rows, "fk_pairing_cadre"
        assert pairing.household_id is None or pairing.household_id in self.uow.households.rows
        stored = replace(pairing, card_no=f"LX-{next(self._card_numbers):06d}")
        twin = any(p.active and (p.cadre_id, p.household_id, p.contact_point_id) ==
                   (pairing.cadre_id, pairing.household_id, pairing.contact_point_id)
                   for p in self.rows.values())
        if pairing.id in self.rows or twin:
            return None
        self.rows[pairing.id] = stored
        return stored

    async def end(self, pairing: Pairing) -> None:
        self.rows[pairing.id] = pairing


class FakeVisits:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Visit] = {}

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Visit]:
        return [self.rows[i] for i in ids if i in self.rows]

    def _pages(self, owners: Sequence[uuid.UUID], owns: Callable[[uuid.UUID, Visit], bool],
               after: VisitKey | None, limit: int) -> list[list[Visit]]:
        newest = sorted(self.rows.values(), key=lambda v: (v.visited_on, v.id), reverse=True)
        return [[v for v in newest if owns(o, v) and (after is None or (v.visited_on, v.id) < after)
                 ][:limit] for o in owners]

    async def pages_of_cadres(self, cadre_ids: Sequence[uuid.UUID], after: VisitKey | None,
                              limit: int) -> list[list[Visit]]:
        return self._pages(cadre_ids, lambda o, v: v.cadre_id == o, after, limit)

    async def pages_of_households(self, household_ids: Sequence[uuid.UUID],
                                  after: VisitKey | None, limit: int) -> list[list[Visit]]:
        return self._pages(household_ids, lambda o, v: o in v.household_ids, after, limit)

    async def add(self, visit: Visit, recorded_by: str) -> bool:
        if visit.id in self.rows:
            return False
        self.rows[visit.id] = visit
        return True
