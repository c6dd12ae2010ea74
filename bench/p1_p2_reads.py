"""P1 gateway efficiency and P2 subgraph efficiency (issue 8): reads, side by side in one run.

    .venv/bin/python bench/p1_p2_reads.py [--rounds 3] [--seconds 10] [--quick] [--json FILE]

Starts the whole embedded stack (bench/stack.py: demo county, gateway de-duplication off) and
the hand-written FastAPI + asyncpg endpoints (bench/baseline_app.py, one uvicorn worker), then
drives five paths with the same closed-loop load (`--concurrency` requests in flight, every
request a different demo ticket, tokens of 64 county supervisors):

  gateway·card     `TicketCard` through the gateway (one subgraph: tickets)
  subgraph·card    the same document sent to the tickets subgraph directly
  plain·card       POST /ticket-card: the tickets subgraph's SQL, plain FastAPI + asyncpg
  gateway·place    `TicketWithPlace` through the gateway (tickets → people and assessment)
  plain·place      POST /ticket-with-place: the same JSON read from the three databases

Each round runs every path once, in a rotated order, so drift on this shared machine falls on
all paths alike; the figures are the median requests/s over the rounds, and the ratios

  P1 one-subgraph:   gateway·card ÷ subgraph·card   (target ≥ 0.9)
  P1 three subgraphs: gateway·place ÷ plain·place   (target ≥ 0.6)
  P2:                subgraph·card ÷ plain·card     (target ≥ 0.8)

are the medians of the per-round ratios. Before measuring, every ticket's answer is checked to
be the same JSON on both sides of each ratio. No test asserts any of this."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx
from figures import markdown, result, write_json
from lianxin.kit.devstack.demo import unit_id
from lianxin.kit.devstack.ports import free_port
from loadgen import drive
from stack import (
    ROOT,
    bench_stack,
    county,
    graphql_body,
    headers,
    log,
    median,
)

CARD = ("query TicketCard($id: ID!) { ticket(id: $id) { id code status channel kind "
        "categoryCode urgency text submittedAt anonymous imported reopenCount } }")
PLACE = ("query TicketWithPlace($id: ID!) { ticket(id: $id) { id code status text submittedAt "
         "orgUnit { id name kind ticketCount } } }")


def start_baseline(stack: Any) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = stack.database_url("tickets").replace("+asyncpg", "").rsplit("/", 1)[0]
    env = {**os.environ, "LIANXIN_BENCH_PG": base, "LIANXIN_JWT_SECRET": stack.data.secret()}
    log_file = open(stack.logs_dir / "baseline.log", "wb")  # noqa: SIM115 - lives with the process
    proc = subprocess.Popen([str(ROOT / ".venv/bin/uvicorn"), "--app-dir", str(ROOT / "bench"),
                             "baseline_app:app", "--host", "127.0.0.1", "--port", str(port),
                             "--no-access-log", "--log-level", "warning"],
                            env=env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.post(f"{url}/ticket-card", json={"id": "x"})
            return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the baseline app did not start: see baseline.log in the stack's logs")


def same_answers(a: tuple[str, list[str]], b: tuple[str, list[str]],
                 auth: dict[str, str]) -> None:
    """Each body gives the same JSON at both URLs (the comparison is of equal work)."""
    for body_a, body_b in zip(a[1], b[1], strict=True):
        ra = httpx.post(a[0], content=body_a, headers={**auth, "content-type": "application/json"})
        rb = httpx.post(b[0], content=body_b, headers={**auth, "content-type": "application/json"})
        if ra.json() != rb.json() or "errors" in ra.json():
            raise AssertionError(f"{a[0]} and {b[0]} answer differently:\n{ra.text}\n{rb.text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="1 round of 4 s (a smoke run)")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 4.0
    demo = county()
    county_id = unit_id(demo.tree.county.path)
    with bench_stack() as stack:
        baseline, plain = start_baseline(stack)
        try:
            auth = headers(stack, "supervisor", [county_id], 64, "bench-supervisor")
            ids = ticket_ids(stack.gateway_url, auth[0], county_id)
            log(f"{len(ids)} tickets to read")
            gql = {name: [graphql_body(q, {"id": i}) for i in ids]
                   for name, q in (("card", CARD), ("place", PLACE))}
            plain_bodies = [json.dumps({"id": i}) for i in ids]
            paths = {
                "gateway·card": (stack.gateway_url, gql["card"]),
                "subgraph·card": (stack.service_url("tickets"), gql["card"]),
                "plain·card": (f"{plain}/ticket-card", plain_bodies),
                "gateway·place": (stack.gateway_url, gql["place"]),
                "plain·place": (f"{plain}/ticket-with-place", plain_bodies),
            }
            same_answers(paths["gateway·card"], paths["subgraph·card"], auth[0])
            same_answers(paths["subgraph·card"], paths["plain·card"], auth[0])
            same_answers(paths["gateway·place"], paths["plain·place"], auth[0])
            rounds = measure(paths, auth, args)
        finally:
            baseline.terminate()
            baseline.wait(10)
    results, table = summarise(rounds, args)
    print(table)
    print()
    print(markdown(results))
    write_json(args.json, results)
    return 0


def ticket_ids(gateway: str, auth: dict[str, str], county_id: str) -> list[str]:
    query = ("query($id: ID!) { orgUnit(id: $id) { tickets(first: 100) { nodes { id } } } }")
    answer = httpx.post(gateway, json={"query": query, "variables": {"id": county_id}},
                        headers=auth).json()
    return [n["id"] for n in answer["data"]["orgUnit"]["tickets"]["nodes"]]


def measure(paths: dict[str, tuple[str, list[str]]], auth: list[dict[str, str]],
            args: argparse.Namespace) -> list[dict[str, dict[str, Any]]]:
    names = list(paths)
    rounds = []
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        figures = {}
        for name in order:
            url, bodies = paths[name]
            figures[name] = drive({"mode": "closed", "url": url, "bodies": bodies,
                                   "headers": auth, "concurrency": args.concurrency,
                                   "seconds": args.seconds, "warmup": 2,
                                   "expect": None})
            f = figures[name]
            log(f"round {r + 1}: {name:14} {f['rps']:7.0f} req/s  p50 {f['p50_ms']:6.1f} ms  "
                f"p99 {f['p99_ms']:6.1f} ms  errors {f['errors']}")
            if f["errors"]:
                raise RuntimeError(f"{name}: {f['errors']} errors: {f['error_samples']}")
        rounds.append(figures)
    return rounds


RATIOS = [("P1", "gateway ÷ subgraph, one-subgraph ticket read", "gateway·card", "subgraph·card", 0.9),
          ("P1", "gateway ÷ hand-written FastAPI, read across people, tickets, assessment",
           "gateway·place", "plain·place", 0.6),
          ("P2", "Strawberry subgraph ÷ plain FastAPI + asyncpg, same SQL", "subgraph·card",
           "plain·card", 0.8)]


def summarise(rounds: list[dict[str, dict[str, Any]]],
              args: argparse.Namespace) -> tuple[list[dict[str, Any]], str]:
    lines = ["| path | req/s (median) | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
    for name in rounds[0]:
        lines.append(f"| {name} | {median([r[name]['rps'] for r in rounds]):,.0f} | "
                     f"{median([r[name]['p50_ms'] for r in rounds]):.1f} | "
                     f"{median([r[name]['p99_ms'] for r in rounds]):.1f} |")
    context = (f"{len(rounds)} rounds × {args.seconds:g} s, {args.concurrency} in flight, "
               "one uvicorn worker each")
    results = [result(target, what, median([r[a]["rps"] / r[b]["rps"] for r in rounds]), "×",
                      goal, "higher", context) for target, what, a, b, goal in RATIOS]
    return results, "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
