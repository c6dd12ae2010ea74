"""Submitting a ticket: validation, idempotent retries, scope, and the local org read model."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from lianxin.tickets.app.commands import RecordOrgUnit, record_org_unit
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.domain.category import Category
from lianxin.tickets.domain.errors import (
    InvalidTicket,
    OutOfScope,
    TicketIdConflict,
    UnknownOrgUnit,
)
from lianxin.tickets.domain.events import TicketSubmitted
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Channel, OrgUnitRef, Status

COUNTY, TOWN_A, TOWN_B = (uuid.UUID(int=i) for i in (1, 2, 3))
T1 = uuid.UUID(int=100)
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)   # a Friday
RESIDENT = Actor(subject="resident-1", role="resident")


def fixed(moment: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: moment


def cadre(*scope: uuid.UUID) -> Actor:
    return Actor(subject="cadre-1", role="cadre", org_scope=frozenset(scope))


@pytest.fixture
async def tree(uow: Any) -> Any:
    """A unit of work whose local read model knows a county with two townships, and whose
    taxonomy holds water (with water.supply) and road."""
    async with uow:
        for unit in (OrgUnitRef(COUNTY, None, "墨江县", "county", (COUNTY,)),
                     OrgUnitRef(TOWN_A, COUNTY, "联珠镇", "township", (COUNTY, TOWN_A)),
                     OrgUnitRef(TOWN_B, COUNTY, "通关镇", "township", (COUNTY, TOWN_B))):
            await record_org_unit(RecordOrgUnit(unit), uow)
        await uow.commit()
    for c in (Category("water", "供水"), Category("water.supply", "停水", "water"),
              Category("road", "道路")):
        uow.categories.rows[c.code] = c
    return uow


def _cmd(**overrides: object) -> SubmitTicket:
    fields: dict[str, object] = dict(id=T1, org_unit_id=TOWN_A, channel=Channel.HOTLINE,
                                     category="water", text="村里自来水停了三天")
    fields.update(overrides)
    return SubmitTicket(**fields)  # type: ignore[arg-type]


async def test_submit_records_path_code_deadline_history_and_event(tree: Any) -> None:
    ticket = await submit_ticket(_cmd(), tree, RESIDENT, clock=lambda: NOW)
    assert ticket.org_path == (COUNTY, TOWN_A)
    assert (ticket.handling_unit_id, ticket.handling_path) == (TOWN_A, (COUNTY, TOWN_A))
    assert ticket.status is Status.RECEIVED and ticket.submitted_at == NOW
    assert ticket.code == "墨江县-2026-000001"
    # 1 working day after a Friday: the end of Monday, China time (weekdays: no calendar loaded).
    assert ticket.accept_due is not None
    assert ticket.accept_due.at == dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)
    assert tree.committed_events == [TicketSubmitted(ticket)] and tree.committed_at == [NOW]
    [line] = tree.history.rows.values()
    assert (line.action, line.from_status, line.to_status, line.actor) == (
        Action.SUBMIT, None, Status.RECEIVED, "resident-1")
    assert line.details == {"channel": "hotline", "kind": "demand", "category": "water"}


async def test_retried_submit_creates_one_ticket(tree: Any) -> None:
    first = await submit_ticket(_cmd(), tree, RESIDENT, clock=lambda: NOW)
    again = await submit_ticket(_cmd(), tree, RESIDENT,
                                clock=lambda: NOW + dt.timedelta(seconds=30))
    assert again == first
    assert len(tree.tickets.rows) == 1 and len(tree.committed_events) == 1
    assert len(tree.history.rows) == 1
    second = await submit_ticket(_cmd(id=uuid.UUID(int=101)), tree, RESIDENT, clock=lambda: NOW)
    assert second.code.endswith("-000002")  # the retry drew no number


async def test_reused_id_with_other_content_is_a_conflict(tree: Any) -> None:
    await submit_ticket(_cmd(), tree, RESIDENT)
    with pytest.raises(TicketIdConflict) as err:
        await submit_ticket(_cmd(text="路灯坏了"), tree, RESIDENT)
    assert err.value.details["field"] == "id"
    with pytest.raises(TicketIdConflict):   # same text, someone else
        await submit_ticket(_cmd(), tree, Actor(subject="resident-2", role="resident"))


async def test_unknown_org_unit_is_rejected_and_nothing_written(tree: Any) -> None:
    with pytest.raises(UnknownOrgUnit) as err:
        await submit_ticket(_cmd(org_unit_id=uuid.UUID(int=404)), tree, RESIDENT)
    assert err.value.code == "UNKNOWN_ORG_UNIT"
    assert tree.tickets.rows == {} and tree.committed_events == [] and tree.history.rows == {}


async def test_a_place_whose_ancestors_have_not_arrived_waits_for_them(tree: Any) -> None:
    """People's events come per unit; a village may arrive before its county. The code carries
    the county's name and is never reissued, so intake refuses (retryably) until it is known."""
    county, town, village = (uuid.UUID(int=i) for i in (7, 8, 9))
    async with tree:
        await record_org_unit(RecordOrgUnit(
            OrgUnitRef(village, town, "流程村", "village", (county, town, village))), tree)
        await tree.commit()
    with pytest.raises(UnknownOrgUnit) as err:
        await submit_ticket(_cmd(org_unit_id=village), tree, RESIDENT, clock=lambda: NOW)
    assert "retry" in err.value.message and str(county) in err.value.message
    assert tree.tickets.rows == {} and tree.committed_events == []
    async with tree:
        for unit in (OrgUnitRef(county, None, "流程县", "county", (county,)),
                     OrgUnitRef(town, county, "流程镇", "township", (county, town))):
            await record_org_unit(RecordOrgUnit(unit), tree)
        await tree.commit()
    ticket = await submit_ticket(_cmd(org_unit_id=village), tree, RESIDENT, clock=lambda: NOW)
    assert ticket.code == "流程县-2026-000001"


@pytest.mark.parametrize(("field", "value"), [("text", "  "), ("text", "水" * 5001),
                                              ("category", "weather")])
async def test_invalid_fields_are_named(field: str, value: str, tree: Any) -> None:
    with pytest.raises(InvalidTicket) as err:
        await submit_ticket(_cmd(**{field: value}), tree, RESIDENT)
    assert err.value.details["field"] == field
    assert tree.tickets.rows == {}


async def test_cadre_submits_only_inside_scope_residents_anywhere(tree: Any) -> None:
    with pytest.raises(OutOfScope) as err:
        await submit_ticket(_cmd(), tree, cadre(TOWN_B))
    assert err.value.details["field"] == "orgUnitId"
    ticket = await submit_ticket(_cmd(), tree, cadre(COUNTY))
    assert ticket.id == T1 and ticket.recorded_by_staff
    mine = await submit_ticket(_cmd(id=uuid.UUID(int=7), org_unit_id=TOWN_B), tree, RESIDENT)
    assert not mine.recorded_by_staff
