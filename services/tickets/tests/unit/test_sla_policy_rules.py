"""SLA policy rules: ranges, the default policy, and which policy governs a ticket."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from lianxin.tickets.domain.sla import (
    DEFAULT_POLICY,
    InvalidPolicy,
    SlaPolicy,
    check_policy,
    governing,
    is_default,
)
from lianxin.tickets.domain.ticket import Kind, Urgency


def test_defaults_are_the_seeds_rules() -> None:
    p = DEFAULT_POLICY
    assert (p.accept_days, p.handle_days, p.feedback_days) == (1, 10, 3)
    assert is_default(p) and check_policy(p) is p


@pytest.mark.parametrize(("field", "value", "name"), [
    ("accept_days", -1, "acceptDays"), ("handle_days", 0, "handleDays"),
    ("feedback_days", 61, "feedbackDays"), ("rating_days", 0, "ratingDays"),
    ("due_soon_hours", 721, "dueSoonHours"), ("escalate_after_days", -1, "escalateAfterDays"),
])
def test_out_of_range_numbers_name_the_field(field: str, value: int, name: str) -> None:
    with pytest.raises(InvalidPolicy) as err:
        check_policy(dataclasses.replace(DEFAULT_POLICY, **{field: value}))  # type: ignore[arg-type]
    assert err.value.details["field"] == name and name in err.value.message


def test_the_most_specific_policy_governs() -> None:
    water = SlaPolicy(uuid.uuid4(), category="water", handle_days=5)
    supply = SlaPolicy(uuid.uuid4(), category="water.supply", handle_days=3)
    urgent = SlaPolicy(uuid.uuid4(), urgency=Urgency.URGENT, handle_days=2)
    policies = [DEFAULT_POLICY, water, supply, urgent]
    assert governing(policies, Kind.DEMAND, "water.supply", Urgency.ROUTINE) is supply
    assert governing(policies, Kind.DEMAND, "water.quality", Urgency.ROUTINE) is water
    assert governing(policies, Kind.DEMAND, "waterfall", Urgency.ROUTINE) is DEFAULT_POLICY
    assert governing(policies, Kind.DEMAND, "road", Urgency.URGENT) is urgent
    assert not is_default(urgent)
