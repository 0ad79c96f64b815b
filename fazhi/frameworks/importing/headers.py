"""Find the header row(s) of a framework table and map its columns to fields by meaning.

Headers are matched on normalised text (no spaces, newlines or punctuation) against the
synonyms each province uses; an exact match beats containment, and a longer synonym beats
a shorter one, so "三级指标" is the indicator column even though it also contains "指标".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fazhi.core.spreadsheets import column_letter
from fazhi.core.spreadsheets.grid import HEADER_SCAN_ROWS, SheetGrid
from fazhi.core.spreadsheets.text import normalise_header

# Columns that are levels of the tree, shallowest first.
STRUCTURE_FIELDS = ("area", "group", "indicator", "item", "title")

FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "area": ("一级指标", "一级", "考核领域", "评价领域", "领域", "一级目录"),
    "group": ("二级指标", "二级", "考核项目", "评价项目", "二级目录"),
    "indicator": (
        "三级指标",
        "三级",
        "指标内容",
        "考核内容",
        "具体指标",
        "评价指标",
        "评价内容",
        "测评内容",
    ),
    "item": (
        "四级指标",
        "四级",
        "细化指标",
        "细化内容",
        "细化任务",
        "具体事项",
        "工作任务",
        "具体任务",
        "任务分解",
    ),
    "title": (
        "指标名称",
        "指标项目",
        "考核指标",
        "指标",
        "项目名称",
        "项目",
        "名称",
        "内容",
        "事项",
    ),
    "number": ("序号", "顺序号"),
    "code": ("指标编号", "指标代码", "指标编码", "编号", "代码", "编码"),
    "description": (
        "指标内涵",
        "内涵",
        "指标说明",
        "考核要点",
        "评价标准",
        "具体要求",
        "指标解释",
        "工作要求",
    ),
    "points": ("分值", "分数", "标准分", "权重分", "满分", "标准分值", "基础分", "权重"),
    "scoring_rules": (
        "评分标准",
        "评分细则",
        "计分方法",
        "扣分标准",
        "评分办法",
        "考核标准",
        "评分规则",
        "计分标准",
        "扣分细则",
        "评分方法",
        "计分办法",
    ),
    "evaluation_methods": (
        "评估方式",
        "评估方法",
        "考核方式",
        "评价方式",
        "测评方式",
        "核查方式",
        "考核方法",
        "评价方法",
        "测评方法",
    ),
    "required_evidence": (
        "佐证材料",
        "印证材料",
        "材料清单",
        "所需材料",
        "证明材料",
        "备查材料",
        "佐证资料",
        "印证资料",
    ),
    "veto": ("一票否决", "否决项", "否决"),
    "lead_unit": ("牵头单位", "牵头部门", "责任领导单位"),
    "responsible_units": ("责任单位", "配合单位", "协办单位", "责任部门", "配合部门", "参与单位"),
    "deadline": ("完成时限", "时限", "完成时间", "时间节点", "完成期限", "时间要求"),
}

FIELD_LABELS = {
    "area": "一级指标",
    "group": "二级指标",
    "indicator": "三级指标",
    "item": "四级指标",
    "title": "指标",
    "number": "序号",
    "code": "编号",
    "description": "内涵",
    "points": "分值",
    "scoring_rules": "评分标准",
    "evaluation_methods": "评估方式",
    "required_evidence": "佐证材料",
    "veto": "否决",
    "lead_unit": "牵头单位",
    "responsible_units": "责任单位",
    "deadline": "完成时限",
}

# Header cells are short; long texts are titles or data, never column names.
MAX_HEADER_LENGTH = 20
MAX_SUBHEADER_LENGTH = 12


@dataclass
class HeaderMatch:
    rows: list[int]
    columns: dict[str, int]  # field -> 1-based column
    labels: dict[str, str] = field(default_factory=dict)  # field -> header text as written
    score: int = 0

    def label(self, field_name: str) -> str:
        return self.labels.get(field_name) or FIELD_LABELS.get(field_name, field_name)

    def describe_columns(self) -> dict[str, str]:
        return {
            name: f"{column_letter(col)}（{self.label(name)}）"
            for name, col in self.columns.items()
        }


def field_score(value, field_name: str) -> int:
    text = normalise_header(value)
    if not text or len(text) > MAX_HEADER_LENGTH:
        return 0
    best = 0
    for rank, synonym in enumerate(FIELD_SYNONYMS[field_name]):
        if text == synonym:
            best = max(best, 1000 - rank)
        elif synonym in text:
            best = max(best, 500 + 10 * len(synonym) - (len(text) - len(synonym)) - rank)
    return best


def find_header(grid: SheetGrid) -> HeaderMatch | None:
    """The best one- or two-row header among the first rows of the sheet, or None."""
    best: HeaderMatch | None = None
    last = min(HEADER_SCAN_ROWS, grid.row_count)
    for row in range(1, last + 1):
        single = _match_rows(grid, [row])
        candidates = [single]
        if row < grid.row_count and _looks_like_subheader(grid, row + 1):
            double = _match_rows(grid, [row, row + 1])
            # Both rows must name columns, or a title row above a one-row header would count;
            # cells merged down over both rows ("序号", "分值") also make them one header.
            below = _match_rows(grid, [row + 1])
            spans_both = len(double.columns) > len(below.columns) or _merged_down(grid, row)
            if len(double.columns) > len(single.columns) and spans_both:
                candidates.append(double)
        for candidate in candidates:
            if _is_usable(candidate) and (best is None or candidate.score > best.score):
                best = candidate
    return best


def _is_usable(match: HeaderMatch) -> bool:
    has_structure = any(name in match.columns for name in STRUCTURE_FIELDS)
    return has_structure and len(match.columns) >= 2


def header_text(grid: SheetGrid, row: int, col: int):
    """A header cell's text, taking it from the top-left cell when the cell is merged."""
    merge = grid.merge_at(row, col)
    if merge:
        return grid.value(merge.min_row, merge.min_col)
    return grid.value(row, col)


