"""Cells of an imported spreadsheet row: how each kind's columns are read and checked.

A kind declares its columns as `Column`s (default header, converter, optional or not); `parse`
turns one row's cells into typed values and reports every bad cell at once, so a clerk fixes a
row in one go. Converters get the cell's text (white space collapsed) and its raw value (Excel
gives numbers and dates, CSV only text).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lianxin.kit.errors import CodedError
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain.errors import InvalidInput, UnknownOrgUnit
from lianxin.people.domain.org import OrgUnit

NAMESPACE = uuid.UUID("6f1c3b0e-2d4a-5e8f-9a7b-1c0d2e3f4a5b")  # never change: ids derive from it
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


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


@dataclass(slots=True)
class Lookups:
    """Per-import caches shared by every batch (org units do not change during an import)."""

    _units_named: dict[str, list[OrgUnit]] | None = None

    async def unit(self, uow: UnitOfWork, ref: uuid.UUID | str, name: str) -> OrgUnit:
        """The unit with this id, or the one unit with exactly this name."""
        if isinstance(ref, uuid.UUID):
            found = await uow.org_units.get(ref)
            if found is None:
                raise UnknownOrgUnit(f"no org unit has the id {ref}", field=name)
            return found
        if self._units_named is None:
            self._units_named = {}
            for root in await uow.org_units.roots():
                for unit in await uow.org_units.subtree(root.id):
                    self._units_named.setdefault(unit.name, []).append(unit)
        named = self._units_named.get(ref, [])
        if len(named) != 1:
            raise InvalidInput(f"{ref!r} is neither an org unit id (a UUID) nor the exact name of "
                               f"one unit ({len(named)} units have that name): give its id",
                               field=name)
        return named[0]


Apply = Callable[[UnitOfWork, Mapping[str, Any], Lookups], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class KindSpec:
    columns: Mapping[str, Column]
    apply: Apply  # writes one parsed row: 'created', 'updated' or 'unchanged'; raises first
    from_api: Mapping[str, str]  # field names in use-case errors → column names
    # Groups of optional columns of which the sheet must have at least one.
    any_of: tuple[tuple[str, ...], ...] = ()


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


unit_id = uuid_of("an org unit id")


def unit_ref(text: str, raw: Any) -> uuid.UUID | str:
    """An org unit id, or else a unit's exact name (resolved when the row is applied)."""
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


def derived(*parts: object) -> uuid.UUID:
    """A deterministic id from a natural key (never from clear personal data: pass digests)."""
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))
