"""Carrying out an issued plan: report periods (quarterly by default, monthly if the lead office
chooses), each unit's progress report on its measures per period with files from the evidence
store (the lead unit's report is the measure's summary), and the lead office's check: a measure
is marked 已完成 only once someone has reported on it, 滞后 only with a reason."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.core.scoping import Scope
from fazhi.evidence.attachments import store_attachment
from fazhi.orgs.models import Unit
from fazhi.plans.drafting import check_plan_editable
from fazhi.plans.models import (
    Measure,
    MeasureMilestone,
    MeasureRole,
    MeasureStatus,
    Plan,
    PlanStatus,
    ProgressFile,
    ProgressReport,
    ReportCycle,
    ReportPeriod,
)

QUARTERS = ["第一季度", "第二季度", "第三季度", "第四季度"]
MAX_REPORT_CHARS = 5000
MAX_FILES = 20


def period_bounds(year: int, cycle: str) -> list[tuple[str, date, date]]:
    if cycle == ReportCycle.MONTHLY:
        return [
            (
                f"{month}月",
                date(year, month, 1),
                date(year, month, calendar.monthrange(year, month)[1]),
            )
            for month in range(1, 13)
        ]
    return [
        (
            label,
            date(year, 3 * i + 1, 1),
            date(year, 3 * i + 3, calendar.monthrange(year, 3 * i + 3)[1]),
        )
        for i, label in enumerate(QUARTERS)
    ]


def plan_periods_ensure(plan: Plan) -> list[ReportPeriod]:
    """The plan's report periods, made on first need for its year and cycle."""
    periods = plan_periods(plan)
    if periods and periods[0].pk is None:
        return ReportPeriod.objects.bulk_create(periods)
    return periods


def plan_periods(plan: Plan) -> list[ReportPeriod]:
    """The plan's report periods as stored, or as they will be (unsaved) for a page that only
    reads: showing a draft plan must not write to it."""
    existing = list(plan.periods.order_by("starts_on"))
    if existing:
        return existing
    due_days = settings.FAZHI_PLAN_REPORT_DUE_DAYS
    return [
        ReportPeriod(
            plan=plan,
            label=label,
            starts_on=start,
            ends_on=end,
            due_on=end + timedelta(days=due_days),
        )
        for label, start, end in period_bounds(plan.year, plan.report_cycle)
    ]


@transaction.atomic
def plan_set_cycle(*, acting_user, plan: Plan, cycle: str) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    check_plan_editable(acting_user, plan)
    if cycle not in ReportCycle.values:
        raise ValidationError({"cycle": "请选择每季度或每月报送。"})
    if ProgressReport.objects.filter(measure__plan=plan).exists():
        raise ValidationError("已经有单位报送了进展，不能再改变报送周期。")
    plan.report_cycle = cycle
    plan.save(update_fields=["report_cycle"])
    plan.periods.all().delete()
    plan_periods_ensure(plan)
    audit_record(acting_user=acting_user, action="plan.cycle", target=plan, after={"cycle": cycle})
    return plan


# -- reports ---------------------------------------------------------------------------------


def reporting_unit(acting_user, measure: Measure, unit: Unit | None) -> Unit:
    """The unit a report is made for: a liaison's own unit, given the measure; the lead office
    reports for any unit the measure names."""
    named = set(measure.units.filter(unit__isnull=False).values_list("unit_id", flat=True))
    if Plan.objects.editable_by(acting_user).filter(pk=measure.plan_id).exists():
        if unit is None or unit.pk not in named:
            raise ValidationError({"unit": "请选择该措施的牵头或责任单位。"})
        return unit
    scope = Scope.for_user(acting_user)
    if "liaison" in scope.roles and acting_user.unit_id in named:
        return acting_user.unit
    raise PermissionDenied("只有该措施的牵头单位和责任单位可以报送进展。")


