"""Inspection pages: the list, a new inspection, its page (findings, documents, 回头看), the
entry of a finding, and the 问题清单 import (upload → preview with the uncertain units to
confirm → confirm)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.campaigns.models import Item
from fazhi.core.actions import perform
from fazhi.core.downloads import attachment_header
from fazhi.core.forms import add_service_error
from fazhi.core.listing import parse_id
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import Scope, get_editable_or_404, get_visible_or_404, is_editable
from fazhi.evidence.attachments import attachment_response
from fazhi.inspections import importing, rechecks, selectors, services
from fazhi.inspections.forms import DocumentForm, DrawForm, FindingForm, InspectionForm, UploadForm
from fazhi.inspections.models import FindingImport, Inspection, InspectionDocument

INSPECTING_ROLES = ("admin", "lead_admin", "inspector")
PREVIEW_ROWS = 500
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def inspection_list(request):
    inspections = selectors.inspection_list(user=request.user)
    regions = selectors.findings_by_region(user=request.user, today=timezone.localdate())
    return render(
        request,
        "inspections/inspection_list.html",
        # Side by side only where there is more than one region to compare.
        {"inspections": inspections, "regions": regions if len(regions) > 1 else []},
    )


@require_roles(*INSPECTING_ROLES)
def inspection_create(request):
    form = InspectionForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_create(acting_user=request.user, **data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已新建督察“{inspection.name}”。")
            return redirect("inspections:detail", pk=inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form})


@login_required
def inspection_detail(request, pk):
    inspection = get_visible_or_404(
        Inspection.objects.select_related("region"), request.user, pk=pk
    )
    editable = is_editable(request.user, Inspection, inspection.pk)
    today = timezone.localdate()
    findings = list(selectors.findings_of(user=request.user, inspection=inspection))
    for finding in findings:
        finding.overdue = services.is_overdue(finding, today)
    report = selectors.inspection_report(user=request.user, inspection=inspection, today=today)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "editable": editable,
            "findings": findings,
            "report": report,
            "charts": selectors.report_charts(report) if report["total"] else [],
            "documents": InspectionDocument.objects.visible_to(request.user).filter(
                inspection=inspection
            ),
            "draws": inspection.draws.prefetch_related("items__finding") if editable else [],
            "document_form": DocumentForm() if editable else None,
            "draw_form": DrawForm() if editable else None,
        },
    )


@login_required
def report_docx(request, pk):
    """整改情况报告 of the findings the user may see, as of today."""
    from fazhi.inspections import reports  # python-docx, loaded for this download only

    inspection = get_visible_or_404(
        Inspection.objects.select_related("region"), request.user, pk=pk
    )
    today = timezone.localdate()
    report = selectors.inspection_report(user=request.user, inspection=inspection, today=today)
    response = HttpResponse(reports.report_docx(report), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(f"{inspection.name}整改情况报告.docx")
    return response


@require_roles(*INSPECTING_ROLES)
@require_POST
def document_upload(request, pk):
    inspection = get_editable_or_404(Inspection, request.user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择文书类型和文件。")
    else:
        data = form.cleaned_data
        perform(
            request,
            lambda: services.inspection_document_add(
                acting_user=request.user, inspection=inspection, **data
            ),
            success="已上传督察文书。",
        )
    return redirect("inspections:detail", pk=inspection.pk)


@login_required
def document_download(request, pk):
    document = get_visible_or_404(
        InspectionDocument.objects.select_related("blob"), request.user, pk=pk
    )
    return attachment_response(request, document.blob, document.original_name)


@require_roles(*INSPECTING_ROLES)
def finding_create(request, pk):
    inspection = get_editable_or_404(
        Inspection.objects.select_related("region"), request.user, pk=pk
    )
    form = FindingForm(request.POST or None, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            finding = services.finding_create(
                acting_user=request.user, inspection=inspection, **data
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已登记问题 {finding.number}。")
            return redirect("inspections:detail", pk=inspection.pk)
    return render(
        request, "inspections/finding_form.html", {"inspection": inspection, "form": form}
    )


@require_roles(*INSPECTING_ROLES)
def finding_from_item(request, item):
    """A returned campaign item raised as a finding: the return's reason and the lead unit
    filled in, the inspection chosen among those whose region covers the unit."""
    item = get_visible_or_404(
        Item.objects.select_related("campaign__region"), request.user, pk=item
    )
    lead = selectors.item_lead_unit(item)
    choices = selectors.inspections_for_region(
        user=request.user, region=lead.region if lead else item.campaign.region
    )
    chosen = _chosen_inspection(
        choices, request.POST.get("inspection") or request.GET.get("inspection")
    )
    form = None
    if chosen:
        initial = {
            "description": f"{item.code} {item.title}：{item.return_reason}",
            "responsible_unit": lead,
            "inspected_unit": lead,
        }
        form = FindingForm(request.POST or None, inspection=chosen, initial=initial)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            finding = services.finding_from_returned_item(
                acting_user=request.user, inspection=chosen, item=item, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已将 {item.code} 的退回转为问题 {finding.number}。")
            return redirect("inspections:finding", pk=finding.pk)
    context = {"item": item, "inspections": choices, "inspection": chosen, "form": form}
    return render(request, "inspections/finding_from_item.html", context)


def _chosen_inspection(choices, wanted):
    pk = parse_id(wanted) if wanted else None
    return next((i for i in choices if i.pk == pk), choices[0] if choices else None)


@require_roles(*INSPECTING_ROLES)
@require_POST
def recheck_draw(request, pk):
    inspection = get_editable_or_404(Inspection, request.user, pk=pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "抽取数量、比例或随机种子填写有误。")
    else:
        perform(
            request,
            lambda: rechecks.recheck_draw(
                acting_user=request.user, inspection=inspection, **form.cleaned_data
            ),
            success=lambda draw: (
                f"已抽取 {draw.items.count()} 个问题回头看（随机种子 {draw.seed}）。"
            ),
        )
    return redirect("inspections:detail", pk=inspection.pk)


@require_roles(*INSPECTING_ROLES)
def categories(request):
    """The categories findings are sorted by: the defaults and the user's region's own; the
    lead office adds its own."""
    region = request.user.region
    if request.method == "POST":
        if not Scope.for_user(request.user).has_role("admin", "lead_admin"):
            raise PermissionDenied("只有依法治办可以设置问题类别。")
        perform(
            request,
            lambda: services.category_add(
                acting_user=request.user, region=region, name=request.POST.get("name", "")
            ),
            success=lambda c: f"已新增问题类别“{c.name}”。",
        )
        return redirect("inspections:categories")
    listed = selectors.categories_for(region) if region else []
    return render(request, "inspections/categories.html", {"categories": listed})


# -- import -------------------------------------------------------------------------------------


@require_roles(*INSPECTING_ROLES)
def findings_import(request, pk):
    inspection = get_editable_or_404(
        Inspection.objects.select_related("region"), request.user, pk=pk
    )
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = importing.findings_import_preview(
                acting_user=request.user,
                inspection=inspection,
                uploaded_file=form.cleaned_data["file"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return redirect("inspections:import_preview", pk=inspection.pk, draft=draft.pk)
    return render(request, "inspections/import.html", {"inspection": inspection, "form": form})


def _load_draft(request, pk, draft):
    inspection = get_editable_or_404(
        Inspection.objects.select_related("region"), request.user, pk=pk
    )
    drafts = FindingImport.objects.visible_to(request.user).filter(inspection=inspection)
    return inspection, get_object_or_404(drafts, pk=draft)


def _preview(request, inspection, draft, choices=None):
    rows = draft.result.get("rows", [])
    for row in rows:
        row["choice"] = (choices or {}).get(row["row"])
    return render(
        request,
        "inspections/import_preview.html",
        {
            "inspection": inspection,
            "draft": draft,
            "rows": rows[:PREVIEW_ROWS],
            "truncated": len(rows) > PREVIEW_ROWS,
            "problems": draft.result.get("problems", []),
            "asking": [r for r in rows if not r["responsible_id"]],
            "units": selectors.units_of(inspection.region),
        },
    )


@require_roles(*INSPECTING_ROLES)
def import_preview(request, pk, draft):
    inspection, draft = _load_draft(request, pk, draft)
    return _preview(request, inspection, draft)


@require_roles(*INSPECTING_ROLES)
@require_POST
def import_confirm(request, pk, draft):
    inspection, draft = _load_draft(request, pk, draft)
    choices = {}
    for row in draft.result.get("rows", []):
        chosen = parse_id(request.POST.get(f"unit-{row['row']}", ""))
        if chosen:
            choices[row["row"]] = chosen
    try:
        created = importing.findings_import_commit(
            acting_user=request.user, draft=draft, choices=choices
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return _preview(request, inspection, draft, choices)
    unresolved = sum(1 for f in created if not f.responsible_unit_id)
    note = f"，{unresolved} 个责任单位待确定" if unresolved else ""
    messages.success(request, f"已导入 {len(created)} 个问题{note}。")
    return redirect("inspections:detail", pk=inspection.pk)
