"""SQL repositories of the tickets service: tickets (personal data sealed), their history, and
the local org-unit read model."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.kit.paths import reroot
from lianxin.kit.settings import PiiConfig
from lianxin.tickets.adapters.bulk import copy_rows
from lianxin.tickets.adapters.tables import org_unit_ref, ticket, ticket_code_counter, ticket_history
from lianxin.tickets.domain.errors import StaleTicket
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import (
    Channel,
    CloseReason,
    Contact,
    Deadline,
    Kind,
    Ledger,
    OrgUnitRef,
    Outcome,
    Satisfaction,
    Status,
    Ticket,
    Urgency,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

_SEALED = {"contact_name_enc": "ticket.contact_name", "contact_phone_enc": "ticket.contact_phone",
           "address_enc": "ticket.address"}


def _deadline(row: sa.RowMapping, name: str) -> Deadline | None:
    at = row[name]
    return Deadline(at, row[f"{name}_provisional"]) if at is not None else None


def _opt(enum_type: Any, value: str | None) -> Any:
    return enum_type(value) if value is not None else None


# Built once: a statement made per call with .values(**row) was compiled and cache-keyed anew
# each time, a tenth of a submit's CPU (bench/RESULTS.md, P3); the row goes as parameters.
_INSERT_TICKET = insert(ticket).on_conflict_do_nothing(
    index_elements=[ticket.c.id]).returning(ticket.c.id)
_UPDATE_TICKET = sa.update(ticket).where(ticket.c.id == sa.bindparam("_id"),
                                         ticket.c.version == sa.bindparam("_was"))
_INSERT_HISTORY = sa.insert(ticket_history)

class TicketCodec:
    """Rows ↔ tickets; seals and opens the requester's personal data with the service keys."""

    def __init__(self, pii: PiiConfig) -> None:
        self._pii = pii

    def _open(self, row: sa.RowMapping, column: str) -> str | None:
        blob = row[column]
        return self._pii.cipher.decrypt(blob, column=_SEALED[column]) if blob is not None else None

    def _seal(self, value: str | None, column: str) -> bytes | None:
        return self._pii.cipher.encrypt(value, column=_SEALED[column]) if value else None

    def requester_key(self, contact: Contact) -> str | None:
        """Who keeps asking (repeat requesters), without a clear number: the resident's id or
        the phone's blind index."""
        if contact.resident_id is not None:
            return f"r:{contact.resident_id}"
        if contact.phone:
            return "p:" + self._pii.blind_index.digest("phone", contact.phone).hex()
        return None

    def ticket(self, row: sa.RowMapping) -> Ticket:
        return Ticket(
            id=row["id"], code=row["code"], org_unit_id=row["org_unit_id"],
            org_path=tuple(row["org_path"]), channel=Channel(row["channel"]),
            kind=Kind(row["kind"]), category=row["category"], ledger=Ledger(row["ledger"]),
            urgency=Urgency(row["urgency"]), text=row["text"], submitted_by=row["submitted_by"],
            submitted_at=row["submitted_at"], handling_unit_id=row["handling_unit_id"],
            handling_path=tuple(row["handling_path"]),
            contact=Contact(resident_id=row["resident_id"], household_id=row["household_id"],
                            name=self._open(row, "contact_name_enc"),
                            phone=self._open(row, "contact_phone_enc"),
                            address=self._open(row, "address_enc")),
            recorded_by_staff=row["recorded_by_staff"], visit_id=row["visit_id"],
            pairing_id=row["pairing_id"], latitude=row["latitude"], longitude=row["longitude"],
            anonymous=row["anonymous"], confidential=row["confidential"],
            imported=row["imported"], external_ref=row["external_ref"],
            photos=tuple(row["photos"]), requester_key=row["requester_key"], status=Status(row["status"]),
            involved_units=tuple(row["involved_units"]),
            accept_due=_deadline(row, "accept_due"), handle_due=_deadline(row, "handle_due"),
            feedback_due=_deadline(row, "feedback_due"), paused_at=row["paused_at"],
            outcome=_opt(Outcome, row["outcome"]), on_the_spot=row["on_the_spot"],
            resolution=row["resolution"], resolved_at=row["resolved_at"], answer=row["answer"],
            answer_channel=_opt(Channel, row["answer_channel"]), answered_at=row["answered_at"],
            solved=row["solved"], satisfaction=_opt(Satisfaction, row["satisfaction"]),
            rated_at=row["rated_at"], rated_by_staff=row["rated_by_staff"],
            closed_at=row["closed_at"], close_reason=_opt(CloseReason, row["close_reason"]),
            master_id=row["master_id"], reopen_count=row["reopen_count"],
            updated_at=row["updated_at"], version=row["version"])

    def values(self, t: Ticket) -> dict[str, Any]:
        def due(name: str, d: Deadline | None) -> dict[str, Any]:
            return {name: d.at if d else None, f"{name}_provisional": bool(d and d.provisional)}

        c = t.contact
        return {
            "id": t.id, "code": t.code, "org_unit_id": t.org_unit_id, "org_path": list(t.org_path),
            "channel": t.channel.value, "kind": t.kind.value, "category": t.category,
            "ledger": t.ledger.value, "urgency": t.urgency.value, "text": t.text,
            "submitted_by": t.submitted_by, "submitted_at": t.submitted_at,
            "handling_unit_id": t.handling_unit_id, "handling_path": list(t.handling_path),
            "resident_id": c.resident_id, "household_id": c.household_id,
            "contact_name_enc": self._seal(c.name, "contact_name_enc"),
            "contact_phone_enc": self._seal(c.phone, "contact_phone_enc"),
            "address_enc": self._seal(c.address, "address_enc"),
            "requester_key": self.requester_key(c),
            "recorded_by_staff": t.recorded_by_staff, "visit_id": t.visit_id,
            "pairing_id": t.pairing_id, "latitude": t.latitude, "longitude": t.longitude,
            "anonymous": t.anonymous, "confidential": t.confidential, "imported": t.imported,
            "external_ref": t.external_ref, "photos": list(t.photos), "status": t.status.value,
            "involved_units": list(t.involved_units), "reach": list(t.reach),
            **due("accept_due", t.accept_due), **due("handle_due", t.handle_due),
            **due("feedback_due", t.feedback_due), "paused_at": t.paused_at,
            "outcome": t.outcome.value if t.outcome else None, "on_the_spot": t.on_the_spot,
            "resolution": t.resolution, "resolved_at": t.resolved_at, "answer": t.answer,
            "answer_channel": t.answer_channel.value if t.answer_channel else None,
            "answered_at": t.answered_at, "solved": t.solved,
            "satisfaction": t.satisfaction.value if t.satisfaction else None,
            "rated_at": t.rated_at, "rated_by_staff": t.rated_by_staff, "closed_at": t.closed_at,
            "close_reason": t.close_reason.value if t.close_reason else None,
            "master_id": t.master_id, "reopen_count": t.reopen_count,
            "updated_at": t.updated_at or t.submitted_at, "version": t.version,
        }


