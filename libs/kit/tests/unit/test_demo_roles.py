"""The banner's tokens: one per role, each verifiable, scoped as its user would be."""

from __future__ import annotations

from pathlib import Path

import pytest
from lianxin.kit.auth import JwtVerifier
from lianxin.kit.cli import main
from lianxin.kit.devstack.demo import build_county
from lianxin.kit.devstack.demo.roles import demo_roles
from lianxin.kit.settings import KitSettings

SECRET = "t" * 40


def test_every_role_but_admin_is_scoped_and_the_resident_raised_demo_demands() -> None:
    county = build_county()
    roles = {r.role: r for r in demo_roles(county)}
    assert list(roles) == ["resident", "cadre", "supervisor", "analyst", "screen", "admin"]
    assert roles["cadre"].org_scope == (county.tree.townships[0].id,)
    for role in ("supervisor", "analyst", "screen"):
        assert roles[role].org_scope == (county.tree.county.id,)
    raised = {story[0].input.get("contact", {}).get("residentId") for story in county.tickets}
    assert roles["resident"].subject in raised


def test_lianxin_tokens_prints_a_valid_token_per_role(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "secret").write_text(SECRET)  # the data folder's secret, as `lianxin dev` keeps it
    assert main(["tokens", "--data-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    tokens = [line.strip() for line in lines if line.startswith("    ")]
    verifier = JwtVerifier(KitSettings(database_url="postgresql+asyncpg://x/y", kafka_bootstrap="x:1",
                                       jwt_secret=SECRET, environment="dev"))
    assert [verifier.verify(t).role for t in tokens] == [
        "resident", "cadre", "supervisor", "analyst", "screen", "admin"]
