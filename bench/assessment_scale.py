"""Assessment rollups at province scale: does a subtree × month rates query stay off the facts?

    .venv/bin/python bench/assessment_scale.py                      # 10 million tickets
    .venv/bin/python bench/assessment_scale.py --tickets 1000000    # a quicker run
    .venv/bin/python bench/assessment_scale.py --datadir /tmp/lx-bench --keep   # keep the data …
    .venv/bin/python bench/assessment_scale.py --datadir /tmp/lx-bench --reuse  # … time it again

Starts an embedded PostgreSQL (a throw-away data folder unless --datadir), applies the
assessment migrations, generates a province's org tree and N synthetic tickets as
`proj.ticket_fact` rows (assessment_tree, assessment_tickets), builds the cubes from them in
bulk SQL (assessment_cubes), then times, in the same run, "rates of every township × month" of
one county (the median one by tickets) three ways — `cube_unit_month` with the children's ids
looked up first, the same in one statement with a sub-select (a shape that scans the whole
cube), and GROUP BY on the facts — asserting all give identical figures; likewise every
county × month of the median city; and a county's all-measures `kpis` on the cube. Prints the
figures as markdown for bench/RESULTS.md; no test asserts a time. Indexes of the facts and
cubes are dropped during their load and rebuilt after (assessment_load).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import asyncpg
from assessment_report import Report
from assessment_server import (
    DB,
    add_server_arguments,
    describe,
    load_or_reuse,
    log,
    on_server,
    percentiles,
)
from lianxin.assessment.adapters.tables import cube_tables, org_unit, ticket_fact
from lianxin.kit.db import make_engine
from lianxin.kit.devstack.postgres import EmbeddedPostgres


async def pick(conn: asyncpg.Connection, kind: str) -> asyncpg.Record:
    """The unit of `kind` with the median number of tickets, with its children's count."""
    rows = await conn.fetch(f"""
        SELECT o.id, cardinality(o.path) AS depth, o.name, s.tickets,
               (SELECT count(*) FROM {org_unit.fullname} c WHERE c.parent_id = o.id) AS children
        FROM {org_unit.fullname} o
        JOIN (SELECT unit_id, sum(submitted) AS tickets FROM {cube_tables["unit_month"].fullname}
              GROUP BY unit_id) s ON s.unit_id = o.id
        WHERE o.kind = $1 ORDER BY s.tickets, o.id""", kind)
    return rows[len(rows) // 2]


async def compare(report: Report, url: str, unit: asyncpg.Record, rounds: int) -> None:
    """Children × month rates of `unit` via the cube and via the facts, in alternating order."""
    import assessment_queries as q

    engine = make_engine(url, pool_size=1, application_name="lianxin-bench-query")
    async with engine.connect() as conn:
        children = list((await conn.execute(q.children_of(unit["id"]))).scalars())
        ways: dict[str, tuple[Any, Any]] = {   # name → (what is timed, what is explained)
            "cube": (lambda c: q.cube_rows(c, unit["id"]),
                     q.children_by_month_cube(unit["id"], children)),
            "facts": (q.children_by_month_facts(unit["id"], unit["depth"]),) * 2,
            "cube, one statement with IN (sub-select) OR own row":
                (q.children_by_month_cube_subselect(unit["id"]),) * 2}
        first, expected = {}, None
        for name, (query, _) in ways.items():
            first[name], rows = await q.timed(conn, query)
            rates = q.as_rates(rows)
            if expected is not None and rates != expected:
                diff = next(k for k in rates.keys() | expected.keys() if rates.get(k) != expected.get(k))
                raise AssertionError(f"{name} and cube differ at {diff}: {rates.get(diff)} "
                                     f"vs {expected.get(diff)}")
            expected = rates
        assert expected is not None
        times: dict[str, list[float]] = {name: [] for name in ways}
        for i in range(rounds):
            for name in list(ways)[::1 if i % 2 == 0 else -1]:
                took, rows = await q.timed(conn, ways[name][0])
                times[name].append(took)
                assert q.as_rates(rows) == expected
        plans = {name: await q.explain(conn, stmt) for name, (_, stmt) in ways.items()}
    await engine.dispose()
    report.comparison(unit, len(expected), first, {k: percentiles(v) for k, v in times.items()},
                      plans, rounds)


async def kpis(report: Report, url: str, unit: asyncpg.Record, rounds: int) -> None:
    """All measures of a county for one month and for twelve months, from the cube."""
    import datetime as dt

    import assessment_queries as q
    from lianxin.assessment.domain.measures import MEASURES

    engine = make_engine(url, pool_size=1, application_name="lianxin-bench-query")
    periods = {"one month (2026-10)": (dt.date(2026, 10, 1), dt.date(2026, 10, 1)),
               "twelve months (2025-11 … 2026-10)": (dt.date(2025, 11, 1), dt.date(2026, 10, 1))}
    async with engine.connect() as conn:
        for label, (start, end) in periods.items():
            stmt = q.kpis_cube(unit["id"], start, end)
            facts = (await conn.execute(q.kpis_facts(unit["id"], start, end))).one()._mapping
            times = []
            for _ in range(rounds + 1):
                started = time.perf_counter()
                row = (await conn.execute(stmt)).one()._mapping
                values = q.measures({k: v for k, v in row.items() if k != "updated_at"}, MEASURES)
                times.append(time.perf_counter() - started)
            for name, value in facts.items():   # every counter equals the facts' sum
                assert abs(float(row[name]) - float(value)) <= 1e-9 * max(1.0, abs(float(value))), name
            report.kpis(label, percentiles(times[1:]), values, await q.explain(conn, stmt))
    await engine.dispose()


async def run(args: argparse.Namespace, server: EmbeddedPostgres, report: Report) -> None:
    url = server.url(DB)
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        await load_or_reuse(conn, dsn, args, report, lambda loader: loader.load(
            args.seed, args.tickets, args.cubes, args.chunk))
        await describe(conn, report, [ticket_fact.fullname,
                                      *(cube_tables[c].fullname for c in args.cubes),
                                      org_unit.fullname])
        county, city = await pick(conn, "county"), await pick(conn, "city")
    finally:
        await conn.close()
    log(f"timing {args.rounds} rounds: county {county['name']} ({county['tickets']:,} tickets)")
    await compare(report, url, county, args.rounds)
    log(f"timing {max(3, args.rounds // 3)} rounds: city {city['name']} ({city['tickets']:,} tickets)")
    await compare(report, url, city, max(3, args.rounds // 3))
    await kpis(report, url, county, args.rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=15)
    add_server_arguments(parser)
    parser.add_argument("--cubes", default="unit_month,unit_day",
                        help="cubes to build (unit_month is required; also unit_day, detail_day, "
                             "department_day, cadre_day)")
    args = parser.parse_args()
    args.cubes = [c.strip() for c in args.cubes.split(",") if c.strip()]
    if "unit_month" not in args.cubes:
        parser.error("--cubes must include unit_month (the timed queries read it)")
    _, report = on_server(args, "assessment_scale.py",
                          lambda server, report: run(args, server, report))
    print(report.markdown())


if __name__ == "__main__":
    main()
