"""Reads for the pages, the API, the command line and the reports: inspections and findings the
user may see, the 整改台账 under its filters, and the counts of the 整改情况报告."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fazhi.core.listing import QueryFilters, parse_id
from fazhi.inspections.models import (
    Finding,
    FindingCategory,
    FindingStatus,
    Inspection,
)
from fazhi.inspections.services import OPEN_STATES, is_overdue


def overdue_q(today: date, prefix: str = "") -> Q:
    """The rule of `services.is_overdue` as a filter."""
    dated = Q(**{f"{prefix}deadline__lt": today, f"{prefix}long_term": False})
    staged = Q(**{f"{prefix}milestone_due__lt": today, f"{prefix}long_term": True})
    return (dated | staged) & Q(**{f"{prefix}status__in": OPEN_STATES})


def inspection_list(*, user) -> QuerySet[Inspection]:
    return (
        Inspection.objects.visible_to(user)
        .select_related("region")
        .annotate(
            finding_count=Count("findings", distinct=True),
            closed_count=Count(
                "findings", filter=Q(findings__status=FindingStatus.CLOSED), distinct=True
            ),
        )
        .order_by("-starts_on", "-created_at", "-id")
    )


def inspection_by_ref(*, user, ref: str) -> Inspection:
    """An inspection named by id or by its exact name, among those the user may see."""
    visible = Inspection.objects.visible_to(user).select_related("region")
    pk = parse_id(ref)
    found = visible.filter(pk=pk).first() if pk else None
    if found is None:
        matches = list(visible.filter(name=str(ref).strip())[:2])
        if len(matches) > 1:
            raise Http404(f"有多个名为“{ref}”的督察，请用编号指定。")
        found = matches[0] if matches else None
    if found is None:
        raise Http404(f"没有找到督察“{ref}”，或您无权查看。")
    return found


def finding_by_ref(*, user, ref: str) -> Finding:
    pk = parse_id(ref)
    found = Finding.objects.visible_to(user).filter(pk=pk).first() if pk else None
    if found is None:
        raise Http404(f"没有找到问题“{ref}”，或您无权查看。")
    return found


def findings_of(*, user, inspection: Inspection) -> QuerySet[Finding]:
    return (
        Finding.objects.visible_to(user)
        .filter(inspection=inspection)
        .select_related("responsible_unit", "inspected_unit", "category")
        .order_by("position", "id")
    )


def categories_for(region) -> QuerySet[FindingCategory]:
    return FindingCategory.objects.filter(
        Q(region__isnull=True) | Q(region__code__in=region.ancestor_codes)
    ).order_by("position", "id")


@dataclass
class LedgerFilters:
    inspection: int | None = None
    unit: int | None = None
    category: int | None = None
    status: str = ""
    overdue: bool = False
    query: str = ""
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params) -> LedgerFilters:
        read = QueryFilters(params)
        status = read.text("status")
        return cls(
            inspection=read.id("inspection", "督察"),
            unit=read.id("unit", "责任单位"),
            category=read.id("category", "问题类别"),
            status=status if status in FindingStatus.values else "",
            overdue=read.flag("overdue"),
            query=read.search("q"),
            notes=read.notes,
        )


def ledger_findings(*, user, filters: LedgerFilters, today: date) -> QuerySet[Finding]:
    """The 整改台账: every finding the user may see, under the page's filters."""
    findings = (
        Finding.objects.visible_to(user)
        .select_related("inspection", "responsible_unit", "inspected_unit", "category")
        .order_by("-inspection__created_at", "inspection_id", "position", "id")
    )
    if filters.inspection:
        findings = findings.filter(inspection_id=filters.inspection)
    if filters.unit:
        findings = findings.filter(responsible_unit_id=filters.unit)
    if filters.category:
        findings = findings.filter(category_id=filters.category)
    if filters.status:
        findings = findings.filter(status=filters.status)
    if filters.overdue:
        findings = findings.filter(overdue_q(today))
    if filters.query:
        q = filters.query
        findings = findings.filter(
            Q(description__icontains=q)
            | Q(requirement__icontains=q)
            | Q(number=q)
            | Q(responsible_text__icontains=q)
            | Q(responsible_unit__name__icontains=q)
            | Q(responsible_unit__short_name__icontains=q)
        )
    return findings


def awaiting_verification(*, user) -> QuerySet[Finding]:
    """Close requests the user may decide: the inspector's workbench."""
    return (
        Finding.objects.editable_by(user)
        .filter(status=FindingStatus.CLOSE_REQUESTED)
        .exclude(responsible_unit_id=getattr(user, "unit_id", None) or 0)
        .select_related("inspection", "responsible_unit")
        .order_by("status_changed_at", "id")
    )


# -- the 整改情况报告 ------------------------------------------------------------------------------


def _unit_name(finding: Finding) -> str:
    return finding.responsible_unit.name if finding.responsible_unit else finding.responsible_text


