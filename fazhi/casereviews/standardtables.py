"""Reading an Excel standard (评查标准) through the shared table reader, as standards come:
title rows above the header; sections as a column merged down over their items ("卷面评查
（20分）") or as heading rows ("一、案卷内容（80分）"); section points in the section's text or in
a column of their own; the rule in its own column; veto items (否决项) by a 否决 column, by a
section of them, or by 否决 written in the rule. Reading is pure: what is wrong is a problem
naming its row and column, a rule that cannot be read is kept as text and flagged."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from fazhi.campaigns.tasklists_reading import best_column, merged_value, text_of
from fazhi.casereviews.rules import (
    Rule,
    decimal_of,
    has_veto,
    normalise,
    number_out,
    parse_rule,
    rule_problems,
)
from fazhi.core.spreadsheets import (
    HEADER_SCAN_ROWS,
    GridWorkbook,
    SheetGrid,
    column_letter,
    normalise_header,
)

FULL_MARKS = Decimal(100)
ALIASES: dict[str, tuple[str, ...]] = {
    "veto": ("否决项", "是否否决项", "否决", "一票否决", "是否否决"),
    "rule": (
        "扣分标准",
        "评分标准",
        "扣分办法",
        "评分细则",
        "扣分细则",
        "扣分规则",
        "扣分说明",
        "评分办法",
        "评分方法",
        "扣分",
    ),
    "section_points": ("项目分值", "类别分值", "部分分值", "一级分值"),
    "section": (
        "评查项目",
        "评查类别",
        "评查部分",
        "考评项目",
        "一级指标",
        "项目",
        "类别",
        "部分",
    ),
    "code": ("序号", "编号", "代码", "条目编号"),
    "title": (
        "评查内容",
        "评查要点",
        "考评内容",
        "具体内容",
        "评分要点",
        "评查标准",
        "评查事项",
        "二级指标",
        "内容",
    ),
    "points": ("分值", "标准分", "分数", "满分", "基准分"),
}
TRUE_MARKS = {"是", "√", "✓", "✔", "Y", "YES", "1", "否决", "否决项", "★", "●", "一票否决"}
_SECTION_POINTS = re.compile(
    r"[（(]\s*(?:共|满分)?\s*(\d+(?:\.\d+)?)\s*分\s*[)）]|(\d+(?:\.\d+)?)\s*分$"
)
_HEADING = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]|^第[一二三四五六七八九十]+部分")


@dataclass
class ItemRow:
    row: int
    code: str
    title: str
    points: Decimal | None
    rule_text: str
    rule: Rule
    veto: bool

    def as_json(self) -> dict:
        return {
            "row": self.row,
            "code": self.code,
            "title": self.title,
            "points": number_out(self.points or 0),
            "rule": self.rule.as_json(),
            "rule_text": self.rule_text,
            "veto": self.veto,
        }


@dataclass
class SectionRows:
    title: str
    row: int
    points: Decimal | None = None
    veto_section: bool = False
    items: list[ItemRow] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "points": number_out(self.points or 0),
            "items": [item.as_json() for item in self.items],
        }


@dataclass
class StandardReading:
    sections: list[SectionRows] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # errors: nothing is stored
    flags: list[str] = field(default_factory=list)  # stored, shown for a person to check
    sheet: str = ""

    def as_json(self) -> dict:
        return {
            "sections": [s.as_json() for s in self.sections],
            "problems": self.problems,
            "flags": self.flags,
        }


def read_standard_table(book: GridWorkbook) -> StandardReading:
    reading = StandardReading()
    for sheet in book.sheets:
        header = _find_header(sheet)
        if header is not None:
            reading.sheet = sheet.name
            _read_rows(sheet, *header, reading)
            _check_points(reading)
            return reading
    reading.problems.append(
        "没有找到评查标准的表头：需要“评查内容”（或“评查要点”）一列和“分值”（或“标准分”）一列"
    )
    return reading


def _find_header(sheet: SheetGrid):
    for row in range(1, min(sheet.row_count, HEADER_SCAN_ROWS) + 1):
        texts = {
            col: normalise_header(text_of(sheet.value(row, col)))
            for col in range(1, len(sheet.rows[row - 1]) + 1)
        }
        columns = _match_columns(texts)
        if "title" in columns and ("points" in columns or "rule" in columns):
            return row, columns
    return None


def _match_columns(texts: dict[int, str]) -> dict[str, int]:
    used: set[int] = set()
    columns: dict[str, int] = {}
    for exact in (True, False):
        for name, aliases in ALIASES.items():
            if name in columns:
                continue
            col = best_column(texts, aliases, used, exact=exact)
            if col is not None:
                columns[name] = col
                used.add(col)
    # Two 分值 columns: the one left of the content is the section's.
    points = [c for c, t in texts.items() if t in ALIASES["points"]]
    if "section_points" not in columns and len(points) == 2:
        columns["section_points"], columns["points"] = points
    return columns


def _cell(sheet: SheetGrid, row: int, col: int | None, *, merged: bool = False) -> str:
    if col is None:
        return ""
    value = merged_value(sheet, row, col) if merged else sheet.value(row, col)
    return text_of(value)


def _where(row: int, col: int | None) -> str:
    return f"第 {row} 行 {column_letter(col)} 列" if col else f"第 {row} 行"


def _section_points(text: str) -> Decimal | None:
    match = _SECTION_POINTS.search(normalise(text))
    return decimal_of(match.group(1) or match.group(2)) if match else None


def _section_title(text: str) -> str:
    return _SECTION_POINTS.sub("", text).strip() or text


def _is_heading(sheet: SheetGrid, row: int, columns: dict[str, int]) -> str:
    """A heading row's text: one text across the row (or merged across it), no points."""
    values = [text_of(v) for v in sheet.rows[row - 1]]
    filled = [v for v in values if v]
    if len(set(filled)) != 1:
        return ""
    text = filled[0]
    if _cell(sheet, row, columns.get("points")) == text or decimal_of(text) is not None:
        return ""
    merge = sheet.merge_at(row, values.index(text) + 1)
    if _HEADING.match(text) or (merge is not None and merge.max_col > merge.min_col):
        return text
    return ""


