"""The embedded dev stack's servers: PostgreSQL survives a crash with committed data, the broker
carries messages and restarts on its port, ports persist per data folder, and child processes
fail loudly. Each test starts its own servers: killing the session ones would hurt other tests."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from lianxin.kit.devstack import processes
from lianxin.kit.devstack.broker import TansuBroker
from lianxin.kit.devstack.datadir import DataDir
from lianxin.kit.devstack.postgres import EmbeddedPostgres, PostgresError
from lianxin.kit.devstack.processes import (
    ManagedProcess,
    ProcessFailed,
    free_port,
    http_ok,
    start_on_a_free_port,
)
from lianxin.kit.devstack.stack import DevStack
from lianxin.kit.settings import KitSettings
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def pg(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedPostgres]:
    """One durable server (like the dev stack's) for this module; every test leaves it up."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("devstack") / "pg")
    await asyncio.to_thread(server.start)
    yield server
    await asyncio.to_thread(server.stop)


async def scalar(url: str, *statements: str) -> object:
    """Run the statements in one transaction; return the last one's first value."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for sql in statements:
                result = await conn.execute(sa.text(sql))
            return result.scalar()
    finally:
        await engine.dispose()


async def test_postgres_keeps_committed_data_when_killed(pg: EmbeddedPostgres) -> None:
    await asyncio.to_thread(pg.create_database, "crash")
    await asyncio.to_thread(pg.create_database, "crash")  # idempotent
    url = pg.url("crash")
    assert url == f"postgresql+asyncpg://postgres@127.0.0.1:{pg.port}/crash"
    await scalar(url, "CREATE TABLE t (v text)", "INSERT INTO t VALUES ('committed') RETURNING v")

    await asyncio.to_thread(pg.kill)
    assert not pg.is_running()
    await asyncio.to_thread(pg.start)

    assert pg.is_running()
    assert await scalar(url, "SELECT string_agg(v, ',') FROM t") == "committed"
    await asyncio.to_thread(pg.drop_database, "crash")
    assert await scalar(pg.url("postgres"),
                        "SELECT count(*) FROM pg_database WHERE datname = 'crash'") == 0


async def test_postgres_keeps_its_port_and_adopts_a_running_server(
        pg: EmbeddedPostgres) -> None:
    port = pg.port
    twin = EmbeddedPostgres(pg.datadir)  # e.g. `lianxin dev` after a crash of its parent
    await asyncio.to_thread(twin.start)
    assert twin.port == port and pg.is_running()
    await asyncio.to_thread(pg.stop)
    assert not pg.is_running()
    await asyncio.to_thread(pg.start)
    assert pg.port == port
    assert await scalar(pg.url("postgres"), "SELECT 1") == 1


async def test_postgres_moves_when_its_port_is_taken(pg: EmbeddedPostgres) -> None:
    old = pg.port
    await asyncio.to_thread(pg.stop)
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT
        squatter.bind(("127.0.0.1", old))
        squatter.listen()
        await asyncio.to_thread(pg.start)
        assert pg.port != old
    assert await scalar(pg.url("postgres"), "SELECT 1") == 1


def test_an_interrupted_initdb_is_redone_and_foreign_folders_refused(tmp_path: Path) -> None:
    (tmp_path / "pg.initdb").mkdir()  # what Ctrl-C during initdb leaves behind
    (tmp_path / "pg.initdb" / "PG_VERSION").write_text("18\n")
    server = EmbeddedPostgres(tmp_path / "pg", durable=False)
    server.start()
    try:
        assert server.psql("SELECT 40 + 2").strip() == "42"
    finally:
        server.stop()
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"")
    with pytest.raises(PostgresError, match="neither empty nor a PostgreSQL data dir"):
        EmbeddedPostgres(tmp_path / "photos").start()


@pytest.fixture
async def own_broker(tmp_path: Path) -> AsyncIterator[TansuBroker]:
    server = TansuBroker(workdir=tmp_path)
    await asyncio.to_thread(server.start)
    yield server
    await asyncio.to_thread(server.stop)


async def roundtrip(bootstrap: str) -> bytes:
    topic = f"devstack.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.seek_to_beginning()
        return (await asyncio.wait_for(consumer.getone(), 10)).value or b""
    finally:
        await consumer.stop()


async def test_broker_carries_a_message_and_restarts_on_its_port(
        own_broker: TansuBroker) -> None:
    bootstrap = own_broker.bootstrap
    assert await roundtrip(bootstrap) == b"hello"
    await asyncio.to_thread(own_broker.kill)
    assert not own_broker.is_running()
    await asyncio.to_thread(own_broker.restart)
    assert own_broker.bootstrap == bootstrap
    assert await roundtrip(bootstrap) == b"hello"
    assert own_broker.log_file.exists()


async def test_a_topic_the_broker_creates_by_itself_has_the_kits_partition_count(
        own_broker: TansuBroker) -> None:
    """tansu creates a missing topic when a client asks for it (after a restart, its log being in
    memory). The kit's default count must be tansu's, or a topic comes back with one count or
    the other depending on who asks first, and a group joined on fewer partitions skips the rest
    (the fault suite's canary found that after scenario 4)."""
    producer = AIOKafkaProducer(bootstrap_servers=own_broker.bootstrap)
    await producer.start()
    try:
        created = await producer.partitions_for(f"devstack.auto.{uuid.uuid4().hex[:8]}")
    finally:
        await producer.stop()
    assert len(created) == KitSettings.model_fields["kafka_partitions"].default


def test_ports_and_secret_persist_per_data_folder(tmp_path: Path) -> None:
    first = DataDir(tmp_path)
    port, secret = first.ports.choose("people"), first.secret()
    again = DataDir(tmp_path)
    assert again.ports.choose("people") == port
    assert again.secret() == secret and secret.startswith("dev-only-") and len(secret) >= 32
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        assert DataDir(tmp_path).ports.choose("people") != port


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_dying_process_fails_with_the_end_of_its_log(tmp_path: Path) -> None:
    code = "print('cannot reach the database'); raise SystemExit(3)"
    proc = ManagedProcess("doomed", python(code), log_file=tmp_path / "doomed.log",
                          ready_url="http://127.0.0.1:9/")
    proc.start()
    with pytest.raises(ProcessFailed, match=r"code 3(.|\n)*cannot reach the database"):
        proc.wait_ready(timeout=10)


def test_a_process_is_ready_then_stopped_with_sigterm(tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    proc = ManagedProcess("web", argv, log_file=tmp_path / "web.log", cwd=tmp_path,
                          ready_url=f"http://127.0.0.1:{port}/")
    proc.start()
    assert proc.wait_ready(timeout=15) < 15
    started = time.monotonic()
    assert proc.stop(grace_s=5) is not None
    assert not proc.is_running() and time.monotonic() - started < 5


def test_a_slow_process_times_out_with_a_clear_error(tmp_path: Path) -> None:
    proc = ManagedProcess("sleepy", python("import time; print('warming up', flush=True); "
                                           "time.sleep(30)"),
                          log_file=tmp_path / "sleepy.log", ready_url="http://127.0.0.1:9/")
    proc.start()
    with pytest.raises(ProcessFailed, match=r"not ready at http://127\.0\.0\.1:9/(.|\n)*warming"):
        proc.wait_ready(timeout=1)
    proc.kill()
    assert not proc.is_running()


def test_a_gateway_port_taken_before_the_gateway_binds_it_is_chosen_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """gateway_port=0: the stack picks the port. A free port can only be found by releasing it,
    so another process may take it before the gateway binds (CI lost a run to this): the stack
    must pick again, while a port the caller fixed is refused, never moved."""
    stack = DevStack(tmp_path / "stack", gateway_port=0, services=())
    with pytest.raises(RuntimeError, match="no port yet"):
        _ = stack.gateway_url
    squatters: list[socket.socket] = []
    choose = stack.data.ports.choose

    def choose_then_lose(name: str) -> int:
        port = choose(name)
        if name == "gateway" and not squatters:  # the race: taken between choice and bind
            squatter = socket.socket()
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", port))
            squatter.listen()
            squatters.append(squatter)
        return port

    monkeypatch.setattr(stack.data.ports, "choose", choose_then_lose)
    try:
        with stack:
            taken = squatters[0].getsockname()[1]
            assert stack.gateway_port not in (0, taken)
            assert "EADDRINUSE" in (stack.logs_dir / "gateway.log").read_text()
            assert http_ok(stack.gateway_url.replace("/graphql", "/readiness"))
        fixed = DevStack(tmp_path / "fixed", gateway_port=taken, services=())
        with pytest.raises(ProcessFailed, match=f"port {taken} is in use"):
            fixed.start()
    finally:
        for squatter in squatters:
            squatter.close()


def test_a_process_whose_free_port_is_taken_starts_again_on_another(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        offered = iter([taken])
        monkeypatch.setattr(processes, "free_port", lambda: next(offered, None) or free_port())

        def web(port: int) -> ManagedProcess:
            argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
            return ManagedProcess("web", argv, log_file=tmp_path / "web.log", cwd=tmp_path,
                                  ready_url=f"http://127.0.0.1:{port}/")

        proc, port = start_on_a_free_port(web, timeout=15)
        try:
            assert port != taken and http_ok(f"http://127.0.0.1:{port}/")
            assert "Address already in use" in (tmp_path / "web.log").read_text()
        finally:
            proc.stop()
        # Any other failure is not retried, though an earlier start in the same log lost its port.
        (tmp_path / "doomed.log").write_text("OSError: [Errno 98] Address already in use\n")
        with pytest.raises(ProcessFailed, match="code 3"):
            start_on_a_free_port(lambda port: ManagedProcess(
                "doomed", python("raise SystemExit(3)"), log_file=tmp_path / "doomed.log",
                ready_url=f"http://127.0.0.1:{port}/"), timeout=10)
        assert (tmp_path / "doomed.log").read_text().count("starting doomed") == 1
