"""Coverage queries (覆盖): a campaign's figures in a subtree and its two gap lists — households
not visited, cadres below quota — each checked against the caller's org scope first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from lianxin.assessment.app.scope import Directory, Viewer, visible_unit
from lianxin.assessment.domain.coverage import (
    CadreQuota,
    CadreWork,
    CampaignTerms,
    Coverage,
    UnvisitedHousehold,
    assess,
    summarise,
)
from lianxin.kit.errors import NotFound

T = TypeVar("T")


class CoverageReader(Directory, Protocol):
    """Reads of coverage; `Directory` (app/scope.py) for the scope checks."""

    async def campaign(self, campaign_id: uuid.UUID) -> CampaignTerms | None: ...
    async def household_counts(self, c: CampaignTerms, subtree: uuid.UUID) -> tuple[int, int]: ...
    async def unvisited_households(self, c: CampaignTerms, subtree: uuid.UUID,
                                   after: uuid.UUID | None,
                                   limit: int) -> list[UnvisitedHousehold]: ...
    async def cadre_work(self, c: CampaignTerms, subtree: uuid.UUID,
                         after: uuid.UUID | None = None) -> list[CadreWork]: ...


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """Up to `first` rows after a cursor, and whether more follow."""

    rows: list[T]
    has_next: bool


async def _target(reader: CoverageReader, viewer: Viewer, campaign_id: uuid.UUID,
                  subtree_id: uuid.UUID | None) -> tuple[CampaignTerms, uuid.UUID] | None:
    """The campaign and the subtree asked about (default: the organising unit), visible to
    the caller; None when the campaign has not been projected here."""
    found = await reader.campaign(campaign_id)
    if found is None:
        return None
    subtree = subtree_id or found.org_unit_id
    if subtree is None:
        raise NotFound(f"campaign {campaign_id} names no organising unit; give subtreeId",
                       field="subtreeId")
    await visible_unit(reader, viewer, subtree, "subtreeId")
    return found, subtree


async def campaign_coverage(reader: CoverageReader, viewer: Viewer, campaign_id: uuid.UUID,
                            subtree_id: uuid.UUID | None = None) -> Coverage | None:
    """The campaign's coverage in the subtree (see domain/coverage.py for every definition)."""
    target = await _target(reader, viewer, campaign_id, subtree_id)
    if target is None:
        return None
    found, subtree = target
    registered, visited = await reader.household_counts(found, subtree)
    return summarise(found, subtree, registered, visited, await reader.cadre_work(found, subtree))


async def unvisited_households(reader: CoverageReader, viewer: Viewer, campaign_id: uuid.UUID,
                               subtree_id: uuid.UUID | None, first: int,
                               after: uuid.UUID | None) -> Slice[UnvisitedHousehold]:
    """Registered households of the subtree not visited within the campaign, by id."""
    target = await _target(reader, viewer, campaign_id, subtree_id)
    if target is None:
        return Slice([], False)
    rows = await reader.unvisited_households(*target, after, first + 1)
    return Slice(rows[:first], len(rows) > first)


async def cadres_below_quota(reader: CoverageReader, viewer: Viewer, campaign_id: uuid.UUID,
                             subtree_id: uuid.UUID | None, first: int,
                             after: uuid.UUID | None) -> Slice[CadreQuota]:
    """Taking-part cadres missing the pairing or the visit quota, by id, with what they miss."""
    target = await _target(reader, viewer, campaign_id, subtree_id)
    if target is None:
        return Slice([], False)
    found, subtree = target
    gaps = [q for q in (assess(w, found) for w in await reader.cadre_work(found, subtree, after))
            if q.below_quota]
    return Slice(gaps[:first], len(gaps) > first)
