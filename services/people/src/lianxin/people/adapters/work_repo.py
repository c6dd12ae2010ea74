"""SQL repositories for cadres, campaigns, pairings (with their card numbers) and visits.

A cadre's phone is sealed (`phone_enc`) with a blind index (`phone_bi`), as for residents.
Per-parent pages (cadres under each unit, visits of each cadre) are one LATERAL query for the
whole batch, so a DataLoader asking for 50 parents still costs one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.kit.settings import PiiConfig
from lianxin.people.adapters.tables import cadre, campaign, card_no_seq, pairing, visit
from lianxin.people.app.work_ports import CadreKey, VisitKey
from lianxin.people.domain.cadre import Cadre, DutyPost, Rank
from lianxin.people.domain.campaign import Campaign
from lianxin.people.domain.org import OrgUnit
from lianxin.people.domain.pairing import Pairing
from lianxin.people.domain.visit import Visit, VisitKind
from sqlalchemy.dialects.postgresql import ARRAY, UUID, array, insert
from sqlalchemy.ext.asyncio import AsyncSession

PHONE_COLUMN = "cadre.phone"
Row = sa.Row[Any]


def card_number(n: int) -> str:
    """`LX-000123`: six digits at least, more once the sequence passes a million."""
    return f"LX-{n:06d}"


def _ids(name: str, values: Sequence[uuid.UUID]) -> sa.TableValuedAlias:
    """`unnest(:values) WITH ORDINALITY AS name(key, ord)`: the batch's keys as a table."""
    return (sa.func.unnest(sa.cast(sa.literal(list(values), ARRAY(UUID(as_uuid=True))),
                                   ARRAY(UUID(as_uuid=True))))
            .table_valued("key", with_ordinality="ord").render_derived(name=name))


class SqlCadres:
    def __init__(self, session: AsyncSession, pii: PiiConfig) -> None:
        self._session = session
        self._pii = pii

    def _to_domain(self, row: Row) -> Cadre:
        return Cadre(
            id=row.id, name=row.name, work_unit_id=row.work_unit_id, org_path=tuple(row.org_path),
            rank=Rank(row.rank) if row.rank else None, party_member=row.party_member,
            branch_id=row.branch_id, duty_post=DutyPost(row.duty_post) if row.duty_post else None,
            phone=(self._pii.cipher.decrypt(row.phone_enc, column=PHONE_COLUMN)
                   if row.phone_enc is not None else None),
            subject=row.subject, version=row.version)

    async def _select(self, where: sa.ColumnElement[bool]) -> list[Cadre]:
        rows = await self._session.execute(sa.select(cadre).where(where))
        return [self._to_domain(r) for r in rows]

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Cadre]:
        return await self._select(cadre.c.id.in_(list(ids))) if ids else []

    async def by_subjects(self, subjects: Sequence[str]) -> list[Cadre]:
        return await self._select(cadre.c.subject.in_(list(subjects))) if subjects else []

    def phone_key(self, phone: str) -> str:
        return self._pii.blind_index.digest("phone", phone).hex()

    async def by_phone(self, phone: str) -> list[Cadre]:
        return await self._select(cadre.c.phone_bi == self._pii.blind_index.digest("phone", phone))

    async def pages_under(self, roots: Sequence[uuid.UUID], rank: Rank | None,
                          after: CadreKey | None, limit: int) -> list[list[Cadre]]:
        if not roots:
            return []
        keys = _ids("r", roots)
        where = cadre.c.org_path.contains(array([keys.c.key]))
        if rank is not None:
            where &= cadre.c.rank == rank.value
        if after is not None:
            where &= sa.tuple_(cadre.c.name, cadre.c.id) > sa.tuple_(*after)
        page = (sa.select(cadre).where(where).order_by(cadre.c.name, cadre.c.id).limit(limit)
                .lateral("c"))
        rows = await self._session.execute(
            sa.select(keys.c.key.label("root_key"), page).select_from(keys.join(page, sa.true()))
            .order_by(keys.c.ord, page.c.name, page.c.id))
        by_root: dict[uuid.UUID, list[Cadre]] = {r: [] for r in roots}
        for row in rows:
            by_root[row.root_key].append(self._to_domain(row))
        return [by_root[r] for r in roots]

    async def add(self, new: Cadre) -> bool:
        phone = new.phone
        stmt = insert(cadre).values(
            id=new.id, name=new.name, work_unit_id=new.work_unit_id, org_path=list(new.org_path),
            rank=new.rank.value if new.rank else None, party_member=new.party_member,
            branch_id=new.branch_id, duty_post=new.duty_post.value if new.duty_post else None,
            phone_enc=self._pii.cipher.encrypt(phone, column=PHONE_COLUMN) if phone else None,
            phone_bi=self._pii.blind_index.digest("phone", phone) if phone else None,
            subject=new.subject, version=new.version)
        # No conflict target: a taken id and a taken sign-in subject both insert nothing.
        result = await self._session.execute(stmt.on_conflict_do_nothing().returning(cadre.c.id))
        return result.first() is not None


