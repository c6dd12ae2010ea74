"""How the dev stack runs each service's console script: `migrate`, `serve`, `work`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from lianxin.kit.devstack.processes import ManagedProcess, ProcessFailed, tail

SERVICES = ("people", "tickets", "assessment")
HOST = "127.0.0.1"
# Inherited token-key variables: the stack names the one key its processes take (settings want
# exactly one, and an inherited algorithm might not fit it). Used for the gateway too.
INHERITED_JWT_KEYS = ("LIANXIN_JWT_SECRET", "LIANXIN_JWT_PUBLIC_KEY", "LIANXIN_JWT_JWKS_URL",
                      "LIANXIN_JWT_ALGORITHM")


def service_binary(name: str) -> str:
    """`lianxin-<name>` next to our interpreter (the workspace venv), else on PATH."""
    beside = Path(sys.executable).parent / f"lianxin-{name}"
    if beside.exists():
        return str(beside)
    found = shutil.which(f"lianxin-{name}")
    if found is None:
        raise ProcessFailed(f"lianxin-{name} is not installed: run `make install` (uv sync)")
    return found


def service_env(*, database_url: str, bootstrap: str, secret: str, log_level: str,
                pycache: Path, keys: Mapping[str, str]) -> dict[str, str]:
    """Environment of one service's processes (its settings; see lianxin.kit.settings)."""
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_JWT_KEYS}
    if env.pop("PYTHONDONTWRITEBYTECODE", None) and "PYTHONPYCACHEPREFIX" not in env:
        # Compiling every module from source in each of ~9 processes makes start-up several
        # times slower; cache the bytecode in the data folder instead, keeping the tree clean.
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update({
        "LIANXIN_ENVIRONMENT": "dev",
        "LIANXIN_DATABASE_URL": database_url,
        "LIANXIN_KAFKA_BOOTSTRAP": bootstrap,
        "LIANXIN_KAFKA_IDEMPOTENCE": "false",  # tansu rejects idempotent producers
        "LIANXIN_JWT_SECRET": secret,
        "LIANXIN_LOG_LEVEL": log_level,
        "PYTHONUNBUFFERED": "1",  # log lines reach the file as they happen
        # Three workers on one host would all want the default 9464: worker /metrics are off
        # here (the API's /metrics, on each service's port, stays on).
        "LIANXIN_METRICS_PORT": "0",
        **keys,
    })
    return env


def serve_process(name: str, port: int, env: Mapping[str, str], logs: Path) -> ManagedProcess:
    """`lianxin-<name> serve`, ready when /readyz (its database answers) says 200."""
    argv = [service_binary(name), "serve", "--host", HOST, "--port", str(port)]
    return ManagedProcess(f"{name}.serve", argv, log_file=logs / f"{name}.serve.log", env=env,
                          ready_url=f"http://{HOST}:{port}/readyz")


def work_process(name: str, env: Mapping[str, str], logs: Path,
                 label: str | None = None) -> ManagedProcess:
    """`lianxin-<name> work`: outbox relay and consumers (no readiness endpoint). A `label`
    names another instance (`<name>.work-<label>`, its own log): a standby or a second member
    of the consumer groups, as the fault suite starts them."""
    process = f"{name}.work" + (f"-{label}" if label else "")
    return ManagedProcess(process, [service_binary(name), "work"],
                          log_file=logs / f"{process}.log", env=env)


def migrate_all(envs: Mapping[str, Mapping[str, str]], logs: Path,
                timeout: float = 180.0) -> float:
    """Run every service's `migrate` at once; raise with the log's tail if one fails."""
    started = time.monotonic()
    procs = {name: ManagedProcess(f"{name}.migrate", [service_binary(name), "migrate"],
                                  log_file=logs / f"{name}.migrate.log", env=env)
             for name, env in envs.items()}
    for proc in procs.values():
        proc.start()
    try:
        for proc in procs.values():
            remaining = max(1.0, timeout - (time.monotonic() - started))
            code = proc.wait_exit(remaining)
            if code != 0:
                raise ProcessFailed(f"{proc.name} failed with exit code {code}; last lines of"
                                    f" {proc.log_file}:\n{tail(proc.log_file)}")
    except subprocess.TimeoutExpired:
        raise ProcessFailed(f"migrations did not finish within {timeout:.0f}s") from None
    finally:
        for proc in procs.values():
            proc.kill()  # no-op for those that exited; a timed-out one must not linger
    return time.monotonic() - started
