"""The README documents every measure with the same definition the schema and CSV carry."""

from __future__ import annotations

from pathlib import Path

import pytest
from lianxin.assessment.domain.measures import MEASURES

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_readme_carries_the_definition(name: str) -> None:
    m = MEASURES[name]
    row = f"| `{m.name}` | {m.label} | {m.unit} | {m.definition} |"
    assert row in README, f"README's measures table lacks or differs for {name}: add\n{row}"
