"""Framework trees as plain data: the one shape that importers produce and services store.

A *node row* is a dict with the keys of NODE_FIELDS plus `level` and `parent_code`, listed
depth-first. Excel import, YAML/JSON import and the demo framework all end up as node rows.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

NODE_FIELDS = (
    "code",
    "number",
    "title",
    "description",
    "points",
    "scoring_rules",
    "evaluation_methods",
    "required_evidence",
    "veto",
    "lead_unit",
    "responsible_units",
    "deadline",
)
LIST_FIELDS = ("evaluation_methods", "responsible_units")
TEXT_DEFAULTS = {
    "number": "",
    "description": "",
    "scoring_rules": "",
    "required_evidence": "",
    "lead_unit": "",
    "deadline": "",
}


class TreeError(ValueError):
    """A tree that cannot be stored; `errors` lists every problem with where it is."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors[:5]))
        self.errors = errors


MAX_POINTS = Decimal(1000)  # no indicator is worth more; 1e308 would overflow the column


def points_value(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        points = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"分值 “{value}” 不是数字") from exc
    if not points.is_finite() or points > MAX_POINTS:
        raise ValueError(f"分值 “{value}” 不是有效分值（应为 0–{MAX_POINTS} 之间的数）")
    return points


def format_points(points) -> str:
    """10.00 → "10", 2.50 → "2.5", 1E+2 → "100": points as people write them."""
    return format(Decimal(str(points)).normalize(), "f")


def points_label(points) -> str:
    """For messages: the points, or — when a framework has none."""
    return "—" if points is None else format_points(points)


def flatten(
    nodes: list[dict], *, parent_code: str | None = None, level: int = 1, path: str = "nodes"
) -> list[dict]:
    """Nested {"children": [...]} dicts (YAML/JSON) to depth-first node rows."""
    rows: list[dict] = []
    errors: list[str] = []
    for index, node in enumerate(nodes or []):
        where = f"{path}[{index}]"
        if not isinstance(node, dict):
            errors.append(f"{where}：应为一个节点（键值对）")
            continue
        try:
            rows.append(_row_from_mapping(node, level=level, parent_code=parent_code, where=where))
        except ValueError as exc:
            errors.append(str(exc))
            continue
        try:
            rows.extend(
                flatten(
                    node.get("children") or [],
                    parent_code=rows[-1]["code"],
                    level=level + 1,
                    path=f"{where}.children",
                )
            )
        except TreeError as exc:
            errors.extend(exc.errors)
    if errors:
        raise TreeError(errors)
    return rows


def _row_from_mapping(node: dict, *, level: int, parent_code: str | None, where: str) -> dict:
    code = str(node.get("code") or "").strip()
    title = str(node.get("title") or "").strip()
    if not code:
        raise ValueError(f"{where}：缺少编码（code）")
    if not title:
        raise ValueError(f"{where}（{code}）：缺少标题（title）")
    try:
        points = points_value(node.get("points"))
    except ValueError as exc:
        raise ValueError(f"{where}（{code}）：{exc}") from exc
    row = {key: str(node.get(key) or default) for key, default in TEXT_DEFAULTS.items()}
    row.update(
        code=code,
        title=title,
        points=points,
        level=level,
        parent_code=parent_code,
        veto=bool(node.get("veto", False)),
        evaluation_methods=[str(v) for v in node.get("evaluation_methods") or []],
        responsible_units=[str(v) for v in node.get("responsible_units") or []],
    )
    return row


def validate_rows(rows: list[dict]) -> None:
    """Codes unique, parents listed before their children, points not negative."""
    seen: set[str] = set()
    errors = []
    for row in rows:
        code = row["code"]
        if code in seen:
            errors.append(f"编码 “{code}” 重复")
        if row.get("parent_code") and row["parent_code"] not in seen:
            errors.append(f"“{code}” 的上级 “{row['parent_code']}” 不存在或排在它之后")
        if row.get("points") is not None and row["points"] < 0:
            errors.append(f"“{code}” 的分值不能为负数")
        seen.add(code)
    if not rows:
        errors.append("指标体系中没有任何指标")
    if errors:
        raise TreeError(errors)


def nest(rows: list[dict], fields: tuple[str, ...] = NODE_FIELDS) -> list[dict]:
    """Depth-first node rows back to nested dicts with `children`."""
    roots: list[dict] = []
    by_code: dict[str, dict] = {}
    for row in rows:
        node = {field: _plain(row.get(field)) for field in fields}
        node["children"] = []
        by_code[row["code"]] = node
        parent = by_code.get(row.get("parent_code") or "")
        (parent["children"] if parent else roots).append(node)
    return roots


def _plain(value):
    """Decimals to int/float so YAML and JSON show 10 rather than '10.00'."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return list(value)
    return value


def total_points(rows: list[dict]) -> Decimal | None:
    """The framework's full marks: the top level's points, or the leaves' when the top is blank."""
    top = [r["points"] for r in rows if r["level"] == 1]
    if top and all(p is not None for p in top):
        return sum(top, Decimal(0))
    parents = {r.get("parent_code") for r in rows}
    leaves = [r["points"] for r in rows if r["code"] not in parents and r["points"] is not None]
    return sum(leaves, Decimal(0)) if leaves else None
