"""Spreadsheet import (台账导入) plumbing shared by the services: rows read from .xlsx/.csv
(`sheets`), cells checked and columns mapped (`cells`), the units of work an import holds open
(`held`) and the command line's pieces — mapping file, progress bar, error report (`cli`).

What a row means — its columns, natural keys and use cases — stays in each service."""
