"""The load driver: a separate process that sends HTTP requests and measures each answer.

    .venv/bin/python bench/loadgen.py < spec.json > result.json

Why an async Python driver (aiohttp) and not wrk: every lianxin request needs a signed JWT, and
the gateway limits requests per token subject, so the driver cycles through many tokens; intake
needs a fresh id in each mutation; every answer must be checked (a GraphQL error arrives with
HTTP 200, which wrk counts as a success); and wrk is a system package that `make bench` could not
install without root. The driver runs in its own process, so its CPU is not the servers' event
loop, and both sides of every ratio are driven by the same code. At the rates measured here
(hundreds to a few thousand requests per second) it uses a fraction of a core.

Two modes:
- closed: `concurrency` requests in flight at all times for `seconds` (throughput);
- open: `rate` requests per second on a fixed schedule for `seconds` (latency at a given load).
  Latency is measured from when a request was *due*, so a stalled server is not hidden by the
  driver waiting for it (no coordinated omission).

The spec (JSON on stdin): {"mode", "url", "bodies": [<JSON text>…], "headers": [{…}…],
"concurrency", "rate", "seconds", "warmup", "timeout", "expect": "<path>=<value>" (an answer
without that value there is an error), "record": "<path>" (values kept from each answer)}.
Bodies and headers are cycled independently; in a body, "__UUID__" becomes a new UUID and
"__SEQ__" the request's number. The result (JSON on stdout): counts, errors by kind (first few
messages kept), latency percentiles in ms, requests per second; and `failures`: the failed
requests' latency percentiles (also from when each was due) and their codes — the first error's
`extensions.code`, else `http <status>` or the exception's name (a refusal must be fast and
coded: tests/faults/test_overload.py).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from typing import Any

import aiohttp


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return sorted_ms[k]


def summarise(latencies: list[float], errors: Counter[str], samples: list[str],
              elapsed: float) -> dict[str, Any]:
    ms = sorted(x * 1000 for x in latencies)
    return {
        "ok": len(ms), "errors": sum(errors.values()), "error_kinds": dict(errors),
        "error_samples": samples[:5], "seconds": elapsed,
        "rps": len(ms) / elapsed if elapsed > 0 else 0.0,
        "p50_ms": percentile(ms, 0.50), "p90_ms": percentile(ms, 0.90),
        "p99_ms": percentile(ms, 0.99), "max_ms": ms[-1] if ms else float("nan"),
        "mean_ms": statistics.fmean(ms) if ms else float("nan"),
    }


def dig(doc: Any, path: str) -> Any:
    for part in path.split("."):
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def error_code(doc: Any) -> str | None:
    """The first error's `extensions.code` of a GraphQL answer, if it has one."""
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = (errors[0].get("extensions") or {}).get("code")
        return str(code) if code is not None else None
    return None


class Driver:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.url: str = spec["url"]
        self.bodies: list[str] = spec["bodies"]
        self.headers: list[dict[str, str]] = spec.get("headers") or [{}]
        self.seq = 0
        expect = spec.get("expect")
        self.expect = tuple(expect.split("=", 1)) if expect else None
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.samples: list[str] = []
        self.record: str | None = spec.get("record")
        self.recorded: list[Any] = []
        self.recording = False
        self.failed: list[float] = []
        self.codes: Counter[str] = Counter()
        self.code_samples: dict[str, str] = {}

    def _next(self) -> tuple[str, dict[str, str]]:
        self.seq += 1
        body = self.bodies[self.seq % len(self.bodies)]
        if "__UUID__" in body or "__SEQ__" in body:
            body = body.replace("__UUID__", str(uuid.uuid4())).replace("__SEQ__", str(self.seq))
        headers = {"content-type": "application/json", "accept": "application/json",
                   **self.headers[self.seq % len(self.headers)]}
        return body, headers

    def _fail(self, kind: str, detail: str, due: float, code: str | None = None) -> None:
        if self.recording:
            self.errors[kind] += 1
            self.failed.append(time.perf_counter() - due)
            self.codes[code or kind] += 1
            self.code_samples.setdefault(code or kind, detail[:300])
            if len(self.samples) < 5:
                self.samples.append(f"{kind}: {detail[:300]}")

    async def one(self, session: aiohttp.ClientSession, due: float) -> None:
        body, headers = self._next()
        try:
            async with session.post(self.url, data=body.encode(), headers=headers) as resp:
                raw = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self._fail(type(exc).__name__, str(exc), due)
            return
        done = time.perf_counter()
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = None
        code = error_code(doc)
        if status != 200:
            self._fail(f"http {status}", raw.decode(errors="replace"), due, code)
            return
        if doc is None:
            self._fail("not json", raw.decode(errors="replace"), due)
            return
        if doc.get("errors"):
            self._fail("graphql error", json.dumps(doc["errors"], ensure_ascii=False), due, code)
            return
        if self.expect and dig(doc, self.expect[0]) != self.expect[1]:
            self._fail("unexpected answer", json.dumps(doc, ensure_ascii=False), due,
                       str(dig(doc, self.expect[0])))
            return
        if self.recording:
            self.latencies.append(done - due)
            if self.record:
                self.recorded.append(dig(doc, self.record))

    async def closed(self, session: aiohttp.ClientSession, seconds: float) -> None:
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            while (now := time.perf_counter()) < stop:
                await self.one(session, now)

        await asyncio.gather(*(worker() for _ in range(int(self.spec["concurrency"]))))

    async def open(self, session: aiohttp.ClientSession, seconds: float) -> None:
        rate = float(self.spec["rate"])
        start = time.perf_counter()
        tasks: set[asyncio.Task[None]] = set()
        for i in range(int(rate * seconds)):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(self.one(session, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks)

    async def run(self) -> dict[str, Any]:
        run = self.closed if self.spec["mode"] == "closed" else self.open
        timeout = aiohttp.ClientTimeout(total=float(self.spec.get("timeout", 30)))
        connector = aiohttp.TCPConnector(limit=int(self.spec.get("connections", 512)))
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            if self.spec.get("warmup"):
                await run(session, float(self.spec["warmup"]))
            self.recording = True
            started = time.perf_counter()
            await run(session, float(self.spec["seconds"]))
            elapsed = time.perf_counter() - started
        failed = sorted(x * 1000 for x in self.failed)
        return {**summarise(self.latencies, self.errors, self.samples, elapsed),
                "recorded": self.recorded,
                "failures": {"codes": dict(self.codes), "samples": self.code_samples,
                             "p50_ms": percentile(failed, 0.50),
                             "p90_ms": percentile(failed, 0.90),
                             "p99_ms": percentile(failed, 0.99),
                             "max_ms": failed[-1] if failed else float("nan")}}


def drive(spec: dict[str, Any]) -> dict[str, Any]:
    """Run this driver in a process of its own (its CPU is not the caller's event loop) with
    `spec`; its result. Used by the benchmarks and the fault suite's overload scenario."""
    proc = subprocess.run([sys.executable, __file__], input=json.dumps(spec),
                          capture_output=True, text=True, check=False, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"load driver failed: {proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout))


def main() -> None:
    spec = json.load(sys.stdin)
    result = asyncio.run(Driver(spec).run())
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
