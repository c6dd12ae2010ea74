"""What the fuzz test (test_fuzz.py) sends through the gateway and how it judges the answers.

Each generated document fans out into several requests, because hypothesis-graphql takes tens of
milliseconds per document on a schema this size and the HTTP round trip is cheaper: a valid
document goes to every caller, then comes back garbled, with an unknown field, with a variable of
the wrong type, and in a malformed request body; a document with one schema violation
(hypothesis-graphql's negative mode: a wrong argument type, a missing required argument, an
unknown enum value) goes to two callers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from graphql import GraphQLSchema, TypeInfo, TypeInfoVisitor, Visitor, parse, visit
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

STRICT = "application/graphql-response+json, application/json"  # a modern client
LEGACY = "application/json"
# How the kit (lianxin.kit.graphql.ErrorCodes) and the gateway (src/masking.ts, Hive's
# DOWNSTREAM_SERVICE_ERROR for a subgraph error without a code) answer an exception nobody
# expected: each is a bug, whatever the request was.
UNEXPECTED = frozenset({"INTERNAL_SERVER_ERROR", "DOWNSTREAM_SERVICE_ERROR"})
# Refusals for load, not for the input (docs/frontend.md, "Overload"): the only 5xx allowed. On a
# busy box the gateway sheds a request when its event loop falls behind, whatever the request.
SHED = frozenset({"OVERLOADED", "GATEWAY_TIMEOUT"})
# The codes docs/frontend.md and README.md ("Errors") promise front ends, less the one above: a
# client branches on them, so a code outside this list is a contract change to document first.
DOCUMENTED = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "BAD_USER_INPUT",
        "NOT_FOUND",
        "UNKNOWN_ORG_UNIT",
        "CONFLICT",
        "INVALID_TOKEN",
        "ILLEGAL_TRANSITION",
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
        "QUERY_TOO_DEEP",
        "TOO_MANY_ALIASES",
        "TOO_MANY_TOKENS",
        "QUERY_TOO_COSTLY",
        "PAGE_TOO_LARGE",
        "PAGE_TOO_SMALL",
        "RATE_LIMITED",
        "PERSISTED_QUERY_NOT_FOUND",
        "PERSISTED_QUERY_ONLY",
        "PERSISTED_QUERY_ID_REQUIRED",
        "BATCHING_DISABLED",
        "BAD_REQUEST",
        "INTROSPECTION_DISABLED",
        "SERVICE_UNAVAILABLE",
        "OPERATION_RESOLUTION_FAILURE",
        *SHED,
    }
)


@dataclass(frozen=True)
class Request:
    """One HTTP request to the gateway: what kind of probe it is, who sends it, the raw body."""

    kind: str
    caller: str
    body: bytes
    accept: str
    content_type: str = "application/json"

    def __str__(self) -> str:
        return (
            f"{self.kind} as {self.caller} (accept {self.accept}, content-type "
            f"{self.content_type}):\n{self.body.decode('utf-8', 'replace')[:3000]}"
        )


def send(
    client: httpx.Client, url: str, tokens: dict[str, str | None], request: Request
) -> tuple[bool, list[str]]:
    """POST `request`: whether it was shed for load, and what is wrong with the answer."""
    headers = {"content-type": request.content_type, "accept": request.accept}
    if tokens[request.caller]:
        headers["authorization"] = f"Bearer {tokens[request.caller]}"
    try:
        response = client.post(url, content=request.body, headers=headers)
    except httpx.HTTPError as exc:
        return False, [f"no answer ({exc!r})"]
    return problems(request, response.status_code, response.content)


def problems(request: Request, status: int, raw: bytes) -> tuple[bool, list[str]]:
    """The rules every answer keeps, whatever was asked (docs/frontend.md, "Errors"); and
    whether it was a refusal for load (SHED)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return False, [f"HTTP {status} with a body that is not JSON: {raw[:300]!r}"]
    if not isinstance(body, dict):
        return False, [f"HTTP {status} with a JSON body that is not an object: {raw[:300]!r}"]
    codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    shed = status in (503, 504) and bool(codes) and codes <= SHED
    found = [f"HTTP {status}"] if status >= 500 and not shed else []
    for error in body.get("errors") or []:
        extensions = error.get("extensions") or {}
        code = extensions.get("code")
        if not isinstance(code, str) or not code:
            found.append(f"an error without extensions.code: {error}")
        elif code in UNEXPECTED or extensions.get("unexpected"):
            found.append(f"an unexpected error: {error}")
        elif code not in DOCUMENTED:
            found.append(f"an undocumented code {code}: {error}")
    # GraphQL over HTTP, for clients accepting application/graphql-response+json: an answer
    # without `data` (the request was refused) is a 4xx (or shed), one with `data` (it ran) a 200.
    if request.accept == STRICT and ("data" in body) != (status == 200):
        found.append(f"HTTP {status} {'with' if 'data' in body else 'without'} data: {body}")
    return shed, found


