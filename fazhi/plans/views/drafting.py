"""Drafting pages of a work plan: moving it through its steps, the legal review's record, a
measure's page (units, comments, adjustments), comments and their answers, editing a measure,
and the 意见采纳情况表."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core.actions import error_text
from fazhi.core.downloads import xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404
from fazhi.plans import drafting, progress, selectors
from fazhi.plans.exports import unit_names, write_comment_table
from fazhi.plans.forms import (
    AdvanceForm,
    AnswerForm,
    CommentForm,
    LegalReviewForm,
    MeasureForm,
    StatusForm,
)
from fazhi.plans.models import Measure, MeasureRole, Plan, PlanComment, PlanStatus


def _refused(request, exc) -> None:
    messages.error(request, error_text(exc))


@login_required
@require_POST
def plan_advance(request, pk):
    plan = get_editable_or_404(Plan, request.user, pk=pk)
    step = drafting.next_step(plan)
    form = AdvanceForm(request.POST, step=step)
    if not form.is_valid() or step is None:
        messages.error(request, "请按页面提示填写本步骤需要记录的内容。")
        return redirect("plans:detail", pk=plan.pk)
    try:
        drafting.plan_advance(
            acting_user=request.user,
            plan=plan,
            step=step,
            record=drafting.StepRecord(**form.cleaned_data),
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"工作计划已进入“{PlanStatus(step).label}”。")
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_legal_review(request, pk):
    plan = get_editable_or_404(Plan, request.user, pk=pk)
    form = LegalReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写审查机构、审查意见和审查日期。")
        return redirect("plans:detail", pk=plan.pk)
    try:
        drafting.plan_record_legal_review(acting_user=request.user, plan=plan, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已记录合法性审查意见。")
    return redirect("plans:detail", pk=plan.pk)


@login_required
def plan_comments_export(request, pk):
    plan = get_visible_or_404(Plan, request.user, pk=pk)
    response = xlsx_attachment(f"{plan.name}-意见采纳情况表.xlsx")
    write_comment_table(response, selectors.plan_comments(user=request.user, plan=plan))
    return response


def measure_page(request, measure, *, comment_form=None, report_form=None):
    plan = measure.plan
    editable = Plan.objects.editable_by(request.user).filter(pk=plan.pk).exists()
    lead, responsible = unit_names(measure)
    comments = selectors.plan_comments(user=request.user, plan=plan).filter(measure=measure)
    consulting = plan.status == PlanStatus.CONSULTING
    if comment_form is None and consulting:
        comment_form = _comment_form(request, plan, editable)
    return render(
        request,
        "plans/measure_detail.html",
        {
            "plan": plan,
            "measure": measure,
            "lead": lead,
            "responsible": responsible,
            "unresolved": measure.units.filter(unit__isnull=True),
            "comments": comments,
            "comment_form": comment_form if consulting else None,
            "answer_form": AnswerForm() if editable and consulting else None,
            "editable": editable,
            "adjustments": measure.adjustments.select_related("made_by"),
            "linked_items": measure.items.visible_to(request.user).select_related("campaign"),
            "link_campaigns": selectors.region_campaigns(plan=plan, user=request.user)
            if editable
            else [],
            "milestones": progress.milestones_by_period(measure, progress.plan_periods(plan)),
            "may_set_milestones": progress.may_set_milestones(request.user, measure),
            **_progress_panel(request, measure, editable, report_form),
        },
    )


def _comment_form(request, plan, editable, data=None):
    units = list(selectors.region_units(region=plan.region)) if editable else None
    return CommentForm(data, units=units)


def _visible_measure(request, pk) -> Measure:
    return get_visible_or_404(
        Measure.objects.select_related("plan__region", "area"), request.user, pk=pk
    )


@login_required
def measure_detail(request, pk):
    return measure_page(request, _visible_measure(request, pk))


@login_required
@require_POST
def measure_comment(request, pk):
    measure = _visible_measure(request, pk)
    plan = measure.plan
    editable = Plan.objects.editable_by(request.user).filter(pk=plan.pk).exists()
    form = _comment_form(request, plan, editable, request.POST)
    if form.is_valid():
        try:
            drafting.comment_add(
                acting_user=request.user,
                plan=plan,
                measure=measure,
                text=form.cleaned_data["text"],
                unit=form.cleaned_data.get("unit"),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "意见已提交，牵头部门答复后可在此查看。")
            return redirect("plans:measure", pk=measure.pk)
    return measure_page(request, measure, comment_form=form)


@login_required
@require_POST
def comment_answer(request, pk):
    comment = get_editable_or_404(PlanComment.objects.select_related("plan"), request.user, pk=pk)
    form = AnswerForm(request.POST)
    target = comment.measure_id
    if not form.is_valid():
        messages.error(request, "请选择采纳情况。")
    else:
        try:
            drafting.comment_answer(acting_user=request.user, comment=comment, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, "已答复该条意见。")
    if target:
        return redirect("plans:measure", pk=target)
    return redirect("plans:detail", pk=comment.plan_id)


@login_required
def measure_edit(request, pk):
    measure = get_editable_or_404(
        Measure.objects.select_related("plan__region", "area"), request.user, pk=pk
    )
    units = list(selectors.region_units(region=measure.plan.region))
    rows = list(measure.units.filter(unit__isnull=False))
    initial = {
        "title": measure.title,
        "detail": measure.detail,
        "deadline_text": measure.deadline_text,
        "lead": next((r.unit_id for r in rows if r.role == MeasureRole.LEAD), ""),
        "responsible": [r.unit_id for r in rows if r.role == MeasureRole.RESPONSIBLE],
        "keep_unresolved": True,
    }
    issued = measure.plan.status == PlanStatus.ISSUED
    form = MeasureForm(request.POST or None, units=units, initial=initial)
    if not issued:
        del form.fields["reason"]  # edits before issue need no reason
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = drafting.MeasureChange(
            title=data["title"],
            detail=data["detail"],
            deadline_text=data["deadline_text"],
            lead=data["lead"],
            responsible=data["responsible"],
            keep_unresolved=data["keep_unresolved"],
        )
        try:
            drafting.measure_update(
                acting_user=request.user,
                measure=measure,
                change=change,
                reason=data.get("reason", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "措施已保存。")
            return redirect("plans:measure", pk=measure.pk)
    return render(
        request,
        "plans/measure_edit.html",
        {
            "measure": measure,
            "plan": measure.plan,
            "form": form,
            "issued": measure.plan.status == PlanStatus.ISSUED,
        },
    )


def _progress_panel(request, measure, editable, report_form) -> dict:
    if measure.plan.status != PlanStatus.ISSUED:
        return {}
    from fazhi.plans.views.progress import progress_form

    reports = selectors.measure_reports(user=request.user, measure=measure)
    return {
        "periods": progress.measure_periods(measure, reports, timezone.localdate()),
        "report_form": report_form or progress_form(request.user, measure),
        "status_form": StatusForm(initial={"status": measure.status, "note": measure.status_note})
        if editable
        else None,
    }
