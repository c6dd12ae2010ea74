"""The live ticket feed (for alarms on screens and desks): committed ticket events pushed over
PostgreSQL NOTIFY, fanned out in each process to the GraphQL subscriptions.

Writing: the unit of work collects one compact payload per event it records and sends them with
`pg_notify` just before it commits. NOTIFY is transactional, so a feed never shows an event
whose transaction rolled back, and shows each one after its state is readable. Payloads carry
ids, the code, the type and status, where the ticket reaches and whether it is a stability-risk
item — never personal data (PostgreSQL caps a payload at 8000 bytes; ours are a few hundred).

Reading: one LISTEN connection per process and engine (`hub_for`, the kit's `lianxin.kit.live`
hub), opened with the first subscriber and closed with the last; every subscriber has its own
bounded queue. NOTIFY is
fire-and-forget: what happens while nobody listens is not replayed (the scheduler's alarms and
the outbox are the durable record; the feed is for "now").
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

import sqlalchemy as sa
from lianxin.kit.live import Feed, LiveHub
from lianxin.tickets.app.common import utcnow
from lianxin.tickets.app.queries import LiveTicketEvent
from lianxin.tickets.domain import events as ev
from lianxin.tickets.domain.ticket import Status, Ticket
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

log = logging.getLogger(__name__)

CHANNEL = "lianxin_ticket_events"
QUEUE_SIZE = 1000  # per subscriber; a subscriber that falls this far behind loses events

_NOTIFY = sa.text(f"SELECT pg_notify('{CHANNEL}', p) FROM unnest(CAST(:ps AS text[])) AS p")


def encode(event: LiveTicketEvent) -> str:
    return json.dumps({
        "ticket_id": str(event.ticket_id), "code": event.code, "type": event.type,
        "status": event.status.value, "reach": [str(u) for u in event.reach],
        "sensitive": event.sensitive, "at": event.at.isoformat()}, separators=(",", ":"))


def decode(payload: str) -> LiveTicketEvent | None:
    try:
        d = json.loads(payload)
        return LiveTicketEvent(
            ticket_id=uuid.UUID(d["ticket_id"]), code=d["code"], type=d["type"],
            status=Status(d["status"]), reach=tuple(uuid.UUID(u) for u in d["reach"]),
            sensitive=bool(d["sensitive"]), at=dt.datetime.fromisoformat(d["at"]))
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring a malformed payload on %s: %.200r", CHANNEL, payload)
        return None


class LiveBatch:
    """The live payloads of one transaction, sent by `flush` right before it commits."""

    def __init__(self) -> None:
        self._found: list[LiveTicketEvent] = []

    def add(self, event: ev.Event, occurred_at: dt.datetime | None,
            about: Ticket | None = None) -> None:
        """Queue the event's payload. A whistle event's ticket is `about`: every whistle step is
        a transition of its ticket, which hands the ticket over (no lookup at commit)."""
        ticket: Ticket | None = getattr(event, "ticket", None) or about
        if ticket is None:
            raise ValueError(f"{type(event).__name__} needs the ticket it concerns (`about`)")
        self._found.append(LiveTicketEvent(ticket.id, ticket.code, type(event).__name__,
                                           ticket.status, ticket.reach, ticket.sensitive,
                                           occurred_at or utcnow()))

    async def flush(self, session: AsyncSession) -> None:
        found, self._found = self._found, []
        if found:
            await session.execute(_NOTIFY, {"ps": [encode(e) for e in found]})


# Reading: the kit's hub, one LISTEN connection per process and engine.
FEED: Feed[LiveTicketEvent] = Feed(CHANNEL, decode, name="live ticket feed",
                                   queue_size=QUEUE_SIZE)


def hub_for(engine: AsyncEngine) -> LiveHub[LiveTicketEvent]:
    """The process's hub for this engine (created on first use; it connects with its first
    subscriber)."""
    return FEED.hub(engine)
