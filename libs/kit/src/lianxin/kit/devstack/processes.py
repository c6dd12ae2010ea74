"""Child processes of the dev stack: started with an environment, logged to a file, polled until
ready over HTTP, stopped with SIGTERM then SIGKILL, and never left running after we exit."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

# free_port is re-exported: callers pick ports for the processes they start through us.
from lianxin.kit.devstack.ports import free_port, says_address_in_use

__all__ = ["ManagedProcess", "ProcessFailed", "free_port", "http_ok", "lost_its_port",
           "pdeathsig_preexec", "run_once", "start_on_a_free_port", "stop_all", "tail"]

_PR_SET_PDEATHSIG = 1
# Proxies from the environment must never see requests to our own 127.0.0.1 servers.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_LIVE: set[ManagedProcess] = set()


class ProcessFailed(RuntimeError):
    """A child died, failed or did not become ready; the message quotes the end of its log."""


def tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a log file ('' if it does not exist)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 64 * 1024))
            text = fh.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def http_ok(url: str, timeout: float = 1.0) -> bool:
    """True when GET `url` answers 200."""
    try:
        with _HTTP.open(url, timeout=timeout) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def pdeathsig_preexec(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A preexec that asks Linux to send `sig` to the child when its parent dies (else None).

    PR_SET_PDEATHSIG fires when the *thread* that forked exits, so it is only armed for children
    started from the main thread; children started from worker threads rely on stop() and atexit.
    """
    if os.uname().sysname != "Linux" or threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not in the forked child
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), sig)

    return preexec


class ManagedProcess:
    """One long-running child: its own process group, so Ctrl-C in our terminal reaches only us."""

    def __init__(self, name: str, argv: Sequence[str], *, log_file: Path,
                 env: Mapping[str, str] | None = None, cwd: Path | None = None,
                 ready_url: str | None = None, ready_check: Callable[[], bool] | None = None,
                 grace_s: float = 10.0) -> None:
        self.name, self.argv, self.log_file = name, list(argv), log_file
        self.env, self.cwd, self.ready_url, self.grace_s = env, cwd, ready_url, grace_s
        # Readiness: a custom check, else GET ready_url == 200, else "it is running".
        self.ready_check = ready_check or (lambda: ready_url is None or http_ok(ready_url))
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """Pid of the running child, None when not running."""
        return self._proc.pid if self.is_running() and self._proc else None

    def is_running(self) -> bool:
        """True while the child has not exited."""
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Spawn the child (no-op if it is already running); output goes to the log file."""
        if self.is_running():
            return
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            log.write(f"\n=== {stamp} starting {self.name}: {' '.join(self.argv)}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=dict(self.env) if self.env is not None else None, cwd=self.cwd,
                process_group=0, preexec_fn=pdeathsig_preexec())
        _LIVE.add(self)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Poll the readiness check (e.g. GET ready_url == 200); return the seconds waited."""
        started = time.monotonic()
        while True:
            if not self.is_running():
                code = self._proc.returncode if self._proc else None
                raise ProcessFailed(f"{self.name} exited with code {code} before it was ready;"
                                    f" last lines of {self.log_file}:\n{tail(self.log_file)}")
            if self.ready_check():
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                where = f" at {self.ready_url}" if self.ready_url else ""
                raise ProcessFailed(f"{self.name} was not ready{where} after {timeout:.0f}s;"
                                    f" last lines of {self.log_file}:\n{tail(self.log_file)}")
            time.sleep(0.1)

    def wait_exit(self, timeout: float | None = None) -> int:
        """Wait for the child to exit; return its code (subprocess.TimeoutExpired on timeout)."""
        if self._proc is None:
            raise ProcessFailed(f"{self.name} was never started")
        code = self._proc.wait(timeout)
        _LIVE.discard(self)
        return code

    def signal(self, sig: int) -> None:
        """Send `sig` to the child's whole process group (its own children included)."""
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, sig)

    def stop(self, grace_s: float | None = None) -> int | None:
        """SIGTERM, then SIGKILL after the grace period; return the exit code."""
        stop_all([self], self.grace_s if grace_s is None else grace_s)
        return self._proc.returncode if self._proc else None

    def kill(self) -> None:
        """SIGKILL the child and wait for it: a crash, as far as anyone else can tell."""
        self.signal(signal.SIGKILL)
        if self._proc is not None:
            self._proc.wait()
        _LIVE.discard(self)

    def restart(self, timeout: float = 60.0) -> None:
        """Stop (if running), start again and wait until ready."""
        self.stop()
        self.start()
        self.wait_ready(timeout)


def lost_its_port(proc: ManagedProcess) -> bool:
    """True when a child that failed to start says its port was in use: taken by another
    process between our choice of a free port and its bind (a free port can only be found by
    releasing it), so starting it on another port is the cure."""
    # Hive Gateway prints a stack trace after the error, so read more than a few lines, but only
    # this start's: the log is appended to, and an earlier start may have lost its port.
    lines = tail(proc.log_file, 40).splitlines()
    header = f" starting {proc.name}: "
    starts = [i for i, line in enumerate(lines) if line.startswith("=== ") and header in line]
    return says_address_in_use("\n".join(lines[starts[-1]:] if starts else lines))


def start_on_a_free_port(make: Callable[[int], ManagedProcess], timeout: float = 60.0,
                         attempts: int = 3) -> tuple[ManagedProcess, int]:
    """`make(port)` started on a free port and ready; with its port. Started again on a new
    port when it lost the first to another process (lost_its_port)."""
    for attempt in range(attempts):
        port = free_port()
        proc = make(port)
        proc.start()
        try:
            proc.wait_ready(timeout)
            return proc, port
        except ProcessFailed:
            proc.kill()
            if attempt == attempts - 1 or not lost_its_port(proc):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def stop_all(processes: Iterable[ManagedProcess], grace_s: float = 10.0) -> None:
    """Stop many children at once: SIGTERM to all, wait up to `grace_s`, SIGKILL stragglers."""
    procs = [p for p in processes if p.is_running()]
    for proc in procs:
        proc.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for proc in procs:
        assert proc._proc is not None
        try:
            proc._proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.signal(signal.SIGKILL)
            proc._proc.wait()
    for proc in procs:
        _LIVE.discard(proc)


def run_once(name: str, argv: Sequence[str], *, log_file: Path, env: Mapping[str, str],
             timeout: float = 120.0) -> float:
    """Run a short command to completion (e.g. `migrate`); raise ProcessFailed on failure."""
    proc = ManagedProcess(name, argv, log_file=log_file, env=env)
    started = time.monotonic()
    proc.start()
    try:
        code = proc.wait_exit(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise ProcessFailed(f"{name} did not finish within {timeout:.0f}s; last lines of"
                            f" {log_file}:\n{tail(log_file)}") from None
    if code != 0:
        raise ProcessFailed(f"{name} failed with exit code {code}; last lines of {log_file}:\n"
                            f"{tail(log_file)}")
    return time.monotonic() - started


@atexit.register
def _stop_leftovers() -> None:
    # Whatever path the interpreter takes out, our children go with it.
    stop_all(list(_LIVE), grace_s=5.0)
