"""Mutation inputs of the register: households, residents and needs tags."""

from __future__ import annotations

import datetime as dt

import strawberry
from lianxin.people.api.households import NeedsTagKindEnum
from lianxin.people.api.residents import GenderEnum, RelationEnum


@strawberry.input(description="A household; the client chooses the id so a retry is harmless")
class RegisterHouseholdInput:
    id: strawberry.ID
    org_unit_id: strawberry.ID = strawberry.field(description="A village, community or grid")
    household_no: str = strawberry.field(description="户编号, unique within the unit")
    address: str


@strawberry.input(description="Leave a field out (null) to keep it")
class ChangeHouseholdInput:
    id: strawberry.ID
    household_no: str | None = None
    address: str | None = None


@strawberry.input(description="A household member; relation HEAD makes them the head")
class RegisterResidentInput:
    id: strawberry.ID
    household_id: strawberry.ID
    name: str
    gender: GenderEnum  # type: ignore[valid-type]
    birth_year: int
    relation: RelationEnum  # type: ignore[valid-type]
    phone: str | None = strawberry.field(default=None, description="Mobile or landline with area code")
    id_number: str | None = strawberry.field(default=None, description="18-character resident ID")


@strawberry.input(description="Leave a field out (null) to keep it; \"\" removes phone or idNumber")
class ChangeResidentInput:
    id: strawberry.ID
    name: str | None = None
    gender: GenderEnum | None = None  # type: ignore[valid-type]
    birth_year: int | None = None
    relation: RelationEnum | None = None  # type: ignore[valid-type]
    phone: str | None = None
    id_number: str | None = None


@strawberry.input
class AddNeedsTagInput:
    id: strawberry.ID
    household_id: strawberry.ID
    kind: NeedsTagKindEnum  # type: ignore[valid-type]
    since: dt.date
    until: dt.date | None = None


@strawberry.input
class EndNeedsTagInput:
    id: strawberry.ID
    until: dt.date | None = strawberry.field(default=None, description="Default: today")
