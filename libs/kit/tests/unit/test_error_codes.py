"""Every GraphQL error carries a stable extensions.code; unexpected ones hide their text."""

from __future__ import annotations

import strawberry
from lianxin.kit.errors import Conflict
from lianxin.kit.graphql import make_schema
from sqlalchemy.exc import DBAPIError, IntegrityError


@strawberry.type
class Query:
    @strawberry.field
    def conflict(self) -> str:
        raise Conflict("ticket 1 already exists with other content", field="id")

    @strawberry.field
    def bug(self) -> str:
        raise RuntimeError("password=hunter2 in a stack trace")

    @strawberry.field
    def constraint(self) -> str:
        raise IntegrityError("INSERT INTO ticket …", {"code": "墨江县-2026-000001"},
                             Exception('duplicate key value violates unique constraint "uq_ticket_code"'))

    @strawberry.field
    def restarting(self) -> str:
        # What asyncpg raises (wrapped) when PostgreSQL shuts down under a request: 57P01.
        orig = Exception("terminating connection due to administrator command")
        orig.sqlstate = "57P01"  # type: ignore[attr-defined]
        raise DBAPIError("SELECT …", {"phone": "13800000000"}, orig)

    @strawberry.field
    def echo(self, n: int) -> int:
        return n

    @strawberry.field
    def say(self, text: str, also: list[str] | None = None) -> str:
        return text


schema = make_schema(Query)


async def test_coded_error_keeps_message_code_and_field() -> None:
    result = await schema.execute("{ conflict }")
    [error] = result.errors or []
    assert error.extensions == {"code": "CONFLICT", "field": "id"}
    assert error.message == "ticket 1 already exists with other content"


async def test_unexpected_error_is_masked() -> None:
    result = await schema.execute("{ bug }")
    [error] = result.errors or []
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert "hunter2" not in error.message


async def test_a_library_error_with_a_code_attribute_is_still_unexpected() -> None:
    """SQLAlchemy's errors have a `code` too (a link id like "gkpj"): only our CodedErrors may
    show their message, or SQL, table names and the values of a row reach the client."""
    result = await schema.execute("{ constraint }")
    [error] = result.errors or []
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert "uq_ticket_code" not in error.message and "INSERT" not in error.message


async def test_a_database_going_away_is_unavailable_not_a_bug() -> None:
    """A PostgreSQL restart under a request: try again shortly (SERVICE_UNAVAILABLE), with
    neither the statement nor its values in the message."""
    result = await schema.execute("{ restarting }")
    [error] = result.errors or []
    assert error.extensions == {"code": "SERVICE_UNAVAILABLE"}
    assert "13800000000" not in error.message and "SELECT" not in error.message


async def test_caller_mistakes_are_validation_failures() -> None:
    for query, variables in [("{ nope }", None), ("{ echo }", None),
                             ("query($n: Int!) { echo(n: $n) }", {"n": "x"})]:
        result = await schema.execute(query, variable_values=variables)
        [error] = result.errors or []
        assert error.extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}, query


async def test_text_no_database_can_store_is_refused_before_anything_runs() -> None:
    """PostgreSQL refuses U+0000 and UTF-8 cannot encode a lone surrogate: a resolver reaching the
    database with either used to answer INTERNAL_SERVER_ERROR. Literal or variable, the request
    is refused first, naming where the character is."""
    cases = [('{ say(text: "a\\u0000b") }', None, "text", "NUL"),
             ('{ say(text: "ok", also: ["x", "\\u0000"]) }', None, "also", "NUL"),
             ("query($t: String!) { say(text: $t) }", {"t": "a\x00"}, "$t", "NUL"),
             ("query($a: [String!]) { say(text: \"x\", also: $a) }", {"a": ["ok", "\ud800"]},
              "$a[1]", "surrogate pair (U+D800)")]
    for query, variables, where, said in cases:
        result = await schema.execute(query, variable_values=variables)
        assert result.data is None, query
        [error] = result.errors or []
        assert error.extensions == {"code": "BAD_USER_INPUT", "field": where}, query
        assert said in error.message, error.message
    assert (await schema.execute('{ say(text: "墨江 ✓") }')).data == {"say": "墨江 ✓"}


# --- limits ------------------------------------------------------------------------------------
@strawberry.type
class Node:
    @strawberry.field
    def child(self) -> Node:
        return Node()

    @strawberry.field
    def n(self) -> int:
        return 1


@strawberry.type
class Tree:
    @strawberry.field
    def root(self) -> Node:
        return Node()


@strawberry.type
class Writes:
    @strawberry.mutation
    def put(self, n: int) -> int:
        return n


def nested(depth: int) -> str:
    """A query of this depth as Strawberry counts it (root fields are depth 0):
    root { child { … n } } with the leaf `n` at `depth`."""
    return "{ root { " + "child { " * (depth - 1) + "n" + " }" * depth + " }"


small = make_schema(Tree, max_depth=5, max_aliases=3, max_tokens=60)


async def test_limits_refuse_before_execution_with_their_own_codes() -> None:
    cases = [(nested(6), "QUERY_TOO_DEEP"),
             ("{ a: root { n } b: root { n } c: root { n } d: root { n } }", "TOO_MANY_ALIASES"),
             ("{ " + "root { n } " * 20 + "}", "TOO_MANY_TOKENS"),
             ("{ root { n }", "GRAPHQL_PARSE_FAILED")]
    for query, code in cases:
        result = await small.execute(query)
        assert result.data is None, query
        assert [e.extensions["code"] for e in result.errors or []] == [code], query
    assert (await small.execute(nested(5))).data is not None  # at the limit is fine


async def test_the_default_limits_let_our_own_clients_through() -> None:
    """The demo loader: 50 aliased mutations per request and a deep introspection of their
    input types; the gateway: `_entities` fetches one level deeper than the client's query."""
    from lianxin.kit.devstack.demo.load import INTROSPECT

    schema = make_schema(Tree, Writes)
    batch = "mutation(" + ", ".join(f"$v{i}: Int!" for i in range(50)) + ") { " + " ".join(
        f"m{i}: put(n: $v{i})" for i in range(50)) + " }"
    result = await schema.execute(batch, variable_values={f"v{i}": i for i in range(50)})
    assert result.errors is None and result.data == {f"m{i}": i for i in range(50)}
    assert (await schema.execute(INTROSPECT)).errors is None
    assert (await schema.execute(nested(40))).errors is None


async def test_limit_rules_keep_the_validation_cache_warm() -> None:
    """The limit rules are built once per schema: new rule classes per request would make every
    request miss the validation cache (keyed by the rules)."""
    from strawberry.extensions.validation_cache import _get_validate_cache

    cache = _get_validate_cache(512)
    await small.execute("{ root { child { n } } }")
    before = cache.cache_info().hits
    await small.execute("{ root { child { n } } }")
    assert cache.cache_info().hits == before + 1


async def test_introspection_follows_the_request_context() -> None:
    class Production:
        allow_introspection = False

    refused = await small.execute("{ __type(name: \"Node\") { name } }", context_value=Production())
    assert {e.extensions["code"] for e in refused.errors or []} == {"INTROSPECTION_DISABLED"}
    assert (await small.execute("{ _service { sdl } }", context_value=Production())).errors is None
    assert (await small.execute("{ __type(name: \"Node\") { name } }")).errors is None
