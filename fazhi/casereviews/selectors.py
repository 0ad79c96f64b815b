"""Reads for the pages, the API, the command line and the exports: reviews and standards named
by id or name, a review's files as the user may see them, and the 评查结果通报 (per unit and
overall, and the common problems) computed from the final sheets the user may see — a unit
reads its own files' results, never another unit's."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from fazhi.casereviews.models import (
    Case,
    CaseReview,
    Deduction,
    Grade,
    ScoreSheet,
    SheetStatus,
    Standard,
)
from fazhi.casereviews.reach import reachable_cases, reachable_reviews
from fazhi.casereviews.rules import number_out
from fazhi.casereviews.services import final_sheet, needs_second_review
from fazhi.core.listing import parse_id

GRADES = [g.value for g in Grade]
EXAMPLES = 3


def review_list(*, user):
    return (
        reachable_reviews(user)
        .select_related("region")
        .annotate(
            case_count=Count("cases", distinct=True),
            sampled_count=Count("cases", filter=Q(cases__sampled=True), distinct=True),
        )
    )


def review_by_ref(*, user, ref) -> CaseReview:
    visible = reachable_reviews(user).select_related("region")
    pk = parse_id(ref)
    found = visible.filter(pk=pk).first() if pk else None
    if found is None:
        matches = list(visible.filter(name=str(ref).strip())[:2])
        if len(matches) > 1:
            raise Http404(f"有多个名为“{ref}”的案卷评查，请用编号指定。")
        found = matches[0] if matches else None
    if found is None:
        raise Http404(f"没有找到案卷评查“{ref}”，或您无权查看。")
    return found


def standard_list(*, user):
    return (
        Standard.objects.visible_to(user)
        .select_related("region")
        .annotate(item_count=Count("sections__items"))
    )


def standard_by_ref(*, user, ref) -> Standard:
    """A standard by id, or by name (its newest version the user may see)."""
    visible = Standard.objects.visible_to(user).select_related("region")
    pk = parse_id(ref)
    found = visible.filter(pk=pk).first() if pk else None
    if found is None:
        found = visible.filter(name=str(ref).strip()).order_by("-version", "-pk").first()
    if found is None:
        raise Http404(f"没有找到评查标准“{ref}”，或您无权查看。")
    return found


def case_by_ref(*, user, review: CaseReview, ref) -> Case:
    visible = reachable_cases(user).filter(review=review).select_related("unit", "review__region")
    found = visible.filter(number=str(ref).strip()).first()
    if found is None and (pk := parse_id(ref)):
        found = visible.filter(pk=pk).first()
    if found is None:
        raise Http404(f"本次评查中没有找到案卷“{ref}”，或您无权查看。")
    return found


def cases_of(*, user, review: CaseReview, sampled_only: bool = False, unit_id=None, query=""):
    cases = (
        reachable_cases(user)
        .filter(review=review)
        .select_related("unit")
        .prefetch_related(
            Prefetch("sheets", queryset=ScoreSheet.objects.select_related("reviewer"))
        )
    )
    if sampled_only:
        cases = cases.filter(sampled=True)
    if unit_id:
        cases = cases.filter(unit_id=unit_id)
    if query:
        cases = cases.filter(Q(number__icontains=query) | Q(title__icontains=query))
    return cases.order_by("number")


def case_state(case: Case) -> dict:
    """Where a file stands, from its sheets (prefetched)."""
    sheets = list(case.sheets.all())
    final = final_sheet(sheets)
    first = next((s for s in sheets if s.round == 1), None)
    second = next((s for s in sheets if s.round == 2), None)
    return {
        "final": final,
        "first": first,
        "second": second,
        "needs_second": bool(first and needs_second_review(first) and second is None),
    }


def _summary(totals: list[Decimal], grades: list[str], files: int) -> dict:
    scored = len(totals)
    counts = Counter(grades)
    return {
        "files": files,
        "scored": scored,
        "mean": number_out(round(sum(totals) / scored, 2)) if scored else None,
        "grades": {g: counts.get(g, 0) for g in GRADES},
        "shares": {g: round(100 * counts.get(g, 0) / scored, 1) if scored else 0.0 for g in GRADES},
    }


def review_report(*, user, review: CaseReview) -> dict:
    """The 评查结果通报: per unit (files, mean, counts and shares of each grade), overall, and
    the items most often deducted with examples — over the files the user may see."""
    cases = list(cases_of(user=user, review=review, sampled_only=True))
    by_unit: dict[int, list] = defaultdict(list)
    for case in cases:
        by_unit[case.unit_id].append(case)
    units, all_totals, all_grades = [], [], []
    finals = {}
    for unit_cases in sorted(by_unit.values(), key=lambda cs: cs[0].unit.name):
        totals, grades = [], []
        for case in unit_cases:
            final = final_sheet(list(case.sheets.all()))
            if final is not None:
                finals[case.pk] = final
                totals.append(final.total)
                grades.append(final.grade)
        units.append({"unit": unit_cases[0].unit.name, **_summary(totals, grades, len(unit_cases))})
        all_totals += totals
        all_grades += grades
    return {
        "review": review.name,
        "region": review.region.name,
        "closed_from": review.closed_from.isoformat(),
        "closed_to": review.closed_to.isoformat(),
        "units": units,
        "overall": _summary(all_totals, all_grades, len(cases)),
        "common_problems": common_problems(finals),
        "vetoed": _vetoed(finals, cases),
    }


def _vetoed(finals: dict, cases) -> list[dict]:
    numbers = {c.pk: c for c in cases}
    return [
        {"case": numbers[pk].number, "unit": numbers[pk].unit.name, "items": sheet.vetoes}
        for pk, sheet in finals.items()
        if sheet.vetoes
    ]


def common_problems(finals: dict, limit: int = 10) -> list[dict]:
    """The items most often deducted in the final sheets, with examples."""
    deductions = (
        Deduction.objects.filter(sheet__in=[s.pk for s in finals.values()])
        .select_related("item", "sheet__case")
        .order_by("sheet__case__number", "pk")
    )
    grouped: dict[int, dict] = {}
    for d in deductions:
        entry = grouped.setdefault(
            d.item_id,
            {
                "code": d.item.code,
                "title": d.item.title,
                "files": 0,
                "points": Decimal(0),
                "examples": [],
            },
        )
        entry["files"] += 1
        entry["points"] += d.points
        if len(entry["examples"]) < EXAMPLES:
            entry["examples"].append(
                {"case": d.sheet.case.number, "reason": d.reason, "page": d.page}
            )
    ranked = sorted(grouped.values(), key=lambda e: (-e["files"], -e["points"], e["code"]))
    for entry in ranked:
        entry["points"] = number_out(entry["points"])
    return ranked[:limit]


def unit_problems(review: CaseReview) -> list[dict]:
    """For the 整改通知单: each unit whose final sheets lost points, with its problems in words."""
    cases = (
        Case.objects.filter(review=review, sampled=True)
        .select_related("unit")
        .prefetch_related("sheets")
        .order_by("unit__name", "number")
    )
    by_unit: dict[int, dict] = {}
    for case in cases:
        final = final_sheet(list(case.sheets.all()))
        if final is None:
            continue
        lines = [
            f"{d.item.code} {d.item.title}（扣 {number_out(d.points)} 分"
            + (f"，第 {d.page} 页" if d.page else "")
            + (f"：{d.reason}" if d.reason else "")
            + "）"
            for d in final.deductions.select_related("item")
        ]
        if final.vetoes:
            lines.insert(0, f"触及否决项 {'、'.join(final.vetoes)}，案卷不合格")
        if not lines:
            continue
        entry = by_unit.setdefault(case.unit_id, {"unit": case.unit, "cases": []})
        entry["cases"].append(
            {
                "number": case.number,
                "title": case.title,
                "total": final.total,
                "grade": final.grade,
                "lines": lines,
            }
        )
    result = []
    for entry in by_unit.values():
        text = "案卷评查发现以下问题：\n" + "\n".join(
            f"{c['number']}（{number_out(c['total'])} 分，{c['grade']}）：" + "；".join(c["lines"])
            for c in entry["cases"]
        )
        result.append({**entry, "text": text})
    return result


def sheets_scored(review: CaseReview) -> int:
    return ScoreSheet.objects.filter(case__review=review, status=SheetStatus.SCORED).count()
