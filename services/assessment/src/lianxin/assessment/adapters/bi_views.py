"""Read-only SQL views for BI tools (schema `bi`): a stable surface over the projections, so a
dashboard tool never depends on `proj`'s internals (fold state, cube keys) and replay can
rebuild `proj` underneath it.

- `bi.ticket_fact`: one row per ticket with its dimensions, dates, durations and flags (the
  fact without the projection's internal fold state). No personal data exists here.
- `bi.unit_month_rates`: per org unit (its whole subtree) × month × class, the counters and
  the rates, each rate as its measure defines it (bi.measure_definition).
- `bi.measure_definition`: every measure's name, 中文 label, unit, written definition, and
  the `bi.unit_month_rates` column holding it (null if the view has none).

PostgreSQL binds a view to tables, not names, so after a replay swaps a fresh schema in as
`proj` the views are created again (`create_bi_views`, CREATE OR REPLACE). The SELECTs are
built from the Table objects and rendered for the target schema (no SQL text naming proj).
"""

from __future__ import annotations

import sqlalchemy as sa
from lianxin.assessment.adapters.schema import translate
from lianxin.assessment.adapters.tables import cube_tables, org_unit, ticket_fact
from lianxin.assessment.domain.measures import COUNTERS, HIST, MEASURES

BI = "bi"
# rate column → (measure, numerator counter, denominator counter)
RATES: dict[str, tuple[str, str, str]] = {
    "response_rate": ("RESPONSE_RATE", "accepted_on_time", "accept_judged"),
    "on_time_rate": ("ON_TIME_RATE", "resolved_on_time", "resolved"),
    "resolution_rate": ("RESOLUTION_RATE", "solved", "rated"),
    "satisfaction_rate": ("SATISFACTION_RATE", "satisfied", "rated"),
    "reopen_rate": ("REOPEN_RATE", "reopened", "resolved"),
    "mean_handling_days": ("MEAN_HANDLING_DAYS", "handling_millidays", "resolved"),
    "assignment_on_time_rate": ("ASSIGNMENT_ON_TIME_RATE", "assignments_on_time",
                                "assignments_done"),
    "whistle_on_time_rate": ("WHISTLE_ON_TIME_RATE", "whistle_on_time", "whistle_reported"),
}
SCALE = {"handling_millidays": 1000}  # counters kept in thousandths
# count measure → its counter column in the view
COUNTS = {"SUBMITTED": "submitted", "OVERDUE": "overdue", "OPEN": "open",
          "OVERDUE_OPEN": "overdue_open", "RESOLVED": "resolved", "RATED": "rated",
          "RETURNED": "returned", "WHISTLE_TASKS": "whistle_tasks", "LATE_EVENTS": "late_events"}


def _ticket_fact() -> sa.Select[tuple[object, ...]]:
    return sa.select(*[c for c in ticket_fact.c if c.name != "state"])


def _unit_month_rates() -> sa.Select[tuple[object, ...]]:
    cube = cube_tables["unit_month"]
    sums = {c: sa.func.sum(cube.c[c]) for c in COUNTERS if c not in HIST}
    rates = [(sa.cast(sums[num], sa.Float) / SCALE.get(num, 1) / sa.func.nullif(sums[den], 0))
             .label(name) for name, (_, num, den) in RATES.items()]
    keys = (cube.c.unit_id, org_unit.c.name, org_unit.c.kind, org_unit.c.parent_id,
            cube.c.month, cube.c.klass)
    return (sa.select(cube.c.unit_id, org_unit.c.name.label("unit_name"),
                      org_unit.c.kind.label("unit_kind"), org_unit.c.parent_id, cube.c.month,
                      cube.c.klass, *rates, *[s.label(c) for c, s in sums.items()],
                      sa.func.max(cube.c.updated_at).label("updated_at"))
            .select_from(cube.outerjoin(org_unit, org_unit.c.id == cube.c.unit_id))
            .group_by(*keys))


def _measure_definition() -> sa.Select[tuple[object, ...]]:
    column = {m: name for name, (m, _, _) in RATES.items()} | COUNTS
    rows = [(m.name, m.label, m.unit, m.definition, column.get(m.name)) for m in MEASURES.values()]
    values = sa.values(sa.column("name", sa.Text), sa.column("label", sa.Text),
                       sa.column("unit", sa.Text), sa.column("definition", sa.Text),
                       sa.column("bi_column", sa.Text), name="m").data(rows)
    return sa.select(values)


VIEWS = {"ticket_fact": _ticket_fact, "unit_month_rates": _unit_month_rates,
         "measure_definition": _measure_definition}
COMMENTS = {
    "ticket_fact": "One row per ticket: dimensions, China cohort date (day), timestamps, "
                   "working-day handling time, on-time flags, rating, reopen count, class (klass).",
    "unit_month_rates": "Per org unit subtree x month (of submission) x class: counters and rates "
                        "as bi.measure_definition defines them. To combine classes or months, "
                        "sum the counters and divide; never average the rates.",
    "measure_definition": "Every measure: name, label, unit, written definition, and its column "
                          "in bi.unit_month_rates.",
}


def _sql(stmt: sa.Select[tuple[object, ...]], bind: sa.Connection, schema: str) -> str:
    return str(stmt.compile(dialect=bind.dialect, schema_translate_map=translate(schema),
                            render_schema_translate=True, compile_kwargs={"literal_binds": True}))


def create_bi_views(bind: sa.Connection, schema: str = "proj") -> None:
    """Create (or re-point) the `bi` views at the projection schema `schema` (sync
    connection; inside the caller's transaction)."""
    bind.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {BI}"))
    for name, build in VIEWS.items():
        # DROP first: CREATE OR REPLACE cannot change a view's columns after a migration does.
        bind.execute(sa.text(f"DROP VIEW IF EXISTS {BI}.{name}"))
        bind.execute(sa.text(f"CREATE VIEW {BI}.{name} AS {_sql(build(), bind, schema)}"))
        comment = COMMENTS[name].replace("'", "''")
        bind.execute(sa.text(f"COMMENT ON VIEW {BI}.{name} IS '{comment}'"))


def drop_bi_views(bind: sa.Connection) -> None:
    bind.execute(sa.text(f"DROP SCHEMA IF EXISTS {BI} CASCADE"))
