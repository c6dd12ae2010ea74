"""The `lianxin` command: `lianxin dev` runs the whole system in the foreground with demo data;
`lianxin token` prints a token the dev stack accepts; `lianxin tokens` one per role on the demo."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shlex
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from lianxin.kit.auth import ROLES, issue_token

if TYPE_CHECKING:  # the dev stack's modules load only for `lianxin dev`: `token` stays quick
    from lianxin.kit.devstack.demo.county import DemoCounty
    from lianxin.kit.devstack.stack import DevStack

# The query the banner's curl example sends; one constant so it is easy to change.
EXAMPLE_QUERY = "{ orgUnits { id name kind children { name } ticketCount } }"
# With --no-gateway the example goes to the people subgraph, which has no ticket fields.
PEOPLE_EXAMPLE_QUERY = "{ orgUnits { id name kind children { name } } }"


class _Stop(BaseException):
    """SIGINT or SIGTERM arrived: leave whatever we are doing and stop the stack."""


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    # Further signals are ignored: the clean stop that follows must not be interrupted.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Stop(signum)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lianxin", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    dev = sub.add_parser("dev", help="run PostgreSQL, the broker, the services and the gateway"
                         " with demo data; Ctrl-C stops everything")
    dev.add_argument("--data-dir", type=Path, default=None,
                     help="data folder (default: LIANXIN_DATA_DIR or <repo>/.lianxin)")
    dev.add_argument("--port", type=int, default=4000, help="gateway port (default 4000)")
    dev.add_argument("--no-demo", action="store_true", help="do not load the demo county")
    dev.add_argument("--no-gateway", action="store_true",
                     help="run without the gateway (the demo then goes to the people subgraph)")
    dev.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    token = sub.add_parser("token", help="print a JWT signed with the data folder's secret")
    token.add_argument("--role", required=True, choices=ROLES)
    token.add_argument("--org", action="append", default=[], metavar="ID",
                       help="an org unit id for org_scope (repeatable)")
    token.add_argument("--permission", action="append", default=[], metavar="NAME",
                       help="an extra grant, e.g. pii:read to see personal data unmasked")
    token.add_argument("--subject", default=None, help="the token's subject (default dev-ROLE)")
    token.add_argument("--data-dir", type=Path, default=None)
    token.add_argument("--ttl", type=int, default=86400, help="lifetime in seconds")
    tokens = sub.add_parser("tokens", help="print one token per role (resident, cadre, supervisor,"
                            " analyst, screen, admin) scoped to the demo county")
    tokens.add_argument("--data-dir", type=Path, default=None)
    demo = sub.add_parser("demo", help="load the demo county through a running gateway (e.g. the"
                          " compose stack's), with an admin token signed from LIANXIN_JWT_SECRET")
    demo.add_argument("--url", required=True, help="the gateway's GraphQL URL, e.g."
                      " http://gateway:4000/graphql")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `lianxin` console script."""
    args = _parser().parse_args(argv)
    if args.command == "token":
        from lianxin.kit.devstack.datadir import DataDir, default_data_dir

        secret = DataDir(args.data_dir or default_data_dir()).secret()
        print(issue_token(secret=secret, subject=args.subject or f"dev-{args.role}",
                          role=args.role, org_scope=args.org, permissions=args.permission,
                          ttl_seconds=args.ttl))
        return 0
    if args.command == "tokens":
        from lianxin.kit.devstack.datadir import DataDir, default_data_dir
        from lianxin.kit.devstack.demo import build_county

        print(_role_tokens(DataDir(args.data_dir or default_data_dir()).secret(), build_county()))
        return 0
    if args.command == "demo":
        return _demo(args.url)
    return _dev(args)


def _demo(url: str) -> int:
    """Load the demo county (not its months of history, which need the dev stack's files)."""
    import os

    from lianxin.kit.devstack.demo import DemoLoadError, load_demo

    secret = os.environ.get("LIANXIN_JWT_SECRET", "").strip()
    if not secret:
        print("lianxin demo: set LIANXIN_JWT_SECRET to the secret the services verify tokens "
              "with (an identity provider's keys cannot be used to sign here)", file=sys.stderr)
        return 2
    token = issue_token(secret=secret, subject="demo-loader", role="admin",
                        issuer=os.environ.get("LIANXIN_JWT_ISSUER", "lianxin"),
                        audience=os.environ.get("LIANXIN_JWT_AUDIENCE", "lianxin"))
    try:
        print(load_demo(url, token), flush=True)
    except DemoLoadError as exc:
        print(f"lianxin demo: {exc}", file=sys.stderr)
        return 1
    return 0


