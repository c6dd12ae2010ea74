"""Spreadsheet import of the register (台账导入): households, residents and needs tags.

Rows arrive as `SheetRow`s (adapters/spreadsheet.py reads .xlsx and .csv). Each row goes
through the same use cases as the API, inside one transaction per batch: a batch commits
whole or not at all. A row with an error is reported — (row number as the spreadsheet shows
it, column header, what is wrong) — and skipped before anything of it is written.

Re-importing the same file creates nothing: rows are matched on natural keys — a household by
(org unit, household number), a resident by ID number (through its blind index), a tag by
(household, kind, since) — and new entities get deterministic ids (uuid5 of the natural key,
with keyed digests standing in for the ID number and the tag kind, never the clear values).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from lianxin.kit.errors import CodedError
from lianxin.kit.pii import normalise_id_number
from lianxin.people.app import register as reg
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain.errors import InvalidInput
from lianxin.people.domain.register import Gender, Household, NeedsTagKind, Relation

NAMESPACE = uuid.UUID("6f1c3b0e-2d4a-5e8f-9a7b-1c0d2e3f4a5b")  # never change: ids derive from it


class ImportKind(enum.Enum):
    HOUSEHOLDS = "households"
    RESIDENTS = "residents"
    NEEDS_TAGS = "needs_tags"


class SheetRow(NamedTuple):
    number: int  # as the spreadsheet shows it (header row 1 → first data row 2)
    values: Mapping[str, Any]  # header text → cell value (str, int, float, date, None)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(slots=True)
class ImportReport:
    kind: ImportKind
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len({e.row for e in self.errors})


# Field → header text; a caller's mapping overrides these per field.
DEFAULT_MAPPING: dict[ImportKind, dict[str, str]] = {
    ImportKind.HOUSEHOLDS: {"org_unit_id": "村/社区 id", "household_no": "户编号", "address": "家庭住址"},
    ImportKind.RESIDENTS: {"org_unit_id": "村/社区 id", "household_no": "户编号", "name": "姓名",
                           "gender": "性别", "birth_year": "出生年份", "relation": "与户主关系",
                           "phone": "联系电话", "id_number": "身份证号"},
    ImportKind.NEEDS_TAGS: {"org_unit_id": "村/社区 id", "household_no": "户编号", "kind": "困难类型",
                            "since": "开始日期", "until": "结束日期"},
}
OPTIONAL = {"phone", "until"}
# API field names (in error details) → import fields.
_FROM_API = {"orgUnitId": "org_unit_id", "householdNo": "household_no", "householdId": "household_no",
             "address": "address", "name": "name", "gender": "gender", "birthYear": "birth_year",
             "relation": "relation", "phone": "phone", "idNumber": "id_number", "kind": "kind",
             "since": "since", "until": "until"}

_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
_RELATIONS = {
    "户主": Relation.HEAD, "本人": Relation.HEAD, "配偶": Relation.SPOUSE, "妻": Relation.SPOUSE,
    "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE, "丈夫": Relation.SPOUSE, "子女": Relation.CHILD,
    "子": Relation.CHILD, "女": Relation.CHILD, "儿子": Relation.CHILD, "女儿": Relation.CHILD,
    "长子": Relation.CHILD, "次子": Relation.CHILD, "长女": Relation.CHILD, "次女": Relation.CHILD,
    "父母": Relation.PARENT, "父亲": Relation.PARENT, "母亲": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
    "兄弟姐妹": Relation.SIBLING, "兄": Relation.SIBLING, "弟": Relation.SIBLING,
    "姐": Relation.SIBLING, "妹": Relation.SIBLING, "其他": Relation.OTHER,
}
_KINDS = {"因病": NeedsTagKind.ILLNESS, "因灾": NeedsTagKind.DISASTER, "因残": NeedsTagKind.DISABILITY,
          "家庭变故": NeedsTagKind.FAMILY_CHANGE, "低保": NeedsTagKind.LOW_INCOME,
          "留守儿童": NeedsTagKind.LEFT_BEHIND_CHILD, "空巢老人": NeedsTagKind.EMPTY_NEST_ELDERLY,
          "在外务工": NeedsTagKind.MIGRANT_WORKER_AWAY}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

Progress = Callable[[int, int], None]


class _BadCell(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def _norm(header: str) -> str:
    return " ".join(str(header).split()).lower()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def _choice(name: str, value: str, table: Mapping[str, Any], enum_type: type[enum.Enum]) -> Any:
    found = table.get(value) or table.get(value.lower())
    if found is None:
        by_name = {m.name.lower(): m for m in enum_type} | {str(m.value): m for m in enum_type}
        found = by_name.get(value.lower())
    if found is None:
        raise _BadCell(name, f"{value!r} is not one of {'、'.join(dict.fromkeys(table))}")
    return found


def _year(name: str, value: Any) -> int:
    if isinstance(value, dt.date):
        return value.year
    text = _text(value) or ""
    if not re.fullmatch(r"\d{4}年?", text):
        raise _BadCell(name, f"{text!r} is not a year such as 1956")
    return int(text[:4])


def _date(name: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    found = _DATE.fullmatch(_text(value) or "")
    try:
        if found:
            return dt.date(*(int(g) for g in found.groups()))
    except ValueError:
        pass
    raise _BadCell(name, f"{_text(value)!r} is not a date such as 2024-03-01 or 2024年3月1日")


def _parse(kind: ImportKind, cells: Mapping[str, Any]) -> tuple[dict[str, Any], list[_BadCell]]:
    """Typed values of one row, or what is wrong with each bad cell (all of them at once)."""
    parsed: dict[str, Any] = {}
    bad: list[_BadCell] = []
    for name in DEFAULT_MAPPING[kind]:
        raw = cells.get(name)
        try:
            if name == "id_number" and isinstance(raw, float):
                raise _BadCell(name, "stored as a number, which loses digits: format the column as "
                                     "text and type the number again")
            text = _text(raw)
            if text is None:
                if name not in OPTIONAL:
                    raise _BadCell(name, "is empty" if name != "id_number" else
                                   "is empty: a resident is imported by ID number, so that a "
                                   "re-import recognises them")
                parsed[name] = None
            elif name == "org_unit_id":
                try:
                    parsed[name] = uuid.UUID(text)
                except ValueError:
                    raise _BadCell(name, f"{text!r} is not an org unit id (a UUID)") from None
            elif name == "gender":
                parsed[name] = _choice(name, text, _GENDERS, Gender)
            elif name == "relation":
                parsed[name] = _choice(name, text, _RELATIONS, Relation)
            elif name == "kind":
                parsed[name] = _choice(name, text, _KINDS, NeedsTagKind)
            elif name == "birth_year":
                parsed[name] = _year(name, raw)
            elif name in ("since", "until"):
                parsed[name] = _date(name, raw)
            elif name == "id_number":
                parsed[name] = normalise_id_number(text)
            else:
                parsed[name] = text
        except _BadCell as exc:
            bad.append(exc)
        except CodedError as exc:
            bad.append(_BadCell(name, exc.message))
    return parsed, bad


def _derived(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


async def _household_of(uow: UnitOfWork, v: Mapping[str, Any]) -> Household:
    found = await uow.households.by_number(v["org_unit_id"], v["household_no"])
    if found is None:
        raise InvalidInput(f"no household {v['household_no']} is registered in that unit; import "
                           "the households first", field="householdNo")
    return found


async def _apply(kind: ImportKind, uow: UnitOfWork, v: Mapping[str, Any]) -> str:
    """Write one parsed row; 'created', 'updated' or 'unchanged'. Raises before writing."""
    if kind is ImportKind.HOUSEHOLDS:
        existing = await uow.households.by_number(v["org_unit_id"], v["household_no"])
        if existing is not None:
            _, changed = await reg.change_household_in(
                reg.ChangeHousehold(existing.id, address=v["address"]), uow, None)
            return "updated" if changed else "unchanged"
        _, created = await reg.register_household_in(reg.RegisterHousehold(
            _derived("household", v["org_unit_id"], v["household_no"]), v["org_unit_id"],
            v["household_no"], v["address"]), uow, None)
        return "created" if created else "unchanged"
    household = await _household_of(uow, v)
    if kind is ImportKind.RESIDENTS:
        resident = await uow.residents.by_id_number(v["id_number"])
        if resident is not None:
            if resident.household_id != household.id:
                raise InvalidInput("this ID number is already registered in another household",
                                   field="idNumber")
            _, changed = await reg.change_resident_in(reg.ChangeResident(
                resident.id, name=v["name"], gender=v["gender"], birth_year=v["birth_year"],
                relation=v["relation"], phone=v["phone"]), uow, None)
            return "updated" if changed else "unchanged"
        _, created = await reg.register_resident_in(reg.RegisterResident(
            _derived("resident", uow.residents.id_number_key(v["id_number"])), household.id,
            name=v["name"], gender=v["gender"], birth_year=v["birth_year"], relation=v["relation"],
            phone=v["phone"], id_number=v["id_number"]), uow, None)
        return "created" if created else "unchanged"
    for tag in await uow.needs_tags.of_households([household.id]):
        if tag.kind is v["kind"] and tag.since == v["since"]:
            if v["until"] is None or v["until"] == tag.until:
                return "unchanged"
            await reg.end_needs_tag_in(reg.EndNeedsTag(tag.id, v["until"]), uow, None)
            return "updated"
    _, created = await reg.add_needs_tag_in(reg.AddNeedsTag(
        _derived("needs_tag", household.id, uow.needs_tags.kind_key(v["kind"]), v["since"]),
        household.id, v["kind"], v["since"], v["until"]), uow, None)
    return "created" if created else "unchanged"


def _columns(kind: ImportKind, mapping: Mapping[str, str] | None,
             first: SheetRow | None) -> dict[str, str]:
    """Field → the header actually present in the sheet; raise naming any missing column."""
    wanted = {**DEFAULT_MAPPING[kind], **(mapping or {})}
    unknown = set(wanted) - set(DEFAULT_MAPPING[kind])
    if unknown:
        raise InvalidInput(f"unknown fields in the mapping for {kind.value}: {', '.join(sorted(unknown))}; "
                           f"known: {', '.join(DEFAULT_MAPPING[kind])}", field="mapping")
    present = {_norm(h): h for h in (first.values if first else {})}
    missing = [header for name, header in wanted.items()
               if name not in OPTIONAL and _norm(header) not in present]
    if first is not None and missing:
        raise InvalidInput(f"the sheet has no column {'、'.join(missing)}; its columns are "
                           f"{'、'.join(present.values())} (map fields to headers to fix)",
                           field="mapping")
    return {name: present.get(_norm(header), header) for name, header in wanted.items()}


async def import_rows(kind: ImportKind | str, rows: Iterable[SheetRow], mapping: Mapping[str, str] | None,
                      uow_factory: Callable[[], UnitOfWork], *, batch_size: int = 200,
                      progress: Progress | None = None) -> ImportReport:
    """Import rows of one kind; safe to run again on the same file (it creates nothing new).

    `mapping` maps fields (see DEFAULT_MAPPING) to header texts where the sheet differs.
    A batch that fails unexpectedly (database down, a concurrent edit) rolls back and the error
    propagates: batches before it stay committed, and re-running the import resumes."""
    kind = ImportKind(kind)
    all_rows: Sequence[SheetRow] = list(rows)
    report = ImportReport(kind)
    columns = _columns(kind, mapping, all_rows[0] if all_rows else None)
    for start in range(0, len(all_rows), max(batch_size, 1)):
        batch = all_rows[start:start + max(batch_size, 1)]
        outcomes: list[str] = []
        errors: list[RowError] = []
        async with uow_factory() as uow:
            for row in batch:
                values, bad = _parse(kind, {name: row.values.get(h) for name, h in columns.items()})
                if bad:
                    errors += [RowError(row.number, columns[b.name], b.message) for b in bad]
                    continue
                try:
                    outcomes.append(await _apply(kind, uow, values))
                except reg.StaleEntity:
                    raise  # written under someone else's change: the whole batch rolls back
                except CodedError as exc:
                    name = _FROM_API.get(str(exc.details.get("field", "")), "")
                    errors.append(RowError(row.number, columns.get(name, ""), exc.message))
            await uow.commit()
        report.rows += len(batch)
        report.created += outcomes.count("created")
        report.updated += outcomes.count("updated")
        report.unchanged += outcomes.count("unchanged")
        report.errors += errors
        if progress is not None:
            progress(report.rows, len(all_rows))
    return report
