"""Vanguard index (先锋指数): a party member's score for a period — basic items (duties done)
plus bonus items (public matters served), each worth min(count × weight, cap) points.

Weights and caps are configurable per campaign (the public `vanguard_rule` table: a campaign's
rules, else the deployment's, else the built-in defaults below). The breakdown is the answer to
"why this score": every item's count, weight, cap and points; the points sum to the score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lianxin.kit.errors import InvalidInput

BASIC, BONUS = "basic", "bonus"


@dataclass(frozen=True, slots=True)
class Item:
    """One scored item with its built-in weight and cap (None: uncapped)."""

    name: str
    label: str
    group: str
    weight: float
    cap: float | None
    definition: str


# Built-in defaults: 60 basic + 40 bonus points at most, so a full score is 100.
ITEMS: tuple[Item, ...] = (
    Item("visits", "走访群众", BASIC, 2.0, 40.0,
         "Visits (home visits, courtyard meetings, forums, reception days) in the period "
         "where the member was the lead cadre or a participant."),
    Item("pairing_quota", "联户任务达标", BASIC, 20.0, 20.0,
         "1 when the member's household pairings active on the period's last day number at "
         "least their pairing quota (under the campaign asked about, else the defaults by "
         "rank), else 0."),
    Item("tickets_on_time", "按时办结诉求", BONUS, 2.0, 15.0,
         "Ticket assignments the member was responsible for, completed by their deadline, of "
         "tickets submitted in the period (merged and explained-as-unreasonable tickets "
         "excluded)."),
    Item("whistle_reports_on_time", "吹哨按时报到", BONUS, 3.0, 10.0,
         "Whistle tasks the member reported in to by the report-in deadline, reported in "
         "the period (China dates)."),
    Item("satisfied_ratings", "群众满意评价", BONUS, 1.0, 15.0,
         "Tickets submitted in the period, the member responsible for the lead assignment, "
         "rated satisfied or basically satisfied (merged and explained tickets excluded)."),
)
ITEM_BY_NAME: Mapping[str, Item] = {i.name: i for i in ITEMS}
MAX_WEIGHT = 1000.0


@dataclass(frozen=True, slots=True)
class Rule:
    """The weight and cap of one item; `source` says where it came from (campaign,
    deployment or built_in)."""

    item: str
    weight: float
    cap: float | None
    source: str = "built_in"


def built_in_rules() -> dict[str, Rule]:
    return {i.name: Rule(i.name, i.weight, i.cap) for i in ITEMS}


def effective_rules(campaign: Sequence[Rule], deployment: Sequence[Rule]) -> dict[str, Rule]:
    """Per item: the campaign's rule, else the deployment default, else the built-in one.
    Stored rules of items this build no longer knows are ignored."""
    rules = built_in_rules()
    for layer in (deployment, campaign):
        rules.update({r.item: r for r in layer if r.item in ITEM_BY_NAME})
    return rules


def check_rules(rules: Sequence[Rule]) -> None:
    """Raise InvalidInput naming the offending field (rules[i].item / .weight / .cap)."""
    seen: set[str] = set()
    for i, r in enumerate(rules):
        if r.item not in ITEM_BY_NAME:
            raise InvalidInput(f"rules[{i}].item {r.item!r} is not an item of the vanguard "
                               f"index; use one of {', '.join(ITEM_BY_NAME)}",
                               field=f"rules[{i}].item")
        if r.item in seen:
            raise InvalidInput(f"rules[{i}].item {r.item!r} is given twice; give each item "
                               "once", field=f"rules[{i}].item")
        seen.add(r.item)
        if not math.isfinite(r.weight) or not 0 <= r.weight <= MAX_WEIGHT:
            raise InvalidInput(f"rules[{i}].weight must be between 0 and {MAX_WEIGHT:g}, got "
                               f"{r.weight}", field=f"rules[{i}].weight")
        if r.cap is not None and (not math.isfinite(r.cap) or r.cap < 0):
            raise InvalidInput(f"rules[{i}].cap must be 0 or more (leave it out for no cap), "
                               f"got {r.cap}", field=f"rules[{i}].cap")


@dataclass(frozen=True, slots=True)
class ItemScore:
    item: str
    label: str
    group: str
    count: int
    weight: float
    cap: float | None
    points: float
    source: str


@dataclass(frozen=True, slots=True)
class VanguardIndex:
    """A member's score and its breakdown: `score` = `basic` + `bonus` = Σ items' points."""

    items: tuple[ItemScore, ...]

    @property
    def basic(self) -> float:
        return sum(i.points for i in self.items if i.group == BASIC)

    @property
    def bonus(self) -> float:
        return sum(i.points for i in self.items if i.group == BONUS)

    @property
    def score(self) -> float:
        return self.basic + self.bonus


def points(count: int, rule: Rule) -> float:
    """min(count × weight, cap); no cap when the cap is None."""
    raw = count * rule.weight
    return raw if rule.cap is None else min(raw, rule.cap)


def score(counts: Mapping[str, int], rules: Mapping[str, Rule]) -> VanguardIndex:
    """Score every item (a missing count is 0) under `rules` (from `effective_rules`)."""
    out = []
    for item in ITEMS:
        rule = rules.get(item.name, Rule(item.name, item.weight, item.cap))
        count = counts.get(item.name, 0)
        out.append(ItemScore(item.name, item.label, item.group, count, rule.weight, rule.cap,
                             points(count, rule), rule.source))
    return VanguardIndex(tuple(out))
