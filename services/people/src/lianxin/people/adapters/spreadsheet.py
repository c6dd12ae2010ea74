"""Read register spreadsheets (.xlsx, .csv) into `SheetRow`s for the importer: the readers are
the kit's (`lianxin.kit.importing.sheets`, shared with the tickets ledger import)."""

from __future__ import annotations

from lianxin.kit.importing.sheets import decode_csv, read_csv, read_rows, read_xlsx

__all__ = ["decode_csv", "read_csv", "read_rows", "read_xlsx"]
