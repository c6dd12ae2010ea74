"""GraphQL helpers shared by the subgraphs: request context, schema factory, coded errors,
and the limits every request is validated against."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any, cast

import strawberry
from graphql import (
    DocumentNode,
    GraphQLSyntaxError,
    NoSchemaIntrospectionCustomRule,
    ValidationContext,
    Visitor,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError
from graphql.validation import ASTValidationRule
from lianxin.kit.auth import AuthError, JwtVerifier, Principal
from lianxin.kit.errors import CodedError, Forbidden
from lianxin.kit.transient import is_transient
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.fastapi import BaseContext
from strawberry.tools import merge_types
from strawberry.types.execution import ExecutionResult

log = logging.getLogger(__name__)

FEDERATION_VERSION = "2.9"  # 2.11 (Strawberry's default) is rejected by the Guild composer

# Defence in depth: the gateway refuses abusive documents first (issue 6: a depth-50 query, 500
# aliases, 10k tokens). These limits sit at or above those, so nothing the gateway lets through
# — including its own `_entities` queries, which add a level, key fields and aliases when it
# merges fetches — is refused here; they bound what a caller reaching a subgraph directly can
# make it do. The demo loader sends 50 aliased mutations per request.
MAX_DEPTH = 50
MAX_ALIASES = 500
MAX_TOKENS = 50_000


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
    def allow_introspection(self) -> bool:
        """Introspection (`__schema`, `__type`) is off in production; `_service { sdl }`, which
        composition reads, is an ordinary field and stays on."""
        settings = getattr(self.resources, "settings", None)
        return getattr(settings, "environment", None) != "production"

    @property
    def connection_params(self) -> Any:
        return self._connection_params

    @connection_params.setter
    def connection_params(self, payload: Any) -> None:
        """Strawberry stores connection_init's payload here; `sign_in_from_connection` reads it."""
        self._connection_params = payload

    async def sign_in_from_connection(self) -> None:
        """A websocket (graphql-transport-ws) carries no per-request headers: the client — the
        gateway, for a front end — sends its token in connection_init's payload instead. A token
        in the upgrade request's header (non-browser clients) is kept when the payload has none."""
        payload = self._connection_params
        # The key as the gateway sends it is `authorization`; clients' spelling varies.
        token = next((v for k, v in payload.items() if str(k).lower() == "authorization"),
                     None) if isinstance(payload, dict) else None
        if not isinstance(token, str) or self._verifier is None:
            return
        try:
            self.principal, self.auth_error = await self._verifier.from_header_async(token), None
        except AuthError as exc:
            self.principal, self.auth_error = None, exc

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


async def request_context(verifier: JwtVerifier, resources: Any,
                          authorization: str | None) -> RequestContext:
    """`context_getter` for the server: a JWKS lookup does not block the event loop."""
    try:
        return RequestContext(await verifier.from_header_async(authorization), None, resources,
                              verifier)
    except AuthError as exc:
        return RequestContext(None, exc, resources, verifier)


