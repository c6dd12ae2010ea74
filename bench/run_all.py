"""`make bench`: every benchmark of issue 8, one after another, and one table of the targets.

    .venv/bin/python bench/run_all.py [--quick] [--only p1_p2_reads,p6_replay] [--out DIR]

Each script starts the servers it needs in a throw-away folder and stops them (they never run
at the same time: they would measure each other). Their own tables and logs go to
`bench/out/<UTC time>/<script>.md` and `.log`; the summary (date, commit, machine, every target
with its figure) is printed at the end and written to `bench/out/<UTC time>/summary.md`, ready
for bench/RESULTS.md. A script that fails is reported and the others still run; the exit code
is then 1. `--quick` runs every script's short version (a smoke test of the suite, not figures
to record)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from figures import markdown

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SCRIPTS = ["p1_p2_reads", "p3_p4_p7_intake", "p5_analytics", "p6_replay", "p8_import"]
# Sizes for the whole suite to fit 20 minutes on the 2-core box; each script's own default is
# the size. P8 imports 30,000 rows (its JSON projects the million from their rate): a
# million takes ~22 minutes today (bench/RESULTS.md). Run `bench/p8_import.py` alone for it.
FULL_ARGS = {"p1_p2_reads": ["--rounds", "3", "--seconds", "8"],
             "p8_import": ["--rows", "30000"]}


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, text=True,
                               capture_output=True, check=True).stdout.strip()
        return head + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run(script: str, out: Path, quick: bool) -> tuple[list[dict[str, Any]], float, str | None]:
    results_file = out / f"{script}.json"
    argv = [sys.executable, str(BENCH / f"{script}.py"), "--json", str(results_file)]
    argv += ["--quick"] if quick else FULL_ARGS.get(script, [])
    started = time.monotonic()
    print(f"== {script} …", file=sys.stderr, flush=True)
    with open(out / f"{script}.md", "w") as stdout, open(out / f"{script}.log", "w") as stderr:
        code = subprocess.call(argv, cwd=BENCH, stdout=stdout, stderr=stderr)
    seconds = time.monotonic() - started
    if code != 0 or not results_file.exists():
        tail = (out / f"{script}.log").read_text(errors="replace").splitlines()[-15:]
        return [], seconds, f"exit {code}:\n    " + "\n    ".join(tail)
    return list(json.loads(results_file.read_text())), seconds, None


def summary(results: list[dict[str, Any]], timings: dict[str, float],
            failures: dict[str, str], quick: bool) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [f"`make bench{' QUICK=1' if quick else ''}` — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} "
             f"UTC, commit {commit()}, {os.cpu_count()} cores ({cpu}), load average before "
             f"{os.getloadavg()[0]:.1f}" + (" — QUICK: smoke run, not figures to record" if quick
                                            else ""),
             "", markdown(results)]
    if timings:
        lines += ["", "| script | seconds |", "|---|---:|"]
        lines += [f"| {name} | {seconds:.0f} |" for name, seconds in timings.items()]
    for name, why in failures.items():
        lines += ["", f"**{name} failed** ({why})"]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="comma-separated script names (default: all)")
    parser.add_argument("--out", type=Path, help="folder for the outputs (default bench/out/…)")
    parser.add_argument("--summarise", action="store_true",
                        help="with --out: rebuild summary.md from every script's results there "
                             "(e.g. after rerunning one script into the same folder)")
    args = parser.parse_args()
    if args.summarise:
        if args.out is None:
            parser.error("--summarise needs --out DIR (a folder of an earlier run)")
        found = [r for name in SCRIPTS if (args.out / f"{name}.json").exists()
                 for r in json.loads((args.out / f"{name}.json").read_text())]
        text = summary(found, {}, {}, args.quick)
        (args.out / "summary.md").write_text(text + "\n", encoding="utf-8")
        print(text)
        return 0
    scripts = args.only.split(",") if args.only else SCRIPTS
    unknown = [s for s in scripts if s not in SCRIPTS]
    if unknown:
        parser.error(f"unknown script(s) {', '.join(unknown)}; choose from {', '.join(SCRIPTS)}")
    out = args.out or BENCH / "out" / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    timings: dict[str, float] = {}
    failures: dict[str, str] = {}
    for script in scripts:
        found, seconds, failed = run(script, out, args.quick)
        results += found
        timings[script] = seconds
        if failed:
            failures[script] = failed
            print(f"   {script} FAILED after {seconds:.0f}s ({failed})", file=sys.stderr)
        else:
            print(f"   {script}: {seconds:.0f}s", file=sys.stderr)
    text = summary(results, timings, failures, args.quick)
    (out / "summary.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\n(each script's own tables: {out})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
