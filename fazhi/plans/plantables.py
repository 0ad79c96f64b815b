"""Reading an annual work plan kept as a table (the 工作台账 or 任务分解表 layout: 序号 / 工作任务 /
牵头单位 / 责任单位 / 完成时限), through the shared table reader.

Areas come either from a column of their own (领域, 重点任务, 类别; usually merged down over its
measures) or from heading rows numbered like `一、…` (often one cell merged across the table).
A measure whose title cell is merged down over several rows is one measure with the units of all
of them. Problems name the row and column, as the other imports do."""

from __future__ import annotations

import re
from datetime import date, datetime

from fazhi.campaigns.tasklists_reading import (
    CHINESE_NUMBERING,
    COLUMN_ALIASES,
    NOTE_PREFIXES,
    best_column,
    merged_value,
    text_of,
)
from fazhi.core.spreadsheets import (
    HEADER_SCAN_ROWS,
    GridWorkbook,
    SheetGrid,
    column_letter,
    normalise_header,
)
from fazhi.plans.planreading import (
    Area,
    Measure,
    PlanReading,
    Problem,
    heading_text,
    milestone_date,
    set_deadline,
    unit_names,
)

PLAN_ALIASES: dict[str, tuple[str, ...]] = {
    "area": (
        "领域",
        "工作领域",
        "重点领域",
        "任务类别",
        "工作类别",
        "类别",
        "板块",
        "方面",
        "重点任务",
    ),
    "code": ("序号", "编号"),
    "title": (
        "工作任务",
        "具体任务",
        "工作措施",
        "具体措施",
        "主要任务",
        "任务内容",
        "工作内容",
        "工作要点",
        "措施",
        "任务",
        "内容",
    ),
    "lead": COLUMN_ALIASES["lead"],
    "responsible": COLUMN_ALIASES["responsible"],
    "deadline": COLUMN_ALIASES["deadline"],
}
_NUMBERING = re.compile(r"^[(（]?[一二三四五六七八九十百]+[)）、.．]?\s*|^\d+\s*[、.．]\s*")


