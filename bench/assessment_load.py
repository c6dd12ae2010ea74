"""Loading the assessment benchmark's database: org tree, facts, cubes — each step timed.

Bulk work runs on `jobs` connections at once (chunks of days from a queue). Indexes and primary
keys of the facts and of the cubes are dropped before their load and rebuilt after (as the
table's own DDL, read back from the catalog), which is much faster than maintaining them row by
row; a live projection never does this, it writes a few rows per event.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import assessment_cubes as cubes
import assessment_tickets as tickets
import assessment_tree as tree
import asyncpg
from lianxin.assessment.adapters.tables import cube_tables, org_unit, ticket_fact
from lianxin.assessment.domain.measures import COUNTERS, HIST

APPLICATION = "lianxin-bench-load"
LOAD_SETTINGS = ("SET work_mem = '1GB'", "SET maintenance_work_mem = '2GB'",
                 "SET synchronous_commit = off", "SET max_parallel_maintenance_workers = 0")


class Loader:
    def __init__(self, dsn: str, jobs: int, log: Callable[[str], None]) -> None:
        self.dsn, self.jobs, self.log = dsn, jobs, log
        self.steps: dict[str, float] = {}
        self.peak_backend_mib = 0.0
        self.pool: asyncpg.Pool | None = None

    async def __aenter__(self) -> Loader:
        async def setup(conn: asyncpg.Connection) -> None:
            for s in LOAD_SETTINGS:
                await conn.execute(s)
        self.pool = await asyncpg.create_pool(
            self.dsn, min_size=self.jobs, max_size=self.jobs, init=setup, command_timeout=None,
            server_settings={"application_name": APPLICATION})
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.pool is not None
        await self.pool.close()

    async def step(self, name: str, work: Awaitable[Any]) -> Any:
        started = time.perf_counter()
        result = await work
        self.steps[name] = time.perf_counter() - started
        await self._sample_memory()
        self.log(f"  {name}: {self.steps[name]:.1f} s")
        return result

    async def _sample_memory(self) -> None:
        """Peak resident memory (VmHWM) of our load backends: private memory plus the shared
        buffers they touched."""
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            pids = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE application_name = $1",
                                    APPLICATION)
        self.peak_backend_mib = max([self.peak_backend_mib, *(_peak_mib(pid) for (pid,) in pids)])

    async def parallel(self, sql: str, ranges: Sequence[tuple[Any, ...]], label: str) -> None:
        """Run `sql` once per argument tuple, `jobs` at a time."""
        assert self.pool is not None
        queue: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        for r in ranges:
            queue.put_nowait(r)
        done = 0

        async def worker() -> None:
            nonlocal done
            assert self.pool is not None
            async with self.pool.acquire() as conn:
                while not queue.empty():
                    args = queue.get_nowait()
                    await conn.execute(sql, *args)
                    done += 1
                    print(f"\r    {label} {done}/{len(ranges)}", end="", file=sys.stderr, flush=True)
        await asyncio.gather(*(worker() for _ in range(self.jobs)))
        print("\r", end="", file=sys.stderr)

    async def ddl(self, statements: Sequence[str]) -> None:
        queue = list(statements)

        async def worker() -> None:
            assert self.pool is not None
            async with self.pool.acquire() as conn:
                while queue:
                    await conn.execute(queue.pop(0))
        await asyncio.gather(*(worker() for _ in range(self.jobs)))

    async def drop_indexes(self, table: str) -> list[str]:
        """Drop the table's indexes and its primary key; return the DDL that recreates them."""
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("""
                SELECT i.indexrelid::regclass::text AS name, c.conname,
                       pg_get_indexdef(i.indexrelid) AS indexdef,
                       pg_get_constraintdef(c.oid) AS condef
                FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
                WHERE i.indrelid = $1::regclass""", table)
            recreate = []
            for r in rows:
                if r["conname"]:
                    await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{r["conname"]}"')
                    recreate.append(f'ALTER TABLE {table} ADD CONSTRAINT "{r["conname"]}" {r["condef"]}')
                else:
                    await conn.execute(f"DROP INDEX {r['name']}")
                    recreate.append(r["indexdef"])
        # the primary key (and the biggest GIN index) first: the longest jobs start first
        return sorted(recreate, key=lambda s: ("PRIMARY KEY" not in s, "gin" not in s))

    async def load(self, seed: int, total: int, cube_names: Sequence[str], chunk: int) -> None:
        assert self.pool is not None
        units = tree.build_tree(seed)
        async with self.pool.acquire() as conn:
            await self.step("org tree (21,647 units) and placement slots", self._tree(conn, units))
        volumes = tickets.day_volumes(total)
        async with self.pool.acquire() as conn:
            await conn.execute("CREATE UNLOGGED TABLE public.bench_day "
                               "(day date PRIMARY KEY, first_n bigint, count bigint)")
            await conn.copy_records_to_table("bench_day", schema_name="public", records=volumes)
        facts = ticket_fact.fullname
        fact_ddl = await self.drop_indexes(facts)
        insert = f"INSERT INTO {facts} ({', '.join(tickets.COLUMNS)}) {tickets.select_sql(seed)}"
        ranges = [(a, b) for a, b, _ in tickets.chunks(volumes, chunk)]
        await self.step("facts: generate and insert (no indexes)", self.parallel(insert, ranges, "facts"))
        await self.step("facts: primary key and 4 indexes", self.ddl(fact_ddl))
        await self.step("facts: VACUUM ANALYZE", self._vacuum(facts))
        months = cubes.month_chunks(tickets.START, tickets.NOW_DATE)
        for name in cube_names:
            table = cube_tables[name].fullname
            ddl = await self.drop_indexes(table)
            await self.step(f"cube {name}: build", self.parallel(cubes.build_sql(name), months, name))
            await self.step(f"cube {name}: primary key, VACUUM ANALYZE",
                            self._then_vacuum(self.ddl(ddl), table))

    async def load_p5(self, seed: int, total: int, covering: bool, all_fact_indexes: bool,
                      extra_cubes: Sequence[str], chunk: int) -> None:
        """P5's load: the facts (indexes dropped); their day index (the cube build reads a
        month at a time); then cube_unit_month built from them month by month while the other
        connection builds the facts' GIN index on org_path (the only index the GROUP BY uses;
        the primary key and other indexes too with `all_fact_indexes`); then the cube's primary
        key — covering the counters (COVERED) if `covering` — and VACUUM ANALYZE."""
        assert self.pool is not None
        units = tree.build_tree(seed)
        async with self.pool.acquire() as conn:
            await self.step("org tree (21,647 units) and placement slots", self._tree(conn, units))
            volumes = tickets.day_volumes(total)
            await conn.execute("CREATE UNLOGGED TABLE public.bench_day "
                               "(day date PRIMARY KEY, first_n bigint, count bigint)")
            await conn.copy_records_to_table("bench_day", schema_name="public", records=volumes)
        facts, cube = ticket_fact.fullname, cube_tables["unit_month"].fullname
        fact_ddl = await self.drop_indexes(facts)
        cube_ddl = [covering_pk(s) if covering else s for s in await self.drop_indexes(cube)]
        insert = f"INSERT INTO {facts} ({', '.join(tickets.COLUMNS)}) {tickets.select_sql(seed)}"
        ranges = [(a, b) for a, b, _ in tickets.chunks(volumes, chunk)]
        await self.step("facts: generate and insert (no indexes)", self.parallel(insert, ranges, "facts"))
        # The day index first: without it each month's build would scan the whole table.
        day = [x for x in fact_ddl if "ix_ticket_fact_day" in x]
        gin = [x for x in fact_ddl if "gin" in x]
        rest = [x for x in fact_ddl if all_fact_indexes and x not in day + gin]
        months = cubes.month_chunks(tickets.START, tickets.NOW_DATE, months=1)
        await self.step("cube_unit_month: build; beside it facts: day and GIN (org_path) indexes"
                        + (", the others" if rest else "") + ", ANALYZE",
                        self._queue([[cubes.build_sql("unit_month"), *m] for m in months],
                                    firsts=[[*day, f"ANALYZE {facts}"], [*gin, *rest]]))
        await self.step("cube_unit_month: primary key, VACUUM ANALYZE",
                        self._run(*cube_ddl, f"VACUUM (ANALYZE) {cube}"))
        for name in extra_cubes:
            table = cube_tables[name].fullname
            ddl = await self.drop_indexes(table)
            await self.step(f"cube {name}: build", self.parallel(cubes.build_sql(name), months, name))
            await self.step(f"cube {name}: primary key, VACUUM ANALYZE",
                            self._then_vacuum(self.ddl(ddl), table))

    async def _queue(self, jobs: Sequence[Sequence[Any]], firsts: Sequence[Sequence[str]]) -> None:
        """[sql, *args] jobs on `jobs` connections, each connection first running its own
        statements `firsts[i]` (the first connection's before any job starts)."""
        queue = list(jobs)
        ready = asyncio.Event()
        if self.jobs < len(firsts):
            firsts = [[s for f in firsts for s in f]]

        async def worker(i: int) -> None:
            assert self.pool is not None
            async with self.pool.acquire() as conn:
                for statement in firsts[i] if i < len(firsts) else ():
                    await conn.execute(statement)
                if i == 0:
                    ready.set()
                await ready.wait()
                while queue:
                    sql, *args = queue.pop(0)
                    await conn.execute(sql, *args)
        await asyncio.gather(*(worker(i) for i in range(self.jobs)))

    async def _run(self, *statements: str) -> None:
        """`statements` in order on one connection."""
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            for s in statements:
                await conn.execute(s)

    async def _tree(self, conn: asyncpg.Connection, units: Sequence[tree.Unit]) -> None:
        await conn.copy_records_to_table(
            org_unit.name, schema_name=org_unit.schema, columns=["id", "parent_id", "name", "kind", "path"],
            records=[(u.id, u.parent_id, u.name, u.kind, list(u.path)) for u in units])
        await conn.execute("CREATE UNLOGGED TABLE public.bench_slot "
                           "(slot int PRIMARY KEY, unit_id uuid NOT NULL, path uuid[] NOT NULL)")
        await conn.copy_records_to_table("bench_slot", schema_name="public", records=tree.slots(units))
        await conn.execute(f"ANALYZE {org_unit.fullname}; ANALYZE public.bench_slot")

    async def _vacuum(self, table: str) -> None:
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            await conn.execute(f"VACUUM (ANALYZE) {table}")

    async def _then_vacuum(self, first: Awaitable[None], table: str) -> None:
        await first
        await self._vacuum(table)


# cube_unit_month's counters an index tuple can carry beside the 4 key columns (at most 32
# columns in all): every counter but the 12 buckets of the handling-time histogram, which only
# P90_HANDLING_DAYS reads.
COVERED = (*(c for c in COUNTERS if c not in HIST), "updated_at")


def covering_pk(ddl: str) -> str:
    """A cube's primary-key DDL with INCLUDE (COVERED): its index then answers the metrics
    engine's sums of those counters alone (index-only scans, a unit's rows in key order)."""
    return f"{ddl} INCLUDE ({', '.join(COVERED)})" if "PRIMARY KEY" in ddl else ddl


def _peak_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:   # another machine's server, or the backend is gone
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines()
                 if line.startswith("VmHWM:")), 0.0)


async def sizes(conn: asyncpg.Connection, tables: Sequence[str]) -> list[dict[str, Any]]:
    """Rows and bytes (table, indexes, total) of each table."""
    out = []
    for t in tables:
        r = await conn.fetchrow(
            f"SELECT (SELECT count(*) FROM {t}) AS rows, pg_table_size('{t}') AS heap, "
            f"pg_indexes_size('{t}') AS indexes, pg_total_relation_size('{t}') AS total")
        out.append({"table": t, **dict(r)})
    return out

