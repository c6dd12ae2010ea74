"""What the authorisation matrix asks, read from the committed contracts rather than written by
hand: the composed API's root Query fields (gateway/supergraph.graphql), the entity types each
subgraph resolves through `_entities` (services/<svc>/schema.graphql, types with a resolvable
@key), the fields that carry `unmasked` (every clear read the API offers), and for any of them
a selection of every leaf to a bounded depth — so a field added to a schema is asked for by the
next run without anyone editing this suite."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    get_named_type,
    is_leaf_type,
)

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("people", "tickets", "assessment")
DEPTH = 2  # object levels below a root field or entity (3 costs ten times more)
NESTED_FIRST = 3  # `first` on nested lists: enough to see rows, cheap under the gateway's cost
# Arguments a nested field needs (required, or chosen to make it say more), by argument name.
Args = Mapping[str, Any]


class Enum(str):
    """An enum value in an argument table (written bare, not quoted)."""

    @property
    def name(self) -> str:
        return str(self)


@functools.cache
def composed() -> GraphQLSchema:
    """The supergraph the gateway serves (join directives are ignored, not validated)."""
    return build_schema((ROOT / "gateway/supergraph.graphql").read_text(), assume_valid_sdl=True)


@functools.cache
def subgraph(service: str) -> GraphQLSchema:
    return build_schema((ROOT / f"services/{service}/schema.graphql").read_text(), assume_valid_sdl=True)


def root_fields() -> list[str]:
    """Every field of the composed Query type (federation's own are not in the supergraph)."""
    query = composed().query_type
    assert query is not None
    return sorted(query.fields)


def entity_types(service: str) -> list[str]:
    """Types the subgraph resolves by reference: `@key` without `resolvable: false`."""
    found = []
    for name, t in subgraph(service).type_map.items():
        keys = [d for d in ((t.ast_node and t.ast_node.directives) or ()) if d.name.value == "key"]
        if keys and not any("resolvable: false" in _source(d) for d in keys):
            found.append(name)
    return sorted(found)


def _source(node: Any) -> str:
    loc = node.loc
    return str(loc.source.body[loc.start : loc.end]) if loc else ""


def unmasked_fields(schema: GraphQLSchema | None = None) -> list[tuple[str, str]]:
    """(type, field) of every field with an `unmasked` argument: each clear read on offer."""
    schema = schema or composed()
    return sorted(
        (name, field)
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and not name.startswith("__")
        for field, f in t.fields.items()
        if "unmasked" in f.args
    )


def _required(f: GraphQLField) -> list[str]:
    """Arguments without a default that may not be null (graphql-core keeps SDL defaults on
    the AST node, not always in `default_value`)."""
    return [
        a
        for a, arg in f.args.items()
        if isinstance(arg.type, GraphQLNonNull)
        and (arg.ast_node is None or arg.ast_node.default_value is None)
    ]


def _literal(value: Any) -> str:
    """A GraphQL literal for a Python value (enums are passed as `Enum` instances)."""
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no GraphQL literal for {value!r}")


def arguments(values: Args) -> str:
    return "(" + ", ".join(f"{k}: {_literal(v)}" for k, v in values.items()) + ")" if values else ""


@functools.cache
def keyed_types() -> frozenset[str]:
    """Every type with a @key in any subgraph (resolvable or not): the entities."""
    return frozenset(
        name
        for service in SERVICES
        for name, t in subgraph(service).type_map.items()
        if any(d.name.value == "key" for d in ((t.ast_node and t.ast_node.directives) or ()))
    )


class Selector:
    """Selection sets of every leaf to `depth` object levels. Nested fields with required
    arguments are asked with `nested` values (by argument name) or left out; `first` is kept
    small; `unmasked` reads stay off (they are the audit test's, not the matrix's).

    An entity met inside another is asked for its leaves only (names, phones, ids …): its own
    relations are asked where it is the subject — a root field or `_entities` — so every type
    is still walked to full depth once, at a tenth of the cost (a campaign's coverage and every
    cadre of the county under each pairing made one viewer's questions take a minute)."""

    def __init__(self, schema: GraphQLSchema, nested: Args, depth: int = DEPTH) -> None:
        self.schema, self.nested, self.depth = schema, nested, depth

    def of(self, type_name: str) -> str:
        return self._set(self.schema.type_map[type_name], self.depth, ())

    def _set(self, t: GraphQLNamedType, depth: int, seen: tuple[str, ...]) -> str:
        """A type already on the way down is not entered again (parent.parent … adds nothing
        the first level did not ask, and would blow the gateway's token limit)."""
        seen = (*seen, t.name)
        if isinstance(t, GraphQLUnionType):
            parts = [f"... on {m.name} {s}" for m in t.types if (s := self._set(m, depth, seen))]
            return "{ __typename " + " ".join(parts) + " }"
        assert isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
        parts = ["__typename"]
        for name, f in t.fields.items():
            if name.startswith("_"):
                continue
            args = self._args(f)
            if args is None:
                continue
            inner = get_named_type(f.type)
            if is_leaf_type(inner):
                parts.append(name + arguments(args))
            elif depth > 0 and inner.name not in seen:
                below = 0 if inner.name in keyed_types() and set(seen) & keyed_types() else depth - 1
                if sub := self._set(inner, below, seen):
                    parts.append(name + arguments(args) + " " + sub)
        return "{ " + " ".join(parts) + " }" if len(parts) > 1 else ""

    def _args(self, f: GraphQLField) -> dict[str, Any] | None:
        chosen = {a: self.nested[a] for a in _required(f) if a in self.nested}
        if len(chosen) < len(_required(f)):
            return None
        if "first" in f.args and "first" not in chosen:
            chosen["first"] = NESTED_FIRST
        return chosen


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) of a JSON answer, depth first, objects included."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, f"{path}[{i}]")


def typed_objects(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object of an answer that says its `__typename` (the selections ask for it)."""
    for path, v in walk(value):
        if isinstance(v, dict) and "__typename" in v:
            yield path, v
