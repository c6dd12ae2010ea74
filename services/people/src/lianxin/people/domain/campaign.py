"""Campaigns (活动): a time-boxed drive that sets pairing quotas and a visit-coverage target."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from lianxin.people.domain.cadre import DEFAULT_QUOTA, Cadre, Rank
from lianxin.people.domain.common import check_period, clean_text
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.org import OrgUnit

MAX_NAME, MAX_QUOTA = 100, 500


@dataclass(frozen=True, slots=True)
class Campaign:
    id: uuid.UUID
    name: str
    org_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]
    starts_on: dt.date
    ends_on: dt.date
    min_households: int | None = None
    quota_by_rank: tuple[tuple[Rank, int], ...] = ()
    coverage_target: float = 1.0
    org_unit_ids: tuple[uuid.UUID, ...] = ()
    cadre_ids: tuple[uuid.UUID, ...] = ()
    version: int = 1

    def same_content(self, other: object) -> bool:
        return isinstance(other, Campaign) and (
            (self.name, self.org_unit_id, self.starts_on, self.ends_on, self.min_households,
             self.quota_by_rank, self.coverage_target, self.org_unit_ids, self.cadre_ids) ==
            (other.name, other.org_unit_id, other.starts_on, other.ends_on,
             other.min_households, other.quota_by_rank, other.coverage_target,
             other.org_unit_ids, other.cadre_ids))

    def quota_for(self, cadre: Cadre) -> int:
        """Households this campaign requires of the cadre: its minimum for everyone if set,
        else its figure for the cadre's rank, else the default for the rank."""
        if self.min_households is not None:
            return self.min_households
        return dict(self.quota_by_rank).get(cadre.rank, DEFAULT_QUOTA[cadre.rank])  # type: ignore[arg-type]


def required_households(cadre: Cadre, campaign: Campaign | None) -> int:
    """The pairing quota for `cadre`, under `campaign` or the default rules."""
    return campaign.quota_for(cadre) if campaign else DEFAULT_QUOTA[cadre.rank]


def new_campaign(campaign_id: uuid.UUID, *, name: str, organiser: OrgUnit, starts_on: dt.date,
                 ends_on: dt.date, min_households: int | None,
                 quota_by_rank: dict[Rank, int], coverage_target: float,
                 org_unit_ids: list[uuid.UUID], cadre_ids: list[uuid.UUID]) -> Campaign:
    check_period(starts_on, ends_on, "startsOn", "endsOn")
    for figure, field in [(min_households, "minHouseholds"), *((v, "quotaByRank") for v in
                                                               quota_by_rank.values())]:
        if figure is not None and not 0 <= figure <= MAX_QUOTA:
            raise InvalidInput(f"{field} must be between 0 and {MAX_QUOTA}, got {figure}",
                               field=field)
    if not 0 < coverage_target <= 1:
        raise InvalidInput(f"coverageTarget is a share between 0 (exclusive) and 1, got "
                           f"{coverage_target}", field="coverageTarget")
    return Campaign(
        id=campaign_id, name=clean_text(name, "name", max_length=MAX_NAME),
        org_unit_id=organiser.id, org_path=organiser.path, starts_on=starts_on, ends_on=ends_on,
        min_households=min_households,
        quota_by_rank=tuple(sorted(quota_by_rank.items(), key=lambda kv: kv[0].value)),
        coverage_target=coverage_target,
        org_unit_ids=tuple(dict.fromkeys(org_unit_ids)), cadre_ids=tuple(dict.fromkeys(cadre_ids)))
