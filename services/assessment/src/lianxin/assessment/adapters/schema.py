"""Creating and dropping a projection schema: `proj` (by the migration) or a fresh one that a
replay fills and then swaps in (app/replay.py). One MetaData serves both, via SQLAlchemy's
`schema_translate_map`, so a rebuilt schema is the live one's exact shape."""

from __future__ import annotations

import re

import sqlalchemy as sa
from lianxin.assessment.adapters.tables import PROJ, proj_metadata

# Live projection batches hold it shared; a replay's swap holds it exclusively (nothing is
# projected into the old schema while the new one takes its place).
PROJECTION_LOCK = 0x6C69616E78696E01

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(schema: str) -> str:
    if not _NAME.match(schema):
        raise ValueError(f"not a plain schema name: {schema!r}")
    return schema


def translate(schema: str) -> dict[str | None, str]:
    """Execution option that points every projection table at `schema`."""
    return {PROJ: _checked(schema)}


def create_projection_schema(bind: sa.Connection, schema: str) -> None:
    """Create `schema` with every projection table (on a sync connection)."""
    bind.execute(sa.text(f'CREATE SCHEMA "{_checked(schema)}"'))
    proj_metadata.create_all(bind.execution_options(schema_translate_map=translate(schema)))


def drop_projection_schema(bind: sa.Connection, schema: str) -> None:
    bind.execute(sa.text(f'DROP SCHEMA IF EXISTS "{_checked(schema)}" CASCADE'))
