"""Shared by the tickets integration and API tests: a migrated database whose read model holds
the small county of `tickets_helpers` (the units, their paths and ids), and whose working-day
calendar holds 2025–2026 from `chinese-calendar`; units of work and request contexts on it."""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
import sqlalchemy as sa
from lianxin.kit.auth import Principal
from lianxin.kit.db import make_sessions
from lianxin.kit.settings import PiiConfig
from lianxin.tickets.adapters.tables import calendar_day, calendar_year
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.commands import RecordOrgUnit, record_org_unit
from lianxin.tickets.main import SPEC
from sqlalchemy.ext.asyncio import AsyncEngine

# The shared helpers live beside this file (pytest's importlib mode does not put test folders
# on sys.path by itself).
sys.path.insert(0, str(Path(__file__).parent))
from tickets_helpers import TOWN, UNITS, Uow, execute

CALENDAR_YEARS = (2025, 2026)


def calendar_rows(year: int) -> list[dict[str, Any]]:
    day, rows = dt.date(year, 1, 1), []
    while day.year == year:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        rows.append({"day": day, "workday": not on_holiday, "name": name or "",
                     "source": "chinese-calendar"})
        day += dt.timedelta(days=1)
    return rows


@pytest.fixture
async def seeded_engine(migrated_engine: Any, pii: PiiConfig) -> AsyncEngine:
    engine: AsyncEngine = await migrated_engine(SPEC.migrations_dir)
    uow = TicketsUnitOfWork(make_sessions(engine), pii)
    async with uow:
        for ref in UNITS:
            await record_org_unit(RecordOrgUnit(ref), uow)
        for year in CALENDAR_YEARS:
            await uow.session.execute(sa.insert(calendar_day), calendar_rows(year))
            await uow.session.execute(sa.insert(calendar_year).values(
                year=year, source="chinese-calendar"))
        await uow.commit()
    return engine


@pytest.fixture
def make_uow(pii: PiiConfig) -> Callable[..., TicketsUnitOfWork]:
    """Factory: a unit of work on an engine, acting as `actor` (the system by default)."""
    def make(engine: AsyncEngine, actor: Principal | None = None) -> TicketsUnitOfWork:
        if actor is None:
            return TicketsUnitOfWork(make_sessions(engine), pii)
        return TicketsUnitOfWork(make_sessions(engine), pii, actor=actor)
    return make


@pytest.fixture
def uow(seeded_engine: AsyncEngine, make_uow: Callable[..., TicketsUnitOfWork]) -> Uow:
    """Factory: a fresh unit of work on the seeded database, as the system."""
    return lambda: make_uow(seeded_engine)


@pytest.fixture
def ctx(seeded_engine: AsyncEngine, graphql_context: Any) -> Callable[..., Any]:
    """Factory: the request context of a caller with `role` working at the org units `scope`
    (none: everywhere, as for an admin); `subject` and `permissions` as keywords."""
    def make(*scope: uuid.UUID, role: str = "cadre", **kw: Any) -> Any:
        return graphql_context(seeded_engine, role=role, org_scope=tuple(str(s) for s in scope),
                               **kw)
    return make


@pytest.fixture
def ask(ctx: Callable[..., Any]) -> Callable[..., Any]:
    """ask(query, role=, scope=, subject=, permissions=, **variables) → ExecutionResult."""
    async def run(query: str, *, role: str = "cadre", scope: tuple[uuid.UUID, ...] = (TOWN,),
                  subject: str = "cadre-1", permissions: tuple[str, ...] = (),
                  **variables: Any) -> Any:
        caller = ctx(*scope, role=role, subject=subject, permissions=permissions)
        return await execute(caller, query, **variables)
    return run