# --- what is generated --------------------------------------------------------------------
def scalars(ids: Sequence[str]) -> dict[str, st.SearchStrategy[Any]]:
    """Values for the scalars: ids of the demo county among random ones (so resolvers find
    something to load), mostly pages within the limits (an out-of-range `first` refuses the whole
    document before anything runs), dates mostly well-formed."""
    some_ids = [st.uuids().map(str), st.text(max_size=10)]
    if ids:
        some_ids.insert(0, st.sampled_from(ids))
    ints = st.integers(0, 4).flatmap(
        lambda i: st.integers(-(2**31), 2**31 - 1) if i == 0 else st.integers(1, 100)
    )
    return {
        "ID": st.one_of(*some_ids).map(nodes.String),
        "Int": ints.map(nodes.Int),
        "Date": st.one_of(st.dates().map(nodes.String), st.text(max_size=12).map(nodes.String)),
        "DateTime": st.one_of(
            st.datetimes().map(lambda t: nodes.String(f"{t.isoformat()}Z")),
            st.text(max_size=12).map(nodes.String),
        ),
    }


def documents(
    schema: GraphQLSchema, query_ids: Sequence[str], mutation_ids: Sequence[str], mode: Mode
) -> st.SearchStrategy[str]:
    """Queries and mutations. Mutations get other ids than queries: a fuzzed write may create
    data in the shared stack, but must not change the demo county other scenarios read."""
    return st.one_of(
        queries(schema, custom_scalars=scalars(query_ids), mode=mode),
        mutations(schema, custom_scalars=scalars(mutation_ids), mode=mode),
    )


@st.composite
def requests(
    draw: st.DrawFn,
    schema: GraphQLSchema,
    query_ids: Sequence[str],
    mutation_ids: Sequence[str],
    callers: Sequence[str],
) -> list[Request]:
    """The requests made from one generated document (see the module docstring)."""
    accept = st.sampled_from([STRICT, LEGACY])

    def request(kind: str, body: Any, caller: str | None = None, **extra: str) -> Request:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return Request(kind, caller or draw(st.sampled_from(callers)), raw, draw(accept), **extra)

    if draw(st.integers(0, 2)) == 0:
        document = draw(documents(schema, query_ids, mutation_ids, Mode.NEGATIVE))
        return [request("negative", {"query": document}) for _ in range(2)]
    document = draw(documents(schema, query_ids, mutation_ids, Mode.POSITIVE))
    sent = [request("valid", {"query": document}, caller) for caller in callers]
    sent.append(request("garbled", {"query": garbled(draw, document)}))
    sent.append(request("unknown field", {"query": with_unknown_field(draw, schema, document)}))
    query, variables = with_wrong_variable(draw, schema, document)
    sent.append(request("wrong variable", {"query": query, "variables": variables}))
    kind, body, content_type = draw(st.sampled_from(BAD_BODIES))(document)
    sent.append(request(kind, body, content_type=content_type))
    return sent


