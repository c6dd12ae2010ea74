"""Generate Python code and type stubs from proto/lianxin/events/v1/*.proto.

`python scripts/gen_proto.py` writes proto/src/lianxin/events/v1/; with `--check` it
generates into a temporary folder and exits 1 if the committed files differ (CI drift check).
"""

from __future__ import annotations

import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
OUT_PACKAGE = ROOT / "proto" / "src"
GENERATED = OUT_PACKAGE / "lianxin" / "events" / "v1"


def generate(out_root: Path) -> Path:
    """Run protoc into out_root; return the folder holding the generated v1 modules."""
    sources = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / "lianxin").rglob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        *sources,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed; see the message above")
    target = out_root / "lianxin" / "events" / "v1"
    (target / "__init__.py").write_text('"""Generated protobuf modules for lianxin events, version 1."""\n')
    return target


def main() -> int:
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        if check:
            names = sorted(p.name for p in fresh.iterdir() if p.is_file())
            committed = sorted(p.name for p in GENERATED.glob("*") if p.is_file())
            _, mismatch, errors = filecmp.cmpfiles(fresh, GENERATED, names, shallow=False)
            if names != committed or mismatch or errors:
                print(
                    "proto/src/lianxin/events/v1 is out of date with the .proto files "
                    f"(differs: {sorted(set(mismatch + errors) | set(names) ^ set(committed))}); "
                    "run `make proto` and commit the result",
                    file=sys.stderr,
                )
                return 1
            return 0
        if GENERATED.exists():
            shutil.rmtree(GENERATED)
        shutil.copytree(fresh, GENERATED)
    print(f"generated {GENERATED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
