"""Alembic glue: every service's migrations/env.py is one call to `run_env`, and the `migrate`
command runs `upgrade` programmatically."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine


def run_env(target_metadata: sa.MetaData) -> None:
    """Body of a service's env.py: run migrations online over asyncpg."""
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def migrate(connection: sa.Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url or "", poolclass=sa.pool.NullPool)
        async with engine.connect() as conn:
            # Two processes migrating at once (e.g. two replicas starting) take turns.
            await conn.execute(sa.text("SELECT pg_advisory_lock(hashtext('lianxin-migrate'))"))
            await conn.run_sync(migrate)
            await conn.commit()
        await engine.dispose()

    asyncio.run(run())


def upgrade(database_url: str, migrations_dir: Path, revision: str = "head") -> None:
    """Upgrade the database to `revision` with the service's migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", database_url)
    command.upgrade(cfg, revision)
