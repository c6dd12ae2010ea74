"""SQL read models of the people service's cadres and pairings (fed by people.v1), and the
contact-card tokens that name a pairing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from lianxin.kit.tokens import InvalidLinkToken, token_from_qr_payload, verify_token
from lianxin.tickets.adapters.tables import cadre_ref, pairing_ref
from lianxin.tickets.domain.people_refs import CadreRef, PairingRef
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

# The purpose the people service signs contact cards with (people/api/contact_cards.py).
CARD_PURPOSE = "contact-card"


def _cadre(r: Any) -> CadreRef:
    return CadreRef(id=r.id, subject=r.subject, work_unit_id=r.work_unit_id,
                    org_path=tuple(r.org_path))


def _pairing(r: Any) -> PairingRef:
    return PairingRef(id=r.id, cadre_id=r.cadre_id, household_id=r.household_id,
                      contact_point_id=r.contact_point_id, org_path=tuple(r.org_path),
                      active=r.active)


class SqlCadreRefs:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, cadre_id: uuid.UUID) -> CadreRef | None:
        row = (await self._session.execute(
            sa.select(cadre_ref).where(cadre_ref.c.id == cadre_id))).first()
        return _cadre(row) if row is not None else None

    async def by_subject(self, subject: str) -> CadreRef | None:
        row = (await self._session.execute(
            sa.select(cadre_ref).where(cadre_ref.c.subject == subject)
            .order_by(cadre_ref.c.id).limit(1))).first()
        return _cadre(row) if row is not None else None

    async def upsert(self, c: CadreRef) -> None:
        values = {"subject": c.subject, "work_unit_id": c.work_unit_id,
                  "org_path": list(c.org_path)}
        await self._session.execute(insert(cadre_ref).values(id=c.id, **values)
                                    .on_conflict_do_update(index_elements=[cadre_ref.c.id],
                                                           set_=values))


class SqlPairingRefs:
    def __init__(self, session: AsyncSession, link_token_secret: str) -> None:
        self._session = session
        self._secret = link_token_secret

    async def get(self, pairing_id: uuid.UUID) -> PairingRef | None:
        row = (await self._session.execute(
            sa.select(pairing_ref).where(pairing_ref.c.id == pairing_id))).first()
        return _pairing(row) if row is not None else None

    async def upsert(self, p: PairingRef) -> None:
        values = {"cadre_id": p.cadre_id, "household_id": p.household_id,
                  "contact_point_id": p.contact_point_id, "org_path": list(p.org_path)}
        # `active` is left alone on conflict: a pairing id is never re-created, so a late
        # redelivery of PairingCreated must not revive a pairing that has ended.
        await self._session.execute(insert(pairing_ref).values(id=p.id, active=p.active, **values)
                                    .on_conflict_do_update(index_elements=[pairing_ref.c.id],
                                                           set_=values))

    async def end(self, pairing_id: uuid.UUID) -> None:
        await self._session.execute(sa.update(pairing_ref).where(pairing_ref.c.id == pairing_id)
                                    .values(active=False))

    def card_pairing_id(self, token: str, now: dt.datetime) -> uuid.UUID:
        text = token.strip()
        raw = token_from_qr_payload(text) if "/" in text else text
        subject = verify_token(self._secret, CARD_PURPOSE, raw, now=int(now.timestamp()))
        try:
            return uuid.UUID(subject)
        except ValueError:
            raise InvalidLinkToken("the code could not be read as a lianxin card; ask for a new "
                                   "card", reason="malformed") from None
