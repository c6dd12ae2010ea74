"""Fixtures for every test suite in the repository: the embedded servers (from the kit's pytest
plugin) and databases migrated with a service's own Alembic scripts."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from lianxin.kit.db import make_engine
from lianxin.kit.migrations import upgrade
from sqlalchemy.ext.asyncio import AsyncEngine

pytest_plugins = ["lianxin.kit.testing.fixtures"]


@pytest.fixture
async def migrated_engine(embedded_pg: Any) -> AsyncIterator[Callable[[Path], Awaitable[AsyncEngine]]]:
    """Factory: a fresh database upgraded with the given migrations folder, as an engine."""
    engines: list[AsyncEngine] = []

    async def make(migrations_dir: Path) -> AsyncEngine:
        name = f"{migrations_dir.parent.name}_{uuid.uuid4().hex[:10]}"
        await asyncio.to_thread(embedded_pg.create_database, name)
        url = embedded_pg.url(name)
        # Alembic's env runs its own event loop, so it gets a thread of its own.
        await asyncio.to_thread(upgrade, url, migrations_dir)
        engines.append(make_engine(url, pool_size=10))
        return engines[-1]

    yield make
    for engine in engines:
        await engine.dispose()


def pii_test_settings() -> dict[str, str]:
    """Fixed personal-data keys for tests (settings field names → values)."""
    return {"pii_keys": "test-1:" + base64.b64encode(b"k" * 32).decode(),
            "blind_index_key": base64.b64encode(b"b" * 32).decode(),
            "link_token_secret": "link-" + "t" * 32}


@pytest.fixture
def pii() -> Any:
    """The PiiConfig the services are built with in tests."""
    from lianxin.kit.settings import KitSettings

    return KitSettings(  # type: ignore[call-arg]
        environment="test", database_url="postgresql+asyncpg://unused/x",
        kafka_bootstrap="unused:9092", jwt_secret="s" * 32, **pii_test_settings()).require_pii()


@pytest.fixture
def cli_settings(monkeypatch: pytest.MonkeyPatch) -> Callable[[AsyncEngine], None]:
    """Factory: point a service's command line at an engine's database — the LIANXIN_*
    environment its settings read, with the test keys — for the rest of the test."""
    def point(engine: AsyncEngine) -> None:
        env = {"environment": "test",
               "database_url": engine.url.render_as_string(hide_password=False),
               "kafka_bootstrap": "unused:9092", "jwt_secret": "s" * 32, **pii_test_settings()}
        for name, value in env.items():
            monkeypatch.setenv(f"LIANXIN_{name.upper()}", value)
    return point


@pytest.fixture
def graphql_context() -> Callable[..., Any]:
    """Factory: the RequestContext a subgraph builds for a request, for `schema.execute` tests."""
    from lianxin.kit.app import Resources
    from lianxin.kit.auth import JwtVerifier, issue_token
    from lianxin.kit.graphql import context_getter
    from lianxin.kit.settings import KitSettings

    secret = "test-secret-" + "s" * 32
    keys = pii_test_settings()

    def make(engine: AsyncEngine, role: str | None = "admin", org_scope: tuple[str, ...] = (),
             subject: str = "tester", permissions: tuple[str, ...] = ()) -> Any:
        from lianxin.kit.db import make_sessions

        settings = KitSettings(  # type: ignore[call-arg]
            environment="test", database_url=engine.url.render_as_string(hide_password=False),
            kafka_bootstrap="unused:9092", jwt_secret=secret, **keys)
        verifier = JwtVerifier(settings)
        header = None if role is None else "Bearer " + issue_token(
            secret=secret, subject=subject, role=role, org_scope=org_scope,
            permissions=permissions)
        return context_getter(verifier, Resources(settings, engine, make_sessions(engine), verifier,
                                                  settings.require_pii()), header)

    return make
