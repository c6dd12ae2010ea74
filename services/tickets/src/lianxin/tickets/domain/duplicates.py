"""Which tickets a demand is compared with when suggesting duplicates (重复诉求提示): open ones
(or resolved within a month) of the same area and top-level category from the last quarter.
How alike two texts are is `similarity`; merging (并单) is a separate, human step."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from lianxin.tickets.domain.category import lineage
from lianxin.tickets.domain.ticket import OPEN_STATUSES, OrgUnitRef, Status, Ticket

SUBMITTED_WITHIN = dt.timedelta(days=90)
RESOLVED_WITHIN = dt.timedelta(days=30)   # a resolved problem that comes back is worth a look
MAX_SUGGESTIONS = 20
AREA_KINDS = ("village", "community")
SUGGESTED_STATUSES = OPEN_STATUSES | {Status.RESOLVED}


def top_category(code: str) -> str:
    """"water.supply" → "water": suggestions compare within a top-level category, since the
    person recording a demand often picks a sibling sub-category of an earlier report."""
    return lineage(code)[0]


def area_of(unit: OrgUnitRef, units: Mapping[uuid.UUID, OrgUnitRef]) -> uuid.UUID:
    """The area whose tickets a demand at `unit` is compared with: the village or community it
    lies in (a grid's village); else its township (a demand recorded at the township); else the
    unit itself (county-level). `units` holds the unit's ancestors by id."""
    chain = [units.get(i) for i in reversed(unit.path)] or [unit]
    for kinds in (AREA_KINDS, ("township",)):
        for u in chain:
            if u is not None and u.kind in kinds:
                return u.id
    return unit.id


def is_candidate(t: Ticket, now: dt.datetime) -> bool:
    """Open, or resolved within RESOLVED_WITHIN, and submitted within SUBMITTED_WITHIN."""
    if t.status not in SUGGESTED_STATUSES or t.submitted_at < now - SUBMITTED_WITHIN:
        return False
    return t.status is not Status.RESOLVED or (
        t.resolved_at is not None and t.resolved_at >= now - RESOLVED_WITHIN)
