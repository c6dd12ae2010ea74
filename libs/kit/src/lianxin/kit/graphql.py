"""GraphQL helpers shared by the subgraphs: request context, schema factory, coded errors."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError
from lianxin.kit.auth import AuthError, JwtVerifier, Principal
from lianxin.kit.errors import Forbidden
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.fastapi import BaseContext
from strawberry.tools import merge_types
from strawberry.types.execution import ExecutionResult

log = logging.getLogger(__name__)

FEDERATION_VERSION = "2.9"  # 2.11 (Strawberry's default) is rejected by the Guild composer


class RequestContext(BaseContext):
    """Per-request state: who is asking, the app's resources, and per-request DataLoaders."""

    def __init__(self, principal: Principal | None, auth_error: AuthError | None,
                 resources: Any, verifier: JwtVerifier | None = None) -> None:
        super().__init__()
        self.principal = principal
        self.auth_error = auth_error
        self.resources = resources
        self.loaders: dict[str, Any] = {}
        self._verifier = verifier
        self._connection_params: Any = None

    @property
    def connection_params(self) -> Any:
        return self._connection_params

    @connection_params.setter
    def connection_params(self, payload: Any) -> None:
        """A websocket (graphql-transport-ws) carries no per-request headers: the client — the
        gateway, for a front end — sends its token in connection_init's payload instead."""
        self._connection_params = payload
        token = payload.get("authorization") if isinstance(payload, dict) else None
        if self.principal is None and isinstance(token, str) and self._verifier is not None:
            try:
                self.principal, self.auth_error = self._verifier.from_header(token), None
            except AuthError as exc:
                self.auth_error = exc

    def require(self, *roles: str) -> Principal:
        """The caller, who must be signed in and (if roles are given) hold one of them."""
        if self.auth_error is not None:
            raise self.auth_error
        if self.principal is None:
            raise AuthError("sign in: send 'Authorization: Bearer <token>'")
        if roles and self.principal.role not in roles and not self.principal.is_admin:
            raise Forbidden(f"this needs one of the roles {', '.join(roles)}; "
                            f"the token has {self.principal.role!r}")
        return self.principal


def context_getter(verifier: JwtVerifier, resources: Any, authorization: str | None) -> RequestContext:
    """Build a RequestContext; a bad token is kept and raised by the first resolver that needs it."""
    try:
        return RequestContext(verifier.from_header(authorization), None, resources, verifier)
    except AuthError as exc:
        return RequestContext(None, exc, resources, verifier)


class ErrorCodes(SchemaExtension):
    """Give every error a stable `extensions.code`; hide the text of unexpected ones.

    - an exception with a `code` attribute (kit CodedError or a domain error) keeps its message;
    - an error outside any resolver (syntax, validation, variable coercion) is the caller's:
      GRAPHQL_VALIDATION_FAILED, message kept;
    - anything else is a bug: logged with its traceback, answered as INTERNAL_SERVER_ERROR.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, (GraphQLExecutionResult, ExecutionResult)) and result.errors:
            result.errors = [self._coded(e) for e in result.errors]

    @staticmethod
    def _coded(error: GraphQLError) -> GraphQLError:
        if error.extensions and "code" in error.extensions:
            return error
        original = error.original_error
        code = getattr(original, "code", None)
        if isinstance(code, str):
            extensions: dict[str, Any] = {"code": code}
            details = getattr(original, "details", None)
            if details:
                extensions.update({k: v for k, v in details.items() if isinstance(v, str | int)})
            message = getattr(original, "message", None) or str(original)
        elif error.path is None:
            extensions, message = {"code": "GRAPHQL_VALIDATION_FAILED"}, error.message
        else:
            log.error("unexpected error at %s", error.path, exc_info=original)
            extensions = {"code": "INTERNAL_SERVER_ERROR"}
            message = "internal error; it has been logged"
        return GraphQLError(message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, extensions=extensions)


def make_schema(query: type, mutation: type | None = None, *, types: Iterable[type] = (),
                subscription: type | None = None) -> strawberry.federation.Schema:
    """A Federation 2 subgraph schema with parser/validation caches and coded errors."""
    return strawberry.federation.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
        # Factories, not instances: both caches live at module level, shared by every request.
        extensions=[lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512),
                    ErrorCodes],
    )


def schema_from_areas(areas: Sequence[ModuleType]) -> strawberry.federation.Schema:
    """A subgraph schema merged from its area modules (intake, triage, metrics …): each may
    define `Query`, `Mutation`, `Subscription` (Strawberry types whose fields are merged into
    the root types) and `TYPES` (types reachable only through `_entities`)."""
    def merged(name: str) -> type | None:
        found = tuple(getattr(a, name) for a in areas if hasattr(a, name))
        return merge_types(name, found) if found else None

    query = merged("Query")
    if query is None:
        raise ValueError("a subgraph needs at least one area with a Query")
    return make_schema(query, merged("Mutation"), subscription=merged("Subscription"),
                       types=[t for a in areas for t in getattr(a, "TYPES", [])])


def loader(context: RequestContext, key: str, load_fn: Any) -> Any:
    """The request's DataLoader for `key`, created on first use (one batch per tick per key)."""
    from strawberry.dataloader import DataLoader

    if key not in context.loaders:
        context.loaders[key] = DataLoader(load_fn=load_fn)
    return context.loaders[key]
