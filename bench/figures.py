"""A benchmark's result for `make bench`: one object per target figure, written by each script
with `--json` and tabulated by run_all.py (and by each script for its own output)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ORDER = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]


def result(target: str, what: str, figure: float, unit: str, goal: float, better: str,
           context: str) -> dict[str, Any]:
    """One figure against its goal (`better`: "higher" or "lower")."""
    met = figure >= goal if better == "higher" else figure <= goal
    return {"target": target, "what": what, "figure": figure, "unit": unit, "goal": goal,
            "better": better, "met": bool(met), "context": context}


def write_json(path: str | Path | None, results: list[dict[str, Any]]) -> None:
    if path:
        Path(path).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                              encoding="utf-8")


def markdown(results: Iterable[dict[str, Any]]) -> str:
    """The figures as a table, in target order."""
    rank = {t: i for i, t in enumerate(ORDER)}
    lines = ["| target | what | figure | goal | met | context |", "|---|---|---:|---:|---|---|"]
    for r in sorted(results, key=lambda r: rank.get(r["target"], 99)):
        sign = "≥" if r["better"] == "higher" else "≤"
        lines.append(f"| {r['target']} | {r['what']} | {r['figure']:,.2f} {r['unit']} | {sign} "
                     f"{r['goal']:,} {r['unit']} | {'yes' if r['met'] else '**no**'} | "
                     f"{r['context']} |")
    return "\n".join(lines)