def _read_rows(sheet: SheetGrid, header_row: int, columns: dict[str, int], reading):
    section: SectionRows | None = None
    section_key = None
    for row in range(header_row + 1, sheet.row_count + 1):
        if heading := _is_heading(sheet, row, columns):
            section = _new_section(reading, heading, row, _section_points(heading))
            section_key = ("heading", row)
            continue
        title = _cell(sheet, row, columns["title"])
        if not title:
            continue
        if "section" in columns:
            section_text = _cell(sheet, row, columns["section"], merged=True)
            merge = sheet.merge_at(row, columns["section"])
            key = (merge.min_row, merge.min_col) if merge else ("text", section_text)
            if section_text and key != section_key:
                points = _section_points(section_text)
                if "section_points" in columns:
                    stated = _cell(sheet, row, columns["section_points"], merged=True)
                    points = decimal_of(stated) if stated else points
                section = _new_section(reading, section_text, row, points)
                section_key = key
        if section is None:
            section = _new_section(reading, "评查内容", row, None)
            section_key = ("default",)
        section.items.append(_read_item(sheet, row, columns, section, reading))


def _new_section(reading, text: str, row: int, points) -> SectionRows:
    title = _section_title(re.sub(r"^[一二三四五六七八九十]+\s*[、.．]\s*", "", text.strip()))
    section = SectionRows(title=title, row=row, points=points, veto_section=has_veto(text))
    reading.sections.append(section)
    return section


def _read_item(sheet, row: int, columns: dict[str, int], section: SectionRows, reading) -> ItemRow:
    title = _cell(sheet, row, columns["title"])
    code = (
        _cell(sheet, row, columns.get("code"))
        or f"{len(reading.sections)}.{len(section.items) + 1}"
    )
    code = normalise(code).strip(".、")[:20]
    rule_text = _cell(sheet, row, columns.get("rule"))
    points_text = _cell(sheet, row, columns.get("points"))
    veto_mark = _cell(sheet, row, columns.get("veto")).upper()
    veto = section.veto_section or veto_mark in TRUE_MARKS or has_veto(rule_text)
    points = decimal_of(normalise(points_text).removesuffix("分")) if points_text else None
    if points_text and points is None:
        reading.problems.append(
            f"{_where(row, columns.get('points'))}：分值“{points_text}”不是数字"
        )
    if points is None and not veto:
        if points_text == "":
            reading.problems.append(f"{_where(row, columns.get('points'))}：第 {code} 项没有分值")
        points = Decimal(0)
    points = points or Decimal(0)
    rule = parse_rule(rule_text, points) if rule_text else Rule("whole", veto=veto)
    if veto and not rule.veto:
        rule = Rule(rule.kind, rule.per, rule.cap, rule.low, rule.high, veto=True)
    if veto and rule.kind == "unread":
        rule = Rule("whole", veto=True)  # a veto item scores the file 0: its rule is the veto
    if rule.kind == "unread":
        reading.flags.append(
            f"{_where(row, columns.get('rule'))}：第 {code} 项的扣分标准“{rule_text}”未能识别，"
            "已按原文保留，评查时由评查人员在该项分值内填写扣分"
        )
    for problem in rule_problems(rule, points) if not veto else []:
        reading.problems.append(f"{_where(row, columns.get('rule'))}：第 {code} 项{problem}")
    return ItemRow(row, code, title, points, rule_text, rule, veto)


def _check_points(reading: StandardReading) -> None:
    codes: dict[str, int] = {}
    for section in reading.sections:
        scored = sum((i.points or 0 for i in section.items if not i.veto), Decimal(0))
        if section.points is None:
            section.points = scored
        elif section.points != scored and not section.veto_section:
            reading.problems.append(
                f"第 {section.row} 行：“{section.title}”标明 {number_out(section.points)} 分，"
                f"其下各项分值合计 {number_out(scored)} 分，分值对不上"
            )
        for item in section.items:
            if item.code in codes:
                reading.problems.append(
                    f"第 {item.row} 行：编号 {item.code} 与第 {codes[item.code]} 行重复"
                )
            codes[item.code] = item.row
    if not any(s.items for s in reading.sections):
        reading.problems.append("表头以下没有读到任何评查项目")
        return
    total = sum((s.points for s in reading.sections if not s.veto_section), Decimal(0))
    if total != FULL_MARKS:
        parts = "＋".join(
            f"{s.title} {number_out(s.points)}" for s in reading.sections if not s.veto_section
        )
        reading.problems.append(
            f"各部分分值合计 {number_out(total)} 分（{parts}），应为 100 分，分值对不上"
        )