def _match_rows(grid: SheetGrid, rows: list[int]) -> HeaderMatch:
    width = max((len(grid.rows[row - 1]) for row in rows), default=0)
    width = max(width, *(_merged_width(grid, row) for row in rows))
    scored: list[tuple[int, str, int, str]] = []
    for col in range(1, width + 1):
        # The lower row names the column more precisely ("三级指标" under "指标").
        for row in reversed(rows):
            text = header_text(grid, row, col)
            for name in FIELD_SYNONYMS:
                score = field_score(text, name)
                if score:
                    scored.append((score, name, col, _clean_label(text)))
    return _assign(rows, scored)


def _merged_down(grid: SheetGrid, row: int) -> bool:
    return any(m.min_row == row and m.max_row > row for m in grid.merges)


def _merged_width(grid: SheetGrid, row: int) -> int:
    return max((m.max_col for m in grid.merges if m.min_row <= row <= m.max_row), default=0)


def _assign(rows: list[int], scored: list[tuple[int, str, int, str]]) -> HeaderMatch:
    match = HeaderMatch(rows=list(rows), columns={})
    used_columns: set[int] = set()
    for score, name, col, label in sorted(scored, key=lambda item: (-item[0], item[2])):
        if name in match.columns or col in used_columns:
            continue
        match.columns[name] = col
        match.labels[name] = label
        match.score += score
        used_columns.add(col)
    return match


def _clean_label(text) -> str:
    return re.sub(r"\s+", "", str(text))


def _looks_like_subheader(grid: SheetGrid, row: int) -> bool:
    """A second header row holds only short words, no numbers and nothing long."""
    own_cells = []
    for col, value in enumerate(grid.rows[row - 1], start=1):
        merge = grid.merge_at(row, col)
        if merge and merge.min_row < row:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        own_cells.append(value)
    if not own_cells:
        return False
    return all(
        isinstance(v, str) and len(normalise_header(v)) <= MAX_SUBHEADER_LENGTH for v in own_cells
    )
