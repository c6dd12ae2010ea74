"""`lianxin-people import KIND FILE`: import a county's spreadsheet register from the command line.

Exit codes: 0 every row imported, 1 some rows had errors (or a batch failed: rows before it
stay imported, and running the import again resumes), 2 bad usage — an unknown kind, a file that
cannot be read, a malformed mapping, a sheet missing columns — with a message saying what to fix.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO, cast

from lianxin.kit.db import make_engine, make_sessions
from lianxin.kit.errors import CodedError
from lianxin.kit.importing.cli import (
    ImportProgress,
    UsageError,
    add_run_arguments,
    add_sheet_arguments,
    check_errors_csv,
    read_sheet,
    report,
    run_command,
)
from lianxin.kit.importing.cli import load_mapping as load_any_mapping
from lianxin.kit.importing.held import HeldUnitOfWork
from lianxin.kit.service import ExtraCommand
from lianxin.kit.settings import KitSettings
from lianxin.people.adapters.uow import PeopleUnitOfWork
from lianxin.people.app.importer import DEFAULT_MAPPING, ImportKind, ImportReport, import_rows
from lianxin.people.app.ports import UnitOfWork

KINDS = [k.value for k in ImportKind]


def configure(parser: argparse.ArgumentParser) -> None:
    add_sheet_arguments(parser, KINDS, kind_help=f"one of {', '.join(KINDS)}",
                        mapping_help='{"field": "header in your sheet", ...}, or such an object '
                                     'per kind')
    parser.add_argument("--batch-size", type=int, default=200, metavar="N",
                        help="rows per transaction (default 200)")
    add_run_arguments(parser)


def load_mapping(path: Path | None, kind: ImportKind) -> dict[str, str] | None:
    """The field → header mapping for `kind` from a JSON file (flat, or keyed by kind)."""
    return load_any_mapping(path, kind.value, KINDS, list(DEFAULT_MAPPING[kind]),
                            ("id_number", "身份证号码"))


def summary(done: ImportReport, *, dry_run: bool) -> str:
    return (f"{done.kind.value}: {done.rows} rows: created {done.created}, updated {done.updated}, "
            f"unchanged {done.unchanged}, skipped {done.skipped}"
            + (" (dry run: everything was rolled back)" if dry_run else ""))


async def run_import(args: argparse.Namespace, settings: KitSettings, out: TextIO,
                     err: TextIO) -> int:
    kind = ImportKind(args.kind)
    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    check_errors_csv(args.errors_csv)
    mapping = load_mapping(args.mapping, kind)
    rows = read_sheet(args.file, args.sheet)
    pii = settings.require_pii()
    engine = make_engine(settings.database_url, pool_size=2, application_name="people-import")
    sessions = make_sessions(engine)
    progress = ImportProgress(err)
    try:
        outer = PeopleUnitOfWork(sessions, pii)
        if args.dry_run:
            await outer.__aenter__()

        def factory() -> UnitOfWork:
            # A dry run is one transaction, never committed: later batches see earlier rows,
            # and nothing (no row, no outbox event) stays behind.
            return cast(UnitOfWork, HeldUnitOfWork(outer) if args.dry_run
                        else PeopleUnitOfWork(sessions, pii))

        try:
            done = await import_rows(kind, rows, mapping, factory, batch_size=args.batch_size,
                                     progress=progress)
        except CodedError as exc:  # the sheet as a whole: missing columns, unknown fields
            raise UsageError(exc.message) from None
        except Exception as exc:
            return progress.stopped(exc, len(rows), dry_run=args.dry_run, kept=(
                "the batch after them was rolled back, the rows before it are imported: run the "
                "import again to resume"))
        finally:
            if args.dry_run:
                await outer.__aexit__(None, None, None)
    finally:
        await engine.dispose()
    return report(summary(done, dry_run=args.dry_run), done.errors, out, args.errors_csv)


def run(args: argparse.Namespace, settings: KitSettings) -> int:
    """The command's entry point (ExtraCommand.run)."""
    return run_command("lianxin-people import", run_import(args, settings, sys.stdout, sys.stderr))


IMPORT = ExtraCommand(help="import households, residents, needs tags, cadres or pairings from "
                      "an .xlsx or .csv file", configure=configure, run=run)

