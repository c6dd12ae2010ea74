"""`ticketEvents(orgUnitId)` against the real database: what a transition commits after
subscribing arrives (through NOTIFY and the process's one LISTEN connection); a rolled-back
one, one in another township, and a stability-risk one for a plain cadre do not."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncGenerator
from typing import Any

import pytest
import sqlalchemy as sa
import tickets_helpers as helpers
from lianxin.kit.ids import uuid7
from lianxin.tickets.adapters.live import hub_for
from lianxin.tickets.app.common import SYSTEM_ACTOR
from lianxin.tickets.app.transition import Change, transition
from lianxin.tickets.domain.events import TicketAccepted, WhistleBlown
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import (
    Deadline,
    Kind,
    Status,
    Ticket,
    Urgency,
)
from lianxin.tickets.domain.whistle import Whistle, WhistleTask
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import COUNTY, OTHER_TOWN, PATH, SCHEMA, TOWN, VILLAGE, WATER, codes

pytestmark = pytest.mark.integration
AT = dt.datetime(2026, 9, 28, 9, 0, tzinfo=dt.UTC)
SUBSCRIBE = """subscription($u: ID!) { ticketEvents(orgUnitId: $u) {
  ticketId code type status orgUnitId at } }"""


def ticket(n: int, place: uuid.UUID, kind: Kind = Kind.DEMAND) -> Ticket:
    return helpers.ticket(id=uuid.UUID(int=1000 + n), code=f"R-{n}", org_unit_id=place,
                          kind=kind, submitted_by="resident-1", submitted_at=AT)


async def store(make_uow: Any, engine: AsyncEngine, *tickets: Ticket) -> None:
    await helpers.add_tickets(make_uow(engine), *tickets, submitted=True)


async def accept(make_uow: Any, engine: AsyncEngine, t: Ticket) -> None:
    async def step(ticket: Ticket, _uow: Any, now: dt.datetime) -> Change:
        after = ticket.advance(now, status=Status.ACCEPTED)
        return Change(after, events=[TicketAccepted(after)])

    await transition(make_uow(engine), t.id, Action.ACCEPT, step, SYSTEM_ACTOR,
                     clock=lambda: AT + dt.timedelta(hours=1))


async def subscribe(ctx: Any, unit: uuid.UUID) -> AsyncGenerator[Any, None]:
    stream = await SCHEMA.subscribe(SUBSCRIBE, variable_values={"u": str(unit)},
                                    context_value=ctx)
    assert isinstance(stream, AsyncGenerator), stream
    return stream


async def listening(engine: AsyncEngine, subscribers: int) -> None:
    """Wait until the process's hub has registered this many subscribers (their generators
    start on the first read, which the test runs as a task)."""
    await asyncio.wait_for(hub_for(engine).wait_for_subscribers(subscribers), 10)


async def test_committed_events_reach_the_subscribers_who_may_see_them(
        seeded_engine: AsyncEngine, make_uow: Any, graphql_context: Any) -> None:
    here, elsewhere = ticket(1, VILLAGE), ticket(2, OTHER_TOWN)
    risky, rolled_back = ticket(3, VILLAGE, kind=Kind.STABILITY_RISK), ticket(4, VILLAGE)
    await store(make_uow, seeded_engine, here, elsewhere, risky, rolled_back)

    cadre = await subscribe(graphql_context(seeded_engine, role="cadre",
                                            org_scope=(str(TOWN),)), TOWN)
    boss = await subscribe(graphql_context(seeded_engine, role="supervisor",
                                           org_scope=(str(TOWN),)), VILLAGE)
    cadre_next = asyncio.create_task(anext(cadre))
    boss_next = asyncio.create_task(anext(boss))
    await listening(seeded_engine, 2)

    uow = make_uow(seeded_engine)
    async with uow:  # recorded, never committed: nobody hears of it
        uow.record(TicketAccepted(rolled_back.advance(AT, status=Status.ACCEPTED)))
    await accept(make_uow, seeded_engine, elsewhere)   # another township
    await accept(make_uow, seeded_engine, risky)       # 涉稳: the supervisor only
    await accept(make_uow, seeded_engine, here)

    first = await asyncio.wait_for(cadre_next, 10)
    assert first.errors is None, first.errors
    assert first.data == {"ticketEvents": {
        "ticketId": str(here.id), "code": "R-1", "type": "TicketAccepted",
        "status": "ACCEPTED", "orgUnitId": str(TOWN),
        "at": (AT + dt.timedelta(hours=1)).isoformat()}}
    assert (await asyncio.wait_for(boss_next, 10)).data["ticketEvents"]["code"] == "R-3"
    assert (await asyncio.wait_for(anext(boss), 10)).data["ticketEvents"]["code"] == "R-1"

    # A whistle event reaches the feed as an event of its ticket (handed over by the step).
    whistle_id = uuid7()
    uow = make_uow(seeded_engine)
    async with uow:
        uow.record(WhistleBlown(Whistle(
            id=whistle_id, ticket_id=here.id, blower_unit_id=TOWN, blower_path=PATH[TOWN],
            urgency=Urgency.URGENT, reason="停水涉及多部门", blown_at=AT, blown_by="cadre-1",
            report_in_due=Deadline(AT + dt.timedelta(hours=2)),
            tasks=(WhistleTask(uuid7(), whistle_id, WATER, (COUNTY, WATER), "抢修"),))), AT,
            about=here)
        await uow.commit()
    blown = await asyncio.wait_for(anext(cadre), 10)
    assert (blown.data["ticketEvents"]["type"], blown.data["ticketEvents"]["code"]) == \
        ("WhistleBlown", "R-1")

    await cadre.aclose()
    await boss.aclose()
    assert hub_for(seeded_engine).subscribers == 0
    assert not hub_for(seeded_engine).listening.is_set()  # the LISTEN connection is closed


@pytest.mark.parametrize(("who", "unit", "code"), [
    ({"role": "cadre", "org_scope": (str(OTHER_TOWN),)}, TOWN, "FORBIDDEN"),
    ({"role": "resident", "subject": "resident-1"}, TOWN, "FORBIDDEN"),
    ({"role": "cadre", "org_scope": (str(TOWN),)}, uuid.UUID(int=404), "NOT_FOUND"),
])
async def test_only_staff_in_scope_may_subscribe(seeded_engine: AsyncEngine, graphql_context: Any,
                                                 who: dict[str, Any], unit: uuid.UUID,
                                                 code: str) -> None:
    stream = await subscribe(graphql_context(seeded_engine, **who), unit)
    result = await asyncio.wait_for(anext(stream), 10)
    assert codes(result) == [code]
    assert hub_for(seeded_engine).subscribers == 0


async def test_a_lost_listen_connection_ends_the_stream_and_a_new_subscription_recovers(
        seeded_engine: AsyncEngine, make_uow: Any, graphql_context: Any) -> None:
    here = ticket(1, VILLAGE)
    await store(make_uow, seeded_engine, here)
    ctx = graphql_context(seeded_engine, role="cadre", org_scope=(str(TOWN),))
    stream = await subscribe(ctx, TOWN)
    waiting = asyncio.create_task(anext(stream))
    await listening(seeded_engine, 1)
    async with seeded_engine.connect() as conn:  # a database restart, as the listener sees it
        await conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"))
    lost = await asyncio.wait_for(waiting, 10)
    assert codes(lost) == ["SERVICE_UNAVAILABLE"]
    await stream.aclose()

    again = await subscribe(ctx, TOWN)
    waiting = asyncio.create_task(anext(again))
    await listening(seeded_engine, 1)
    await accept(make_uow, seeded_engine, here)
    assert (await asyncio.wait_for(waiting, 10)).data["ticketEvents"]["code"] == "R-1"
    await again.aclose()
