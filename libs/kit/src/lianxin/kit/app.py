"""FastAPI application factory shared by the services: lifespan-built resources, health
endpoints, and the Strawberry router at /graphql."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import strawberry
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse
from lianxin.kit.auth import JwtVerifier
from lianxin.kit.db import make_engine, make_sessions
from lianxin.kit.graphql import RequestContext, context_getter
from lianxin.kit.settings import KitSettings, PiiConfig
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from strawberry.fastapi import GraphQLRouter

log = logging.getLogger(__name__)


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


def create_app(name: str, settings: KitSettings, schema: strawberry.federation.Schema,
               *, engine_factory: Callable[[str], AsyncEngine] | None = None,
               background: Sequence[Background] = ()) -> FastAPI:
    """The service's ASGI app; nothing connects to anything until the lifespan starts.
    `background` tasks run from start-up until shutdown (each gets a stop event)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = (engine_factory or (lambda url: make_engine(url, application_name=name)))(
            settings.database_url)
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
        header = conn.headers.get("authorization")
        return context_getter(conn.app.state.resources.verifier, conn.app.state.resources, header)

    app = FastAPI(title=f"lianxin {name}", lifespan=lifespan, docs_url=None, redoc_url=None)
    router: GraphQLRouter[RequestContext, None] = GraphQLRouter(
        schema, context_getter=get_context,
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

    return app
