"""The whole system on one machine: PostgreSQL, the broker, each service's `serve` and `work`,
and the gateway, with a synchronous API that tests use for fault injection (from async tests,
call it through `asyncio.to_thread`)."""

from __future__ import annotations

import atexit
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from lianxin.kit.auth import issue_token
from lianxin.kit.devstack.broker import TansuBroker
from lianxin.kit.devstack.datadir import DataDir, default_data_dir, repo_root
from lianxin.kit.devstack.gateway import gateway_process, gateway_settings, supergraph_file
from lianxin.kit.devstack.ports import port_is_free
from lianxin.kit.devstack.postgres import EmbeddedPostgres
from lianxin.kit.devstack.processes import ManagedProcess, ProcessFailed, lost_its_port, stop_all
from lianxin.kit.devstack.services import (
    SERVICES,
    migrate_all,
    serve_process,
    service_env,
    work_process,
)

log = logging.getLogger("lianxin.devstack")
HOST = "127.0.0.1"


class DevStack:
    """Everything lianxin needs, started from (and persisted in) one data folder."""

    def __init__(self, data_dir: Path | None = None, *, gateway_port: int = 4000,
                 with_gateway: bool = True, services: Sequence[str] = SERVICES,
                 log_level: str = "INFO", gateway_dir: Path | None = None,
                 ready_timeout: float = 90.0, kafka_front_port: int | None = None) -> None:
        self.data = DataDir(data_dir or default_data_dir())
        # gateway_port=0: the stack picks a free port (kept in the data folder's port book, like
        # the services'), and picks again if another process takes it before the gateway binds.
        # Tests and benchmarks use this; a fixed port (`lianxin dev`'s 4000) is never moved.
        self.gateway_port, self.with_gateway = gateway_port, with_gateway
        self._gateway_port_chosen = gateway_port == 0
        self.services, self.log_level = tuple(services), log_level
        self.gateway_dir = gateway_dir or (repo_root() or Path.cwd()) / "gateway"
        self.ready_timeout = ready_timeout
        # Where Kafka clients connect: the broker itself, or a proxy in front of it that the
        # caller runs on this port (the fault suite's latency/loss proxy); the broker then
        # advertises the proxy, so every client's traffic passes through it.
        self.kafka_front_port = kafka_front_port
        # Extra environment per service, taken by its processes at their next (re)start: the
        # fault suite arms crash points this way (lianxin.kit.faults).
        self.env_overrides: dict[str, dict[str, str]] = {}
        self.postgres = EmbeddedPostgres(self.data.pg)
        self.broker: TansuBroker | None = None
        self.processes: dict[str, ManagedProcess] = {}
        self.timings: dict[str, float] = {}
        self._supergraph: Path | None = None

    # --- addresses --------------------------------------------------------------------------
    @property
    def gateway_url(self) -> str:
        """The gateway's GraphQL endpoint."""
        if self.gateway_port == 0:
            raise RuntimeError("the gateway has no port yet: start the stack first")
        return f"http://{HOST}:{self.gateway_port}/graphql"

    def service_url(self, service: str) -> str:
        """A subgraph's own GraphQL endpoint (bypassing the gateway)."""
        return f"http://{HOST}:{self._port(service)}/graphql"

    @property
    def service_urls(self) -> dict[str, str]:
        """Each service's GraphQL endpoint by name."""
        return {name: self.service_url(name) for name in self.services}

    @property
    def broker_bootstrap(self) -> str:
        """`127.0.0.1:PORT` Kafka clients bootstrap from (the broker, or the proxy before it)."""
        return f"{HOST}:{self.kafka_front_port or self._port('broker')}"

    def database_url(self, service: str) -> str:
        """SQLAlchemy URL of a service's database (named after the service)."""
        return self.postgres.url(service)

    @property
    def logs_dir(self) -> Path:
        """Folder with one log file per process (PostgreSQL logs to pg/postgres.log)."""
        return self.data.logs

    def token(self, role: str = "admin", org_scope: Sequence[str] = (),
              subject: str = "dev-admin", permissions: Sequence[str] = ()) -> str:
        """A JWT the services accept, signed with this data folder's secret."""
        return issue_token(secret=self.data.secret(), subject=subject, role=role,
                           org_scope=org_scope, permissions=permissions)

    # --- lifecycle --------------------------------------------------------------------------
    def __enter__(self) -> DevStack:
        """`with DevStack(folder) as stack:` — started (a failed start stops what it began)."""
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> dict[str, float]:
        """Start everything (what already runs is kept) and wait until it is ready; return the
        seconds each phase took."""
        started = time.monotonic()
        self.data.create()
        gateway = self.processes.get("gateway")
        ours = gateway is not None and gateway.is_running()
        fixed = not self._gateway_port_chosen
        if self.with_gateway and not ours and fixed and not port_is_free(self.gateway_port):
            raise ProcessFailed(f"port {self.gateway_port} is in use: stop what holds it or"
                                " choose another gateway port (lianxin dev --port N)")
        atexit.register(self.stop)
        try:
            self.timings["postgres"] = self.postgres.start()
            for name in self.services:
                self.postgres.create_database(name)
            if self.broker is None or not self.broker.is_running():
                self.broker = TansuBroker(self.data.ports.choose("broker"),
                                          workdir=self.data.logs,
                                          advertised_port=self.kafka_front_port)
            self.timings["broker"] = self.broker.start()
            self.timings["migrate"] = migrate_all(
                {name: self.env(name) for name in self.services}, self.data.logs)
            if self.with_gateway:
                self._supergraph = supergraph_file(self.gateway_dir, self.data.root)
            t0 = time.monotonic()
            self._start_processes()
            self.timings["processes"] = time.monotonic() - t0
        except BaseException:
            self.stop()
            raise
        self.timings["total"] = time.monotonic() - started
        log.info("stack ready in %.1fs: %s", self.timings["total"], self.timings)
        return dict(self.timings)

    def stop(self) -> None:
        """Stop everything (gateway, services, broker, PostgreSQL); safe to call twice."""
        atexit.unregister(self.stop)
        gateway = self.processes.get("gateway")
        steps: list[tuple[str, Callable[[], object]]] = [
            ("gateway", gateway.stop if gateway else lambda: None),
            ("services", lambda: stop_all(self.processes.values())),
            ("broker", self.broker.stop if self.broker else lambda: None),
            ("postgres", self.postgres.stop),
        ]
        for name, step in steps:
            try:
                step()
            except Exception:  # one failure must not leave the other components running
                log.exception("stopping %s failed", name)

    @property
    def components(self) -> list[str]:
        """Names accepted by kill() and restart()."""
        names = ["postgres", "broker"]
        names += [f"{s}.{part}" for s in self.services for part in ("serve", "work")]
        return names + (["gateway"] if self.with_gateway else [])

    def kill(self, component: str) -> None:
        """SIGKILL one component, as a crash would."""
        if component == "postgres":
            self.postgres.kill()
        elif component == "broker":
            self._broker().kill()
        else:
            self._process(component).kill()

    def stop_component(self, component: str) -> None:
        """Stop one component cleanly (SIGTERM / fast shutdown)."""
        if component == "postgres":
            self.postgres.stop()
        elif component == "broker":
            self._broker().stop()
        else:
            self._process(component).stop()

    def restart(self, component: str) -> None:
        """Stop (if running) and start one component on the same port; wait until ready."""
        if component == "postgres":
            self.postgres.restart()
        elif component == "broker":
            self._broker().restart()
        else:
            self._process(component)  # validates the name
            self.processes[component].stop()
            self._start(component)

    # --- helpers ----------------------------------------------------------------------------
    def _start_processes(self) -> None:
        # Start every process first and wait afterwards, so their slow imports overlap. The
        # gateway can start with them: its readiness does not probe the subgraphs.
        names = [c for c in self.components if c not in ("postgres", "broker")]
        for name in names:
            if name in self.processes and self.processes[name].is_running():
                continue  # start() on a running stack only brings up what is down
            self.processes[name] = self._make(name)
            self.processes[name].start()
        ports = {name: self._port(name) for name in self.services}
        for name in names:
            self._wait(name)
        moved = any(self._port(name) != port for name, port in ports.items())
        if self.with_gateway and moved:  # a subgraph lost its port to a race: tell the gateway
            self.restart("gateway")

    def _start(self, component: str) -> None:
        self.processes[component] = self._make(component)
        self.processes[component].start()
        self._wait(component)

    def _wait(self, component: str) -> None:
        """Wait until ready; a process on a port we chose that lost it gets a new one."""
        movable = component.endswith(".serve") or (component == "gateway"
                                                   and self._gateway_port_chosen)
        for attempt in range(3):
            proc = self.processes[component]
            try:
                proc.wait_ready(self.ready_timeout)
                return
            except ProcessFailed:
                if not (movable and lost_its_port(proc)) or attempt == 2:
                    raise
            self.data.ports.forget(component.split(".")[0])
            self.processes[component] = self._make(component)
            self.processes[component].start()

    def _make(self, component: str) -> ManagedProcess:
        if component == "gateway":
            if self._supergraph is None:
                self._supergraph = supergraph_file(self.gateway_dir, self.data.root)
            if self._gateway_port_chosen:
                self.gateway_port = self.data.ports.choose("gateway")
            return gateway_process(self.gateway_dir, self.gateway_port, self.service_urls,
                                   supergraph=self._supergraph,
                                   log_file=self.data.logs / "gateway.log",
                                   settings=gateway_settings(secret=self.data.secret()))
        name, part = component.split(".")
        if part == "serve":
            port = self.data.ports.choose(name)
            return serve_process(name, port, self.env(name), self.data.logs)
        return work_process(name, self.env(name), self.data.logs)

    def env(self, service: str) -> dict[str, str]:
        """The environment a service's processes (and its CLI commands, e.g. an import) run in."""
        return service_env(database_url=self.database_url(service),
                           bootstrap=self.broker_bootstrap, secret=self.data.secret(),
                           log_level=self.log_level, pycache=self.data.root / "pycache",
                           keys={**self.data.pii_env(), **self.env_overrides.get(service, {})})

    def _port(self, name: str) -> int:
        port = self.data.ports.get(name)
        if port is None:
            raise RuntimeError(f"{name} has no port yet: start the stack first")
        return port

    def _process(self, component: str) -> ManagedProcess:
        if component not in self.components or component not in self.processes:
            raise ValueError(f"unknown or never started component {component!r}; "
                             f"one of {', '.join(self.components)}")
        return self.processes[component]

    def _broker(self) -> TansuBroker:
        if self.broker is None:
            raise RuntimeError("the broker has not been started")
        return self.broker
