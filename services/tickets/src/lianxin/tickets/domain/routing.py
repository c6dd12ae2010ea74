"""Routing rules (分拨规则): category × area → department. A rule only suggests where to
dispatch; the dispatcher decides. The most specific rule wins: first the deepest area (a rule
for a village beats one for its township, which beats one for anywhere), then the most specific
category (a rule on "water.supply" beats one on "water")."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lianxin.tickets.domain.category import covers
from lianxin.tickets.domain.errors import DomainError
from lianxin.tickets.domain.ticket import OrgUnitRef

MAX_NOTE_LENGTH = 500


class InvalidRoutingRule(DomainError):
    code = "BAD_USER_INPUT"


@dataclass(frozen=True, slots=True)
class RoutingRule:
    id: uuid.UUID
    category: str                    # a category code; covers its sub-categories
    area_unit_id: uuid.UUID | None   # None: anywhere
    area_depth: int                  # len(area path) when set; 0 for anywhere
    department_id: uuid.UUID
    created_at: dt.datetime
    created_by: str
    note: str = ""


def new_rule(rule_id: uuid.UUID, category: str, area: OrgUnitRef | None,
             department: OrgUnitRef, note: str, now: dt.datetime, by: str) -> RoutingRule:
    """A rule routing `category` tickets placed in `area` to `department`."""
    if department.kind != "department":
        raise InvalidRoutingRule(f"{department.name} is a {department.kind}, not a department; "
                                 "rules route to functional departments (职能部门)",
                                 field="departmentId")
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidRoutingRule(f"note must be at most {MAX_NOTE_LENGTH} characters",
                                 field="note")
    return RoutingRule(id=rule_id, category=category,
                       area_unit_id=area.id if area else None,
                       area_depth=len(area.path) if area else 0,
                       department_id=department.id, note=note.strip(), created_at=now,
                       created_by=by)


def _specificity(rule: RoutingRule, category: str,
                 place: Sequence[uuid.UUID]) -> tuple[int, int] | None:
    """(area depth, category depth) when the rule applies to a ticket of `category` placed at
    `place` (its org path), else None. The depth is read off the ticket's path, so it stays
    right after the area moves in the org tree."""
    if not covers(rule.category, category):
        return None
    if rule.area_unit_id is None:
        area_depth = 0
    elif rule.area_unit_id in place:
        area_depth = list(place).index(rule.area_unit_id) + 1
    else:
        return None
    return area_depth, rule.category.count(".") + 1


def best_rules(rules: Iterable[RoutingRule], category: str,
               place: Sequence[uuid.UUID]) -> list[RoutingRule]:
    """The rules that apply and are tied at the best specificity (several departments may be
    suggested together), in a stable order."""
    scored = [(s, r) for r in rules if (s := _specificity(r, category, place)) is not None]
    if not scored:
        return []
    top = max(s for s, _ in scored)
    return sorted((r for s, r in scored if s == top), key=lambda r: (r.category, str(r.id)))
