"""Scenario 12 (issue 9): overload. `submitTicket` through the gateway at three times the box's
intake capacity (bench/RESULTS.md, P3: 80–89/s closed loop, so 255/s), open loop, for 15 s
(60 s with LIANXIN_FAULTS=full), by 50 hotline operators of the demo county.

What must hold (the stack before issue 9 answered 11–19/s with p99 10.8 s and the rest timed out):
- no process crashed;
- every failed request carries a code — OVERLOADED (a service or the gateway refused it; HTTP 503,
  Retry-After) or GATEWAY_TIMEOUT — never an uncoded or internal error, never a hang;
- refusals are fast (the typical one under a second and faster than an acceptance, where they
  used to take 10–30 s; the p90 is printed, not asserted: it depends on the box's load);
- goodput does not collapse: a sizeable share of what the same stack takes in a closed loop
  measured just before;
- once the load stops, an ordinary submit succeeds again within 30 s, in its ordinary time.

The figures are printed (pytest -s) for docs/reliability.md. The load driver is bench/loadgen.py
in a process of its own, as the benchmarks run it.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from lianxin.kit.devstack.demo import post_graphql, unit_id
from lianxin.kit.devstack.demo.county import DemoCounty
from lianxin.kit.devstack.stack import DevStack

from conftest import scaled

# The benchmarks' load driver (bench/loadgen.py), run in a process of its own by its `drive`.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from loadgen import drive

RATE = 255.0  # 3 × the P3 capacity
SECONDS = scaled(15, 60)
PROBE_SECONDS = scaled(6, 15)
SUBMIT = ("mutation($input: SubmitTicketInput!) { submitTicket(input: $input) { __typename"
          " ... on Ticket { id code } ... on UserError { code message field } } }")
CODED_REFUSALS = {"OVERLOADED", "GATEWAY_TIMEOUT"}


def submit_bodies(villages: list[str], categories: list[str], phones: list[str]) -> list[str]:
    """Hotline calls at random villages, each with a fresh id (__UUID__) and a caller."""
    rng = random.Random(12)
    return [json.dumps({"query": SUBMIT, "variables": {"input": {
        "id": "__UUID__", "channel": "HOTLINE", "category": rng.choice(categories),
        "text": "村里的路灯坏了（来电 __SEQ__）", "orgUnitId": rng.choice(villages),
        "contact": {"name": f"来电人{i}", "phone": phone}}}},
        ensure_ascii=False) for i, phone in enumerate(phones)]


def test_overload_is_refused_fast_with_a_code_and_the_stack_recovers(
        fault_stack: DevStack, county: DemoCounty, personal: Any, invariants: Any) -> None:
    stack = fault_stack
    county_id = unit_id(county.tree.county.path)
    villages = [unit_id(v.path) for v in county.tree.villages]
    admin = stack.token(subject="faults-overload-admin")
    cats = post_graphql(stack.gateway_url, "{ categories { code } }", {}, admin)
    categories = [c["code"] for c in cats["data"]["categories"] if c["code"].count(".") == 1]
    rng = random.Random(12)
    phones = [f"139{rng.randrange(10**8):08d}" for _ in range(100)]
    personal.values |= set(phones)  # what the personal-data scan must not find in clear
    bodies = submit_bodies(villages, categories, phones)
    operators = [{"authorization": f"Bearer {stack.token('cadre', [county_id], f'overload-{i}')}"}
                 for i in range(50)]
    spec = {"url": stack.gateway_url, "bodies": bodies, "headers": operators, "timeout": 30,
            "expect": "data.submitTicket.__typename=Ticket"}

    probe_token = stack.token("cadre", [county_id], "overload-probe")

    def probe_submit() -> tuple[bool, float]:
        """One ordinary submit: whether it was taken, and how long it took."""
        variables = json.loads(bodies[0].replace("__UUID__", str(uuid.uuid4())))["variables"]
        started = time.perf_counter()
        try:
            answer = post_graphql(stack.gateway_url, SUBMIT, variables, probe_token)
        except Exception:  # refused or failed: not recovered yet
            return False, time.perf_counter() - started
        ok = (answer.get("data") or {}).get("submitTicket", {}).get("__typename") == "Ticket"
        return ok, time.perf_counter() - started

    ordinary = statistics.median(probe_submit()[1] for _ in range(5))
    capacity = drive({**spec, "mode": "closed", "concurrency": 32, "seconds": PROBE_SECONDS,
                      "warmup": 1})
    # 3 × capacity: 255/s on this box when it is quiet; on a box shared with other work the
    # capacity falls (17–25/s measured while other stacks ran), and 255/s would be 10 × or more —
    # another scenario, in which even a refusal waits for a CPU — so the rate follows the probe.
    rate = min(RATE, max(30.0, round(3 * capacity["rps"])))
    time.sleep(2)

    out = drive({**spec, "mode": "open", "rate": rate, "seconds": SECONDS})
    ended = time.monotonic()
    failures = out["failures"]
    accepted_rps = out["ok"] / SECONDS

    recovered_after = None
    while time.monotonic() - ended < 30:
        ok, took = probe_submit()
        if ok and took <= max(3 * ordinary, 1.0):
            recovered_after = time.monotonic() - ended
            break
        time.sleep(1)

    figures = {
        "offered_rps": rate, "seconds": SECONDS,
        "closed_loop_capacity_rps": round(capacity["rps"], 1),
        "accepted": out["ok"], "accepted_rps": round(accepted_rps, 1),
        "accepted_ms": {k: round(out[k]) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")
                        if out[k] == out[k]},
        "refused": out["errors"], "refused_codes": failures["codes"],
        "refused_ms": {k: round(v) for k, v in failures.items() if k.endswith("_ms") and v == v},
        "ordinary_submit_ms": round(ordinary * 1000),
        "recovered_after_s": recovered_after and round(recovered_after, 1),
    }
    print("\nscenario 12, overload:", json.dumps(figures, ensure_ascii=False))

    down = [name for name, proc in stack.processes.items() if not proc.is_running()]
    assert not down, f"crashed under overload: {down}"
    uncoded = {code: n for code, n in failures["codes"].items() if code not in CODED_REFUSALS}
    assert not uncoded, f"failures without a refusal code: {uncoded} {failures['samples']}"
    # OVERLOADED reaches the client as HTTP 503 (with Retry-After), GATEWAY_TIMEOUT as 504.
    statuses = {kind for kind in out["error_kinds"] if kind != "http 504"}
    assert statuses <= {"http 503"}, out["error_kinds"]
    if out["errors"]:
        # The typical refusal is fast (under a second) and faster than the typical acceptance.
        # Not its p90: on this shared 2-core box the gateway's own event loop sometimes falls
        # seconds behind at this rate (a fresh-clone CI run: refusal p50 388 ms, p90 7.7 s),
        # which is a figure to watch (printed above, docs/reliability.md), not a functional
        # failure; before admission control the typical answer took 10–30 s.
        assert failures["p50_ms"] < min(1000, out["p50_ms"]), f"refusals are slow: {figures}"
    # Goodput: before admission control it fell to a sixth of capacity (13 of 80/s).
    assert accepted_rps >= 0.4 * capacity["rps"], figures
    assert recovered_after is not None, f"no ordinary submit within 30 s after the load: {figures}"
    invariants()  # every accepted submit reached the projections, once
