"""Dependencies point inward (STYLE.md): domain imports the standard library only (plus the
stdlib-only lianxin.kit.errors); app imports domain; nothing inside imports api/adapters."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["people", "tickets", "assessment"]
ALLOWED_IN_DOMAIN = {"lianxin.kit.errors"}


def imports(package_dir: Path) -> list[tuple[Path, str]]:
    found = []
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def src(service: str, layer: str) -> Path:
    return ROOT / "services" / service / "src" / "lianxin" / service / layer


@pytest.mark.parametrize("service", SERVICES)
def test_domain_uses_only_the_standard_library(service: str) -> None:
    bad = [(p.name, m) for p, m in imports(src(service, "domain"))
           if m.split(".")[0] not in sys.stdlib_module_names
           and not m.startswith(f"lianxin.{service}.domain") and m not in ALLOWED_IN_DOMAIN]
    assert bad == []


@pytest.mark.parametrize("service", SERVICES)
def test_app_does_not_reach_outwards(service: str) -> None:
    outer = (f"lianxin.{service}.adapters", f"lianxin.{service}.api", f"lianxin.{service}.main",
             f"lianxin.{service}.consumers", "sqlalchemy", "strawberry", "fastapi", "aiokafka")
    bad = [(p.name, m) for p, m in imports(src(service, "app")) if m.startswith(outer)]
    assert bad == []


def test_services_do_not_import_each_other() -> None:
    bad = []
    for service in SERVICES:
        others = tuple(f"lianxin.{o}" for o in SERVICES if o != service)
        root = ROOT / "services" / service / "src"
        bad += [(p.name, m) for p, m in imports(root) if m.startswith(others)]
    assert bad == []


def test_kit_has_no_domain_types() -> None:
    bad = [(p.name, m) for p, m in imports(ROOT / "libs" / "kit" / "src")
           if m.startswith(tuple(f"lianxin.{s}" for s in SERVICES))]
    assert bad == []
