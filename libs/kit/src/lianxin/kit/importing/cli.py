"""Command-line pieces of a service's `import` command: the arguments every import takes, the
mapping file, reading the sheet, the progress bar, the report and exit codes. Bad usage raises
`UsageError` (exit code 2) with a message saying what to fix."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from lianxin.kit.errors import CodedError
from lianxin.kit.importing.cells import Progress, RowError, SheetRow
from lianxin.kit.importing.sheets import read_rows

BAR = 30


class UsageError(Exception):
    """Bad usage: the message says what to fix (exit code 2)."""


def run_command(program: str, main: Coroutine[Any, Any, int]) -> int:
    """Run an import command to its exit code; bad usage prints `program: what to fix` on stderr
    and exits 2."""
    try:
        return asyncio.run(main)
    except UsageError as exc:
        print(f"{program}: {exc}", file=sys.stderr)
        return 2


def add_sheet_arguments(parser: argparse.ArgumentParser, kinds: Sequence[str], *, kind_help: str,
                        mapping_help: str) -> None:
    """KIND FILE [--sheet NAME] [--mapping JSON]: what the rows are and where they are read."""
    parser.add_argument("kind", choices=kinds, metavar="KIND", help=kind_help)
    parser.add_argument("file", type=Path, metavar="FILE", help="an .xlsx or .csv file")
    parser.add_argument("--sheet", help="the sheet to read (default: the active one)")
    parser.add_argument("--mapping", type=Path, metavar="JSON", help=mapping_help)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """[--dry-run] [--errors-csv PATH]: how the import runs and what it reports."""
    parser.add_argument("--dry-run", action="store_true",
                        help="check every row against the database, then roll everything back")
    parser.add_argument("--errors-csv", type=Path, metavar="PATH",
                        help="also write the error report (row, column, message) as CSV")


def load_mapping(path: Path | None, kind: str, kinds: Sequence[str], fields: Sequence[str],
                 example: tuple[str, str]) -> dict[str, str] | None:
    """The field → header mapping for `kind` from a JSON file: flat, or one object per kind
    (keyed by the names in `kinds`) so a county keeps a single file. `example` is a (field,
    header) pair quoted in the messages."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"cannot read the mapping {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"the mapping {path} is not valid JSON (UTF-8): {exc}") from None
    pair = json.dumps(dict([example]), ensure_ascii=False)
    if isinstance(data, dict) and any(k in kinds for k in data):
        if not all(isinstance(v, dict) for v in data.values()):
            raise UsageError(f"the mapping {path} is keyed by kind: each value must be an object "
                             f'of field → header, e.g. {{"{kind}": {pair}}}')
        data = data.get(kind, {})
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                             for k, v in data.items()):
        raise UsageError(f"the mapping {path} must be a JSON object of field → header text, e.g. "
                         f"{pair}; fields of {kind}: {', '.join(fields)}")
    return cast(dict[str, str], data)


def read_sheet(path: Path, sheet: str | None) -> list[SheetRow]:
    """The sheet's rows, or a UsageError saying why the file cannot be read."""
    try:
        return read_rows(path, sheet=sheet)
    except CodedError as exc:
        raise UsageError(exc.message) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except Exception as exc:  # openpyxl's errors for a damaged or mislabelled workbook vary
        raise UsageError(f"cannot read {path} as a spreadsheet ({type(exc).__name__}); open it "
                         "in Excel or WPS and save it again as .xlsx") from None


def check_errors_csv(path: Path | None) -> None:
    """Refuse an --errors-csv target whose folder does not exist (before importing anything)."""
    if path is not None and not path.parent.is_dir():
        raise UsageError(f"--errors-csv: the folder {path.parent} does not exist")


def progress_bar(out: TextIO) -> Progress:
    """`[#####     ] 1200/3000 rows`: redrawn in place on a terminal, one line per call else."""
    tty = out.isatty()

    def show(done: int, total: int) -> None:
        filled = BAR * done // total if total else BAR
        out.write(("\r" if tty else "") + f"[{'#' * filled}{' ' * (BAR - filled)}] {done}/{total} rows"
                  + ("" if tty and done < total else "\n"))
        out.flush()
    return show


class ImportProgress:
    """The progress bar on `err` as rows are imported (drawn every `every` rows and at the
    last), and how far the import got, for the message when it stops part-way."""

    def __init__(self, err: TextIO, every: int = 1) -> None:
        self.done = 0
        self._err = err
        self._every = every
        self._bar = progress_bar(err)

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        if done % self._every == 0 or done == total:
            self._bar(done, total)

    def stopped(self, exc: BaseException, total: int, *, dry_run: bool, kept: str) -> int:
        """Say the import stopped after the rows done so far, and why (exit code 1); `kept` says
        what stays written when it was not a dry run."""
        self._err.write(f"\nthe import stopped after {self.done} of {total} rows "
                        f"({why_stopped(exc)}); "
                        + ("nothing was written (dry run)\n" if dry_run else f"{kept}\n"))
        return 1


def report(summary: str, errors: Sequence[RowError], out: TextIO, errors_csv: Path | None) -> int:
    """The summary line and the error table on `out`, the error CSV when asked for; exit code 1
    when some rows had errors, else 0."""
    out.write(f"{summary}\n")
    write_errors(errors, out)
    if errors_csv is not None:
        write_errors_csv(errors, errors_csv)
        out.write(f"error report written to {errors_csv}\n")
    return 1 if errors else 0


def write_errors(errors: Sequence[RowError], out: TextIO) -> None:
    """The error report as a tab-separated table under the summary."""
    if errors:
        out.write(f"{len(errors)} errors (fix these cells and import the file again):\n")
        out.write("row\tcolumn\tmessage\n")
        for e in errors:
            out.write(f"{e.row}\t{e.column}\t{e.message}\n")


def write_errors_csv(errors: Sequence[RowError], path: Path) -> None:
    # utf-8-sig: Excel opens a UTF-8 file with a BOM as UTF-8, without one as the local code page.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "column", "message"])
        writer.writerows([e.row, e.column, e.message] for e in errors)


def why_stopped(exc: BaseException) -> str:
    """An unexpected failure in one line: a database error's later lines quote the statement's
    parameters (personal data among them), so only the first is kept."""
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
