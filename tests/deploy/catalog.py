"""What each deployable reads from its environment, taken from the code itself — the Python
services' settings classes and the gateway's settings module — so the deploy checks (compose,
Kubernetes) compare manifests with what the code really reads, and a new setting is caught.

    settings("tickets")  -> {"LIANXIN_DATABASE_URL": Setting(required=True, secret=False), …}
    settings("gateway")  -> {"LIANXIN_JWT_SECRET": …, "LIANXIN_TICKETS_URL": …, …}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lianxin.kit.settings import KitSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("people", "tickets", "assessment")
# Settings of which a deployment sets exactly one (the JWT key source): none is required alone.
ONE_OF = {"LIANXIN_JWT_SECRET", "LIANXIN_JWT_PUBLIC_KEY", "LIANXIN_JWT_JWKS_URL"}


@dataclass(frozen=True)
class Setting:
    required: bool
    secret: bool


def _service_class(service: str) -> type[KitSettings]:
    module = __import__(f"lianxin.{service}.settings", fromlist=["*"])
    found = [v for v in vars(module).values()
             if isinstance(v, type) and issubclass(v, KitSettings) and v is not KitSettings]
    assert len(found) == 1, f"lianxin.{service}.settings should define one settings class: {found}"
    return found[0]


def _python(service: str) -> dict[str, Setting]:
    cls = _service_class(service)
    prefix = str(cls.model_config.get("env_prefix", ""))
    out = {}
    for name, field in cls.model_fields.items():
        text = repr(field.annotation)
        out[f"{prefix}{name}".upper()] = Setting(required=field.is_required(),
                                                 secret="SecretStr" in text)
    # The services that store personal data refuse to start without their keys.
    if service in ("people", "tickets"):
        for name in ("LIANXIN_PII_KEYS", "LIANXIN_BLIND_INDEX_KEY", "LIANXIN_LINK_TOKEN_SECRET"):
            out[name] = Setting(required=True, secret=True)
    return out


def _gateway() -> dict[str, Setting]:
    text = "".join(p.read_text() for p in [ROOT / "gateway" / "gateway.config.ts",
                                            *sorted((ROOT / "gateway" / "src").glob("*.ts"))])
    names = set(re.findall(r"'(LIANXIN_[A-Z0-9_]+)'", text))
    return {n: Setting(required=n.endswith("_URL") and n != "LIANXIN_JWT_JWKS_URL",
                       secret=n == "LIANXIN_JWT_SECRET") for n in sorted(names)}


def settings(deployable: str) -> dict[str, Setting]:
    """Every LIANXIN_* variable `deployable` (a service name or "gateway") reads."""
    return _gateway() if deployable == "gateway" else _python(deployable)
