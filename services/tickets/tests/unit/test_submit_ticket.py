"""Submitting a ticket: validation, idempotent retries, scope, and the local org read model."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from lianxin.tickets.app.commands import (
    RecordOrgUnit,
    SubmitTicket,
    record_org_unit,
    submit_ticket,
)
from lianxin.tickets.app.queries import tickets_under
from lianxin.tickets.domain.errors import (
    InvalidTicket,
    OutOfScope,
    TicketIdConflict,
    UnknownOrgUnit,
)
from lianxin.tickets.domain.events import TicketSubmitted
from lianxin.tickets.domain.ticket import Channel, OrgUnitRef, Status

COUNTY, TOWN_A, TOWN_B = (uuid.UUID(int=i) for i in (1, 2, 3))
T1 = uuid.UUID(int=100)
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
async def tree(uow: Any) -> Any:
    """A unit of work whose local read model knows a county with two townships."""
    async with uow:
        for unit in (OrgUnitRef(COUNTY, None, "墨江县", "county", (COUNTY,)),
                     OrgUnitRef(TOWN_A, COUNTY, "联珠镇", "township", (COUNTY, TOWN_A)),
                     OrgUnitRef(TOWN_B, COUNTY, "通关镇", "township", (COUNTY, TOWN_B))):
            await record_org_unit(RecordOrgUnit(unit), uow)
        await uow.commit()
    return uow


def _cmd(**overrides: object) -> SubmitTicket:
    fields: dict[str, object] = dict(id=T1, org_unit_id=TOWN_A, channel=Channel.HOTLINE,
                                     category="water", text="村里自来水停了三天",
                                     submitted_by="resident-1")
    fields.update(overrides)
    return SubmitTicket(**fields)  # type: ignore[arg-type]


async def test_submit_records_path_status_and_event(tree: Any) -> None:
    ticket = await submit_ticket(_cmd(), tree, clock=lambda: NOW)
    assert ticket.org_path == (COUNTY, TOWN_A)
    assert ticket.status is Status.RECEIVED and ticket.submitted_at == NOW
    assert tree.committed_events == [TicketSubmitted(ticket)]


async def test_retried_submit_creates_one_ticket(tree: Any) -> None:
    first = await submit_ticket(_cmd(), tree, clock=lambda: NOW)
    again = await submit_ticket(_cmd(), tree, clock=lambda: NOW + dt.timedelta(seconds=30))
    assert again == first
    assert len(tree.tickets.rows) == 1 and len(tree.committed_events) == 1


async def test_reused_id_with_other_text_is_a_conflict(tree: Any) -> None:
    await submit_ticket(_cmd(), tree)
    with pytest.raises(TicketIdConflict):
        await submit_ticket(_cmd(text="路灯坏了"), tree)


async def test_unknown_org_unit_is_rejected_and_nothing_written(tree: Any) -> None:
    with pytest.raises(UnknownOrgUnit) as err:
        await submit_ticket(_cmd(org_unit_id=uuid.UUID(int=404)), tree)
    assert err.value.code == "UNKNOWN_ORG_UNIT"
    assert tree.tickets.rows == {} and tree.committed_events == []


@pytest.mark.parametrize(("field", "value"), [("text", "  "), ("text", "水" * 5001),
                                              ("category", "weather")])
async def test_invalid_fields_are_named(field: str, value: str, tree: Any) -> None:
    with pytest.raises(InvalidTicket) as err:
        await submit_ticket(_cmd(**{field: value}), tree)
    assert err.value.details["field"] == field
    assert tree.tickets.rows == {}


async def test_cadre_submits_only_inside_scope(tree: Any) -> None:
    with pytest.raises(OutOfScope):
        await submit_ticket(_cmd(scope=(str(TOWN_B),)), tree)
    ticket = await submit_ticket(_cmd(scope=(str(COUNTY),)), tree)
    assert ticket.id == T1


async def test_subtree_listing_is_newest_first_and_limited(tree: Any) -> None:
    for i, town in enumerate([TOWN_A, TOWN_B, TOWN_A]):
        await submit_ticket(_cmd(id=uuid.UUID(int=200 + i), org_unit_id=town), tree,
                            clock=lambda i=i: NOW + dt.timedelta(minutes=i))
    county, town_a = await tickets_under(tree, [COUNTY, TOWN_A], limit=2)
    assert [t.id.int for t in county] == [202, 201]
    assert [t.id.int for t in town_a] == [202, 200]
