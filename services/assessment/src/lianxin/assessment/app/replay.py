"""Replay (重放): rebuild every projection from the events, into a fresh schema swapped in at once.

Why: projections are derived data. A fixed bug, a new measure or a damaged table is repaired
by re-reading the topics from the beginning and projecting them again with the same code the
live consumer runs — never by patching rows.

How, without stopping the service:
1. note the topics' end offsets, then project everything up to them into the fresh schema
   in batches (each its own transaction; the live `proj` keeps serving and keeps moving);
2. take the projection lock exclusively (the live consumer holds it shared per batch, so it
   pauses), read the few events that arrived meanwhile up to the new end offsets, project
   them, and in that same transaction replace `proj` by the rebuilt schema. Readers see the
   old tables or the new ones, never neither; the live consumer then finds the events it
   had not applied yet already claimed in the new event log and skips them.

A dry run stops after step 2's catch-up and compares the two schemas instead of swapping.
Events that fail to apply are reported and counted, and marked dead-lettered in the event log
exactly as the live consumer marks them, so the rebuild equals the live result.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from google.protobuf.message import Message
from lianxin.events.v1.envelope_pb2 import Envelope

Position = tuple[str, int]           # topic, partition
Offsets = dict[Position, int]        # next offset to read / end (exclusive)


@dataclass(frozen=True, slots=True)
class Event:
    where: str                        # topic/partition@offset, for reports
    env: Envelope
    payload: Message


@dataclass(frozen=True, slots=True)
class Failure:
    """An event that could not be applied (or even decoded), and why."""

    where: str
    event_id: str
    event_type: str
    error: str


@dataclass(frozen=True, slots=True)
class Fetched:
    events: list[Event]
    failures: list[Failure]           # undecodable records
    records: int                      # records consumed (progress counts them all)


@dataclass(frozen=True, slots=True)
class TableDiff:
    """A projection table live vs rebuilt: rows, and rows only one side has."""

    table: str
    live: int
    rebuilt: int
    only_live: int
    only_rebuilt: int

    @property
    def same(self) -> bool:
        return self.only_live == 0 and self.only_rebuilt == 0


@dataclass(slots=True)
class Report:
    events: int = 0                   # records read from the topics
    failures: list[Failure] = field(default_factory=list)
    diffs: list[TableDiff] = field(default_factory=list)   # dry run only
    swapped: bool = False


class EventSource(Protocol):
    async def offsets(self) -> tuple[Offsets, Offsets]:
        """The first and the end offsets of every partition now."""
        ...

    def read(self, until: Offsets) -> AsyncIterator[Fetched]:
        """Batches from where the source stands up to `until` (exclusive), in partition
        order; it then stands at `until`."""
        ...


class Locked(Protocol):
    """The swap transaction, holding the projection lock exclusively."""

    async def apply(self, events: Sequence[Event]) -> list[Failure]: ...
    async def compare(self) -> list[TableDiff]: ...
    async def swap(self) -> None:
        """Replace the live schema by the rebuilt one and commit."""
        ...


class Target(Protocol):
    async def prepare(self) -> None:
        """A fresh, empty rebuild schema (dropping a stale one left by an aborted replay)."""
        ...

    async def apply(self, events: Sequence[Event]) -> list[Failure]:
        """Project `events` into the rebuild schema in one transaction; the failures."""
        ...

    def locked(self) -> AbstractAsyncContextManager[Locked]:
        """The swap transaction (rolled back unless `swap` commits it)."""
        ...

    async def discard(self) -> None:
        """Drop the rebuild schema (after a dry run)."""
        ...


Progress = Callable[[int, int], None]    # events done, events in total


def _count(start: Offsets, end: Offsets) -> int:
    return sum(max(0, n - start.get(p, 0)) for p, n in end.items())


Apply = Callable[[Sequence[Event]], Awaitable[list[Failure]]]


async def _drain(source: EventSource, until: Offsets, apply: Apply, report: Report, total: int,
                 progress: Progress) -> None:
    async for fetched in source.read(until):
        report.failures += fetched.failures
        report.failures += await apply(fetched.events)
        report.events += fetched.records
        progress(report.events, total)


async def replay(source: EventSource, target: Target, *, dry_run: bool = False,
                 max_failures: int | None = None,
                 progress: Progress = lambda done, total: None) -> Report:
    """Rebuild the projections from `source` and swap them in (or, dry, compare them). With
    more than `max_failures` failed events the rebuild is compared, not swapped in."""
    report = Report()
    start, end = await source.offsets()
    total = _count(start, end)
    progress(0, total)
    await target.prepare()
    await _drain(source, end, target.apply, report, total, progress)
    async with target.locked() as locked:
        _, latest = await source.offsets()
        total += _count(end, latest)
        await _drain(source, latest, locked.apply, report, total, progress)
        dry_run = dry_run or (max_failures is not None and len(report.failures) > max_failures)
        if dry_run:
            report.diffs = await locked.compare()
        else:
            await locked.swap()
            report.swapped = True
    if not report.swapped:
        await target.discard()
    return report
