"""Shared by the tickets integration and API tests: a migrated database whose org-unit read
model already holds a county (UUID int 1) with two townships (int 2 and int 3)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from lianxin.kit.db import make_sessions
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.commands import RecordOrgUnit, record_org_unit
from lianxin.tickets.domain.ticket import OrgUnitRef
from lianxin.tickets.main import SPEC
from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture
async def seeded_engine(migrated_engine: Any) -> AsyncEngine:
    county, town, other = (uuid.UUID(int=i) for i in (1, 2, 3))
    engine: AsyncEngine = await migrated_engine(SPEC.migrations_dir)
    uow = TicketsUnitOfWork(make_sessions(engine))
    async with uow:
        for unit in (OrgUnitRef(county, None, "墨江县", "county", (county,)),
                     OrgUnitRef(town, county, "联珠镇", "township", (county, town)),
                     OrgUnitRef(other, county, "通关镇", "township", (county, other))):
            await record_org_unit(RecordOrgUnit(unit), uow)
        await uow.commit()
    return engine
