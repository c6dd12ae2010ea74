"""Spreadsheet import (台账导入): households, residents, needs tags, cadres and pairings.

Rows arrive as `SheetRow`s (lianxin.kit.importing reads .xlsx and .csv, maps columns and
checks cells). Each row goes through the same use cases as the API, inside one transaction per
batch: a batch commits whole or not at all. A row with an error is reported — (row number as
the spreadsheet shows it, column header, what is wrong) — and skipped before anything of it is
written.

Re-importing the same file creates nothing: rows are matched on natural keys and new entities
get deterministic ids (uuid5 of the natural key, with keyed digests standing in for personal
data). Each kind's columns and keys live in app/import_register.py and app/import_work.py.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lianxin.kit.errors import CodedError
from lianxin.kit.importing.cells import Progress, RowError, SheetRow, map_columns
from lianxin.people.app.common import StaleEntity
from lianxin.people.app.import_cells import NAMESPACE, KindSpec, Lookups, parse
from lianxin.people.app.import_register import HOUSEHOLDS, NEEDS_TAGS, RESIDENTS
from lianxin.people.app.import_work import CADRES, PAIRINGS
from lianxin.people.app.ports import UnitOfWork

__all__ = ["DEFAULT_MAPPING", "NAMESPACE", "ImportKind", "ImportReport", "RowError", "SheetRow",
           "import_rows"]


class ImportKind(enum.Enum):
    HOUSEHOLDS = "households"
    RESIDENTS = "residents"
    NEEDS_TAGS = "needs_tags"
    CADRES = "cadres"
    PAIRINGS = "pairings"


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


SPECS: dict[ImportKind, KindSpec] = {
    ImportKind.HOUSEHOLDS: HOUSEHOLDS, ImportKind.RESIDENTS: RESIDENTS,
    ImportKind.NEEDS_TAGS: NEEDS_TAGS, ImportKind.CADRES: CADRES, ImportKind.PAIRINGS: PAIRINGS,
}
# Field → header text; a caller's mapping overrides these per field.
DEFAULT_MAPPING: dict[ImportKind, dict[str, str]] = {
    kind: {name: column.header for name, column in spec.columns.items()}
    for kind, spec in SPECS.items()}


def _columns(kind: ImportKind, mapping: Mapping[str, str] | None,
             first: SheetRow | None) -> dict[str, str]:
    """Field → the header actually present in the sheet; raise naming any missing column."""
    return map_columns(kind.value, SPECS[kind].columns, mapping, first, SPECS[kind].any_of)


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
    spec, lookups = SPECS[kind], Lookups()
    columns = _columns(kind, mapping, all_rows[0] if all_rows else None)
    for start in range(0, len(all_rows), max(batch_size, 1)):
        batch = all_rows[start:start + max(batch_size, 1)]
        outcomes: list[str] = []
        errors: list[RowError] = []
        async with uow_factory() as uow:
            for row in batch:
                values, bad = parse(spec.columns,
                                    {name: row.values.get(h) for name, h in columns.items()})
                if bad:
                    errors += [RowError(row.number, columns[name], message) for name, message in bad]
                    continue
                try:
                    outcomes.append(await spec.apply(uow, values, lookups))
                except StaleEntity:
                    raise  # written under someone else's change: the whole batch rolls back
                except CodedError as exc:
                    given = str(exc.details.get("field", ""))
                    name = spec.from_api.get(given, given)
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