def read_plan_table(book: GridWorkbook, *, year: int) -> PlanReading:
    """The areas and measures of the first sheet with a plan header."""
    reading = PlanReading(year=year)
    for sheet in book.sheets:
        header = _find_header(sheet)
        if header is not None:
            reading.title = sheet.name
            header_row, columns = header
            periods_row, periods = _milestone_columns(sheet, header_row, year)
            for name, col in list(columns.items()):
                if col in periods:  # "时间节点" merged over the quarters is no deadline column
                    del columns[name]
            _read_rows(sheet, max(header_row, periods_row), columns, periods, reading)
            _check(reading, sheet, header_row)
            return reading
    reading.problems.append(
        Problem(
            f"工作表“{book.sheets[0].name if book.sheets else ''}”",
            "没有找到工作计划的表头：需要“工作任务”（或“具体措施”“任务内容”）一列，"
            "以及“牵头单位”“责任单位”“完成时限”中的至少一列",
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
        if "title" in columns and columns.keys() & {"lead", "responsible", "deadline"}:
            # A group heading merged over two header rows ("责任分工" over 牵头单位 / 责任单位).
            below = {
                col: normalise_header(sheet.value(row + 1, col)) for col in range(1, width + 1)
            }
            more = _map(below, columns, exact=True)
            if more.keys() - columns.keys():
                return row + 1, more
            return row, columns
    return None


def _milestone_columns(sheet: SheetGrid, header_row: int, year: int) -> tuple[int, dict[int, date]]:
    """The columns headed by a period (一季度 … 四季度, 3月 … 12月, 上半年) and the row of those
    headings: the header row, or the row below when a heading like 进度安排 spans them."""
    width = max((len(values) for values in sheet.rows[: header_row + 1]), default=0)
    for row in (header_row, header_row + 1):
        found = {
            col: due
            for col in range(1, width + 1)
            if (due := milestone_date(normalise_header(sheet.value(row, col)), year))
        }
        if len(found) >= 2:
            return row, found
    return header_row, {}


def _map(texts: dict[int, str], known: dict[str, int], *, exact: bool) -> dict[str, int]:
    columns = dict(known)
    # Fields with exact names first, so "重点任务" as the area column does not take "任务".
    for field_name in ("code", "lead", "responsible", "deadline", "title", "area"):
        if field_name not in columns:
            column = best_column(
                texts, PLAN_ALIASES[field_name], set(columns.values()), exact=exact
            )
            if column:
                columns[field_name] = column
    return columns


def _read_rows(
    sheet: SheetGrid,
    header_row: int,
    columns: dict[str, int],
    periods: dict[int, date],
    reading: PlanReading,
) -> None:
    area: Area | None = None
    measure: Measure | None = None
    area_text = ""  # the area column's text as written, to tell when the next area starts
    title_col = columns["title"]
    for row in range(header_row + 1, sheet.row_count + 1):
        values = {name: merged_value(sheet, row, col) for name, col in columns.items()}
        texts = {name: text_of(value) for name, value in values.items()}
        if not any(texts.values()):
            continue
        first = next(text for text in texts.values() if text)
        if first.startswith(NOTE_PREFIXES):
            break
        if heading := _heading_row(sheet, row, columns, texts):
            area, measure = _new_area(reading, heading, row), None
            continue
        if "area" in columns and texts["area"] and texts["area"] != area_text:
            area_text = texts["area"]
            area, measure = (
                _new_area(reading, heading_text(_NUMBERING.sub("", area_text)), row),
                None,
            )
        if area is None:
            area = _new_area(reading, sheet.name, row)  # a table with no areas at all
        where = f"第 {row} 行"
        if _continues(sheet, row, title_col, measure):
            _add_units(measure, texts)
            _add_milestones(sheet, row, periods, measure)
            continue
        measure = Measure(
            code=f"{area.code}.{len(area.measures) + 1}",
            title=heading_text(_NUMBERING.sub("", texts["title"])),
            detail="",
            where=where,
        )
        area.measures.append(measure)
        if not measure.title:
            letter = column_letter(title_col)
            reading.problems.append(Problem(f"{where} {letter} 列", "工作任务为空"))
        _add_units(measure, texts)
        _add_milestones(sheet, row, periods, measure)
        _add_deadline(
            measure, values.get("deadline"), reading, f"{where} {_letter(columns, 'deadline')} 列"
        )


def _heading_row(sheet: SheetGrid, row: int, columns: dict[str, int], texts: dict[str, str]) -> str:
    """The area title when the row is a heading: numbered `一、…` or `（一）…` with no units or
    deadline, or one cell merged across the table."""
    merge = sheet.merge_at(row, min(columns.values()))
    if merge is not None and merge.min_row == row and merge.max_col >= max(columns.values()):
        return heading_text(_NUMBERING.sub("", texts.get("code") or texts.get("title") or ""))
    if any(texts.get(name) for name in ("lead", "responsible", "deadline")):
        return ""
    code, title = texts.get("code", ""), texts.get("title", "")
    if CHINESE_NUMBERING.match(code):  # 序号 "一" (or "一、…") beside the area's title
        return heading_text(
            _NUMBERING.sub("", title if CHINESE_NUMBERING.fullmatch(code) else code)
        )
    if CHINESE_NUMBERING.match(title):
        return heading_text(_NUMBERING.sub("", title))
    return ""


def _continues(sheet: SheetGrid, row: int, title_col: int, measure: Measure | None) -> bool:
    merge = sheet.merge_at(row, title_col)
    return measure is not None and merge is not None and merge.min_row < row


def _new_area(reading: PlanReading, title: str, row: int) -> Area:
    area = Area(code=str(len(reading.areas) + 1), title=title, where=f"第 {row} 行")
    reading.areas.append(area)
    return area


def _add_units(measure: Measure, texts: dict[str, str]) -> None:
    for name in unit_names(texts.get("lead", "")):
        if name not in measure.lead_names:
            measure.lead_names.append(name)
    for name in unit_names(texts.get("responsible", "")):
        if name not in measure.responsible_names and name not in measure.lead_names:
            measure.responsible_names.append(name)


def _add_milestones(sheet: SheetGrid, row: int, periods: dict[int, date], measure: Measure) -> None:
    for col, due in periods.items():
        merge = sheet.merge_at(row, col)
        if merge is not None and merge.min_row < row:
            continue  # a target merged down over the measure's rows is said once
        if text := text_of(merged_value(sheet, row, col)):
            key = due.isoformat()
            joined = f"{measure.milestones[key]}；{text}" if key in measure.milestones else text
            measure.milestones[key] = joined[:500]


def _add_deadline(measure: Measure, value, reading: PlanReading, where: str) -> None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        measure.deadline_text, measure.deadline = value.isoformat(), value
    elif text := text_of(value):
        set_deadline(measure, text, where, reading)


def _letter(columns: dict[str, int], name: str) -> str:
    return column_letter(columns[name]) if name in columns else ""


def _check(reading: PlanReading, sheet: SheetGrid, header_row: int) -> None:
    if not reading.measures:
        reading.problems.append(
            Problem(f"工作表“{sheet.name}”第 {header_row} 行以下", "没有读到任何工作任务")
        )
