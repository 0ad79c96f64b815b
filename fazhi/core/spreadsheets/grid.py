"""Read .xlsx, .xls and .csv into one uniform grid of values with merged ranges.

Reading is bounded: at most `row_cap` rows and MAX_COLUMNS columns per sheet, so a
100,000-row sheet costs no more than a 5,000-row one. An .xlsx is never loaded whole: each
sheet's XML is scanned first (xlsxscan: where the content really ends, merged ranges, formulas
without a cached value), then openpyxl streams only those rows and columns in read-only mode,
so neither a <dimension> of A1:XFD1048576 nor a million rows styled but empty costs time or
memory; the cell count of the rows read and the shared strings are capped.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
import zlib
from dataclasses import dataclass, field

from .formats import SAVE_AS_HINT, detect_format, extension_of, extension_warning, read_bytes
from .issues import ImportFailure, ImportIssue
from .xlsxscan import SheetScan, count_shared_strings, scan_sheet

logger = logging.getLogger(__name__)

MAX_COLUMNS = 200
# Cells openpyxl may parse in the rows of one sheet that are read (5,000 rows of 200 columns);
# each costs a few microseconds and, while parsed, a Python object.
MAX_CELLS = 1_000_000
# openpyxl reads the whole shared string table up front, at about 40 µs a string.
MAX_SHARED_STRINGS = 200_000
HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class Merge:
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def is_vertical(self) -> bool:
        return self.max_row > self.min_row


@dataclass
class SheetGrid:
    name: str
    rows: list[list] = field(default_factory=list)  # rows[0] is spreadsheet row 1
    merges: list[Merge] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(
        default_factory=dict
    )  # formulas without a cached value
    more_rows: bool = False  # the sheet goes on beyond the rows read
    _merge_index: dict[tuple[int, int], Merge] | None = None

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def value(self, row: int, col: int):
        if row < 1 or row > len(self.rows):
            return None
        values = self.rows[row - 1]
        return values[col - 1] if 0 < col <= len(values) else None

    def merge_at(self, row: int, col: int) -> Merge | None:
        if self._merge_index is None:
            self._merge_index = {}
            for merge in self.merges:
                for r in range(merge.min_row, merge.max_row + 1):
                    for c in range(merge.min_col, merge.max_col + 1):
                        self._merge_index[(r, c)] = merge
        return self._merge_index.get((row, col))

    def is_empty(self) -> bool:
        return not any(_has_content(value) for values in self.rows for value in values)


@dataclass
class GridWorkbook:
    sheets: list[SheetGrid]
    source_format: str
    issues: list[ImportIssue] = field(default_factory=list)


def read_workbook(path, *, filename: str | None = None, row_cap: int) -> GridWorkbook:
    """Read any supported file into grids; raise ImportFailure for files that cannot be read."""
    data = read_bytes(path)
    source_format = detect_format(data)
    readers = {"xlsx": _read_xlsx, "xls": _read_xls, "csv": _read_csv}
    sheets, issues = readers[source_format](data, row_cap)
    warning = extension_warning(extension_of(path, filename), source_format)
    if warning:
        issues.insert(0, ImportIssue("warning", warning))
    return GridWorkbook(sheets, source_format, issues)


def _has_content(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _trim(values) -> list:
    values = list(values[:MAX_COLUMNS])
    while values and not _has_content(values[-1]):
        values.pop()
    return values


def _column_warning(sheet: str, width: int | None) -> list[ImportIssue]:
    if not width or width <= MAX_COLUMNS:
        return []
    message = f"工作表“{sheet}”有 {width} 列，只读取前 {MAX_COLUMNS} 列"
    return [ImportIssue("warning", message, sheet=sheet)]


# --- .xlsx -------------------------------------------------------------------------------


def _read_xlsx(data: bytes, row_cap: int) -> tuple[list[SheetGrid], list[ImportIssue]]:
    try:
        return _read_xlsx_parts(data, row_cap)
    except ImportFailure:
        raise
    except Exception as exc:  # a damaged workbook may fail while opening or while reading a sheet
        message = damaged_xlsx_message(exc)
        if message is None:  # not a known kind of damage: keep the traceback, it may be a bug
            logger.exception("unreadable .xlsx refused")
            message = f"文件已损坏或不是有效的 .xlsx 工作簿，无法打开（{type(exc).__name__}）"
        else:
            # One line: the cause is known and told to the user, a traceback would only be noise.
            logger.warning("damaged .xlsx refused: %s: %s", type(exc).__name__, _one_line(exc))
        raise ImportFailure(message) from exc


def damaged_xlsx_message(exc: Exception) -> str | None:
    """The user's message for the exception families openpyxl raises on damaged files."""
    from xml.etree.ElementTree import ParseError

    from lxml.etree import XMLSyntaxError

    detail = _one_line(exc)
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError):
        return f"文件已损坏，不是有效的 Excel 文件：压缩结构损坏（{detail}）；{SAVE_AS_HINT}"
    if isinstance(exc, ParseError | XMLSyntaxError):
        return f"文件已损坏：工作表 XML 损坏（{detail}）；{SAVE_AS_HINT}"
    if isinstance(exc, KeyError):
        return f"文件已损坏，不是有效的 Excel 文件：缺少必需的部件 {detail}；{SAVE_AS_HINT}"
    if isinstance(exc, ValueError | TypeError | IndexError | AttributeError | OSError):
        return f"文件已损坏：Excel 文件内容无效（{detail}）；{SAVE_AS_HINT}"
    return None


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _read_xlsx_parts(data: bytes, row_cap: int) -> tuple[list[SheetGrid], list[ImportIssue]]:
    import openpyxl

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _check_shared_strings(archive)  # openpyxl reads them all before the first sheet
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        issues: list[ImportIssue] = []
        try:
            sheets, scans = [], []
            for sheet in book.worksheets:
                scan = scan_sheet(archive, sheet._worksheet_path, row_cap=row_cap)
                sheets.append(_stream_sheet(sheet, scan, row_cap))
                scans.append(scan)
                issues += _column_warning(sheet.title, scan.last_column)
        finally:
            book.close()
    if any(scan.uncached_formulas for scan in scans):
        _add_formulas(data, sheets, scans)
    return sheets, issues