class SqlTicketRepository:
    def __init__(self, session: AsyncSession, pii: PiiConfig) -> None:
        self._session = session
        self.codec = TicketCodec(pii)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Ticket]:
        if not ids:
            return []
        rows = await self._session.execute(sa.select(ticket).where(ticket.c.id.in_(list(ids))))
        return [self.codec.ticket(r) for r in rows.mappings()]

    async def get_for_update(self, ticket_id: uuid.UUID) -> Ticket | None:
        row = (await self._session.execute(
            sa.select(ticket).where(ticket.c.id == ticket_id).with_for_update())).mappings().first()
        return self.codec.ticket(row) if row is not None else None

    async def add(self, t: Ticket) -> bool:
        # ON CONFLICT waits for a concurrent insert of the same id to commit, then skips it.
        result = await self._session.execute(_INSERT_TICKET, self.codec.values(t))
        return result.first() is not None

    async def add_many(self, tickets: Sequence[Ticket]) -> None:
        """Insert tickets known to be new (an id already stored fails the transaction)."""
        await copy_rows(self._session, ticket, [self.codec.values(t) for t in tickets])

    async def save(self, t: Ticket) -> None:
        values = self.codec.values(t)
        values["_id"], values["_was"] = values.pop("id"), t.version - 1
        result = await self._session.execute(_UPDATE_TICKET, values)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleTicket(f"ticket {t.code} was changed by someone else meanwhile; reload it "
                              "and try again", field="id")

    async def link_visit(self, visit_id: uuid.UUID, ticket_ids: Sequence[uuid.UUID]) -> None:
        await self._session.execute(
            sa.update(ticket).where(ticket.c.id.in_(list(ticket_ids)), ticket.c.visit_id.is_(None))
            .values(visit_id=visit_id))

    async def next_code(self, prefix: str, year: int) -> int:
        # The counter row is locked until commit: codes are gap-free and never repeat.
        stmt = insert(ticket_code_counter).values(prefix=prefix, year=year, last=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[ticket_code_counter.c.prefix, ticket_code_counter.c.year],
            set_={"last": ticket_code_counter.c.last + 1})
        stmt = stmt.returning(ticket_code_counter.c.last)  # type: ignore[assignment]
        return int((await self._session.execute(stmt)).scalar_one())

    async def set_last_code(self, prefix: str, year: int, last: int) -> None:
        """Set the counter a `next_code` of this transaction locked (the ledger importer draws
        a chunk's numbers from it in memory)."""
        await self._session.execute(
            sa.update(ticket_code_counter).where(ticket_code_counter.c.prefix == prefix,
                                                 ticket_code_counter.c.year == year)
            .values(last=last))


