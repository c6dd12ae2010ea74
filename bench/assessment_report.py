"""The assessment benchmark's figures, rendered as markdown for bench/RESULTS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


def _machine() -> str:
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal:"))
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores ({cpu}), {mem / 1024 / 1024:.0f} GiB RAM"


def _commit(root: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True).stdout.strip()
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return git("rev-parse", "--short", "HEAD") + dirty


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


class Report:
    def __init__(self, root: Path, command: str) -> None:
        self.head = (f"`{command}` — {dt.date.today().isoformat()}, commit {_commit(root)}, "
                     f"{_machine()}.")
        self.load_rows: dict[str, float] = {}
        self.load_total = 0.0
        self.peak_mib = 0.0
        self.tickets = self.seed = 0
        self.cubes = ""
        self.notes: list[str] = []
        self.body: list[str] = []
        self._kpis_header = False

    # --- load --------------------------------------------------------------------------------
    def loaded(self, steps: Mapping[str, float], total: float, peak_mib: float) -> None:
        self.load_rows, self.load_total, self.peak_mib = dict(steps), total, peak_mib

    def meta(self, args: argparse.Namespace) -> list[tuple[str, str]]:
        self.tickets, self.seed, self.cubes = args.tickets, args.seed, ",".join(args.cubes)
        return [("tickets", str(args.tickets)), ("seed", str(args.seed)), ("cubes", self.cubes),
                ("steps", json.dumps(self.load_rows)), ("total", str(self.load_total)),
                ("peak_mib", str(self.peak_mib)), ("loaded_on", dt.date.today().isoformat())]

    def reused(self, meta: Mapping[str, str]) -> None:
        self.tickets, self.seed, self.cubes = int(meta["tickets"]), int(meta["seed"]), meta["cubes"]
        self.loaded(json.loads(meta["steps"]), float(meta["total"]), float(meta["peak_mib"]))
        self.notes.append(f"Data loaded on {meta['loaded_on']} by an earlier run (load times "
                          "below are that run's); queries timed now.")

    def server(self, version: str, settings: Mapping[str, str]) -> None:
        self.notes.append(f"PostgreSQL {version} (embedded, fsync off), "
                          + ", ".join(f"{k} {v}" for k, v in settings.items()) + ".")

    def sizes(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.body += ["", "| table | rows | heap MiB | indexes MiB | total MiB |",
                      "|---|---:|---:|---:|---:|"]
        for r in rows:
            self.body.append(f"| {r['table']} | {r['rows']:,} | {r['heap'] / MIB:,.0f} | "
                             f"{r['indexes'] / MIB:,.0f} | {r['total'] / MIB:,.0f} |")

    def disk(self, total_bytes: int) -> None:
        self.notes.append(f"Data folder after the run: {total_bytes / 1024 ** 3:.1f} GiB (with WAL).")

    # --- queries -------------------------------------------------------------------------------
    def comparison(self, unit: Mapping[str, Any], rows: int, first: Mapping[str, float],
                   pct: Mapping[str, tuple[float, float]], plans: Mapping[str, Mapping[str, Any]],
                   rounds: int) -> None:
        level = {3: "county", 2: "city"}.get(unit["depth"], f"depth {unit['depth']}")
        kid, kids = {3: ("township", "townships"), 2: ("county", "counties")}.get(
            unit["depth"], ("child", "children"))
        self.body += ["", f"Rates of every {kid} × month of {level} {unit['name']} "
                      f"({unit['tickets']:,} tickets, {unit['children']} {kids}; {rows} rows, "
                      f"identical both ways), {rounds} rounds each, alternating:", "",
                      "| via | first ms | p50 ms | p90 ms | pages touched | tables read |",
                      "|---|---:|---:|---:|---:|---|"]
        for name in pct:
            p50, p90 = pct[name]
            plan = plans[name]
            self.body.append(f"| {name} | {_ms(first[name])} | {_ms(p50)} | {_ms(p90)} | "
                             f"{plan['pages']:,} | {', '.join(plan['relations'])} |")
        ratio = pct["facts"][0] / pct["cube"][0]
        self.body.append(f"| **facts ÷ cube (p50)** | | **{ratio:,.0f}×** | | | |" if ratio >= 10
                         else f"| **facts ÷ cube (p50)** | | **{ratio:,.2f}×** | | | |")

    def kpis(self, label: str, pct: tuple[float, float], values: Mapping[str, Any],
             plan: Mapping[str, Any]) -> None:
        if not self._kpis_header:
            self._kpis_header = True
            self.body += ["", "`kpis` of the same county from the cube (all 18 measures computed "
                          "from one row of summed counters):", "",
                          "| period | p50 ms | p90 ms | pages touched | submitted | "
                          "satisfaction | on time | p90 handling days |",
                          "|---|---:|---:|---:|---:|---:|---:|---:|"]
        v = {k: x[0] for k, x in values.items()}
        self.body.append(f"| {label} | {_ms(pct[0])} | {_ms(pct[1])} | {plan['pages']:,} | "
                         f"{v['SUBMITTED']:,.0f} | {v['SATISFACTION_RATE']:.3f} | "
                         f"{v['ON_TIME_RATE']:.3f} | {v['P90_HANDLING_DAYS']} |")

    def markdown(self) -> str:
        out = [self.head, "", f"{self.tickets:,} tickets, seed {self.seed}, cubes {self.cubes}.",
               *self.notes, "", "| load step | seconds |", "|---|---:|"]
        out += [f"| {k} | {v:,.1f} |" for k, v in self.load_rows.items()]
        out += [f"| **total** | **{self.load_total:,.1f}** |", "",
                f"Peak resident memory of a load backend: {self.peak_mib:,.0f} MiB.", *self.body]
        return "\n".join(out)