def _check_shared_strings(archive: zipfile.ZipFile) -> None:
    count = count_shared_strings(archive, stop_after=MAX_SHARED_STRINGS)
    if count > MAX_SHARED_STRINGS:
        raise ImportFailure(
            f"工作簿中的文字条目（共享字符串表）超过 {MAX_SHARED_STRINGS:,} 条，超出表格导入的上限，"
            "多半是其他工作表中有大量数据；请删除不需要导入的工作表后另存，再导入"
        )


def _stream_sheet(sheet, scan: SheetScan, row_cap: int) -> SheetGrid:
    """The sheet's values up to its last row and column with content (at most row_cap rows and
    MAX_COLUMNS columns), whatever its <dimension> claims; rows styled but empty after the
    table are never parsed."""
    grid = SheetGrid(sheet.title, more_rows=scan.last_row > row_cap)
    last_row, width = min(scan.last_row, row_cap), min(scan.last_column, MAX_COLUMNS)
    if not last_row or not width:
        return grid
    cells = scan.cells_through(last_row)
    if cells > MAX_CELLS:
        raise ImportFailure(
            f"工作表“{sheet.title}”的前 {last_row} 行有 {cells:,} 个单元格（含只设了格式的空白单元格），"
            f"超过 {MAX_CELLS:,} 个的上限；请在 Excel 中删除表格右侧多余的列（或清除其格式）后另存，再导入"
        )
    for values in sheet.iter_rows(min_row=1, max_row=last_row, max_col=width, values_only=True):
        grid.rows.append(_trim(values))
    grid.merges = _clip_merges([Merge(*bounds) for bounds in scan.merges], grid.row_count)
    return grid


