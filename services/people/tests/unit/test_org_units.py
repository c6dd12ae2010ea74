"""Creating org units: tree rules, idempotent retries, conflicts, and the event raised."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from lianxin.people.app.queries import children_by_parent, org_units_by_id
from lianxin.people.domain import InvalidOrgUnit, OrgUnitIdConflict, OrgUnitKind, UnknownParent
from lianxin.people.domain.events import OrgUnitCreated

COUNTY, TOWNSHIP, VILLAGE = (uuid.UUID(int=i) for i in (1, 2, 3))


async def _county_and_township(uow: Any) -> None:
    await create_org_unit(CreateOrgUnit(COUNTY, "墨江县", OrgUnitKind.COUNTY), uow)
    await create_org_unit(CreateOrgUnit(TOWNSHIP, "联珠镇", OrgUnitKind.TOWNSHIP, COUNTY), uow)


async def test_child_path_extends_parent_path_and_event_is_committed(uow: Any) -> None:
    await _county_and_township(uow)
    village = await create_org_unit(
        CreateOrgUnit(VILLAGE, "  碧溪村 ", OrgUnitKind.VILLAGE, TOWNSHIP), uow)
    assert village.path == (COUNTY, TOWNSHIP, VILLAGE)
    assert village.name == "碧溪村"
    assert [type(e) for e in uow.committed_events] == [OrgUnitCreated] * 3
    assert uow.committed_events[-1].org_unit == village


async def test_retry_with_same_content_returns_unit_without_second_event(uow: Any) -> None:
    await _county_and_township(uow)
    again = await create_org_unit(CreateOrgUnit(TOWNSHIP, "联珠镇", OrgUnitKind.TOWNSHIP, COUNTY), uow)
    assert again.id == TOWNSHIP
    assert len(uow.committed_events) == 2


async def test_same_id_other_content_is_a_conflict(uow: Any) -> None:
    await _county_and_township(uow)
    with pytest.raises(OrgUnitIdConflict):
        await create_org_unit(CreateOrgUnit(TOWNSHIP, "通关镇", OrgUnitKind.TOWNSHIP, COUNTY), uow)


async def test_unknown_parent_writes_nothing(uow: Any) -> None:
    with pytest.raises(UnknownParent) as err:
        await create_org_unit(CreateOrgUnit(VILLAGE, "碧溪村", OrgUnitKind.VILLAGE, TOWNSHIP), uow)
    assert err.value.code == "UNKNOWN_ORG_UNIT"
    assert uow.org_units.rows == {} and uow.committed_events == []


@pytest.mark.parametrize(("kind", "parent_is_township"), [
    (OrgUnitKind.TOWNSHIP, True),    # a township under a township
    (OrgUnitKind.GRID, True),        # a grid directly under a township
    (OrgUnitKind.COUNTY, True),      # a county is a root
    (OrgUnitKind.VILLAGE, False),    # a village as a root
])
async def test_tree_rules_reject_wrong_levels(kind: OrgUnitKind, parent_is_township: bool, uow: Any) -> None:
    await _county_and_township(uow)
    with pytest.raises(InvalidOrgUnit, match="cannot sit under"):
        await create_org_unit(CreateOrgUnit(uuid.uuid4(), "x", kind,
                                            TOWNSHIP if parent_is_township else None), uow)


@pytest.mark.parametrize("name", ["", "   ", "镇" * 101])
async def test_names_must_be_present_and_short(name: str, uow: Any) -> None:
    with pytest.raises(InvalidOrgUnit, match="name"):
        await create_org_unit(CreateOrgUnit(COUNTY, name, OrgUnitKind.COUNTY), uow)


async def test_queries_keep_request_order_and_group_children(uow: Any) -> None:
    await _county_and_township(uow)
    missing = uuid.UUID(int=99)
    found = await org_units_by_id(uow, [TOWNSHIP, missing, COUNTY])
    assert [u.id if u else None for u in found] == [TOWNSHIP, None, COUNTY]
    kids = await children_by_parent(uow, [TOWNSHIP, COUNTY])
    assert [[u.id for u in k] for k in kids] == [[], [TOWNSHIP]]
