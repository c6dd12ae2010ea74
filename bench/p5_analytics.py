"""P5 analytics: rates of every township × month under a county, from the cube vs GROUP BY on the facts.

    .venv/bin/python bench/p5_analytics.py                      # 10 million tickets, ~5.5 min
    .venv/bin/python bench/p5_analytics.py --quick              # 1 million tickets, 7 rounds
    .venv/bin/python bench/p5_analytics.py --json out.json      # also the figures for `make bench`
    .venv/bin/python bench/p5_analytics.py --datadir /tmp/lx-p5 --keep    # keep the data …
    .venv/bin/python bench/p5_analytics.py --datadir /tmp/lx-p5 --reuse   # … time it again
    .venv/bin/python bench/p5_analytics.py --cube-pk covering   # the proposed covering primary key

Issue 8's P5: the rates (submitted, response, on-time, resolution, satisfaction) of every
township × month of a county over 10 million tickets, p50 ≤ 50 ms, and ≥ 100× faster than the
same figures by GROUP BY on the facts in the same run.

Starts an embedded PostgreSQL (a throw-away data folder unless --datadir), applies the
assessment migrations, generates a province's org tree (assessment_tree) and N synthetic
tickets (assessment_tickets) as `proj.ticket_fact` rows in PostgreSQL (INSERT … SELECT over
generate_series, on two connections), then builds `cube_unit_month` from them month by month
(assessment_cubes, reading a month at a time by the day index) while the facts' GIN index on
org_path is rebuilt beside it — the only index the GROUP BY uses (--all-fact-indexes for the
others); other cubes only with --cubes (assessment_load.Loader.load_p5): 278 s at 10 million
tickets on the 2-core box. Then the newest month's cube rows are rewritten once, as
the projection's upserts would, and left unvacuumed (--no-touch skips it), and the median
county by tickets is timed, rounds alternating, every round asserting identical figures:
- cube: the metrics engine itself (`metrics.compute` on `SqlMetricsReader`: the children's
  ids, one SUM over cube_unit_month, the measures computed in Python);
- facts: GROUP BY path element × month over `ticket_fact`, subtree by `org_path @> ARRAY[county]`
  (the GIN index);
- the cube's primary key is the deployed one (`--cube-pk plain`, the default: migration 0002);
  `--cube-pk covering` measures the proposal in bench/RESULTS.md (the key INCLUDEs the rates'
  counters), and then also the engine with index-only scans disabled.
Each round times the query (SQL and rows into Python objects) and the whole (also the rates
computed from the counters, the same domain code both ways); EXPLAIN (ANALYZE, BUFFERS) gives
the server's time and the pages touched. Prints markdown for bench/RESULTS.md; no test asserts a time.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import asyncpg
from assessment_load import COVERED, Loader
from assessment_report import Report
from assessment_server import DB, add_server_arguments, describe, load_or_reuse, log, on_server, percentiles
from figures import result, write_json
from lianxin.assessment.adapters.tables import cube_tables, org_unit, ticket_fact
from lianxin.kit.db import make_engine
from lianxin.kit.devstack.postgres import EmbeddedPostgres

GOAL_MS, GOAL_RATIO = 50.0, 100.0
NO_IOS = "cube, index-only scans off (reads the heap, as the plain primary key does)"


async def pick(conn: asyncpg.Connection) -> asyncpg.Record:
    """The county with the median number of tickets, with its children's count."""
    cube = cube_tables["unit_month"].fullname
    rows = await conn.fetch(f"""
        SELECT o.id, cardinality(o.path) AS depth, o.name, s.tickets,
               (SELECT count(*) FROM {org_unit.fullname} c WHERE c.parent_id = o.id) AS children
        FROM {org_unit.fullname} o
        JOIN (SELECT unit_id, sum(submitted) AS tickets FROM {cube} GROUP BY unit_id) s
          ON s.unit_id = o.id
        WHERE o.kind = 'county' ORDER BY s.tickets, o.id""")
    return rows[len(rows) // 2]


async def touch_newest_month(conn: asyncpg.Connection) -> int:
    """Rewrite the newest month's cube rows once, as the projection's upserts do (a new row
    version: updated_at is in the covering key's INCLUDE, so no HOT update), and leave them
    unvacuumed: their pages are then not all-visible and index-only scans visit the heap."""
    cube = cube_tables["unit_month"].fullname
    status = await conn.execute(
        f"UPDATE {cube} SET updated_at = updated_at + interval '1 microsecond' "
        f"WHERE month = (SELECT max(month) FROM {cube})")
    return int(status.split()[-1])


async def compare(report: Report, url: str, unit: asyncpg.Record, rounds: int,
                  covering: bool) -> dict[str, dict[str, tuple[float, float]]]:
    """The county's children × month rates via the engine and via the facts, alternating.
    Each round times the query (SQL, rows into Python objects) and the whole (also the rates
    computed from the counters, the same domain/measures.py code both ways)."""
    import assessment_queries as q
    from lianxin.assessment.adapters.metrics_repo import SqlMetricsReader, sum_cube_statement
    from lianxin.assessment.app import metrics

    mq = metrics.MetricsQuery(subtree=unit["id"], group_by=("org_unit", "month"), measures=q.RATES)
    facts_stmt = q.children_by_month_facts(unit["id"], unit["depth"])

    def keyed(rows: list[metrics.MetricsRow]) -> q.Rows:
        return {(r.keys["org_unit"], r.keys["month"]): dict(r.values) for r in rows}

    async def via_engine(conn: Any) -> tuple[q.Rows, float]:
        # metrics.compute, step by step: plan (the children's ids), sum_cube, evaluate
        started = time.perf_counter()
        reader = SqlMetricsReader(conn)
        cq = await metrics.plan(reader, mq)
        summed = await reader.sum_cube(cq)
        took = time.perf_counter() - started
        return keyed(metrics.evaluate(mq, cq, summed)), took

    async def via_facts(conn: Any) -> tuple[q.Rows, float]:
        started = time.perf_counter()
        rows = (await conn.execute(facts_stmt)).all()
        took = time.perf_counter() - started
        return q.as_rates(rows), took

    async def via_heap(conn: Any) -> tuple[q.Rows, float]:
        await conn.exec_driver_sql("SET enable_indexonlyscan = off")
        try:
            return await via_engine(conn)
        finally:
            await conn.exec_driver_sql("RESET enable_indexonlyscan")

    engine = make_engine(url, pool_size=1, application_name="lianxin-bench-query")
    ways = {"cube": via_engine, "facts": via_facts, **({NO_IOS: via_heap} if covering else {})}
    async with engine.connect() as conn:
        expected = keyed(await metrics.compute(SqlMetricsReader(conn), mq))
        first: dict[str, float] = {}
        for name, fetch in ways.items():
            started = time.perf_counter()
            rows, _ = await fetch(conn)
            first[name] = time.perf_counter() - started
            if rows != expected:
                diff = next(k for k in rows.keys() | expected.keys() if rows.get(k) != expected.get(k))
                raise AssertionError(f"{name} and the engine differ at {diff}: {rows.get(diff)} "
                                     f"vs {expected.get(diff)}")
        times: dict[str, dict[str, list[float]]] = {n: {"query": [], "total": []} for n in ways}
        for i in range(rounds):
            for name in list(ways)[::1 if i % 2 == 0 else -1]:
                started = time.perf_counter()
                rows, query = await ways[name](conn)
                times[name]["total"].append(time.perf_counter() - started)
                times[name]["query"].append(query)
                assert rows == expected, f"{name} changed in round {i}"
        cube_stmt = sum_cube_statement(await metrics.plan(SqlMetricsReader(conn), mq))
        plans = {"cube": await q.explain(conn, cube_stmt), "facts": await q.explain(conn, facts_stmt)}
        if covering:
            await conn.exec_driver_sql("SET enable_indexonlyscan = off")
            plans[NO_IOS] = await q.explain(conn, cube_stmt)
            await conn.exec_driver_sql("RESET enable_indexonlyscan")
    await engine.dispose()
    pct = {n: {k: percentiles(v) for k, v in t.items()} for n, t in times.items()}
    table(report, unit, len(expected), first, pct, plans, rounds)
    return pct


def table(report: Report, unit: asyncpg.Record, rows: int, first: dict[str, float],
          pct: dict[str, dict[str, tuple[float, float]]], plans: dict[str, dict[str, Any]],
          rounds: int) -> None:
    def ms(s: float) -> str:
        return f"{s * 1000:.1f}" if s < 0.1 else f"{s * 1000:.0f}"

    report.body += [
        "", f"Rates of every township × month of county {unit['name']} ({unit['tickets']:,} "
        f"tickets, {unit['children']} townships; {rows} rows, identical every round), {rounds} "
        "rounds each, alternating. *query*: SQL and rows into Python; *whole*: also the rates "
        "computed from the counters (the same code both ways); the cube way is `metrics.compute`.",
        "", "| via | first ms | query p50 ms | whole p50 ms | whole p90 ms | EXPLAIN ANALYZE ms "
        "| pages touched |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, p in pct.items():
        report.body.append(f"| {name} | {ms(first[name])} | {ms(p['query'][0])} | "
                           f"{ms(p['total'][0])} | {ms(p['total'][1])} | "
                           f"{ms(plans[name]['ms'] / 1000)} | {plans[name]['pages']:,} |")
    q_ratio = pct["facts"]["query"][0] / pct["cube"]["query"][0]
    t_ratio = pct["facts"]["total"][0] / pct["cube"]["total"][0]
    e_ratio = plans["facts"]["ms"] / plans["cube"]["ms"]

    def x(r: float) -> str:
        return f"{r:,.0f}×" if r >= 10 else f"{r:.2f}×"

    report.body.append(f"| **facts ÷ cube (p50)** | | **{x(q_ratio)}** | **{x(t_ratio)}** | "
                       f"| {x(e_ratio)} | |")


async def run(args: argparse.Namespace, server: EmbeddedPostgres, report: Report) -> list[dict[str, Any]]:
    url = server.url(DB)
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        async def load(loader: Loader) -> None:
            await loader.load_p5(args.seed, args.tickets, args.cube_pk == "covering",
                                 args.all_fact_indexes, args.cubes, args.chunk)
            args.cubes = ["unit_month", *args.cubes]

        meta = await load_or_reuse(conn, dsn, args, report, load, [("cube_pk", args.cube_pk)])
        if meta is not None:
            args.tickets, args.cube_pk = int(meta["tickets"]), meta.get("cube_pk", "plain")
        pk = ("(unit_id, own, month, klass) INCLUDE (" + ", ".join(COVERED) + ")"
              if args.cube_pk == "covering" else "(unit_id, own, month, klass)")
        report.notes.append(f"cube_unit_month primary key: {pk}.")
        if args.touch:
            touched = await touch_newest_month(conn)
            report.notes.append(f"Before timing, the newest month's {touched:,} cube rows were "
                                "rewritten once (as the projection's upserts do) and not vacuumed.")
        await describe(conn, report, [ticket_fact.fullname,
                                      *(cube_tables[c].fullname for c in args.cubes),
                                      org_unit.fullname])
        county = await pick(conn)
    finally:
        await conn.close()
    log(f"timing {args.rounds} rounds: county {county['name']} ({county['tickets']:,} tickets)")
    pct = await compare(report, url, county, args.rounds, args.cube_pk == "covering")
    cube_ms = pct["cube"]["total"][0] * 1000
    ratio = pct["facts"]["query"][0] / pct["cube"]["query"][0]
    whole = pct["facts"]["total"][0] / pct["cube"]["total"][0]
    context = (f"{args.tickets:,} tickets, county {county['name']} ({county['tickets']:,} tickets, "
               f"{county['children']} townships), {args.rounds} rounds alternating, "
               f"cube_unit_month primary key {args.cube_pk}; load {report.load_total:.0f} s")
    facts_ms = {k: pct["facts"][k][0] * 1000 for k in ("query", "total")}
    return [
        result("P5", "rates of every township × month of a county via the metrics engine "
               "(metrics.compute on cube_unit_month), p50", round(cube_ms, 2), "ms", GOAL_MS,
               "lower", context),
        result("P5", "GROUP BY on ticket_fact ÷ cube, query p50s (SQL and rows; same run)",
               round(ratio, 1), "×", GOAL_RATIO, "higher",
               context + f"; facts query p50 {facts_ms['query']:.0f} ms"),
        result("P5", "GROUP BY on ticket_fact ÷ cube, whole p50s (also the rates computed in "
               "Python both ways; same run)", round(whole, 1), "×", GOAL_RATIO, "higher",
               context + f"; facts whole p50 {facts_ms['total']:.0f} ms")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, help="default 10,000,000 (--quick: 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="1 million tickets, 7 rounds")
    parser.add_argument("--json", type=Path, help="write the figures here (a list of objects)")
    parser.add_argument("--rounds", type=int, help="default 25 (--quick: 7)")
    add_server_arguments(parser)
    parser.add_argument("--cube-pk", choices=("covering", "plain"), default="plain",
                        help="covering: the primary key INCLUDEs the counters (the proposed "
                             "migration); plain: as migration 0002 has it")
    parser.add_argument("--all-fact-indexes", action="store_true",
                        help="also rebuild the facts' primary key and btree indexes (unused here)")
    parser.add_argument("--cubes", default="", help="other cubes to build too (unit_day, "
                        "detail_day, department_day, cadre_day); P5 reads none of them")
    parser.add_argument("--no-touch", dest="touch", action="store_false",
                        help="time a freshly vacuumed cube (no recent upserts)")
    args = parser.parse_args()
    args.tickets = args.tickets or (1_000_000 if args.quick else 10_000_000)
    args.rounds = args.rounds or (7 if args.quick else 25)
    args.cubes = [c.strip() for c in args.cubes.split(",") if c.strip() and c.strip() != "unit_month"]
    results, report = on_server(args, "p5_analytics.py",
                                lambda server, report: run(args, server, report))
    print(report.markdown())
    write_json(args.json, results)


if __name__ == "__main__":
    main()
