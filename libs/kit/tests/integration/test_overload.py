"""Overload against a real PostgreSQL: a saturated API answers the requests over its limit at
once with 503 OVERLOADED (the ones let in still succeed), and a request that cannot get a pooled
connection in time fails fast with OVERLOADED instead of waiting SQLAlchemy's 30 s."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import strawberry
from lianxin.kit.admission import Overloaded
from lianxin.kit.app import create_app
from lianxin.kit.auth import issue_token
from lianxin.kit.db import make_engine
from lianxin.kit.graphql import make_schema
from lianxin.kit.settings import KitSettings
from prometheus_client import REGISTRY

SECRET = "overload-secret-" + "o" * 32
SERVICE = "overloadprobe"


def rejected(service: str, reason: str) -> float:
    return REGISTRY.get_sample_value("lianxin_overload_rejections_total",
                                     {"service": service, "reason": reason}) or 0.0


@pytest.fixture
def database_url(embedded_pg: Any) -> str:
    name = f"overload_{uuid.uuid4().hex[:10]}"
    embedded_pg.create_database(name)
    return str(embedded_pg.url(name))


async def test_a_pool_that_stays_empty_fails_fast_with_a_code(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, pool_timeout=0.2,
                         application_name="pooltimeoutprobe")
    before = rejected("pooltimeoutprobe", "pool_timeout")
    try:
        async with engine.connect() as held:
            await held.execute(sa.text("SELECT 1"))
            started = time.perf_counter()
            with pytest.raises(Overloaded) as refused:
                async with engine.connect():
                    pass
            assert time.perf_counter() - started < 2.0
        assert refused.value.code == "OVERLOADED"
        assert rejected("pooltimeoutprobe", "pool_timeout") == before + 1
        async with engine.connect() as conn:  # the pool is fine afterwards
            assert await conn.scalar(sa.text("SELECT 1")) == 1
    finally:
        await engine.dispose()


@strawberry.type
class Query:
    @strawberry.field
    async def slow(self, info: strawberry.Info, seconds: float) -> bool:
        async with info.context.resources.sessions() as session:
            await session.execute(sa.text("SELECT pg_sleep(:s)"), {"s": seconds})
        return True


@asynccontextmanager
async def serving(database_url: str, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = KitSettings(  # type: ignore[call-arg]
        environment="test", database_url=database_url, kafka_bootstrap="unused:9092",
        jwt_secret=SECRET, **overrides)
    app = create_app(SERVICE, settings, make_schema(Query))
    token = issue_token(secret=SECRET, subject="probe", role="admin")
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api", timeout=30,
            headers={"authorization": f"Bearer {token}"}) as client:
        yield client


async def timed_post(api: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await api.post("/graphql", json=body)
    return time.perf_counter() - started, response


async def test_a_saturated_api_refuses_the_excess_fast(database_url: str) -> None:
    before = rejected(SERVICE, "busy")
    async with serving(database_url, max_in_flight=3, admission_queue=2,
                       admission_wait_ms=50) as api:
        body = {"query": "query($s: Float!) { slow(seconds: $s) }", "variables": {"s": 0.6}}
        answers = await asyncio.gather(*(timed_post(api, body) for _ in range(12)))
    ok = [(t, r) for t, r in answers if r.status_code == 200]
    refused = [(t, r) for t, r in answers if r.status_code == 503]
    assert len(ok) == 3 and len(refused) == 9
    assert all(r.json() == {"data": {"slow": True}} for _, r in ok)
    for took, response in refused:
        assert response.headers["retry-after"] == "1"
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["OVERLOADED"]
        assert took < 0.5  # the wait (50 ms) and the refusal; the admitted take 600 ms
    assert rejected(SERVICE, "busy") == before + 9


async def test_no_connection_in_time_is_a_coded_error(database_url: str) -> None:
    before = rejected(SERVICE, "pool_timeout")
    async with serving(database_url, db_pool_size=1, db_pool_timeout_s=0.2) as api:
        body = {"query": "query($s: Float!) { slow(seconds: $s) }", "variables": {"s": 0.8}}
        answers = await asyncio.gather(*(timed_post(api, body) for _ in range(2)))
    codes = sorted(e["extensions"]["code"] for _, r in answers for e in r.json().get("errors", []))
    assert codes == ["OVERLOADED"]  # never INTERNAL_SERVER_ERROR
    [(took, failed)] = [(t, r) for t, r in answers if r.json().get("errors")]
    assert took < 0.7  # the pool timeout, not the other request's 0.8 s, nor 30 s
    assert failed.json()["errors"][0]["extensions"]["retryAfter"] == 1
    assert rejected(SERVICE, "pool_timeout") == before + 1
