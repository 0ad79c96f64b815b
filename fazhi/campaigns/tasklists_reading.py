"""Reading a task list (任务清单) sheet into records, one per item code, before anything is
matched against the campaign. Government tables are taken as they come: title rows above the
header, a header on one or two rows, merged cells (a merged value counts for every row it
covers), heading rows for areas and groups, notes below the table. A row without a code whose
content is blank or the same as the row above continues the item above (blank means same)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from fazhi.core.spreadsheets import (
    HEADER_SCAN_ROWS,
    GridWorkbook,
    ImportFailure,
    IssueLog,
    SheetGrid,
    column_letter,
    normalise_header,
)
from fazhi.core.xlsx import FORMULA_TRIGGERS

# Header names by field, best first; compared after normalise_header (no spaces or punctuation,
# so "指标/细化指标内容" is "指标细化指标内容"). A header equal to a name wins over one that only
# starts with it ("责任单位（部门）"). Fields are matched in this order, each column once.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("编码", "指标编码", "指标编号", "任务编号", "编号", "指标代码", "代码", "序号"),
    "lead": ("牵头单位", "牵头部门", "牵头责任单位", "牵头"),
    "responsible": (
        "责任单位",
        "配合单位",
        "责任部门",
        "配合部门",
        "协办单位",
        "参与单位",
        "责任单位配合单位",
    ),
    "deadline": (
        "完成时限",
        "时限",
        "完成时间",
        "完成期限",
        "时间节点",
        "时间要求",
        "完成时间节点",
    ),
    "points": ("分值", "分数", "标准分", "满分"),
    "title": (
        "指标细化指标内容",
        "细化指标内容",
        "细化指标",
        "细化任务",
        "细化内容",
        "任务内容",
        "工作任务",
        "具体任务",
        "任务",
        "指标内容",
        "内容",
        "三级指标",
        "指标名称",
        "指标",
    ),
}
FIELD_LABELS = {
    "code": "编码",
    "lead": "牵头单位",
    "responsible": "责任单位",
    "deadline": "完成时限",
    "points": "分值",
    "title": "内容",
}
CONTENT_FIELDS = ("title", "lead", "responsible", "deadline")
NOTE_PREFIXES = ("注", "说明", "备注", "填表", "填报", "联系人", "合计", "总计", "小计")
CHINESE_NUMBERING = re.compile(r"^[(（]?[一二三四五六七八九十百]+(?:[)）、.．]|$)")


@dataclass
class RawRecord:
    """One item code of the sheet with everything its rows say (texts as written)."""

    row: int
    code: str
    rows: list[int] = field(default_factory=list)
    title: str = ""
    points: object = None
    deadline: object = None
    lead_texts: list[str] = field(default_factory=list)
    responsible_texts: list[str] = field(default_factory=list)


@dataclass
class SheetReading:
    sheet: str
    header_rows: list[int]
    columns: dict[str, int]
    records: list[RawRecord]
    log: IssueLog

    def letter(self, field_name: str) -> str:
        column = self.columns.get(field_name)
        return column_letter(column) if column else ""


def read_task_sheet(book: GridWorkbook, *, heading_codes: set[str], max_rows: int) -> SheetReading:
    """The records of the first sheet with a task list header. `heading_codes` are the codes of
    areas and groups: rows with them are headings, not items."""
    for sheet in book.sheets:
        if sheet.is_empty():
            continue
        header = _find_header(sheet)
        if header is None:
            continue
        if sheet.more_rows:
            raise ImportFailure(
                f"工作表“{sheet.name}”超过 {max_rows} 行，任务清单通常不会这么长；请检查是否选错了文件，或分批导入。"
            )
        header_rows, columns = header
        reading = SheetReading(sheet.name, header_rows, columns, [], IssueLog(sheet=sheet.name))
        _read_rows(sheet, reading, heading_codes)
        return reading
    raise ImportFailure(
        "没有找到任务清单的表头：需要“编码”（或“序号”“指标编号”）一列，以及“内容”“牵头单位”"
        "“责任单位”“完成时限”中的至少一列。"
    )


# -- header ----------------------------------------------------------------------------------


def _find_header(sheet: SheetGrid) -> tuple[list[int], dict[str, int]] | None:
    last = min(HEADER_SCAN_ROWS, sheet.row_count)
    width = max((len(values) for values in sheet.rows[:last]), default=0)
    for row in range(1, last + 1):
        texts = {
            col: normalise_header(merged_value(sheet, row, col)) for col in range(1, width + 1)
        }
        columns = _map_columns(texts, {})
        if "code" not in columns or not columns.keys() & set(CONTENT_FIELDS):
            continue
        if "职责" in texts.values() and not columns.keys() & {"lead", "responsible"}:
            raise ImportFailure(
                f"工作表“{sheet.name}”是责任清单（按单位列出），不能作为任务清单导入；请导入任务清单（按任务项列出）。"
            )
        rows = [row]
        # A second header row under a merged group heading ("责任分工" over 牵头单位/责任单位).
        below = {col: normalise_header(sheet.value(row + 1, col)) for col in range(1, width + 1)}
        more = _map_columns(below, columns, exact=True)
        if more.keys() - columns.keys():
            columns, rows = more, [row, row + 1]
        last_header = max(
            [rows[-1]]
            + [m.max_row for m in sheet.merges if m.min_row in rows and m.max_row < row + 3]
        )
        return list(range(row, last_header + 1)), columns
    return None


def _map_columns(
    texts: dict[int, str], known: dict[str, int], *, exact: bool = False
) -> dict[str, int]:
    columns = dict(known)
    used = set(columns.values())
    for field_name, aliases in COLUMN_ALIASES.items():
        if field_name in columns:
            continue
        column = best_column(texts, aliases, used, exact=exact)
        if column:
            columns[field_name] = column
            used.add(column)
    return columns


def best_column(
    texts: dict[int, str], aliases: tuple[str, ...], used: set[int], *, exact: bool
) -> int | None:
    free = [(col, text) for col, text in texts.items() if text and col not in used]
    for alias in aliases:
        for col, text in free:
            if text == alias:
                return col
    if exact:
        return None
    for alias in aliases:
        for col, text in free:
            if len(alias) >= 2 and text.startswith(alias):
                return col
    return None


# -- rows ------------------------------------------------------------------------------------


def _read_rows(sheet: SheetGrid, reading: SheetReading, heading_codes: set[str]) -> None:
    columns, log = reading.columns, reading.log
    code_letter = reading.letter("code")
    by_code: dict[str, RawRecord] = {}
    current: RawRecord | None = None
    for row in range(reading.header_rows[-1] + 1, sheet.row_count + 1):
        values = {name: merged_value(sheet, row, col) for name, col in columns.items()}
        if not any(text_of(value) for value in values.values()):
            continue
        code_text = text_of(values["code"])
        if _is_note(sheet, row, columns, code_text):
            current = None
            continue
        code = normalise_code(values["code"])
        if code in heading_codes or CHINESE_NUMBERING.match(code) or _is_heading(code, values):
            current = None  # an area or group heading
            continue
        continues = not code or (
            current is not None
            and code == current.code
            and _merged_down(sheet, row, columns["code"])
        )
        if continues:
            if current is None:
                log.error(f"第 {row} 行 {code_letter} 列：缺少编码", row=row, column=code_letter)
            elif _starts_new_item(current, values):
                log.error(
                    f"第 {row} 行 {code_letter} 列：没有单独的编码，但内容与第 {current.row} 行不同；"
                    f"如果是新的细化指标，请填写编码（如 {current.code}.1）",
                    row=row,
                    column=code_letter,
                )
            else:
                _add_row(current, row, values)
            continue
        if code in by_code:
            first = by_code[code].row
            log.error(
                f"第 {row} 行 {code_letter} 列：编码 {code} 与第 {first} 行重复",
                row=row,
                column=code_letter,
            )
            current = None
            continue
        current = RawRecord(row=row, code=code)
        _add_row(current, row, values)
        by_code[code] = current
        reading.records.append(current)


def _add_row(record: RawRecord, row: int, values: dict) -> None:
    record.rows.append(row)
    record.title = record.title or text_of(values.get("title"))
    if record.points is None and text_of(values.get("points")):
        record.points = values["points"]
    if record.deadline is None and text_of(values.get("deadline")):
        record.deadline = values["deadline"]
    for name, texts in (("lead", record.lead_texts), ("responsible", record.responsible_texts)):
        text = text_of(values.get(name))
        if text and text not in texts:
            texts.append(text)


def _is_heading(code: str, values: dict) -> bool:
    """A row with no code whose only text is numbered like an area or group ("二、……",
    "（三）……") and that names no unit or deadline."""
    if code or any(text_of(values.get(name)) for name in ("lead", "responsible", "deadline")):
        return False
    return bool(CHINESE_NUMBERING.match(text_of(values.get("title"))))


def _starts_new_item(record: RawRecord, values: dict) -> bool:
    title = text_of(values.get("title"))
    return bool(title) and bool(record.title) and title != record.title


def _merged_down(sheet: SheetGrid, row: int, col: int) -> bool:
    merge = sheet.merge_at(row, col)
    return merge is not None and merge.min_row < row


def _is_note(sheet: SheetGrid, row: int, columns: dict[str, int], code_text: str) -> bool:
    if code_text.startswith(NOTE_PREFIXES) or ":" in code_text or "：" in code_text:
        return True
    merge = sheet.merge_at(row, columns["code"])
    return (
        merge is not None
        and merge.max_col > merge.min_col
        and merge.max_col >= max(columns.values())
    )


def merged_value(sheet: SheetGrid, row: int, col: int):
    value = sheet.value(row, col)
    if value is None and (merge := sheet.merge_at(row, col)) is not None:
        value = sheet.value(merge.min_row, merge.min_col)
    return value


def text_of(value) -> str:
    """A cell as text: 12.0 → "12", a date → "2025-06-30", text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    # Our own exports quote text that Excel would run as a formula (core.xlsx.safe_cell).
    if text.startswith("'") and text[1:2] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


def normalise_code(value) -> str:
    """ "３．２．３７" → "3.2.37"; "3.2.37." → "3.2.37"; 12.0 → "12"."""
    text = unicodedata.normalize("NFKC", text_of(value))
    text = re.sub(r"\s+", "", text).replace("。", ".").replace("、", ".")
    return text.strip(".")
