"""A chunk of ledger rows (app/import_chunk.py) on the in-memory unit of work: a kept row's
writes reach the store in bulk, in order; a dropped row leaves nothing — not even its code
number; the tickets a chunk did not check stay untouched; the import's calendar answers as the
database does."""

from __future__ import annotations

import datetime as dt

import pytest
from lianxin.kit.ids import uuid7
from lianxin.tickets.app.import_chunk import ChunkUnitOfWork
from lianxin.tickets.app.import_reads import Calendar, ImportReads
from lianxin.tickets.domain.calendar import WorkCalendar
from lianxin.tickets.domain.errors import StaleTicket
from lianxin.tickets.domain.events import TicketAccepted, TicketSubmitted
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import Status, Ticket
from tickets_helpers import ticket

NOW = dt.datetime(2025, 3, 3, 1, tzinfo=dt.UTC)


def line(t: Ticket) -> HistoryEntry:
    return HistoryEntry(id=uuid7(), ticket_id=t.id, version=t.version, at=NOW, actor="import",
                        actor_role="system", action=Action.IMPORT, from_status=None,
                        to_status=t.status)


async def test_a_dropped_row_leaves_nothing_and_gives_its_code_number_back(uow: object) -> None:
    kept, dropped = ticket(), ticket()
    chunk = ChunkUnitOfWork(uow, ImportReads())  # type: ignore[arg-type]
    await chunk.check([kept.id, dropped.id])

    chunk.begin_row()
    assert await chunk.tickets.add(dropped)
    assert await chunk.tickets.next_code("墨江县", 2025) == 1
    await chunk.history.add(line(dropped))
    chunk.record(TicketSubmitted(dropped))
    chunk.drop_row()

    chunk.begin_row()
    assert await chunk.tickets.next_code("墨江县", 2025) == 1
    assert await chunk.tickets.add(kept)
    await chunk.history.add(line(kept))
    chunk.record(TicketSubmitted(kept))
    accepted = kept.advance(NOW, status=Status.ACCEPTED)
    assert await chunk.tickets.get_for_update(kept.id) == kept
    await chunk.tickets.save(accepted)
    await chunk.history.add(line(accepted))
    chunk.record(TicketAccepted(accepted))
    chunk.keep_row()

    chunk.begin_row()
    assert await chunk.tickets.next_code("墨江县", 2025) == 2
    chunk.drop_row()

    async with uow:  # type: ignore[attr-defined]
        await chunk.flush()
    store = uow.tickets  # type: ignore[attr-defined]
    assert store.rows == {kept.id: accepted}
    assert store.counters == {("墨江县", 2025): 1}
    assert [(e.ticket_id, e.version) for e in uow.history.rows.values()] == [  # type: ignore[attr-defined]
        (kept.id, 1), (kept.id, 2)]
    assert uow.committed_events == [TicketSubmitted(kept), TicketAccepted(accepted)]  # type: ignore[attr-defined]


async def test_a_chunk_writes_only_what_it_checked_and_versions_in_order(uow: object) -> None:
    stored, new, unchecked = ticket(), ticket(), ticket()
    await uow.tickets.add(stored)  # type: ignore[attr-defined]
    chunk = ChunkUnitOfWork(uow, ImportReads())  # type: ignore[arg-type]
    await chunk.check([stored.id, new.id])
    assert chunk.stored == {stored.id: stored} and chunk.absent == {new.id}
    assert await chunk.tickets.get_many([stored.id, new.id]) == [stored]
    chunk.begin_row()
    assert not await chunk.tickets.add(stored)
    assert not await chunk.tickets.add(unchecked)  # not checked absent: never written in bulk
    assert await chunk.tickets.add(new)
    with pytest.raises(StaleTicket):
        await chunk.tickets.save(new.advance(NOW).advance(NOW))  # skips a version
    with pytest.raises(LookupError):
        await chunk.tickets.get_for_update(stored.id)  # a chunk only steps its own tickets


class DaysCalendar:
    """A calendar repository over fixed days, counting its reads."""

    def __init__(self, days: dict[dt.date, bool]) -> None:
        self.days, self.loads = days, 0

    async def load(self, start: dt.date, end: dt.date) -> WorkCalendar:
        self.loads += 1
        return WorkCalendar({d: w for d, w in self.days.items() if start <= d <= end})


async def test_the_import_calendar_answers_as_the_database_reading_it_once() -> None:
    first = dt.date(2025, 9, 25)
    days = {first + dt.timedelta(days=i): i not in (6, 7, 8, 9, 10, 11, 12) for i in range(20)}
    real = DaysCalendar(days)
    cached = Calendar(real, ImportReads())
    start = dt.datetime(2025, 9, 29, 2, tzinfo=dt.UTC)
    for span, n in (((first, first + dt.timedelta(days=12)), 3),
                    ((first, first + dt.timedelta(days=40)), 5)):
        want, got = await real.load(*span), await cached.load(*span)
        assert got.days == want.days  # only the known days of the range: later ones provisional
        assert got.add_working_days(start, n) == want.add_working_days(start, n)
        assert got.working_days_between(start, start + dt.timedelta(days=9)) == \
            want.working_days_between(start, start + dt.timedelta(days=9))
    assert real.loads == 1 + 2  # the import's one read, and this test's own two
