"""The register of residents (群众) and households (户), with the needs tags of the needy
register (困难群众台账). Phone and ID numbers are held here in clear; the adapters encrypt them
at rest and the API masks them — fields carrying them are kept out of repr() so they never
reach a log line."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field, replace

from lianxin.people.domain.common import check_period, clean_text
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.org import OrgUnit, OrgUnitKind

HOUSEHOLD_UNITS = (OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY, OrgUnitKind.GRID)
MAX_NAME, MAX_ADDRESS, MAX_HOUSEHOLD_NO = 50, 200, 40


class Gender(enum.Enum):
    MALE = "male"
    FEMALE = "female"


class Relation(enum.Enum):
    """Relation to the head of household (与户主关系)."""

    HEAD = "head"              # 户主
    SPOUSE = "spouse"          # 配偶
    CHILD = "child"            # 子女
    PARENT = "parent"          # 父母
    GRANDCHILD = "grandchild"  # 孙子女
    SIBLING = "sibling"        # 兄弟姐妹
    OTHER = "other"            # 其他


class NeedsTagKind(enum.Enum):
    """Why a household is on the needy register."""

    ILLNESS = "illness"                        # 因病
    DISASTER = "disaster"                      # 因灾
    DISABILITY = "disability"                  # 因残
    FAMILY_CHANGE = "family_change"            # 家庭变故
    LOW_INCOME = "low_income"                  # 低保
    LEFT_BEHIND_CHILD = "left_behind_child"    # 留守儿童
    EMPTY_NEST_ELDERLY = "empty_nest_elderly"  # 空巢老人
    MIGRANT_WORKER_AWAY = "migrant_worker_away"  # 在外务工


@dataclass(frozen=True, slots=True)
class Household:
    id: uuid.UUID
    org_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]
    household_no: str
    address: str = field(repr=False)
    head_resident_id: uuid.UUID | None = None
    version: int = 1

    def same_content(self, other: object) -> bool:
        return isinstance(other, Household) and (
            (self.org_unit_id, self.household_no, self.address) ==
            (other.org_unit_id, other.household_no, other.address))


@dataclass(frozen=True, slots=True)
class Resident:
    id: uuid.UUID
    household_id: uuid.UUID
    org_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]
    name: str
    gender: Gender
    birth_year: int
    relation: Relation
    phone: str | None = field(default=None, repr=False)
    id_number: str | None = field(default=None, repr=False)
    version: int = 1

    def same_content(self, other: object) -> bool:
        return isinstance(other, Resident) and (
            (self.household_id, self.name, self.gender, self.birth_year, self.relation,
             self.phone, self.id_number) ==
            (other.household_id, other.name, other.gender, other.birth_year, other.relation,
             other.phone, other.id_number))


@dataclass(frozen=True, slots=True)
class NeedsTag:
    id: uuid.UUID
    household_id: uuid.UUID
    kind: NeedsTagKind = field(repr=False)
    since: dt.date
    until: dt.date | None = None

    def same_content(self, other: object) -> bool:
        return isinstance(other, NeedsTag) and (
            (self.household_id, self.kind, self.since, self.until) ==
            (other.household_id, other.kind, other.since, other.until))

    def active_on(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


def new_household(household_id: uuid.UUID, unit: OrgUnit, household_no: str,
                  address: str) -> Household:
    """A household registered in a village, community or grid."""
    if unit.kind not in HOUSEHOLD_UNITS:
        raise InvalidInput(f"households are registered in a village, community or grid, not in "
                           f"a {unit.kind.name} ({unit.name})", field="orgUnitId")
    return Household(id=household_id, org_unit_id=unit.id, org_path=unit.path,
                     household_no=clean_text(household_no, "householdNo",
                                             max_length=MAX_HOUSEHOLD_NO),
                     address=clean_text(address, "address", max_length=MAX_ADDRESS))


def new_resident(resident_id: uuid.UUID, household: Household, *, name: str, gender: Gender,
                 birth_year: int, relation: Relation, phone: str | None, id_number: str | None,
                 today: dt.date) -> Resident:
    """A member of a household; phone and ID number arrive already normalised (see kit.pii)."""
    if not 1900 <= birth_year <= today.year:
        raise InvalidInput(f"birthYear must be between 1900 and {today.year}, got {birth_year}",
                           field="birthYear")
    return Resident(id=resident_id, household_id=household.id, org_unit_id=household.org_unit_id,
                    org_path=household.org_path,
                    name=clean_text(name, "name", max_length=MAX_NAME),
                    gender=gender, birth_year=birth_year, relation=relation, phone=phone,
                    id_number=id_number)


def with_head(household: Household, resident: Resident) -> Household:
    """The household once `resident` (relation HEAD) is registered as its head."""
    return replace(household, head_resident_id=resident.id, version=household.version + 1)


def new_needs_tag(tag_id: uuid.UUID, household: Household, kind: NeedsTagKind, since: dt.date,
                  until: dt.date | None) -> NeedsTag:
    check_period(since, until, "since", "until")
    return NeedsTag(id=tag_id, household_id=household.id, kind=kind, since=since, until=until)


def ended_tag(tag: NeedsTag, until: dt.date) -> NeedsTag:
    """The tag closed on `until` (history is kept: tags end, they are not deleted)."""
    check_period(tag.since, until, "since", "until")
    return replace(tag, until=until)
