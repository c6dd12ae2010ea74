"""The committed example env files (deploy/compose/*.env.example) hold values a production service
refuses: a deployment that copied an example and forgot to replace a secret does not start."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from lianxin.kit.pii import new_key_spec
from lianxin.kit.settings import EXAMPLE_SECRET_PREFIX, KitSettings

EXAMPLES = Path(__file__).resolve().parents[4] / "deploy" / "compose"
SECRETS = ("LIANXIN_JWT_SECRET", "LIANXIN_PII_KEYS", "LIANXIN_BLIND_INDEX_KEY",
           "LIANXIN_LINK_TOKEN_SECRET")


def _examples() -> dict[str, str]:
    values: dict[str, str] = {}
    for path in sorted(EXAMPLES.glob("*.env.example")):
        for line in path.read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                name, _, value = line.partition("=")
                values[name.strip()] = value.strip()
    return values


def _real() -> dict[str, str]:
    """Values an operator would generate (as the example files' comments say)."""
    return {"LIANXIN_JWT_SECRET": "s" * 40, "LIANXIN_PII_KEYS": new_key_spec("k1"),
            "LIANXIN_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
            "LIANXIN_LINK_TOKEN_SECRET": "l" * 40}


def _check(environment: str, values: dict[str, str]) -> None:
    settings = KitSettings(  # type: ignore[call-arg]
        environment=environment, database_url="postgresql+asyncpg://x/y", kafka_bootstrap="k:9092",
        **{name.removeprefix("LIANXIN_").lower(): value for name, value in values.items()})
    settings.require_pii()


def test_the_examples_define_every_secret() -> None:
    assert set(SECRETS) <= set(_examples()), f"missing from {EXAMPLES}/*.env.example"


@pytest.mark.parametrize("name", SECRETS)
def test_production_refuses_each_example_secret_by_name(name: str) -> None:
    values = {**_real(), name: _examples()[name]}
    with pytest.raises(ValueError, match=f"{name} still holds the example value"):
        _check("production", values)


def test_real_values_pass_and_the_examples_pass_outside_production() -> None:
    _check("production", _real())
    _check("dev", {name: _examples()[name] for name in SECRETS})


def test_the_examples_carry_the_marker() -> None:
    # The blind-index key is base64: its bytes carry the marker, not its text.
    examples = _examples()
    assert base64.b64decode(examples["LIANXIN_BLIND_INDEX_KEY"]).startswith(
        EXAMPLE_SECRET_PREFIX.encode())
    for name in ("LIANXIN_JWT_SECRET", "LIANXIN_PII_KEYS", "LIANXIN_LINK_TOKEN_SECRET"):
        assert examples[name].startswith(EXAMPLE_SECRET_PREFIX), name
