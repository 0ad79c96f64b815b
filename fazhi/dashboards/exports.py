"""Dashboard panels as Excel: one sheet per panel holding the same table the page shows, under a
title row saying what it is and as of which day."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import IO

from fazhi.core.xlsx import safe_cell
from fazhi.dashboards.panels import Panel

SHEET_NAME_LIMIT = 31
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
WIDE_COLUMNS = frozenset({"任务项", "一级指标", "牵头单位"})


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel refuses some characters, names over 31 characters and the same name twice."""
    base = NOT_IN_SHEET_NAMES.sub(" ", title).strip()[:SHEET_NAME_LIMIT] or "Sheet"
    name, number = base, 2
    while name in taken:
        suffix = f"({number})"
        name, number = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    taken.add(name)
    return name


def write_panels(stream: IO[bytes], *, heading: str, as_of: date, panels: Iterable[Panel]) -> None:
    """A workbook with one sheet per panel: a title row, the header row, the rows."""
    # imported here: a web worker needs openpyxl only while it writes this export
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    taken: set[str] = set()
    for panel in panels:
        sheet = book.create_sheet(title=sheet_name(panel.title, taken))
        for index, column in enumerate(panel.columns, start=1):
            width = 40 if column in WIDE_COLUMNS else max(10, 2 * len(column) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A3"
        title = WriteOnlyCell(sheet, value=safe_cell(f"{heading} {panel.title}（截至 {as_of}）"))
        title.font = Font(bold=True, size=14)
        sheet.append([title])
        headers = []
        for column in panel.columns:
            cell = WriteOnlyCell(sheet, value=safe_cell(column))
            cell.font = Font(bold=True)
            headers.append(cell)
        sheet.append(headers)
        for row in panel.rows:
            sheet.append([safe_cell(value) for value in row])
        if panel.note:
            sheet.append([])
            sheet.append([safe_cell(panel.note)])
    book.save(stream)
