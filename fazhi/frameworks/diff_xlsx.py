"""The edition comparison as an Excel workbook: a 概览 sheet with counts and a 变化明细 sheet."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, BinaryIO

from fazhi.core.xlsx import safe_cell
from fazhi.frameworks.diff import (
    COMPARED_FIELDS,
    FIELD_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    FrameworkDiff,
    NodeChange,
)


def cell_text(value: object) -> str:
    """A comparison value as safe spreadsheet text (lists joined, Decimals without trailing zeros)."""
    return safe_cell(_display(value))


DETAIL_COLUMNS = (
    ("类型", 10),
    ("旧编号", 10),
    ("新编号", 10),
    ("层级", 10),
    ("旧标题", 36),
    ("新标题", 36),
    ("变化字段", 18),
    ("原内容", 60),
    ("新内容", 60),
)


def _display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_display(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(_display(v) for v in value)
    return str(value)


def _label(node: dict | None) -> str:
    if not node:
        return ""
    return _display(node.get("number") or node.get("code"))


def _level_label(level: Any) -> str:
    return LEVEL_LABELS.get(level, _display(level))


def _summary_lines(node: dict) -> str:
    lines = []
    for name in COMPARED_FIELDS[1:]:
        text = _display(node.get(name))
        if name == "veto" and not node.get(name):
            continue
        if text:
            lines.append(f"{FIELD_LABELS[name]}：{text}")
    return "\n".join(lines)


def _detail_row(entry: NodeChange) -> list[str]:
    fields = [change.label for change in entry.changes]
    before = [f"{change.label}：{_display(change.old)}" for change in entry.changes]
    after = [f"{change.label}：{_display(change.new)}" for change in entry.changes]
    if entry.moved:
        fields.insert(0, "编号/位置")
        for lines, node in ((before, entry.old), (after, entry.new)):
            lines.insert(0, f"编号：{_label(node)}（上级：{_display(node.get('parent_code'))}）")
    if entry.kind == "added":
        after = [_summary_lines(entry.new)]
    elif entry.kind == "removed":
        before = [_summary_lines(entry.old)]
    return [
        entry.kind_label,
        _label(entry.old),
        _label(entry.new),
        _level_label(entry.level),
        _display((entry.old or {}).get("title")),
        _display((entry.new or {}).get("title")),
        "、".join(fields),
        "\n".join(before),
        "\n".join(after),
    ]


def diff_to_xlsx(diff: FrameworkDiff, stream: BinaryIO, *, old_label: str, new_label: str) -> None:
    """Write the diff as a workbook: 概览 (counts) and 变化明细 (one row per change)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook()

    overview = workbook.active
    overview.title = "概览"
    counts = diff.summary()
    rows = [
        ("项目", "数量"),
        ("原版本", cell_text(old_label)),
        ("新版本", cell_text(new_label)),
        ("原版本节点数", counts["old_total"]),
        ("新版本节点数", counts["new_total"]),
        *((KIND_LABELS[kind], counts[kind]) for kind in KIND_LABELS),
        ("未变化", counts["unchanged"]),
    ]
    for row in rows:
        overview.append(row)
    for cell in overview[1]:
        cell.font = bold
    overview.column_dimensions["A"].width = 16
    overview.column_dimensions["B"].width = 40
    overview.freeze_panes = "A2"

    detail = workbook.create_sheet("变化明细")
    detail.append([title for title, _width in DETAIL_COLUMNS])
    for entry in diff.entries:
        detail.append([cell_text(value) for value in _detail_row(entry)])
    for column, (_title, width) in enumerate(DETAIL_COLUMNS, start=1):
        detail.column_dimensions[detail.cell(row=1, column=column).column_letter].width = width
    for row in detail.iter_rows():
        for cell in row:
            cell.alignment = wrap
    for cell in detail[1]:
        cell.font = bold
    detail.freeze_panes = "A2"
    detail.auto_filter.ref = detail.dimensions
    workbook.save(stream)
