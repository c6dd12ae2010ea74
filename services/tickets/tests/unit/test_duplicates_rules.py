"""Duplicate suggestions, which tickets are compared (domain/duplicates.py): the area, the
top-level category and the time window."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import tickets_helpers as helpers
from lianxin.tickets.domain.duplicates import area_of, is_candidate, top_category
from lianxin.tickets.domain.ticket import (
    OrgUnitRef,
    Status,
    Ticket,
)

C, T, V, G, CM = (uuid.UUID(int=i) for i in (1, 2, 4, 5, 6))
UNITS = {u.id: u for u in (
    OrgUnitRef(C, None, "县", "county", (C,)),
    OrgUnitRef(T, C, "镇", "township", (C, T)),
    OrgUnitRef(V, T, "村", "village", (C, T, V)),
    OrgUnitRef(G, V, "网格", "grid", (C, T, V, G)),
    OrgUnitRef(CM, T, "社区", "community", (C, T, CM)),
)}
NOW = dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC)


@pytest.mark.parametrize(("unit", "area"), [(G, V), (V, V), (CM, CM), (T, T), (C, C)])
def test_the_area_is_the_village_or_community_else_the_township(unit: uuid.UUID,
                                                                 area: uuid.UUID) -> None:
    assert area_of(UNITS[unit], UNITS) == area


def test_top_category() -> None:
    assert top_category("water.supply") == "water" == top_category("water")
    assert top_category("social_security.subsistence") == "social_security"


def _ticket(**changes: object) -> Ticket:
    return helpers.ticket(**{"category": "water.supply", "submitted_at": NOW - dt.timedelta(days=10),
                             **changes})


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, True),
    ({"status": Status.IN_PROGRESS}, True),
    ({"submitted_at": NOW - dt.timedelta(days=91)}, False),
    ({"status": Status.RESOLVED, "resolved_at": NOW - dt.timedelta(days=29)}, True),
    ({"status": Status.RESOLVED, "resolved_at": NOW - dt.timedelta(days=31)}, False),
    ({"status": Status.CLOSED}, False),
    ({"status": Status.MERGED}, False),
])
def test_open_or_recently_resolved_within_ninety_days(changes: dict[str, object],
                                                      expected: bool) -> None:
    assert is_candidate(_ticket(**changes), NOW) is expected
