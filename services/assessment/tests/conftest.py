"""Shared by the assessment integration and API tests: a migrated assessment database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from lianxin.assessment.main import SPEC
from sqlalchemy.ext.asyncio import AsyncEngine

# Scenario helpers live beside this file (pytest's importlib mode does not put test folders on
# sys.path by itself).
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
async def engine(migrated_engine: Any) -> AsyncEngine:
    """A fresh assessment database at the newest migration (schemas public and proj)."""
    migrated: AsyncEngine = await migrated_engine(SPEC.migrations_dir)
    return migrated
