"""Framework documents: the lossless YAML/JSON format, the Excel export, and the JSON-safe
form of an import preview. Pure functions over node rows (see tree.py). PyYAML and openpyxl are
imported by the functions that use them: a web worker needs them only for an export or import."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import IO

from fazhi.core.spreadsheets import column_letter
from fazhi.core.xlsx import safe_cell
from fazhi.frameworks.tree import NODE_FIELDS, TreeError, flatten, format_points, nest, points_value

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
DOCUMENT_META = (
    "name",
    "edition",
    "description",
    "aggregation",
    "veto_effect",
    "is_illustrative",
)


# -- YAML / JSON --------------------------------------------------------------------------------


def framework_document(framework, rows: list[dict]) -> dict:
    """The whole framework as one nested document; importing it gives the same framework."""
    return {
        "name": framework.name,
        "edition": framework.edition,
        "description": framework.description,
        "aggregation": framework.aggregation,
        "veto_effect": framework.veto_effect,
        "is_illustrative": framework.is_illustrative,
        "nodes": nest(rows),
    }


def dump_yaml(document: dict) -> str:
    import yaml

    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)


def dump_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


logger = logging.getLogger(__name__)

MAX_NESTING = 64  # an exported framework nests about 3 per level, so this allows ~20 levels
TOO_DEEP = f"JSON/YAML 嵌套层级过深（超过 {MAX_NESTING} 层），不是本系统导出的指标体系文件"


def _depth_exceeds(data, limit: int) -> bool:
    """Iterative, so a document that parsed fine cannot blow the stack later (flatten recurses)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def load_document(text: str) -> dict:
    """YAML is a superset of JSON, so one loader reads both."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except RecursionError as exc:  # 100,000 nested brackets: the parser recurses per level
        logger.warning("framework document refused: nesting too deep for the parser")
        raise TreeError([TOO_DEEP]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "文件中"
        raise TreeError([f"{where}格式有误：{getattr(exc, 'problem', exc)}"]) from exc
    if _depth_exceeds(data, MAX_NESTING):
        logger.warning("framework document refused: nested deeper than %s", MAX_NESTING)
        raise TreeError([TOO_DEEP])
    if not isinstance(data, dict) or "nodes" not in data:
        raise TreeError(
            ["文件应包含 name、edition 和 nodes 三个键（由本系统导出的 YAML/JSON 格式）"]
        )
    return data


def document_to_rows(data: dict) -> tuple[dict, list[dict]]:
    if "illustrative" in data and "is_illustrative" not in data:
        data = {**data, "is_illustrative": data["illustrative"]}
    meta = {key: data[key] for key in DOCUMENT_META if data.get(key) is not None}
    meta["name"] = str(meta.get("name", "")).strip()
    meta["edition"] = str(meta.get("edition", "")).strip()
    return meta, flatten(data["nodes"])


# -- import preview as JSON ------------------------------------------------------------------------


def parsed_to_json(parsed) -> dict:
    """A ParsedFramework in a form that fits a JSONField, for the preview page."""
    nodes = []
    for node in parsed.nodes:
        row = dataclasses.asdict(node)
        row["points"] = None if node.points is None else str(node.points)
        nodes.append(row)
    issues = [dataclasses.asdict(issue) for issue in parsed.issues]
    total = parsed.total_points() if parsed.nodes else None
    return {
        "nodes": nodes,
        "errors": [i for i in issues if i["level"] == "error"],
        "warnings": [i for i in issues if i["level"] != "error"],
        "sheet": parsed.sheet,
        "header_rows": list(parsed.header_rows),
        "columns": dict(parsed.columns),
        "source_format": parsed.source_format,
        "total_points": None if total is None else str(total),
    }


def rows_from_json(nodes: list[dict]) -> list[dict]:
    return [{**node, "points": points_value(node.get("points"))} for node in nodes]


# -- Excel --------------------------------------------------------------------------------------

LEVEL_HEADERS = ("一级指标", "二级指标", "三级指标", "四级指标", "五级指标", "六级指标")
LEAF_COLUMNS = (
    ("description", "指标内涵", 40),
    ("points", "分值", 8),
    ("scoring_rules", "评分标准", 50),
    ("evaluation_methods", "评估方式", 16),
    ("required_evidence", "佐证材料", 30),
    ("veto", "否决项", 8),
    ("lead_unit", "牵头单位", 16),
    ("responsible_units", "责任单位", 24),
    ("deadline", "完成时限", 14),
)
CN_DIGITS = "零一二三四五六七八九"


def write_xlsx(framework, rows: list[dict], stream: IO[bytes]) -> None:
    """The layout governments circulate: a title row, one column per level with merged cells
    for the upper levels (their points written as "（100分）"), one row per leaf."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    depth = max((row["level"] for row in rows), default=1)
    depth = min(depth, len(LEVEL_HEADERS))
    book = Workbook()
    sheet = book.active
    sheet.title = "指标体系"
    headers = list(LEVEL_HEADERS[:depth]) + [label for _, label, _ in LEAF_COLUMNS]
    sheet.cell(row=1, column=1, value=str(framework))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=column, value=header)
        cell.font = Font(bold=True)
    _write_body(sheet, rows, depth)
    _format_sheet(sheet, depth)
    book.save(stream)


