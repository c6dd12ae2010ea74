"""Contracts are files: generated code and schemas must match their sources (CI drift check).

`make contracts` runs the same checks; these tests also prove the checks can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_generated_protobuf_code_matches_the_proto_files() -> None:
    result = run(sys.executable, "scripts/gen_proto.py", "--check")
    assert result.returncode == 0, result.stderr


def test_proto_drift_is_detected(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "proto", copy / "proto")
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    proto = copy / "proto" / "lianxin" / "events" / "v1" / "tickets.proto"
    proto.write_text(proto.read_text().replace("int32 text_length = 6;",
                                               "int32 text_length = 6;\n  string extra = 99;"))
    result = run(sys.executable, "scripts/gen_proto.py", "--check", cwd=copy)
    assert result.returncode == 1 and "make proto" in result.stderr


@pytest.mark.parametrize("service", ["people", "tickets", "assessment"])
def test_committed_subgraph_schema_matches_the_code(service: str) -> None:
    result = run(str(BIN / f"lianxin-{service}"), "export-schema", "--check")
    assert result.returncode == 0, result.stderr


def test_committed_supergraph_matches_the_subgraph_schemas() -> None:
    result = run("node", "compose.mjs", "--check", cwd=ROOT / "gateway")
    assert result.returncode == 0, result.stdout + result.stderr
