"""Coverage rules (domain/coverage.py) and queries (app/coverage.py) with an in-memory reader:
which quota applies, when each quota is met, the summary's sums and rate, the default subtree,
scope refusals, and the gap lists' pages."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field, replace

import pytest
from lianxin.assessment.app import coverage as app
from lianxin.assessment.app.scope import CadreRef, Unit
from lianxin.assessment.domain.coverage import (
    DEFAULT_QUOTA,
    CadreWork,
    CampaignTerms,
    UnvisitedHousehold,
    assess,
    required_households,
    summarise,
)
from lianxin.kit.auth import Principal
from lianxin.kit.errors import Forbidden, NotFound

COUNTY, TOWN, OTHER = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
K = uuid.UUID(int=9)
CAMPAIGN = CampaignTerms(id=K, name="进基层", org_unit_id=COUNTY, org_path=(COUNTY,),
                         starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 5, 31),
                         quota_by_rank={"section": 2}, coverage_target=0.9)


def cid(n: int) -> uuid.UUID:
    return uuid.UUID(int=100 + n)


def work(n: int, rank: str = "staff", paired: int = 3, to_visit: int = 2,
         unvisited: tuple[uuid.UUID, ...] = (), cards: int = 0) -> CadreWork:
    return CadreWork(cid(n), rank, paired, to_visit, unvisited, pairings=paired, cards=cards)


def test_the_campaign_minimum_then_its_rank_figure_then_the_default() -> None:
    assert required_households("section", CAMPAIGN) == 2
    assert required_households("division", CAMPAIGN) == DEFAULT_QUOTA["division"] == 5
    assert required_households("", CAMPAIGN) == 1          # member without office
    assert required_households("astronaut", None) == 1     # a rank this build does not know


def test_min_households_overrides_every_rank() -> None:
    strict = replace(CAMPAIGN, min_households=20)
    assert [required_households(r, strict) for r in ("section", "division", "")] == [20] * 3


def test_the_visit_quota_needs_households_and_every_one_visited() -> None:
    assert assess(work(1), CAMPAIGN).meets_visit_quota
    assert not assess(work(2, to_visit=0), CAMPAIGN).meets_visit_quota
    missing = assess(work(3, unvisited=(cid(50),)), CAMPAIGN)
    assert not missing.meets_visit_quota and missing.visited == 1
    short = assess(work(4, rank="division", paired=3), CAMPAIGN)
    assert (short.meets_pairing_quota, short.pairing_shortfall, short.below_quota) == (False, 2, True)


def test_the_summary_counts_and_rates() -> None:
    c = summarise(CAMPAIGN, TOWN, 10, 9, [
        work(1, cards=2), work(2, rank="division", cards=1), work(3, unvisited=(cid(50),))])
    assert (c.cadres_taking_part, c.cadres_meeting_pairing_quota, c.cadres_meeting_visit_quota,
            c.cadres_meeting_both) == (3, 2, 2, 1)
    assert (c.pairings, c.contact_cards_issued) == (9, 3)
    assert c.visit_rate == 0.9 and c.target_met
    empty = summarise(CAMPAIGN, TOWN, 0, 0, [])
    assert empty.visit_rate is None and not empty.target_met


@dataclass
class FakeReader:
    """In memory: units, one campaign, canned counts and per-cadre work."""

    paths: dict[uuid.UUID, tuple[uuid.UUID, ...]] = field(default_factory=lambda: {
        COUNTY: (COUNTY,), TOWN: (COUNTY, TOWN), OTHER: (COUNTY, OTHER)})
    households: list[UnvisitedHousehold] = field(default_factory=lambda: [
        UnvisitedHousehold(cid(60 + n), TOWN) for n in range(5)])
    work: list[CadreWork] = field(default_factory=list)
    asked: list[uuid.UUID] = field(default_factory=list)

    async def units(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Unit]:
        return {u: Unit(u, None, f"unit {u.int}", "township", self.paths[u])
                for u in ids if u in self.paths}

    async def campaign(self, campaign_id: uuid.UUID) -> CampaignTerms | None:
        return CAMPAIGN if campaign_id == K else None

    async def cadres(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, CadreRef]:
        return {}

    async def household_counts(self, c: CampaignTerms, subtree: uuid.UUID) -> tuple[int, int]:
        self.asked.append(subtree)
        return 10, 4

    async def unvisited_households(self, c: CampaignTerms, subtree: uuid.UUID,
                                   after: uuid.UUID | None,
                                   limit: int) -> list[UnvisitedHousehold]:
        return [h for h in self.households if after is None or h.id > after][:limit]

    async def cadre_work(self, c: CampaignTerms, subtree: uuid.UUID,
                         after: uuid.UUID | None = None) -> list[CadreWork]:
        return [w for w in self.work if after is None or w.cadre_id > after]


def town_cadre() -> Principal:
    return Principal("cadre-1", "cadre", (str(TOWN),))


async def test_the_default_subtree_is_the_organising_unit() -> None:
    reader = FakeReader(work=[work(1), work(2, rank="division")])
    c = await app.campaign_coverage(reader, Principal("a", "analyst", (str(COUNTY),)), K)
    assert c is not None and c.subtree_id == COUNTY and reader.asked == [COUNTY]
    assert (c.households_registered, c.households_visited, c.cadres_meeting_both) == (10, 4, 1)
    assert await app.campaign_coverage(reader, town_cadre(), uuid.UUID(int=77)) is None


async def test_scope_is_checked_before_anything_is_counted() -> None:
    reader = FakeReader()
    with pytest.raises(Forbidden):
        await app.campaign_coverage(reader, town_cadre(), K)          # the county
    with pytest.raises(Forbidden):
        await app.unvisited_households(reader, town_cadre(), K, OTHER, 10, None)
    with pytest.raises(NotFound):
        await app.cadres_below_quota(reader, town_cadre(), K, uuid.UUID(int=55), 10, None)
    assert reader.asked == []
    assert await app.campaign_coverage(reader, town_cadre(), K, TOWN) is not None


async def test_gap_lists_page_by_id() -> None:
    reader = FakeReader(work=[work(1), work(2, rank="division"), work(3, to_visit=0), work(4)])
    first = await app.unvisited_households(reader, town_cadre(), K, TOWN, 2, None)
    assert first.rows == reader.households[:2] and first.has_next
    last = await app.unvisited_households(reader, town_cadre(), K, TOWN, 10, first.rows[-1].id)
    assert last.rows == reader.households[2:] and not last.has_next

    gaps = await app.cadres_below_quota(reader, town_cadre(), K, TOWN, 1, None)
    assert [q.cadre_id for q in gaps.rows] == [cid(2)] and gaps.has_next
    rest = await app.cadres_below_quota(reader, town_cadre(), K, TOWN, 1, cid(2))
    assert [q.cadre_id for q in rest.rows] == [cid(3)] and not rest.has_next


@pytest.mark.parametrize("rank", sorted(DEFAULT_QUOTA))
def test_every_known_rank_has_a_default(rank: str) -> None:
    assert required_households(rank, None) == DEFAULT_QUOTA[rank] >= 1
