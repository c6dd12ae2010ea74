"""A small kustomize for the subset deploy/k8s uses, so the manifests can be checked without the
kustomize binary: `resources` (files and directories), `namespace`, `labels` (pairs, optionally
on pod templates; never on selectors), `images` (newName/newTag) and `patches` of strategic-merge
files. Any other field is an error rather than silently ignored, so a kustomization that grows
past this subset fails the tests until the renderer learns it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]
KNOWN = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
# Strategic merge: lists of these fields merge item by item on the key; other lists replace.
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name", "envFrom": None,
              "volumes": "name", "volumeMounts": "mountPath", "ports": "containerPort"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass"}


def load_documents(path: Path) -> list[Doc]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def render(directory: Path) -> list[Doc]:
    """The documents `kustomize build directory` would print (for the supported subset)."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(spec) - KNOWN
    if unknown:
        raise ValueError(f"{directory}/kustomization.yaml uses {sorted(unknown)}, which "
                         f"tests/deploy/k8s_render.py does not implement: add it there")
    docs: list[Doc] = []
    for entry in spec.get("resources", []):
        target = (directory / entry).resolve()
        docs += render(target) if target.is_dir() else load_documents(target)
    for patch_ref in spec.get("patches", []):
        if set(patch_ref) != {"path"}:
            raise ValueError(f"{directory}: only `patches: - path: FILE` is supported")
        for patch in load_documents(directory / patch_ref["path"]):
            target_doc = _find(docs, patch["kind"], patch["metadata"]["name"], directory)
            _merge(target_doc, patch)
    for label_spec in spec.get("labels", []):
        if set(label_spec) - {"pairs", "includeTemplates"}:
            raise ValueError(f"{directory}: labels support only pairs and includeTemplates")
        for doc in docs:
            doc.setdefault("metadata", {}).setdefault("labels", {}).update(label_spec["pairs"])
            template = doc.get("spec", {}).get("template")
            if label_spec.get("includeTemplates") and template is not None:
                template.setdefault("metadata", {}).setdefault("labels", {}).update(
                    label_spec["pairs"])
    for image in spec.get("images", []):
        for container in (c for doc in docs for c in containers(doc)):
            name, _, tag = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = (f"{image.get('newName', name)}:"
                                      f"{image.get('newTag', tag or 'latest')}")
    if "namespace" in spec:
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = spec["namespace"]
    return docs


def containers(doc: Doc) -> list[Doc]:
    """Every container and init container of a workload's pod template."""
    pod = doc.get("spec", {}).get("template", {}).get("spec", {})
    return [*pod.get("initContainers", []), *pod.get("containers", [])]


def _find(docs: list[Doc], kind: str, name: str, directory: Path) -> Doc:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    if len(found) != 1:
        raise ValueError(f"{directory}: a patch targets {kind}/{name}, which the resources "
                         f"define {len(found)} times")
    return found[0]


def _merge(into: Doc, patch: Doc) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, list) and MERGE_KEYS.get(key) and isinstance(into.get(key), list):
            by_key = {item[MERGE_KEYS[key]]: item for item in into[key]}
            for item in value:
                if item[MERGE_KEYS[key]] in by_key:
                    _merge(by_key[item[MERGE_KEYS[key]]], item)
                else:
                    into[key].append(copy.deepcopy(item))
        else:
            into[key] = copy.deepcopy(value)
