"""Every GraphQL error carries a stable extensions.code; unexpected ones hide their text."""

from __future__ import annotations

import strawberry
from lianxin.kit.errors import Conflict
from lianxin.kit.graphql import make_schema


@strawberry.type
class Query:
    @strawberry.field
    def conflict(self) -> str:
        raise Conflict("ticket 1 already exists with other content", field="id")

    @strawberry.field
    def bug(self) -> str:
        raise RuntimeError("password=hunter2 in a stack trace")

    @strawberry.field
    def echo(self, n: int) -> int:
        return n


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


async def test_caller_mistakes_are_validation_failures() -> None:
    for query, variables in [("{ nope }", None), ("{ echo }", None),
                             ("query($n: Int!) { echo(n: $n) }", {"n": "x"})]:
        result = await schema.execute(query, variable_values=variables)
        [error] = result.errors or []
        assert error.extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}, query
