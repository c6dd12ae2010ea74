"""Command line of every service: `migrate`, `serve`, `work`, `export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import strawberry
from fastapi import FastAPI
from lianxin.kit.settings import KitSettings
from lianxin.kit.worker import Component

# Idle keep-alive connections are closed by the client (the gateway: Node's agent drops a free
# socket after 5 s), never by us: with uvicorn's default, also 5 s, the gateway now and then sent a
# request on a connection uvicorn was closing — "socket hang up", an INTERNAL_SERVER_ERROR for the
# caller (seen under overload, scenario 12). Longer than any client's idle timeout, as for a
# server behind a load balancer.
KEEP_ALIVE_S = 75


@dataclass(frozen=True)
class ExtraCommand:
    """A service-specific subcommand (e.g. people's `import`)."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, KitSettings], int]


@dataclass(frozen=True)
class ServiceSpec:
    """How to build one service's parts; `main.py` of each service fills it in."""

    name: str
    settings: type[KitSettings]
    app: Callable[[KitSettings], FastAPI]
    worker: Callable[[KitSettings], dict[str, Component]]
    schema: Callable[[], strawberry.federation.Schema]
    migrations_dir: Path
    schema_file: Path
    commands: dict[str, ExtraCommand] = field(default_factory=dict)


def _configure_logging(service: str, settings: KitSettings) -> None:
    """Structured logs (LIANXIN_LOG_FORMAT) and traces (OTEL_EXPORTER_OTLP_ENDPOINT) for every
    command."""
    from lianxin.kit.logs import configure_logging
    from lianxin.kit.tracing import configure_tracing

    configure_logging(service, settings.log_level, settings.log_format)
    configure_tracing(service)


def run_cli(spec: ServiceSpec, argv: list[str] | None = None) -> int:
    """Parse arguments and run one command of the service."""
    parser = argparse.ArgumentParser(prog=f"lianxin-{spec.name}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database to the latest schema")
    serve = sub.add_parser("serve", help="serve GraphQL at /graphql, /healthz and /readyz")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("work", help="run the outbox relay and the event consumers")
    prestart = sub.add_parser("prestart", help="wait for PostgreSQL and Kafka, then migrate "
                              "(the one-shot step a deployment runs before serve and work)")
    prestart.add_argument("--timeout", type=float, default=120.0,
                          help="seconds to wait for PostgreSQL and Kafka (default 120)")
    export = sub.add_parser("export-schema", help="write the subgraph SDL to schema.graphql")
    export.add_argument("--check", action="store_true", help="fail if the committed file differs")
    for name, extra in spec.commands.items():
        extra.configure(sub.add_parser(name, help=extra.help))
    args = parser.parse_args(argv)

    if args.command == "export-schema":
        sdl = spec.schema().as_str() + "\n"
        if args.check:
            if not spec.schema_file.exists() or spec.schema_file.read_text() != sdl:
                print(f"{spec.schema_file} is out of date: run `make schema` and commit it",
                      file=sys.stderr)
                return 1
            return 0
        spec.schema_file.write_text(sdl)
        return 0

    try:
        settings = spec.settings()
    except Exception as exc:  # pydantic ValidationError: say which variables to fix, then stop
        print(f"lianxin-{spec.name}: invalid settings:\n{exc}", file=sys.stderr)
        return 2
    try:
        _configure_logging(spec.name, settings)
    except ValueError as exc:
        print(f"lianxin-{spec.name}: invalid settings:\n{exc}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        from lianxin.kit.migrations import upgrade

        upgrade(settings.database_url, spec.migrations_dir)
        return 0
    if args.command == "prestart":
        return _prestart(spec, settings, args.timeout)
    if args.command in spec.commands:
        return spec.commands[args.command].run(args, settings)
    if args.command == "serve":
        import uvicorn

        uvicorn.run(spec.app(settings), host=args.host, port=args.port,
                    log_level=settings.log_level.lower(), access_log=False,
                    timeout_keep_alive=KEEP_ALIVE_S,
                    log_config=None)  # uvicorn's lines go through our structured handler
        return 0
    from lianxin.kit.metrics import serve_worker_metrics
    from lianxin.kit.worker import run_components

    serve_worker_metrics(settings.metrics_port)
    asyncio.run(run_components(spec.worker(settings)))
    return 0


def _prestart(spec: ServiceSpec, settings: KitSettings, timeout: float) -> int:
    """Wait until PostgreSQL answers and a Kafka broker accepts connections, then migrate.

    Containers start in any order and a database container is "up" before it accepts logins,
    so waiting here (rather than failing the first migrate) makes a cold `compose up` converge.
    """
    import time

    from lianxin.kit.migrations import upgrade

    deadline = time.monotonic() + timeout
    log = logging.getLogger(f"lianxin.{spec.name}.prestart")
    for what, variable, check in (
            ("PostgreSQL", "LIANXIN_DATABASE_URL", lambda: asyncio.run(_database_answers(settings))),
            ("Kafka", "LIANXIN_KAFKA_BOOTSTRAP", lambda: _broker_accepts(settings.kafka_bootstrap))):
        while True:
            try:
                check()
                break
            except Exception as exc:  # refused, DNS not there yet, database still starting
                if time.monotonic() >= deadline:
                    print(f"lianxin-{spec.name} prestart: {what} not reachable after {timeout:.0f}s "
                          f"({exc}); check {variable}",
                          file=sys.stderr)
                    return 1
                log.info("waiting for %s: %s", what, exc)
                time.sleep(1.0)
    upgrade(settings.database_url, spec.migrations_dir)
    log.info("migrated %s", spec.name)
    return 0


async def _database_answers(settings: KitSettings) -> None:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(settings.database_url, poolclass=sa.pool.NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    finally:
        await engine.dispose()


def _broker_accepts(bootstrap: str) -> None:
    """Return once one bootstrap broker accepts a TCP connection; raise OSError otherwise."""
    import socket

    errors = []
    for address in bootstrap.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=3).close()
            return
        except (OSError, ValueError) as exc:
            errors.append(f"{address.strip()}: {exc}")
    raise OSError("; ".join(errors))