def _campaign(row: Row) -> Campaign:
    return Campaign(
        id=row.id, name=row.name, org_unit_id=row.org_unit_id, org_path=tuple(row.org_path),
        starts_on=row.starts_on, ends_on=row.ends_on, min_households=row.min_households,
        quota_by_rank=tuple(sorted(((Rank(k), int(v)) for k, v in row.quota_by_rank.items()),
                                   key=lambda kv: kv[0].value)),
        coverage_target=row.coverage_target, org_unit_ids=tuple(row.org_unit_ids),
        cadre_ids=tuple(row.cadre_ids), version=row.version)


class SqlCampaigns:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _select(self, where: sa.ColumnElement[bool]) -> list[Campaign]:
        rows = await self._session.execute(sa.select(campaign).where(where))
        return [_campaign(r) for r in rows]

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Campaign]:
        return await self._select(campaign.c.id.in_(list(ids))) if ids else []

    async def concerning(self, unit: OrgUnit) -> list[Campaign]:
        return await self._select(campaign.c.org_path.contains([unit.id])
                                  | campaign.c.org_unit_id.in_(list(unit.path)))

    async def add(self, new: Campaign) -> bool:
        stmt = insert(campaign).values(
            id=new.id, name=new.name, org_unit_id=new.org_unit_id, org_path=list(new.org_path),
            starts_on=new.starts_on, ends_on=new.ends_on, min_households=new.min_households,
            quota_by_rank={rank.value: n for rank, n in new.quota_by_rank},
            coverage_target=new.coverage_target, org_unit_ids=list(new.org_unit_ids),
            cadre_ids=list(new.cadre_ids), version=new.version)
        result = await self._session.execute(stmt.on_conflict_do_nothing().returning(campaign.c.id))
        return result.first() is not None


def _pairing(row: Row) -> Pairing:
    return Pairing(
        id=row.id, cadre_id=row.cadre_id, household_id=row.household_id,
        contact_point_id=row.contact_point_id, campaign_id=row.campaign_id,
        org_path=tuple(row.org_path), started_on=row.started_on, card_no=row.card_no,
        ended_on=row.ended_on, end_reason=row.end_reason, version=row.version)


