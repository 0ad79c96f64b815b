"""Progress pages of an issued plan: a unit's report on a measure (with files), the lead
office's check of a measure, a report's file, and the report cycle."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fazhi.campaigns.models import Item
from fazhi.core.actions import error_text
from fazhi.core.listing import parse_id
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404
from fazhi.evidence.attachments import attachment_response
from fazhi.plans import links, progress
from fazhi.plans.forms import MilestonesForm, ProgressForm, StatusForm
from fazhi.plans.models import Measure, Plan, ProgressFile


def progress_form(user, measure: Measure, data=None, files=None) -> ProgressForm | None:
    """The report form for whoever may report on the measure (None for others)."""
    periods = progress.plan_periods_ensure(measure.plan)
    if Plan.objects.editable_by(user).filter(pk=measure.plan_id).exists():
        units = [row.unit for row in measure.units.select_related("unit") if row.unit_id]
        return ProgressForm(data, files, periods=periods, units=units)
    named = measure.units.filter(unit_id=user.unit_id).exists() if user.unit_id else False
    if named and "liaison" in user.role_codes():
        return ProgressForm(data, files, periods=periods)
    return None


@login_required
@require_POST
def measure_report(request, pk):
    from fazhi.plans.views.drafting import measure_page

    measure = get_visible_or_404(
        Measure.objects.select_related("plan__region", "area"), request.user, pk=pk
    )
    form = progress_form(request.user, measure, request.POST, request.FILES)
    if form is None:
        raise PermissionDenied("只有该措施的牵头单位和责任单位可以报送进展。")
    if form.is_valid():
        data = form.cleaned_data
        try:
            progress.progress_report_save(
                acting_user=request.user,
                measure=measure,
                period=data["period"],
                text=data["text"],
                figures=data["figures"],
                files=data["files"],
                unit=data.get("unit"),
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"已报送“{data['period']}”的进展。")
            return redirect("plans:measure", pk=measure.pk)
    return measure_page(request, measure, report_form=form)


@login_required
@require_POST
def measure_status(request, pk):
    measure = get_editable_or_404(Measure, request.user, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择完成状态。")
    else:
        try:
            progress.measure_set_status(
                acting_user=request.user, measure=measure, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "已更新完成状态。")
    return redirect("plans:measure", pk=measure.pk)


@login_required
@require_POST
def plan_cycle(request, pk):
    plan = get_editable_or_404(Plan, request.user, pk=pk)
    try:
        progress.plan_set_cycle(
            acting_user=request.user, plan=plan, cycle=request.POST.get("cycle", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "已设置进展报送周期。")
    return redirect("plans:detail", pk=plan.pk)


@login_required
def progress_file(request, pk):
    file = get_visible_or_404(ProgressFile.objects.select_related("blob"), request.user, pk=pk)
    return attachment_response(request, file.blob, file.original_name)


@login_required
@require_POST
def measure_link(request, pk):
    measure = get_editable_or_404(
        Measure.objects.select_related("plan__region"), request.user, pk=pk
    )
    campaign = parse_id(request.POST.get("campaign"))
    try:
        item = links.campaign_item_for(
            measure=measure,
            user=request.user,
            code=request.POST.get("code", ""),
            campaign_id=campaign or 0,
        )
        links.measure_link_item(acting_user=request.user, measure=measure, item=item)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"已关联创建指标 {item.code}，其进展材料将在该指标页面提供。")
    return redirect("plans:measure", pk=measure.pk)


@login_required
@require_POST
def measure_unlink(request, pk, item):
    measure = get_editable_or_404(Measure.objects.select_related("plan"), request.user, pk=pk)
    linked = get_object_or_404(measure.items.select_related("campaign"), pk=item)
    links.measure_unlink_item(acting_user=request.user, measure=measure, item=linked)
    messages.success(request, f"已取消关联 {linked.code}。")
    return redirect("plans:measure", pk=measure.pk)


@login_required
@require_POST
def offer_file(request, pk):
    file = get_visible_or_404(
        ProgressFile.objects.select_related("report__measure__plan", "report__period", "blob"),
        request.user,
        pk=pk,
    )
    item = get_visible_or_404(
        Item.objects.select_related("campaign"),
        request.user,
        pk=parse_id(request.POST.get("item")) or 0,
    )
    try:
        links.offer_as_evidence(acting_user=request.user, file=file, item=item)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"已将“{file.original_name}”作为 {item.code} 的材料上传。")
    return redirect("campaigns:item", pk=item.pk)


@login_required
def measure_milestones(request, pk):
    """The measure's road map: a target for each report period, set by the lead office or the
    measure's lead unit."""
    measure = get_visible_or_404(
        Measure.objects.select_related("plan__region", "area"), request.user, pk=pk
    )
    if not progress.may_set_milestones(request.user, measure):
        raise PermissionDenied("只有牵头单位和计划管理部门可以设定该措施的阶段目标。")
    periods = progress.milestones_by_period(measure, progress.plan_periods_ensure(measure.plan))
    form = MilestonesForm(request.POST or None, periods_with_targets=periods)
    if request.method == "POST" and form.is_valid():
        try:
            progress.measure_milestones_save(
                acting_user=request.user, measure=measure, targets=form.targets()
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "已保存阶段目标。")
            return redirect(f"{measure_url(measure)}#milestones")
    return render(
        request,
        "plans/measure_milestones.html",
        {"measure": measure, "plan": measure.plan, "form": form},
    )


def measure_url(measure: Measure) -> str:
    from django.urls import reverse

    return reverse("plans:measure", args=[measure.pk])
