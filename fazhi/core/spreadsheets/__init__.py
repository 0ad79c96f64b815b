"""Reading the tables governments circulate (.xlsx, old .xls, CSV; detected by content, not by
name) into a uniform grid with merged ranges, bounded in rows and columns, with problems
reported per sheet, row and column. Framework import, unit import and later list imports
build on it."""

from .grid import HEADER_SCAN_ROWS, GridWorkbook, Merge, SheetGrid, read_workbook
from .issues import ImportFailure, ImportIssue, IssueLog, column_letter
from .text import normalise_header

__all__ = [
    "HEADER_SCAN_ROWS",
    "GridWorkbook",
    "ImportFailure",
    "ImportIssue",
    "IssueLog",
    "Merge",
    "SheetGrid",
    "column_letter",
    "normalise_header",
    "read_workbook",
]
