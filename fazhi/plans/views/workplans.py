"""Work plan pages: the list, the import wizard (upload → preview with unit names to confirm →
confirm or cancel), the 工作台账 of a plan and its Excel export."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core.downloads import attachment_header, xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import QueryFilters, paginate, show_notes
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_visible_or_404
from fazhi.plans import drafting, importing, selectors
from fazhi.plans.exports import unit_names, write_plan_ledger
from fazhi.plans.forms import AdvanceForm, LegalReviewForm, PlanUploadForm, plan_regions
from fazhi.plans.models import MeasureStatus, Plan, PlanImport, PlanStatus, ReportCycle

STATUS_ORDER = [
    MeasureStatus.COMPLETED,
    MeasureStatus.IN_PROGRESS,
    MeasureStatus.BEHIND,
    MeasureStatus.NOT_STARTED,
]

PREVIEW_MEASURES = 500
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def plan_list(request):
    filters = QueryFilters(request.GET)
    year = filters.id("year", "年度")
    show_notes(request, filters.notes)
    plans = selectors.plan_list(user=request.user, year=year)
    return render(
        request,
        "plans/plan_list.html",
        {
            "page": paginate(request, plans),
            "year": year,
            "can_import": bool(plan_regions(request.user)),
        },
    )


@require_roles("admin", "lead_admin")
def plan_import(request):
    form = PlanUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.regions:
        raise PermissionDenied("您无权导入工作计划。")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = importing.plan_import_preview(
                acting_user=request.user,
                region=data["region"],
                year=data["year"],
                name=data["name"],
                uploaded_file=data["file"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return redirect("plans:import_preview", draft=draft.pk)
    return render(request, "plans/plan_import.html", {"form": form})


def _load_draft(request, draft) -> PlanImport:
    drafts = PlanImport.objects.editable_by(request.user).select_related("region")
    return get_object_or_404(drafts, pk=draft)


def _render_preview(request, draft, answers=None):
    reading = draft.result.get("reading", {})
    measures = [
        {**measure, "area": area["title"]}
        for area in reading.get("areas", [])
        for measure in area["measures"]
    ]
    return render(
        request,
        "plans/plan_import_preview.html",
        {
            "draft": draft,
            "reading": reading,
            "areas": reading.get("areas", []),
            "measures": measures[:PREVIEW_MEASURES],
            "measure_count": len(measures),
            "truncated": len(measures) > PREVIEW_MEASURES,
            "problems": reading.get("problems", []),
            "names": [
                {**name, "answer": (answers or {}).get(name["key"], "")}
                for name in draft.result.get("names", [])
            ],
            "units": list(selectors.region_units(region=draft.region)),
        },
    )


@require_roles("admin", "lead_admin")
def plan_import_preview(request, draft):
    return _render_preview(request, _load_draft(request, draft))


@require_roles("admin", "lead_admin")
@require_POST
def plan_import_confirm(request, draft):
    draft = _load_draft(request, draft)
    answers = {
        name["key"]: request.POST.get(f"name-{name['key']}", "")
        for name in draft.result.get("names", [])
    }
    try:
        imported = importing.plan_import_commit(
            acting_user=request.user, draft=draft, answers=answers
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return _render_preview(request, draft, answers=answers)
    messages.success(request, imported.message)
    return redirect("plans:detail", pk=imported.plan.pk)


@require_roles("admin", "lead_admin")
@require_POST
def plan_import_cancel(request, draft):
    draft = _load_draft(request, draft)
    importing.plan_import_cancel(acting_user=request.user, draft=draft)
    messages.info(request, "已取消导入工作计划，没有保存任何内容。")
    return redirect("plans:list")


@login_required
def plan_detail(request, pk):
    """The 工作台账 of a plan under its filters."""
    plan = get_visible_or_404(Plan.objects.select_related("region"), request.user, pk=pk)
    filters = selectors.LedgerFilters.from_params(request.GET)
    show_notes(request, filters.notes)
    today = timezone.localdate()
    measures = selectors.ledger_measures(user=request.user, plan=plan, filters=filters, today=today)
    page = paginate(request, measures, per_page=50)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "page": page,
            "rows": [(measure, *unit_names(measure)) for measure in page],
            "filters": filters,
            "areas": plan.areas.order_by("position"),
            "units": selectors.ledger_units(plan=plan),
            "statuses": MeasureStatus.choices,
            "counts": selectors.ledger_counts(user=request.user, plan=plan, today=today),
            "today": today,
            "export_query": request.GET.urlencode(),
            **_drafting_panel(request.user, plan),
            "charts": _charts(request.user, plan),
        },
    )


@login_required
def plan_export(request, pk):
    """The 工作台账 workbook under the page's filters (the link carries them)."""
    plan = get_visible_or_404(Plan.objects.select_related("region"), request.user, pk=pk)
    filters = selectors.LedgerFilters.from_params(request.GET)
    measures = selectors.ledger_measures(
        user=request.user, plan=plan, filters=filters, today=timezone.localdate()
    )
    response = xlsx_attachment(f"{plan.name}-工作台账.xlsx")
    write_plan_ledger(response, plan, measures)
    return response


def _drafting_panel(user, plan: Plan) -> dict:
    """The steps of the plan and, for the lead office, the form of the next one."""
    editable = Plan.objects.editable_by(user).filter(pk=plan.pk).exists()
    step = drafting.next_step(plan)
    return {
        "editable": editable,
        "steps": [
            (value, label, drafting.STEPS.index(value) <= drafting.STEPS.index(plan.status))
            for value, label in PlanStatus.choices
        ],
        "next_step": PlanStatus(step) if step else None,
        "advance_form": AdvanceForm(step=step) if editable and step else None,
        "legal_form": LegalReviewForm()
        if editable and plan.status == PlanStatus.LEGAL_REVIEW
        else None,
        "comment_counts": selectors.comment_counts(user=user, plan=plan),
        "cycles": ReportCycle.choices,
        "due_days": settings.FAZHI_PLAN_REPORT_DUE_DAYS,
    }


def _charts(user, plan: Plan) -> list[dict]:
    """The progress chart by area and by unit, each with its numbers as a table."""
    data = selectors.progress_by(user=user, plan=plan)
    charts = []
    for key, title, column in (("areas", "按领域", "领域"), ("units", "按单位", "单位")):
        rows = data[key]
        if rows:
            charts.append(
                {
                    "id": f"chart-{key}",
                    "option_id": f"chart-{key}-option",
                    "title": f"措施完成情况（{title}）",
                    "column": column,
                    "option": selectors.progress_chart(rows),
                    "height": 60 + 26 * len(rows),
                    "rows": [(label, [counts[s] for s in STATUS_ORDER]) for label, counts in rows],
                }
            )
    return charts


@login_required
def plan_summary(request, pk):
    """The year-end summary (Word) of the measures the reader sees."""
    from fazhi.plans.summary import summary_docx  # python-docx, loaded for this download only

    plan = get_visible_or_404(Plan.objects.select_related("region"), request.user, pk=pk)
    measures = list(selectors.plan_measures(user=request.user, plan=plan))
    body = summary_docx(plan, measures, today=timezone.localdate())
    response = HttpResponse(body, content_type=DOCX)
    response["Content-Disposition"] = attachment_header(f"{plan.name}完成情况.docx")
    return response