def _role_tokens(secret: str, county: DemoCounty) -> str:
    from lianxin.kit.devstack.demo.roles import demo_roles, role_token_lines

    return role_token_lines(demo_roles(county), lambda r: issue_token(
        secret=secret, subject=r.subject, role=r.role, org_scope=r.org_scope))


def _dev(args: argparse.Namespace) -> int:
    from lianxin.kit.devstack.demo import DemoLoadError, build_county, load_demo
    from lianxin.kit.devstack.demo.history import load_history
    from lianxin.kit.devstack.postgres import PostgresError
    from lianxin.kit.devstack.processes import ProcessFailed
    from lianxin.kit.devstack.stack import DevStack

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    stack = DevStack(args.data_dir, gateway_port=args.port, with_gateway=not args.no_gateway,
                     log_level=args.log_level)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    code = 0
    try:
        print(f"starting lianxin in {stack.data.root} …", flush=True)
        timings = stack.start()
        demo, roles = "", ""
        if not args.no_demo:
            if stack.with_gateway:  # the live demo, then its months of history (a ledger)
                county = build_county()
                roles = _role_tokens(stack.data.secret(), county)
                summary = load_demo(stack.gateway_url, stack.token(), county)
                demo = f"{summary}\n{' ' * 15}{load_history(stack, county=county)}"
            else:  # the people subgraph alone has no ticket mutations: the register only
                demo = str(load_demo(stack.service_url("people"), stack.token(),
                                     dataclasses.replace(build_county(), tickets=[])))
        print(_banner(stack, timings["total"], demo, roles), flush=True)
        _watch(stack)
    except _Stop:
        print("\nstopping …", flush=True)
    except (ProcessFailed, PostgresError, DemoLoadError) as exc:
        print(f"lianxin dev: {exc}", file=sys.stderr)
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
    if code == 0:
        print("stopped; data kept in", stack.data.root)
    return code


def _banner(stack: DevStack, seconds: float, demo: str, roles: str) -> str:
    token = stack.token()
    url = stack.gateway_url if stack.with_gateway else stack.service_url("people")
    payload = json.dumps({"query": EXAMPLE_QUERY if stack.with_gateway else PEOPLE_EXAMPLE_QUERY})
    curl = (f"curl -s {url} -H 'content-type: application/json' \\\n"
            f"    -H 'authorization: Bearer {token}' \\\n    --data {shlex.quote(payload)}")
    subgraphs = "\n".join(f"    {name:<11} {u}" for name, u in stack.service_urls.items())
    return f"""
lianxin is running (ready in {seconds:.1f}s)

  GraphQL:     {url}{"" if stack.with_gateway else "   (people subgraph; no gateway)"}
  subgraphs:
{subgraphs}
  PostgreSQL:  {stack.postgres.url("<service>")}
  Kafka:       {stack.broker_bootstrap} (tansu, memory storage: events vanish on restart)
  demo data:   {demo or "not loaded (--no-demo)"}

Tokens (24 h; `lianxin tokens` prints these again, `lianxin token --role cadre --org ID` others):
{roles or "  admin      " + token}

Try it:
  {curl}

Logs: {stack.logs_dir}/ (one file per process), PostgreSQL: {stack.postgres.log_file}
Data: {stack.data.root} (kept between runs; `make clean` deletes it)
Ctrl-C stops everything.
"""


def _watch(stack: DevStack) -> None:
    """Wait for Ctrl-C, saying so loudly when a process dies on its own meanwhile."""
    from lianxin.kit.devstack.processes import tail

    reported: set[str] = set()
    while True:
        time.sleep(1.0)
        for name, proc in stack.processes.items():
            if name not in reported and not proc.is_running():
                reported.add(name)
                print(f"\n!! {name} exited; last lines of {proc.log_file}:\n"
                      f"{tail(proc.log_file, 10)}\n", file=sys.stderr, flush=True)
        if "postgres" not in reported and not stack.postgres.is_running():
            reported.add("postgres")
            print(f"\n!! PostgreSQL is down; see {stack.postgres.log_file}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
