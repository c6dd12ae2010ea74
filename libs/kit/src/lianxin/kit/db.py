"""Async engine and session factory, built in the app lifespan (never at import time)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def make_engine(url: str, *, pool_size: int = 10, application_name: str = "lianxin") -> AsyncEngine:
    """An asyncpg engine; pre-ping so a restarted PostgreSQL costs one retry, not an error."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"server_settings": {"application_name": application_name}},
    )


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (we return them from mutations)."""
    return async_sessionmaker(engine, expire_on_commit=False)
