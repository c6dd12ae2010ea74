"""How the dev stack runs Hive Gateway (configured in the repo's gateway/ folder; see its NOTES.md).

The gateway binary is exec'd directly, never through npx: killing npx orphans the node process.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from lianxin.kit.devstack.processes import ManagedProcess, ProcessFailed

HOST = "127.0.0.1"


def supergraph_file(gateway_dir: Path, scratch: Path) -> Path:
    """gateway/supergraph.graphql when it exists, else one composed into `scratch`.

    Composing into our own data folder (not gateway/) keeps `lianxin dev` working before the
    supergraph is committed, without writing generated files into the source tree.
    """
    committed = gateway_dir / "supergraph.graphql"
    if committed.exists():
        return committed
    out = scratch / "supergraph.graphql"
    done = subprocess.run(["node", "compose.mjs", "--out", str(out)], cwd=gateway_dir,
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise ProcessFailed(f"composing the supergraph failed (node compose.mjs):\n"
                            f"{done.stdout}{done.stderr}")
    return out


def gateway_process(gateway_dir: Path, port: int, subgraph_urls: Mapping[str, str], *,
                    supergraph: Path, log_file: Path) -> ManagedProcess:
    """The gateway on 127.0.0.1:port, told where each subgraph is via LIANXIN_<NAME>_URL."""
    binary = gateway_dir / "node_modules" / ".bin" / "hive-gateway"
    if not binary.exists():
        raise ProcessFailed(f"{binary} is missing: run `make install` (npm ci in gateway/)")
    env = {**os.environ, **{f"LIANXIN_{name.upper()}_URL": url
                            for name, url in subgraph_urls.items()}}
    argv = [str(binary), "supergraph", str(supergraph), "--host", HOST, "--port", str(port),
            "-c", "./gateway.config.ts"]
    # /readiness is 200 once the supergraph is loaded; it does not probe the subgraphs.
    return ManagedProcess("gateway", argv, log_file=log_file, env=env, cwd=gateway_dir,
                          ready_url=f"http://{HOST}:{port}/readiness", grace_s=5.0)
