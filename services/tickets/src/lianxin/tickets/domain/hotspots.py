"""Hot spots and repeat requesters — "draw inferences" (举一反三): where the same kind of
problem piles up, so it is fixed across the area before more people have to ask.

Weeks are ISO weeks in China time (Monday 00:00 CST). A place is the child of the unit asked
about whose subtree the ticket lies in (the unit itself for tickets recorded at it).

Spike rule: a (category, place, week) count is a spike when it is at least SPIKE_MIN_COUNT (3)
and at least SPIKE_FACTOR (2) times the mean count of the same category and place over the
SPIKE_BASELINE_WEEKS (4) weeks before it, weeks without tickets counting as zero. So 3 after a
quiet month is a spike, 3 after a steady 2 a week is not, 10 after a steady 4 is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lianxin.tickets.domain.calendar import CHINA

SPIKE_MIN_COUNT = 3
SPIKE_FACTOR = 2
SPIKE_BASELINE_WEEKS = 4
MAX_WEEKS = 52
REQUESTER_TICKETS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class WeekCount:
    """Tickets of one top-level category at one place in one week (from the database)."""

    category: str
    place_id: uuid.UUID
    week_start: dt.date
    count: int


@dataclass(frozen=True, slots=True)
class HotSpot:
    category: str
    place_id: uuid.UUID
    week_start: dt.date
    count: int
    spike: bool

    @property
    def week(self) -> str:
        """ISO week label, e.g. "2026-W47"."""
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True, slots=True)
class RequesterGroup:
    """Tickets of one requester (by blind key, never a phone or name) in an area."""

    requester_key: str
    ticket_count: int
    last_ticket_at: dt.datetime
    ticket_ids: tuple[uuid.UUID, ...]   # newest first, at most REQUESTER_TICKETS_SHOWN


def week_start(moment: dt.datetime) -> dt.date:
    """The Monday (China time) of the ISO week `moment` falls in."""
    day = moment.astimezone(CHINA).date()
    return day - dt.timedelta(days=day.weekday())


def week_start_at(day: dt.date) -> dt.datetime:
    """Monday 00:00 China time of `day`, as a UTC instant (a bound for SQL)."""
    return dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.UTC)


def is_spike(count: int, previous: Sequence[int]) -> bool:
    """See the module docstring; `previous` are the counts of the weeks before (zeros included)."""
    mean = sum(previous) / len(previous) if previous else 0.0
    return count >= SPIKE_MIN_COUNT and count >= SPIKE_FACTOR * mean


def hot_spots(counts: Iterable[WeekCount], first_week: dt.date, weeks: int) -> list[HotSpot]:
    """The non-empty (category, place, week) cells of the `weeks` weeks from `first_week`, each
    with its spike flag; `counts` also covers the SPIKE_BASELINE_WEEKS before `first_week`.
    Newest week first, then the largest counts."""
    by_cell = {(c.category, c.place_id, c.week_start): c.count for c in counts}
    shown = {first_week + dt.timedelta(weeks=i) for i in range(weeks)}
    out = []
    for (category, place, start), count in by_cell.items():
        if start not in shown or count <= 0:
            continue
        previous = [by_cell.get((category, place, start - dt.timedelta(weeks=i)), 0)
                    for i in range(1, SPIKE_BASELINE_WEEKS + 1)]
        out.append(HotSpot(category, place, start, count, is_spike(count, previous)))
    out.sort(key=lambda h: (-h.week_start.toordinal(), -h.count, h.category, str(h.place_id)))
    return out


def opaque_key(requester_key: str) -> str:
    """What the API shows for a requester: a truncated SHA-256 of the stored blind key, stable
    across requests so a repeat requester can be followed, revealing no phone or resident id."""
    return hashlib.sha256(requester_key.encode()).hexdigest()[:16]
