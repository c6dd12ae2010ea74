"""What a data dir's postmaster.pid says about the server, and killing that server like a crash."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True, slots=True)
class Postmaster:
    """The lines of postmaster.pid we use (the file is rewritten as the server starts up)."""

    datadir: Path
    pid: int
    port: int | None
    host: str | None
    status: str | None
    standalone: bool = False

    @classmethod
    def read(cls, datadir: Path) -> Postmaster | None:
        """Parse DATADIR/postmaster.pid; None when there is no (readable) file."""
        try:
            lines = [line.strip() for line in (datadir / "postmaster.pid").read_text().splitlines()]
            pid = int(lines[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

        def line(n: int) -> str | None:
            return lines[n] if len(lines) > n and lines[n] else None

        port = line(3)
        # A negative pid marks a single-user backend (initdb's bootstrap), not a postmaster.
        return cls(datadir, abs(pid), int(port) if port and port.isdigit() else None, line(5),
                   line(7), standalone=pid < 0)

    @property
    def alive(self) -> bool:
        """True when the pid is a live postgres process serving this data dir (not a reused pid)."""
        if not alive(self.pid):
            return False
        try:
            proc = psutil.Process(self.pid)
            if proc.name() != "postgres":
                return False
            cmdline = proc.cmdline()
        except psutil.NoSuchProcess:
            return False
        except psutil.AccessDenied:
            return True
        return not cmdline or str(self.datadir) in cmdline

    @property
    def ready(self) -> bool:
        """True once the server accepts connections."""
        return self.status == "ready" and not self.standalone


def alive(pid: int) -> bool:
    """True for a running process; a zombie (dead, not yet reaped) counts as gone."""
    try:
        return pid > 0 and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_gone(pids: Iterable[int], timeout: float) -> list[int]:
    """Wait until none of `pids` is alive; return those still alive at the deadline."""
    remaining = list(pids)
    deadline = time.monotonic() + timeout
    while remaining:
        remaining = [pid for pid in remaining if alive(pid)]
        if not remaining or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return remaining


def kill_tree(pid: int, sig: int, *, children_grace_s: float) -> None:
    """Send `sig` to the postmaster only, then wait for its children to notice and exit.

    Children left attached to the old shared memory would stop the next start ("pre-existing
    shared memory block is still in use"), so stragglers get SIGKILL after the grace period.
    """
    try:
        children = [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        children = []
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    wait_gone([pid], 10.0)
    for straggler in wait_gone(children, children_grace_s):
        with contextlib.suppress(ProcessLookupError):
            os.kill(straggler, 9)
    wait_gone(children, 5.0)
