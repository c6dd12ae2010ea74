"""The demo county as data: every GraphQL mutation input that builds it, in dependency order.

Pure and deterministic — a fixed `random.Random(DEMO_SEED)`, ids that are uuid5 of a fixed
namespace and a stable key, dates on a fixed calendar (never `today`) — so every machine and
every run produces exactly the same inputs, and loading them again is a retry the API answers
with the stored entities.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from lianxin.kit.devstack.demo import names

# Fixed namespace: the demo ids must be the same on every machine and every run.
DEMO_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-5b8e-9d47-2f3c7a1e0b64")
DEMO_SEED = 20261101
# The demo's "now": visits, tags and pairings are dated before it. A fixed day, not
# date.today(), because a retry with other content (a shifted date) would be a conflict.
DEMO_TODAY = dt.date(2026, 11, 1)


def unit_id(path: tuple[str, ...]) -> str:
    """The fixed id of the org unit at `path` (names from the county down)."""
    return str(uuid.uuid5(DEMO_NAMESPACE, "/".join(path)))


def demo_id(kind: str, key: str) -> str:
    """The fixed id of a demo entity of `kind` with a stable `key` (a path-like string)."""
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}"))


@dataclass(frozen=True)
class Op:
    """One mutation of the demo: the Mutation field, its `input`, and a label for errors.

    Ids the API chooses itself (a whistle's, an assignment's) reach later ops of the same stream
    as `Kept` values in their input: `keep` names this op's answer, `answer` selects what of it
    to read (a fragment on the success type, e.g. "... on Whistle { id }")."""

    field: str
    input: dict[str, Any]
    label: str
    keep: str | None = None
    answer: str = ""


@dataclass(frozen=True)
class Kept:
    """In an op's input: a value from the answer of an earlier op of the same stream, the one
    whose `keep` is `name`, found by `path` — keys, or `key=value` for the first item of a list
    whose `key` has that value (("assignments", "role=CO", "id"))."""

    name: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class Unit:
    """An org unit of the demo tree (组织)."""

    path: tuple[str, ...]
    kind: str
    subkind: str | None = None

    @property
    def id(self) -> str:
        return unit_id(self.path)

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def key(self) -> str:
        return "/".join(self.path)

    def op(self) -> Op:
        parent = unit_id(self.path[:-1]) if len(self.path) > 1 else None
        data = {"id": self.id, "parentId": parent, "name": self.name, "kind": self.kind}
        if self.subkind:
            data["subkind"] = self.subkind
        return Op("createOrgUnit", data, f"org unit {self.key} ({self.kind})")


@dataclass
class Tree:
    """The org tree, with the lookups the register and the work of cadres need."""

    county: Unit
    units: list[Unit] = field(default_factory=list)  # every unit, parents first
    townships: list[Unit] = field(default_factory=list)
    villages: list[Unit] = field(default_factory=list)  # villages and communities
    grids: dict[str, list[Unit]] = field(default_factory=dict)  # village key -> its grids
    departments: list[Unit] = field(default_factory=list)  # county departments
    service_centres: dict[str, Unit] = field(default_factory=dict)  # township key -> centre
    leaders_branch: Unit | None = None
    party: dict[str, Unit] = field(default_factory=dict)  # unit key -> its party organisation

    def add(self, unit: Unit) -> Unit:
        self.units.append(unit)
        return unit

    def township_of(self, unit: Unit) -> Unit:
        return next(t for t in self.townships if unit.path[:2] == t.path)


def build_tree() -> Tree:
    """County → townships → villages/communities → grids, departments, party organisations."""
    county = Unit((names.COUNTY,), "COUNTY")
    tree = Tree(county)
    tree.add(county)
    committee = tree.party[county.key] = tree.add(
        Unit((*county.path, "中共墨江县委"), "PARTY_ORG", "COMMITTEE"))
    tree.leaders_branch = tree.add(Unit((*committee.path, "县委办公室党支部"), "PARTY_ORG", "BRANCH"))
    for township_name, subkind, villages, gridded in names.TOWNSHIPS:
        township = tree.add(Unit((*county.path, township_name), "TOWNSHIP", subkind))
        tree.townships.append(township)
        tree.party[township.key] = tree.add(
            Unit((*township.path, f"{township_name}党委"), "PARTY_ORG", "COMMITTEE"))
        tree.service_centres[township.key] = tree.add(
            Unit((*township.path, f"{township_name}{names.TOWNSHIP_DEPARTMENT}"), "DEPARTMENT"))
        for village_name in villages:
            community = village_name.endswith("社区")
            village = tree.add(Unit((*township.path, village_name),
                                    "COMMUNITY" if community else "VILLAGE"))
            tree.villages.append(village)
            branch, subkind_ = ("党总支", "GENERAL_BRANCH") if community else ("党支部", "BRANCH")
            tree.party[village.key] = tree.add(
                Unit((*village.path, f"{village_name}{branch}"), "PARTY_ORG", subkind_))
            if village_name in gridded:
                tree.grids[village.key] = [
                    tree.add(Unit((*village.path, f"第{'一二三四'[i]}网格"), "GRID"))
                    for i in range(names.GRIDS_PER_UNIT)]
    for department_name in names.DEPARTMENTS:
        department = tree.add(Unit((*county.path, department_name), "DEPARTMENT"))
        tree.departments.append(department)
        tree.party[department.key] = tree.add(
            Unit((*department.path, f"{department_name}党支部"), "PARTY_ORG", "BRANCH"))
    return tree


@dataclass
class DemoCounty:
    """Every input of the demo, by entity, each list in the order it must be loaded."""

    tree: Tree
    units: list[Op]
    households: list[Op]
    residents: list[Op]
    needs_tags: list[Op]
    cadres: list[Op]
    campaigns: list[Op]
    pairings: list[Op]
    visits: list[Op]
    # Each ticket's submit and workflow steps in order; a duplicate shares its master's list
    # (the merge needs both). A list of one op is a ticket left RECEIVED.
    tickets: list[list[Op]] = field(default_factory=list)

    ENTITIES = ("units", "households", "residents", "needs_tags", "cadres", "campaigns",
                "pairings", "visits")

    def ops(self) -> list[Op]:
        """All mutations, dependencies first: a household before its residents and tags, a
        cadre and a campaign before their pairings, pairings before visits, tickets last (the
        tickets service learns the org tree from people's events)."""
        return ([op for entity in self.ENTITIES for op in getattr(self, entity)]
                + [op for story in self.tickets for op in story])

    def waves(self, streams: int = 4) -> list[list[list[Op]]]:
        """The ops as waves of up to `streams` independent streams: a wave starts once the one
        before it is complete; within a stream order matters, between streams it does not.
        Pairings stay in one stream, in order, so contact-card numbers are the same everywhere."""
        by_household: dict[str, list[Op]] = {op.input["id"]: [op] for op in self.households}
        for op in (*self.residents, *self.needs_tags):
            by_household[op.input["householdId"]].append(op)
        families = list(by_household.values())
        waves = [
            [self.units],
            [[op for family in part for op in family] for part in _split(families, streams)],
            _split(self.cadres, streams),
            [self.campaigns],
            [self.pairings, *_split(self.visits, max(streams - 1, 1))],
            self._ticket_streams(streams),
        ]
        return [wave for wave in waves if any(wave)]

    def _ticket_streams(self, streams: int) -> list[list[Op]]:
        """Tickets with steps spread over the streams (each ticket whole, in order, in one
        stream; the next to the stream with the fewest ops), then the tickets left RECEIVED
        dealt out at the ends — so every stream ends with a submit, which the already-loaded
        check can read back by id (a step it could not)."""
        flows = [story for story in self.tickets if len(story) > 1]
        bare = [story[0] for story in self.tickets if len(story) == 1]
        lanes: list[list[Op]] = [[] for _ in range(max(1, min(streams, len(bare))))]
        for story in flows:
            min(lanes, key=len).extend(story)
        for i, op in enumerate(bare):
            lanes[i % len(lanes)].append(op)
        return [lane for lane in lanes if lane]

    def counts(self) -> dict[str, int]:
        counts = {entity: len(getattr(self, entity)) for entity in self.ENTITIES}
        steps = [op for story in self.tickets for op in story]
        counts["tickets"] = sum(op.field == "submitTicket" for op in steps)
        counts["ticket_steps"] = len(steps) - counts["tickets"]
        return counts


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    """`items` in `parts` contiguous runs of nearly equal length (empty runs left out)."""
    size = -(-len(items) // parts) if items else 1
    return [items[i:i + size] for i in range(0, len(items), size)]


def build_county(seed: int = DEMO_SEED) -> DemoCounty:
    """The whole demo county (墨江哈尼族自治县), the same for the same seed."""
    from lianxin.kit.devstack.demo import register, tickets, work

    rng = random.Random(seed)
    tree = build_tree()
    people = register.build_register(rng, tree)
    cadres = work.build_work(rng, tree, people)
    # A generator of their own, so the tickets can change without moving anyone else's data.
    demands = tickets.build_tickets(random.Random(f"{seed}/tickets"), tree, people, cadres)
    return DemoCounty(tree=tree, units=[u.op() for u in tree.units],
                      households=people.households, residents=people.residents,
                      needs_tags=people.needs_tags, cadres=cadres.cadres,
                      campaigns=cadres.campaigns, pairings=cadres.pairings, visits=cadres.visits,
                      tickets=demands)
