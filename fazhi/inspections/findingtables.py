"""Reading the 问题清单 (findings table) an inspection circulates, through the shared table
reader: 序号 / 问题类别 / 问题描述 / 被督察单位 / 责任单位 / 责任领导 / 责任人 / 整改要求 / 整改时限.

Tables are taken as they come: title rows above the header, a header on one or two rows (a
group heading such as 整改责任 merged over 责任单位 / 责任领导 / 责任人), the inspected unit or the
category merged down over its findings, categories as heading rows (`一、依法决策方面`), a
description with line breaks in its cell or carried on into rows below that have no number,
notes under the table. Reading is pure: unit names stay text (the importer matches them), and
every problem names its row and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from fazhi.campaigns.deadlines import parse_deadline
from fazhi.campaigns.tasklists_reading import (
    CHINESE_NUMBERING,
    NOTE_PREFIXES,
    best_column,
    merged_value,
    normalise_code,
    text_of,
)
from fazhi.core.spreadsheets import (
    HEADER_SCAN_ROWS,
    GridWorkbook,
    SheetGrid,
    column_letter,
    normalise_header,
)
from fazhi.plans.planreading import Problem

ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "问题编号", "问题序号"),
    "category": ("问题类别", "问题类型", "问题分类", "类别", "类型", "领域"),
    "leader": ("责任领导", "分管领导", "牵头领导", "整改责任领导", "责任领导同志"),
    "person": ("责任人", "具体责任人", "整改责任人", "经办人"),
    "deadline": ("整改时限", "完成时限", "整改期限", "时限", "完成时间", "整改时间"),
    "requirement": ("整改要求", "整改措施", "整改意见", "督察意见", "工作要求", "意见建议"),
    "inspected": ("被督察单位", "督察对象", "被督察对象", "被检查单位", "被督察地区", "涉及单位"),
    "responsible": ("整改责任单位", "责任单位", "整改单位", "牵头单位", "责任部门", "整改主体"),
    "description": (
        "问题描述",
        "存在问题",
        "主要问题",
        "具体问题",
        "问题表现",
        "问题内容",
        "问题清单",
        "发现问题",
        "问题",
    ),
}
# Matched in this order, each column once: the specific names before "问题", which would
# otherwise take 问题类别.
FIELD_ORDER = tuple(ALIASES)
LABELS = {
    "number": "序号",
    "category": "问题类别",
    "description": "问题描述",
    "inspected": "被督察单位",
    "responsible": "责任单位",
    "deadline": "整改时限",
}
LONG_TERM = re.compile(r"长期|持续|常态|久久为功")
AT_ONCE = re.compile(r"立行立改|立即|即知即改")
_DAY = re.compile(
    r"(?:(?P<y>20\d{2})\s*[年./-]\s*)?(?P<m>\d{1,2})\s*[月./-]\s*(?P<d>\d{1,2})\s*日?"
)
_MONTH = re.compile(r"(?P<m>\d{1,2})\s*月")
_NUMBERING = re.compile(r"^[(（]?[一二三四五六七八九十百]+[)）、.．]?\s*")
_COUNT = re.compile(r"[（(]\s*\d+\s*(?:个|项|条)?(?:问题)?\s*[)）]$")


@dataclass
class FindingRow:
    row: int
    number: str
    description: str = ""
    category: str = ""
    inspected: str = ""
    responsible: str = ""
    leader: str = ""
    person: str = ""
    requirement: str = ""
    deadline: date | None = None
    deadline_text: str = ""
    long_term: bool = False
    columns: dict[str, str] = field(default_factory=dict)  # field → column letter

    def where(self, name: str) -> str:
        letter = self.columns.get(name, "")
        return f"第 {self.row} 行 {letter} 列" if letter else f"第 {self.row} 行"


@dataclass
class FindingsReading:
    rows: list[FindingRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheet: str = ""


def read_findings_table(book: GridWorkbook, *, year: int) -> FindingsReading:
    """The findings of the first sheet with a findings header; `year` completes deadlines
    written without one (`6月底前`)."""
    reading = FindingsReading()
    for sheet in book.sheets:
        header = _find_header(sheet)
        if header is not None:
            reading.sheet = sheet.name
            _read_rows(sheet, *header, reading, year)
            if not reading.rows and not reading.problems:
                reading.problems.append(
                    Problem(f"工作表“{sheet.name}”第 {header[0]} 行以下", "没有读到任何问题")
                )
            return reading
    name = book.sheets[0].name if book.sheets else ""
    reading.problems.append(
        Problem(
            f"工作表“{name}”",
            "没有找到问题清单的表头：需要“问题描述”（或“存在问题”）一列，"
            "以及“责任单位”“被督察单位”“整改时限”中的至少一列",
        )
    )
    return reading


def _find_header(sheet: SheetGrid) -> tuple[int, dict[str, int]] | None:
    last = min(HEADER_SCAN_ROWS, sheet.row_count)
    width = max((len(values) for values in sheet.rows[:last]), default=0)
    for row in range(1, last + 1):
        texts = {
            col: normalise_header(merged_value(sheet, row, col)) for col in range(1, width + 1)
        }
        columns = _map(texts, {}, exact=False)
        if "description" in columns and columns.keys() & {"responsible", "inspected", "deadline"}:
            below = {
                col: normalise_header(sheet.value(row + 1, col)) for col in range(1, width + 1)
            }
            more = _map(below, columns, exact=True)
            if more.keys() - columns.keys():
                return row + 1, more
            return row, columns
    return None


def _map(texts: dict[int, str], known: dict[str, int], *, exact: bool) -> dict[str, int]:
    columns = dict(known)
    for name in FIELD_ORDER:
        if name not in columns:
            column = best_column(texts, ALIASES[name], set(columns.values()), exact=exact)
            if column:
                columns[name] = column
    return columns


def _read_rows(
    sheet: SheetGrid, header_row: int, columns: dict[str, int], reading: FindingsReading, year
) -> None:
    letters = {name: column_letter(col) for name, col in columns.items()}
    by_number: dict[str, int] = {}
    current: FindingRow | None = None
    heading_category = ""
    for row in range(header_row + 1, sheet.row_count + 1):
        values = {name: merged_value(sheet, row, col) for name, col in columns.items()}
        texts = {name: text_of(value) for name, value in values.items()}
        if not any(texts.values()):
            continue
        first = next(text for text in texts.values() if text)
        if first.startswith(NOTE_PREFIXES):
            break
        if heading := _heading(sheet, row, columns, texts):
            heading_category, current = heading, None
            continue
        number = normalise_code(values.get("number")) if "number" in columns else ""
        merged_number = "number" in columns and _merged_down(sheet, row, columns["number"])
        continues = current is not None and (
            not number or (number == current.number and merged_number)
        )
        if current is not None and "number" in columns and continues:
            _continue(current, sheet, row, columns, texts)
            continue
        if not number:
            if "number" in columns:
                reading.problems.append(Problem(f"第 {row} 行 {letters['number']} 列", "缺少序号"))
                continue
            number = str(len(reading.rows) + 1)
        if number in by_number:
            reading.problems.append(
                Problem(
                    f"第 {row} 行 {letters.get('number', '')} 列",
                    f"序号 {number} 与第 {by_number[number]} 行重复",
                )
            )
            current = None
            continue
        current = FindingRow(row=row, number=number[:20], columns=letters)
        by_number[number] = row
        reading.rows.append(current)
        _fill(current, texts, heading_category)
        _deadline(current, values.get("deadline"), reading, year)
        _check(current, reading)


def _heading(sheet, row, columns, texts) -> str:
    """A category heading: one cell merged across the table, or `一、…` with nothing else."""
    left = min(columns.values())
    merge = sheet.merge_at(row, left)
    if merge is not None and merge.min_row == row and merge.max_col >= max(columns.values()):
        return _category_text(texts.get("number") or texts.get("description") or "")
    filled = {name for name, text in texts.items() if text}
    if filled - {"number", "description", "category"}:
        return ""
    for name in ("number", "description"):
        if CHINESE_NUMBERING.match(texts.get(name, "")) and len(filled) <= 2:
            text = texts[name]
            if name == "number" and CHINESE_NUMBERING.fullmatch(text):
                text = texts.get("description", "")
            return _category_text(text)
    return ""


def _category_text(text: str) -> str:
    text = _COUNT.sub("", _NUMBERING.sub("", text.strip())).strip()
    return text.removesuffix("方面问题").removesuffix("方面").removesuffix("问题").strip()


def _merged_down(sheet: SheetGrid, row: int, col: int) -> bool:
    merge = sheet.merge_at(row, col)
    return merge is not None and merge.min_row < row


def _fill(finding: FindingRow, texts: dict[str, str], heading_category: str) -> None:
    finding.description = texts.get("description", "")
    finding.category = _category_text(texts.get("category", "")) or heading_category
    finding.inspected = texts.get("inspected", "")
    finding.responsible = texts.get("responsible", "") or finding.inspected
    finding.leader = texts.get("leader", "")[:100]
    finding.person = texts.get("person", "")[:100]
    finding.requirement = texts.get("requirement", "")


def _continue(finding, sheet, row, columns, texts) -> None:
    """A row without a number of its own carries the finding above on: its description and
    requirement go on as new lines (unless the cell is the same merged one)."""
    for name in ("description", "requirement"):
        text = texts.get(name, "")
        if text and not _merged_down(sheet, row, columns[name]):
            current = getattr(finding, name)
            setattr(finding, name, f"{current}\n{text}" if current else text)


def _deadline(finding: FindingRow, value, reading: FindingsReading, year: int) -> None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        finding.deadline, finding.deadline_text = value, value.isoformat()
        return
    text = text_of(value).strip("，,；;。 ")
    finding.deadline_text = text[:100]
    if not text or AT_ONCE.search(text) and not re.search(r"\d", text):
        return
    if LONG_TERM.search(text) and not re.search(r"\d", text):
        finding.long_term = True
        return
    where = finding.where("deadline")
    if problem := _impossible(text, year):
        reading.problems.append(Problem(where, f"整改时限“{text}”{problem}"))
        return
    finding.deadline = parse_deadline(text, default_year=year)
    if finding.deadline is None:
        if LONG_TERM.search(text):
            finding.long_term = True
            return
        reading.problems.append(
            Problem(where, f"无法识别整改时限“{text}”，请写成“2025年6月底前”或“长期坚持”")
        )


def _impossible(text: str, year: int) -> str:
    if match := _DAY.search(text):
        y, m, d = int(match["y"] or year), int(match["m"]), int(match["d"])
        try:
            date(y, m, d)
        except ValueError:
            return "中的日期不存在"
        return ""
    if (match := _MONTH.search(text)) and not 1 <= int(match["m"]) <= 12:
        return f"中的月份 {match['m']} 不存在"
    return ""


def _check(finding: FindingRow, reading: FindingsReading) -> None:
    if not finding.description:
        reading.problems.append(Problem(finding.where("description"), "问题描述为空"))
    if not finding.responsible:
        missing = "responsible" if "responsible" in finding.columns else "inspected"
        reading.problems.append(Problem(finding.where(missing), "没有填写责任单位"))
