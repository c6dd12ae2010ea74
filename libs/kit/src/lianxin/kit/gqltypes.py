"""GraphQL building blocks every subgraph shares: typed mutation errors and cursor pages.

Mutations answer `<Success> | InvalidInputError | NotFoundError | ConflictError`: a front end
switches on `__typename` and shows `message` next to `field`. Failures that are about the
caller rather than the input (not signed in, wrong role, outside the org scope) stay GraphQL
errors with an `extensions.code`, as for queries.

Lists are Relay-style connections with opaque cursors (keyset pagination: the cursor holds the
sort key of the last row, so a page costs the same at any depth).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from lianxin.kit.errors import CodedError, InvalidInput

MAX_PAGE_SIZE = 100
T = TypeVar("T")
S = TypeVar("S")


@strawberry.interface(description="An expected failure of a mutation: what went wrong and "
                                  "which input field to fix")
class UserError:
    code: str
    message: str
    field: str | None = strawberry.field(description="The input field to fix, if one is to blame")


@strawberry.federation.type(shareable=True, description="A field is missing, malformed or out "
                            "of range; nothing was written")
class InvalidInputError(UserError):
    pass


@strawberry.federation.type(shareable=True, description="Something the input refers to does "
                            "not exist or is outside your org scope; nothing was written")
class NotFoundError(UserError):
    pass


@strawberry.federation.type(shareable=True, description="The id was already used for other "
                            "content (a retry must resend the same content); nothing was written")
class ConflictError(UserError):
    pass


@strawberry.federation.type(shareable=True, description="The step is not allowed in the "
                            "current state (e.g. rating a ticket not yet answered); the message "
                            "names the state and the states that allow it; nothing was written")
class IllegalTransitionError(UserError):
    pass


ERROR_TYPES: dict[str, type[UserError]] = {
    "BAD_USER_INPUT": InvalidInputError, "NOT_FOUND": NotFoundError,
    "UNKNOWN_ORG_UNIT": NotFoundError, "CONFLICT": ConflictError,
}
# Workflows with a state machine also answer IllegalTransitionError.
TRANSITION_ERROR_TYPES: dict[str, type[UserError]] = {
    **ERROR_TYPES, "ILLEGAL_TRANSITION": IllegalTransitionError}


async def _run(action: Awaitable[S], success: Callable[[S], T],
               errors: dict[str, type[UserError]]) -> Any:
    try:
        value = await action
    except CodedError as exc:
        error_type = errors.get(exc.code)
        if error_type is None:
            raise
        field = exc.details.get("field")
        return error_type(code=exc.code, message=exc.message,
                          field=field if isinstance(field, str) else None)
    return success(value)


async def as_result(action: Awaitable[S], success: Callable[[S], T]
                    ) -> T | InvalidInputError | NotFoundError | ConflictError:
    """Run a use case; expected input failures become typed errors, anything else propagates
    (FORBIDDEN and UNAUTHENTICATED stay top-level GraphQL errors)."""
    result: T | InvalidInputError | NotFoundError | ConflictError = await _run(
        action, success, ERROR_TYPES)
    return result


async def as_transition_result(
        action: Awaitable[S], success: Callable[[S], T]
) -> T | InvalidInputError | NotFoundError | ConflictError | IllegalTransitionError:
    """`as_result` for a step of a state machine: an illegal step is an IllegalTransitionError."""
    result: T | InvalidInputError | NotFoundError | ConflictError | IllegalTransitionError = \
        await _run(action, success, TRANSITION_ERROR_TYPES)
    return result


# --- cursor pages ------------------------------------------------------------------------------
@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        default=None, description="Rows matching the filter, where cheap to count")

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def check_first(first: int) -> int:
    """Validate a page size argument."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE_SIZE}, got {first}",
                           field="first")
    return first


def encode_cursor(key: Sequence[Any]) -> str:
    """Opaque cursor for a row's sort key (JSON-able values)."""
    return base64.urlsafe_b64encode(json.dumps(list(key), default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """The sort key inside a cursor, or None for the first page; InvalidInput if tampered."""
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error):
        raise InvalidInput("after is not a cursor returned by this API; start again without "
                           "it", field="after") from None
    if not isinstance(key, list):
        raise InvalidInput("after is not a cursor returned by this API", field="after")
    return key


def decode_keyset(cursor: str | None, sort_type: Callable[[Any], Any]) -> tuple[Any, uuid.UUID] | None:
    """The (sort value, row id) inside a cursor made by `page(key=lambda r: [value, id])`,
    or None for the first page; InvalidInput if the cursor is not one of ours."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    try:
        value, last = key
        return sort_type(value), uuid.UUID(str(last))
    except (TypeError, ValueError):
        raise InvalidInput("after is not a cursor returned by this API; start again without it",
                           field="after") from None


def page(rows: Sequence[S], first: int, key: Callable[[S], Sequence[Any]],
         node: Callable[[S], T], total: int | None = None) -> Connection[T]:
    """A connection from up to `first + 1` rows fetched after the cursor (the extra row only
    tells whether another page exists)."""
    shown = rows[:first]
    edges = [Edge(cursor=encode_cursor(key(r)), node=node(r)) for r in shown]
    return Connection(edges=edges, total_count=total, page_info=PageInfo(
        has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None))
