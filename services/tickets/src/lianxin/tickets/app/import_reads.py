"""What a ledger import (台账) reads again and again — org units, categories, SLA policies, the
working-day calendar — read once (`ImportReads`), behind the repositories' own methods, so the use
cases run unchanged on them (app/import_chunk.py). None of it changes during an import; the
calendar answers `load(start, end)` exactly as the database does (only the known days of that
range), and remembers the deadlines counted on it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lianxin.tickets.domain.calendar import WorkCalendar
from lianxin.tickets.domain.category import Category, lineage
from lianxin.tickets.domain.sla import SlaPolicy
from lianxin.tickets.domain.ticket import Deadline, OrgUnitRef


@dataclass(slots=True)
class ImportReads:
    """What an import reads again and again, read once: none of it changes meanwhile."""

    units: dict[uuid.UUID, OrgUnitRef | None] = field(default_factory=dict)
    categories: dict[str, Category] | None = None
    policies: list[SlaPolicy] | None = None
    days: dict[dt.date, bool] | None = None
    calendars: dict[tuple[dt.date, dt.date], WorkCalendar] = field(default_factory=dict)


class OrgUnits:
    def __init__(self, real: Any, reads: ImportReads) -> None:
        self._real, self._reads = real, reads

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def get(self, unit_id: uuid.UUID) -> OrgUnitRef | None:
        if unit_id not in self._reads.units:
            self._reads.units[unit_id] = await self._real.get(unit_id)
        return self._reads.units[unit_id]

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[OrgUnitRef]:
        missing = [i for i in ids if i not in self._reads.units]
        if missing:
            found = {u.id: u for u in await self._real.get_many(missing)}
            for i in missing:
                self._reads.units[i] = found.get(i)
        return [u for i in ids if (u := self._reads.units[i]) is not None]


class Categories:
    def __init__(self, real: Any, reads: ImportReads) -> None:
        self._real, self._reads = real, reads

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def all(self) -> dict[str, Category]:
        if self._reads.categories is None:
            self._reads.categories = await self._real.all()
        return dict(self._reads.categories)

    async def lineage(self, code: str) -> dict[str, Category]:
        table = await self.all()
        return {c: table[c] for c in lineage(code) if c in table}


class Policies:
    def __init__(self, real: Any, reads: ImportReads) -> None:
        self._real, self._reads = real, reads

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def all(self) -> list[SlaPolicy]:
        if self._reads.policies is None:
            self._reads.policies = await self._real.all()
        return list(self._reads.policies)


class _Remembering(WorkCalendar):
    """A calendar that remembers its answers: an import asks the same few hundred days with
    the same few deadlines a million times."""

    __slots__ = ("_memo",)
    _memo: dict[tuple[object, ...], Any]

    @classmethod
    def of(cls, days: dict[dt.date, bool]) -> _Remembering:
        cal = cls(days)
        object.__setattr__(cal, "_memo", {})
        return cal

    def add_working_days(self, start: dt.datetime, n: int) -> Deadline:
        key = ("add", start, n)
        if key not in self._memo:
            self._memo[key] = super().add_working_days(start, n)
        return self._memo[key]

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> float:
        key = ("between", start, end)
        if key not in self._memo:
            self._memo[key] = super().working_days_between(start, end)
        return self._memo[key]


class Calendar:
    """`load(start, end)` as the database answers it: the known days in that range only (a
    deadline past them is provisional, as live)."""

    def __init__(self, real: Any, reads: ImportReads) -> None:
        self._real, self._reads = real, reads

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def load(self, start: dt.date, end: dt.date) -> WorkCalendar:
        found = self._reads.calendars.get((start, end))
        if found is None:
            if self._reads.days is None:
                self._reads.days = dict((await self._real.load(dt.date.min, dt.date.max)).days)
            days = self._reads.days
            span = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
            found = _Remembering.of({d: days[d] for d in span if d in days})
            self._reads.calendars[start, end] = found
        return found
