"""Finish the draft tree: points from titles, codes, and consistency checks on points."""

from __future__ import annotations

from decimal import Decimal

from fazhi.frameworks.tree import format_points

from .fields import short
from .model import IssueLog, ParsedNode
from .numbering import number_value
from .rows import Draft


def finish_tree(drafts: list[Draft], log: IssueLog, code_column: str | None) -> list[ParsedNode]:
    _take_title_points(drafts, log)
    _assign_codes(drafts, log, code_column)
    _check_point_sums(drafts, log)
    return [draft.node for draft in drafts]


def _take_title_points(drafts: list[Draft], log: IssueLog) -> None:
    for draft in drafts:
        node = draft.node
        if draft.title_points is None:
            continue
        if node.points is None:
            node.points = draft.title_points
        elif node.points != draft.title_points:
            log.warning(
                f"第 {node.row} 行“{short(node.title)}”：名称中写的 {format_points(draft.title_points)} 分与分值列的 "
                f"{format_points(node.points)} 分不一致，已按分值列导入",
                row=node.row,
                field="points",
            )


def _assign_codes(drafts: list[Draft], log: IssueLog, code_column: str | None) -> None:
    """Codes from the code column when given, else dotted codes from the numbering: "3.2.37"."""
    seen: dict[str, Draft] = {}
    last_position: dict[int, int] = {}  # per parent, the highest sibling number so far
    for draft in drafts:
        parent = draft.parent
        if draft.explicit_code:
            code = draft.explicit_code
        else:
            segment = _segment(draft, last_position)
            code = f"{parent.node.code}.{segment}" if parent else segment
        draft.node.code = code
        draft.node.parent_code = parent.node.code if parent else None
        if code in seen:
            _report_duplicate(
                log, code, seen[code], draft, code_column if draft.explicit_code else None
            )
        else:
            seen[code] = draft


def _segment(draft: Draft, last_position: dict[int, int]) -> str:
    key = id(draft.parent)
    previous = last_position.get(key, 0)
    segment = number_value(draft.kind, draft.node.number)
    if not segment:
        segment = str(previous + 1)  # unnumbered: the next position among its siblings
    if segment.isdigit():
        last_position[key] = max(previous, int(segment))
    else:
        last_position[key] = previous + 1
    return segment


def _report_duplicate(
    log: IssueLog, code: str, first: Draft, second: Draft, column: str | None
) -> None:
    log.error(
        f"编号“{code}”重复：第 {first.node.row} 行“{short(first.node.title, 20)}”和第 {second.node.row} 行"
        f"“{short(second.node.title, 20)}”；同一指标体系中的编号必须唯一",
        row=second.node.row,
        column=column,
        field="code",
    )


def _check_point_sums(drafts: list[Draft], log: IssueLog) -> None:
    for draft in drafts:
        node = draft.node
        if node.points is None or not draft.children:
            continue
        child_points = [child.node.points for child in draft.children]
        if any(points is None for points in child_points):
            continue
        total = sum(child_points, Decimal(0))
        if total != node.points:
            log.warning(
                f"第 {node.row} 行“{short(node.title)}”的分值 {format_points(node.points)} 与下级指标分值之和 "
                f"{format_points(total)} 不一致",
                row=node.row,
                field="points",
            )