class _CodedValidationContext:
    """A ValidationContext whose reported errors get `extensions.code` (limit rules report plain
    GraphQLErrors); everything else is forwarded."""

    def __init__(self, context: ValidationContext, code: str) -> None:
        self._context, self._code = context, code

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": self._code}
        self._context.report_error(error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def coded_rule(rule: type[ASTValidationRule], code: str) -> type[ASTValidationRule]:
    """`rule`, with `code` on every error it reports."""
    class Coded(rule):  # type: ignore[valid-type, misc]
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(cast(ValidationContext, _CodedValidationContext(context, code)))

    Coded.__name__ = Coded.__qualname__ = f"{rule.__name__}[{code}]"
    return Coded


NO_INTROSPECTION = coded_rule(NoSchemaIntrospectionCustomRule, "INTROSPECTION_DISABLED")


def limit_rules(max_depth: int, max_aliases: int) -> tuple[type[ASTValidationRule], ...]:
    """Strawberry's depth and alias limits as coded validation rules. Built once per schema: the
    validation cache is keyed by the rule classes, so new classes per request would miss it."""
    [depth] = QueryDepthLimiter(max_depth=max_depth).validation_rules
    [aliases] = MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules
    return (coded_rule(depth, "QUERY_TOO_DEEP"), coded_rule(aliases, "TOO_MANY_ALIASES"))


class CachedParser(ParserCache):
    """ParserCache, except that a document which does not parse is left to Strawberry: raised
    from this hook, the error would skip the operation hooks (ErrorCodes) and reach the client
    without a code; Strawberry's own parse raises it again where errors are handled."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query,
                                                                  **context.parse_options)
        yield


class RequestRules(SchemaExtension):
    """Adds the validation rules of every request: the limits, and no introspection where the
    request context says so (production)."""

    def __init__(self, rules: tuple[type[ASTValidationRule], ...]) -> None:
        super().__init__()
        self._rules = rules

    def on_operation(self) -> Iterator[None]:
        rules = self._rules
        if not getattr(self.execution_context.context, "allow_introspection", True):
            rules = (*rules, NO_INTROSPECTION)
        self.execution_context.validation_rules = (*self.execution_context.validation_rules,
                                                   *rules)
        yield


# PostgreSQL text cannot hold U+0000, nor can UTF-8 encode a lone UTF-16 surrogate; JSON and
# GraphQL strings can carry both ("\u0000", "\ud800"). Left to the database, they failed the
# statement and answered INTERNAL_SERVER_ERROR (tests/faults/test_fuzz.py found it).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(char: str) -> str:
    if char == "\x00":
        return "the NUL character (U+0000)"
    return f"half of a UTF-16 surrogate pair (U+{ord(char):04X}) without the other half"


def _in_value(value: Any, path: str) -> tuple[str, str] | None:
    """(where, character) of the first unstorable character in a JSON value, or None."""
    if isinstance(value, str):
        found = _UNSTORABLE.search(value)
        return (path, found.group()) if found else None
    items = (value.items() if isinstance(value, dict) else
             enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        if hit := _in_value(item, f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"):
            return hit
    return None


class _Literals(Visitor):
    """The first unstorable character in a document's string literals, with its argument path."""

    def __init__(self) -> None:
        super().__init__()
        self.path: list[str] = []
        self.hit: tuple[str, str] | None = None

    def enter_argument(self, node: Any, *_: Any) -> None:
        self.path.append(node.name.value)

    def enter_object_field(self, node: Any, *_: Any) -> None:
        self.path.append(node.name.value)

    def leave_argument(self, *_: Any) -> None:
        self.path.pop()

    leave_object_field = leave_argument

    def enter_string_value(self, node: Any, *_: Any) -> None:
        found = _UNSTORABLE.search(node.value)
        if found and self.hit is None:
            self.hit = (".".join(self.path) or "a string", found.group())


def _in_document(document: DocumentNode | None) -> tuple[str, str] | None:
    if document is None:
        return None
    literals = _Literals()
    visit(document, literals)
    return literals.hit


class StorableText(SchemaExtension):
    """Refuse text no service can store (see _UNSTORABLE) before anything runs: BAD_USER_INPUT
    naming the argument or variable. Runs after ValidationCache, whose errors it adds to."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        hit = next(filter(None, (_in_value(value, f"${name}")
                                 for name, value in (context.variables or {}).items())), None)
        hit = hit or _in_document(context.graphql_document)
        if hit is not None:
            where, char = hit
            error = GraphQLError(f"{where} contains {_unstorable(char)}, which no service can"
                                 " store; remove it",
                                 extensions={"code": "BAD_USER_INPUT", "field": where})
            context.pre_execution_errors = [*(context.pre_execution_errors or []), error]
        yield


class ErrorCodes(SchemaExtension):
    """Give every error a stable `extensions.code`; hide the text of unexpected ones.

    - an exception with a `code` attribute (kit CodedError or a domain error) keeps its message;
    - an error outside any resolver (syntax, validation, variable coercion) is the caller's:
      GRAPHQL_VALIDATION_FAILED, message kept;
    - the database out of reach (restarting, connections cut): SERVICE_UNAVAILABLE, try again;
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
        # Only our own errors are meant for the caller: a library's may carry a `code` too
        # (SQLAlchemy's link ids, "gkpj") and a message with SQL and row values in it.
        if isinstance(original, CodedError):
            extensions: dict[str, Any] = {"code": original.code}
            extensions.update({k: v for k, v in original.details.items() if isinstance(v, str | int)})
            message = original.message or str(original)
        elif isinstance(error, GraphQLSyntaxError):
            # graphql-core's max_tokens (MaxTokensLimiter) raises a plain syntax error too.
            too_long = "tokens. Parsing aborted" in error.message
            extensions = {"code": "TOO_MANY_TOKENS" if too_long else "GRAPHQL_PARSE_FAILED"}
            message = error.message
        elif error.path is None:
            extensions, message = {"code": "GRAPHQL_VALIDATION_FAILED"}, error.message
        elif original is not None and is_transient(original):
            # The database restarting or out of reach is not a bug: the request can be sent
            # again in a moment (tests/faults/test_outages.py, scenario 5).
            log.warning("database unavailable at %s: %s", error.path, type(original).__name__)
            extensions = {"code": "SERVICE_UNAVAILABLE"}
            message = "the service cannot reach its database just now; try again in a few seconds"
        else:
            log.error("unexpected error at %s", error.path, exc_info=original)
            extensions = {"code": "INTERNAL_SERVER_ERROR"}
            message = "internal error; it has been logged"
        return GraphQLError(message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, extensions=extensions)


def make_schema(query: type, mutation: type | None = None, *, types: Iterable[type] = (),
                subscription: type | None = None, max_depth: int = MAX_DEPTH,
                max_aliases: int = MAX_ALIASES,
                max_tokens: int = MAX_TOKENS) -> strawberry.federation.Schema:
    """A Federation 2 subgraph schema with parser/validation caches, coded errors, and limits on
    depth, aliases and tokens (introspection off where the context says production)."""
    rules = limit_rules(max_depth, max_aliases)
    return strawberry.federation.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
        # Factories, not instances: both caches live at module level, shared by every request.
        extensions=[lambda: MaxTokensLimiter(max_token_count=max_tokens),
                    lambda: RequestRules(rules),
                    lambda: CachedParser(maxsize=512), lambda: ValidationCache(maxsize=512),
                    StorableText, ErrorCodes],
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
