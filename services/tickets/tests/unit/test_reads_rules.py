"""The read rules without a database: whose contact a caller sees, which deadline is late, and
which live events a subscriber gets."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import tickets_helpers as helpers
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.queries import LiveTicketEvent, follows, late_clocks, shows_contact
from lianxin.tickets.domain.sla import Clock
from lianxin.tickets.domain.ticket import (
    Deadline,
    Status,
    Ticket,
)
from tickets_helpers import COUNTY, OTHER_TOWN, TOWN

NOW = dt.datetime(2026, 10, 9, 9, 0, tzinfo=dt.UTC)
PAST, FUTURE = Deadline(NOW - dt.timedelta(hours=1)), Deadline(NOW + dt.timedelta(hours=1))


def ticket(**changes: object) -> Ticket:
    """resident-1's ticket at the town, submitted five days ago, as it stands now."""
    return helpers.ticket(org_unit_id=TOWN, submitted_by="resident-1",
                          submitted_at=NOW - dt.timedelta(days=5)).advance(NOW, **changes)


def staff(role: str = "cadre", *scope: uuid.UUID, permissions: frozenset[str] = frozenset()
          ) -> Actor:
    return Actor(subject=f"{role}-1", role=role, org_scope=frozenset(scope or (TOWN,)),
                 permissions=permissions)


OWNER = Actor(subject="resident-1", role="resident")


@pytest.mark.parametrize(("flags", "who", "shown"), [
    ({}, staff(), True),
    ({}, staff("analyst"), False),
    ({}, staff("screen"), False),
    ({}, staff("cadre", OTHER_TOWN), False),                 # cannot see the ticket at all
    ({"anonymous": True}, staff("supervisor"), False),
    ({"anonymous": True}, OWNER, True),
    ({"confidential": True}, staff(), False),
    ({"confidential": True}, staff("supervisor"), True),
    ({"confidential": True}, staff(permissions=frozenset({"stability:read"})), True),
    ({"confidential": True}, OWNER, True),
])
def test_who_sees_the_contact(flags: dict[str, bool], who: Actor, shown: bool) -> None:
    assert shows_contact(who, ticket(**flags)) is shown


@pytest.mark.parametrize(("changes", "late"), [
    ({"accept_due": PAST}, {Clock.ACCEPT}),
    ({"accept_due": FUTURE}, set()),
    ({"accept_due": PAST, "paused_at": NOW}, set()),                     # paused: not late
    ({"status": Status.ACCEPTED, "accept_due": PAST, "handle_due": FUTURE}, set()),  # accepted
    ({"status": Status.IN_PROGRESS, "handle_due": PAST}, {Clock.HANDLE}),
    ({"status": Status.RESOLVED, "feedback_due": PAST}, {Clock.FEEDBACK}),
    ({"status": Status.RESOLVED, "feedback_due": PAST, "answered_at": NOW}, set()),
    ({"status": Status.CLOSED, "feedback_due": PAST}, set()),
])
def test_only_the_running_clock_can_be_late(changes: dict[str, object],
                                            late: set[Clock]) -> None:
    assert late_clocks(ticket(**changes), NOW) == late


def test_a_subscriber_gets_events_reaching_its_unit_and_stability_risks_only_if_cleared() -> None:
    def event(*reach: uuid.UUID, sensitive: bool = False) -> LiveTicketEvent:
        return LiveTicketEvent(uuid.UUID(int=100), "R-1", "TicketOverdue", Status.RECEIVED,
                               reach, sensitive, NOW)

    assert follows(staff(), TOWN, event(COUNTY, TOWN))
    assert not follows(staff(), TOWN, event(COUNTY, OTHER_TOWN))
    assert not follows(staff(), TOWN, event(COUNTY, TOWN, sensitive=True))
    assert follows(staff("supervisor"), TOWN, event(COUNTY, TOWN, sensitive=True))
