"""Write a row's non-title cells (points, rules, methods, units, ...) onto its node.

A cell merged down several rows fills every row it covers (a group of indicators sharing
one responsible unit), except points: merged points belong to the one node whose rows the
merge spans (a group's subtotal), never to each row.
"""

from __future__ import annotations

from decimal import Decimal

from fazhi.core.spreadsheets import column_letter
from fazhi.core.spreadsheets.grid import Merge, SheetGrid
from fazhi.frameworks.tree import format_points

from .cells import (
    cell_text,
    has_veto_mark,
    map_evaluation_methods,
    parse_points,
    parse_veto,
    split_units,
)
from .headers import HeaderMatch
from .model import EVALUATION_METHODS, IssueLog

TEXT_LIMIT = 20000
FIELD_ORDER = (
    "code",
    "points",
    "description",
    "scoring_rules",
    "evaluation_methods",
    "required_evidence",
    "veto",
    "lead_unit",
    "responsible_units",
    "deadline",
)
NEEDS_VALUE = {"points", "title", "code"}


def describe_place(row: int, col: int, label: str) -> str:
    return f"第 {row} 行 {column_letter(col)} 列（{label}）"


def short(text: str, limit: int = 30) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


class FieldWriter:
    def __init__(self, grid: SheetGrid, header: HeaderMatch, log: IssueLog):
        self.grid = grid
        self.header = header
        self.log = log
        self.deferred_points: list[tuple[Merge, int, int]] = []
        self.reported_formulas: set[tuple[int, int]] = set()

    def apply(self, draft, row: int) -> None:
        for name in FIELD_ORDER:
            col = self.header.columns.get(name)
            if col is None:
                continue
            found = self._value(row, col, name)
            if found is None:
                continue
            value, origin = found
            if (name, origin) in draft.applied:
                continue  # the same merged cell seen again on a continuation row
            draft.applied.add((name, origin))
            getattr(self, f"_write_{name}")(draft, value, origin)

    def _value(self, row: int, col: int, name: str):
        origin = (row, col)
        merge = self.grid.merge_at(row, col)
        if merge is not None:
            top_left = (merge.min_row, merge.min_col)
            if name == "points":
                if top_left == origin and merge.is_vertical:
                    self.deferred_points.append((merge, row, col))
                if top_left != origin or merge.is_vertical:
                    return None
            elif merge.min_col != col:
                return None  # spread from a cell in another column
            else:
                origin = top_left
        return self.cell_value(origin, name)

    def cell_value(self, origin: tuple[int, int], name: str):
        if origin in self.grid.formulas:
            self.formula_issue(origin, name)
            return None
        value = self.grid.value(*origin)
        return (value, origin) if cell_text(value) else None

    def formula_issue(self, origin: tuple[int, int], name: str) -> None:
        if origin in self.reported_formulas:
            return
        self.reported_formulas.add(origin)
        row, col = origin
        cell = f"{column_letter(col)}{row}"
        formula = self.grid.formulas[origin]
        place = {"row": row, "column": column_letter(col), "field": name}
        if name in NEEDS_VALUE:
            self.log.error(
                f"单元格 {cell} 是公式 {formula}，文件中没有计算结果，请在 Excel 中打开并保存后再导入，或改为数值",
                **place,
            )
        else:
            self.log.warning(
                f"单元格 {cell} 是公式 {formula}，文件中没有计算结果，已忽略；请在 Excel 中打开并保存后再导入",
                **place,
            )

    def _place(self, origin: tuple[int, int], name: str) -> tuple[str, dict]:
        row, col = origin
        place = {"row": row, "column": column_letter(col), "field": name}
        return describe_place(row, col, self.header.label(name)), place

    # --- points --------------------------------------------------------------------------

    def _write_points(self, draft, value, origin) -> None:
        points = self._points(value, origin)
        if points is None:
            return
        if draft.node.points is None:
            draft.node.points = points
        elif draft.node.points != points:
            where, place = self._place(origin, "points")
            self.log.warning(
                f"{where}：“{draft.node.title}”已有分值 {format_points(draft.node.points)}，这里的 "
                f"{format_points(points)} 已忽略",
                **place,
            )

    def _points(self, value, origin) -> Decimal | None:
        points, problem = parse_points(value)
        if problem:
            where, place = self._place(origin, "points")
            # 1e308 as plain digits would be 300 characters long; show it as the user typed it.
            huge = isinstance(value, float) and not abs(value) < 1e15
            shown = f"{value:g}" if huge else short(cell_text(value))
            self.log.error(f"{where}：“{shown}” {problem}", **place)
        return points

    def assign_merged_points(self, drafts) -> None:
        for merge, row, col in self.deferred_points:
            found = self.cell_value((row, col), "points")
            if found is None:
                continue
            points = self._points(*found)
            target = self._node_spanning(drafts, merge)
            if points is not None and target is not None:
                self._write_points(target, points, (row, col))

    def _node_spanning(self, drafts, merge: Merge):
        exact = [d for d in drafts if d.node.row == merge.min_row and d.last_row == merge.max_row]
        if exact:
            return max(exact, key=lambda d: d.node.level)
        covering = [d for d in drafts if d.node.row <= merge.min_row <= d.last_row]
        if not covering:
            return None
        target = max(covering, key=lambda d: d.node.level)
        cells = f"{column_letter(merge.min_col)}{merge.min_row}:{column_letter(merge.max_col)}{merge.max_row}"
        self.log.warning(
            f"合并单元格 {cells} 的分值跨越的行与任何一个指标的范围都不一致，已记在第 {target.node.row} 行“{target.node.title}”",
            row=merge.min_row,
            column=column_letter(merge.min_col),
            field="points",
        )
        return target

    # --- text fields ---------------------------------------------------------------------

    def _text(self, value, origin, name: str) -> str:
        text = cell_text(value)
        if len(text) > TEXT_LIMIT:
            where, place = self._place(origin, name)
            self.log.error(f"{where}：内容过长（{len(text)} 字，上限 {TEXT_LIMIT} 字）", **place)
            text = text[:TEXT_LIMIT]
        return text

    def _append(self, draft, name: str, value, origin, separator: str = "\n") -> str:
        text = self._text(value, origin, name)
        current = getattr(draft.node, name)
        setattr(draft.node, name, f"{current}{separator}{text}" if current else text)
        return text

    def _write_code(self, draft, value, origin) -> None:
        if not draft.explicit_code:
            draft.explicit_code = " ".join(self._text(value, origin, "code").split())

    def _write_description(self, draft, value, origin) -> None:
        self._append(draft, "description", value, origin)

    def _write_required_evidence(self, draft, value, origin) -> None:
        self._append(draft, "required_evidence", value, origin)

    def _write_deadline(self, draft, value, origin) -> None:
        self._append(draft, "deadline", value, origin, separator="；")

    def _write_scoring_rules(self, draft, value, origin) -> None:
        text = self._append(draft, "scoring_rules", value, origin)
        if has_veto_mark(text):
            draft.node.veto = True

    def _write_evaluation_methods(self, draft, value, origin) -> None:
        methods, unknown = map_evaluation_methods(self._text(value, origin, "evaluation_methods"))
        for method in methods:
            if method not in draft.node.evaluation_methods:
                draft.node.evaluation_methods.append(method)
        if unknown:
            where, place = self._place(origin, "evaluation_methods")
            words = "、".join(f"“{short(word, 12)}”" for word in unknown)
            self.log.warning(
                f"{where}：{words} 不是已知的评估方式（{'、'.join(EVALUATION_METHODS)}），已忽略",
                **place,
            )

    def _write_veto(self, draft, value, origin) -> None:
        veto, understood = parse_veto(value)
        draft.node.veto = draft.node.veto or veto
        if not understood:
            where, place = self._place(origin, "veto")
            self.log.warning(
                f"{where}：“{short(cell_text(value))}” 无法判断是否否决项，请填“是”或留空", **place
            )

    def _write_lead_unit(self, draft, value, origin) -> None:
        units = split_units(draft.node.lead_unit) if draft.node.lead_unit else []
        for unit in split_units(self._text(value, origin, "lead_unit")):
            if unit not in units:
                units.append(unit)
        draft.node.lead_unit = "、".join(units)

    def _write_responsible_units(self, draft, value, origin) -> None:
        for unit in split_units(self._text(value, origin, "responsible_units")):
            if unit not in draft.node.responsible_units:
                draft.node.responsible_units.append(unit)
