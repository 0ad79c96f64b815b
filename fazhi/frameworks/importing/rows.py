"""Walk the body of a framework table row by row and build draft tree nodes.

Two layouts are read by the same walk:
- columns: one column per level (一级/二级/三级指标); a blank or merged cell means
  "same as above", and a new value at one level closes the deeper levels;
- numbering: a single title column whose heading rows (一、 （一） 1. (1)) give the level,
  ranked by the order in which each kind of numbering first appears.
Rows with no new title continue the node above (more scoring rules, more units).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from fazhi.core.spreadsheets import column_letter
from fazhi.core.spreadsheets.grid import SheetGrid

from .cells import cell_text, has_veto_mark, one_line, parse_points, strip_veto_mark
from .fields import FieldWriter, describe_place, short
from .headers import STRUCTURE_FIELDS, HeaderMatch
from .model import IssueLog, ParsedNode
from .numbering import extract_points, numbering_depth, split_numbering

TITLE_LIMIT = 4000
TOTAL_WORDS = ("合计", "总计", "总分", "合计分值", "总分值", "分值合计", "满分合计")
FOOTNOTE = re.compile(r"^(注\s*[：:0-9０-９一二三、.．]|注$|备\s*注|填表说明|说\s*明\s*[：:])")
REFINED_KINDS = ("paren_arabic", "circled")


@dataclass
class Draft:
    node: ParsedNode
    parent: Draft | None
    rank: tuple[int, int]
    kind: str | None
    source_text: str
    title_points: Decimal | None = None
    explicit_code: str = ""
    last_row: int = 0
    children: list[Draft] = field(default_factory=list)
    applied: set = field(default_factory=set)  # (field, origin cell) already taken, for merged fill


@dataclass
class TableResult:
    drafts: list[Draft]
    total: tuple[Decimal | None, int] | None = None  # the 合计 row's points and row


class TableReader:
    def __init__(self, grid: SheetGrid, header: HeaderMatch, log: IssueLog, max_rows: int):
        self.grid = grid
        self.header = header
        self.log = log
        self.max_rows = max_rows
        self.structure = [
            (name, header.columns[name]) for name in STRUCTURE_FIELDS if name in header.columns
        ]
        self.structure_cols = {col for _, col in self.structure}
        self.by_numbering = len(self.structure) == 1
        self.writer = FieldWriter(grid, header, log)
        self.stack: list[Draft] = []
        self.drafts: list[Draft] = []
        self.kind_ranks: dict[str, int] = {}
        self.column_kinds: dict[int, str] = {}
        self.total: tuple[Decimal | None, int] | None = None

    def read(self) -> TableResult:
        first = max(self.header.rows) + 1
        last_allowed = first - 1 + self.max_rows
        for row in range(first, self.grid.row_count + 1):
            if row > last_allowed:
                if self._own_cells(row):
                    self.log.error(row_limit_message(self.max_rows, row), row=row)
                    break
                continue
            if self._read_row(row) == "stop":
                break
        self.writer.assign_merged_points(self.drafts)
        return TableResult(self.drafts, self.total)

    # --- one row -------------------------------------------------------------------------

    def _read_row(self, row: int) -> str | None:
        cells = self._own_cells(row)
        if not cells:
            if self.stack and self._inside_vertical_merge(row):
                self._extend(self.stack[-1], row)
            return None
        first_col, first_value = cells[0]
        if self._is_footnote(first_col, cell_text(first_value)):
            return "stop" if self.drafts else None
        if self._is_total(row, cells):
            return None
        created = self._open_nodes(row)
        target = created[-1] if created else (self.stack[-1] if self.stack else None)
        if target is None:
            self.log.warning(f"第 {row} 行前面还没有任何指标名称，这一行已忽略", row=row)
            return None
        self._extend(target, row)
        self.writer.apply(target, row)
        return None

    def _own_cells(self, row: int) -> list[tuple[int, object]]:
        values = self.grid.rows[row - 1] if row <= self.grid.row_count else []
        return [(col, v) for col, v in enumerate(values, start=1) if cell_text(v)]

    def _inside_vertical_merge(self, row: int) -> bool:
        return any(
            (merge := self.grid.merge_at(row, col)) is not None and merge.min_row < row
            for col in self.header.columns.values()
        )

    def _is_footnote(self, col: int, text: str) -> bool:
        leftmost = min([*self.structure_cols, self.header.columns.get("number", 10**6)])
        return col <= leftmost and bool(FOOTNOTE.match(text))

    def _is_total(self, row: int, cells: list[tuple[int, object]]) -> bool:
        texts = [re.sub(r"\s+", "", cell_text(v)) for _, v in cells[:3]]
        if not any(t in TOTAL_WORDS or (t[:2] in ("合计", "总计") and len(t) <= 8) for t in texts):
            return False
        points_col = self.header.columns.get("points")
        numbers = [v for col, v in cells if col == points_col] or [
            v for _, v in cells if parse_points(v)[0] is not None
        ]
        self.total = (parse_points(numbers[-1])[0] if numbers else None, row)
        return True

    def _extend(self, draft: Draft, row: int) -> None:
        while draft is not None:
            draft.last_row = max(draft.last_row, row)
            draft = draft.parent

    # --- structure -----------------------------------------------------------------------

    def _open_nodes(self, row: int) -> list[Draft]:
        pieces = self._new_pieces(row)
        number = self._number_cell(row)
        created = []
        for position, (index, col, text) in enumerate(pieces):
            is_last = position == len(pieces) - 1
            override = number if is_last and col != self.header.columns.get("number") else None
            created.append(self._open(row, col, index, text, override))
        return created

    def _new_pieces(self, row: int) -> list[tuple[int, int, str]]:
        pieces: list[tuple[int, int, str]] = []
        for index, (_, col) in enumerate(self.structure):
            text = self._structure_text(row, col)
            if not text:
                continue
            if not pieces and self._repeats_current(index, text):
                continue
            if pieces and text == pieces[-1][2]:
                continue  # one heading spread over two level columns
            pieces.append((index, col, text))
        if not pieces:
            heading = self._heading_left_of_structure(row)
            if heading:
                pieces.append((0, *heading))
        return pieces

    def _heading_left_of_structure(self, row: int) -> tuple[int, str] | None:
        """ "一、依法决策（10分）" typed into the 序号 column of an unmerged heading row."""
        first_structure = min(self.structure_cols)
        other_fields = set(self.header.columns.values()) - {self.header.columns.get("number")}
        for col, value in self._own_cells(row):
            if col >= first_structure or col in other_fields:
                return None
            text = cell_text(value)
            kind, _, rest = split_numbering(text)
            if kind and rest:
                return col, self._title_text(row, col)
        return None

    def _repeats_current(self, index: int, text: str) -> bool:
        # Some tables repeat the area name on every row instead of merging; the deepest
        # column is exempt because two indicators may share a name.
        if index == len(self.structure) - 1:
            return False
        return any(draft.rank[0] == index and draft.source_text == text for draft in self.stack)

    def _structure_text(self, row: int, col: int) -> str:
        merge = self.grid.merge_at(row, col)
        if merge is None or (merge.min_row, merge.min_col) == (row, col):
            return self._title_text(row, col)
        spread_from_other_column = merge.min_row == row and merge.min_col not in self.structure_cols
        first_covered = min(c for c in self.structure_cols if merge.min_col <= c <= merge.max_col)
        if spread_from_other_column and col == first_covered:
            return self._title_text(row, merge.min_col)  # a heading row merged across the table
        return ""

    def _title_text(self, row: int, col: int) -> str:
        if (row, col) in self.grid.formulas:
            self.writer.formula_issue((row, col), "title")
            return ""
        text = cell_text(self.grid.value(row, col))
        if len(text) > TITLE_LIMIT:
            self.log.error(
                f"{describe_place(row, col, '指标名称')}：内容过长（{len(text)} 字，上限 {TITLE_LIMIT} 字）",
                row=row,
                column=column_letter(col),
                field="title",
            )
            text = text[:TITLE_LIMIT]
        return text

    def _number_cell(self, row: int) -> tuple[str, str] | None:
        col = self.header.columns.get("number")
        if col is None:
            return None
        merge = self.grid.merge_at(row, col)
        if merge and ((merge.min_row, merge.min_col) != (row, col) or merge.max_col > col):
            return None  # covered, or a heading merged across the table (read as a title)
        text = cell_text(self.grid.value(row, col))
        kind, number, rest = split_numbering(text)
        if kind:
            return (kind, number) if not rest else None
        return ("other", text) if 0 < len(text) <= 12 else None

    def _open(self, row: int, col: int, index: int, text: str, number_cell) -> Draft:
        kind, number, rest = split_numbering(text)
        if number_cell and number_cell[1]:
            kind, number = number_cell[0], number_cell[1]
        depth_kind = numbering_depth(kind, number) if kind != "other" else kind
        points, rest = extract_points(rest)
        veto = has_veto_mark(rest)
        title = one_line(strip_veto_mark(rest) if veto else rest)
        rank = self._rank(index, depth_kind)
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        node = ParsedNode(
            code="",
            number=number or "",
            title=title,
            level=parent.node.level + 1 if parent else 1,
            parent_code=None,
            points=None,
            veto=veto,
            sheet=self.grid.name,
            row=row,
        )
        draft = Draft(node, parent, rank, kind, text, title_points=points, last_row=row)
        if not title:
            self.log.error(
                f"{describe_place(row, col, self.header.label(self.structure[index][0]))}：“{short(text)}” 只有编号或分值，没有指标名称",
                row=row,
                column=column_letter(col),
                field="title",
            )
        if parent:
            parent.children.append(draft)
        self.stack.append(draft)
        self.drafts.append(draft)
        return draft

    def _rank(self, index: int, depth_kind: str | None) -> tuple[int, int]:
        if self.by_numbering:
            key = depth_kind or "plain"
            self.kind_ranks.setdefault(key, len(self.kind_ranks))
            return (0, self.kind_ranks[key])
        # In level columns, "(1)" or "①" under "1." in the deepest column are refined items.
        first = (
            self.column_kinds.setdefault(index, depth_kind)
            if depth_kind
            else self.column_kinds.get(index)
        )
        refined = depth_kind in REFINED_KINDS and first is not None and first not in REFINED_KINDS
        return (index, 1 if refined else 0)


def row_limit_message(max_rows: int, row: int) -> str:
    return f"表格超过 {max_rows} 行（从第 {row} 行起的内容未读取）；一次最多导入 {max_rows} 行，请删除多余的行或拆分后再导入"
