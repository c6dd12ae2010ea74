"""P3 overload only (issue 9, admission control): `submitTicket` through the gateway offered
well above capacity, open loop, and what came back — accepted per second, refusals by code, and
the latency of both.

    .venv/bin/python bench/p3_overload.py [--rate 255] [--seconds 60] [--probe 10]

The same stack as bench/p3_p4_p7_intake.py (demo county, 50 hotline operators, gateway
de-duplication off) without its memory and freshness phases: a closed-loop capacity probe (32 in
flight) for context, then the open-loop rate. To measure the stack without admission control (the
behaviour before issue 9), run it with the limits lifted:

    LIANXIN_MAX_IN_FLIGHT=10000 LIANXIN_DB_POOL_TIMEOUT_S=30 LIANXIN_GATEWAY_MAX_IN_FLIGHT=100000 \\
    LIANXIN_GATEWAY_MAX_LOOP_LAG_MS=0 LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS=600000 \\
    .venv/bin/python bench/p3_overload.py

The driver's own timeout is 30 s, so a request the stack holds longer counts as a TimeoutError.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import httpx
from lianxin.kit.devstack.demo import unit_id
from loadgen import drive
from p3_p4_p7_intake import submit_bodies
from stack import bench_stack, county, headers, log

SETTINGS = ("LIANXIN_MAX_IN_FLIGHT", "LIANXIN_DB_POOL_TIMEOUT_S", "LIANXIN_GATEWAY_MAX_IN_FLIGHT",
            "LIANXIN_GATEWAY_MAX_LOOP_LAG_MS", "LIANXIN_GATEWAY_UPSTREAM_TIMEOUT_MS")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=255.0, help="submissions offered per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--probe", type=float, default=10.0, help="closed-loop probe, s (0: none)")
    parser.add_argument("--keep", type=Path, help="keep the stack's folder (logs) here")
    args = parser.parse_args()
    demo = county()
    county_id = unit_id(demo.tree.county.path)
    villages = [unit_id(v.path) for v in demo.tree.villages]
    with bench_stack(keep=args.keep) as stack:
        admin = {"authorization": f"Bearer {stack.token('admin', subject='bench-admin')}"}
        cats = httpx.post(stack.gateway_url, json={"query": "{ categories { code } }"},
                          headers=admin).json()["data"]["categories"]
        bodies = submit_bodies(villages, [c["code"] for c in cats if c["code"].count(".") == 1])
        ops = headers(stack, "cadre", [county_id], 50, "bench-hotline")
        time.sleep(5)
        spec = {"url": stack.gateway_url, "bodies": bodies, "headers": ops, "timeout": 30,
                "expect": "data.submitTicket.__typename=Ticket"}
        probe = None
        if args.probe:
            probe = drive({**spec, "mode": "closed", "concurrency": 32, "seconds": args.probe,
                           "warmup": 2})
            log(f"capacity probe: {probe['rps']:.0f}/s p99 {probe['p99_ms']:.0f} ms "
                f"errors {probe['errors']}")
            time.sleep(5)
        load = os.getloadavg()[0]
        out = drive({**spec, "mode": "open", "rate": args.rate, "seconds": args.seconds})
    failures = out["failures"]
    print(json.dumps({
        "settings": {k: os.environ.get(k, "default") for k in SETTINGS},
        "load_average_before": round(load, 1),
        "capacity_rps": probe and round(probe["rps"], 1),
        "offered_rps": args.rate, "seconds": args.seconds,
        "accepted": out["ok"], "accepted_rps": round(out["ok"] / args.seconds, 1),
        "accepted_ms": {k: round(out[k]) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")
                        if out[k] == out[k]},
        "failed": out["errors"], "failed_codes": failures["codes"],
        "failed_ms": {k: round(v) for k, v in failures.items() if k.endswith("_ms") and v == v},
        "samples": failures["samples"],
    }, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
