"""Writing Excel files people open: values that Excel would run as formulas are neutralised."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO

from fazhi.core.spreadsheets import column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CELL_LIMIT = 32_767  # Excel refuses longer cells
# The control characters openpyxl refuses in a cell (its ILLEGAL_CHARACTERS_RE), here so that
# a page which only neutralises values does not import openpyxl.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value):
    """A text starting with = + - @ would be run by Excel as a formula (formula injection);
    a leading quote keeps it plain text. Characters Excel rejects are dropped and overlong text
    is cut to Excel's limit. Numbers and dates are left alone."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_TRIGGERS):
        value = "'" + value
    return value[:CELL_LIMIT]


def write_table(
    stream: IO[bytes],
    *,
    title: str,
    headers: list[str],
    rows: Iterable[Iterable],
    widths: list[int] | None = None,
) -> None:
    """A one-sheet workbook, written in write-only mode so long lists stream row by row."""
    # imported here: a web worker needs openpyxl only while it writes an export
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    book.save(stream)
