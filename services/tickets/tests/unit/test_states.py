"""The state table: every action is governed, illegal steps name the state and the way out."""

from __future__ import annotations

import datetime as dt

import pytest
import tickets_helpers as helpers
from lianxin.tickets.domain.errors import IllegalTransition
from lianxin.tickets.domain.states import ALLOWED, TARGET, Action, require
from lianxin.tickets.domain.ticket import Kind, Ledger, Status, Ticket
from tickets_helpers import COUNTY, OTHER_TOWN, TOWN

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def ticket(status: Status = Status.RECEIVED, **kw: object) -> Ticket:
    """A ticket received at the town."""
    return helpers.ticket(**{"org_unit_id": TOWN, "submitted_at": NOW, "status": status, **kw})


def test_every_action_except_submit_is_in_the_table() -> None:
    assert set(ALLOWED) == set(Action) - {Action.SUBMIT}


@pytest.mark.parametrize("action", list(TARGET))
def test_merged_is_terminal_for_every_workflow_step(action: Action) -> None:
    assert Status.MERGED not in ALLOWED[action]


@pytest.mark.parametrize(("status", "action"), [
    (Status.CLOSED, Action.ACCEPT), (Status.MERGED, Action.DISPATCH), (Status.RECEIVED, Action.RATE),
    (Status.RESOLVED, Action.DISPATCH), (Status.CLOSED, Action.MERGE),
    (Status.ACCEPTED, Action.START), (Status.RECEIVED, Action.REFLECT)])
def test_illegal_steps_are_typed_errors_naming_the_state(status: Status, action: Action) -> None:
    with pytest.raises(IllegalTransition) as err:
        require(ticket(status), action)
    assert err.value.code == "ILLEGAL_TRANSITION"
    assert status.name in err.value.message and action.name in err.value.message


@pytest.mark.parametrize(("status", "action"), [
    (Status.RECEIVED, Action.ACCEPT), (Status.ACCEPTED, Action.DISPATCH),
    (Status.ASSIGNED, Action.START), (Status.IN_PROGRESS, Action.RESOLVE),
    (Status.RESOLVED, Action.RATE), (Status.RECEIVED, Action.RESOLVE_ON_SPOT)])
def test_the_happy_path_is_allowed(status: Status, action: Action) -> None:
    require(ticket(status), action)


def test_reach_covers_place_handler_and_departments_once() -> None:
    t = ticket(involved_units=(OTHER_TOWN, COUNTY))
    assert t.reach == (COUNTY, TOWN, OTHER_TOWN)


def test_advance_bumps_the_version_and_stamps_the_time() -> None:
    later = NOW + dt.timedelta(hours=1)
    t = ticket().advance(later, status=Status.ACCEPTED)
    assert (t.version, t.updated_at, t.status) == (2, later, Status.ACCEPTED)


def test_stability_risk_items_are_sensitive_by_kind_or_ledger() -> None:
    assert ticket(kind=Kind.STABILITY_RISK).sensitive
    assert ticket(ledger=Ledger.STABILITY_RISK).sensitive
    assert not ticket().sensitive
