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


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_cli(spec: ServiceSpec, argv: list[str] | None = None) -> int:
    """Parse arguments and run one command of the service."""
    parser = argparse.ArgumentParser(prog=f"lianxin-{spec.name}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database to the latest schema")
    serve = sub.add_parser("serve", help="serve GraphQL at /graphql, /healthz and /readyz")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("work", help="run the outbox relay and the event consumers")
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
    _configure_logging(settings.log_level)
    if args.command == "migrate":
        from lianxin.kit.migrations import upgrade

        upgrade(settings.database_url, spec.migrations_dir)
        return 0
    if args.command in spec.commands:
        return spec.commands[args.command].run(args, settings)
    if args.command == "serve":
        import uvicorn

        uvicorn.run(spec.app(settings), host=args.host, port=args.port,
                    log_level=settings.log_level.lower(), access_log=False)
        return 0
    from lianxin.kit.worker import run_components

    asyncio.run(run_components(spec.worker(settings)))
    return 0
