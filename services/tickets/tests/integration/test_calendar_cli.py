"""`lianxin-tickets calendar load [YEAR…]` against the seeded database (2025–2026 loaded)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from lianxin.kit.service import run_cli
from lianxin.tickets.main import SPEC
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration


@pytest.fixture
def database(seeded_engine: AsyncEngine, cli_settings: Callable[[AsyncEngine], None]
             ) -> AsyncEngine:
    """The seeded county; the CLI's settings point at it."""
    cli_settings(seeded_engine)
    return seeded_engine


async def cli(*argv: str) -> int:
    return await asyncio.to_thread(run_cli, SPEC, ["calendar", "load", *argv])


async def years(engine: AsyncEngine) -> dict[int, str]:
    async with engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT year, source FROM calendar_year"))
        return {r.year: r.source for r in rows}


async def test_load_named_years_refuses_unknown_ones_and_fills_the_missing(
        database: AsyncEngine, capsys: pytest.CaptureFixture[str]) -> None:
    assert await cli("2026", "2099") == 2
    err = capsys.readouterr().err
    assert "not 2099" in err and "setCalendarDay" in err and "upgrade chinese-calendar" in err
    assert set(await years(database)) == {2025, 2026}   # nothing loaded on refusal

    assert await cli("2024") == 0
    assert "2024: 366 days changed" in capsys.readouterr().out
    assert await cli() == 0                               # every year the package knows
    assert "2004" in capsys.readouterr().out
    assert await cli() == 0
    assert "loaded already" in capsys.readouterr().out
    assert set(await years(database)) == set(range(2004, 2027))
