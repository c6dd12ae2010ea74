"""Ledger import (台账导入): the items counties already keep in Excel — with their state and
history where the ledger records them — become tickets, as if they had gone through the
workflow on the days the ledger gives.

Each row's ticket is submitted through intake (`submit_ticket`, marked imported, the ledger's
code as its external reference, dated as the ledger says), then brought to its recorded state
step by step (app/import_steps.py) — each step a history line and the event the live step
emits, stamped with the step's historical time. Rows go a chunk (`CHUNK`) per transaction,
their writes in bulk (app/import_chunk.py); a chunk that fails as a whole goes again a row per
transaction. A bad row is reported as (row, column header, what to fix) and nothing of it is
written; the other rows go on.

Importing again creates nothing: a ticket's id derives from (county, source, ledger code), so a
row imported before counts as `unchanged` and emits nothing. A row whose cells changed since is
reported, naming the cells: an import never overwrites a ticket."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from lianxin.kit.errors import CodedError, InvalidInput
from lianxin.kit.importing.cells import Progress, RowError, SheetRow, cells_of, map_columns, parse
from lianxin.tickets.app.common import Actor, Clock, utcnow
from lianxin.tickets.app.import_chunk import ChunkUnitOfWork
from lianxin.tickets.app.import_names import Names, RowProblems, find_county
from lianxin.tickets.app.import_plan import changed_fields, fingerprint, plan, problems, row_values
from lianxin.tickets.app.import_reads import ImportReads
from lianxin.tickets.app.import_rows import COLUMNS, PERSONAL, LedgerRow, ledger_row
from lianxin.tickets.app.import_steps import ItemSteps
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import transition
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Ticket

LEDGER_NAMESPACE = uuid.UUID("1b972ee7-420c-4101-b938-3335962ede0e")  # never change: ids derive from it
DEFAULT_SOURCE = "ledger"
# Rows per transaction: enough that bulk writes pay off, few enough that a failed chunk retried
# a row at a time costs little.
CHUNK = 1000
PLACE_KINDS = ("county", "township", "village", "community", "grid")
DEPARTMENT_KINDS = ("department",)
# Field names in intake's errors → ledger fields.
_FROM_API = {"orgUnitId": "place", "channel": "channel", "kind": "kind", "category": "category",
             "ledger": "ledger", "urgency": "urgency", "text": "text",
             "contact.name": "contact_name", "contact.phone": "contact_phone",
             "contact.address": "address", "submittedAt": "submitted_at", "externalRef": "code",
             "id": "code"}

# Each call opens one transaction and yields the unit of work the use cases run in; a clean exit
# commits it (a dry run's never does), an exception rolls it back.
Transactions = Callable[[], AbstractAsyncContextManager[UnitOfWork]]


def ledger_ticket_id(county_id: uuid.UUID, source: str, code: str) -> uuid.UUID:
    return uuid.uuid5(LEDGER_NAMESPACE, f"{county_id}:{source}:{code}")


@dataclass(frozen=True, slots=True)
class ImportLedger:
    rows: Sequence[SheetRow]
    # Names the ledger the codes belong to; give each ledger whose codes restart its own.
    source: str = DEFAULT_SOURCE
    county: uuid.UUID | str | None = None  # id or exact name; None: each place's own county
    mapping: Mapping[str, str] | None = None  # field → header where the sheet differs
    chunk: int = CHUNK  # rows per transaction


@dataclass(slots=True)
class LedgerReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len({e.row for e in self.errors})


async def _unchanged(uow: UnitOfWork, ticket: Ticket, row: LedgerRow,
                     values: Mapping[str, object], source: str) -> None:
    """Raise naming the cells that differ from the row this ticket was imported from."""
    history = (await uow.history.for_tickets([ticket.id])).get(ticket.id, [])
    first = next((h.details for h in history
                  if h.action is Action.IMPORT and "fingerprint" in h.details), None)
    fields = changed_fields(str(first["fingerprint"]), values) if first else []
    given = (row.contact.name, row.contact.phone, row.contact.address)
    stored = (ticket.contact.name, ticket.contact.phone, ticket.contact.address)
    fields += [name for name, ours, theirs in zip(PERSONAL, given, stored, strict=True)
               if (ours or None) != (theirs or None)]
    if fields:
        was = f"{source} row {first['row']}" if first else source
        raise RowProblems(*((name, f"differs from when this item was imported as ticket "
                                    f"{ticket.code} (from {was}); an import never changes a "
                                    "ticket: record what happened since in the workflow")
                             for name in fields))


def _at(at: dt.datetime) -> Clock:
    return lambda: at


async def _import_row(uow: UnitOfWork, row: LedgerRow, names: Names, source: str, actor: Actor,
                      clock: Clock) -> str:
    place = await names.unit(uow, row.place, PLACE_KINDS, "place", "village, community or place")
    department = (None if row.department is None else await names.unit(
        uow, row.department, DEPARTMENT_KINDS, "department", "department"))
    category = await names.category(uow, row.category)
    values = row_values(row, place.id, department.id if department else None, category)
    ticket_id = ledger_ticket_id(await names.county_id(uow, place), source, row.code)
    found = await uow.tickets.get_many([ticket_id])
    if found:
        await _unchanged(uow, found[0], row, values, source)
        return "unchanged"
    ticket = await submit_ticket(SubmitTicket(
        id=ticket_id, channel=row.channel, category=category, text=row.text,
        org_unit_id=place.id, kind=row.kind, ledger=row.ledger, urgency=row.urgency,
        contact=row.contact, submitted_at=row.submitted_at, imported=True,
        external_ref=row.code), uow, actor, clock)
    if ticket.version != 1:
        return "unchanged"  # an import running alongside this one wrote it meanwhile
    steps = ItemSteps(row, department, actor, {"source": source, "row": row.number})
    for i, (step, at) in enumerate(plan(row)):
        extra: dict[str, str | int | float | bool | None] | None = (
            {"fingerprint": fingerprint(values)} if i == 0 else None)
        await transition(uow, ticket_id, Action.IMPORT, steps.step(step, extra), actor,
                         clock=_at(at))
    return "created"


def _coded(sheet_row: SheetRow, exc: CodedError, headers: Mapping[str, str]) -> RowError:
    name = _FROM_API.get(str(exc.details.get("field", "")), "")
    return RowError(sheet_row.number, headers.get(name, ""), exc.message)


@dataclass(slots=True)
class _Run:
    """One import's state: the sheet's headers, what it has read once, the codes seen."""

    cmd: ImportLedger
    transactions: Transactions
    actor: Actor
    clock: Clock
    source: str
    headers: Mapping[str, str]
    names: Names
    now: dt.datetime
    reads: ImportReads = field(default_factory=ImportReads)
    seen: dict[str, int] = field(default_factory=dict)  # code → the row it is on
    report: LedgerReport = field(default_factory=LedgerReport)

    def check(self, sheet_row: SheetRow) -> LedgerRow:
        """The row typed and checked on its own (no database); raises RowProblems."""
        values, bad = parse(COLUMNS, cells_of(sheet_row, self.headers))
        if bad:
            raise RowProblems(*bad)
        row = ledger_row(sheet_row.number, values)
        if row.code in self.seen:
            raise RowProblems(("code", f"{row.code} is also on row {self.seen[row.code]}: each "
                                        "item needs its own code"))
        self.seen[row.code] = row.number
        if found := problems(row, self.headers, self.now):
            raise RowProblems(*found)
        return row

    def count(self, outcome: str) -> None:
        self.report.created += outcome == "created"
        self.report.unchanged += outcome == "unchanged"

    async def chunk(self, sheet_rows: Sequence[SheetRow]) -> None:
        errors: dict[int, list[RowError]] = {}
        checked: list[tuple[SheetRow, LedgerRow]] = []
        for sheet_row in sheet_rows:
            try:
                checked.append((sheet_row, self.check(sheet_row)))
            except RowProblems as exc:
                errors[sheet_row.number] = self._problems(sheet_row, exc)
            except CodedError as exc:
                errors[sheet_row.number] = [_coded(sheet_row, exc, self.headers)]
        try:
            outcomes, failed = await self._together(checked)
        except Exception:  # whatever it was, each row gets a transaction of its own
            outcomes, failed = await self._one_by_one(checked)
        errors.update(failed)
        for outcome in outcomes:
            self.count(outcome)
        for number in sorted(errors):
            self.report.errors += errors[number]

    def _problems(self, sheet_row: SheetRow, exc: RowProblems) -> list[RowError]:
        return [RowError(sheet_row.number, self.headers[name], message)
                for name, message in exc.found]

    async def _together(self, checked: Sequence[tuple[SheetRow, LedgerRow]]
                        ) -> tuple[list[str], dict[int, list[RowError]]]:
        """The chunk's rows in one transaction, their writes in bulk (app/import_chunk.py)."""
        outcomes: list[str] = []
        failed: dict[int, list[RowError]] = {}
        async with self.transactions() as uow:
            chunk = ChunkUnitOfWork(uow, self.reads)
            await chunk.check([i for _, row in checked
                               if (i := await self._known_id(chunk, row)) is not None])
            for sheet_row, row in checked:
                chunk.begin_row()
                try:
                    outcomes.append(await _import_row(chunk, row, self.names, self.source,
                                                      self.actor, self.clock))
                    chunk.keep_row()
                except RowProblems as exc:
                    chunk.drop_row()
                    failed[sheet_row.number] = self._problems(sheet_row, exc)
                except CodedError as exc:
                    chunk.drop_row()
                    failed[sheet_row.number] = [_coded(sheet_row, exc, self.headers)]
            await chunk.flush()
        return outcomes, failed

    async def _known_id(self, uow: UnitOfWork, row: LedgerRow) -> uuid.UUID | None:
        """The row's ticket id if its place is known (else its import reports why)."""
        try:
            place = await self.names.unit(uow, row.place, PLACE_KINDS, "place",
                                          "village, community or place")
            return ledger_ticket_id(await self.names.county_id(uow, place), self.source, row.code)
        except RowProblems:
            return None

    async def _one_by_one(self, checked: Sequence[tuple[SheetRow, LedgerRow]]
                          ) -> tuple[list[str], dict[int, list[RowError]]]:
        """One transaction per row: after a chunk failed as a whole (a race with another import,
        say). A failure here too (the database down) stops the import."""
        outcomes: list[str] = []
        failed: dict[int, list[RowError]] = {}
        for sheet_row, row in checked:
            try:
                async with self.transactions() as uow:
                    outcomes.append(await _import_row(uow, row, self.names, self.source,
                                                      self.actor, self.clock))
            except RowProblems as exc:
                failed[sheet_row.number] = self._problems(sheet_row, exc)
            except CodedError as exc:
                failed[sheet_row.number] = [_coded(sheet_row, exc, self.headers)]
        return outcomes, failed


