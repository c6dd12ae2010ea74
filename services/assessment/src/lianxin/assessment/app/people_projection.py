"""People read models (org tree, households, cadres, pairings, visits, campaigns) projected from
people.v1 — what coverage and the vanguard index count, and how scope is checked. `project`
(app/projection.py) calls `apply_people_events` with the people.v1 events of its batch, in its
transaction.

Every write is an upsert (or an update by id), so applying an event twice — a replay, a
redelivery the dedupe missed — leaves the same rows. Residents and needs tags carry nothing
this service counts, so they are skipped (and no personal data is kept at all). A run of
events that each write one row of the same table goes to storage at once
(`apply_people_events`), rows in event order.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from google.protobuf.message import Message
from lianxin.assessment.domain.coverage import CampaignTerms
from lianxin.assessment.domain.periods import china_day
from lianxin.events.v1 import people_pb2 as pb
from lianxin.events.v1.envelope_pb2 import Envelope

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OrgUnitRow:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    kind: str                        # county, township, village, community, grid, department…
    path: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    id: uuid.UUID
    org_unit_id: uuid.UUID
    org_path: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class CadreRow:
    id: uuid.UUID
    subject: str | None
    work_unit_id: uuid.UUID | None
    org_path: tuple[uuid.UUID, ...]
    rank: str                        # lower-case rank name; "" for a member without office
    party_member: bool
    branch_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class PairingRow:
    id: uuid.UUID
    cadre_id: uuid.UUID
    household_id: uuid.UUID | None
    contact_point_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    org_path: tuple[uuid.UUID, ...]
    started_on: dt.date | None
    card_no: str | None


@dataclass(frozen=True, slots=True)
class VisitRow:
    id: uuid.UUID
    kind: str
    cadre_id: uuid.UUID
    participant_ids: tuple[uuid.UUID, ...]
    household_ids: tuple[uuid.UUID, ...]
    org_unit_id: uuid.UUID | None
    org_path: tuple[uuid.UUID, ...]
    visited_on: dt.date
    campaign_id: uuid.UUID | None


class PeopleReadModels(Protocol):
    """Writes of the read models. Rows carrying an org path take the path of their unit (the
    path's last id) as the org tree stands, when the unit is known: events of different
    aggregates can arrive in another order than they happened, and a path copied from an
    event emitted before a move would otherwise stay stale."""

    async def put_org_unit(self, unit: OrgUnitRow) -> None: ...
    async def rename_org_unit(self, unit_id: uuid.UUID, name: str) -> None: ...
    async def move_org_unit(self, unit_id: uuid.UUID, parent_id: uuid.UUID | None,
                            path: tuple[uuid.UUID, ...]) -> None: ...
    # Rows in event order, each written as if alone (a run of events of one kind at once).
    async def put_households(self, rows: Sequence[tuple[HouseholdRow, dt.datetime]]) -> None: ...
    async def put_cadres(self, rows: Sequence[CadreRow]) -> None: ...
    async def put_pairings(self, rows: Sequence[PairingRow]) -> None: ...
    async def end_pairing(self, pairing_id: uuid.UUID, ended_on: dt.date) -> None: ...
    async def put_visits(self, rows: Sequence[VisitRow]) -> None: ...
    async def put_campaign(self, campaign: CampaignTerms) -> None: ...


class PeopleUnitOfWork(Protocol):
    people: PeopleReadModels


def _id(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _ids(values: Iterable[str]) -> tuple[uuid.UUID, ...]:
    return tuple(uuid.UUID(v) for v in values if v)


def _day(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _enum_name(enum: Any, value: int, prefix: str) -> str:
    """"ORG_UNIT_KIND_TOWNSHIP" → "township"; the unspecified member → ""."""
    return "" if value == 0 else str(enum.Name(value)).removeprefix(prefix).lower()


def _china_day(env: Envelope) -> dt.date:
    return china_day(env.occurred_at.ToDatetime(tzinfo=dt.UTC))


async def _org_unit(uow: PeopleUnitOfWork, env: Envelope, m: pb.OrgUnitCreated) -> None:
    await uow.people.put_org_unit(OrgUnitRow(
        uuid.UUID(m.org_unit_id), _id(m.parent_id), m.name,
        _enum_name(pb.OrgUnitKind, m.kind, "ORG_UNIT_KIND_"), _ids(m.path)))


async def _renamed(uow: PeopleUnitOfWork, env: Envelope, m: pb.OrgUnitRenamed) -> None:
    await uow.people.rename_org_unit(uuid.UUID(m.org_unit_id), m.name)


async def _moved(uow: PeopleUnitOfWork, env: Envelope, m: pb.OrgUnitMoved) -> None:
    await uow.people.move_org_unit(uuid.UUID(m.org_unit_id), _id(m.parent_id), _ids(m.path))


def _household(env: Envelope, m: pb.HouseholdRegistered | pb.HouseholdChanged
               ) -> tuple[HouseholdRow, dt.datetime]:
    return (HouseholdRow(uuid.UUID(m.household_id), uuid.UUID(m.org_unit_id), _ids(m.org_path)),
            env.occurred_at.ToDatetime(tzinfo=dt.UTC))


def _cadre(env: Envelope, m: pb.CadreRegistered) -> CadreRow:
    return CadreRow(
        uuid.UUID(m.cadre_id), m.subject or None, _id(m.work_unit_id), _ids(m.org_path),
        _enum_name(pb.CadreRank, m.rank, "CADRE_RANK_"), m.party_member, _id(m.branch_id))


def _pairing(env: Envelope, m: pb.PairingCreated) -> PairingRow:
    return PairingRow(
        uuid.UUID(m.pairing_id), uuid.UUID(m.cadre_id), _id(m.household_id),
        _id(m.contact_point_id), _id(m.campaign_id), _ids(m.org_path), _day(m.started_on),
        m.card_no or None)


async def _pairing_ended(uow: PeopleUnitOfWork, env: Envelope, m: pb.PairingEnded) -> None:
    await uow.people.end_pairing(uuid.UUID(m.pairing_id), _day(m.ended_on) or _china_day(env))


def _visit(env: Envelope, m: pb.VisitLogged) -> VisitRow:
    return VisitRow(
        uuid.UUID(m.visit_id), _enum_name(pb.VisitKind, m.kind, "VISIT_KIND_"),
        uuid.UUID(m.cadre_id), _ids(m.participant_cadre_ids), _ids(m.household_ids),
        _id(m.org_unit_id), _ids(m.org_path), _day(m.visited_on) or _china_day(env),
        _id(m.campaign_id))


async def _campaign(uow: PeopleUnitOfWork, env: Envelope, m: pb.CampaignCreated) -> None:
    await uow.people.put_campaign(CampaignTerms(
        id=uuid.UUID(m.campaign_id), name=m.name, org_unit_id=_id(m.org_unit_id),
        org_path=_ids(m.org_path), starts_on=_day(m.starts_on), ends_on=_day(m.ends_on),
        min_households=m.min_households,
        quota_by_rank={rank.lower(): n for rank, n in sorted(m.quota_by_rank.items())},
        coverage_target=m.coverage_target, org_unit_ids=_ids(m.org_unit_ids),
        cadre_ids=_ids(m.cadre_ids)))


Handler = Callable[[PeopleUnitOfWork, Envelope, Any], Awaitable[None]]
HANDLERS: dict[str, Handler] = {
    pb.OrgUnitCreated.DESCRIPTOR.full_name: _org_unit,
    pb.OrgUnitRenamed.DESCRIPTOR.full_name: _renamed,
    pb.OrgUnitMoved.DESCRIPTOR.full_name: _moved,
    pb.PairingEnded.DESCRIPTOR.full_name: _pairing_ended,
    pb.CampaignCreated.DESCRIPTOR.full_name: _campaign,
}


@dataclass(frozen=True, slots=True)
class _Rows:
    """Event types whose events each become one row of a table, written a run at a time."""

    row: Callable[[Envelope, Any], Any]
    write: Callable[[PeopleReadModels, list[Any]], Awaitable[None]]


_HOUSEHOLDS = _Rows(_household, lambda people, rows: people.put_households(rows))
ROWS: dict[str, _Rows] = {
    pb.HouseholdRegistered.DESCRIPTOR.full_name: _HOUSEHOLDS,
    pb.HouseholdChanged.DESCRIPTOR.full_name: _HOUSEHOLDS,
    pb.CadreRegistered.DESCRIPTOR.full_name: _Rows(
        _cadre, lambda people, rows: people.put_cadres(rows)),
    pb.PairingCreated.DESCRIPTOR.full_name: _Rows(
        _pairing, lambda people, rows: people.put_pairings(rows)),
    pb.VisitLogged.DESCRIPTOR.full_name: _Rows(
        _visit, lambda people, rows: people.put_visits(rows)),
}


async def apply_people_event(uow: PeopleUnitOfWork, env: Envelope, msg: Message) -> None:
    """Apply one people.v1 event to the read models inside the caller's transaction; event
    types without a read model here (residents, needs tags) are skipped."""
    await apply_people_events(uow, [(env, msg)])


async def apply_people_events(uow: PeopleUnitOfWork, items: Iterable[tuple[Envelope, Message]]
                              ) -> None:
    """Apply people.v1 events in order. A run of consecutive events that each write a row of
    one table (households, cadres, pairings, visits) is written at once, row by row in event
    order — the result of applying them one at a time, for a fraction of the round trips."""
    kind: _Rows | None = None
    run: list[Any] = []
    for env, msg in items:
        name = msg.DESCRIPTOR.full_name
        rows = ROWS.get(name)
        handler = HANDLERS.get(name)
        if rows is None and handler is None:   # it changes nothing: the run goes on
            log.debug("people event %s has no read model here", name)
            continue
        if run and rows is not kind:
            assert kind is not None
            await kind.write(uow.people, run)
            run = []
        kind = rows
        if rows is not None:
            run.append(rows.row(env, msg))
            continue
        assert handler is not None
        await handler(uow, env, msg)
    if run:
        assert kind is not None
        await kind.write(uow.people, run)
