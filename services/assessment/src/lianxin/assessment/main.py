"""Composition root of the assessment service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from lianxin.assessment.api.schema import build_schema
from lianxin.assessment.consumers import projection_consumer
from lianxin.assessment.replay_cli import REPLAY
from lianxin.assessment.settings import AssessmentSettings
from lianxin.kit.app import create_app
from lianxin.kit.db import make_engine, make_sessions
from lianxin.kit.service import ServiceSpec, run_cli
from lianxin.kit.settings import KitSettings
from lianxin.kit.worker import Component

NAME = "assessment"
SERVICE_DIR = Path(__file__).resolve().parents[3]


def app(settings: KitSettings) -> FastAPI:
    return create_app(NAME, settings, build_schema())


def worker(settings: KitSettings) -> dict[str, Component]:
    # No relay: assessment publishes no events yet; it only projects others'.
    engine = make_engine(settings.database_url, pool_size=8, application_name=f"{NAME}-work")
    return {"projections": projection_consumer(settings, make_sessions(engine)).run}


SPEC = ServiceSpec(name=NAME, settings=AssessmentSettings, app=app, worker=worker,
                   schema=build_schema, migrations_dir=SERVICE_DIR / "migrations",
                   schema_file=SERVICE_DIR / "schema.graphql", commands={"replay": REPLAY})


def cli() -> None:
    raise SystemExit(run_cli(SPEC))
