"""The people read models from people.v1 events on real PostgreSQL: every event applied twice
leaves the rows of once; a move re-roots every copied path of the subtree (also when it changes
the depth, and when applied twice); a stale path in a late event is corrected from the tree; an
ended pairing stays ended; a replay's schema receives the rows, the live one none; a batch
written a run of rows at a time ends with the rows of one event at a time."""

from __future__ import annotations

import random
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.assessment.adapters import tables as t
from lianxin.assessment.adapters.schema import create_projection_schema, translate
from lianxin.events.v1 import people_pb2 as pb
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from people_scenario import (
    COUNTY,
    H1,
    H4,
    OTHER_TOWN,
    OTHER_VILLAGE,
    P5,
    TOWN,
    V2,
    VILLAGE,
    A,
    K,
    county,
    feed,
    feed_at_once,
    household,
    pairing,
    s,
    uid,
    unit,
)

pytestmark = pytest.mark.integration
TABLES = (t.org_unit, t.household, t.cadre, t.pairing, t.visit, t.campaign)
DISTRICT = uid(9)


async def dump(engine: AsyncEngine) -> dict[str, list[Any]]:
    async with engine.connect() as conn:
        out = {}
        for table in TABLES:
            rows = await conn.execute(sa.select(table).order_by(table.c.id))
            out[table.name] = [tuple(r) for r in rows]
        return out


