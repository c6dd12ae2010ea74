"""Creating org units: tree rules, idempotent retries, conflicts, and the event raised."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from lianxin.people.app.commands import (
    CreateOrgUnit,
    MoveOrgUnit,
    RenameOrgUnit,
    create_org_unit,
    move_org_unit,
    rename_org_unit,
)
from lianxin.people.app.queries import children_by_parent, org_units_by_id
from lianxin.people.domain import (
    InvalidOrgUnit,
    OrgUnitIdConflict,
    OrgUnitKind,
    OrgUnitSubkind,
    UnknownParent,
)
from lianxin.people.domain.events import OrgUnitCreated, OrgUnitMoved, OrgUnitRenamed

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


async def test_rename_keeps_path_bumps_version_and_records_event(uow: Any) -> None:
    await _county_and_township(uow)
    renamed = await rename_org_unit(RenameOrgUnit(TOWNSHIP, " 联珠 镇 "), uow)
    assert (renamed.name, renamed.version, renamed.path) == ("联珠 镇", 2, (COUNTY, TOWNSHIP))
    assert isinstance(uow.committed_events[-1], OrgUnitRenamed)
    again = await rename_org_unit(RenameOrgUnit(TOWNSHIP, "联珠 镇"), uow)
    assert again.version == 2 and len(uow.committed_events) == 3  # same name: nothing happens


async def test_move_reroots_the_whole_subtree(uow: Any) -> None:
    await _county_and_township(uow)
    other = uuid.UUID(int=9)
    grid = uuid.UUID(int=10)
    await create_org_unit(CreateOrgUnit(other, "通关镇", OrgUnitKind.TOWNSHIP, COUNTY), uow)
    await create_org_unit(CreateOrgUnit(VILLAGE, "碧溪村", OrgUnitKind.VILLAGE, TOWNSHIP), uow)
    await create_org_unit(CreateOrgUnit(grid, "一组", OrgUnitKind.GRID, VILLAGE), uow)
    moved = await move_org_unit(MoveOrgUnit(VILLAGE, other), uow)
    assert moved.path == (COUNTY, other, VILLAGE) and moved.parent_id == other
    [grid_unit] = await org_units_by_id(uow, [grid])
    assert grid_unit is not None and grid_unit.path == (COUNTY, other, VILLAGE, grid)
    event = uow.committed_events[-1]
    assert isinstance(event, OrgUnitMoved) and event.old_path == (COUNTY, TOWNSHIP, VILLAGE)


@pytest.mark.parametrize(("target", "message"), [
    ("grid", "inside its own subtree"),   # under its own descendant
    ("county", "cannot sit under COUNTY"),  # a village directly under the county
])
async def test_invalid_moves_change_nothing(uow: Any, target: str, message: str) -> None:
    await _county_and_township(uow)
    grid = uuid.UUID(int=10)
    await create_org_unit(CreateOrgUnit(VILLAGE, "碧溪村", OrgUnitKind.VILLAGE, TOWNSHIP), uow)
    await create_org_unit(CreateOrgUnit(grid, "一组", OrgUnitKind.GRID, VILLAGE), uow)
    events = len(uow.committed_events)
    with pytest.raises(InvalidOrgUnit, match=message):
        await move_org_unit(MoveOrgUnit(VILLAGE, grid if target == "grid" else COUNTY), uow)
    [village] = await org_units_by_id(uow, [VILLAGE])
    assert village is not None and village.path == (COUNTY, TOWNSHIP, VILLAGE)
    assert len(uow.committed_events) == events


async def test_subkind_must_fit_the_kind(uow: Any) -> None:
    await create_org_unit(CreateOrgUnit(COUNTY, "墨江县", OrgUnitKind.COUNTY), uow)
    town = await create_org_unit(CreateOrgUnit(TOWNSHIP, "联珠镇", OrgUnitKind.TOWNSHIP, COUNTY,
                                               OrgUnitSubkind.ZHEN), uow)
    assert town.subkind is OrgUnitSubkind.ZHEN
    with pytest.raises(InvalidOrgUnit, match="subkind"):
        await create_org_unit(CreateOrgUnit(VILLAGE, "x", OrgUnitKind.TOWNSHIP, COUNTY,
                                            OrgUnitSubkind.BRANCH), uow)
