"""Register use cases with the in-memory unit of work: households, residents, needs tags."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from lianxin.kit.errors import CodedError
from lianxin.kit.pii import id_check_digit
from lianxin.people.app import register as reg
from lianxin.people.app.commands import CreateOrgUnit, create_org_unit
from lianxin.people.app.register_ports import HouseholdFilter
from lianxin.people.domain import IdConflict, InvalidInput, NotFound, OrgUnitKind, OutOfScope, UnknownOrgUnit
from lianxin.people.domain.events import (
    HouseholdChanged,
    HouseholdRegistered,
    NeedsTagAdded,
    NeedsTagRemoved,
    ResidentChanged,
    ResidentRegistered,
)
from lianxin.people.domain.pairing import Pairing
from lianxin.people.domain.register import Gender, NeedsTagKind, Relation

COUNTY, TOWN_A, TOWN_B, GUINENG, BIXI = (uuid.UUID(int=i) for i in (1, 2, 3, 4, 5))
H1, H2, H3 = (uuid.UUID(int=100 + i) for i in range(3))
R1, R2, R3 = (uuid.UUID(int=200 + i) for i in range(3))
T1, T2 = uuid.UUID(int=301), uuid.UUID(int=302)
TODAY = reg.today()


def id_number(birth: str, seq: str = "011") -> str:
    """A valid 墨江县 (530822) resident ID number."""
    first17 = f"530822{birth}{seq}"
    return first17 + id_check_digit(first17)


WANG_ID, LI_ID = id_number("19560312"), id_number("19600708", "014")  # LI_ID ends in X


@pytest.fixture
async def ruow(uow: Any) -> Any:
    """墨江县 › 联珠镇 › 癸能村 and 墨江县 › 通关镇 › 碧溪村."""
    for cmd in (CreateOrgUnit(COUNTY, "墨江县", OrgUnitKind.COUNTY),
                CreateOrgUnit(TOWN_A, "联珠镇", OrgUnitKind.TOWNSHIP, COUNTY),
                CreateOrgUnit(TOWN_B, "通关镇", OrgUnitKind.TOWNSHIP, COUNTY),
                CreateOrgUnit(GUINENG, "癸能村", OrgUnitKind.VILLAGE, TOWN_A),
                CreateOrgUnit(BIXI, "碧溪村", OrgUnitKind.VILLAGE, TOWN_B)):
        await create_org_unit(cmd, uow)
    uow.committed_events.clear()
    return uow


def household(hid: uuid.UUID = H1, unit: uuid.UUID = GUINENG, no: str = "GN-001",
              address: str = "联珠镇癸能村三组12号") -> reg.RegisterHousehold:
    return reg.RegisterHousehold(hid, unit, no, address)


def wang(**changes: Any) -> reg.RegisterResident:
    fields = dict(id=R1, household_id=H1, name="王建国", gender=Gender.MALE, birth_year=1956,
                  relation=Relation.HEAD, phone="138 1234 1234", id_number=WANG_ID)
    return reg.RegisterResident(**{**fields, **changes})  # type: ignore[arg-type]


def in_town_a(path: Any) -> bool:
    return TOWN_A in path


async def test_household_is_registered_once_and_retries_are_harmless(ruow: Any) -> None:
    first = await reg.register_household(household(), ruow, in_town_a)
    again = await reg.register_household(household(), ruow, in_town_a)
    assert first == again and first.org_path == (COUNTY, TOWN_A, GUINENG)
    assert [type(e) for e in ruow.committed_events] == [HouseholdRegistered]
    with pytest.raises(IdConflict) as err:
        await reg.register_household(household(no="GN-002"), ruow)
    assert err.value.details["field"] == "id"


async def test_a_household_number_is_unique_within_its_unit(ruow: Any) -> None:
    await reg.register_household(household(), ruow)
    with pytest.raises(IdConflict) as err:
        await reg.register_household(household(H2), ruow)
    assert err.value.details["field"] == "householdNo"
    await reg.register_household(household(H3, unit=BIXI), ruow)  # same number, other village
    assert set(ruow.households.rows) == {H1, H3}


@pytest.mark.parametrize(("cmd", "error", "field"), [
    (household(unit=TOWN_A), InvalidInput, "orgUnitId"),       # households live in villages
    (household(unit=uuid.UUID(int=99)), UnknownOrgUnit, "orgUnitId"),
    (household(address="  "), InvalidInput, "address"),
])
async def test_bad_households_write_nothing(ruow: Any, cmd: Any, error: type, field: str) -> None:
    with pytest.raises(error) as err:
        await reg.register_household(cmd, ruow)
    assert err.value.details["field"] == field  # type: ignore[attr-defined]
    assert ruow.households.rows == {} and ruow.committed_events == []


async def test_writes_outside_the_scope_are_forbidden(ruow: Any) -> None:
    with pytest.raises(OutOfScope):
        await reg.register_household(household(unit=BIXI), ruow, in_town_a)
    await reg.register_household(household(H3, unit=BIXI), ruow)
    with pytest.raises(OutOfScope):
        await reg.change_household(reg.ChangeHousehold(H3, address="碧溪村五组3号"), ruow, in_town_a)
    assert ruow.households.rows[H3].address == "联珠镇癸能村三组12号"


async def test_change_household_bumps_version_and_same_values_change_nothing(ruow: Any) -> None:
    await reg.register_household(household(), ruow)
    changed = await reg.change_household(reg.ChangeHousehold(H1, address="联珠镇癸能村四组8号"), ruow)
    same = await reg.change_household(reg.ChangeHousehold(H1, address="联珠镇癸能村四组8号"), ruow)
    assert changed == same and changed.version == 2 and changed.household_no == "GN-001"
    assert [type(e) for e in ruow.committed_events] == [HouseholdRegistered, HouseholdChanged]


async def test_a_head_resident_becomes_the_households_head(ruow: Any) -> None:
    await reg.register_household(household(), ruow)
    resident = await reg.register_resident(wang(), ruow)
    assert resident.phone == "13812341234" and resident.id_number == WANG_ID
    assert ruow.households.rows[H1].head_resident_id == R1
    assert [type(e) for e in ruow.committed_events] == [
        HouseholdRegistered, ResidentRegistered, HouseholdChanged]
    with pytest.raises(InvalidInput) as err:  # a second head
        await reg.register_resident(wang(id=R2, name="李秀英", id_number=LI_ID, phone=None), ruow)
    assert err.value.details["field"] == "relation" and set(ruow.residents.rows) == {R1}


async def test_retry_and_conflicts_of_residents(ruow: Any) -> None:
    await reg.register_household(household(), ruow)
    await reg.register_resident(wang(), ruow)
    again = await reg.register_resident(wang(phone="+86 138-1234-1234"), ruow)  # same number
    assert again.id == R1 and len(ruow.committed_events) == 3
    with pytest.raises(IdConflict) as err:
        await reg.register_resident(wang(name="王建华"), ruow)
    assert err.value.details["field"] == "id"
    with pytest.raises(IdConflict) as err:  # the same person under another id
        await reg.register_resident(wang(id=R2, relation=Relation.SPOUSE), ruow)
    assert err.value.details["field"] == "idNumber" and set(ruow.residents.rows) == {R1}


@pytest.mark.parametrize(("changes", "field"), [
    ({"phone": "1381234"}, "phone"),
    ({"id_number": WANG_ID[:-1] + ("0" if WANG_ID[-1] != "0" else "1")}, "idNumber"),
    ({"birth_year": 1899}, "birthYear"),
    ({"birth_year": TODAY.year + 1}, "birthYear"),
    ({"name": ""}, "name"),
    ({"household_id": H2}, "householdId"),
])
async def test_bad_residents_get_the_field_and_write_nothing(ruow: Any, changes: dict[str, Any],
                                                           field: str) -> None:
    await reg.register_household(household(), ruow)
    with pytest.raises(CodedError) as err:  # the kit's InvalidInput for phone and ID numbers
        await reg.register_resident(wang(**changes), ruow)
    assert err.value.details["field"] == field
    assert err.value.code == ("NOT_FOUND" if field == "householdId" else "BAD_USER_INPUT")
    assert ruow.residents.rows == {} and ruow.households.rows[H1].head_resident_id is None
    assert [type(e) for e in ruow.committed_events] == [HouseholdRegistered]


async def test_change_resident(ruow: Any) -> None:
    await reg.register_household(household(), ruow)
    await reg.register_resident(wang(), ruow)
    changed = await reg.change_resident(reg.ChangeResident(R1, phone="139-8765-4321"), ruow)
    assert changed.phone == "13987654321" and changed.version == 2 and changed.id_number == WANG_ID
    await reg.change_resident(reg.ChangeResident(R1, phone="13987654321"), ruow)  # no change
    assert [type(e) for e in ruow.committed_events][-1:] == [ResidentChanged]
    assert len(ruow.committed_events) == 4
    # No longer head: the household loses its head in the same transaction.
    await reg.change_resident(reg.ChangeResident(R1, relation=Relation.PARENT, phone=""), ruow)
    assert ruow.residents.rows[R1].phone is None
    assert ruow.households.rows[H1].head_resident_id is None
    assert [type(e) for e in ruow.committed_events][-2:] == [ResidentChanged, HouseholdChanged]


async def test_changing_to_a_taken_id_number_is_a_conflict(ruow: Any) -> None:
    await reg.register_household(household(), ruow)
    await reg.register_resident(wang(), ruow)
    await reg.register_resident(wang(id=R2, name="李秀英", relation=Relation.SPOUSE, id_number=LI_ID,
                                     gender=Gender.FEMALE, birth_year=1960, phone=None), ruow)
    with pytest.raises(IdConflict) as err:
        await reg.change_resident(reg.ChangeResident(R2, id_number=WANG_ID), ruow)
    assert err.value.details["field"] == "idNumber" and ruow.residents.rows[R2].id_number == LI_ID


async def test_needs_tags_are_added_and_ended(ruow: Any) -> None:
    await reg.register_household(household(), ruow)
    since = TODAY - dt.timedelta(days=30)
    tag = await reg.add_needs_tag(reg.AddNeedsTag(T1, H1, NeedsTagKind.ILLNESS, since), ruow)
    assert await reg.add_needs_tag(reg.AddNeedsTag(T1, H1, NeedsTagKind.ILLNESS, since), ruow) == tag
    with pytest.raises(IdConflict):
        await reg.add_needs_tag(reg.AddNeedsTag(T1, H1, NeedsTagKind.DISASTER, since), ruow)
    with pytest.raises(InvalidInput) as err:  # the same reason twice at once
        await reg.add_needs_tag(reg.AddNeedsTag(T2, H1, NeedsTagKind.ILLNESS, TODAY), ruow)
    assert err.value.details["field"] == "since"
    with pytest.raises(InvalidInput) as err:
        await reg.add_needs_tag(reg.AddNeedsTag(T2, H1, NeedsTagKind.LOW_INCOME, since,
                                                since - dt.timedelta(days=1)), ruow)
    assert err.value.details["field"] == "until"
    ended = await reg.end_needs_tag(reg.EndNeedsTag(T1), ruow)
    assert ended.until == TODAY and not ended.active_on(TODAY)
    await reg.end_needs_tag(reg.EndNeedsTag(T1, TODAY), ruow)  # a retry
    assert [type(e) for e in ruow.committed_events] == [HouseholdRegistered, NeedsTagAdded,
                                                        NeedsTagRemoved]
    with pytest.raises(NotFound):
        await reg.end_needs_tag(reg.EndNeedsTag(T2), ruow)


async def _village_of_households(uow: Any) -> None:
    """GN-001 ill (active), GN-002 disaster ended yesterday, GN-003 low income from tomorrow
    and paired; BX-001 in the other township, ill."""
    for hid, unit, no in ((H1, GUINENG, "GN-001"), (H2, GUINENG, "GN-002"), (H3, GUINENG, "GN-003"),
                          (uuid.UUID(int=199), BIXI, "BX-001")):
        await reg.register_household(household(hid, unit, no), uow)
    day = dt.timedelta(days=1)
    for tid, hid, kind, since, until in (
            (T1, H1, NeedsTagKind.ILLNESS, TODAY - 10 * day, None),
            (T2, H2, NeedsTagKind.DISASTER, TODAY - 10 * day, TODAY),
            (uuid.UUID(int=303), H3, NeedsTagKind.LOW_INCOME, TODAY + day, None),
            (uuid.UUID(int=304), uuid.UUID(int=199), NeedsTagKind.ILLNESS, TODAY - day, None)):
        await reg.add_needs_tag(reg.AddNeedsTag(tid, hid, kind, since, until), uow)
    pairing = Pairing(id=uuid.uuid4(), cadre_id=uuid.uuid4(), household_id=H3, contact_point_id=None,
                      campaign_id=None, org_path=(COUNTY, TOWN_A, GUINENG), started_on=TODAY, card_no="1")
    ended = Pairing(id=uuid.uuid4(), cadre_id=uuid.uuid4(), household_id=H1, contact_point_id=None,
                    campaign_id=None, org_path=(COUNTY, TOWN_A, GUINENG), started_on=TODAY,
                    card_no="2", ended_on=TODAY, end_reason="调岗")
    uow.pairings.rows.update({pairing.id: pairing, ended.id: ended})


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, ["GN-001", "GN-002", "GN-003"]),
    ({"needs_help": True}, ["GN-001"]),          # ended yesterday / starting tomorrow don't count
    ({"needs_help": False}, ["GN-002", "GN-003"]),
    ({"needs_tag": NeedsTagKind.ILLNESS}, ["GN-001"]),
    ({"needs_tag": NeedsTagKind.DISASTER}, []),
    ({"paired": False}, ["GN-001", "GN-002"]),   # an ended pairing leaves a gap
    ({"paired": True}, ["GN-003"]),
    ({"needs_help": True, "paired": False}, ["GN-001"]),
])
async def test_households_in_a_subtree_by_need_and_pairing(ruow: Any, filters: dict[str, Any],
                                                           expected: list[str]) -> None:
    await _village_of_households(ruow)
    found = await reg.households_in_subtree(ruow, HouseholdFilter(TOWN_A, TODAY, **filters), None, 10)
    assert [h.household_no for h in found] == expected


async def test_household_lists_page_by_number(ruow: Any) -> None:
    await _village_of_households(ruow)
    where = HouseholdFilter(COUNTY, TODAY)
    first = await reg.households_in_subtree(ruow, where, None, 2)
    rest = await reg.households_in_subtree(ruow, where, (first[-1].household_no, first[-1].id), 10)
    assert [h.household_no for h in first + rest] == ["BX-001", "GN-001", "GN-002", "GN-003"]


async def test_loaders_answer_in_key_order(ruow: Any) -> None:
    await _village_of_households(ruow)
    await reg.register_resident(wang(), ruow)
    await reg.register_resident(wang(id=R2, name="王小明", relation=Relation.CHILD, birth_year=1985,
                                     phone=None, id_number=None), ruow)
    unknown = uuid.UUID(int=404)
    assert [h and h.id for h in await reg.households_by_id(ruow, [H2, unknown, H1])] == [H2, None, H1]
    members = await reg.residents_of_households(ruow, [H2, H1])
    assert [[r.name for r in m] for m in members] == [[], ["王建国", "王小明"]]
    tags = await reg.tags_of_households(ruow, [H3, H1])
    assert [[t.kind for t in ts] for ts in tags] == [[NeedsTagKind.LOW_INCOME], [NeedsTagKind.ILLNESS]]
    assert [r and r.id for r in await reg.residents_by_id(ruow, [unknown, R2])] == [None, R2]


@pytest.mark.parametrize(("query", "expected"), [
    ({"name": "建国"}, ["王建国"]),
    ({"name": "wang"}, ["Wang Fang"]),           # case-insensitive
    ({"phone": "138-1234-1234"}, ["王建国"]),
    ({"phone": "+86 13812341234"}, ["王建国"]),
    ({"phone": "13900000000"}, []),
    ({"id_number": LI_ID.lower()}, ["Wang Fang"]),
    ({"name": "王", "roots": (TOWN_B,)}, []),
])
async def test_resident_search(ruow: Any, query: dict[str, Any], expected: list[str]) -> None:
    await reg.register_household(household(), ruow)
    await reg.register_resident(wang(), ruow)
    await reg.register_resident(wang(id=R2, name="Wang Fang", relation=Relation.SPOUSE, phone=None,
                                     id_number=LI_ID, gender=Gender.FEMALE), ruow)
    args = {"name": None, "phone": None, "id_number": None, **query}
    roots = args.pop("roots", (TOWN_A,))
    found = await reg.search_residents(ruow, roots, after=None, limit=10, **args)
    assert [r.name for r in found] == expected


async def test_search_rejects_a_malformed_phone(ruow: Any) -> None:
    with pytest.raises(CodedError) as err:
        await reg.search_residents(ruow, None, name=None, phone="12345", id_number=None,
                                   after=None, limit=10)
    assert err.value.details["field"] == "phone"
