"""Drafting a work plan: 起草 → 征求意见 (units comment on measures; the lead office answers each
comment 采纳 / 部分采纳 / 不采纳 with a reason) → 合法性审查 (the reviewer's opinion recorded) → 审议通过
(the meeting and its date) → 印发 (the document number). Steps go forward one at a time, each
with what it must record. Until the plan is issued the lead office edits measures freely; after
that a measure changes only by a recorded adjustment (调整) with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.core.scoping import Scope
from fazhi.orgs.models import Unit
from fazhi.plans.models import (
    CommentDecision,
    Measure,
    MeasureRole,
    MeasureUnit,
    Plan,
    PlanAdjustment,
    PlanComment,
    PlanStatus,
)
from fazhi.plans.planreading import Measure as MeasureReading
from fazhi.plans.planreading import PlanReading, set_deadline

STEPS = list(PlanStatus.values)
MAX_COMMENT_CHARS = 2000


def check_plan_editable(acting_user, plan: Plan) -> None:
    if not Plan.objects.editable_by(acting_user).filter(pk=plan.pk).exists():
        raise PermissionDenied("您无权修改该工作计划。")


def next_step(plan: Plan) -> str | None:
    index = STEPS.index(plan.status)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


# -- steps -----------------------------------------------------------------------------------


@dataclass
class StepRecord:
    """What moving to a step records; each step reads its own fields."""

    consultation_until: date | None = None
    adopted_meeting: str = ""
    adopted_on: date | None = None
    doc_number: str = ""
    issued_on: date | None = None


@transaction.atomic
def plan_advance(*, acting_user, plan: Plan, step: str, record: StepRecord) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    check_plan_editable(acting_user, plan)
    if step != next_step(plan):
        raise ValidationError(
            f"工作计划当前为“{plan.get_status_display()}”，不能转到“{PlanStatus(step).label}”；"
            "起草、征求意见、合法性审查、审议通过、印发须依次进行。"
        )
    _check_step(plan, step, record)
    before = plan.status
    plan.status = step
    for name, value in vars(record).items():
        if value not in (None, ""):
            setattr(plan, name, value.strip() if isinstance(value, str) else value)
    plan.save()
    if step == PlanStatus.ISSUED:
        from fazhi.plans.progress import plan_periods_ensure  # progress builds on drafting

        plan_periods_ensure(plan)
    audit_record(
        acting_user=acting_user,
        action="plan.advance",
        target=plan,
        before={"status": before},
        after={"status": step, **{k: str(v) for k, v in vars(record).items() if v}},
    )
    return plan


def _check_step(plan: Plan, step: str, record: StepRecord) -> None:
    if step == PlanStatus.CONSULTING and record.consultation_until is None:
        raise ValidationError({"consultation_until": "请填写征求意见的截止日期。"})
    if step == PlanStatus.LEGAL_REVIEW:
        pending = plan.comments.filter(decision=CommentDecision.PENDING).count()
        if pending:
            raise ValidationError(f"还有 {pending} 条意见没有答复，请逐条答复后再提交合法性审查。")
    if step == PlanStatus.ADOPTED:
        if not plan.legal_opinion.strip():
            raise ValidationError("请先记录合法性审查意见。")
        if not record.adopted_meeting.strip() or record.adopted_on is None:
            raise ValidationError({"adopted_meeting": "请填写审议的会议名称和日期。"})
    if step == PlanStatus.ISSUED and (not record.doc_number.strip() or record.issued_on is None):
        raise ValidationError({"doc_number": "请填写印发的文号和日期。"})


@transaction.atomic
def plan_record_legal_review(
    *, acting_user, plan: Plan, reviewer: str, opinion: str, reviewed_on: date
) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    check_plan_editable(acting_user, plan)
    if plan.status != PlanStatus.LEGAL_REVIEW:
        raise ValidationError("工作计划不在合法性审查阶段。")
    if not opinion.strip():
        raise ValidationError({"opinion": "请填写审查意见。"})
    plan.legal_reviewer, plan.legal_opinion = reviewer.strip()[:100], opinion.strip()
    plan.legal_reviewed_on = reviewed_on
    plan.save(update_fields=["legal_reviewer", "legal_opinion", "legal_reviewed_on"])
    audit_record(
        acting_user=acting_user,
        action="plan.legal_review",
        target=plan,
        after={"reviewer": plan.legal_reviewer, "reviewed_on": str(reviewed_on)},
    )
    return plan


# -- comments --------------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *, acting_user, plan: Plan, measure: Measure | None, text: str, unit: Unit | None = None
) -> PlanComment:
    """A liaison comments for its own unit; the lead office records a comment received on paper
    for the unit that made it."""
    plan = Plan.objects.select_related("region").get(pk=plan.pk)  # the step as it is now
    if plan.status != PlanStatus.CONSULTING:
        raise ValidationError("工作计划不在征求意见阶段，不能提出意见。")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写意见内容。"})
    if len(text) > MAX_COMMENT_CHARS:
        raise ValidationError({"text": f"意见内容不能超过 {MAX_COMMENT_CHARS} 字。"})
    if (
        measure is not None
        and not Measure.objects.visible_to(acting_user).filter(pk=measure.pk, plan=plan).exists()
    ):
        raise PermissionDenied("您无权对该措施提出意见。")
    unit = _commenting_unit(acting_user, plan, unit)
    comment = PlanComment.objects.create(
        plan=plan, measure=measure, unit=unit, author=stored_user(acting_user), text=text
    )
    audit_record(
        acting_user=acting_user,
        action="plan.comment",
        target=comment,
        after={"measure": measure.code if measure else "", "unit": str(unit or "")},
    )
    return comment


def _commenting_unit(acting_user, plan: Plan, unit: Unit | None) -> Unit | None:
    if Plan.objects.editable_by(acting_user).filter(pk=plan.pk).exists():
        if unit is not None and not unit.region.path.startswith(plan.region.path):
            raise ValidationError({"unit": f"{unit} 不是 {plan.region} 的单位。"})
        return unit
    scope = Scope.for_user(acting_user)
    if "liaison" not in scope.roles or not acting_user.unit_id:
        raise PermissionDenied("只有本地区的单位可以提出意见。")
    return acting_user.unit


@transaction.atomic
def comment_answer(*, acting_user, comment: PlanComment, decision: str, reason: str) -> PlanComment:
    comment = PlanComment.objects.select_for_update().select_related("plan").get(pk=comment.pk)
    check_plan_editable(acting_user, comment.plan)
    if comment.plan.status != PlanStatus.CONSULTING:
        raise ValidationError("征求意见阶段已经结束，不能再修改答复。")
    if decision not in (CommentDecision.ADOPTED, CommentDecision.PARTLY, CommentDecision.REJECTED):
        raise ValidationError({"decision": "请选择采纳、部分采纳或不采纳。"})
    reason = (reason or "").strip()
    if decision != CommentDecision.ADOPTED and not reason:
        raise ValidationError({"reason": "部分采纳或不采纳时，请说明理由。"})
    before = comment.decision
    comment.decision, comment.reason = decision, reason
    comment.answered_by, comment.answered_at = stored_user(acting_user), timezone.now()
    comment.save(update_fields=["decision", "reason", "answered_by", "answered_at"])
    audit_record(
        acting_user=acting_user,
        action="plan.comment_answer",
        target=comment,
        before={"decision": before},
        after={"decision": decision, "reason": reason},
    )
    return comment


# -- measures --------------------------------------------------------------------------------


@dataclass
class MeasureChange:
    title: str
    detail: str
    deadline_text: str
    lead: Unit | None
    responsible: list[Unit]
    keep_unresolved: bool = True


@transaction.atomic
def measure_update(
    *, acting_user, measure: Measure, change: MeasureChange, reason: str = ""
) -> Measure:
    """Edit a measure; once the plan is issued, only as a recorded adjustment with a reason."""
    measure = Measure.objects.select_for_update().select_related("plan__region").get(pk=measure.pk)
    plan = measure.plan
    check_plan_editable(acting_user, plan)
    issued = plan.status == PlanStatus.ISSUED
    if issued and not reason.strip():
        raise ValidationError({"reason": "计划已印发，调整措施须说明调整理由。"})
    if not change.title.strip():
        raise ValidationError({"title": "请填写工作任务。"})
    _check_units(plan, change)
    deadline = _deadline(change.deadline_text, plan.year)
    before = _measure_facts(measure)
    measure.title, measure.detail = change.title.strip(), change.detail.strip()
    measure.deadline_text, measure.deadline = change.deadline_text.strip()[:100], deadline
    measure.save(update_fields=["title", "detail", "deadline_text", "deadline"])
    _replace_units(measure, change)
    after = _measure_facts(measure)
    changes = [
        {"field": key, "label": label, "before": before[key], "after": after[key]}
        for key, label in FACT_LABELS.items()
        if before[key] != after[key]
    ]
    if issued and changes:
        PlanAdjustment.objects.create(
            plan=plan,
            measure=measure,
            reason=reason.strip(),
            changes=changes,
            made_by=stored_user(acting_user),
        )
    before_values = {c["field"]: c["before"] for c in changes}
    after_values = {c["field"]: c["after"] for c in changes}
    if issued:
        audit_record(
            acting_user=acting_user,
            action="plan.adjust",
            target=measure,
            before=before_values,
            after={**after_values, "reason": reason.strip()},
        )
    else:
        audit_record(
            acting_user=acting_user,
            action="plan.measure_update",
            target=measure,
            before=before_values,
            after=after_values,
        )
    return measure


FACT_LABELS = {
    "title": "工作任务",
    "detail": "具体内容",
    "deadline_text": "完成时限",
    "lead": "牵头单位",
    "responsible": "责任单位",
}


def _measure_facts(measure: Measure) -> dict:
    rows = list(measure.units.select_related("unit").order_by("role", "position"))
    return {
        "title": measure.title,
        "detail": measure.detail,
        "deadline_text": measure.deadline_text,
        "lead": "、".join(_name(r) for r in rows if r.role == MeasureRole.LEAD),
        "responsible": "、".join(_name(r) for r in rows if r.role == MeasureRole.RESPONSIBLE),
    }


def _name(row: MeasureUnit) -> str:
    return row.unit.name if row.unit_id else row.name_text


def _check_units(plan: Plan, change: MeasureChange) -> None:
    for unit in [change.lead, *change.responsible]:
        if unit is not None and not unit.region.path.startswith(plan.region.path):
            raise ValidationError({"responsible": f"{unit} 不是 {plan.region} 的单位。"})


def _deadline(text: str, year: int) -> date | None:
    """The date a deadline text names; a text naming an impossible date is refused."""
    reading = PlanReading(year=year)
    holder = MeasureReading(code="", title="", detail="", where="完成时限")
    if text.strip():
        set_deadline(holder, text, "完成时限", reading)
    if reading.problems:
        raise ValidationError({"deadline_text": reading.problems[0].message})
    return holder.deadline


def _replace_units(measure: Measure, change: MeasureChange) -> None:
    kept = list(measure.units.filter(unit__isnull=True)) if change.keep_unresolved else []
    measure.units.all().delete()
    rows = []
    if change.lead is not None:
        rows.append(_unit_row(measure, change.lead, MeasureRole.LEAD))
    rows += [
        _unit_row(measure, unit, MeasureRole.RESPONSIBLE)
        for unit in change.responsible
        if unit != change.lead
    ]
    rows += [MeasureUnit(measure=measure, name_text=row.name_text, role=row.role) for row in kept]
    for position, row in enumerate(rows):
        row.position = position
    MeasureUnit.objects.bulk_create(rows)


def _unit_row(measure: Measure, unit: Unit, role: str) -> MeasureUnit:
    return MeasureUnit(measure=measure, unit=unit, name_text=unit.name, role=role)
