"""Vanguard index scoring (domain/vanguard.py) and its use cases (app/vanguard.py) with an
in-memory store: points = min(count × weight, cap), the breakdown sums to the score, rules
layer campaign over deployment over built-in, bad rules name their field and write nothing,
and each cadre of a batch is answered on its own (non-member, out of scope, unknown)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from lianxin.assessment.app import vanguard as app
from lianxin.assessment.app.vanguard import Activity, Member
from lianxin.assessment.domain.coverage import CampaignTerms
from lianxin.assessment.domain.periods import PeriodKind, period_of
from lianxin.assessment.domain.vanguard import (
    ITEMS,
    Rule,
    VanguardIndex,
    check_rules,
    effective_rules,
    points,
    score,
)
from lianxin.kit.auth import Principal
from lianxin.kit.errors import Forbidden, InvalidInput, NotFound

COUNTY, TOWN, OTHER = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
K = uuid.UUID(int=9)
APRIL = period_of(PeriodKind.MONTH, dt.date(2026, 4, 15))


def test_points_are_count_times_weight_up_to_the_cap() -> None:
    assert points(3, Rule("visits", 2.0, 40.0)) == 6.0
    assert points(30, Rule("visits", 2.0, 40.0)) == 40.0
    assert points(30, Rule("visits", 2.0, None)) == 60.0
    assert points(0, Rule("visits", 2.0, 40.0)) == 0.0


def test_the_breakdown_sums_to_the_score() -> None:
    rules = effective_rules([], [])
    v = score({"visits": 25, "pairing_quota": 1, "tickets_on_time": 3,
               "whistle_reports_on_time": 9, "satisfied_ratings": 2}, rules)
    by = {i.item: i.points for i in v.items}
    assert by == {"visits": 40.0, "pairing_quota": 20.0, "tickets_on_time": 6.0,
                  "whistle_reports_on_time": 10.0, "satisfied_ratings": 2.0}
    assert (v.basic, v.bonus, v.score) == (60.0, 18.0, 78.0)
    assert v.score == sum(i.points for i in v.items)
    assert [i.item for i in v.items] == [i.name for i in ITEMS]


def test_built_in_caps_make_a_full_score_100() -> None:
    v = score(dict.fromkeys((i.name for i in ITEMS), 10_000), effective_rules([], []))
    assert v.score == 100.0


def test_campaign_rules_win_over_the_deployment_over_built_in() -> None:
    rules = effective_rules(
        campaign=[Rule("visits", 5.0, None, "campaign")],
        deployment=[Rule("visits", 1.0, 1.0, "deployment"),
                    Rule("satisfied_ratings", 0.5, 3.0, "deployment"),
                    Rule("retired_item", 9.0, None, "deployment")])
    assert rules["visits"] == Rule("visits", 5.0, None, "campaign")
    assert rules["satisfied_ratings"].source == "deployment"
    assert rules["tickets_on_time"].source == "built_in"
    assert "retired_item" not in rules


@pytest.mark.parametrize(("rules", "field"), [
    ([Rule("stars", 1.0, None)], "rules[0].item"),
    ([Rule("visits", 1.0, None), Rule("visits", 2.0, None)], "rules[1].item"),
    ([Rule("visits", -1.0, None)], "rules[0].weight"),
    ([Rule("visits", float("nan"), None)], "rules[0].weight"),
    ([Rule("visits", 1.0, None), Rule("satisfied_ratings", 1.0, -3.0)], "rules[1].cap"),
])
def test_bad_rules_name_the_field(rules: list[Rule], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_rules(rules)
    assert caught.value.details["field"] == field and field in caught.value.message


@dataclass
class FakeStore:
    """In memory: members, one campaign, stored rules by campaign (NIL = None key)."""

    people: dict[uuid.UUID, Member] = field(default_factory=dict)
    activities: dict[uuid.UUID, Activity] = field(default_factory=dict)
    stored: dict[uuid.UUID | None, list[Rule]] = field(default_factory=dict)
    commits: int = 0
    asked_for: list[list[uuid.UUID]] = field(default_factory=list)

    async def members(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Member]:
        return {i: self.people[i] for i in ids if i in self.people}

    async def campaign(self, campaign_id: uuid.UUID) -> CampaignTerms | None:
        if campaign_id != K:
            return None
        return CampaignTerms(id=K, name="k", org_unit_id=COUNTY, org_path=(COUNTY,),
                             starts_on=None, ends_on=None, quota_by_rank={"section": 2})

    async def rules(self, campaign_id: uuid.UUID | None) -> tuple[list[Rule], list[Rule]]:
        own = self.stored.get(campaign_id, []) if campaign_id else []
        return own, self.stored.get(None, [])

    async def activity(self, members: Sequence[Member], start: dt.date,
                       end: dt.date) -> dict[uuid.UUID, Activity]:
        self.asked_for.append([m.id for m in members])
        return {m.id: self.activities[m.id] for m in members if m.id in self.activities}

    async def replace_rules(self, campaign_id: uuid.UUID | None, rules: Sequence[Rule],
                            by: str) -> None:
        self.stored[campaign_id] = list(rules)

    async def commit(self) -> None:
        self.commits += 1


def member(n: int, path: tuple[uuid.UUID, ...] = (COUNTY, TOWN), party: bool = True,
           rank: str = "section") -> Member:
    return Member(uuid.UUID(int=100 + n), f"cadre-{n}", rank, party, path)


async def test_a_batch_answers_each_cadre_on_its_own() -> None:
    inside, other, outside = member(1), member(2, party=False), member(3, (COUNTY, OTHER))
    store = FakeStore(people={m.id: m for m in (inside, other, outside)},
                      activities={inside.id: Activity(visits=3, paired_at_end=2)})
    viewer = Principal("c", "cadre", (str(TOWN),))
    unknown = uuid.UUID(int=999)
    got = await app.vanguard_indexes(store, viewer, [inside.id, other.id, outside.id, unknown],
                                     APRIL, K)
    assert isinstance(got[0], VanguardIndex)
    assert {i.item: i.count for i in got[0].items}["pairing_quota"] == 1   # K: section quota 2
    assert got[1] is None
    assert isinstance(got[2], Forbidden) and isinstance(got[3], NotFound)
    assert store.asked_for == [[inside.id]]        # only visible members are counted

    default = await app.vanguard_indexes(store, viewer, [inside.id], APRIL)
    assert isinstance(default[0], VanguardIndex)
    assert {i.item: i.count for i in default[0].items}["pairing_quota"] == 0   # default 3
    with pytest.raises(NotFound):
        await app.vanguard_indexes(store, viewer, [inside.id], APRIL, uuid.UUID(int=8))


async def test_setting_rules_replaces_the_campaign_set_and_validates_first() -> None:
    store = FakeStore()
    result = await app.set_vanguard_rules(store, "admin-1", K, [Rule("visits", 3.0, 9.0)])
    assert store.commits == 1 and store.stored[K] == [Rule("visits", 3.0, 9.0, "campaign")]
    by = {r.item: r for r in result.rules}
    assert by["visits"].source == "campaign" and by["satisfied_ratings"].source == "built_in"

    await app.set_vanguard_rules(store, "admin-1", K, [Rule("satisfied_ratings", 2.0, None)])
    assert store.stored[K] == [Rule("satisfied_ratings", 2.0, None, "campaign")]   # replaced
    with pytest.raises(InvalidInput):
        await app.set_vanguard_rules(store, "admin-1", K, [Rule("visits", -1.0, None)])
    with pytest.raises(NotFound):
        await app.set_vanguard_rules(store, "admin-1", uuid.UUID(int=8), [])
    assert store.commits == 2 and store.stored[K] == [Rule("satisfied_ratings", 2.0, None,
                                                           "campaign")]
    deployment = await app.set_vanguard_rules(store, "admin-1", None, [Rule("visits", 1, 1)])
    assert deployment.campaign_id is None and store.stored[None][0].source == "deployment"
