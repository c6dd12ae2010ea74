"""A ticket row never exists without its outbox row and history line, whatever fails, however many
submit at once; codes stay gap-free."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from lianxin.kit.db import make_sessions
from lianxin.kit.envelope import unwrap
from lianxin.kit.settings import PiiConfig
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.domain.ticket import Channel
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, TOWN

pytestmark = pytest.mark.integration

ORPHANS = sa.text("SELECT count(*) FROM ticket t WHERE NOT EXISTS "
                  "(SELECT 1 FROM outbox o WHERE o.key = t.id::text)")


@pytest.fixture
def engine(seeded_engine: AsyncEngine) -> AsyncEngine:
    return seeded_engine


def submit(i: int) -> SubmitTicket:
    return SubmitTicket(id=uuid.UUID(int=1000 + i), org_unit_id=TOWN, channel=Channel.WECHAT,
                        category="road.light", text=f"路灯坏了 #{i}")


def resident(i: int) -> Actor:
    return Actor(subject=f"r{i}", role="resident")


async def scalar(engine: AsyncEngine, sql: str | sa.TextClause) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(sql) if isinstance(sql, str) else sql)).scalar_one()


async def test_submit_writes_ticket_and_its_event_together(engine: AsyncEngine,
                                                           pii: PiiConfig) -> None:
    ticket = await submit_ticket(submit(1), TicketsUnitOfWork(make_sessions(engine), pii),
                                 resident(1))
    async with engine.connect() as conn:
        row = (await conn.execute(sa.text("SELECT envelope, topic, key FROM outbox"))).one()
    env, payload = unwrap(row.envelope)
    assert (row.topic, row.key) == ("tickets.v1", str(ticket.id))
    assert payload.ticket_id == str(ticket.id)
    assert list(payload.org_path) == [str(COUNTY), str(TOWN)]
    assert env.aggregate_version == 1


async def test_failing_outbox_write_leaves_no_ticket(engine: AsyncEngine, pii: PiiConfig) -> None:
    async with engine.begin() as conn:  # make the database refuse outbox rows
        await conn.execute(sa.text(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$"))
        await conn.execute(sa.text(
            "CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse()"))
    with pytest.raises(sa.exc.DBAPIError, match="outbox unavailable"):
        await submit_ticket(submit(2), TicketsUnitOfWork(make_sessions(engine), pii), resident(2))
    assert await scalar(engine, "SELECT count(*) FROM ticket") == 0
    assert await scalar(engine, "SELECT count(*) FROM ticket_history") == 0
    assert await scalar(engine, "SELECT count(*) FROM ticket_code_counter") == 0


async def test_concurrent_and_retried_submits_never_orphan_a_ticket(engine: AsyncEngine,
                                                                    pii: PiiConfig) -> None:
    sessions = make_sessions(engine)
    # 40 tickets, each submitted twice at once (a phone retrying on a weak signal).
    results = await asyncio.gather(
        *(submit_ticket(submit(i % 40), TicketsUnitOfWork(sessions, pii), resident(i % 40))
          for i in range(80)))
    # Both copies of each submit get the same ticket back; neither sees an error.
    assert all(results[i] == results[i + 40] for i in range(40))
    assert await scalar(engine, "SELECT count(*) FROM ticket") == 40
    assert await scalar(engine, "SELECT count(*) FROM outbox") == 40
    assert await scalar(engine, ORPHANS) == 0
    assert await scalar(engine, "SELECT count(*) FROM ticket_history") == 40
    # Losers of a race hand their number back: 40 tickets, codes 1..40, none skipped.
    numbers = sorted(int(r.code.rsplit("-", 1)[1]) for r in results)
    assert numbers == [n for n in range(1, 41) for _ in range(2)]
    assert await scalar(engine, "SELECT last FROM ticket_code_counter") == 40
