"""Importing the register (台账): households, residents and needs tags.

Natural keys: a household by (org unit, household number), a resident by ID number (through its
blind index), a tag by (household, kind, since). New entities get ids derived from those keys,
with keyed digests standing in for the ID number and the tag kind, never the clear values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lianxin.kit.pii import normalise_id_number
from lianxin.people.app.households import (
    ChangeHousehold,
    RegisterHousehold,
    change_household_in,
    register_household_in,
)
from lianxin.people.app.import_cells import (
    CellError,
    Column,
    KindSpec,
    Lookups,
    choice,
    date,
    derived,
    unit_id,
    year,
)
from lianxin.people.app.needs_tags import AddNeedsTag, EndNeedsTag, add_needs_tag_in, end_needs_tag_in
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.app.residents import (
    ChangeResident,
    RegisterResident,
    change_resident_in,
    register_resident_in,
)
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.register import Gender, Household, NeedsTagKind, Relation

_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
_RELATIONS = {
    "户主": Relation.HEAD, "本人": Relation.HEAD, "配偶": Relation.SPOUSE, "妻": Relation.SPOUSE,
    "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE, "丈夫": Relation.SPOUSE, "子女": Relation.CHILD,
    "子": Relation.CHILD, "女": Relation.CHILD, "儿子": Relation.CHILD, "女儿": Relation.CHILD,
    "长子": Relation.CHILD, "次子": Relation.CHILD, "长女": Relation.CHILD, "次女": Relation.CHILD,
    "父母": Relation.PARENT, "父亲": Relation.PARENT, "母亲": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
    "兄弟姐妹": Relation.SIBLING, "兄": Relation.SIBLING, "弟": Relation.SIBLING,
    "姐": Relation.SIBLING, "妹": Relation.SIBLING, "其他": Relation.OTHER,
}
_KINDS = {"因病": NeedsTagKind.ILLNESS, "因灾": NeedsTagKind.DISASTER, "因残": NeedsTagKind.DISABILITY,
          "家庭变故": NeedsTagKind.FAMILY_CHANGE, "低保": NeedsTagKind.LOW_INCOME,
          "留守儿童": NeedsTagKind.LEFT_BEHIND_CHILD, "空巢老人": NeedsTagKind.EMPTY_NEST_ELDERLY,
          "在外务工": NeedsTagKind.MIGRANT_WORKER_AWAY}
# API field names (in use-case errors) → import columns.
_FROM_API = {"orgUnitId": "org_unit_id", "householdNo": "household_no", "householdId": "household_no",
             "address": "address", "name": "name", "gender": "gender", "birthYear": "birth_year",
             "relation": "relation", "phone": "phone", "idNumber": "id_number", "kind": "kind",
             "since": "since", "until": "until"}


def _id_number(text: str, raw: Any) -> str:
    if isinstance(raw, float):
        raise CellError("stored as a number, which loses digits: format the column as text and "
                        "type the number again")
    return normalise_id_number(text)


UNIT, NUMBER = Column("村/社区 id", unit_id), Column("户编号")


async def household_of(uow: UnitOfWork, v: Mapping[str, Any]) -> Household:
    found = await uow.households.by_number(v["org_unit_id"], v["household_no"])
    if found is None:
        raise InvalidInput(f"no household {v['household_no']} is registered in that unit; import "
                           "the households first", field="householdNo")
    return found


async def _household(uow: UnitOfWork, v: Mapping[str, Any], _lookups: Lookups) -> str:
    existing = await uow.households.by_number(v["org_unit_id"], v["household_no"])
    if existing is not None:
        _, changed = await change_household_in(
            ChangeHousehold(existing.id, address=v["address"]), uow, None)
        return "updated" if changed else "unchanged"
    _, created = await register_household_in(RegisterHousehold(
        derived("household", v["org_unit_id"], v["household_no"]), v["org_unit_id"],
        v["household_no"], v["address"]), uow, None)
    return "created" if created else "unchanged"


async def _resident(uow: UnitOfWork, v: Mapping[str, Any], _lookups: Lookups) -> str:
    household = await household_of(uow, v)
    resident = await uow.residents.by_id_number(v["id_number"])
    if resident is not None:
        if resident.household_id != household.id:
            raise InvalidInput("this ID number is already registered in another household",
                               field="idNumber")
        _, changed = await change_resident_in(ChangeResident(
            resident.id, name=v["name"], gender=v["gender"], birth_year=v["birth_year"],
            relation=v["relation"], phone=v["phone"]), uow, None)
        return "updated" if changed else "unchanged"
    _, created = await register_resident_in(RegisterResident(
        derived("resident", uow.residents.id_number_key(v["id_number"])), household.id,
        name=v["name"], gender=v["gender"], birth_year=v["birth_year"], relation=v["relation"],
        phone=v["phone"], id_number=v["id_number"]), uow, None)
    return "created" if created else "unchanged"


async def _needs_tag(uow: UnitOfWork, v: Mapping[str, Any], _lookups: Lookups) -> str:
    household = await household_of(uow, v)
    for tag in await uow.needs_tags.of_households([household.id]):
        if tag.kind is v["kind"] and tag.since == v["since"]:
            if v["until"] is None or v["until"] == tag.until:
                return "unchanged"
            await end_needs_tag_in(EndNeedsTag(tag.id, v["until"]), uow, None)
            return "updated"
    _, created = await add_needs_tag_in(AddNeedsTag(
        derived("needs_tag", household.id, uow.needs_tags.kind_key(v["kind"]), v["since"]),
        household.id, v["kind"], v["since"], v["until"]), uow, None)
    return "created" if created else "unchanged"


HOUSEHOLDS = KindSpec({"org_unit_id": UNIT, "household_no": NUMBER, "address": Column("家庭住址")},
                      _household, _FROM_API)
RESIDENTS = KindSpec({
    "org_unit_id": UNIT, "household_no": NUMBER, "name": Column("姓名"),
    "gender": Column("性别", choice(_GENDERS, Gender)), "birth_year": Column("出生年份", year),
    "relation": Column("与户主关系", choice(_RELATIONS, Relation)),
    "phone": Column("联系电话", optional=True),
    "id_number": Column("身份证号", _id_number, if_empty="is empty: a resident is imported by ID "
                        "number, so that a re-import recognises them"),
}, _resident, _FROM_API)
NEEDS_TAGS = KindSpec({
    "org_unit_id": UNIT, "household_no": NUMBER, "kind": Column("困难类型", choice(_KINDS, NeedsTagKind)),
    "since": Column("开始日期", date), "until": Column("结束日期", date, optional=True),
}, _needs_tag, _FROM_API)
