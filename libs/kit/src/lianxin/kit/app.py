"""FastAPI application factory shared by the services: lifespan-built resources, health
endpoints, and the Strawberry router at /graphql — which answers as GraphQL over HTTP asks:
401 without a valid token, application/graphql-response+json when accepted, and every error
(also those of the HTTP layer) as a GraphQL error body with a code."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import strawberry
from cross_web import HTTPException, StarletteRequestAdapter
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse, Response
from lianxin.kit.admission import AdmissionControl
from lianxin.kit.auth import JwtVerifier
from lianxin.kit.db import make_engine, make_sessions
from lianxin.kit.graphql import RequestContext, request_context
from lianxin.kit.metrics import CONTENT_TYPE, exposition
from lianxin.kit.operations import observer
from lianxin.kit.responses import GRAPHQL_RESPONSE_JSON, error_response, response_media_type
from lianxin.kit.settings import KitSettings, PiiConfig
from lianxin.kit.tracing import TraceRequests
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.responses import HTMLResponse, StreamingResponse
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

log = logging.getLogger(__name__)

CONNECTION_INIT_TIMEOUT = dt.timedelta(seconds=10)
# Codes of the errors the HTTP layer answers itself (before any GraphQL runs), by status.
HTTP_ERROR_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
                    415: "UNSUPPORTED_MEDIA_TYPE"}


@dataclass
class Resources:
    """What the lifespan builds and resolvers use (via `info.context.resources`)."""

    settings: KitSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    verifier: JwtVerifier
    # Keys for personal data, for the services that store it (None elsewhere).
    pii: PiiConfig | None = None


Background = Callable[[Resources, asyncio.Event], Coroutine[Any, Any, None]]


class SubgraphRouter(GraphQLRouter[RequestContext, None]):
    """Strawberry's router, made to answer as GraphQL over HTTP (and the graphql-http audit)
    expects, and to refuse callers without a valid token before reading their request.

    - No valid token: 401 with a GraphQL error body (UNAUTHENTICATED) and `WWW-Authenticate`.
      Only the GraphiQL page (a browser's GET, outside production) is served without one.
    - The response's content type follows Accept; with application/graphql-response+json a
      request error (the document does not parse or validate, variables do not coerce: nothing
      ran, so there is no `data`) is a 400, with application/json it stays a 200.
    - Errors of the HTTP layer (bad JSON, no query, a mutation over GET …) get a JSON body with
      a code instead of Strawberry's plain text.
    - A websocket whose connection_init carries no valid token is closed (4403 Forbidden on
      graphql-transport-ws, Strawberry's rejection; connection_error on legacy graphql-ws).
    """

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if self.is_websocket_request(request):
            return await super().run(request, context, root_value)
        media = response_media_type(request.headers.get("accept"))
        ide = (self.graphql_ide is not None
               and self.should_render_graphql_ide(StarletteRequestAdapter(request)))
        if not ide and getattr(context, "principal", None) is None:
            return self._unauthenticated(context, media)
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as exc:
            headers = {"allow": "GET, POST"} if exc.status_code == 405 else None
            return error_response(exc.status_code, exc.reason,
                                  HTTP_ERROR_CODES.get(exc.status_code, "BAD_REQUEST"), media,
                                  headers)
        if isinstance(response, Response) and not isinstance(response, HTMLResponse | StreamingResponse):
            response.headers["content-type"] = media
            if media.startswith(GRAPHQL_RESPONSE_JSON) and getattr(request.state,
                                                                    "request_error", False):
                response.status_code = 400
        return response

    @staticmethod
    def _unauthenticated(context: Any, media: str) -> Response:
        error = getattr(context, "auth_error", None)
        message = error.message if error is not None else (
            "sign in: send 'Authorization: Bearer <token>'")
        challenge = 'Bearer realm="lianxin"' + (', error="invalid_token"' if error else "")
        return error_response(401, message, "UNAUTHENTICATED", media,
                              {"www-authenticate": challenge})

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        # A request error: nothing executed (no error has a path). GraphQL over HTTP leaves
        # `data` out then, and application/graphql-response+json answers it with a 400.
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            processed.pop("data", None)
            request.state.request_error = True
        return processed

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        await context.sign_in_from_connection()
        if context.principal is None:
            message = context.auth_error.message if context.auth_error else (
                "sign in: send {\"authorization\": \"Bearer <token>\"} in connection_init")
            raise ConnectionRejectionError(
                {"message": message, "extensions": {"code": "UNAUTHENTICATED"}})
        return UNSET


def create_app(name: str, settings: KitSettings, schema: strawberry.federation.Schema,
               *, engine_factory: Callable[[str], AsyncEngine] | None = None,
               background: Sequence[Background] = ()) -> FastAPI:
    """The service's ASGI app; nothing connects to anything until the lifespan starts.
    `background` tasks run from start-up until shutdown (each gets a stop event)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = (engine_factory or (lambda url: make_engine(
            url, application_name=name, pool_size=settings.db_pool_size,
            pool_timeout=settings.db_pool_timeout_s)))(settings.database_url)
        pii = settings.require_pii() if settings.pii_keys is not None else None
        app.state.resources = Resources(settings, engine, make_sessions(engine),
                                        JwtVerifier(settings), pii)
        stop = asyncio.Event()
        tasks = [asyncio.create_task(task(app.state.resources, stop)) for task in background]
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await engine.dispose()

    async def get_context(request: Request = None, websocket: WebSocket = None) -> RequestContext:  # type: ignore[assignment]
        conn = request if request is not None else websocket
        resources = conn.app.state.resources
        return await request_context(resources.verifier, resources, conn.headers.get("authorization"))

    # Count, time and name each operation (metrics and the request's span); appended here so
    # every service's schema gets it without each building it in.
    if not any(getattr(ext, "lianxin_observer", False) for ext in schema.extensions):
        schema.extensions = (*schema.extensions, observer(name))
    # FastAPI's own telemetry is off: it would trace every health probe, and its exception
    # logs carry messages that may quote personal data. TraceRequests makes the one span per
    # GraphQL request instead (tracing.py).
    app = FastAPI(title=f"lianxin {name}", lifespan=lifespan, docs_url=None, redoc_url=None,
                  telemetry={"tracing": False, "metrics": False, "logs": False,
                             "operation_spans": False, "auto_configure": False})
    app.add_middleware(TraceRequests)
    # Outermost (added last): a refusal costs no span, no routing, no token check.
    app.add_middleware(AdmissionControl, service=name, max_in_flight=settings.max_in_flight,
                       queue=settings.admission_queue, wait_s=settings.admission_wait_ms / 1000,
                       retry_after_s=settings.overload_retry_after_s)
    router = SubgraphRouter(
        schema, context_getter=get_context,
        # A socket that has not sent its token (connection_init) by then is closed (4408).
        connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
        graphql_ide="graphiql" if settings.environment != "production" else None)
    app.include_router(router, prefix="/graphql")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "service": name}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the database answers."""
        try:
            async with request.app.state.resources.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except Exception as exc:
            log.warning("not ready: %r", exc)
            return JSONResponse({"status": "unavailable", "reason": "database"}, status_code=503)
        return JSONResponse({"status": "ready", "service": name})

    @app.get("/metrics")
    async def metrics() -> Response:
        """Prometheus metrics, without a token: they hold counts and timings, never data. Keep
        the port off the public ingress (the gateway does not route it)."""
        return Response(exposition(), media_type=CONTENT_TYPE)

    return app
