"""Visits and people's-condition diaries (走访 / 民情日记) logged from the cadres' app.

The app works offline and resends: the client chooses the visit id, so a resend with the same
content returns the stored visit and writes nothing; the same id with other content is a CONFLICT.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from lianxin.people.app.common import Scope, visible
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.app.work import check_write_scope, existing_unit, visible_cadres
from lianxin.people.domain.common import created_or_retried
from lianxin.people.domain.errors import InvalidInput, NotFound
from lianxin.people.domain.events import VisitLogged
from lianxin.people.domain.visit import Visit, VisitKind, new_visit


@dataclass(frozen=True, slots=True)
class LogVisit:
    id: uuid.UUID
    kind: VisitKind
    cadre_id: uuid.UUID
    visited_on: dt.date
    org_unit_id: uuid.UUID | None = None  # default: the (first) visited household's unit
    place: str = ""
    notes: str = ""
    participant_cadre_ids: tuple[uuid.UUID, ...] = ()
    household_ids: tuple[uuid.UUID, ...] = ()
    ticket_ids: tuple[uuid.UUID, ...] = ()  # demands raised: tickets-service ids, kept as given
    campaign_id: uuid.UUID | None = None


async def log_visit(cmd: LogVisit, uow: UnitOfWork, scope: Scope | None = None, *,
                    recorded_by: str, today: dt.date) -> Visit:
    """Log a visit recorded by the cadre's app, possibly offline and sent again: a retry with
    the same id and content returns the stored visit and writes nothing."""
    async with uow:
        await visible_cadres(uow, scope, [cmd.cadre_id], "cadreId")
        await visible_cadres(uow, scope, list(dict.fromkeys(cmd.participant_cadre_ids)),
                      "participantCadreIds")
        households = {h.id: h for h in await uow.households.get_many(cmd.household_ids)
                      if visible(scope, h.org_path)}
        missing = [str(h) for h in cmd.household_ids if h not in households]
        if missing:
            raise NotFound(f"no household {', '.join(missing)} in your org scope",
                           field="householdIds")
        if cmd.org_unit_id is not None:
            place = await existing_unit(uow, cmd.org_unit_id, "orgUnitId")
        elif cmd.household_ids:
            place = await existing_unit(uow, households[cmd.household_ids[0]].org_unit_id, "orgUnitId")
        elif cmd.kind is VisitKind.HOME_VISIT:
            raise InvalidInput("a home visit (入户走访) is to exactly one household: give one "
                               "householdIds entry", field="householdIds")
        else:
            raise InvalidInput("orgUnitId is needed when no household is named", field="orgUnitId")
        check_write_scope(scope, place, "the place visited")
        if cmd.campaign_id is not None and not await uow.campaigns.get_many([cmd.campaign_id]):
            raise NotFound(f"campaign {cmd.campaign_id} does not exist", field="campaignId")
        new = new_visit(cmd.id, cmd.kind, cadre_id=cmd.cadre_id, place_unit=place,
                        visited_on=cmd.visited_on, today=today, place=cmd.place, notes=cmd.notes,
                        participant_cadre_ids=list(cmd.participant_cadre_ids),
                        household_ids=list(cmd.household_ids), ticket_ids=list(cmd.ticket_ids),
                        campaign_id=cmd.campaign_id)
        existing = await uow.visits.get_many([cmd.id])
        visit, created = created_or_retried(new, existing[0] if existing else None, "visit", cmd.id)
        if not created:
            return visit
        if not await uow.visits.add(visit, recorded_by=recorded_by):
            stored = await uow.visits.get_many([cmd.id])
            return created_or_retried(new, stored[0] if stored else None, "visit", cmd.id)[0]
        uow.record(VisitLogged(visit))
        await uow.commit()
        return visit
