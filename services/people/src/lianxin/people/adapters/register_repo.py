"""SQL repositories of the register: households, residents and needs tags.

Domain objects hold clear values; these repositories seal phone, ID number, address and tag
kind (`lianxin.kit.pii.FieldCipher`, bound to "table.column") on the way in, open them on the
way out, and find rows by blind index (`*_bi`). No clear personal value reaches a SQL
statement's parameters, except a resident's name (a plain, indexed column, searched by
substring).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.kit.settings import PiiConfig
from lianxin.people.adapters.tables import household, needs_tag, pairing, resident
from lianxin.people.app.register_ports import HouseholdFilter, HouseholdKey, ResidentFilter, ResidentKey
from lianxin.people.domain.register import (
    Gender,
    Household,
    NeedsTag,
    NeedsTagKind,
    Relation,
    Resident,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

# Blind-index kinds (the HMAC's domain separator) and the columns ciphertexts are bound to.
PHONE, ID_NUMBER, TAG_KIND = "phone", "id_number", "needs_tag.kind"
_C = "C"  # byte-order collation: keyset comparisons and ORDER BY agree on every server


def _opt_seal(pii: PiiConfig, value: str | None, column: str) -> bytes | None:
    return None if value is None else pii.cipher.encrypt(value, column=column)


def _opt_open(pii: PiiConfig, blob: bytes | None, column: str) -> str | None:
    return None if blob is None else pii.cipher.decrypt(blob, column=column)


def _inserted(result: Any) -> bool:
    return result.first() is not None


class SqlHouseholds:
    def __init__(self, session: AsyncSession, pii: PiiConfig) -> None:
        self._session = session
        self._pii = pii

    def _to_domain(self, row: Any) -> Household:
        return Household(id=row.id, org_unit_id=row.org_unit_id, org_path=tuple(row.org_path),
                         household_no=row.household_no,
                         address=self._pii.cipher.decrypt(row.address_enc, column="household.address"),
                         head_resident_id=row.head_resident_id, version=row.version)

    async def _select(self, query: sa.Select[Any]) -> list[Household]:
        return [self._to_domain(r) for r in await self._session.execute(query)]

    async def get(self, household_id: uuid.UUID) -> Household | None:
        found = await self._select(sa.select(household).where(household.c.id == household_id))
        return found[0] if found else None

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Household]:
        return await self._select(sa.select(household).where(household.c.id.in_(list(ids)))) if ids else []

    async def by_number(self, org_unit_id: uuid.UUID, household_no: str) -> Household | None:
        found = await self._select(sa.select(household).where(
            household.c.org_unit_id == org_unit_id, household.c.household_no == household_no))
        return found[0] if found else None

    async def add(self, h: Household) -> bool:
        # No conflict target: a concurrent insert of the same id or the same (unit, number)
        # waits for the other transaction, then inserts nothing, and the use case re-reads.
        stmt = insert(household).values(
            id=h.id, org_unit_id=h.org_unit_id, org_path=list(h.org_path),
            household_no=h.household_no, address_enc=self._pii.cipher.encrypt(
                h.address, column="household.address"),
            head_resident_id=h.head_resident_id, version=h.version)
        return _inserted(await self._session.execute(
            stmt.on_conflict_do_nothing().returning(household.c.id)))

    async def update(self, h: Household) -> bool:
        result = await self._session.execute(
            sa.update(household).where(household.c.id == h.id, household.c.version == h.version - 1)
            .values(household_no=h.household_no, head_resident_id=h.head_resident_id,
                    address_enc=self._pii.cipher.encrypt(h.address, column="household.address"),
                    version=h.version).returning(household.c.id))
        return _inserted(result)

    async def in_subtree(self, where: HouseholdFilter, after: HouseholdKey | None,
                         limit: int) -> list[Household]:
        number = household.c.household_no.collate(_C)
        query = sa.select(household).where(household.c.org_path.contains([where.root_id]))
        active_tag = sa.select(1).where(
            needs_tag.c.household_id == household.c.id, needs_tag.c.since <= where.on,
            sa.or_(needs_tag.c.until.is_(None), needs_tag.c.until > where.on))
        if where.needs_help is not None:
            query = query.where(sa.exists(active_tag) if where.needs_help else ~sa.exists(active_tag))
        if where.needs_tag is not None:
            digest = self._pii.blind_index.digest(TAG_KIND, where.needs_tag.value)
            query = query.where(sa.exists(active_tag.where(needs_tag.c.kind_bi == digest)))
        if where.paired is not None:
            paired = sa.exists(sa.select(1).where(pairing.c.household_id == household.c.id,
                                                  pairing.c.ended_on.is_(None)))
            query = query.where(paired if where.paired else ~paired)
        if after is not None:
            query = query.where(sa.tuple_(number, household.c.id) > sa.tuple_(
                sa.literal(after[0]).collate(_C), sa.literal(after[1], household.c.id.type)))
        return await self._select(query.order_by(number, household.c.id).limit(limit))


class SqlResidents:
    def __init__(self, session: AsyncSession, pii: PiiConfig) -> None:
        self._session = session
        self._pii = pii

    def id_number_key(self, id_number: str) -> str:
        return self._pii.blind_index.digest(ID_NUMBER, id_number).hex()

    def _to_domain(self, row: Any) -> Resident:
        return Resident(
            id=row.id, household_id=row.household_id, org_unit_id=row.org_unit_id,
            org_path=tuple(row.org_path), name=row.name, gender=Gender(row.gender),
            birth_year=row.birth_year, relation=Relation(row.relation),
            phone=_opt_open(self._pii, row.phone_enc, "resident.phone"),
            id_number=_opt_open(self._pii, row.id_number_enc, "resident.id_number"),
            version=row.version)

    def _sealed(self, r: Resident) -> dict[str, Any]:
        bi = self._pii.blind_index
        return dict(
            name=r.name, gender=r.gender.value, birth_year=r.birth_year, relation=r.relation.value,
            phone_enc=_opt_seal(self._pii, r.phone, "resident.phone"),
            phone_bi=bi.digest(PHONE, r.phone) if r.phone else None,
            id_number_enc=_opt_seal(self._pii, r.id_number, "resident.id_number"),
            id_number_bi=bi.digest(ID_NUMBER, r.id_number) if r.id_number else None,
            version=r.version)

    async def _select(self, query: sa.Select[Any]) -> list[Resident]:
        return [self._to_domain(r) for r in await self._session.execute(query)]

    async def get(self, resident_id: uuid.UUID) -> Resident | None:
        found = await self._select(sa.select(resident).where(resident.c.id == resident_id))
        return found[0] if found else None

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Resident]:
        return await self._select(sa.select(resident).where(resident.c.id.in_(list(ids)))) if ids else []

    async def of_households(self, household_ids: Sequence[uuid.UUID]) -> list[Resident]:
        if not household_ids:
            return []
        return await self._select(sa.select(resident).where(
            resident.c.household_id.in_(list(household_ids))))

    async def by_id_number(self, id_number: str) -> Resident | None:
        found = await self._select(sa.select(resident).where(
            resident.c.id_number_bi == self._pii.blind_index.digest(ID_NUMBER, id_number)))
        return found[0] if found else None

    async def add(self, r: Resident) -> bool:
        stmt = insert(resident).values(id=r.id, household_id=r.household_id,
                                       org_unit_id=r.org_unit_id, org_path=list(r.org_path),
                                       **self._sealed(r))
        return _inserted(await self._session.execute(
            stmt.on_conflict_do_nothing().returning(resident.c.id)))

    async def update(self, r: Resident) -> bool:
        return _inserted(await self._session.execute(
            sa.update(resident).where(resident.c.id == r.id, resident.c.version == r.version - 1)
            .values(**self._sealed(r)).returning(resident.c.id)))

    async def search(self, where: ResidentFilter, after: ResidentKey | None,
                     limit: int) -> list[Resident]:
        name = resident.c.name.collate(_C)
        query = sa.select(resident)
        if where.roots is not None:
            query = query.where(resident.c.org_path.overlap(list(where.roots)))
        if where.name:
            pattern = where.name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(resident.c.name.ilike(f"%{pattern}%", escape="\\"))
        bi = self._pii.blind_index
        if where.phone:
            query = query.where(resident.c.phone_bi == bi.digest(PHONE, where.phone))
        if where.id_number:
            query = query.where(resident.c.id_number_bi == bi.digest(ID_NUMBER, where.id_number))
        if after is not None:
            query = query.where(sa.tuple_(name, resident.c.id) > sa.tuple_(
                sa.literal(after[0]).collate(_C), sa.literal(after[1], resident.c.id.type)))
        return await self._select(query.order_by(name, resident.c.id).limit(limit))


class SqlNeedsTags:
    def __init__(self, session: AsyncSession, pii: PiiConfig) -> None:
        self._session = session
        self._pii = pii

    def kind_key(self, kind: NeedsTagKind) -> str:
        return self._pii.blind_index.digest(TAG_KIND, kind.value).hex()

    def _to_domain(self, row: Any) -> NeedsTag:
        kind = NeedsTagKind(self._pii.cipher.decrypt(row.kind_enc, column="needs_tag.kind"))
        return NeedsTag(id=row.id, household_id=row.household_id, kind=kind, since=row.since,
                        until=row.until)

    async def _select(self, query: sa.Select[Any]) -> list[NeedsTag]:
        return [self._to_domain(r) for r in await self._session.execute(query)]

    async def get(self, tag_id: uuid.UUID) -> NeedsTag | None:
        found = await self._select(sa.select(needs_tag).where(needs_tag.c.id == tag_id))
        return found[0] if found else None

    async def of_households(self, household_ids: Sequence[uuid.UUID]) -> list[NeedsTag]:
        if not household_ids:
            return []
        return await self._select(sa.select(needs_tag).where(
            needs_tag.c.household_id.in_(list(household_ids))))

    async def add(self, tag: NeedsTag) -> bool:
        stmt = insert(needs_tag).values(
            id=tag.id, household_id=tag.household_id,
            kind_enc=self._pii.cipher.encrypt(tag.kind.value, column="needs_tag.kind"),
            kind_bi=self._pii.blind_index.digest(TAG_KIND, tag.kind.value),
            since=tag.since, until=tag.until)
        return _inserted(await self._session.execute(
            stmt.on_conflict_do_nothing().returning(needs_tag.c.id)))

    async def update(self, tag: NeedsTag) -> None:
        await self._session.execute(sa.update(needs_tag).where(needs_tag.c.id == tag.id).values(
            until=tag.until, version=needs_tag.c.version + 1))
