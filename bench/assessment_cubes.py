"""Cubes built from the facts in bulk SQL, with the semantics of domain/cubes.py.

Each fact contributes its counters (COUNTER_SQL: the per-ticket counters of domain/measures.py
read off the fact's columns) at every unit of its org path, `own` only at the place itself.
Built in two stages: first the facts are summed per (org path, other dimensions) — for the
unit cubes that already collapses a village-month's tickets into one row — then each partial
sum is spread over the units of its path (`unnest … WITH ORDINALITY`) and summed again. The
sums are the same as spreading every fact; whistle counters and late_events stay 0 (no
whistles or late events in the synthetic history).
"""

from __future__ import annotations

import datetime as dt

from lianxin.assessment.adapters.tables import cube_tables, ticket_fact
from lianxin.assessment.domain.cubes import CUBE_BY_NAME, NIL
from lianxin.assessment.domain.measures import COUNTERS, HIST, HIST_BOUNDS

FACTS = ticket_fact.fullname          # proj.ticket_fact
RESOLVED = "resolved_at IS NOT NULL"
OPEN = "(resolved_at IS NULL AND klass <> 'merged')"


def _hist(i: int) -> str:
    low = f"handling_days > {HIST_BOUNDS[i - 1]} AND " if i else ""
    high = f" AND handling_days <= {HIST_BOUNDS[i]}" if HIST_BOUNDS[i] != float("inf") else ""
    return f"({RESOLVED} AND {low}true{high})::int"


COUNTER_SQL: dict[str, str] = {
    "submitted": "1",
    "accept_judged": "(accepted_on_time IS NOT NULL)::int",
    "accepted_on_time": "coalesce(accepted_on_time, false)::int",
    "resolved": f"({RESOLVED})::int",
    "resolved_on_time": f"({RESOLVED} AND coalesce(resolved_on_time, false))::int",
    "handling_millidays": f"CASE WHEN {RESOLVED} THEN round(handling_days * 1000) ELSE 0 END",
    **{h: _hist(i) for i, h in enumerate(HIST)},
    "rated": "(satisfaction IS NOT NULL)::int",
    "solved": "(satisfaction IS NOT NULL AND coalesce(solved, false))::int",
    "satisfied": "coalesce(satisfaction IN ('satisfied', 'basically_satisfied'), false)::int",
    "reopened": "(reopen_count > 0)::int",
    "overdue": "overdue::int",
    "open": f"{OPEN}::int",
    "overdue_open": f"({OPEN} AND overdue_now)::int",
    **{c: f"(state->>'{c}')::int" for c in
       ("assignments", "assignments_done", "assignments_on_time", "returned")},
    "whistle_tasks": "0", "whistle_reported": "0", "whistle_on_time": "0", "late_events": "0",
}
assert tuple(COUNTER_SQL) == COUNTERS, "COUNTER_SQL must follow measures.COUNTERS"

DIM_SQL = {"day": "day", "month": "date_trunc('month', day)::date", "klass": "klass",
           "category": "category", "kind": "kind", "channel": "channel", "ledger": "ledger",
           "department_id": f"coalesce(department_id, '{NIL}'::uuid)",
           "cadre_id": f"coalesce(cadre_id, '{NIL}'::uuid)"}


def _summed(name: str, expr: str, partial: bool) -> str:
    return f"sum({expr})::int" if partial else f"sum({expr})::bigint"


def build_sql(cube_name: str) -> str:
    """INSERT of the cube's rows for the facts with day in [$1, $2) (month-aligned bounds)."""
    cube = CUBE_BY_NAME[cube_name]
    table = cube_tables[cube_name].fullname
    others = [d for d in cube.dims if d not in ("unit_id", "own")]
    cols = ", ".join((*cube.dims, *COUNTERS, "updated_at"))
    if "unit_id" not in cube.dims:   # department or cadre cube: facts without one add nothing
        key = next(d for d in cube.dims if d in ("department_id", "cadre_id"))
        return f"""INSERT INTO {table} ({cols})
SELECT {", ".join(f"{DIM_SQL[d]} AS {d}" for d in others)},
  {", ".join(_summed(c, e, False) for c, e in COUNTER_SQL.items())}, max(updated_at)
FROM {FACTS} WHERE day >= $1 AND day < $2 AND {key} IS NOT NULL
GROUP BY {", ".join(others)}"""
    stage1 = ", ".join(f"{_summed(c, e, True)} AS {c}" for c, e in COUNTER_SQL.items())
    keys = ", ".join(f"{DIM_SQL[d]} AS {d}" for d in others)
    out_dims = ", ".join("p.unit_id" if d == "unit_id" else
                         "p.ord = cardinality(g.org_path)" if d == "own" else f"g.{d}"
                         for d in cube.dims)
    return f"""INSERT INTO {table} ({cols})
SELECT {out_dims}, {", ".join(_summed(c, f"g.{c}", False) for c in COUNTERS)}, max(g.updated_at)
FROM (SELECT org_path, {keys}, {stage1}, max(updated_at) AS updated_at
      FROM {FACTS} WHERE day >= $1 AND day < $2
      GROUP BY org_path, {", ".join(others)}) g
CROSS JOIN LATERAL unnest(g.org_path) WITH ORDINALITY AS p(unit_id, ord)
GROUP BY {", ".join(str(i + 1) for i in range(len(cube.dims)))}"""


def month_chunks(start: dt.date, end: dt.date, months: int = 3) -> list[tuple[dt.date, dt.date]]:
    """Month-aligned [from, to) ranges covering [start, end), `months` months each."""
    out, at = [], start.replace(day=1)
    while at < end:
        y, m = divmod(at.month - 1 + months, 12)
        nxt = dt.date(at.year + y, m + 1, 1)
        out.append((at, nxt))
        at = nxt
    return out
