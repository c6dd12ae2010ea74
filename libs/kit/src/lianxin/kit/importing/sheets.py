"""Read spreadsheets (.xlsx, .csv) into `SheetRow`s for an importer.

The first non-empty row is the header; wholly empty rows are skipped; every row keeps the
number the spreadsheet shows for it, so errors point at the right line. CSV files exported by
Chinese Excel are often GB18030 rather than UTF-8: UTF-8 (with or without a BOM) is tried
first, then GB18030.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lianxin.kit.errors import InvalidInput
from lianxin.kit.importing.cells import SheetRow


def read_rows(path: str | Path, *, sheet: str | None = None) -> list[SheetRow]:
    """Rows of an .xlsx (the named or the active sheet) or a .csv file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path, sheet=sheet)
    if suffix == ".csv":
        return read_csv(path)
    raise InvalidInput(f"{path.name}: only .xlsx and .csv files can be imported (save an .xls "
                       "as .xlsx first)", field="file")


def read_xlsx(path: Path, *, sheet: str | None = None) -> list[SheetRow]:
    # Imported here: only services that import spreadsheets need openpyxl.
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)  # data_only: formulas' values
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InvalidInput(f"{path.name} has no sheet {sheet!r}; its sheets are "
                               f"{', '.join(book.sheetnames)}", field="sheet")
        ws = book[sheet] if sheet is not None else book.active
        numbered = ((number, list(values)) for number, values in
                    enumerate(ws.iter_rows(values_only=True), start=1))
        return _rows(numbered, path.name)
    finally:
        book.close()  # read-only mode keeps the file open until closed


def decode_csv(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) or else GB18030 (which also covers GBK and GB2312)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def read_csv(path: Path) -> list[SheetRow]:
    text = decode_csv(path.read_bytes())
    # The header row has no quoted line breaks: its commonest separator is the file's.
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=header.count)
    # Records, not lines, are numbered: a quoted cell spanning lines is still one row in Excel.
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _rows(((number, list[Any](values)) for number, values in enumerate(records, start=1)),
                 path.name)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows(numbered: Iterable[tuple[int, list[Any]]], name: str) -> list[SheetRow]:
    header: list[str] | None = None
    rows: list[SheetRow] = []
    for number, values in numbered:
        if all(_blank(v) for v in values):
            continue
        if header is None:
            header = [" ".join(str(v).split()) if not _blank(v) else "" for v in values]
            seen = [h for h in header if h]
            twice = sorted({h for h in seen if seen.count(h) > 1})
            if twice:
                raise InvalidInput(f"{name}: column {'、'.join(twice)} appears more than once in "
                                   "the header row", field="file")
            continue
        cells = {h: (v.strip() if isinstance(v, str) else v)
                 for h, v in zip(header, values, strict=False) if h}
        rows.append(SheetRow(number, {h: cells.get(h) for h in header if h}))
    return rows
