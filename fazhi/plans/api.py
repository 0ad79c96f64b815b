"""/api/plans/: work plans as the command line exports them, each measure's progress, and a
unit's progress report — the same selectors and services as the pages."""

from datetime import date

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from fazhi.core.listing import Id
from fazhi.core.scoping import get_visible_or_404
from fazhi.plans import progress, selectors
from fazhi.plans.exports import plan_as_json, plan_progress_json
from fazhi.plans.models import Measure, ReportPeriod

router = Router(tags=["工作计划 plans"])


class PlanOut(Schema):
    id: int
    name: str
    year: int
    region: str
    status: str
    doc_number: str
    measures: int
    completed: int


class ReportIn(Schema):
    period: Id
    text: str
    figures: str = ""
    unit: Id | None = None  # the lead office reports for a unit the measure names


class ReportOut(Schema):
    id: int
    measure: str
    period: str
    unit: str
    is_summary: bool


@router.get("/", response=list[PlanOut], summary="可查看的工作计划")
def list_plans(request, year: int | None = None):
    return [
        {
            "id": p.pk,
            "name": p.name,
            "year": p.year,
            "region": p.region.code,
            "status": p.status,
            "doc_number": p.doc_number,
            "measures": p.measure_count,
            "completed": p.completed_count,
        }
        for p in selectors.plan_list(user=request.user, year=year)
    ]


@router.get(
    "/{plan_id}", summary="工作计划（领域、措施、单位、完成时限），与 fazhi plan export 相同"
)
def get_plan(request, plan_id: Id):
    plan = selectors.plan_by_ref(user=request.user, ref=str(plan_id))
    return plan_as_json(plan, selectors.plan_measures(user=request.user, plan=plan))


@router.get("/{plan_id}/progress", summary="各项措施的完成状态和最近一次进展报告")
def get_progress(request, plan_id: Id, date: date | None = None):
    plan = selectors.plan_by_ref(user=request.user, ref=str(plan_id))
    measures = selectors.plan_measures(user=request.user, plan=plan)
    return plan_progress_json(plan, measures, on=date or timezone.localdate())


@router.post("/measures/{measure_id}/progress", response=ReportOut, summary="报送措施进展")
def report_progress(request, measure_id: Id, payload: ReportIn):
    measure = get_visible_or_404(
        Measure.objects.select_related("plan"), request.user, pk=measure_id
    )
    period = ReportPeriod.objects.filter(plan_id=measure.plan_id, pk=payload.period).first()
    if period is None:
        raise Http404(f"该计划没有编号为 {payload.period} 的报告期。")
    unit = None
    if payload.unit is not None:
        unit = next(
            (r.unit for r in measure.units.select_related("unit") if r.unit_id == payload.unit),
            None,
        )
        if unit is None:
            raise Http404(f"该措施没有编号为 {payload.unit} 的单位。")
    report = progress.progress_report_save(
        acting_user=request.user,
        measure=measure,
        period=period,
        text=payload.text,
        figures=payload.figures,
        unit=unit,
    )
    return {
        "id": report.pk,
        "measure": measure.code,
        "period": period.label,
        "unit": report.unit.name,
        "is_summary": report.is_summary,
    }