@transaction.atomic
def progress_report_save(
    *,
    acting_user,
    measure: Measure,
    period: ReportPeriod,
    text: str,
    figures: str = "",
    files=(),
    unit: Unit | None = None,
) -> ProgressReport:
    """A unit's report for a period, made or brought up to date (one per unit and period);
    files are added to those already sent."""
    measure = Measure.objects.select_related("plan").get(pk=measure.pk)
    if measure.plan.status != PlanStatus.ISSUED:
        raise ValidationError("计划印发后才能报送进展。")
    if period.plan_id != measure.plan_id:
        raise ValidationError({"period": "报告期不属于该计划。"})
    unit = reporting_unit(acting_user, measure, unit)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写进展情况。"})
    if len(text) > MAX_REPORT_CHARS:
        raise ValidationError(
            {"text": f"进展情况不能超过 {MAX_REPORT_CHARS} 字，详细材料请作为附件上传。"}
        )
    files = list(files)
    if len(files) > MAX_FILES:
        raise ValidationError({"files": f"一次最多上传 {MAX_FILES} 个文件。"})
    stored = [store_attachment(file) for file in files]
    is_lead = measure.units.filter(unit=unit, role=MeasureRole.LEAD).exists()
    report, created = ProgressReport.objects.update_or_create(
        measure=measure,
        period=period,
        unit=unit,
        defaults={
            "text": text,
            "figures": (figures or "").strip(),
            "is_summary": is_lead,
            "submitted_by": stored_user(acting_user),
        },
    )
    ProgressFile.objects.bulk_create(
        ProgressFile(report=report, blob=blob, original_name=name[:255]) for blob, name in stored
    )
    if measure.status == MeasureStatus.NOT_STARTED:
        Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.IN_PROGRESS)
    audit_record(
        acting_user=acting_user,
        action="plan.progress",
        target=report,
        after={
            "measure": measure.code,
            "period": period.label,
            "unit": unit.name,
            "files": [name for _, name in stored],
            "updated": not created,
        },
    )
    return report


@transaction.atomic
def measure_set_status(*, acting_user, measure: Measure, status: str, note: str = "") -> Measure:
    """The lead office's check of a measure."""
    measure = Measure.objects.select_for_update().select_related("plan").get(pk=measure.pk)
    check_plan_editable(acting_user, measure.plan)
    if status not in MeasureStatus.values:
        raise ValidationError({"status": "请选择完成状态。"})
    note = (note or "").strip()
    if status == MeasureStatus.COMPLETED and not measure.reports.exists():
        raise ValidationError("该措施还没有任何进展报告，核实后才能标为已完成。")
    if status == MeasureStatus.BEHIND and not note:
        raise ValidationError({"note": "标为滞后时，请说明滞后的原因。"})
    before = {"status": measure.status, "note": measure.status_note}
    measure.status, measure.status_note = status, note
    measure.save(update_fields=["status", "status_note"])
    audit_record(
        acting_user=acting_user,
        action="plan.measure_status",
        target=measure,
        before=before,
        after={"status": status, "note": note},
    )
    return measure


# -- milestones (阶段目标) ----------------------------------------------------------------------

MAX_TARGET_CHARS = 500


def may_set_milestones(user, measure: Measure) -> bool:
    """The lead office, and the liaisons of the measure's lead unit, who draw its road map."""
    if Plan.objects.editable_by(user).filter(pk=measure.plan_id).exists():
        return True
    if not user.unit_id or "liaison" not in Scope.for_user(user).roles:
        return False
    return measure.units.filter(unit_id=user.unit_id, role=MeasureRole.LEAD).exists()


@transaction.atomic
def measure_milestones_save(
    *, acting_user, measure: Measure, targets: dict[ReportPeriod, str]
) -> list[MeasureMilestone]:
    """Set the measure's target for each period given: what was due within the period is
    replaced by one target due at its end (an empty text clears it)."""
    measure = Measure.objects.select_for_update().select_related("plan").get(pk=measure.pk)
    if not may_set_milestones(acting_user, measure):
        raise PermissionDenied("只有牵头单位和计划管理部门可以设定该措施的阶段目标。")
    before = {m.due_by.isoformat(): m.target for m in measure.milestones.all()}
    kept = []
    for period, text in targets.items():
        if period.plan_id != measure.plan_id:
            raise ValidationError({"period": "报告期不属于该计划。"})
        text = (text or "").strip()
        if len(text) > MAX_TARGET_CHARS:
            raise ValidationError(
                f"{period.label}的阶段目标不能超过 {MAX_TARGET_CHARS} 字（现有 {len(text)} 字）。"
            )
        measure.milestones.filter(due_by__range=(period.starts_on, period.ends_on)).delete()
        if text:
            kept.append(MeasureMilestone(measure=measure, due_by=period.ends_on, target=text))
    MeasureMilestone.objects.bulk_create(kept)
    after = {m.due_by.isoformat(): m.target for m in measure.milestones.all()}
    if after != before:
        audit_record(
            acting_user=acting_user,
            action="plan.milestones",
            target=measure,
            before=before,
            after=after,
        )
    return list(measure.milestones.all())