def _add_formulas(data: bytes, sheets: list[SheetGrid], scans: list[SheetScan]) -> None:
    """Formulas whose cell has no cached value (files written by programs that do not
    calculate): the reader shows the formula instead of an empty cell."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        for grid, scan, sheet in zip(sheets, scans, book.worksheets, strict=False):
            if not scan.uncached_formulas or not grid.rows:
                continue
            width = min(scan.last_column, MAX_COLUMNS)
            rows = sheet.iter_rows(max_row=grid.row_count, max_col=width, values_only=True)
            for row, values in enumerate(rows, start=1):
                for col, value in enumerate(values, start=1):
                    formula = _formula_text(value)
                    if formula and grid.value(row, col) is None:
                        grid.formulas[(row, col)] = formula
    finally:
        book.close()


def _formula_text(value) -> str | None:
    if isinstance(value, str):
        return value if value.startswith("=") else None
    text = getattr(value, "text", None)  # ArrayFormula and DataTableFormula
    return str(text) if text else None


def _clip_merges(merges: list[Merge], row_count: int) -> list[Merge]:
    # A merge such as A1:A1048576 must not expand into a million index entries.
    clipped = []
    for merge in merges:
        if merge.min_row > row_count or merge.min_col > MAX_COLUMNS:
            continue
        clipped.append(
            Merge(
                merge.min_row,
                merge.min_col,
                min(merge.max_row, row_count),
                min(merge.max_col, MAX_COLUMNS),
            )
        )
    return clipped


# --- .xls --------------------------------------------------------------------------------


def _read_xls(data: bytes, row_cap: int) -> tuple[list[SheetGrid], list[ImportIssue]]:
    import xlrd

    issues: list[ImportIssue] = []
    try:
        book = _open_xls(data, formatting_info=True)
    except ImportFailure:
        raise
    except Exception:
        # Some generators write .xls files whose formatting records xlrd rejects; values still read.
        book = _open_xls(data, formatting_info=False)
        issues.append(
            ImportIssue(
                "warning", "无法读取该 .xls 文件的合并单元格信息，合并单元格按“空白即同上”处理"
            )
        )
    sheets = []
    for sheet in book.sheets():
        grid = SheetGrid(sheet.name, more_rows=sheet.nrows > row_cap)
        for r in range(min(sheet.nrows, row_cap)):
            grid.rows.append(
                _trim([_xls_value(cell, book.datemode, xlrd) for cell in sheet.row(r)])
            )
        merges = [
            Merge(rlo + 1, clo + 1, rhi, chi)
            for rlo, rhi, clo, chi in getattr(sheet, "merged_cells", [])
        ]
        grid.merges = _clip_merges(merges, grid.row_count)
        sheets.append(grid)
        issues += _column_warning(sheet.name, sheet.ncols)
    return sheets, issues


def _open_xls(data: bytes, *, formatting_info: bool):
    import xlrd

    try:
        return xlrd.open_workbook(file_contents=data, formatting_info=formatting_info)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise ImportFailure(
                "工作簿设置了打开密码（已加密），无法读取；请在 Excel 中取消密码后保存，再导入"
            ) from exc
        if formatting_info:
            raise
        raise ImportFailure(
            "文件是 Office 旧版文档，但其中没有可读取的 Excel 工作表（可能是 Word .doc 或文件已损坏）"
        ) from exc
    except Exception as exc:
        if formatting_info:
            raise
        raise ImportFailure(
            "旧版 .xls 文件已损坏，无法读取；请在 Excel 中打开后另存为 .xlsx 再导入"
        ) from exc


def _xls_value(cell, datemode: int, xlrd):
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    return cell.value


# --- .csv --------------------------------------------------------------------------------


def _read_csv(data: bytes, row_cap: int) -> tuple[list[SheetGrid], list[ImportIssue]]:
    text = _decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    grid = SheetGrid("CSV")
    try:
        for index, values in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            if index > row_cap:
                grid.more_rows = True
                break
            grid.rows.append(_trim([value if value.strip() else None for value in values]))
    except csv.Error as exc:
        raise ImportFailure(f"CSV 文本格式有误，无法读取（{exc}）") from exc
    return [grid], []


def _decode_text(data: bytes) -> str:
    # Excel in China saves "CSV" as GBK unless told otherwise; GB18030 is its superset.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailure(
        "无法识别 CSV 文件的文字编码（既不是 UTF-8 也不是 GBK）；请另存为 .xlsx 再导入"
    )
