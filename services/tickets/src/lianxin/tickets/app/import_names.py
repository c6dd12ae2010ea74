"""Names in a ledger (台账) → what they stand for: org units (村/社区 and 责任单位, by id or by
exact name inside the county, from the local read model), categories (by code or name) and the
county a place belongs to. Cached for one import: none of them change meanwhile."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from lianxin.kit.errors import InvalidInput
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.category import Category
from lianxin.tickets.domain.intake import county_of
from lianxin.tickets.domain.ticket import OrgUnitRef


class RowProblems(Exception):
    """(field, what is wrong) for the cells of one row that stop it being imported."""

    def __init__(self, *found: tuple[str, str]) -> None:
        super().__init__(found)
        self.found = found


@dataclass(slots=True)
class Names:
    """Names → org units and categories, cached for the import (they do not change meanwhile)."""

    county: OrgUnitRef | None
    units: dict[tuple[uuid.UUID | str, tuple[str, ...]], OrgUnitRef] = field(default_factory=dict)
    categories: dict[str, Category] | None = None
    counties: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # place → its county

    async def unit(self, uow: UnitOfWork, ref: uuid.UUID | str, kinds: tuple[str, ...],
                   name: str, what: str) -> OrgUnitRef:
        if (ref, kinds) in self.units:
            return self.units[ref, kinds]
        where = f" in {self.county.name}" if self.county else ""
        if isinstance(ref, uuid.UUID):
            unit = await uow.org_units.get(ref)
            if unit is None or unit.kind not in kinds:
                raise RowProblems((name, f"no {what} has the id {ref}"))
            if self.county is not None and self.county.id not in unit.path:
                raise RowProblems((name, f"{unit.name} ({ref}) is not{where}"))
        else:
            found = await uow.org_units.find_by_name(self.county.id if self.county else None,
                                                     ref, kinds)
            if not found:
                raise RowProblems((name, f"no {what} is named {ref!r}{where}: give its exact "
                                          "name or its id"))
            if len(found) > 1:
                paths = "; ".join([await path_of(uow, u) for u in found])
                raise RowProblems((name, f"{len(found)} units are named {ref!r} ({paths}): give "
                                          "the id of the one you mean"))
            unit = found[0]
        self.units[ref, kinds] = unit
        return unit

    async def category(self, uow: UnitOfWork, text: str) -> str:
        """A category code, or a category's exact name or one of its " / " parts (停水)."""
        if self.categories is None:
            self.categories = await uow.categories.all()
        if text in self.categories:
            return text
        named = [c.code for c in self.categories.values() if c.name == text] or [
            c.code for c in self.categories.values()
            if text in (part.strip() for part in c.name.split("/"))]
        if len(named) == 1:
            return named[0]
        if named:
            raise RowProblems(("category", f"{text!r} names {len(named)} categories "
                                            f"({', '.join(named)}): give the code you mean"))
        raise RowProblems(("category", f"{text!r} is neither a category code (such as "
                                        "water.supply) nor a category's name (such as 停水)"))

    async def county_id(self, uow: UnitOfWork, place: OrgUnitRef) -> uuid.UUID:
        """The county the ticket id derives from: as given, else the place's own (as intake
        numbers its code)."""
        if self.county is not None:
            return self.county.id
        if place.id not in self.counties:
            units = await uow.org_units.get_many(list(place.path))
            self.counties[place.id] = county_of(units, place.path)
        return self.counties[place.id]


async def path_of(uow: UnitOfWork, unit: OrgUnitRef) -> str:
    names = {u.id: u.name for u in await uow.org_units.get_many(list(unit.path))}
    return " › ".join(names.get(p, str(p)) for p in unit.path)


async def find_county(uow: UnitOfWork, ref: uuid.UUID | str) -> OrgUnitRef:
    found = ([await uow.org_units.get(ref)] if isinstance(ref, uuid.UUID)
             else await uow.org_units.find_by_name(None, ref, ("county",)))
    counties = [u for u in found if u is not None and u.kind == "county"]
    if len(counties) != 1:
        raise InvalidInput(f"county {ref}: {len(counties)} counties have that id or name; give "
                           "the id of one", field="county")
    return counties[0]
