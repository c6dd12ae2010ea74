"""app/replay.replay with an in-memory source and target: events up to the first end offsets
are built outside the lock; those that arrive meanwhile are caught up under the lock, in the
swap transaction; progress counts both; failures are reported; a dry run (or too many
failures) compares and discards instead of swapping."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from lianxin.assessment.app.replay import (
    Event,
    Failure,
    Fetched,
    Offsets,
    TableDiff,
    replay,
)
from lianxin.events.v1 import people_pb2
from lianxin.events.v1.envelope_pb2 import Envelope

P = ("people.v1", 0)


def event(n: int) -> Event:
    return Event(f"people.v1/0@{n}", Envelope(event_id=str(n), event_type="x"),
                 people_pb2.OrgUnitCreated(name=str(n)))


class Source:
    """A partition that grows by `arriving` events after the first look at its end."""

    def __init__(self, ready: int, arriving: int = 0, poison: frozenset[int] = frozenset()):
        self.log = [event(n) for n in range(ready)]
        self.arriving = arriving
        self.poison = poison
        self.position = 0
        self.looks = 0

    async def offsets(self) -> tuple[Offsets, Offsets]:
        self.looks += 1
        if self.looks == 2:
            self.log += [event(len(self.log) + n) for n in range(self.arriving)]
        return {P: 0}, {P: len(self.log)}

    async def read(self, until: Offsets) -> AsyncIterator[Fetched]:
        while self.position < until[P]:
            batch = self.log[self.position:min(self.position + 3, until[P])]
            self.position += len(batch)
            bad = [Failure(e.where, "", "", "undecodable") for e in batch
                   if int(e.env.event_id) in self.poison]
            yield Fetched([e for e in batch if int(e.env.event_id) not in self.poison], bad,
                          len(batch))


class Target:
    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.refuse = refuse
        self.built: list[str] = []
        self.under_lock: list[str] = []
        self.steps: list[str] = []

    async def prepare(self) -> None:
        self.steps.append("prepare")

    def _take(self, events: Sequence[Event], into: list[str]) -> list[Failure]:
        into += [e.env.event_id for e in events if e.env.event_id not in self.refuse]
        return [Failure(e.where, e.env.event_id, "x", "refused") for e in events
                if e.env.event_id in self.refuse]

    async def apply(self, events: Sequence[Event]) -> list[Failure]:
        return self._take(events, self.built)

    async def discard(self) -> None:
        self.steps.append("discard")

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[Locked]:
        self.steps.append("lock")
        yield Locked(self)
        self.steps.append("unlock")


class Locked:
    """The swap transaction: what it applies is remembered apart."""

    def __init__(self, target: Target) -> None:
        self.target = target

    async def apply(self, events: Sequence[Event]) -> list[Failure]:
        return self.target._take(events, self.target.under_lock)

    async def compare(self) -> list[TableDiff]:
        self.target.steps.append("compare")
        return [TableDiff("t", 1, 1, 0, 0)]

    async def swap(self) -> None:
        self.target.steps.append("swap")


async def test_late_arrivals_are_caught_up_under_the_lock_then_swapped() -> None:
    source, target, seen = Source(7, arriving=2), Target(), []
    report = await replay(source, target, progress=lambda done, total: seen.append((done, total)))
    assert target.built == [str(n) for n in range(7)]
    assert target.under_lock == ["7", "8"]
    assert target.steps == ["prepare", "lock", "swap", "unlock"]
    assert report.swapped and report.events == 9 and report.failures == []
    assert seen[0] == (0, 7) and seen[-1] == (9, 9)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


async def test_failures_are_reported_and_a_dry_run_compares_and_discards() -> None:
    source = Source(6, poison=frozenset({1}))
    target = Target(refuse=frozenset({"4"}))
    report = await replay(source, target, dry_run=True)
    assert [f.where for f in report.failures] == ["people.v1/0@1", "people.v1/0@4"]
    assert target.steps == ["prepare", "lock", "compare", "unlock", "discard"]
    assert not report.swapped and report.diffs == [TableDiff("t", 1, 1, 0, 0)]


async def test_too_many_failures_leave_the_live_projections_in_place() -> None:
    target = Target(refuse=frozenset({"0", "2"}))
    report = await replay(Source(4), target, max_failures=1)
    assert "swap" not in target.steps and target.steps[-1] == "discard"
    assert len(report.failures) == 2 and not report.swapped
    assert (await replay(Source(4), Target(refuse=frozenset({"0"})),
                         max_failures=1)).swapped
