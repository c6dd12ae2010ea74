"""Use cases of the category taxonomy and the routing rules (category × area → department).
Admins and supervisors edit them; routing suggests departments for a ticket, the dispatcher
decides."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from lianxin.kit.ids import uuid7
from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.category import (
    Category,
    CategoryExists,
    change_category,
    lineage,
    new_category,
)
from lianxin.tickets.domain.errors import NotFound, OutOfScope, UnknownOrgUnit
from lianxin.tickets.domain.routing import RoutingRule, best_rules, new_rule
from lianxin.tickets.domain.ticket import OrgUnitRef

EDITORS = ("admin", "supervisor", "system")


def _require_editor(actor: Actor, what: str) -> None:
    if actor.role not in EDITORS:
        raise OutOfScope(f"only admins and supervisors change {what}", field="input")


# --- categories --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CreateCategory:
    code: str
    name: str
    parent_code: str | None = None
    position: int | None = None       # None: after its siblings


@dataclass(frozen=True, slots=True)
class UpdateCategory:
    """Rename, (de)activate or reorder; fields left None stay as they are."""

    code: str
    name: str | None = None
    active: bool | None = None
    position: int | None = None


async def categories(uow: UnitOfWork) -> dict[str, Category]:
    """The whole taxonomy by code."""
    async with uow:
        return await uow.categories.all()


async def create_category(cmd: CreateCategory, uow: UnitOfWork, actor: Actor,
                          clock: Clock = utcnow) -> Category:
    """Add a category (top-level, or directly under an existing one)."""
    _require_editor(actor, "the category taxonomy")
    async with uow:
        made = new_category(await uow.categories.all(), cmd.code, cmd.name, cmd.parent_code,
                            cmd.position)
        if not await uow.categories.add(made):
            raise CategoryExists(f"category {cmd.code!r} was just created by someone else",
                                 field="code")
        await uow.commit()
        return made


async def update_category(cmd: UpdateCategory, uow: UnitOfWork, actor: Actor,
                          clock: Clock = utcnow) -> Category:
    """Existing tickets keep their category whatever happens to it; a deactivated category
    (or one under a deactivated parent) is refused for new tickets."""
    _require_editor(actor, "the category taxonomy")
    async with uow:
        changed = change_category(await uow.categories.all(), cmd.code, name=cmd.name,
                                  active=cmd.active, position=cmd.position)
        await uow.categories.save(changed)
        await uow.commit()
        return changed


# --- routing rules -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SetRoutingRule:
    """Route tickets of `category` (and its sub-categories) placed in `area_unit_id`'s subtree
    (None: anywhere) to `department_id`. Setting the same triple again updates its note."""

    category: str
    department_id: uuid.UUID
    area_unit_id: uuid.UUID | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class DeleteRoutingRule:
    id: uuid.UUID


async def _unit(uow: UnitOfWork, unit_id: uuid.UUID, field: str) -> OrgUnitRef:
    unit = await uow.org_units.get(unit_id)
    if unit is None:
        raise UnknownOrgUnit(f"org unit {unit_id} is unknown to the tickets service; check the "
                             "id", field=field)
    return unit


def _require_area(actor: Actor, area: OrgUnitRef | None, field: str) -> None:
    """Rules for an area need the area in the editor's scope; rules for anywhere, no scope."""
    if area is None and actor.org_scope is not None:
        raise OutOfScope("only admins set rules for anywhere; give an areaUnitId inside your "
                         "org scope", field=field)
    if area is not None and not actor.works_at(area.path):
        raise OutOfScope(f"{area.name} lies outside your org scope", field=field)


async def set_routing_rule(cmd: SetRoutingRule, uow: UnitOfWork, actor: Actor,
                           clock: Clock = utcnow) -> RoutingRule:
    _require_editor(actor, "routing rules")
    async with uow:
        table = await uow.categories.all()
        if cmd.category not in table:
            raise NotFound(f"category {cmd.category!r} is not in the taxonomy; the `categories` "
                           "query lists the codes", field="categoryCode")
        area = await _unit(uow, cmd.area_unit_id, "areaUnitId") if cmd.area_unit_id else None
        _require_area(actor, area, "areaUnitId")
        department = await _unit(uow, cmd.department_id, "departmentId")
        rule = await uow.routing_rules.put(new_rule(uuid7(), cmd.category, area, department,
                                                    cmd.note, clock(), actor.subject))
        await uow.commit()
        return rule


async def delete_routing_rule(cmd: DeleteRoutingRule, uow: UnitOfWork, actor: Actor,
                              clock: Clock = utcnow) -> uuid.UUID:
    _require_editor(actor, "routing rules")
    async with uow:
        rule = await uow.routing_rules.get(cmd.id)
        if rule is None:
            raise NotFound(f"routing rule {cmd.id} does not exist", field="id")
        area = await uow.org_units.get(rule.area_unit_id) if rule.area_unit_id else None
        if rule.area_unit_id is None or area is not None:
            _require_area(actor, area, "id")
        elif actor.org_scope is not None:  # its area left the read model: admins clean it up
            raise OutOfScope("only admins delete rules of a unit that no longer exists",
                             field="id")
        await uow.routing_rules.delete(cmd.id)
        await uow.commit()
        return cmd.id


async def routing_rules(uow: UnitOfWork, after: tuple[str, uuid.UUID] | None, limit: int,
                        category: str | None = None) -> list[RoutingRule]:
    """A page of rules ordered by category code."""
    async with uow:
        return await uow.routing_rules.page(after, limit, category)


async def route_ticket(ticket_id: uuid.UUID, uow: UnitOfWork, actor: Actor) -> list[OrgUnitRef]:
    """The departments the best-matching rules suggest for the ticket (several when rules tie);
    empty when no rule applies. Staff who see the ticket only."""
    async with uow:
        found = await uow.tickets.get_many([ticket_id])
        if not found or actor.is_resident or not actor.sees(found[0]):
            raise NotFound(f"ticket {ticket_id} does not exist or is not yours to see",
                           field="ticketId")
        ticket = found[0]
        rules = await uow.routing_rules.candidates(lineage(ticket.category), ticket.org_path)
        departments = _unique(r.department_id for r in best_rules(rules, ticket.category,
                                                                   ticket.org_path))
        units = {u.id: u for u in await uow.org_units.get_many(departments)}
    return [units[d] for d in departments if d in units]


def _unique(ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(ids))
