"""Cells that hold data only, for every spreadsheet the project writes (ledger, office report).

A text read back by Excel or WPS as `=HYPERLINK("http://…","点我")` becomes a live link
in the district office; `+`, `-`, `@`, and a leading tab or CR start a formula too in
Excel, LibreOffice or Google Sheets when a CSV is opened (OWASP, "CSV injection"). A
summary or a name is typed by an officer from what a visitor says, so any of them may
start that way. The rule, one place for all writers:

- XLSX: every text is a string cell (openpyxl's data type "s"), never a formula — the
  text shows exactly as typed, nothing is added to it;
- CSV: a text that starts with one of those characters gets an apostrophe in front,
  which spreadsheets show as a text marker, as OWASP recommends;
- control characters that openpyxl refuses (IllegalCharacterError) become U+FFFD in both
  formats: records stored before input was checked must still export.

Numbers (int, float) stay numbers so the office can sum them; "-5" typed into a
summary is text and is treated as text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"


@lru_cache(maxsize=1)
def _illegal() -> re.Pattern[str]:
    # Imported on first use: the CSV export and the TUI's start-up do not load openpyxl.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE


def clean(text: str) -> str:
    """`text` with the characters a worksheet cannot hold replaced by U+FFFD."""
    return _illegal().sub(REPLACEMENT, text)


def csv_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = clean(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """`ws.append(values)`, with every text a string cell and cleaned of control characters."""
    from openpyxl.cell.cell import Cell

    row = []
    for value in values:
        if isinstance(value, str):
            # openpyxl reads "=…" as a formula when the value is set; the data type
            # says how the cell is written, so a string cell keeps the text as text.
            value = Cell(ws, value=clean(value))
            value.data_type = "s"
        row.append(value)
    # Cells handed to append, not looked up after it by ws.max_row: that scans every
    # cell of the sheet, which made a report of 80 000 rows take minutes.
    ws.append(row)


def plain_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """`values` for a write-only sheet's `append`, with `append_row`'s rule: texts cleaned,
    and a text openpyxl would read as a formula or an error code ("=…", "#N/A") handed
    over as a string cell. Every other value goes as it is: no cell object per value,
    which is most of openpyxl's cost per cell (a report writes 600 000 of them)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    row = []
    for value in values:
        if isinstance(value, str):
            value = clean(value)
            if value.startswith("=") or value in ERROR_CODES:
                value = WriteOnlyCell(ws, value=value)
                value.data_type = "s"
        row.append(value)
    return row
