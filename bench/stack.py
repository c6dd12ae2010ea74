"""The whole embedded stack for a benchmark: started in a throw-away folder, the demo county
loaded through the gateway, tokens for many subjects, the load driver, and the memory of every
process of the stack.

As deployed, with two exceptions a benchmark needs: the gateway's in-flight de-duplication is
off (identical concurrent reads would otherwise be answered once and counted many times) and
the gateway's rate limit per token subject is the dev stack's (the drivers spread their
requests over many subjects, as many users would)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from lianxin.kit.devstack.demo import build_county, load_demo
from lianxin.kit.devstack.stack import DevStack

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GIB = 1024 ** 3


def log(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)


@contextmanager
def bench_stack(*, demo: bool = True, keep: Path | None = None) -> Iterator[DevStack]:
    """The stack, started and (with `demo`) holding the demo county; stopped and deleted after."""
    folder = keep or Path(tempfile.mkdtemp(prefix="lianxin-bench-"))
    os.environ["LIANXIN_GATEWAY_DEDUPLICATE_INFLIGHT"] = "false"
    stack = DevStack(folder / "stack", gateway_port=0, log_level="WARNING")
    try:
        log(f"starting the stack in {folder} …")
        timings = stack.start()
        log(f"stack ready in {timings['total']:.1f}s")
        if demo:
            summary = load_demo(stack.gateway_url, stack.token("admin", subject="bench-loader"))
            log(f"demo county loaded in {summary.seconds:.0f}s")
        yield stack
    finally:
        stack.stop()
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def county() -> Any:
    """The demo county's ids (fixed: uuid5 of stable keys)."""
    return build_county()


def headers(stack: DevStack, role: str, scope: Sequence[str], n: int,
            prefix: str) -> list[dict[str, str]]:
    """Authorization headers of `n` different subjects with the same role and scope."""
    return [{"authorization": f"Bearer {stack.token(role, list(scope), f'{prefix}-{i}')}"}
            for i in range(n)]


def graphql_body(query: str, variables: dict[str, Any] | None = None,
                 operation: str | None = None) -> str:
    body: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation:
        body["operationName"] = operation
    return json.dumps(body, ensure_ascii=False)


def stack_processes(stack: DevStack) -> list[psutil.Process]:
    """Every process of the stack: the services, the gateway, the broker, PostgreSQL."""
    found = {p.pid: p for p in psutil.Process().children(recursive=True)}
    pidfile = stack.data.pg / "postmaster.pid"
    if pidfile.exists():
        postmaster = psutil.Process(int(pidfile.read_text().split()[0]))
        found[postmaster.pid] = postmaster
        found.update({p.pid: p for p in postmaster.children(recursive=True)})
    return [p for pid, p in found.items() if pid != os.getpid()]


def memory(stack: DevStack, exclude: Sequence[int] = ()) -> dict[str, float]:
    """Resident memory of the whole stack in GiB: `rss` sums each process's resident set (shared
    pages such as PostgreSQL's buffers counted once per process that touched them), `pss`
    shares them out (the honest total)."""
    rss = pss = 0
    for proc in stack_processes(stack):
        if proc.pid in exclude:
            continue
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return {"rss_gib": rss / GIB, "pss_gib": pss / GIB}


def role_of(proc: psutil.Process) -> str:
    """A short name for a process of the stack: `tickets API`, `people worker`, `gateway` …"""
    try:
        args = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "gone"
    text = " ".join(args)
    for arg in args:
        name = Path(arg).name
        if name.startswith("lianxin-") and len(args) > args.index(arg) + 1:
            part = args[args.index(arg) + 1]
            return f"{name.removeprefix('lianxin-')} {'API' if part == 'serve' else 'worker'}"
    if "hive-gateway" in text:
        return "gateway"
    if "tansu" in text:
        return "broker"
    if "postgres" in text:
        return "PostgreSQL"
    return Path(args[0]).name if args else "?"


def cpu_seconds(stack: DevStack) -> dict[int, tuple[str, float]]:
    """CPU time (user + system) so far of each process of the stack, by pid."""
    seen = {}
    for proc in stack_processes(stack):
        try:
            times = proc.cpu_times()
            seen[proc.pid] = (role_of(proc), times.user + times.system)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return seen


def cpu_spent(before: dict[int, tuple[str, float]],
              after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds each role spent between two `cpu_seconds` readings (new processes from 0)."""
    spent: dict[str, float] = {}
    for pid, (role, total) in after.items():
        spent[role] = spent.get(role, 0.0) + total - before.get(pid, (role, 0.0))[1]
    return dict(sorted(spent.items(), key=lambda kv: -kv[1]))


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


