"""The 整改台账 (every finding the user may see, filtered, searched, exported) and a finding's
page: the unit's plan, progress and close request, the inspecting side's verdict, reopening,
escalation and the settling of an uncertain unit. Each button is one service call; who may press
it is the service's to decide (`services.may_rectify`, `check_verify`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core.actions import perform
from fazhi.core.downloads import xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import paginate, parse_id, show_notes
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404
from fazhi.evidence.attachments import attachment_response
from fazhi.inspections import exports, milestones, rechecks, selectors, services
from fazhi.inspections.forms import (
    EscalationForm,
    FindingForm,
    PlanForm,
    ReportForm,
    VerifyForm,
)
from fazhi.inspections.models import (
    Finding,
    FindingFile,
    FindingStatus,
    Inspection,
    Milestone,
    RecheckItem,
    Rectification,
)
from fazhi.orgs.models import Unit


@login_required
def ledger(request):
    filters = selectors.LedgerFilters.from_params(request.GET)
    show_notes(request, filters.notes)
    today = timezone.localdate()
    findings = selectors.ledger_findings(user=request.user, filters=filters, today=today)
    page = paginate(request, findings)
    for finding in page.object_list:
        finding.overdue = services.is_overdue(finding, today)
    visible = Finding.objects.visible_to(request.user)
    context = {
        "page": page,
        "filters": filters,
        "inspections": Inspection.objects.visible_to(request.user).order_by("-created_at"),
        "units": Unit.objects.filter(
            pk__in=visible.filter(responsible_unit__isnull=False).values("responsible_unit_id")
        ).order_by("sort_order", "name"),
        "categories": _categories(visible),
        "statuses": FindingStatus.choices,
        "export_query": request.GET.urlencode(),
    }
    template = "inspections/_ledger_rows.html" if request.htmx else "inspections/ledger.html"
    return render(request, template, context)


def _categories(visible):
    from fazhi.inspections.models import FindingCategory

    used = visible.filter(category__isnull=False).values("category_id")
    return FindingCategory.objects.filter(pk__in=used).order_by("position", "id")


@login_required
def ledger_export(request):
    filters = selectors.LedgerFilters.from_params(request.GET)
    today = timezone.localdate()
    findings = selectors.ledger_findings(user=request.user, filters=filters, today=today)
    response = xlsx_attachment(f"整改台账-{today.isoformat()}.xlsx")
    exports.write_ledger(response, findings, today=today)
    return response


def _load(request, pk) -> Finding:
    return get_visible_or_404(
        Finding.objects.select_related(
            "inspection__region", "responsible_unit", "inspected_unit", "category"
        ),
        request.user,
        pk=pk,
    )


@login_required
def finding_detail(request, pk):
    finding = _load(request, pk)
    today = timezone.localdate()
    user = request.user
    may_rectify = services.may_rectify(user, finding) and finding.status in services.OPEN_STATES
    inspecting = services.is_inspecting_side(user, finding)
    plan = Rectification.objects.filter(finding=finding).first()
    return render(
        request,
        "inspections/finding_detail.html",
        {
            "finding": finding,
            "overdue": services.is_overdue(finding, today),
            "plan": plan,
            "milestones": [
                (m, m.due_on and not m.done_on and m.due_on < today)
                for m in finding.milestones.all()
            ],
            "updates": finding.updates.select_related("created_by").prefetch_related("files"),
            "escalations": finding.escalations.all(),
            "may_rectify": may_rectify,
            "may_verify": services.may_verify(user, finding),
            "own_unit": services.is_responsible(user, finding),
            "inspecting": inspecting,
            "plan_form": PlanForm(
                initial={
                    "measures": plan.measures,
                    "milestones": plan.milestones,
                    "person": plan.person,
                }
                if plan
                else None
            ),
            "report_form": ReportForm(),
            "verify_form": VerifyForm(),
            "escalation_form": EscalationForm(initial={"on": today}),
            "units": selectors.units_of(finding.inspection.region) if inspecting else [],
            "rechecks": RecheckItem.objects.filter(finding=finding, result="pending")
            if inspecting
            else [],
        },
    )


@login_required
def finding_edit(request, pk):
    finding = get_editable_or_404(
        Finding.objects.select_related("inspection__region"), request.user, pk=pk
    )
    initial = {name: getattr(finding, name) for name in services.EDITABLE_FIELDS}
    form = FindingForm(request.POST or None, inspection=finding.inspection, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_update(acting_user=request.user, finding=finding, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已修改问题 {finding.number}。")
            return _back(finding)
    return render(
        request,
        "inspections/finding_form.html",
        {"inspection": finding.inspection, "form": form, "finding": finding},
    )


def _back(finding):
    return redirect("inspections:finding", pk=finding.pk)


def _invalid(request, form) -> bool:
    if form.is_valid():
        return False
    first = next(iter(form.errors.items()))
    label = form.fields[first[0]].label if first[0] in form.fields else ""
    messages.error(request, f"{label}：{first[1][0]}" if label else first[1][0])
    return True


@login_required
@require_POST
def plan_save(request, pk):
    finding = _load(request, pk)
    form = PlanForm(request.POST)
    if not _invalid(request, form):
        perform(
            request,
            lambda: services.rectification_save(
                acting_user=request.user, finding=finding, **form.cleaned_data
            ),
            success="已保存整改方案。",
        )
    return _back(finding)


@login_required
@require_POST
def milestone_done(request, pk):
    milestone = get_visible_or_404(Milestone.objects.select_related("finding"), request.user, pk=pk)
    perform(
        request,
        lambda: milestones.stage_done(acting_user=request.user, milestone=milestone),
        success=f"已报告阶段目标完成：{milestone.text}",
    )
    return _back(milestone.finding)


@login_required
@require_POST
def progress_report(request, pk):
    finding = _load(request, pk)
    form = ReportForm(request.POST, request.FILES)
    if not _invalid(request, form):
        perform(
            request,
            lambda: services.finding_report_progress(
                acting_user=request.user, finding=finding, **form.cleaned_data
            ),
            success="已报送整改进展。",
        )
    return _back(finding)


@login_required
@require_POST
def request_close(request, pk):
    finding = _load(request, pk)
    form = ReportForm(request.POST, request.FILES)
    if not _invalid(request, form):
        perform(
            request,
            lambda: services.finding_request_close(
                acting_user=request.user, finding=finding, **form.cleaned_data
            ),
            success="已申请销号，等待督察方审核。",
        )
    return _back(finding)


@login_required
@require_POST
def verify(request, pk):
    finding = _load(request, pk)
    form = VerifyForm(request.POST)
    if not _invalid(request, form):
        accept = form.cleaned_data["verdict"] == "accept"
        perform(
            request,
            lambda: services.finding_verify(
                acting_user=request.user,
                finding=finding,
                accept=accept,
                note=form.cleaned_data["note"],
            ),
            success="已销号。" if accept else "已退回整改。",
        )
    return _back(finding)


@login_required
@require_POST
def reopen(request, pk):
    finding = _load(request, pk)
    note = request.POST.get("note", "")
    perform(
        request,
        lambda: services.finding_reopen(acting_user=request.user, finding=finding, note=note),
        success="已重新打开，问题回到整改中。",
    )
    return _back(finding)


@login_required
@require_POST
def escalate(request, pk):
    finding = _load(request, pk)
    form = EscalationForm(request.POST)
    if not _invalid(request, form):
        perform(
            request,
            lambda: services.escalation_add(
                acting_user=request.user,
                finding=finding,
                today=timezone.localdate(),
                **form.cleaned_data,
            ),
            success=lambda e: f"已记录督办：{e.get_step_display()}。",
        )
    return _back(finding)


@login_required
@require_POST
def set_unit(request, pk):
    finding = _load(request, pk)
    units = selectors.units_of(finding.inspection.region)
    unit = units.filter(pk=parse_id(request.POST.get("unit"))).first()
    if unit is None:
        messages.error(request, "请选择责任单位。")
    else:
        perform(
            request,
            lambda: services.finding_set_unit(acting_user=request.user, finding=finding, unit=unit),
            success=f"责任单位已确定为 {unit}。",
        )
    return _back(finding)


@login_required
def file_download(request, pk):
    file = get_visible_or_404(FindingFile.objects.select_related("blob"), request.user, pk=pk)
    return attachment_response(request, file.blob, file.original_name)


@login_required
@require_POST
def recheck_decide(request, pk):
    item = get_visible_or_404(
        RecheckItem.objects.select_related("finding__inspection__region"), request.user, pk=pk
    )
    confirm = request.POST.get("result") == "confirm"
    note = request.POST.get("note", "")
    perform(
        request,
        lambda: rechecks.recheck_decide(
            acting_user=request.user, item=item, confirm=confirm, note=note
        ),
        success="已记录回头看结果。" if confirm else "回头看发现问题，已重新打开。",
    )
    return _back(item.finding)
