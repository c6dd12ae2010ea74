"""`lianxin-<svc> prestart`, the compose one-shot before `serve` and `work`: it waits for the
broker and the database, and gives up after --timeout naming the variables to check."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from lianxin.kit.service import _broker_accepts, run_cli


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again on leaving: nothing listens there


def test_a_broker_counts_once_one_bootstrap_address_accepts() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        closed = _closed_port()
        _broker_accepts(f"127.0.0.1:{closed}, 127.0.0.1:{port}")
        with pytest.raises(OSError, match=f"127.0.0.1:{closed}"):
            _broker_accepts(f"127.0.0.1:{closed}")


def test_prestart_gives_up_after_its_timeout_naming_what_to_check(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from lianxin.assessment.main import SPEC

    port = _closed_port()
    monkeypatch.setenv("LIANXIN_ENVIRONMENT", "test")
    monkeypatch.setenv("LIANXIN_DATABASE_URL", f"postgresql+asyncpg://u@127.0.0.1:{port}/a")
    monkeypatch.setenv("LIANXIN_KAFKA_BOOTSTRAP", f"127.0.0.1:{port}")
    monkeypatch.setenv("LIANXIN_JWT_SECRET", "t" * 32)
    for name in ("LIANXIN_JWT_PUBLIC_KEY", "LIANXIN_JWT_JWKS_URL", "LIANXIN_JWT_ALGORITHM"):
        monkeypatch.delenv(name, raising=False)
    assert run_cli(SPEC, ["prestart", "--timeout", "0.5"]) == 1
    err = capsys.readouterr().err
    assert "PostgreSQL not reachable" in err and "LIANXIN_DATABASE_URL" in err
    assert "LIANXIN_KAFKA_BOOTSTRAP" not in err   # the one to check, not a list to guess from


@pytest.mark.integration
def test_prestart_migrates_once_both_answer(monkeypatch: pytest.MonkeyPatch,
                                             fresh_database: Callable[[str], str]) -> None:
    import asyncio

    import sqlalchemy as sa
    from lianxin.assessment.main import SPEC
    from sqlalchemy.ext.asyncio import create_async_engine

    url = fresh_database("prestart")
    with socket.socket() as broker:  # the wait only needs a broker that accepts connections
        broker.bind(("127.0.0.1", 0))
        broker.listen()
        monkeypatch.setenv("LIANXIN_ENVIRONMENT", "test")
        monkeypatch.setenv("LIANXIN_DATABASE_URL", url)
        monkeypatch.setenv("LIANXIN_KAFKA_BOOTSTRAP", f"127.0.0.1:{broker.getsockname()[1]}")
        monkeypatch.setenv("LIANXIN_JWT_SECRET", "t" * 32)
        for name in ("LIANXIN_JWT_PUBLIC_KEY", "LIANXIN_JWT_JWKS_URL", "LIANXIN_JWT_ALGORITHM"):
            monkeypatch.delenv(name, raising=False)
        assert run_cli(SPEC, ["prestart", "--timeout", "30"]) == 0

    async def version() -> str | None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
                        ).scalar()
        finally:
            await engine.dispose()

    assert asyncio.run(version()), "prestart should have applied the migrations"
