"""pytest plugin: real PostgreSQL and a real Kafka-protocol broker for a test session.

    pytest_plugins = ["lianxin.kit.testing.fixtures"]

Fixtures (all session-scoped, stopped when the session ends):
    embedded_pg      EmbeddedPostgres in a temporary folder (fsync off: throw-away data)
    broker           TansuBroker on a free port (memory storage)
    fresh_database   factory `fresh_database(prefix) -> url`: a new, uniquely named database;
                     call it from a module- or function-scoped fixture of your own

The servers are the embedded ones of lianxin.kit.devstack, reached over real TCP connections.

TODO: where a Docker engine exists (`docker info` succeeds) the architecture asks for
testcontainers (PostgreSQL, Apache Kafka) instead. Not implemented: testcontainers is not a
dependency yet and no engine exists on the build machines to test the switch. It needs
`testcontainers[postgres,kafka]` in libs/kit, and an adapter giving PostgresContainer the
`url()` / `create_database()` / `drop_database()` methods used here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from lianxin.kit.devstack.broker import TansuBroker
from lianxin.kit.devstack.postgres import EmbeddedPostgres


@pytest.fixture(scope="session")
def embedded_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL server for the session; tests create their own databases on it."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"), durable=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """A Kafka-protocol broker for the session; use unique topic names per test."""
    server = TansuBroker(workdir=tmp_path_factory.mktemp("broker"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def fresh_database(embedded_pg: EmbeddedPostgres) -> Callable[[str], str]:
    """Factory: create `<prefix>_<random>` on the session server and return its URL."""

    def create(prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        embedded_pg.create_database(name)
        return embedded_pg.url(name)

    return create