class SqlPairings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _select(self, where: sa.ColumnElement[bool]) -> list[Pairing]:
        rows = await self._session.execute(
            sa.select(pairing).where(where).order_by(pairing.c.started_on, pairing.c.card_no))
        return [_pairing(r) for r in rows]

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Pairing]:
        return await self._select(pairing.c.id.in_(list(ids))) if ids else []

    async def of_cadres(self, cadre_ids: Sequence[uuid.UUID], active_only: bool) -> list[Pairing]:
        if not cadre_ids:
            return []
        where = pairing.c.cadre_id.in_(list(cadre_ids))
        return await self._select(where & pairing.c.ended_on.is_(None) if active_only else where)

    async def of_households(self, household_ids: Sequence[uuid.UUID],
                            active_only: bool) -> list[Pairing]:
        if not household_ids:
            return []
        where = pairing.c.household_id.in_(list(household_ids))
        return await self._select(where & pairing.c.ended_on.is_(None) if active_only else where)

    async def household_pairings_under(self, root_id: uuid.UUID) -> list[Pairing]:
        return await self._select(pairing.c.org_path.contains([root_id])
                                  & pairing.c.household_id.is_not(None)
                                  & pairing.c.ended_on.is_(None))

    async def active_household_counts(self, cadre_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not cadre_ids:
            return {}
        rows = await self._session.execute(
            sa.select(pairing.c.cadre_id, sa.func.count())
            .where(pairing.c.cadre_id.in_(list(cadre_ids)), pairing.c.household_id.is_not(None),
                   pairing.c.ended_on.is_(None))
            .group_by(pairing.c.cadre_id))
        return {cadre_id: count for cadre_id, count in rows}

    async def add(self, new: Pairing) -> Pairing | None:
        # Card numbers come from the sequence even if the insert then does nothing: a skipped
        # number is harmless, a reused one would put two cards in circulation.
        number: int = (await self._session.execute(sa.select(card_no_seq.next_value()))).scalar_one()
        stored = Pairing(
            id=new.id, cadre_id=new.cadre_id, household_id=new.household_id,
            contact_point_id=new.contact_point_id, campaign_id=new.campaign_id,
            org_path=new.org_path, started_on=new.started_on, card_no=card_number(number),
            version=new.version)
        stmt = insert(pairing).values(
            id=stored.id, cadre_id=stored.cadre_id, household_id=stored.household_id,
            contact_point_id=stored.contact_point_id, campaign_id=stored.campaign_id,
            org_path=list(stored.org_path), started_on=stored.started_on,
            card_no=stored.card_no, version=stored.version)
        # No conflict target, so the partial unique indexes count too: a second active pairing
        # of the same cadre and household inserts nothing (uq_pairing_active_household).
        result = await self._session.execute(stmt.on_conflict_do_nothing().returning(pairing.c.id))
        return stored if result.first() is not None else None

    async def end(self, ended: Pairing) -> None:
        await self._session.execute(
            sa.update(pairing).where(pairing.c.id == ended.id)
            .values(ended_on=ended.ended_on, end_reason=ended.end_reason, version=ended.version))


def _visit(row: Row) -> Visit:
    return Visit(
        id=row.id, kind=VisitKind(row.kind), cadre_id=row.cadre_id, org_unit_id=row.org_unit_id,
        org_path=tuple(row.org_path), visited_on=row.visited_on, place=row.place, notes=row.notes,
        participant_cadre_ids=tuple(row.participant_cadre_ids),
        household_ids=tuple(row.household_ids), ticket_ids=tuple(row.ticket_ids),
        campaign_id=row.campaign_id)


class SqlVisits:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Visit]:
        if not ids:
            return []
        rows = await self._session.execute(sa.select(visit).where(visit.c.id.in_(list(ids))))
        return [_visit(r) for r in rows]

    async def _pages(self, owner_ids: Sequence[uuid.UUID], match: Any, after: VisitKey | None,
                     limit: int) -> list[list[Visit]]:
        if not owner_ids:
            return []
        keys = _ids("k", owner_ids)
        where = match(keys.c.key)
        if after is not None:
            where &= sa.tuple_(visit.c.visited_on, visit.c.id) < sa.tuple_(*after)
        page = (sa.select(visit).where(where)
                .order_by(visit.c.visited_on.desc(), visit.c.id.desc()).limit(limit).lateral("v"))
        rows = await self._session.execute(
            sa.select(keys.c.key.label("owner_key"), page).select_from(keys.join(page, sa.true()))
            .order_by(keys.c.ord, page.c.visited_on.desc(), page.c.id.desc()))
        by_owner: dict[uuid.UUID, list[Visit]] = {o: [] for o in owner_ids}
        for row in rows:
            by_owner[row.owner_key].append(_visit(row))
        return [by_owner[o] for o in owner_ids]

    async def pages_of_cadres(self, cadre_ids: Sequence[uuid.UUID], after: VisitKey | None,
                              limit: int) -> list[list[Visit]]:
        return await self._pages(cadre_ids, lambda key: visit.c.cadre_id == key, after, limit)

    async def pages_of_households(self, household_ids: Sequence[uuid.UUID],
                                  after: VisitKey | None, limit: int) -> list[list[Visit]]:
        return await self._pages(household_ids,
                                 lambda key: visit.c.household_ids.contains(array([key])),
                                 after, limit)

    async def add(self, new: Visit, recorded_by: str) -> bool:
        stmt = insert(visit).values(
            id=new.id, kind=new.kind.value, cadre_id=new.cadre_id, org_unit_id=new.org_unit_id,
            org_path=list(new.org_path), visited_on=new.visited_on, place=new.place,
            notes=new.notes, participant_cadre_ids=list(new.participant_cadre_ids),
            household_ids=list(new.household_ids), ticket_ids=list(new.ticket_ids),
            campaign_id=new.campaign_id, recorded_by=recorded_by)
        result = await self._session.execute(stmt.on_conflict_do_nothing().returning(visit.c.id))
        return result.first() is not None
