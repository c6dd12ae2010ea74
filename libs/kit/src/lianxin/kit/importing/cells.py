"""Rows and cells of an imported spreadsheet: how columns are declared, mapped to the sheet's
headers, read and checked.

A service declares each field as a `Column` (default header, converter, optional or not);
`map_columns` finds the sheet's header for each field (a caller's mapping may rename them);
`parse` turns one row's cells into typed values and reports every bad cell at once, so a clerk
fixes a row in one go. Converters get the cell's text (white space collapsed) and its raw value
(Excel gives numbers and dates, CSV only text).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from lianxin.kit.errors import CodedError, InvalidInput

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

Progress = Callable[[int, int], None]  # (rows done, rows in all)


class SheetRow(NamedTuple):
    number: int  # as the spreadsheet shows it (header row 1 → first data row 2)
    values: Mapping[str, Any]  # header text → cell value (str, int, float, date, None)


@dataclass(frozen=True, slots=True)
class RowError:
    """One line of an import's error report: where (row, column header) and what to fix."""

    row: int
    column: str
    message: str


class CellError(Exception):
    """What is wrong with one cell (the parser adds which column)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def plain(text: str, raw: Any) -> str:
    return text


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # the default header text; a mapping file may name another
    convert: Callable[[str, Any], Any] = plain
    optional: bool = False
    if_empty: str = "is empty"


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def choice(table: Mapping[str, Any], enum_type: type[enum.Enum]) -> Callable[[str, Any], Any]:
    """A converter accepting the table's Chinese labels, or the enum's names and values."""
    def convert(text: str, raw: Any) -> Any:
        found = table.get(text) or table.get(text.lower())
        if found is None:
            by_name = {m.name.lower(): m for m in enum_type} | {str(m.value): m for m in enum_type}
            found = by_name.get(text.lower())
        if found is None:
            raise CellError(f"{text!r} is not one of {'、'.join(dict.fromkeys(table))}")
        return found
    return convert


def year(text: str, raw: Any) -> int:
    if isinstance(raw, dt.date):
        return raw.year
    if not re.fullmatch(r"\d{4}年?", text):
        raise CellError(f"{text!r} is not a year such as 1956")
    return int(text[:4])


def date(text: str, raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    found = _DATE.fullmatch(text)
    try:
        if found:
            return dt.date(*(int(g) for g in found.groups()))
    except ValueError:
        pass
    raise CellError(f"{text!r} is not a date such as 2024-03-01 or 2024年3月1日")


def uuid_of(what: str) -> Callable[[str, Any], uuid.UUID]:
    def convert(text: str, raw: Any) -> uuid.UUID:
        try:
            return uuid.UUID(text)
        except ValueError:
            raise CellError(f"{text!r} is not {what} (a UUID)") from None
    return convert


def id_or_name(text: str, raw: Any) -> uuid.UUID | str:
    """An id, or else a name (the service resolves it when the row is applied)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return text


def parse(columns: Mapping[str, Column], cells: Mapping[str, Any]) -> tuple[dict[str, Any],
                                                                           list[tuple[str, str]]]:
    """Typed values of one row, or (column name, what is wrong) for each bad cell."""
    values: dict[str, Any] = {}
    bad: list[tuple[str, str]] = []
    for name, column in columns.items():
        raw = cells.get(name)
        try:
            text = text_of(raw)
            if text is None:
                if not column.optional:
                    raise CellError(column.if_empty)
                values[name] = None
            else:
                values[name] = column.convert(text, raw)
        except CellError as exc:
            bad.append((name, exc.message))
        except CodedError as exc:
            bad.append((name, exc.message))
    return values, bad


def _norm(header: str) -> str:
    return " ".join(str(header).split()).lower()


def map_columns(what: str, columns: Mapping[str, Column], mapping: Mapping[str, str] | None,
                first: SheetRow | None, any_of: Sequence[Sequence[str]] = ()) -> dict[str, str]:
    """Field → the header actually present in the sheet (headers match ignoring case and extra
    spaces); `mapping` renames fields' headers where the sheet differs from the defaults.

    Raise InvalidInput (field "mapping") naming unknown fields, or the required columns the
    sheet lacks — also where none of a group in `any_of` (optional columns of which the sheet
    needs at least one) is present."""
    defaults = {name: column.header for name, column in columns.items()}
    wanted = {**defaults, **(mapping or {})}
    unknown = set(wanted) - set(defaults)
    if unknown:
        raise InvalidInput(f"unknown fields in the mapping for {what}: {', '.join(sorted(unknown))}; "
                           f"known: {', '.join(defaults)}", field="mapping")
    present = {_norm(h): h for h in (first.values if first else {})}
    missing = [header for name, header in wanted.items()
               if not columns[name].optional and _norm(header) not in present]
    missing += [" or ".join(wanted[name] for name in group) for group in any_of
                if not any(_norm(wanted[name]) in present for name in group)]
    if first is not None and missing:
        raise InvalidInput(f"the sheet has no column {'、'.join(missing)}; its columns are "
                           f"{'、'.join(present.values())} (map fields to headers to fix)",
                           field="mapping")
    return {name: present.get(_norm(header), header) for name, header in wanted.items()}


def cells_of(row: SheetRow, columns: Mapping[str, str]) -> dict[str, Any]:
    """Field → the row's cell under that field's header (from `map_columns`)."""
    return {name: row.values.get(header) for name, header in columns.items()}