def milestones_by_period(measure: Measure, periods: list[ReportPeriod]) -> list[tuple]:
    """Each period of the plan with the targets due within it (a cycle changed since they were
    set leaves them in the period that contains their date)."""
    milestones = list(measure.milestones.all())
    return [
        (
            period,
            [m for m in milestones if period.starts_on <= m.due_by <= period.ends_on],
        )
        for period in periods
    ]


# -- where a measure stands, period by period ------------------------------------------------


@dataclass
class PeriodState:
    period: ReportPeriod
    reports: list[ProgressReport] = field(default_factory=list)
    missing: list[Unit] = field(default_factory=list)  # units given the measure, not reported
    overdue: bool = False
    targets: list[MeasureMilestone] = field(default_factory=list)  # 阶段目标 due in the period


def measure_periods(measure: Measure, reports, today: date) -> list[PeriodState]:
    """Each period up to the current one with its reports and the units still to report."""
    units = [row.unit for row in measure.units.all() if row.unit_id]
    milestones = list(measure.milestones.all())
    by_period: dict[int, list[ProgressReport]] = {}
    for report in reports:
        by_period.setdefault(report.period_id, []).append(report)
    states = []
    for period in plan_periods_ensure(measure.plan):
        if period.starts_on > today:
            break
        done = by_period.get(period.pk, [])
        reported = {report.unit_id for report in done}
        missing = [unit for unit in units if unit.pk not in reported]
        targets = [m for m in milestones if period.starts_on <= m.due_by <= period.ends_on]
        states.append(
            PeriodState(
                period,
                done,
                missing,
                overdue=bool(missing) and period.due_on < today,
                targets=targets,
            )
        )
    return states


# -- reminders -------------------------------------------------------------------------------


def notify_plan_reports(*, today: date, days: int) -> int:
    """Tell each unit's liaisons, once per measure and period, in the app, of a progress report
    due within `days` days or overdue; how many were told. The daily reminder run asks."""
    from django.urls import reverse

    from fazhi.plans.selectors import liaisons
    from fazhi.plans.services import notifications_create

    periods = ReportPeriod.objects.filter(
        plan__status=PlanStatus.ISSUED, ends_on__lt=today, due_on__lte=today + timedelta(days=days)
    ).select_related("plan")
    reported = set(
        ProgressReport.objects.filter(period__in=periods).values_list(
            "measure_id", "period_id", "unit_id"
        )
    )
    told = 0
    for period in periods:
        overdue = period.due_on < today
        kind = "overdue" if overdue else "due_soon"
        rows = (
            Measure.objects.filter(plan_id=period.plan_id)
            .exclude(status=MeasureStatus.COMPLETED)
            .prefetch_related("units")
        )
        for measure in rows:
            for row in measure.units.all():
                if row.unit_id is None or (measure.pk, period.pk, row.unit_id) in reported:
                    continue
                when = (
                    f"已于 {period.due_on:%Y-%m-%d} 逾期"
                    if overdue
                    else f"须在 {period.due_on:%Y-%m-%d} 前报送"
                )
                told += notifications_create(
                    users=liaisons().filter(unit_id=row.unit_id),
                    kind=kind,
                    event=f"plan-m{measure.pk}-p{period.pk}",
                    due_on=period.due_on,
                    link=reverse("plans:measure", args=[measure.pk]),
                    text=f"工作计划措施「{measure.code} {measure.title[:30]}」{period.label}的进展{when}，请报送。",
                )
    return told
