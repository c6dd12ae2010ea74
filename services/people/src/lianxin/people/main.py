"""Composition root of the people service: wires settings, database, API and worker."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from lianxin.kit.app import create_app
from lianxin.kit.db import make_engine
from lianxin.kit.outbox import OutboxRelay
from lianxin.kit.service import ServiceSpec, run_cli
from lianxin.kit.settings import KitSettings
from lianxin.kit.worker import Component
from lianxin.people.adapters.events import TOPIC
from lianxin.people.api.schema import build_schema
from lianxin.people.importing import IMPORT
from lianxin.people.settings import PeopleSettings

NAME = "people"
SERVICE_DIR = Path(__file__).resolve().parents[3]


def app(settings: KitSettings) -> FastAPI:
    return create_app(NAME, settings, build_schema())


def worker(settings: KitSettings) -> dict[str, Component]:
    engine = make_engine(settings.database_url, pool_size=4, application_name=f"{NAME}-work")
    return {"relay": OutboxRelay(engine, settings, NAME, TOPIC).run}


SPEC = ServiceSpec(name=NAME, settings=PeopleSettings, app=app, worker=worker, schema=build_schema,
                   migrations_dir=SERVICE_DIR / "migrations",
                   schema_file=SERVICE_DIR / "schema.graphql", commands={"import": IMPORT})


def cli() -> None:
    raise SystemExit(run_cli(SPEC))
