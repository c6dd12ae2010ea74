"""Coverage (覆盖) of a campaign: households visited against registered, cadres meeting their
pairing (联户) and visit quotas, contact cards (党群连心卡) issued — per campaign and org subtree.

The written definitions below are the contract: the GraphQL descriptions and the README quote
them, and the SQL in adapters/coverage_repo.py computes exactly these sets. Everything here is
pure; the adapter supplies per-cadre counts and this module applies the quota rules.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Households a cadre must be paired with when the campaign says nothing for their rank — the
# people service's defaults (Qujing: division level and above 5, section level and below 3); a
# party member without office (rank "") 1.
DEFAULT_QUOTA: Mapping[str, int] = {
    "county_leader": 5, "division": 5, "section": 3, "staff": 3, "village_cadre": 3, "": 1}
FALLBACK_QUOTA = 1  # a rank this build does not know

AREA = ("The campaign's area is the subtrees of the org units it lists, or the organising "
        "unit's subtree when it lists none. ")
REGISTERED = AREA + ("Households registered: households whose org unit lies in the subtree "
                     "asked about and in the campaign's area.")
VISITED = ("Households visited: registered households named in at least one visit (any kind, "
           "by any cadre, whatever campaign it was logged under) dated from the campaign's "
           "start to its end date, inclusive.")
RATE = "Visit rate: households visited ÷ households registered; null when none are registered."
TAKING_PART = ("Cadres taking part: the cadres the campaign lists, or, when it lists none, "
               "every cadre with a pairing created under the campaign; counted in a subtree "
               "when their work unit lies in it.")
PAIRING_QUOTA = ("Pairing quota: a cadre meets it when their active (not ended) household "
                 "pairings, under any campaign, number at least the required households — the "
                 "campaign's minimum for everyone if it sets one (> 0), else its figure for the "
                 "cadre's rank, else the default for the rank (county leader and division 5, "
                 "section, staff and village cadre 3, party member without office 1).")
VISIT_QUOTA = ("Visit quota: the households a cadre must visit are those of their active "
               "household pairings made under the campaign, or all their active household "
               "pairings when none was made under it. The cadre meets the quota when there is "
               "at least one such household and every one of them was visited by the cadre (as "
               "lead or participant) at least once from the campaign's start to its end date.")
CARDS = ("Contact cards issued: active pairings (households and contact points) of the cadres "
         "counted, that carry a card number; `pairings` counts the same pairings with or "
         "without a card.")


@dataclass(frozen=True, slots=True)
class CampaignTerms:
    """What coverage needs of a campaign (活动)."""

    id: uuid.UUID
    name: str
    org_unit_id: uuid.UUID | None
    org_path: tuple[uuid.UUID, ...]
    starts_on: dt.date | None
    ends_on: dt.date | None
    min_households: int = 0                     # 0: use quota_by_rank, then the defaults
    quota_by_rank: Mapping[str, int] = field(default_factory=dict)
    coverage_target: float = 0.0
    org_unit_ids: tuple[uuid.UUID, ...] = ()
    cadre_ids: tuple[uuid.UUID, ...] = ()

    @property
    def area(self) -> tuple[uuid.UUID, ...]:
        """Roots of the subtrees the campaign covers."""
        if self.org_unit_ids:
            return self.org_unit_ids
        return (self.org_unit_id,) if self.org_unit_id else ()


def required_households(rank: str, campaign: CampaignTerms | None) -> int:
    """The pairing quota of a cadre of `rank` (lower-case rank name, "" for a party member
    without office) under `campaign`, or under the defaults when there is none."""
    if campaign is not None:
        if campaign.min_households > 0:
            return campaign.min_households
        if rank in campaign.quota_by_rank:
            return campaign.quota_by_rank[rank]
    return DEFAULT_QUOTA.get(rank, FALLBACK_QUOTA)


@dataclass(frozen=True, slots=True)
class UnvisitedHousehold:
    """A gap: a registered household not visited within the campaign, and where it lives."""

    id: uuid.UUID
    org_unit_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class CadreWork:
    """A taking-part cadre's pairings and visits, as counted by SQL."""

    cadre_id: uuid.UUID
    rank: str
    paired: int                              # active household pairings, any campaign
    to_visit: int                            # households they must visit (see VISIT_QUOTA)
    unvisited: tuple[uuid.UUID, ...]         # …of which not yet visited by them
    pairings: int = 0                        # active pairings, households and contact points
    cards: int = 0                           # …with a card number


@dataclass(frozen=True, slots=True)
class CadreQuota:
    """A cadre's standing against both quotas, and what they miss."""

    cadre_id: uuid.UUID
    rank: str
    required: int
    paired: int
    to_visit: int
    unvisited: tuple[uuid.UUID, ...]

    @property
    def meets_pairing_quota(self) -> bool:
        return self.paired >= self.required

    @property
    def pairing_shortfall(self) -> int:
        return max(self.required - self.paired, 0)

    @property
    def visited(self) -> int:
        return self.to_visit - len(self.unvisited)

    @property
    def meets_visit_quota(self) -> bool:
        return self.to_visit > 0 and not self.unvisited

    @property
    def below_quota(self) -> bool:
        return not (self.meets_pairing_quota and self.meets_visit_quota)


def assess(work: CadreWork, campaign: CampaignTerms | None) -> CadreQuota:
    """Apply the quota rules to one cadre's counts."""
    return CadreQuota(work.cadre_id, work.rank, required_households(work.rank, campaign),
                      work.paired, work.to_visit, work.unvisited)


@dataclass(frozen=True, slots=True)
class Coverage:
    """One campaign's coverage in one subtree (see the definitions above)."""

    campaign_id: uuid.UUID
    subtree_id: uuid.UUID
    starts_on: dt.date | None
    ends_on: dt.date | None
    households_registered: int
    households_visited: int
    coverage_target: float
    cadres_taking_part: int
    cadres_meeting_pairing_quota: int
    cadres_meeting_visit_quota: int
    cadres_meeting_both: int
    pairings: int
    contact_cards_issued: int

    @property
    def visit_rate(self) -> float | None:
        if not self.households_registered:
            return None
        return self.households_visited / self.households_registered

    @property
    def target_met(self) -> bool:
        rate = self.visit_rate
        return rate is not None and rate >= self.coverage_target


def summarise(campaign: CampaignTerms, subtree_id: uuid.UUID, registered: int, visited: int,
              work: Sequence[CadreWork]) -> Coverage:
    """The campaign's coverage in the subtree from the household counts and per-cadre work."""
    quotas = [assess(w, campaign) for w in work]
    return Coverage(
        campaign_id=campaign.id, subtree_id=subtree_id, starts_on=campaign.starts_on,
        ends_on=campaign.ends_on, households_registered=registered, households_visited=visited,
        coverage_target=campaign.coverage_target, cadres_taking_part=len(quotas),
        cadres_meeting_pairing_quota=sum(q.meets_pairing_quota for q in quotas),
        cadres_meeting_visit_quota=sum(q.meets_visit_quota for q in quotas),
        cadres_meeting_both=sum(not q.below_quota for q in quotas),
        pairings=sum(w.pairings for w in work), contact_cards_issued=sum(w.cards for w in work))