def _write_body(sheet, rows: list[dict], depth: int) -> None:
    """Write one line per leaf, remembering which lines each ancestor spans, then write each
    ancestor once into its span and merge it."""
    by_code = {row["code"]: row for row in rows}
    has_children = {row.get("parent_code") for row in rows}
    spans: dict[str, list[int]] = {}
    excel_row = 3
    for row in rows:
        if row["level"] > depth or (row["code"] in has_children and row["level"] < depth):
            continue
        sheet.cell(row=excel_row, column=row["level"], value=_heading(row, with_points=False))
        for column, (field, _, _) in enumerate(LEAF_COLUMNS, start=depth + 1):
            sheet.cell(row=excel_row, column=column, value=_leaf_value(row, field))
        parent = by_code.get(row.get("parent_code") or "")
        while parent is not None:
            spans.setdefault(parent["code"], [excel_row, excel_row])[1] = excel_row
            parent = by_code.get(parent.get("parent_code") or "")
        excel_row += 1
    for code, (first, last) in spans.items():
        row = by_code[code]
        sheet.cell(row=first, column=row["level"], value=_heading(row, with_points=True))
        if last > first:
            sheet.merge_cells(
                start_row=first, start_column=row["level"], end_row=last, end_column=row["level"]
            )


def _heading(row: dict, *, with_points: bool) -> str:
    number = row.get("number") or ""
    prefix = ""
    if number:
        prefix = (
            f"{number}、"
            if number[0] in CN_DIGITS or number[0] == "十"
            else (number if number.startswith(("（", "(")) else f"{number}. ")
        )
    text = f"{prefix}{row['title']}"
    if with_points and row.get("points") is not None:
        text += f"（{format_points(row['points'])}分）"
    return text


def _leaf_value(row: dict, field: str):
    value = row.get(field)
    if field == "points":
        return None if value is None else float(value) if value % 1 else int(value)
    if field == "veto":
        return "是" if value else ""
    if isinstance(value, list):
        return safe_cell("、".join(value))
    return safe_cell(value or "")


def _format_sheet(sheet, depth: int) -> None:
    from openpyxl.styles import Alignment

    widths = [28] * depth + [width for _, _, width in LEAF_COLUMNS]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(index)].width = width
    wrap = Alignment(wrap_text=True, vertical="center")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    sheet.freeze_panes = "A3"


__all__ = [
    "NODE_FIELDS",
    "framework_document",
    "dump_yaml",
    "dump_json",
    "load_document",
    "document_to_rows",
    "parsed_to_json",
    "rows_from_json",
    "write_xlsx",
]
