"""The category tree's rules and routing: the most specific rule wins, ties suggest several
departments, and only admins and supervisors (for their areas) edit them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from lianxin.tickets.app import taxonomy as tx
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.domain.category import (
    Category,
    CategoryExists,
    InvalidCategory,
    change_category,
    new_category,
    tree_order,
)
from lianxin.tickets.domain.errors import InvalidTicket, NotFound, OutOfScope, UnknownOrgUnit
from lianxin.tickets.domain.routing import InvalidRoutingRule, RoutingRule, best_rules
from lianxin.tickets.domain.ticket import Channel, Kind, OrgUnitRef
from tickets_helpers import COUNTY, HOUSING, OTHER_TOWN, TOWN, TRANSPORT, VILLAGE, WATER

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
ADMIN = Actor(subject="admin", role="admin")
TOWN_SUPERVISOR = Actor(subject="sup", role="supervisor", org_scope=frozenset({TOWN}))
TOWN_CADRE = Actor(subject="cadre", role="cadre", org_scope=frozenset({TOWN}))
TABLE = {c.code: c for c in (Category("water", "供水"), Category("water.supply", "停水", "water"),
                             Category("road", "道路", position=1),
                             Category("road.light", "路灯", "road"))}


@pytest.fixture
def world(uow: Any) -> Any:
    for unit in (OrgUnitRef(COUNTY, None, "墨江县", "county", (COUNTY,)),
                 OrgUnitRef(TOWN, COUNTY, "联珠镇", "township", (COUNTY, TOWN)),
                 OrgUnitRef(OTHER_TOWN, COUNTY, "通关镇", "township", (COUNTY, OTHER_TOWN)),
                 OrgUnitRef(VILLAGE, TOWN, "玉溪村", "village", (COUNTY, TOWN, VILLAGE)),
                 OrgUnitRef(WATER, COUNTY, "县水务局", "department", (COUNTY, WATER)),
                 OrgUnitRef(HOUSING, COUNTY, "县住建局", "department", (COUNTY, HOUSING)),
                 OrgUnitRef(TRANSPORT, COUNTY, "县交通运输局", "department", (COUNTY, TRANSPORT))):
        uow.org_units.rows[unit.id] = unit
    uow.categories.rows.update(TABLE)
    return uow


# --- categories ------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "parent", "field"), [
    ("Water.Tank", "water", "code"), ("water..tank", "water", "code"),
    ("water.1tank", "water", "code"), ("road.tank", "water", "code"),
    ("water.tank.big", "water", "code"),       # a direct child only
    ("water.tank", None, "parentCode"), ("gas.meter", "gas", "parentCode"),
])
def test_new_category_codes_are_checked(code: str, parent: str | None, field: str) -> None:
    with pytest.raises(InvalidCategory) as err:
        new_category(TABLE, code, "水箱", parent)
    assert err.value.details["field"] == field


def test_new_category_goes_last_among_its_siblings_and_needs_a_name() -> None:
    made = new_category(TABLE, "water.tank_2", " 水箱 ", "water")
    assert (made.parent_code, made.name, made.position) == ("water", "水箱", 1)
    with pytest.raises(InvalidCategory) as err:
        new_category(TABLE, "gas", "  ", None)
    assert err.value.details["field"] == "name"
    with pytest.raises(CategoryExists):
        new_category(TABLE, "water.supply", "停水", "water")


def test_tree_order_puts_parents_first_and_siblings_by_position() -> None:
    order = [c.code for c in tree_order({**TABLE, "gas": Category("gas", "燃气", position=-1)})]
    assert order == ["gas", "water", "water.supply", "road", "road.light"]


def test_reactivating_under_an_inactive_parent_is_refused() -> None:
    table = {**TABLE, "water": Category("water", "供水", active=False),
             "water.supply": Category("water.supply", "停水", "water", active=False)}
    with pytest.raises(InvalidCategory) as err:
        change_category(table, "water.supply", active=True)
    assert err.value.details["field"] == "active"
    assert change_category(table, "water", active=True, name="饮水").name == "饮水"
    with pytest.raises(NotFound):
        change_category(table, "weather", name="天气")


async def test_only_editors_change_the_taxonomy_and_deactivation_stops_intake(world: Any) -> None:
    with pytest.raises(OutOfScope):
        await tx.create_category(tx.CreateCategory("gas", "燃气"), world, TOWN_CADRE)
    await tx.create_category(tx.CreateCategory("water.tank", "水箱", "water"), world,
                             TOWN_SUPERVISOR)
    await tx.update_category(tx.UpdateCategory("water", active=False), world, ADMIN)
    assert world.categories.rows["water.tank"].active   # its own flag is untouched …
    with pytest.raises(InvalidTicket, match="no longer in use"):   # … but it is retired
        await submit_ticket(SubmitTicket(uuid.uuid4(), Channel.APP, "water.tank", "水箱漏了",
                                         org_unit_id=VILLAGE), world, ADMIN, clock=lambda: NOW)


# --- routing ---------------------------------------------------------------------------------
def rule(category: str, department: uuid.UUID, area: uuid.UUID | None = None,
         depth: int = 0) -> RoutingRule:
    return RoutingRule(uuid.uuid4(), category, area, depth, department, NOW, "admin")


@pytest.mark.parametrize(("category", "place", "expected"), [
    ("water.supply", (COUNTY, TOWN, VILLAGE), {HOUSING}),     # deepest area beats category
    ("water.supply", (COUNTY, OTHER_TOWN), {WATER}),          # water.supply beats water
    ("water.quality", (COUNTY, OTHER_TOWN), {TRANSPORT}),     # water anywhere
    ("road.light", (COUNTY, TOWN), {WATER, TRANSPORT}),       # a tie suggests both
    ("schooling", (COUNTY, TOWN), set()),
])
def test_most_specific_rule_wins(category: str, place: tuple[uuid.UUID, ...],
                                 expected: set[uuid.UUID]) -> None:
    rules = [rule("water", TRANSPORT), rule("water.supply", WATER),
             rule("water", HOUSING, TOWN, 2),
             rule("road", WATER, COUNTY, 1), rule("road", TRANSPORT, COUNTY, 1),
             rule("road.light", HOUSING)]   # more specific category, but a shallower area
    assert {r.department_id for r in best_rules(rules, category, place)} == expected


async def test_route_ticket_suggests_departments_to_staff_who_see_it(world: Any) -> None:
    await tx.set_routing_rule(tx.SetRoutingRule("water", WATER), world, ADMIN)
    await tx.set_routing_rule(tx.SetRoutingRule("water", HOUSING, TOWN), world, TOWN_SUPERVISOR)
    ticket = await submit_ticket(SubmitTicket(uuid.uuid4(), Channel.APP, "water.supply", "停水",
                                              org_unit_id=VILLAGE), world, ADMIN)
    assert [u.id for u in await tx.route_ticket(ticket.id, world, TOWN_CADRE)] == [HOUSING]
    elsewhere = Actor(subject="c2", role="cadre", org_scope=frozenset({OTHER_TOWN}))
    with pytest.raises(NotFound):
        await tx.route_ticket(ticket.id, world, elsewhere)
    with pytest.raises(NotFound):   # residents get no routing, even on their own ticket
        await tx.route_ticket(ticket.id, world, Actor(subject="admin", role="resident"))
    risk = await submit_ticket(SubmitTicket(uuid.uuid4(), Channel.APP, "water", "群体上访苗头",
                                            org_unit_id=VILLAGE, kind=Kind.STABILITY_RISK),
                               world, ADMIN)
    with pytest.raises(NotFound):   # stability risks only for the cleared
        await tx.route_ticket(risk.id, world, TOWN_CADRE)


async def test_rule_validation_and_scope(world: Any) -> None:
    with pytest.raises(InvalidRoutingRule) as err:
        await tx.set_routing_rule(tx.SetRoutingRule("water", TOWN), world, ADMIN)
    assert err.value.details["field"] == "departmentId"
    with pytest.raises(NotFound):
        await tx.set_routing_rule(tx.SetRoutingRule("weather", WATER), world, ADMIN)
    with pytest.raises(UnknownOrgUnit):
        await tx.set_routing_rule(tx.SetRoutingRule("water", WATER, uuid.UUID(int=404)), world,
                                  ADMIN)
    with pytest.raises(OutOfScope):   # anywhere: admins only
        await tx.set_routing_rule(tx.SetRoutingRule("water", WATER), world, TOWN_SUPERVISOR)
    with pytest.raises(OutOfScope):
        await tx.set_routing_rule(tx.SetRoutingRule("water", WATER, OTHER_TOWN), world,
                                  TOWN_SUPERVISOR)
    with pytest.raises(OutOfScope):
        await tx.set_routing_rule(tx.SetRoutingRule("water", WATER, TOWN), world, TOWN_CADRE)
    assert world.routing_rules.rows == {}


async def test_setting_a_rule_again_updates_it_and_delete_needs_scope(world: Any) -> None:
    first = await tx.set_routing_rule(tx.SetRoutingRule("water", WATER, VILLAGE, "旧"), world,
                                      TOWN_SUPERVISOR)
    again = await tx.set_routing_rule(tx.SetRoutingRule("water", WATER, VILLAGE, "新"), world,
                                      TOWN_SUPERVISOR)
    assert again.id == first.id and again.note == "新" and first.area_depth == 3
    anywhere = await tx.set_routing_rule(tx.SetRoutingRule("road", TRANSPORT), world, ADMIN)
    with pytest.raises(OutOfScope):
        await tx.delete_routing_rule(tx.DeleteRoutingRule(anywhere.id), world, TOWN_SUPERVISOR)
    assert await tx.delete_routing_rule(tx.DeleteRoutingRule(first.id), world,
                                        TOWN_SUPERVISOR) == first.id
    with pytest.raises(NotFound):
        await tx.delete_routing_rule(tx.DeleteRoutingRule(first.id), world, ADMIN)
    assert list(world.routing_rules.rows) == [anywhere.id]