def inspection_report(*, user, inspection: Inspection, today: date) -> dict:
    """Counts by status, unit and category, as `fazhi inspection report --json` prints them;
    the Word report and the page read the same."""
    findings = list(findings_of(user=user, inspection=inspection).prefetch_related("escalations"))
    by_status = Counter(f.status for f in findings)
    units: dict[str, Counter] = defaultdict(Counter)
    categories: dict[str, Counter] = defaultdict(Counter)
    overdue = []
    for finding in findings:
        late = is_overdue(finding, today)
        for bucket in (units[_unit_name(finding)], categories[str(finding.category or "未分类")]):
            bucket["total"] += 1
            bucket["closed"] += finding.status == FindingStatus.CLOSED
            bucket["overdue"] += late
        if late:
            overdue.append(finding)

    def rows(groups: dict[str, Counter], key: str) -> list[dict]:
        ordered = sorted(groups.items(), key=lambda kv: (-kv[1]["total"], kv[0]))
        return [
            {key: name, "total": c["total"], "closed": c["closed"], "overdue": c["overdue"]}
            for name, c in ordered
        ]

    return {
        "inspection": inspection.name,
        "date": today.isoformat(),
        "total": len(findings),
        "by_status": {status: by_status.get(status, 0) for status in FindingStatus.values},
        "overdue": len(overdue),
        "by_unit": rows(units, "unit"),
        "by_category": rows(categories, "category"),
        "overdue_findings": [
            {
                "number": f.number,
                "unit": _unit_name(f),
                "deadline": f.due_on.isoformat(),
                "days": (today - f.due_on).days,
                "escalations": [
                    {"step": e.get_step_display(), "on": e.on.isoformat(), "note": e.note}
                    for e in f.escalations.all()
                ],
            }
            for f in overdue
        ],
    }


def finding_as_json(finding: Finding) -> dict:
    return {
        "id": finding.pk,
        "number": finding.number,
        "description": finding.description,
        "category": str(finding.category) if finding.category else "",
        "unit": str(finding.inspected_unit) if finding.inspected_unit else finding.inspected_text,
        "responsible_unit": _unit_name(finding),
        "leader": finding.leader,
        "person": finding.person,
        "requirement": finding.requirement,
        "deadline": finding.deadline.isoformat() if finding.deadline else finding.deadline_text,
        "long_term": finding.long_term,
        "status": finding.status,
    }


def units_of(region):
    """The active units of the region's subtree: who can be made responsible."""
    from fazhi.orgs.models import Unit

    return Unit.objects.filter(region__path__startswith=region.path, is_active=True).order_by(
        "region__path", "sort_order", "name"
    )


def workbench_card(*, user, today: date) -> dict | None:
    """The workbench's 督察整改 card: for the inspecting side, the close requests awaiting its
    verdict (at most five listed) and the overdue findings; for a unit, its findings still to
    rectify and those overdue. None for whom inspections are nothing. Three queries at most."""
    from fazhi.core.scoping import Scope

    scope = Scope.for_user(user)
    inspecting = scope.has_role("lead_admin", "inspector")
    unit = "liaison" in scope.roles and scope.unit_id
    if not (inspecting or unit):
        return None
    visible = Finding.objects.visible_to(user)
    if not inspecting:
        visible = visible.filter(responsible_unit_id=scope.unit_id)
    counts = visible.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATES)),
        overdue=Count("pk", filter=overdue_q(today)),
        requested=Count("pk", filter=Q(status=FindingStatus.CLOSE_REQUESTED)),
    )
    if not any(counts.values()):
        return None
    awaiting = list(awaiting_verification(user=user)[:5]) if inspecting else []
    return {**counts, "inspecting": inspecting, "awaiting": awaiting}


def report_charts(report: dict) -> list[dict]:
    """Two ECharts options (drawn by the dashboards' charts.js from json_script, no inline
    script): findings by unit and by category, closed, open and overdue stacked."""
    charts = []
    for key, title, rows in (
        ("unit", "各单位问题整改情况", report["by_unit"]),
        ("category", "各类别问题整改情况", report["by_category"]),
    ):
        names = [row[key] for row in rows]
        series = [
            ("已销号", [row["closed"] for row in rows], "#2e7d32"),
            ("未销号", [row["total"] - row["closed"] - row["overdue"] for row in rows], "#1565c0"),
            ("已逾期", [row["overdue"] for row in rows], "#c62828"),
        ]
        charts.append(
            {
                "id": f"chart-{key}",
                "option_id": f"chart-{key}-option",
                "title": title,
                "rows": rows,
                "key": key,
                "option": {
                    "tooltip": {"trigger": "axis"},
                    "legend": {"top": 0},
                    "grid": {"left": 8, "right": 16, "bottom": 8, "top": 32, "containLabel": True},
                    "xAxis": {"type": "value", "minInterval": 1},
                    "yAxis": {"type": "category", "data": names, "inverse": True},
                    "series": [
                        {
                            "name": name,
                            "type": "bar",
                            "stack": "all",
                            "data": data,
                            "itemStyle": {"color": color},
                        }
                        for name, data, color in series
                    ],
                },
            }
        )
    return charts


def findings_by_region(*, user, today: date) -> list[dict]:
    """The findings the user may see, side by side by the region of the responsible unit (a
    city sees its counties, a province its cities' counties): one query."""
    rows = (
        Finding.objects.visible_to(user)
        .filter(responsible_unit__isnull=False)
        .values("responsible_unit__region__name", "responsible_unit__region__path")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status=FindingStatus.CLOSED)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
        .order_by("responsible_unit__region__path")
    )
    return [
        {
            "region": row["responsible_unit__region__name"],
            "total": row["total"],
            "closed": row["closed"],
            "overdue": row["overdue"],
            "percent": round(row["closed"] * 100 / row["total"]) if row["total"] else 0,
        }
        for row in rows
    ]


def inspections_for_region(*, user, region) -> list[Inspection]:
    """The inspections the user may enter findings in whose region covers `region` (its own or
    an ancestor's): where a problem found in `region` can be raised."""
    codes = region.ancestor_codes
    ancestors = [
        "".join(f"{code}/" for code in codes[:depth]) for depth in range(1, len(codes) + 1)
    ]
    return list(
        Inspection.objects.editable_by(user)
        .filter(region__path__in=ancestors)
        .select_related("region")
        .order_by("-created_at", "-id")
    )


def item_lead_unit(item):
    """The unit a returned item's finding is addressed to: its lead unit, else its first unit."""
    assignment = item.assignments.select_related("unit__region").order_by("role", "pk").first()
    return assignment.unit if assignment else None
