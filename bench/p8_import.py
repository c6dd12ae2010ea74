"""P8: a county's historical ledger (台账) of 1 million rows imported in at most 3 minutes.

    .venv/bin/python bench/p8_import.py                    # 1,000,000 rows
    .venv/bin/python bench/p8_import.py --quick            # 5,000 rows
    .venv/bin/python bench/p8_import.py --rows 20000 --json /tmp/p8.json
    .venv/bin/python bench/p8_import.py --rows 20000 --profile /tmp/p8.html   # pyinstrument

Starts an embedded PostgreSQL (a throw-away data folder unless --datadir), migrates the tickets
database, seeds what an import needs the way the people events and the calendar loader would
(a county with townships, villages, communities and departments in the org read model; the
working-day calendar 2023–2026; the categories come with the migrations), generates a ledger
.csv of N rows in the format `lianxin-tickets import ledger` reads (bench/p8_ledger.py: a
realistic mix of channels, categories, places, states and closing steps, contacts with phone
numbers) — timed on its own — and times the import through the command's own code path
(`lianxin.tickets.importing.run_import`, in-process, with the settings a deployment gives it:
personal data is encrypted at rest, so the import encrypts). Then it checks the counts of
tickets, history lines, assignments and outbox rows against what the rows imply, and runs the
import again on the same file: it must create nothing and change no count. One round (an import
of a million rows is not repeated); the figure is rows/s of the first import.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import p8_ledger
import sqlalchemy as sa
from figures import result, write_json
from lianxin.kit.db import make_engine, make_sessions
from lianxin.kit.devstack.postgres import EmbeddedPostgres
from lianxin.kit.migrations import upgrade
from lianxin.kit.settings import KitSettings
from lianxin.tickets import importing
from lianxin.tickets.adapters.calendar_source import PackageCalendar
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.calendar import load_year
from lianxin.tickets.app.commands import RecordOrgUnit, record_org_unit

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "services/tickets/migrations"
DB = "bench_tickets"
GOAL_SECONDS_1M = 180.0
GOAL_RATE = 1_000_000 / GOAL_SECONDS_1M
SERVER_SETTINGS = {"max_wal_size": "4GB", "checkpoint_timeout": "1h"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def settings_for(url: str) -> KitSettings:
    return KitSettings(  # type: ignore[call-arg]
        environment="test", database_url=url, kafka_bootstrap="unused:9092",
        jwt_secret="s" * 32, pii_keys="bench-1:" + base64.b64encode(os.urandom(32)).decode(),
        blind_index_key=base64.b64encode(os.urandom(32)).decode(),
        link_token_secret="link-" + "t" * 32)


async def seed(settings: KitSettings, county: p8_ledger.County) -> list[tuple[str, str]]:
    """Org units and the calendar into the read model; the categories (code, name) back."""
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        sessions, pii = make_sessions(engine), settings.require_pii()
        uow = TicketsUnitOfWork(sessions, pii)
        async with uow:
            for ref in county.units:
                await record_org_unit(RecordOrgUnit(ref), uow)
            await uow.commit()
        for year in range(2023, 2027):  # as `lianxin-tickets calendar load` does
            await load_year(TicketsUnitOfWork(sessions, pii), year, PackageCalendar())
        async with engine.connect() as conn:
            found = (await conn.execute(sa.text(
                "SELECT code, name FROM category WHERE active ORDER BY code"))).all()
        return [(c, n) for c, n in found]
    finally:
        await engine.dispose()


async def counts(url: str) -> dict[str, int]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(sa.text(
                "SELECT (SELECT count(*) FROM ticket) AS tickets, "
                "(SELECT count(*) FROM ticket_history) AS history, "
                "(SELECT count(*) FROM assignment) AS assignments, "
                "(SELECT count(*) FROM outbox) AS outbox"))).one()
        return dict(row._mapping)
    finally:
        await engine.dispose()


def pg_cpu_seconds(datadir: Path) -> float:
    """CPU seconds used so far by the postmaster, the children it reaped (backends that
    ended) and its live children."""
    try:
        postmaster = int((datadir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == postmaster:
            total += sum(int(f) for f in fields[11:15]) / tick
        elif int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def import_args(path: Path, source: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    importing.configure(parser)
    return parser.parse_args(["ledger", str(path), "--source", source])


async def timed_import(path: Path, settings: KitSettings, profile: Path | None,
                       pgdata: Path) -> tuple[float, int, str, float, float]:
    """(wall seconds, exit code, summary, our CPU seconds, the server's CPU seconds)."""
    out, err = io.StringIO(), io.StringIO()  # the progress bar would flood the log
    args = import_args(path, "bench")
    profiler: Any = None
    if profile is not None:
        from pyinstrument import Profiler
        profiler = Profiler(async_mode="enabled")
        profiler.start()
    started, cpu, pg = time.perf_counter(), time.process_time(), pg_cpu_seconds(pgdata)
    code = await importing.run_import(args, settings, out, err)
    seconds = time.perf_counter() - started
    cpu, pg = time.process_time() - cpu, pg_cpu_seconds(pgdata) - pg
    if profiler is not None:
        profiler.stop()
        await asyncio.to_thread(profile.write_text, profiler.output_html())
        log(profiler.output_text(unicode=True, color=False, show_all=False)[:12000])
    if code != 0:
        log(err.getvalue()[-3000:])
    return seconds, code, out.getvalue().strip(), cpu, pg


async def bench(args: argparse.Namespace, server: EmbeddedPostgres) -> list[dict[str, Any]]:
    server.create_database(DB)
    url = server.url(DB)
    await asyncio.to_thread(upgrade, url, MIGRATIONS)
    settings = settings_for(url)
    county = p8_ledger.County.build()
    categories = await seed(settings, county)
    log(f"seeded {len(county.units)} org units, {len(categories)} categories")

    path = args.datadir / "ledger.csv"
    started = time.perf_counter()
    expected = p8_ledger.write(path, args.rows, county, categories, seed=8)
    generated = time.perf_counter() - started
    log(f"generated {args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) in "
        f"{generated:.1f} s; expected {expected}")

    seconds, code, summary, cpu, pg = await timed_import(path, settings, args.profile,
                                                         server.datadir)
    rate = args.rows / seconds
    log(f"import: {seconds:.1f} s, {rate:,.0f} rows/s, exit {code}: {summary}; CPU: importer "
        f"{cpu:.1f} s ({args.rows / cpu:,.0f} rows per CPU-s), PostgreSQL {pg:.1f} s")
    found = await counts(url)
    assert code == 0, f"the import exited {code}: {summary}"
    assert found == expected, f"counts {found} != expected {expected}"
    again, code2, summary2, _, _ = await timed_import(path, settings, None, server.datadir)
    log(f"re-import: {again:.1f} s, {args.rows / again:,.0f} rows/s, exit {code2}: {summary2}")
    assert code2 == 0 and f"created 0, unchanged {args.rows}," in summary2, summary2
    assert await counts(url) == expected, "the re-import changed counts"

    projected = seconds * 1_000_000 / args.rows
    print("## P8 ledger import\n")
    size = "" if args.rows == 1_000_000 else f" --rows {args.rows}"
    print(f"`.venv/bin/python bench/p8_import.py{size}` — {dt.date.today()}, 2-core shared box, "
          "one round:\n")
    print("| rows | file MiB | generate s | import s | rows/s | importer CPU s | PostgreSQL CPU s "
          "| 1M projected s | goal s | re-import s | tickets | history | assignments | outbox |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.rows:,} | {path.stat().st_size / 2**20:.0f} | {generated:.1f} | "
          f"{seconds:.1f} | {rate:,.0f} | {cpu:.1f} | {pg:.1f} | {projected:.0f} | "
          f"{GOAL_SECONDS_1M:.0f} | {again:.1f} | "
          f"{found['tickets']:,} | {found['history']:,} | {found['assignments']:,} | "
          f"{found['outbox']:,} |")
    return [result("P8", "ledger import, rows/s (CLI code path, PII encrypted)", round(rate),
                   "rows/s", round(GOAL_RATE), "higher",
                   f"{args.rows:,} rows in {seconds:.1f} s (1M projected {projected:.0f} s); "
                   f"re-import {again:.1f} s creates 0; {found['outbox']:,} outbox rows")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="5,000 rows (a smoke run)")
    parser.add_argument("--json", type=Path, metavar="FILE")
    parser.add_argument("--datadir", type=Path, help="keep the data here (default: a temp dir)")
    parser.add_argument("--profile", type=Path, metavar="HTML",
                        help="profile the first import with pyinstrument, write HTML here")
    args = parser.parse_args()
    if args.quick:
        args.rows = 5_000
    own = args.datadir is None
    args.datadir = (args.datadir or Path(tempfile.mkdtemp(prefix="lianxin-p8-"))).absolute()
    args.datadir.mkdir(parents=True, exist_ok=True)
    xdg = tempfile.mkdtemp(prefix="xdg-")
    os.environ.setdefault("XDG_RUNTIME_DIR", xdg)
    os.chmod(xdg, 0o700)
    server = EmbeddedPostgres(args.datadir / "pg", durable=False)
    try:
        server.start()
        for name, value in SERVER_SETTINGS.items():
            server.psql(f"ALTER SYSTEM SET {name} = '{value}'")
        server.psql("SELECT pg_reload_conf()")
        results = asyncio.run(bench(args, server))
        write_json(args.json, results)
        return 0
    finally:
        server.stop()
        shutil.rmtree(xdg, ignore_errors=True)
        if own:
            shutil.rmtree(args.datadir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