def _entry(row: sa.RowMapping) -> HistoryEntry:
    return HistoryEntry(
        id=row["id"], ticket_id=row["ticket_id"], version=row["version"], at=row["at"],
        actor=row["actor"], actor_role=row["actor_role"], action=Action(row["action"]),
        from_status=_opt(Status, row["from_status"]), to_status=Status(row["to_status"]),
        note=row["note"], details=dict(row["details"]))


def _entry_values(e: HistoryEntry) -> dict[str, Any]:
    return {"id": e.id, "ticket_id": e.ticket_id, "version": e.version, "at": e.at,
            "actor": e.actor, "actor_role": e.actor_role, "action": e.action.value,
            "from_status": e.from_status.value if e.from_status else None,
            "to_status": e.to_status.value, "note": e.note, "details": e.details}


class SqlHistoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, e: HistoryEntry) -> None:
        await self._session.execute(_INSERT_HISTORY, _entry_values(e))

    async def add_many(self, entries: Sequence[HistoryEntry]) -> None:
        await copy_rows(self._session, ticket_history, [_entry_values(e) for e in entries])

    async def get(self, entry_id: uuid.UUID) -> HistoryEntry | None:
        row = (await self._session.execute(
            sa.select(ticket_history).where(ticket_history.c.id == entry_id))).mappings().first()
        return _entry(row) if row is not None else None

    async def for_tickets(self, ticket_ids: Sequence[uuid.UUID]
                          ) -> dict[uuid.UUID, list[HistoryEntry]]:
        out: dict[uuid.UUID, list[HistoryEntry]] = {i: [] for i in ticket_ids}
        if ticket_ids:
            rows = await self._session.execute(
                sa.select(ticket_history).where(ticket_history.c.ticket_id.in_(list(ticket_ids)))
                .order_by(ticket_history.c.ticket_id, ticket_history.c.version))
            for r in rows.mappings():
                out[r["ticket_id"]].append(_entry(r))
        return out


def _unit(row: Any) -> OrgUnitRef:
    return OrgUnitRef(id=row.id, parent_id=row.parent_id, name=row.name, kind=row.kind,
                      path=tuple(row.path))


class SqlOrgUnitRefRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, unit_id: uuid.UUID) -> OrgUnitRef | None:
        row = (await self._session.execute(
            sa.select(org_unit_ref).where(org_unit_ref.c.id == unit_id))).first()
        return _unit(row) if row is not None else None

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[OrgUnitRef]:
        if not ids:
            return []
        rows = await self._session.execute(
            sa.select(org_unit_ref).where(org_unit_ref.c.id.in_(list(ids))))
        return [_unit(r) for r in rows]

    async def find_by_name(self, root_id: uuid.UUID | None, name: str,
                           kinds: Sequence[str]) -> list[OrgUnitRef]:
        query = sa.select(org_unit_ref).where(org_unit_ref.c.name == name,
                                              org_unit_ref.c.kind.in_(list(kinds)))
        if root_id is not None:
            query = query.where(org_unit_ref.c.path.contains([root_id]))
        rows = await self._session.execute(query.order_by(org_unit_ref.c.path))
        return [_unit(r) for r in rows]

    async def upsert(self, unit: OrgUnitRef) -> None:
        values = {"id": unit.id, "parent_id": unit.parent_id, "name": unit.name,
                  "kind": unit.kind, "path": list(unit.path)}
        stmt = insert(org_unit_ref).values(**values)
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=[org_unit_ref.c.id], set_={k: v for k, v in values.items() if k != "id"}))

    async def rename(self, unit_id: uuid.UUID, name: str) -> None:
        await self._session.execute(sa.update(org_unit_ref).where(org_unit_ref.c.id == unit_id)
                                    .values(name=name))

    async def move(self, unit_id: uuid.UUID, parent_id: uuid.UUID | None,
                   path: Sequence[uuid.UUID], old_path: Sequence[uuid.UUID]) -> None:
        """Re-root the unit's subtree here and in every path copied onto tickets, assignments,
        whistles and notices (scope and roll-ups follow the move); `reach` is rebuilt."""
        await self._session.execute(sa.update(org_unit_ref).where(org_unit_ref.c.id == unit_id)
                                    .values(parent_id=parent_id))
        for table, column in (("org_unit_ref", "path"), ("ticket", "org_path"),
                              ("ticket", "handling_path"), ("assignment", "department_path"),
                              ("whistle", "blower_path"), ("whistle_task", "department_path"),
                              ("supervision_notice", "supervising_path"),
                              ("cadre_ref", "org_path"), ("pairing_ref", "org_path")):
            await reroot(self._session, table, column, unit_id, path, old_path)
        await self._session.execute(sa.text(
            "UPDATE ticket SET reach = ARRAY(SELECT DISTINCT u FROM unnest("
            "org_path || handling_path || involved_units) AS u) "
            "WHERE org_path @> ARRAY[CAST(:u AS uuid)] OR handling_path @> ARRAY[CAST(:u AS uuid)]"),
            {"u": unit_id})

