"""Admission control (lianxin.kit.admission), in process, no database: the slots' limit and
first-come order, waits that give up or are cancelled without losing a slot, and the API
refusing a request over its limit at once with 503 OVERLOADED and Retry-After while health and
metrics still answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import strawberry
from lianxin.kit.admission import Slots
from lianxin.kit.app import create_app
from lianxin.kit.auth import issue_token
from lianxin.kit.graphql import make_schema
from lianxin.kit.settings import KitSettings
from prometheus_client import REGISTRY
from pydantic import ValidationError

SECRET = "admission-secret-" + "a" * 32
SERVICE = "admissionprobe"  # its own label: other tests' requests do not count here


async def test_slots_admit_up_to_the_limit_then_wait_and_give_up() -> None:
    slots = Slots(2)
    assert await slots.acquire(0) and await slots.acquire(0)
    assert not await slots.acquire(0)  # no wait: refused at once
    started = time.perf_counter()
    assert not await slots.acquire(0.05)
    assert 0.04 < time.perf_counter() - started < 0.5
    assert slots.active == 2 and slots.waiting == 0
    slots.release()
    assert slots.active == 1
    assert await slots.acquire(0)


async def test_a_released_slot_goes_to_the_oldest_waiter() -> None:
    slots = Slots(1, queue=2)
    assert await slots.acquire(0)
    order: list[str] = []

    async def wait(name: str) -> None:
        if await slots.acquire(5):
            order.append(name)

    first = asyncio.create_task(wait("first"))
    await asyncio.sleep(0)
    second = asyncio.create_task(wait("second"))
    await asyncio.sleep(0)
    assert slots.waiting == 2
    assert not await slots.acquire(0)  # a newcomer does not overtake those waiting
    slots.release()
    await first
    assert order == ["first"] and slots.active == 1
    slots.release()
    await second
    assert order == ["first", "second"]
    slots.release()
    assert slots.active == 0


async def test_a_cancelled_waiter_loses_no_slot() -> None:
    slots = Slots(1)
    assert await slots.acquire(0)
    waiter = asyncio.create_task(slots.acquire(5))
    await asyncio.sleep(0)
    slots.release()  # handed to the waiter …
    waiter.cancel()  # … which goes away before it runs: the slot must come back
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert slots.active == 0 and slots.waiting == 0
    assert await slots.acquire(0)


async def test_a_slot_handed_over_as_the_wait_ends_is_kept() -> None:
    slots = Slots(1)
    assert await slots.acquire(0)
    waiter = asyncio.create_task(slots.acquire(0.02))
    await asyncio.sleep(0)
    await asyncio.sleep(0.03)  # the timeout is due; hand the slot over before the task runs
    slots.release()
    got = await waiter
    assert slots.active == (1 if got else 0)


async def test_a_full_queue_refuses_at_once() -> None:
    slots = Slots(1, queue=1)
    assert await slots.acquire(0)
    waiter = asyncio.create_task(slots.acquire(5))
    await asyncio.sleep(0)
    started = time.perf_counter()
    assert not await slots.acquire(5)  # the one place in the queue is taken: no wait
    assert time.perf_counter() - started < 0.05
    slots.release()
    assert await waiter
    slots.release()
    assert slots.active == 0


async def test_a_queue_that_cannot_move_in_time_refuses_at_once() -> None:
    slots = Slots(1, queue=10)
    assert await slots.acquire(0)
    waiters = [asyncio.create_task(slots.acquire(5)) for _ in range(3)]
    await asyncio.sleep(0)
    for _ in range(2):  # slots handed over 50 ms apart: the queue moves at ~20 a second
        await asyncio.sleep(0.05)
        slots.release()
    assert 0.04 < slots.handover_s < 0.5
    # One ahead, then this one: 2 × ~50 ms fits a 1 s wait, not a 0.05 s one: no waiting.
    started = time.perf_counter()
    assert not await slots.acquire(0.05)
    assert time.perf_counter() - started < 0.02
    late = asyncio.create_task(slots.acquire(1))
    await asyncio.sleep(0)
    assert slots.waiting == 2
    for _ in range(3):
        slots.release()
        await asyncio.sleep(0)
    assert all(await asyncio.gather(*waiters, late))
    assert slots.active == 0  # the last release found nobody waiting


async def test_an_old_measure_of_the_queue_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    slots = Slots(1, queue=10)
    assert await slots.acquire(0)
    slots.handover_s, slots._measured_at = 10.0, time.monotonic()  # a starved moment
    assert not await slots.acquire(1)
    monkeypatch.setattr("lianxin.kit.admission.PACE_TTL_S", 0.0)  # … long past
    waiter = asyncio.create_task(slots.acquire(1))
    await asyncio.sleep(0)
    assert slots.waiting == 1
    slots.release()
    assert await waiter
    slots.release()


def test_the_limit_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        Slots(0)


def settings(**overrides: Any) -> KitSettings:
    return KitSettings(  # type: ignore[call-arg]
        environment="test", database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        kafka_bootstrap="unused:9092", jwt_secret=SECRET, **overrides)


def test_settings_refuse_unsafe_values() -> None:
    defaults = settings()
    assert (defaults.max_in_flight, defaults.admission_queue, defaults.admission_wait_ms,
            defaults.overload_retry_after_s, defaults.db_pool_size,
            defaults.db_pool_timeout_s) == (20, 20, 250, 1, 20, 5.0)
    for bad in ({"max_in_flight": 0}, {"admission_wait_ms": -1}, {"admission_queue": -1},
                {"overload_retry_after_s": 0}, {"db_pool_timeout_s": 0}):
        with pytest.raises(ValidationError):
            settings(**bad)


gate = asyncio.Event()


@strawberry.type
class Query:
    @strawberry.field
    async def held(self) -> bool:
        await gate.wait()
        return True

    @strawberry.field
    def quick(self) -> int:
        return 1


@asynccontextmanager
async def serving(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SERVICE, settings(**overrides), make_schema(Query))
    token = issue_token(secret=SECRET, subject="probe", role="admin")
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api",
            headers={"authorization": f"Bearer {token}"}) as client:
        yield client


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("lianxin_overload_rejections_total",
                                     {"service": SERVICE, "reason": reason}) or 0.0


async def test_an_api_over_its_limit_refuses_fast_with_a_code() -> None:
    gate.clear()
    before = rejected("busy")
    async with serving(max_in_flight=2, admission_wait_ms=50, overload_retry_after_s=3,
                       admission_queue=1) as api:
        holding = [asyncio.create_task(api.post("/graphql", json={"query": "{ held }"}))
                   for _ in range(2)]
        for _ in range(100):  # until both execute
            await asyncio.sleep(0.01)
            if REGISTRY.get_sample_value("lianxin_graphql_in_flight", {"service": SERVICE}) == 2:
                break
        started = time.perf_counter()
        refused = await api.post("/graphql", json={"query": "{ quick }"},
                                 headers={"accept": "application/graphql-response+json"})
        took = time.perf_counter() - started
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "3"
        assert refused.headers["content-type"].startswith("application/graphql-response+json")
        [error] = refused.json()["errors"]
        assert error["extensions"] == {"code": "OVERLOADED", "retryAfter": 3}
        assert "data" not in refused.json()
        assert 0.04 < took < 1.0  # waited for a slot (50 ms), then refused: not 30 s
        assert rejected("busy") == before + 1
        # Health, readiness's route and metrics are not counted against the limit.
        assert (await api.get("/healthz")).status_code == 200
        assert (await api.get("/metrics")).status_code == 200

        gate.set()  # the held requests finish; the next one is let in
        assert [r.json() for r in await asyncio.gather(*holding)] == [{"data": {"held": True}}] * 2
        answer = await api.post("/graphql", json={"query": "{ quick }"})
        assert answer.status_code == 200 and answer.json() == {"data": {"quick": 1}}
        assert REGISTRY.get_sample_value("lianxin_graphql_in_flight", {"service": SERVICE}) == 0


async def test_a_request_waiting_for_a_slot_gets_it_when_one_frees() -> None:
    gate.clear()
    async with serving(max_in_flight=1, admission_queue=1, admission_wait_ms=2000) as api:
        holding = asyncio.create_task(api.post("/graphql", json={"query": "{ held }"}))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(api.post("/graphql", json={"query": "{ quick }"}))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        gate.set()
        assert (await holding).status_code == 200
        answer = await waiting
        assert answer.status_code == 200 and answer.json() == {"data": {"quick": 1}}
