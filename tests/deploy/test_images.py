"""The Dockerfiles checked without building: multi-stage, a non-root final user, every copied
path in the repository and not excluded by .dockerignore, the pinned uv, entrypoint scripts that
run the right console script. No image can be built here (no Docker engine)."""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from catalog import ROOT, SERVICES
from compose_render import COMPOSE_FILE

DOCKER = ROOT / "deploy" / "docker"
DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            word, _, rest = pending.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
            pending = ""
    return out


def _final_stage(path: Path) -> list[tuple[str, str]]:
    steps = instructions(path)
    last = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last:]


def _copies(path: Path) -> list[tuple[list[str], str]]:
    """Sources and flags of each COPY from the build context (not --from another stage)."""
    out = []
    for word, rest in instructions(path):
        if word != "COPY":
            continue
        parts = rest.split()
        flags = [p for p in parts if p.startswith("--")]
        if any(f.startswith("--from=") for f in flags):
            continue
        sources = [p for p in parts if not p.startswith("--")][:-1]
        out.append((sources, " ".join(flags)))
    return out


def _expand(source: str) -> list[str]:
    return [source.replace("${SERVICE}", s) for s in SERVICES] if "${SERVICE}" in source \
        else [source]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Rough .dockerignore semantics: a pattern excludes the path or any folder above it."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        anywhere = pattern.startswith("**/")
        bare = pattern.removeprefix("**/")
        for prefix in prefixes:
            tail = prefix.split("/")[-1] if anywhere else prefix
            if fnmatch.fnmatch(tail if anywhere else prefix, bare):
                return True
    return False


def _dockerignore() -> list[str]:
    return [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def test_there_is_one_dockerfile_for_the_services_and_one_for_the_gateway() -> None:
    assert [p.name for p in DOCKERFILES] == ["gateway.Dockerfile", "service.Dockerfile"]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_multi_stage_and_not_root(dockerfile: Path) -> None:
    stages = [rest for word, rest in instructions(dockerfile) if word == "FROM"]
    assert len(stages) >= 2, f"{dockerfile.name}: build and runtime stages"
    users = [rest for word, rest in _final_stage(dockerfile) if word == "USER"]
    assert users, f"{dockerfile.name}: the final stage needs a USER"
    assert users[-1].split(":")[0] not in ("root", "0"), users[-1]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_copied_paths_exist_and_reach_the_build_context(dockerfile: Path) -> None:
    patterns = _dockerignore()
    for sources, _ in _copies(dockerfile):
        for source in (s for raw in sources for s in _expand(raw)):
            assert (ROOT / source).exists(), f"{dockerfile.name} copies missing {source}"
            assert not _ignored(source, patterns), f".dockerignore excludes {source}"


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    patterns = _dockerignore()
    for path in (".venv", "gateway/node_modules", ".lianxin", "deploy/compose/pii.env",
                 "services/people/tests", ".git"):
        assert _ignored(path, patterns), f".dockerignore should exclude {path}"
    assert not _ignored("deploy/compose/pii.env.example", patterns)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_entrypoint_is_a_copied_executable_script(dockerfile: Path) -> None:
    final = _final_stage(dockerfile)
    entry = [rest for word, rest in final if word == "ENTRYPOINT"]
    assert entry, f"{dockerfile.name}: no ENTRYPOINT"
    target = yaml.safe_load(entry[-1])[0]
    copied = {}  # destination in the image -> source in the repository
    for word, rest in final:
        parts = [p for p in rest.split() if not p.startswith("--")]
        if word == "COPY" and "--from=" not in rest and len(parts) == 2:
            copied[parts[1]] = parts[0]
    assert target in copied, f"{dockerfile.name}: {target} is not copied into the final stage"
    script = ROOT / copied[target]
    assert script.exists() and os.access(script, os.X_OK), f"{script} must exist and be executable"
    assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0, script


def test_the_service_image_pins_the_projects_uv_and_syncs_frozen() -> None:
    text = (DOCKER / "service.Dockerfile").read_text()
    pin = re.search(r'"uv==([0-9.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pin and f"UV_VERSION={pin.group(1)}" in text, "use the uv of pyproject's dev group"
    assert "uv sync --frozen --no-dev" in text
    allowed = re.search(r"case \"\$SERVICE\" in ([a-z|]+)\)", text)
    assert allowed and set(allowed.group(1).split("|")) == set(SERVICES)


def test_the_gateway_image_installs_from_the_lock_and_ships_its_manifests() -> None:
    text = (DOCKER / "gateway.Dockerfile").read_text()
    assert "npm ci" in text and "package-lock.json" in text
    sources = {s for srcs, _ in _copies(DOCKER / "gateway.Dockerfile") for s in srcs}
    for needed in ("gateway/supergraph.graphql", "gateway/persisted-documents.json",
                   "gateway/gateway.config.ts", "gateway/src"):
        assert needed in sources, f"the gateway image needs {needed}"
    script = (DOCKER / "gateway-entrypoint.sh").read_text()
    for used in ("node_modules/.bin/hive-gateway", "./supergraph.graphql", "./gateway.config.ts"):
        assert used in script


def _run_entrypoint(tmp_path: Path, *args: str, service: str | None) -> subprocess.CompletedProcess[str]:
    """The service entrypoint with stub console scripts on PATH that print what they got."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ["lianxin", *(f"lianxin-{s}" for s in SERVICES)]:
        stub = bin_dir / name
        stub.write_text(f'#!/bin/sh\necho {name} "$@"\n')
        stub.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", **({"SERVICE": service} if service else {})}
    return subprocess.run(["sh", str(DOCKER / "service-entrypoint.sh"), *args], env=env,
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_entrypoint_runs_the_images_console_script(tmp_path: Path, service: str) -> None:
    done = _run_entrypoint(tmp_path, "serve", "--port", "8000", service=service)
    assert done.stdout.strip() == f"lianxin-{service} serve --port 8000", done.stderr
    done = _run_entrypoint(tmp_path, "lianxin", "demo", "--url", "u", service=service)
    assert done.stdout.strip() == "lianxin demo --url u", done.stderr


def test_the_service_entrypoint_refuses_an_image_built_without_service(tmp_path: Path) -> None:
    done = _run_entrypoint(tmp_path, "serve", service=None)
    assert done.returncode == 64 and "SERVICE" in done.stderr


def test_compose_builds_these_images() -> None:
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    built = {(svc["build"]["dockerfile"], (svc["build"].get("args") or {}).get("SERVICE"))
             for svc in raw["services"].values() if "build" in svc}
    assert built == {("deploy/docker/gateway.Dockerfile", None),
                     *{("deploy/docker/service.Dockerfile", s) for s in SERVICES}}
    for svc in raw["services"].values():
        if "build" in svc:
            assert svc["build"]["context"] == ".", "the Dockerfiles copy paths from the repo root"
