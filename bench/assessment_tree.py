"""A province-sized org tree for the assessment benchmark, deterministic from a seed.

1 province → 16 cities → 130 counties → 1,500 townships → 20,000 villages/communities, with
uneven fan-outs and uneven populations (a village's share of tickets is log-normal). The tree
goes into `proj.org_unit`; a table of weighted "placement slots" (public.bench_slot) lets the
ticket generator pick a place per ticket with one hash join: 95 % of tickets are placed at a
village, 4 % at a township itself and 1 % at a county itself, so subtree queries also meet
units' own rows.

The people service's tree roots at the county today; province and city levels are what a
provincial deployment would add above it (kinds "province", "city" here).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

LEVELS: tuple[tuple[str, str, int], ...] = (   # kind, 中文 suffix, how many
    ("province", "省", 1), ("city", "市", 16), ("county", "县", 130),
    ("township", "镇", 1_500), ("village", "村", 20_000))
SLOTS = 1 << 18          # placement slots; a ticket picks one by hash
SHARE = {"village": 0.95, "township": 0.04, "county": 0.01}


@dataclass(frozen=True, slots=True)
class Unit:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    kind: str
    path: tuple[uuid.UUID, ...]
    weight: float = 1.0      # relative population (villages); 1 elsewhere


def unit_id(seed: int, kind: str, index: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"lianxin-bench/{seed}/{kind}/{index}")


def _split(total: int, parents: int, rng: random.Random) -> list[int]:
    """`total` children over `parents`, at least one each, unevenly (weights 0.4–1.6)."""
    weights = [0.4 + 1.2 * rng.random() for _ in range(parents)]
    scale = (total - parents) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for i in sorted(range(parents), key=lambda i: -(weights[i] * scale) % 1)[:total - sum(counts)]:
        counts[i] += 1
    return counts


def build_tree(seed: int) -> list[Unit]:
    """Every unit, parents before children."""
    rng = random.Random(seed)
    kind, suffix, _ = LEVELS[0]
    root = Unit(unit_id(seed, kind, 0), None, f"第1{suffix}", kind, (unit_id(seed, kind, 0),))
    units, level = [root], [root]
    for kind, suffix, total in LEVELS[1:]:
        nxt: list[Unit] = []
        for parent, n in zip(level, _split(total, len(level), rng), strict=True):
            for _ in range(n):
                i = len(nxt)
                uid = unit_id(seed, kind, i)
                k = "community" if kind == "village" and rng.random() < 0.15 else kind
                w = math.exp(rng.gauss(0.0, 0.6)) if kind == "village" else 1.0
                nxt.append(Unit(uid, parent.id, f"第{i + 1}{suffix}", k, (*parent.path, uid), w))
        units += nxt
        level = nxt
    return units


def slots(units: Sequence[Unit]) -> list[tuple[int, uuid.UUID, list[uuid.UUID]]]:
    """(slot, place, path) for SLOTS slots; a unit's number of slots ∝ its share of tickets."""
    by_level: dict[str, list[Unit]] = {}
    for u in units:
        by_level.setdefault("village" if u.kind == "community" else u.kind, []).append(u)
    weighted: list[tuple[Unit, float]] = []
    for level, share in SHARE.items():
        members = by_level[level]
        total = sum(u.weight for u in members)
        weighted += [(u, share * u.weight / total) for u in members]
    out, cumulative, i = [], 0.0, 0
    for u, w in weighted:
        cumulative += w * SLOTS
        while i < SLOTS and i + 0.5 <= cumulative:
            out.append((i, u.id, list(u.path)))
            i += 1
    while i < SLOTS:   # float rounding at the very end
        out.append((i, weighted[-1][0].id, list(weighted[-1][0].path)))
        i += 1
    return out
