"""Static checks of deploy/k8s (no cluster, no kustomize binary): the base and the example overlay
render (k8s_render), pass the Kubernetes schemas, and agree with the code — the variables each
process reads, its console script and subcommand, its ports and health endpoints."""

from __future__ import annotations

import base64
import binascii
import contextlib
import importlib
import io
import re
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
from catalog import ONE_OF, ROOT, SERVICES, settings
from k8s_render import containers, load_documents, render
from lianxin.kit.metrics import DEFAULT_WORKER_PORT, METRICS_PORT_VARIABLE
from lianxin.kit.service import run_cli
from lianxin.kit.settings import EXAMPLE_SECRET_PREFIX

K8S = ROOT / "deploy" / "k8s"
TREES = {"base": K8S / "base", "city": K8S / "overlays" / "city"}
SECRETS = K8S / "secrets.example.yaml"
# The oldest Kubernetes the manifests claim to support (README.md): fields newer than this fail.
KUBERNETES_VERSION = "1.29.0"
Doc = dict[str, Any]


@pytest.fixture(scope="module", params=sorted(TREES))
def docs(request: pytest.FixtureRequest) -> list[Doc]:
    return render(TREES[request.param])


def _of(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def _named(docs: list[Doc], kind: str, name: str) -> Doc:
    found = [d for d in _of(docs, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} named {name!r}, found {len(found)}"
    return found[0]


def _deployable(container: Doc) -> str:
    """`people`, `tickets`, `assessment` or `gateway`, from the image lianxin/<name>:<tag>."""
    match = re.fullmatch(r"lianxin/(\w+):[\w.-]+", container["image"])
    assert match and match.group(1) in (*SERVICES, "gateway"), (
        f"image {container['image']!r} should be lianxin/<service|gateway>:<tag>")
    return match.group(1)


def _pod(doc: Doc) -> Doc:
    pod: Doc = doc["spec"]["template"]["spec"]
    return pod


def _workload_containers(docs: list[Doc]) -> list[tuple[str, Doc]]:
    return [(d["metadata"]["name"], c) for d in _of(docs, "Deployment") for c in containers(d)]


def test_every_document_passes_the_kubernetes_schemas(docs: list[Doc]) -> None:
    # strict: an unknown or misspelt field (say `readinesProbe`) is an error, not ignored.
    for doc in [*docs, *load_documents(SECRETS)]:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except jsonschema.ValidationError as exc:  # what kubernetes_validate raises
            pytest.fail(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at "
                        f"{'.'.join(map(str, exc.path))}")


def test_the_base_never_ships_secrets() -> None:
    # Applying the kustomization must not reset real keys to the placeholders.
    assert not _of(render(TREES["base"]), "Secret"), "keep Secrets out of the kustomization"


def test_each_container_gets_exactly_the_variables_its_code_reads(docs: list[Doc]) -> None:
    maps = {d["metadata"]["name"]: d["data"] for d in _of(docs, "ConfigMap")}
    secrets = {d["metadata"]["name"]: d["stringData"] for d in load_documents(SECRETS)}
    for workload, container in _workload_containers(docs):
        where = f"{workload}/{container['name']}"
        given = {e["name"] for e in container.get("env", [])}
        for source in container.get("envFrom", []):
            ref, pool = ((source["configMapRef"], maps) if "configMapRef" in source
                         else (source["secretRef"], secrets))
            assert ref["name"] in pool, f"{where} reads {ref['name']}, which is not defined"
            given |= set(pool[ref["name"]])
        given = {name for name in given if name.startswith("LIANXIN_")}
        reads = settings(_deployable(container))
        allowed = set(reads)
        if container.get("args", [None])[0] == "work":
            allowed.add(METRICS_PORT_VARIABLE)  # read by the worker alone (lianxin.kit.metrics)
        required = {n for n, s in reads.items() if s.required}
        assert not required - given, f"{where} lacks {sorted(required - given)}"
        assert not given - allowed, f"{where} sets {sorted(given - allowed)}, read by no code"
        assert len(given & ONE_OF) == 1, f"{where} needs exactly one of {sorted(ONE_OF)}"
        secret_in_map = [n for n in given if reads.get(n) and reads[n].secret
                         and any(n in maps[s["configMapRef"]["name"]]
                                 for s in container.get("envFrom", []) if "configMapRef" in s)]
        assert not secret_in_map, f"{where} takes {secret_in_map} from a ConfigMap, not a Secret"


def _cli_accepts(service: str, args: list[str]) -> bool:
    """Whether `lianxin-<service> ARGS` parses (argparse exits 0 on --help, 2 on a bad arg)."""
    spec = importlib.import_module(f"lianxin.{service}.main").SPEC
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
            pytest.raises(SystemExit) as stop:
        run_cli(spec, [*args, "--help"])
    return stop.value.code == 0


def test_service_commands_are_real_console_scripts_and_subcommands(docs: list[Doc]) -> None:
    for workload, container in _workload_containers(docs):
        service = _deployable(container)
        if service == "gateway":
            continue
        pyproject = (ROOT / "services" / service / "pyproject.toml").read_text()
        assert f"\nlianxin-{service} = " in pyproject, f"no console script lianxin-{service}"
        # The image's entrypoint runs lianxin-$SERVICE: SERVICE must name this image's service.
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        assert env.get("SERVICE") == service, f"{workload}: SERVICE should be {service!r}"
        assert _cli_accepts(service, container["args"]), (
            f"{workload}/{container['name']}: `lianxin-{service} {' '.join(container['args'])}` "
            "is not a valid command line")


def _port(container: Doc, port: int | str) -> int:
    by_name = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    if isinstance(port, str):
        assert port in by_name, f"{container['name']} has no port named {port!r}"
        return by_name[port]
    assert port in by_name.values(), f"{container['name']} does not declare port {port}"
    return port


def _probe(container: Doc, kind: str) -> tuple[str, int]:
    probe = container.get(kind)
    assert probe and "httpGet" in probe, f"{container['name']} needs an HTTP {kind}"
    return probe["httpGet"]["path"], _port(container, probe["httpGet"]["port"])


def test_probes_hit_the_endpoints_the_code_serves(docs: list[Doc]) -> None:
    routes = set(re.findall(r'@app\.get\("([^"]+)"\)',
                            (ROOT / "libs/kit/src/lianxin/kit/app.py").read_text()))
    gateway_config = (ROOT / "gateway" / "gateway.config.ts").read_text()
    entrypoint = (ROOT / "deploy" / "docker" / "gateway-entrypoint.sh").read_text()
    gateway_port = int(re.search(r"--port \"\$\{PORT:-(\d+)\}\"", entrypoint).group(1))  # type: ignore[union-attr]
    for workload, container in _workload_containers(docs):
        if container["name"] == "migrate":
            continue
        args = container.get("args", [])
        service = _deployable(container)
        if service == "gateway":
            assert {"/healthcheck", "/readiness"} <= set(re.findall(r"GET (/\w+)", gateway_config))
            assert _port(container, "http") == gateway_port, "the gateway listens elsewhere"
            expected = {"startupProbe": "/healthcheck", "livenessProbe": "/healthcheck",
                        "readinessProbe": "/readiness"}
            port = gateway_port
        elif args[0] == "serve":
            port = int(args[args.index("--port") + 1])
            # Liveness must not depend on the database (/readyz): an outage would restart pods.
            expected = {"startupProbe": "/healthz", "livenessProbe": "/healthz",
                        "readinessProbe": "/readyz"}
            assert set(expected.values()) <= routes, f"app.py serves {sorted(routes)}"
        else:
            assert args == ["work"], f"{workload}: unexpected command {args}"
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            port = int(env.get(METRICS_PORT_VARIABLE) or DEFAULT_WORKER_PORT)
            assert port != 0, f"{workload}: metrics off, so nothing to probe"
            # No HTTP API: the metrics server answering is the worker's sign of life. Not ready-
            # gated: it serves no traffic, and a Kafka outage must not look like a dead pod.
            expected = {"startupProbe": "/metrics", "livenessProbe": "/metrics"}
        for kind, path in expected.items():
            assert _probe(container, kind) == (path, port), f"{workload} {kind}"


_UNITS = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "": 1}


def _quantity(text: str | int) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(m|Ki|Mi|Gi|)", str(text)).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def test_every_container_has_requests_and_limits_and_runs_locked_down(docs: list[Doc]) -> None:
    for deployment in _of(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        pod = _pod(deployment)
        assert pod["securityContext"].get("runAsNonRoot") is True, f"{name}: runAsNonRoot"
        assert pod["securityContext"].get("runAsUser", 0) != 0, f"{name}: a non-root uid"
        tmp = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
        for container in containers(deployment):
            where = f"{name}/{container['name']}"
            resources = container.get("resources", {})
            for resource in ("cpu", "memory"):
                request = resources.get("requests", {}).get(resource)
                limit = resources.get("limits", {}).get(resource)
                assert request and limit, f"{where}: set requests and limits for {resource}"
                assert _quantity(request) <= _quantity(limit), f"{where}: {resource} request > limit"
            security = container.get("securityContext", {})
            assert security.get("allowPrivilegeEscalation") is False, where
            assert security.get("readOnlyRootFilesystem") is True, where
            assert security.get("capabilities", {}).get("drop") == ["ALL"], where
            # A read-only root still needs a scratch /tmp (Python's tempfile, uploads).
            assert any(m["mountPath"] == "/tmp" and m["name"] in tmp
                       for m in container.get("volumeMounts", [])), f"{where}: mount an emptyDir /tmp"


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def test_autoscalers_and_disruption_budgets_fit_their_deployments(docs: list[Doc]) -> None:
    deployments = {d["metadata"]["name"]: d for d in _of(docs, "Deployment")}
    scaled = set()
    for hpa in _of(docs, "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        assert (ref["kind"], ref["apiVersion"]) == ("Deployment", "apps/v1")
        assert ref["name"] in deployments, f"HPA {hpa['metadata']['name']} targets nothing"
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        scaled.add(ref["name"])
    # Every API and the gateway scale on load; workers do not (partitions bound them, README.md).
    apis = {n for n, d in deployments.items()
            if any(c.get("args", [""])[0] == "serve" or _deployable(c) == "gateway"
                   for c in _pod(d)["containers"])}
    assert apis and scaled == apis, f"HPAs for {sorted(scaled)}, APIs are {sorted(apis)}"
    # `replicas` on an autoscaled Deployment would reset the HPA's count at every apply.
    fixed = sorted(n for n in scaled if "replicas" in deployments[n]["spec"])
    assert not fixed, f"leave replicas of {fixed} to their HPA"
    least = {h["spec"]["scaleTargetRef"]["name"]: h["spec"]["minReplicas"]
             for h in _of(docs, "HorizontalPodAutoscaler")}
    budgets = _of(docs, "PodDisruptionBudget")
    assert budgets
    for pdb in budgets:
        selector = pdb["spec"]["selector"]["matchLabels"]
        chosen = [n for n, d in deployments.items()
                  if _selects(selector, d["spec"]["template"]["metadata"]["labels"])]
        assert len(chosen) == 1, f"PDB {pdb['metadata']['name']} selects {len(chosen)} Deployments"
        replicas = least.get(chosen[0], deployments[chosen[0]]["spec"].get("replicas", 1))
        # minAvailable as high as the replicas would block every node drain.
        assert pdb["spec"]["minAvailable"] < replicas, pdb["metadata"]["name"]


def test_services_urls_and_ingress_reach_pods(docs: list[Doc]) -> None:
    pods = [(d, c) for d in _of(docs, "Deployment") for c in _pod(d)["containers"]]
    services = {s["metadata"]["name"]: s for s in _of(docs, "Service")}
    for name, service in services.items():
        chosen = [(d, c) for d, c in pods
                  if _selects(service["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])]
        assert chosen, f"Service {name} selects no pods"
        for port in service["spec"]["ports"]:
            for _, container in chosen:
                _port(container, port["targetPort"])
    gateway = _named(docs, "ConfigMap", "lianxin-gateway")["data"]
    for subgraph in SERVICES:
        url = urlsplit(gateway[f"LIANXIN_{subgraph.upper()}_URL"])
        assert url.path == "/graphql", url
        assert url.hostname in services, f"{url.geturl()}: no Service {url.hostname}"
        assert url.port in [p["port"] for p in services[url.hostname]["spec"]["ports"]]
        reached = {_deployable(c) for d, c in pods if _selects(
            services[url.hostname]["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])}
        assert reached == {subgraph}, f"{url.geturl()} reaches {reached}"
    for ingress in _of(docs, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["name"] == "gateway", "only the gateway is public"
                ports = services["gateway"]["spec"]["ports"]
                assert backend["port"] in [{"name": p["name"]} for p in ports] or \
                    backend["port"] in [{"number": p["port"]} for p in ports]


def test_the_overlay_pins_every_image_and_exposes_the_gateway() -> None:
    docs = render(TREES["city"])
    untagged = {c["image"] for _, c in _workload_containers(docs) if c["image"].endswith(":latest")}
    assert not untagged, f"pin a tag in overlays/city for {sorted(untagged)}"
    assert _of(docs, "Ingress"), "the overlay should publish the gateway"
    assert {d["metadata"].get("namespace") for d in docs} == {"lianxin-city"}


def _is_example(value: str) -> bool:
    """A placeholder: the marker as a prefix, as a PII key id, in a URL's password, or as the
    decoded bytes of a base64 key."""
    if value.startswith(EXAMPLE_SECRET_PREFIX) or f":{EXAMPLE_SECRET_PREFIX}" in value:
        return True
    try:
        return base64.b64decode(value, validate=True).startswith(EXAMPLE_SECRET_PREFIX.encode())
    except binascii.Error:
        return False


def test_the_secret_template_holds_only_placeholders() -> None:
    for secret in load_documents(SECRETS):
        for key, value in secret["stringData"].items():
            assert _is_example(value), f"{secret['metadata']['name']}.{key} is not a placeholder"


@pytest.mark.parametrize("service", SERVICES)
def test_the_placeholders_are_well_formed_but_refused_in_production(
        service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = render(TREES["base"])
    container = _pod(_named(docs, "Deployment", f"{service}-api"))["containers"][0]
    maps = {d["metadata"]["name"]: d["data"] for d in _of(docs, "ConfigMap")}
    secrets = {d["metadata"]["name"]: d["stringData"] for d in load_documents(SECRETS)}
    for source in container["envFrom"]:
        ref = source.get("configMapRef") or source["secretRef"]
        for name, value in {**maps, **secrets}[ref["name"]].items():
            monkeypatch.setenv(name, value)
    cls = importlib.import_module(f"lianxin.{service}.main").SPEC.settings
    with pytest.raises(ValueError, match="example"):
        cls()
    monkeypatch.setenv("LIANXIN_ENVIRONMENT", "test")
    cls()  # the same values outside production: every format check passes


def test_manifest_files_are_referenced() -> None:
    # A manifest left out of `resources` would be silently never applied.
    for tree in TREES.values():
        listed = set(re.findall(r"^\s+- (?:path: )?(\S+\.yaml)$",
                                (tree / "kustomization.yaml").read_text(), re.M))
        files = {p.name for p in tree.glob("*.yaml")} - {"kustomization.yaml"}
        assert files == listed, f"{tree}: unreferenced {sorted(files - listed)}"


def test_readme_exists_for_operators() -> None:
    text = (K8S / "README.md").read_text()
    for topic in ("Strimzi", "CloudNativePG", "advisory lock", "partitions"):
        assert topic in text, f"deploy/k8s/README.md should cover {topic}"

