"""parse_framework_file: from a circulated Excel/CSV table to a checked indicator tree."""

from __future__ import annotations

import logging

from fazhi.core.spreadsheets import column_letter
from fazhi.core.spreadsheets.grid import HEADER_SCAN_ROWS, GridWorkbook, SheetGrid, read_workbook
from fazhi.frameworks.tree import format_points

from .cells import cell_text
from .headers import HeaderMatch, find_header
from .model import ImportFailure, IssueLog, ParsedFramework
from .numbering import split_numbering
from .rows import TableReader, row_limit_message
from .tree import finish_tree

logger = logging.getLogger(__name__)

NO_HEADER_MESSAGE = (
    "没有找到指标体系的表头：前 {rows} 行中没有可识别的列名。表头应包含“一级指标”“二级指标”“三级指标”"
    "（或“指标内容”“指标名称”）等层级列，以及“分值”“评分标准”“牵头单位”“责任单位”等列；"
    "请检查是否选错了文件或工作表（已查看：{sheets}）"
)
SIMPLE_NUMBERING = {"cn", "paren_cn", "arabic", "paren_arabic", "circled"}


def parse_framework_file(
    path, *, filename: str | None = None, max_rows: int = 5000
) -> ParsedFramework:
    """Parse a framework table; problems come back as issues, never as exceptions."""
    try:
        return _parse(path, filename, max_rows)
    except ImportFailure as failure:
        return _failed(str(failure))
    except Exception as exc:  # a damaged file must give the user a message, not a server error
        logger.exception("framework import failed for %s", filename or path)
        return _failed(f"读取文件时出错，文件可能已损坏或格式不受支持（{type(exc).__name__}）")


def _failed(message: str, source_format: str = "") -> ParsedFramework:
    log = IssueLog()
    log.error(message)
    return ParsedFramework(nodes=[], issues=log.issues(), source_format=source_format)


def _parse(path, filename: str | None, max_rows: int) -> ParsedFramework:
    book = read_workbook(path, filename=filename, row_cap=max_rows + HEADER_SCAN_ROWS + 1)
    log = IssueLog()
    log.extend(book.issues)
    result = ParsedFramework(nodes=[], issues=[], source_format=book.source_format)
    chosen = _choose_sheet(book, log)
    if chosen is not None:
        grid, header = chosen
        result.sheet, log.sheet = grid.name, grid.name
        result.header_rows = list(header.rows)
        _use_code_column_as_numbering(grid, header)
        result.columns = header.describe_columns()
        if _within_limits(book, grid, header, max_rows, log):
            result.nodes = _read_tree(grid, header, log, max_rows)
    result.issues = log.issues()
    return result


def _choose_sheet(book: GridWorkbook, log: IssueLog) -> tuple[SheetGrid, HeaderMatch] | None:
    filled = [grid for grid in book.sheets if not grid.is_empty()]
    if not filled:
        log.error("工作簿是空的：没有任何工作表包含内容，请检查是否选错了文件")
        return None
    best: tuple[SheetGrid, HeaderMatch] | None = None
    for grid in filled:
        header = find_header(grid)
        if header and (best is None or header.score > best[1].score):
            best = (grid, header)
    if best is None:
        sheets = "、".join(f"“{grid.name}”" for grid in filled)
        log.error(NO_HEADER_MESSAGE.format(rows=HEADER_SCAN_ROWS, sheets=sheets))
        return None
    if len(filled) > 1:
        rows = "–".join(str(row) for row in best[1].rows)
        log.warning(
            f"工作簿有 {len(filled)} 个工作表，已读取工作表“{best[0].name}”（表头在第 {rows} 行）"
        )
    return best


def _within_limits(
    book: GridWorkbook, grid: SheetGrid, header: HeaderMatch, max_rows: int, log: IssueLog
) -> bool:
    # Oversized sheets were only streamed, not loaded, so merged cells are unknown: stop here.
    if grid.more_rows:
        log.error(row_limit_message(max_rows, max(header.rows) + max_rows + 1))
        return False
    oversized = [other.name for other in book.sheets if other.more_rows]
    if oversized:
        log.error(
            f"工作表“{oversized[0]}”超过 {max_rows} 行，无法读取整个工作簿；"
            "请删除该工作表，或把指标体系单独保存为一个文件后再导入"
        )
        return False
    return True


def _use_code_column_as_numbering(grid: SheetGrid, header: HeaderMatch) -> None:
    """An 编号 column holding 1, 2, 3 or 一、（一） is numbering, not a code system."""
    col = header.columns.get("code")
    if col is None or "number" in header.columns:
        return
    values = [
        cell_text(grid.value(row, col)) for row in range(max(header.rows) + 1, grid.row_count + 1)
    ]
    values = [value for value in values if value]
    if values and all(_is_bare_number(value) for value in values):
        header.columns["number"] = header.columns.pop("code")
        header.labels["number"] = header.labels.pop("code")


def _is_bare_number(text: str) -> bool:
    kind, _, rest = split_numbering(text)
    return kind in SIMPLE_NUMBERING and not rest


def _read_tree(grid: SheetGrid, header: HeaderMatch, log: IssueLog, max_rows: int):
    table = TableReader(grid, header, log, max_rows).read()
    code_col = header.columns.get("code")
    nodes = finish_tree(table.drafts, log, column_letter(code_col) if code_col else None)
    if not nodes and not log.has_errors():
        log.error(f"表头（第 {'–'.join(map(str, header.rows))} 行）下面没有读到任何指标")
    if table.total is not None:
        _check_total(table.total, nodes, log)
    return nodes


def _check_total(total, nodes, log: IssueLog) -> None:
    stated, row = total
    if stated is None or not nodes:
        return
    computed = ParsedFramework(nodes=nodes, issues=[]).total_points()
    if stated != computed:
        log.warning(
            f"第 {row} 行合计分值 {format_points(stated)} 与各项分值之和 {format_points(computed)} 不一致",
            row=row,
            field="points",
        )
