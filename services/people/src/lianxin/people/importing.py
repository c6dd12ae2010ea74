"""`lianxin-people import KIND FILE`: import a county's spreadsheet register from the command line.

Exit codes: 0 every row imported, 1 some rows had errors (or a batch failed: rows before it
stay imported, and running the import again resumes), 2 bad usage — an unknown kind, a file that
cannot be read, a malformed mapping, a sheet missing columns — with a message saying what to fix.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO, cast

from lianxin.kit.db import make_engine, make_sessions
from lianxin.kit.errors import CodedError
from lianxin.kit.service import ExtraCommand
from lianxin.kit.settings import KitSettings
from lianxin.people.adapters.spreadsheet import read_rows
from lianxin.people.adapters.uow import PeopleUnitOfWork
from lianxin.people.app.importer import DEFAULT_MAPPING, ImportKind, ImportReport, SheetRow, import_rows
from lianxin.people.app.ports import UnitOfWork

KINDS = [k.value for k in ImportKind]
BAR = 30


class UsageError(Exception):
    """Bad usage: the message says what to fix (exit code 2)."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help=f"one of {', '.join(KINDS)}")
    parser.add_argument("file", type=Path, metavar="FILE", help="an .xlsx or .csv file")
    parser.add_argument("--sheet", help="the sheet to read (default: the active one)")
    parser.add_argument("--mapping", type=Path, metavar="JSON",
                        help='{"field": "header in your sheet", ...}, or such an object per kind')
    parser.add_argument("--batch-size", type=int, default=200, metavar="N",
                        help="rows per transaction (default 200)")
    parser.add_argument("--dry-run", action="store_true",
                        help="check every row against the database, then roll everything back")
    parser.add_argument("--errors-csv", type=Path, metavar="PATH",
                        help="also write the error report (row, column, message) as CSV")


def load_mapping(path: Path | None, kind: ImportKind) -> dict[str, str] | None:
    """The field → header mapping for `kind` from a JSON file (flat, or keyed by kind)."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"cannot read the mapping {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"the mapping {path} is not valid JSON (UTF-8): {exc}") from None
    if isinstance(data, dict) and any(k in KINDS for k in data):
        if not all(isinstance(v, dict) for v in data.values()):
            raise UsageError(f"the mapping {path} is keyed by kind: each value must be an object "
                             'of field → header, e.g. {"residents": {"id_number": "身份证号码"}}')
        data = data.get(kind.value, {})
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                             for k, v in data.items()):
        raise UsageError(f"the mapping {path} must be a JSON object of field → header text, e.g. "
                         f'{{"id_number": "身份证号码"}}; fields of {kind.value}: '
                         f"{', '.join(DEFAULT_MAPPING[kind])}")
    return cast(dict[str, str], data)


def read_sheet(path: Path, sheet: str | None) -> list[SheetRow]:
    try:
        return read_rows(path, sheet=sheet)
    except CodedError as exc:
        raise UsageError(exc.message) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except Exception as exc:  # openpyxl's errors for a damaged or mislabelled workbook vary
        raise UsageError(f"cannot read {path} as a spreadsheet ({type(exc).__name__}); open it "
                         "in Excel or WPS and save it again as .xlsx") from None


class _DryRun:
    """One transaction for the whole import, never committed: later batches see earlier rows,
    and nothing (no row, no outbox event) stays behind."""

    def __init__(self, uow: PeopleUnitOfWork) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    async def __aenter__(self) -> _DryRun:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None

    async def commit(self) -> None:
        await self._uow.flush_events()  # the outbox insert is checked too
        await self._uow.session.flush()


def progress_bar(out: TextIO) -> Any:
    tty = out.isatty()

    def show(done: int, total: int) -> None:
        filled = BAR * done // total if total else BAR
        out.write(("\r" if tty else "") + f"[{'#' * filled}{' ' * (BAR - filled)}] {done}/{total} rows"
                  + ("" if tty and done < total else "\n"))
        out.flush()
    return show


def write_report(report: ImportReport, out: TextIO, *, dry_run: bool) -> None:
    out.write(f"{report.kind.value}: {report.rows} rows: created {report.created}, "
              f"updated {report.updated}, unchanged {report.unchanged}, skipped {report.skipped}"
              + (" (dry run: everything was rolled back)\n" if dry_run else "\n"))
    if report.errors:
        out.write(f"{len(report.errors)} errors (fix these cells and import the file again):\n")
        out.write("row\tcolumn\tmessage\n")
        for e in report.errors:
            out.write(f"{e.row}\t{e.column}\t{e.message}\n")


def write_errors_csv(report: ImportReport, path: Path) -> None:
    # utf-8-sig: Excel opens a UTF-8 file with a BOM as UTF-8, without one as the local code page.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "column", "message"])
        writer.writerows([e.row, e.column, e.message] for e in report.errors)


async def run_import(args: argparse.Namespace, settings: KitSettings, out: TextIO,
                     err: TextIO) -> int:
    kind = ImportKind(args.kind)
    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if args.errors_csv is not None and not args.errors_csv.parent.is_dir():
        raise UsageError(f"--errors-csv: the folder {args.errors_csv.parent} does not exist")
    mapping = load_mapping(args.mapping, kind)
    rows = read_sheet(args.file, args.sheet)
    pii = settings.require_pii()
    engine = make_engine(settings.database_url, pool_size=1, application_name="people-import")
    sessions = make_sessions(engine)
    done = [0]
    bar = progress_bar(err)

    def progress(n: int, total: int) -> None:
        done[0] = n
        bar(n, total)

    try:
        outer = PeopleUnitOfWork(sessions, pii)
        if args.dry_run:
            await outer.__aenter__()

        def factory() -> UnitOfWork:
            return cast(UnitOfWork, _DryRun(outer) if args.dry_run else PeopleUnitOfWork(sessions, pii))

        try:
            report = await import_rows(kind, rows, mapping, factory, batch_size=args.batch_size,
                                       progress=progress)
        except CodedError as exc:  # the sheet as a whole: missing columns, unknown fields
            raise UsageError(exc.message) from None
        except Exception as exc:
            # First line only: a database error's later lines quote the statement's parameters.
            why = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
            err.write(f"\nthe import stopped after {done[0]} of {len(rows)} rows ({why}); "
                      + ("nothing was written (dry run)\n" if args.dry_run else
                         "the batch after them was rolled back, the rows before it are imported: "
                         "run the import again to resume\n"))
            return 1
        finally:
            if args.dry_run:
                await outer.__aexit__(None, None, None)
    finally:
        await engine.dispose()
    write_report(report, out, dry_run=args.dry_run)
    if args.errors_csv is not None:
        write_errors_csv(report, args.errors_csv)
        out.write(f"error report written to {args.errors_csv}\n")
    return 1 if report.errors else 0


def run(args: argparse.Namespace, settings: KitSettings) -> int:
    """The command's entry point (ExtraCommand.run)."""
    try:
        return asyncio.run(run_import(args, settings, sys.stdout, sys.stderr))
    except UsageError as exc:
        print(f"lianxin-people import: {exc}", file=sys.stderr)
        return 2


IMPORT = ExtraCommand(help="import households, residents, needs tags, cadres or pairings from "
                      "an .xlsx or .csv file", configure=configure, run=run)

