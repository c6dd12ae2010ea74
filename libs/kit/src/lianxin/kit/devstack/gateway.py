"""How the dev stack runs Hive Gateway (configured in the repo's gateway/ folder; see its NOTES.md).

The gateway binary is exec'd directly, never through npx: killing npx orphans the node process.
Its settings are LIANXIN_* variables (gateway/src/settings.ts), as for the services.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from lianxin.kit.devstack.processes import ManagedProcess, ProcessFailed
from lianxin.kit.devstack.services import INHERITED_JWT_KEYS

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


# The test suite and the demo loader drive a dev stack as one admin at machine speed; the
# production default (600 requests a minute per user) is for people. Set the variable to override.
DEV_RATE_LIMIT = "6000"


def gateway_settings(*, secret: str, environment: str = "dev") -> dict[str, str]:
    """The gateway's settings in a stack whose services sign and verify with `secret` (HS256)."""
    settings = {"LIANXIN_ENVIRONMENT": environment, "LIANXIN_JWT_SECRET": secret}
    if environment == "dev":
        settings["LIANXIN_GATEWAY_RATE_LIMIT"] = os.environ.get("LIANXIN_GATEWAY_RATE_LIMIT",
                                                                DEV_RATE_LIMIT)
    return settings


def gateway_process(gateway_dir: Path, port: int, subgraph_urls: Mapping[str, str], *,
                    supergraph: Path, log_file: Path,
                    settings: Mapping[str, str]) -> ManagedProcess:
    """The gateway on 127.0.0.1:port, told where each subgraph is via LIANXIN_<NAME>_URL, with
    `settings` (LIANXIN_* variables, e.g. from gateway_settings) over the inherited environment."""
    binary = gateway_dir / "node_modules" / ".bin" / "hive-gateway"
    if not binary.exists():
        raise ProcessFailed(f"{binary} is missing: run `make install` (npm ci in gateway/)")
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_JWT_KEYS}
    env.update({f"LIANXIN_{name.upper()}_URL": url for name, url in subgraph_urls.items()})
    env.update(settings)
    argv = [str(binary), "supergraph", str(supergraph), "--host", HOST, "--port", str(port),
            "-c", "./gateway.config.ts"]
    # /readiness is 200 once the supergraph is loaded; it does not probe the subgraphs.
    return ManagedProcess("gateway", argv, log_file=log_file, env=env, cwd=gateway_dir,
                          ready_url=f"http://{HOST}:{port}/readiness", grace_s=5.0)
