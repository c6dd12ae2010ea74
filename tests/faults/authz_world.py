"""The demo county as the authorisation matrix sees it: where every entity lives (its org path),
two townships' worth of targets — A (联珠镇, the demo cadre's) and B (新安镇, which holds the
demo's stability-risk (涉稳) and confidential tickets) — and the viewers that ask about them.

Everything comes from `build_county()` (ids are uuid5 of fixed keys); only ids the API chooses
itself (a whistle's) are read back from the stack."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lianxin.kit.devstack.demo.county import DemoCounty, Op, Unit, unit_id
from lianxin.kit.devstack.demo.roles import demo_roles

TERRITORIAL = {"COUNTY", "TOWNSHIP", "VILLAGE", "COMMUNITY", "GRID"}
TOWNSHIPS = ("联珠镇", "新安镇")  # A, B
PERSONAL_KINDS = {"ticket", "resident", "household", "needs_tag", "pairing", "visit"}


@dataclass(frozen=True)
class Home:
    """Where an entity lives: its kind and the org path (unit ids, county first) it belongs to."""

    kind: str
    path: tuple[str, ...]


@dataclass
class Target:
    """One township's entities to ask about (ids)."""

    name: str
    unit: str
    village: str
    household: str
    resident: str
    needs_tag: str
    cadre: str
    pairing: str
    visit: str
    campaign: str
    ticket: str
    stability_ticket: str | None = None
    whistle: str = field(default_factory=lambda: str(uuid.uuid4()))  # read back if one exists
    qr: str = ""  # a contact card's QR payload for `pairing`, signed by the stack's secret


@dataclass
class World:
    homes: dict[str, Home]
    kinds: dict[str, str]  # unit id -> org unit kind
    targets: dict[str, Target]  # "A", "B"
    resident: str  # the demo resident with tickets (role resident)
    own: set[str]  # that resident's own ids (record, household, tickets)
    sensitive: set[str]  # stability-risk tickets (涉稳)
    confidential: set[str]  # tickets whose requester is confidential

    def territory(self, path: Iterable[str]) -> tuple[str, ...]:
        """The territorial units (county, township, village, grid) of an org path."""
        return tuple(u for u in path if self.kinds.get(u) in TERRITORIAL)


def _inputs(ops: list[Op]) -> list[dict[str, Any]]:
    return [op.input for op in ops]


def build_world(county: DemoCounty) -> World:
    """Every demo entity's home, the targets in townships A and B, the resident viewer."""
    tree = county.tree
    path = {u.id: tuple(unit_id(u.path[:i]) for i in range(1, len(u.path) + 1)) for u in tree.units}
    homes: dict[str, Home] = {uid: Home("org_unit", p) for uid, p in path.items()}
    households = {h["id"]: h for h in _inputs(county.households)}
    for h in households.values():
        homes[h["id"]] = Home("household", path[h["orgUnitId"]])
    for kind, ops in (("resident", county.residents), ("needs_tag", county.needs_tags)):
        for r in _inputs(ops):
            homes[r["id"]] = Home(kind, homes[r["householdId"]].path)
    for c in _inputs(county.cadres):
        homes[c["id"]] = Home("cadre", path[c["workUnitId"]])
    for c in _inputs(county.campaigns):
        homes[c["id"]] = Home("campaign", path[c["orgUnitId"]])
    for p in _inputs(county.pairings):
        where = homes[p["householdId"]].path if p.get("householdId") else path[p["contactPointId"]]
        homes[p["id"]] = Home("pairing", where)
    for v in _inputs(county.visits):
        homes[v["id"]] = Home("visit", path[v["orgUnitId"]])
    submits = [op.input for story in county.tickets for op in story if op.field == "submitTicket"]
    for t in submits:
        homes[t["id"]] = Home("ticket", path[t["orgUnitId"]])
    world = World(
        homes=homes,
        kinds={u.id: u.kind for u in tree.units},
        targets={},
        resident="",
        own=set(),
        sensitive={
            t["id"]
            for t in submits
            if t.get("kind") == "STABILITY_RISK" or t.get("ledger") == "STABILITY_RISK"
        },
        confidential={t["id"] for t in submits if t.get("confidential")},
    )
    for label, name in zip(("A", "B"), TOWNSHIPS, strict=True):
        township = next(t for t in tree.townships if t.name == name)
        world.targets[label] = _target(county, world, township, submits)
    _resident(county, world, submits)
    return world


def _target(county: DemoCounty, world: World, township: Unit, submits: list[dict]) -> Target:
    def inside(entity_id: str) -> bool:
        return township.id in world.homes[entity_id].path

    tags = [t for t in _inputs(county.needs_tags) if inside(t["id"])]
    pairings = [p for p in _inputs(county.pairings) if p.get("householdId") and inside(p["id"])]
    tagged = {t["householdId"] for t in tags}
    pairing = next((p for p in pairings if p["householdId"] in tagged), pairings[0])
    household = pairing["householdId"]
    head = next(r for r in _inputs(county.residents) if r["householdId"] == household)
    tag = next((t for t in tags if t["householdId"] == household), tags[0])
    village = next(u for u in world.homes[household].path if world.kinds[u] in ("VILLAGE", "COMMUNITY"))
    tickets = [t for t in submits if inside(t["id"])]
    plain = [
        t
        for t in tickets
        if t["id"] not in world.sensitive | world.confidential
        and not t.get("anonymous")
        and (t.get("contact") or {}).get("phone")
    ]
    return Target(
        name=township.name,
        unit=township.id,
        village=village,
        household=household,
        resident=head["id"],
        needs_tag=tag["id"],
        cadre=next(c["id"] for c in _inputs(county.cadres) if inside(c["id"])),
        pairing=pairing["id"],
        visit=next(v["id"] for v in _inputs(county.visits) if inside(v["id"])),
        campaign=county.campaigns[0].input["id"],
        ticket=plain[0]["id"],
        stability_ticket=next((t["id"] for t in tickets if t["id"] in world.sensitive), None),
    )


def _resident(county: DemoCounty, world: World, submits: list[dict]) -> None:
    """The role-resident viewer: the demo's resident with tickets (demo/roles.py)."""
    resident = next(r.subject for r in demo_roles(county) if r.role == "resident")
    household = next(r["householdId"] for r in _inputs(county.residents) if r["id"] == resident)
    world.resident = resident
    world.own = {resident, household} | {
        t["id"] for t in submits if (t.get("contact") or {}).get("residentId") == resident
    }