async def paths(engine: AsyncEngine) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Every copied path by row id (ids are unique across the scenario)."""
    async with engine.connect() as conn:
        found: dict[uuid.UUID, list[uuid.UUID]] = {}
        for table in TABLES:
            column = table.c.path if table is t.org_unit else table.c.org_path
            found.update({r[0]: list(r[1])
                          for r in await conn.execute(sa.select(table.c.id, column))})
        return found


async def test_every_event_twice_leaves_the_rows_of_once(engine: AsyncEngine) -> None:
    await feed(engine, county())
    once = await dump(engine)
    await feed(engine, county())
    assert await dump(engine) == once
    assert len(once["household"]) == 5 and len(once["visit"]) == 4

    async with engine.connect() as conn:
        town = (await conn.execute(sa.select(t.org_unit).where(t.org_unit.c.id == TOWN))).one()
        a = (await conn.execute(sa.select(t.cadre).where(t.cadre.c.id == A))).one()
        k = (await conn.execute(sa.select(t.campaign).where(t.campaign.c.id == K))).one()
        ended = (await conn.execute(sa.select(t.pairing.c.ended_on)
                                    .where(t.pairing.c.id == P5))).scalar_one()
        v2 = (await conn.execute(sa.select(t.visit).where(t.visit.c.id == V2))).one()
    assert (town.kind, town.parent_id, list(town.path)) == ("township", COUNTY, [COUNTY, TOWN])
    assert (a.rank, a.party_member, a.subject, a.work_unit_id) == ("section", True, "cadre-a", TOWN)
    assert k.quota_by_rank == {"section": 2} and k.min_households == 0
    assert str(k.starts_on) == "2026-03-01" and k.coverage_target == 0.8
    assert str(ended) == "2026-02-15"
    assert list(v2.participant_ids) == [A] and v2.kind == "home_visit"


async def test_a_move_reroots_the_subtree_and_is_idempotent(engine: AsyncEngine) -> None:
    await feed(engine, county())
    # OTHER_VILLAGE (and its household, pairing, visit) moves to TOWN; TOWN moves one level
    # down, under a new district: paths in its subtree grow by one.
    moves = [
        pb.OrgUnitMoved(org_unit_id=str(OTHER_VILLAGE), parent_id=str(TOWN),
                        path=s(COUNTY, TOWN, OTHER_VILLAGE),
                        old_path=s(COUNTY, OTHER_TOWN, OTHER_VILLAGE)),
        unit(DISTRICT, COUNTY, [COUNTY, DISTRICT], "城区", pb.OrgUnitKind.ORG_UNIT_KIND_TOWNSHIP),
        pb.OrgUnitMoved(org_unit_id=str(TOWN), parent_id=str(DISTRICT),
                        path=s(COUNTY, DISTRICT, TOWN), old_path=s(COUNTY, TOWN)),
    ]
    await feed(engine, moves)
    once = await paths(engine)
    await feed(engine, moves)
    assert await paths(engine) == once

    assert once[TOWN] == [COUNTY, DISTRICT, TOWN]
    assert once[VILLAGE] == [COUNTY, DISTRICT, TOWN, VILLAGE]
    assert once[OTHER_VILLAGE] == [COUNTY, DISTRICT, TOWN, OTHER_VILLAGE]
    assert once[H4] == [COUNTY, DISTRICT, TOWN, OTHER_VILLAGE]      # household
    assert once[P5] == [COUNTY, DISTRICT, TOWN, OTHER_VILLAGE]      # pairing
    assert once[A] == [COUNTY, DISTRICT, TOWN]                      # cadre
    assert once[OTHER_TOWN] == [COUNTY, OTHER_TOWN]                 # outside: untouched
    assert once[K] == [COUNTY]
    async with engine.connect() as conn:
        parent = (await conn.execute(sa.select(t.org_unit.c.parent_id)
                                     .where(t.org_unit.c.id == TOWN))).scalar_one()
    assert parent == DISTRICT


async def test_late_events_take_the_tree_as_it_stands(engine: AsyncEngine) -> None:
    await feed(engine, county())
    await feed(engine, [pb.OrgUnitMoved(org_unit_id=str(VILLAGE), parent_id=str(OTHER_TOWN),
                                        path=s(COUNTY, OTHER_TOWN, VILLAGE),
                                        old_path=s(COUNTY, TOWN, VILLAGE))])
    late = uid(199)
    # Emitted before the move (old path), delivered after it; and a child created late.
    await feed(engine, [household(late, VILLAGE),
                        unit(uid(8), VILLAGE, [COUNTY, TOWN, VILLAGE, uid(8)], "一组",
                             pb.OrgUnitKind.ORG_UNIT_KIND_GRID),
                        pairing(P5, uid(203), H4, OTHER_VILLAGE, K, "LX-5")])  # redelivered
    found = await paths(engine)
    assert found[late] == [COUNTY, OTHER_TOWN, VILLAGE]
    assert found[uid(8)] == [COUNTY, OTHER_TOWN, VILLAGE, uid(8)]
    assert found[H1] == [COUNTY, OTHER_TOWN, VILLAGE]
    async with engine.connect() as conn:
        ended = (await conn.execute(sa.select(t.pairing.c.ended_on)
                                    .where(t.pairing.c.id == P5))).scalar_one()
    assert ended is not None   # a late PairingCreated does not revive an ended pairing


async def test_events_without_a_read_model_are_skipped(engine: AsyncEngine) -> None:
    await feed(engine, [pb.ResidentRegistered(resident_id=str(uid(600)), household_id=str(H1)),
                        pb.NeedsTagAdded(tag_id=str(uid(601)), household_id=str(H1))])
    assert all(rows == [] for rows in (await dump(engine)).values())


async def test_a_replay_schema_receives_the_rows(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(create_projection_schema, "proj_next")
    move = pb.OrgUnitMoved(org_unit_id=str(OTHER_VILLAGE), parent_id=str(TOWN),
                           path=s(COUNTY, TOWN, OTHER_VILLAGE),
                           old_path=s(COUNTY, OTHER_TOWN, OTHER_VILLAGE))
    await feed(engine.execution_options(schema_translate_map=translate("proj_next")),
               [*county(), move, household(uid(199), OTHER_VILLAGE)])
    assert all(rows == [] for rows in (await dump(engine)).values())
    async with engine.connect() as conn:
        n = (await conn.execute(sa.text("SELECT count(*) FROM proj_next.household"))).scalar_one()
        h4 = (await conn.execute(sa.text("SELECT org_path FROM proj_next.household WHERE id = :h"),
                                 {"h": H4})).scalar_one()
        late = (await conn.execute(sa.text("SELECT org_path FROM proj_next.household "
                                           "WHERE id = :h"), {"h": uid(199)})).scalar_one()
    assert n == 6
    assert list(h4) == list(late) == [COUNTY, TOWN, OTHER_VILLAGE]


def _aggregate(msg: Any) -> str:
    """The aggregate an event belongs to (its partition key): only its own order is kept."""
    for field in ("org_unit_id", "household_id", "cadre_id", "pairing_id", "visit_id",
                  "campaign_id"):
        if msg.DESCRIPTOR.fields_by_name.get(field) is not None and getattr(msg, field):
            if isinstance(msg, pb.PairingEnded | pb.PairingCreated):
                return str(msg.pairing_id)
            return str(getattr(msg, field))
    raise AssertionError(f"no aggregate for {type(msg).__name__}")


def _interleaved(msgs: list[Any], seed: int) -> list[Any]:
    """The events in a random order that keeps each aggregate's own order, as partitions
    deliver them (a village before its township, a household before its village …)."""
    rng = random.Random(seed)
    queues: dict[str, list[Any]] = {}
    for msg in msgs:
        queues.setdefault(_aggregate(msg), []).append(msg)
    out = []
    while queues:
        key = rng.choice(sorted(queues))
        out.append(queues[key].pop(0))
        if not queues[key]:
            del queues[key]
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_any_delivery_order_across_units_ends_with_the_in_order_rows(
        engine: AsyncEngine, seed: int) -> None:
    """Live consumption and a replay read the partitions in different interleavings; the read
    models must not depend on it (a unit whose parent arrives later once kept a path of one)."""
    events = [*county(), pb.OrgUnitMoved(
        org_unit_id=str(OTHER_VILLAGE), parent_id=str(TOWN), path=s(COUNTY, TOWN, OTHER_VILLAGE),
        old_path=s(COUNTY, OTHER_TOWN, OTHER_VILLAGE))]
    await feed(engine, events)
    in_order = await dump(engine)
    async with engine.begin() as conn:
        await conn.run_sync(create_projection_schema, "proj_next")
    shuffled = engine.execution_options(schema_translate_map=translate("proj_next"))
    for msg in _interleaved(events, seed):  # one batch per event, as a slow stream delivers
        await feed(shuffled, [msg])
    assert await dump(shuffled) == in_order


async def test_a_batch_written_in_runs_ends_as_one_event_at_a_time(engine: AsyncEngine) -> None:
    """Runs of households, cadres, pairings and visits go to storage at once: within a run a
    later event of the same id wins, a household's path follows the tree as it stands at its
    place in the batch, and events without a read model do not break a run."""
    changed = pb.HouseholdChanged(household_id=str(H1), org_unit_id=str(OTHER_VILLAGE),
                                  org_path=s(COUNTY, OTHER_TOWN, OTHER_VILLAGE))
    early, grid = uid(198), uid(8)
    events = [
        household(early, VILLAGE),   # before the tree: its path as the event gives it
        *county(), changed,
        pb.ResidentRegistered(resident_id=str(uid(600)), household_id=str(H1)),
        household(uid(197), VILLAGE),
        unit(grid, VILLAGE, [COUNTY, TOWN, VILLAGE, grid], "一组",
             pb.OrgUnitKind.ORG_UNIT_KIND_GRID),
        pb.OrgUnitMoved(org_unit_id=str(VILLAGE), parent_id=str(OTHER_TOWN),
                        path=s(COUNTY, OTHER_TOWN, VILLAGE), old_path=s(COUNTY, TOWN, VILLAGE)),
        household(uid(196), VILLAGE),  # a stale path, after the move: the tree's path wins
    ]
    await feed(engine, events)
    one_by_one = await dump(engine)
    async with engine.begin() as conn:
        await conn.run_sync(create_projection_schema, "proj_next")
    batched = engine.execution_options(schema_translate_map=translate("proj_next"))
    await feed_at_once(batched, events)
    assert await dump(batched) == one_by_one
    found = await paths(batched)
    assert found[H1] == [COUNTY, OTHER_TOWN, OTHER_VILLAGE]   # HouseholdChanged won
    assert found[uid(196)] == [COUNTY, OTHER_TOWN, VILLAGE]
    assert len(one_by_one["household"]) == 8
