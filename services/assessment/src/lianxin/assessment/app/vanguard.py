"""Vanguard index queries and the admin's rules (先锋指数): scores for many members at once (a
page of cadres costs a fixed number of statements), and `set_vanguard_rules`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from lianxin.assessment.app.scope import Viewer
from lianxin.assessment.domain.coverage import CampaignTerms, required_households
from lianxin.assessment.domain.periods import Period
from lianxin.assessment.domain.vanguard import (
    Rule,
    VanguardIndex,
    check_rules,
    effective_rules,
    score,
)
from lianxin.kit.errors import CodedError, Forbidden, NotFound


@dataclass(frozen=True, slots=True)
class Member:
    """A cadre as the index needs them."""

    id: uuid.UUID
    subject: str | None
    rank: str
    party_member: bool
    org_path: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class Activity:
    """Raw counts of one member in a period (see the items' definitions)."""

    visits: int = 0
    paired_at_end: int = 0
    tickets_on_time: int = 0
    whistle_reports_on_time: int = 0
    satisfied_ratings: int = 0


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules in force for a campaign (None: the deployment default), item by item."""

    campaign_id: uuid.UUID | None
    rules: tuple[Rule, ...]


class VanguardReader(Protocol):
    async def members(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Member]: ...
    async def campaign(self, campaign_id: uuid.UUID) -> CampaignTerms | None: ...
    async def rules(self, campaign_id: uuid.UUID | None) -> tuple[list[Rule], list[Rule]]:
        """(the campaign's stored rules, the deployment's); the first is empty for None."""
        ...
    async def activity(self, members: Sequence[Member], start: dt.date,
                       end: dt.date) -> dict[uuid.UUID, Activity]: ...


class RuleStore(VanguardReader, Protocol):
    async def replace_rules(self, campaign_id: uuid.UUID | None, rules: Sequence[Rule],
                            by: str) -> None: ...
    async def commit(self) -> None: ...


async def _rules_for(reader: VanguardReader, campaign_id: uuid.UUID | None
                     ) -> tuple[CampaignTerms | None, dict[str, Rule]]:
    found = None
    if campaign_id is not None:
        found = await reader.campaign(campaign_id)
        if found is None:
            raise NotFound(f"campaign {campaign_id} is not known to the assessment service",
                           field="campaignId")
    own, deployment = await reader.rules(campaign_id)
    return found, effective_rules(own, deployment)


async def vanguard_indexes(reader: VanguardReader, viewer: Viewer, ids: Sequence[uuid.UUID],
                           period: Period, campaign_id: uuid.UUID | None = None
                           ) -> list[VanguardIndex | CodedError | None]:
    """Each cadre's index, in `ids` order: None for a cadre who is not a party member, an
    error (unknown, outside the caller's scope) per cadre so one does not fail a page."""
    found, rules = await _rules_for(reader, campaign_id)
    members = await reader.members(ids)
    scored = [m for m in members.values()
              if m.party_member and viewer.sees_path([str(u) for u in m.org_path])]
    activity = await reader.activity(scored, period.start, period.end) if scored else {}
    out: list[VanguardIndex | CodedError | None] = []
    for cadre_id in ids:
        m = members.get(cadre_id)
        if m is None:
            out.append(NotFound(f"cadre {cadre_id} is not known to the assessment service"))
        elif not viewer.sees_path([str(u) for u in m.org_path]):
            out.append(Forbidden(f"cadre {cadre_id} works outside your org scope"))
        elif not m.party_member:
            out.append(None)
        else:
            a = activity.get(cadre_id, Activity())
            met = a.paired_at_end >= required_households(m.rank, found)
            out.append(score({
                "visits": a.visits, "pairing_quota": int(met),
                "tickets_on_time": a.tickets_on_time,
                "whistle_reports_on_time": a.whistle_reports_on_time,
                "satisfied_ratings": a.satisfied_ratings}, rules))
    return out


async def vanguard_rules(reader: VanguardReader, campaign_id: uuid.UUID | None) -> RuleSet:
    """The rules in force for the campaign, each with where it comes from."""
    _, rules = await _rules_for(reader, campaign_id)
    return RuleSet(campaign_id, tuple(rules.values()))


async def set_vanguard_rules(store: RuleStore, by: str, campaign_id: uuid.UUID | None,
                             rules: Sequence[Rule]) -> RuleSet:
    """Replace the campaign's rules (None: the deployment default) with `rules`; items left
    out fall back to the deployment default, then the built-in rule. Nothing is written when
    any rule is invalid."""
    check_rules(rules)
    await _rules_for(store, campaign_id)  # the campaign must exist
    source = "deployment" if campaign_id is None else "campaign"
    await store.replace_rules(campaign_id, [Rule(r.item, r.weight, r.cap, source)
                                            for r in rules], by)
    result = await vanguard_rules(store, campaign_id)
    await store.commit()
    return result
