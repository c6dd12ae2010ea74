"""Unmasked reads and their audit rows. Every field with an `unmasked` argument (the schema's
whole offer of clear personal data) is read through the gateway about target A's entity, reached
by the root field that takes its id (`resident(id:)` for Resident …); the owning subgraph's
`pii_access` table (lianxin.kit.audit) must then hold exactly one row per clear read, naming
who, as which role, what entity, which field and why — and none for a masked or refused read."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import sqlalchemy as sa
from authz_cases import ROOT_ARGS
from authz_schema import SERVICES, Selector, arguments, composed, subgraph, unmasked_fields
from authz_world import Target
from graphql import get_named_type, is_leaf_type
from sqlalchemy.ext.asyncio import create_async_engine


@dataclass(frozen=True)
class ClearRead:
    """`Type.field(unmasked: true)` reached through `root(id: …)`, audited by `service`."""

    type_name: str
    field: str
    root: str
    service: str

    @property
    def entity_type(self) -> str:
        return self.type_name.lower()

    def query(self, target: Target, *, unmasked: bool, reason: str) -> str:
        f = composed().get_type(self.type_name).fields[self.field]  # type: ignore[union-attr]
        named = get_named_type(f.type)
        leaves = "" if is_leaf_type(named) else Selector(composed(), {}, depth=0).of(named.name)
        args = arguments({"unmasked": True, "reason": reason} if unmasked else {})
        return (
            f"query {{ {self.root}{arguments(ROOT_ARGS[self.root](target))} "
            f"{{ id {self.field}{args} {leaves} }} }}"
        )

    def entity_id(self, target: Target) -> str:
        return str(ROOT_ARGS[self.root](target)["id"])


def clear_reads() -> list[ClearRead]:
    """One per `unmasked` field, with the root field `x(id: ID!)` returning its type and the
    subgraph that defines the field (whose audit table records the read)."""
    query = composed().query_type
    assert query is not None
    reads = []
    for type_name, field in unmasked_fields():
        root = next(
            (
                name
                for name, f in query.fields.items()
                if get_named_type(f.type).name == type_name and list(f.args) == ["id"]
            ),
            None,
        )
        owner = next(
            s for s in SERVICES if field in getattr(subgraph(s).type_map.get(type_name), "fields", {})
        )
        reads.append(ClearRead(type_name, field, root or f"<no root field for {type_name}>", owner))
    return reads


AUDIT = sa.text(
    "SELECT subject, role, entity_type, entity_id::text AS entity_id, field, reason "
    "FROM pii_access WHERE subject = :subject ORDER BY id"
)


def audit_rows(database_url: str, subject: str) -> list[dict[str, str]]:
    """The service's `pii_access` rows of this subject (each test reads as its own)."""

    async def read() -> list[dict[str, str]]:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as conn:
                rows = (await conn.execute(AUDIT, {"subject": subject})).mappings().all()
                return [dict(r) for r in rows]
        finally:
            await engine.dispose()

    return asyncio.run(read())