GARBAGE = st.one_of(st.sampled_from('{}()[]$@!:#."\\…\x00 \n'), st.characters())


def garbled(draw: st.DrawFn, document: str) -> str:
    """`document` with one character inserted or deleted, or cut short."""
    at = draw(st.integers(0, len(document)))
    how = draw(st.sampled_from(["insert", "delete", "cut"]))
    if how == "insert":
        return document[:at] + draw(GARBAGE) + document[at:]
    return document[:at] + (document[at + 1 :] if how == "delete" else "")


class _Places(Visitor):
    """Where a document's selection sets open, and its arguments' values with their types."""

    def __init__(self, info: TypeInfo) -> None:
        super().__init__()
        self.info, self.sets, self.arguments = info, [], []

    def enter_selection_set(self, node: Any, *_: Any) -> None:
        self.sets.append(node.loc.start + 1)

    def enter_argument(self, node: Any, *_: Any) -> None:
        self.arguments.append((node.value.loc.start, node.value.loc.end, self.info.get_input_type()))


def _places(schema: GraphQLSchema, document: str) -> _Places:
    info = TypeInfo(schema)
    places = _Places(info)
    visit(parse(document), TypeInfoVisitor(info, places))
    return places


def with_unknown_field(draw: st.DrawFn, schema: GraphQLSchema, document: str) -> str:
    at = draw(st.sampled_from(_places(schema, document).sets))
    return f"{document[:at]} noSuchField {document[at:]}"


# Of another type, or text no database stores (NUL, a lone surrogate: JSON carries both).
WRONG_VALUES = [
    True,
    3.5,
    "not a value",
    [1, "a"],
    {"a": {"b": None}},
    None,
    2**53 + 1,
    "",
    "a\x00b",
    "\ud800",
]
WRONG_TYPES = ["Boolean!", "[String!]", "Int", "NoSuchType", "ID!"]


def with_wrong_variable(draw: st.DrawFn, schema: GraphQLSchema, document: str) -> tuple[str, dict[str, Any]]:
    """One argument of `document` passed as $fuzz: declared with its own type and sent a value
    of another, or declared with a wrong type."""
    arguments = _places(schema, document).arguments
    if not arguments:
        return garbled(draw, document), {}
    start, end, type_ = draw(st.sampled_from(arguments))
    declared = draw(st.sampled_from([str(type_), str(type_), *WRONG_TYPES]))
    body = document[:start] + "$fuzz" + document[end:]
    # Generated documents are `{ … }` or `mutation { … }`, without variables of their own.
    head = "mutation" if body.startswith("mutation") else "query"
    body = f"{head}($fuzz: {declared}) {body.removeprefix(head).lstrip()}"
    return body, {"fuzz": draw(st.sampled_from(WRONG_VALUES))}


Bad = tuple[str, Any, str]  # kind, body, content type
BAD_BODIES: list[Callable[[str], Bad]] = [
    lambda d: ("unknown operationName", {"query": d, "operationName": "NoSuch"}, "application/json"),
    lambda d: ("variables not an object", {"query": d, "variables": "[]"}, "application/json"),
    lambda d: ("query not a string", {"query": [d]}, "application/json"),
    lambda d: ("extensions not an object", {"query": d, "extensions": 1}, "application/json"),
    lambda d: ("a batch", [{"query": d}, {"query": d}], "application/json"),
    lambda d: ("not JSON", d.encode(), "application/json"),
    lambda d: ("text/plain", json.dumps({"query": d}).encode(), "text/plain"),
    lambda d: (
        "unknown documentId",
        {"documentId": hashlib.sha256(d.encode()).hexdigest()},
        "application/json",
    ),
    lambda d: ("invalid UTF-8", b'{"query": "\xff\xfe' + d[:50].encode() + b'"}', "application/json"),
]