async def import_ledger(cmd: ImportLedger, transactions: Transactions, actor: Actor,
                        clock: Clock = utcnow, progress: Progress | None = None) -> LedgerReport:
    """Import a ledger's rows, a chunk per transaction; safe to run again on the same file.

    The sheet as a whole (unknown mapping fields, missing columns, an unknown county) raises
    InvalidInput before anything is written. A bad row is reported and leaves nothing behind;
    the other rows of its chunk go on. A chunk that fails as a whole is imported again a row
    per transaction; an unexpected failure there (database down) propagates: the chunks before
    it stay imported, and running the import again resumes."""
    source = " ".join(cmd.source.split())
    if not source or len(source) > 100:
        raise InvalidInput("source must name the ledger in 1 to 100 characters", field="source")
    if cmd.chunk < 1:
        raise InvalidInput("chunk must be 1 or more rows", field="chunk")
    rows = list(cmd.rows)
    headers = map_columns("ledger", COLUMNS, cmd.mapping, rows[0] if rows else None)
    county = None
    if cmd.county is not None:
        async with transactions() as uow:
            county = await find_county(uow, cmd.county)
    run = _Run(cmd, transactions, actor, clock, source, headers, Names(county), clock())
    for start in range(0, len(rows), cmd.chunk):
        part = rows[start:start + cmd.chunk]
        await run.chunk(part)
        for done in range(start + 1, start + len(part) + 1):
            run.report.rows = done
            if progress is not None:
                progress(done, len(rows))
    return run.report
