"""Ledger import (台账导入): the items counties already keep in Excel — with their state and
history where the ledger records them — become tickets, as if they had gone through the
workflow on the days the ledger gives.

Each row is one transaction: the ticket is submitted through intake (`submit_ticket`, marked
imported, the ledger's code as its external reference, dated as the ledger says), then brought
to its recorded state step by step (app/import_steps.py) — each step a history line and the
event the live step emits, stamped with the step's historical time. A bad row is reported as
(row, column header, what to fix) and nothing of it is written; the other rows go on.

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
from lianxin.tickets.app.import_names import Names, RowProblems, find_county
from lianxin.tickets.app.import_plan import changed_fields, fingerprint, plan, problems, row_values
from lianxin.tickets.app.import_rows import COLUMNS, PERSONAL, LedgerRow, ledger_row
from lianxin.tickets.app.import_steps import ItemSteps
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import transition
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Ticket

LEDGER_NAMESPACE = uuid.UUID("1b972ee7-420c-4101-b938-3335962ede0e")  # never change: ids derive from it
DEFAULT_SOURCE = "ledger"
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


async def import_ledger(cmd: ImportLedger, transactions: Transactions, actor: Actor,
                        clock: Clock = utcnow, progress: Progress | None = None) -> LedgerReport:
    """Import a ledger's rows, one transaction each; safe to run again on the same file.

    The sheet as a whole (unknown mapping fields, missing columns, an unknown county) raises
    InvalidInput before anything is written. An unexpected failure (database down) propagates:
    the rows before it stay imported, and running the import again resumes."""
    source = " ".join(cmd.source.split())
    if not source or len(source) > 100:
        raise InvalidInput("source must name the ledger in 1 to 100 characters", field="source")
    rows = list(cmd.rows)
    headers = map_columns("ledger", COLUMNS, cmd.mapping, rows[0] if rows else None)
    now = clock()
    county = None
    if cmd.county is not None:
        async with transactions() as uow:
            county = await find_county(uow, cmd.county)
    names, report = Names(county), LedgerReport()
    seen: dict[str, int] = {}  # code → the row it is on
    for done, sheet_row in enumerate(rows, start=1):
        try:
            values, bad = parse(COLUMNS, cells_of(sheet_row, headers))
            if bad:
                raise RowProblems(*bad)
            row = ledger_row(sheet_row.number, values)
            if row.code in seen:
                raise RowProblems(("code", f"{row.code} is also on row {seen[row.code]}: each "
                                            "item needs its own code"))
            seen[row.code] = row.number
            if found := problems(row, headers, now):
                raise RowProblems(*found)
            async with transactions() as uow:
                outcome = await _import_row(uow, row, names, source, actor, clock)
            report.created += outcome == "created"
            report.unchanged += outcome == "unchanged"
        except RowProblems as exc:
            report.errors += [RowError(sheet_row.number, headers[name], message)
                              for name, message in exc.found]
        except CodedError as exc:  # from intake or a step: nothing of the row was committed
            name = _FROM_API.get(str(exc.details.get("field", "")), "")
            report.errors.append(RowError(sheet_row.number, headers.get(name, ""), exc.message))
        report.rows = done
        if progress is not None:
            progress(done, len(rows))
    return report
