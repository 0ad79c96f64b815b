"""Spreadsheets, one line per non-empty row with cells separated by tabs, each sheet under its
name. .xlsx through openpyxl in read-only mode (rows are streamed), old .xls through xlrd."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import xlrd

from fazhi.core.spreadsheets.xlsxscan import scan_sheet

from .result import ExtractionError
from .sniff import ENCRYPTED_OFFICE
from .text import TextOutput


def read_xlsx(path: Path, out: TextOutput) -> int:
    # A file object, not the path: openpyxl refuses paths whose extension it does not know (.et).
    with path.open("rb") as fh, path.open("rb") as raw, zipfile.ZipFile(raw) as archive:
        book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                if not out.add(f"【{sheet.title}】"):
                    break
                if not _add_rows(out, _rows(sheet, archive)):
                    break
            return len(book.sheetnames)
        finally:
            book.close()


def _rows(sheet, archive: zipfile.ZipFile) -> Iterable[Iterable]:
    # Some producers write a wrong <dimension>, which read-only mode would trust.
    sheet.reset_dimensions()
    # Rows styled but empty after the table (a million of them took 24 s and 546 MB) are never
    # handed to openpyxl: a byte scan of the sheet tells where its content ends.
    last_row = scan_sheet(archive, sheet._worksheet_path).last_row
    return sheet.iter_rows(max_row=last_row, values_only=True) if last_row else ()


def read_xls(path: Path, out: TextOutput) -> int:
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise ExtractionError(ENCRYPTED_OFFICE) from exc
        raise
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if not out.add(f"【{sheet.name}】"):
                break
            rows = (_xls_row(book, sheet, number) for number in range(sheet.nrows))
            if not _add_rows(out, rows):
                break
            book.unload_sheet(index)
        return book.nsheets
    finally:
        book.release_resources()


def _add_rows(out: TextOutput, rows: Iterable[Iterable]) -> bool:
    for row in rows:
        cells = [_cell_text(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells and not out.add("\t".join(cells)):
            return False
    return True


def _xls_row(book, sheet, number: int) -> list:
    values = []
    for cell in sheet.row(number):
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                values.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                values.append(cell.value)
        elif cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_EMPTY):
            values.append(None)
        else:
            values.append(cell.value)
    return values


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(" ")
    return str(value).strip()
