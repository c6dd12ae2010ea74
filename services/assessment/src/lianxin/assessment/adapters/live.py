"""The projection's change feed, for the screen wall: the projection's unit of work sends
`pg_notify('lianxin_assessment_changes', '{"units": [ids…]}')` (or `{"units": "*"}` when the list
would not fit PostgreSQL's 8000-byte payload; adapters/uow.py) with each batch it commits, and
every process that serves dashboards listens through the kit's hub (one LISTEN connection per
process). Ids only: the payload says *where* figures changed, the dashboard reads them."""

from __future__ import annotations

import json
import logging
import uuid

from lianxin.assessment.adapters.uow import CHANGES_CHANNEL
from lianxin.assessment.app.dashboard import Changed
from lianxin.kit.live import Feed, LiveHub
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

CHANNEL = CHANGES_CHANNEL   # the unit of work sends (changes_payload) at commit
EVERYTHING = "*"
ALL = json.dumps({"units": EVERYTHING})   # "every figure may have changed" (after a replay)


def decode(payload: str) -> Changed | None:
    """The notice, or None (logged) for a payload that is not ours."""
    try:
        units = json.loads(payload)["units"]
        if units == EVERYTHING:
            return Changed(None)
        if not isinstance(units, list):
            raise TypeError(type(units).__name__)
        return Changed(frozenset(uuid.UUID(u) for u in units))
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("ignoring a malformed payload on %s: %.200r", CHANNEL, payload)
        return None


FEED: Feed[Changed] = Feed(CHANNEL, decode, name="live assessment feed")


def hub_for(engine: AsyncEngine) -> LiveHub[Changed]:
    """The process's hub for this engine (it connects with its first subscriber)."""
    return FEED.hub(engine)
