"""`lianxin-tickets import ledger FILE`: import a county's ledger (台账) from the command line.

Exit codes: 0 every row imported (created or unchanged), 1 some rows had errors (or the import
stopped: rows before it stay imported, and running it again resumes), 2 bad usage — a file that
cannot be read, a malformed mapping, a sheet missing columns, an unknown county — with a message
saying what to fix.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import TextIO

from lianxin.kit.db import make_engine, make_sessions
from lianxin.kit.errors import CodedError
from lianxin.kit.importing.cli import (
    ImportProgress,
    UsageError,
    add_run_arguments,
    add_sheet_arguments,
    check_errors_csv,
    load_mapping,
    read_sheet,
    report,
    run_command,
)
from lianxin.kit.importing.held import held_transactions
from lianxin.kit.service import ExtraCommand
from lianxin.kit.settings import KitSettings
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.import_ledger import (
    DEFAULT_SOURCE,
    ImportLedger,
    LedgerReport,
    import_ledger,
)
from lianxin.tickets.app.import_rows import COLUMNS

KINDS = ["ledger"]
DRAW_EVERY = 20  # rows between redraws of the progress bar
# Who the history lines and submitted tickets name: the importer, acting everywhere.
IMPORTER = Actor(subject="ledger-import", role="system")


def configure(parser: argparse.ArgumentParser) -> None:
    add_sheet_arguments(parser, KINDS, kind_help="ledger",
                        mapping_help='{"field": "header in your sheet", ...}')
    parser.add_argument("--county", metavar="ID",
                        help="the county (id or exact name) whose places the rows name "
                             "(default: each place's own county)")
    parser.add_argument("--source", default=DEFAULT_SOURCE, metavar="NAME",
                        help="names the ledger its codes (编号) belong to; give each ledger whose "
                             f"codes restart its own, the same every time (default {DEFAULT_SOURCE})")
    add_run_arguments(parser)


def summary(done: LedgerReport, *, dry_run: bool) -> str:
    return (f"ledger: {done.rows} rows: created {done.created}, unchanged {done.unchanged}, "
            f"skipped {done.skipped}" + (" (dry run: nothing was written)" if dry_run else ""))


def _county(value: str | None) -> uuid.UUID | str | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return value


async def run_import(args: argparse.Namespace, settings: KitSettings, out: TextIO,
                     err: TextIO) -> int:
    check_errors_csv(args.errors_csv)
    mapping = load_mapping(args.mapping, "ledger", KINDS, list(COLUMNS), ("text", "问题描述"))
    rows = read_sheet(args.file, args.sheet)
    pii = settings.require_pii()
    engine = make_engine(settings.database_url, pool_size=2, application_name="tickets-import")
    sessions = make_sessions(engine)
    progress = ImportProgress(err, every=DRAW_EVERY)
    transactions = held_transactions(lambda: TicketsUnitOfWork(sessions, pii),
                                     commit=not args.dry_run)
    cmd = ImportLedger(rows, source=args.source, county=_county(args.county), mapping=mapping)
    try:
        done = await import_ledger(cmd, transactions, IMPORTER, progress=progress)
    except CodedError as exc:  # the sheet as a whole: missing columns, unknown fields, county
        raise UsageError(exc.message) from None
    except Exception as exc:
        return progress.stopped(exc, len(rows), dry_run=args.dry_run, kept=(
            "the rows before it are imported: run the import again to resume"))
    finally:
        await engine.dispose()
    return report(summary(done, dry_run=args.dry_run), done.errors, out, args.errors_csv)


def run(args: argparse.Namespace, settings: KitSettings) -> int:
    """The command's entry point (ExtraCommand.run)."""
    return run_command("lianxin-tickets import", run_import(args, settings, sys.stdout, sys.stderr))


IMPORT = ExtraCommand(help="import a ledger (台账) of demands with their state and history from "
                      "an .xlsx or .csv file", configure=configure, run=run)
