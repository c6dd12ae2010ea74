"""Composition root of the tickets service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from lianxin.kit.app import create_app
from lianxin.kit.db import make_engine, make_sessions
from lianxin.kit.outbox import OutboxRelay
from lianxin.kit.service import ServiceSpec, run_cli
from lianxin.kit.settings import KitSettings
from lianxin.kit.worker import Component
from lianxin.tickets.adapters import dev_clock
from lianxin.tickets.adapters.events import TOPIC
from lianxin.tickets.api.schema import build_schema
from lianxin.tickets.calendar_cli import CALENDAR
from lianxin.tickets.consumers import people_consumer
from lianxin.tickets.importing import IMPORT
from lianxin.tickets.overdue_gauge import OverdueGauge
from lianxin.tickets.settings import TicketsSettings
from lianxin.tickets.sla_worker import sla_scheduler

NAME = "tickets"
SERVICE_DIR = Path(__file__).resolve().parents[3]


def app(settings: KitSettings) -> FastAPI:
    # Dev and test stacks follow the time-travel offset an admin may set (setServiceClock).
    follow = [] if settings.environment == "production" else [
        lambda resources, stop: dev_clock.follow(resources.sessions, stop)]
    return create_app(NAME, settings, build_schema(), background=follow)


def worker(settings: KitSettings) -> dict[str, Component]:
    engine = make_engine(settings.database_url, pool_size=8, application_name=f"{NAME}-work")
    pii = settings.require_pii()
    return {
        "relay": OutboxRelay(engine, settings, NAME, TOPIC).run,
        "people-consumer": people_consumer(settings, make_sessions(engine), pii).run,
        "sla-scheduler": sla_scheduler(settings, make_sessions(engine), pii).run,
        "overdue-gauge": OverdueGauge(make_sessions(engine)).run,
    }


SPEC = ServiceSpec(name=NAME, settings=TicketsSettings, app=app, worker=worker,
                   schema=build_schema, migrations_dir=SERVICE_DIR / "migrations",
                   schema_file=SERVICE_DIR / "schema.graphql",
                   commands={"import": IMPORT, "calendar": CALENDAR})


def cli() -> None:
    raise SystemExit(run_cli(SPEC))
