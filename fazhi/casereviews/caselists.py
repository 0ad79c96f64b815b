"""Reading a case list (案件清单) through the shared table reader: 案件编号 / 案件名称（案由）/
类型 / 执法单位 / 承办人 / 结案日期, found by meaning under any title rows. Pure: unit names stay
text (the importer matches them); every problem names its row and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from fazhi.campaigns.tasklists_reading import best_column, text_of
from fazhi.core.spreadsheets import (
    HEADER_SCAN_ROWS,
    GridWorkbook,
    SheetGrid,
    column_letter,
    normalise_header,
)

ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("案件编号", "案卷编号", "案号", "决定书文号", "文书编号", "编号"),
    "title": ("案件名称案由", "案件名称", "案由", "案卷名称", "名称"),
    "case_type": ("案件类型", "执法类型", "行为类别", "执法行为类别", "类型", "类别"),
    "unit": ("执法单位", "执法机关", "执法部门", "办案单位", "承办单位", "实施机关", "单位"),
    "handler": ("承办人", "执法人员", "办案人员", "承办人员", "经办人"),
    "closed_on": ("结案日期", "结案时间", "办结日期", "办结时间", "归档日期"),
}
REQUIRED = ("number", "title", "case_type", "unit", "closed_on")
LABELS = {
    "number": "案件编号",
    "title": "案件名称/案由",
    "case_type": "类型",
    "unit": "执法单位",
    "handler": "承办人",
    "closed_on": "结案日期",
}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class CaseRow:
    row: int
    number: str
    title: str
    case_type: str
    unit: str
    handler: str
    closed_on: date | None
    columns: dict[str, str] = field(default_factory=dict)

    def where(self, name: str) -> str:
        return f"第 {self.row} 行 {self.columns.get(name, '')} 列"


@dataclass
class CaseReading:
    rows: list[CaseRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def date_of(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(text_of(value))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def read_case_table(book: GridWorkbook) -> CaseReading:
    reading = CaseReading()
    for sheet in book.sheets:
        header = _find_header(sheet)
        if header is not None:
            _read_rows(sheet, *header, reading)
            if not reading.rows and not reading.problems:
                reading.problems.append(f"工作表“{sheet.name}”表头以下没有读到任何案件")
            return reading
    missing = "、".join(LABELS[name] for name in REQUIRED)
    reading.problems.append(f"没有找到案件清单的表头：需要 {missing} 各一列")
    return reading


def _find_header(sheet: SheetGrid):
    for row in range(1, min(sheet.row_count, HEADER_SCAN_ROWS) + 1):
        texts = {
            col: normalise_header(text_of(sheet.value(row, col)))
            for col in range(1, len(sheet.rows[row - 1]) + 1)
        }
        used: set[int] = set()
        columns: dict[str, int] = {}
        for exact in (True, False):
            for name, aliases in ALIASES.items():
                if name not in columns:
                    col = best_column(texts, aliases, used, exact=exact)
                    if col is not None:
                        columns[name] = col
                        used.add(col)
        if all(name in columns for name in REQUIRED):
            return row, columns
    return None


def _read_rows(sheet: SheetGrid, header_row: int, columns: dict[str, int], reading) -> None:
    letters = {name: column_letter(col) for name, col in columns.items()}
    for row in range(header_row + 1, sheet.row_count + 1):
        values = {name: sheet.value(row, col) for name, col in columns.items()}
        texts = {name: text_of(value) for name, value in values.items()}
        if not any(texts.values()):
            continue
        case = CaseRow(
            row=row,
            number=texts["number"][:100],
            title=texts["title"][:300],
            case_type=texts["case_type"],
            unit=texts["unit"][:200],
            handler=texts.get("handler", "")[:100],
            closed_on=date_of(values["closed_on"]),
            columns=letters,
        )
        for name in REQUIRED:
            if not texts[name]:
                reading.problems.append(f"{case.where(name)}：{LABELS[name]}为空")
        if texts["closed_on"] and case.closed_on is None:
            reading.problems.append(
                f"{case.where('closed_on')}：结案日期“{texts['closed_on']}”应为 2025-03-31 这样的日期"
            )
        reading.rows.append(case)
