"""A score sheet computed from its deductions and vetoes, the standard's rules enforced:
a per-occurrence count deducts up to its cap, a range takes points within it, a whole-item
rule takes the item's points; points beyond an item's cap or outside its range are refused,
a section never goes below zero, and any veto makes the file 0 and 不合格."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from fazhi.casereviews.models import Grade, RuleKind, Standard, StandardItem
from fazhi.casereviews.rules import decimal_of, number_out

TWO_PLACES = Decimal("0.01")


@dataclass
class Line:
    item: StandardItem
    points: Decimal
    count: int | None = None
    reason: str = ""
    page: int | None = None


@dataclass
class Result:
    total: Decimal
    grade: str
    lines: list[Line] = field(default_factory=list)
    vetoes: list[str] = field(default_factory=list)


def grade_for(standard: Standard, total: Decimal, vetoed: bool) -> str:
    if vetoed or total < standard.pass_from:
        return Grade.FAIL
    return Grade.EXCELLENT if total >= standard.excellent_from else Grade.PASS


def _count(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise ValidationError(f"{where}：处数应为正整数")
    try:
        count = int(str(value).strip())
    except ValueError as exc:
        raise ValidationError(f"{where}：处数“{value}”应为正整数") from exc
    if count < 1 or str(count) != str(value).strip().removesuffix(".0"):
        raise ValidationError(f"{where}：处数“{value}”应为正整数")
    return count


def _by_count(item: StandardItem, count: int, where: str) -> Decimal:
    if item.kind == RuleKind.PER_OCCURRENCE:
        return min(item.per * count, item.cap)
    if item.kind == RuleKind.FIXED:
        points = item.per * count
        if points > item.points:
            raise ValidationError(
                f"{where}：每处扣 {number_out(item.per)} 分，{count} 处共 {number_out(points)} 分，"
                f"超过该项分值 {number_out(item.points)} 分"
            )
        return points
    if item.kind == RuleKind.WHOLE:
        return item.points
    if item.kind == RuleKind.RANGE:
        raise ValidationError(
            f"{where}：该项为区间扣分（{number_out(item.low)}–{number_out(item.high)} 分），"
            "请填写扣分分值而不是处数"
        )
    raise ValidationError(f"{where}：该项的扣分标准未能识别，请直接填写扣分分值")


def _by_points(item: StandardItem, points: Decimal, where: str) -> Decimal:
    shown = number_out(points)
    if points <= 0:
        raise ValidationError(f"{where}：扣分应大于 0")
    if item.kind == RuleKind.RANGE and not item.low <= points <= item.high:
        raise ValidationError(
            f"{where}：扣 {shown} 分不在该项的扣分区间 "
            f"{number_out(item.low)}–{number_out(item.high)} 分之内"
        )
    if item.kind == RuleKind.PER_OCCURRENCE and points > item.cap:
        raise ValidationError(
            f"{where}：扣 {shown} 分超过该项最多扣 {number_out(item.cap)} 分的上限"
        )
    if item.kind == RuleKind.WHOLE and points != item.points:
        raise ValidationError(
            f"{where}：该项扣除全部分值 {number_out(item.points)} 分，不能扣 {shown} 分"
        )
    if item.kind == RuleKind.FIXED and (points % item.per or points > item.points):
        raise ValidationError(
            f"{where}：该项每处扣 {number_out(item.per)} 分（最多 {number_out(item.points)} 分），"
            f"不能扣 {shown} 分"
        )
    if points > item.points:
        raise ValidationError(f"{where}：扣 {shown} 分超过该项分值 {number_out(item.points)} 分")
    return points


def _page(value, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        page = int(str(value))
    except ValueError as exc:
        raise ValidationError(f"{where}：页码“{value}”应为正整数") from exc
    if page < 1:
        raise ValidationError(f"{where}：页码应为正整数")
    return page


def _line(entry, index: int, items: dict[str, StandardItem]) -> Line:
    where = f"第 {index} 条扣分"
    if not isinstance(entry, dict) or not entry.get("item"):
        raise ValidationError(f"{where}：应写明评查项目编号（item）")
    code = str(entry["item"]).strip()
    item = items.get(code)
    if item is None:
        raise ValidationError(f"{where}：评查标准中没有编号为 {code} 的项目")
    where = f"{where}（{code}）"
    if item.veto:
        raise ValidationError(f"{where}：该项为否决项，请在否决项（veto）中勾选，不按扣分计")
    has_count = entry.get("count") not in (None, "")
    has_points = entry.get("points") not in (None, "")
    if has_count == has_points:
        raise ValidationError(f"{where}：处数（count）和扣分（points）应填写且只填写一项")
    reason = str(entry.get("reason") or "").strip()
    page = _page(entry.get("page"), where)
    if has_count:
        count = _count(entry["count"], where)
        return Line(item, _by_count(item, count, where), count, reason, page)
    points = decimal_of(str(entry["points"]).strip())
    if points is None or not points.is_finite():
        raise ValidationError(f"{where}：扣分“{entry['points']}”不是数字")
    return Line(item, _by_points(item, points.quantize(TWO_PLACES), where), None, reason, page)


def compute(standard: Standard, deductions, vetoes) -> Result:
    """The total and grade of a sheet; ValidationError naming the first wrong entry."""
    items = {
        item.code: item
        for item in StandardItem.objects.filter(section__standard=standard).select_related(
            "section"
        )
    }
    if not isinstance(deductions, list) or not isinstance(vetoes, list):
        raise ValidationError("扣分（deductions）和否决项（veto）应为列表")
    lines = [_line(entry, index, items) for index, entry in enumerate(deductions, start=1)]
    seen: set[str] = set()
    for line in lines:
        if line.item.code in seen:
            raise ValidationError(f"编号 {line.item.code} 的扣分填写了两次，请合并为一条")
        seen.add(line.item.code)
    veto_codes = []
    for code in vetoes:
        item = items.get(str(code).strip())
        if item is None or not item.veto:
            raise ValidationError(f"否决项：评查标准中没有编号为 {code} 的否决项")
        veto_codes.append(item.code)
    if veto_codes:
        return Result(Decimal(0), Grade.FAIL, lines, sorted(set(veto_codes)))
    total = Decimal(0)
    for section in standard.sections.all():
        taken = sum((ln.points for ln in lines if ln.item.section_id == section.pk), Decimal(0))
        if not all(i.veto for i in section.items.all()):
            total += max(section.points - taken, Decimal(0))
    total = total.quantize(TWO_PLACES)
    return Result(total, grade_for(standard, total, False), lines, [])
