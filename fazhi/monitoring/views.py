"""Monitoring pages: the region's rates and its children ranked (with the trend chart), the
figures (report on a form, confirm, correct with history), the table import (upload → preview
→ confirm), the metric registry, and the annual reports' register and draft."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core.actions import error_text
from fazhi.core.downloads import attachment_header
from fazhi.core.forms import add_service_error
from fazhi.core.listing import paginate, parse_number
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import Scope, get_visible_or_404
from fazhi.evidence.attachments import attachment_response
from fazhi.monitoring import annual, exports, importing, periods, selectors, services
from fazhi.monitoring.forms import (
    AnnualReportForm,
    CorrectForm,
    FigureForm,
    MetricForm,
    TemplateForm,
    UploadForm,
)
from fazhi.monitoring.models import Figure, FigureFile, FigureImport, FigureStatus

LEAD = ("admin", "lead_admin")
REPORTERS = ("admin", "lead_admin", "liaison")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 500


def _period(request, default: str) -> str:
    try:
        return periods.parse_period(request.GET.get("period", "") or default)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return default


def _region_and_period(request):
    home = selectors.home_region(request.user)
    code = request.GET.get("region", "") or (home.code if home else "")
    region = selectors.region_in_reach(user=request.user, code=code)
    return region, _period(request, selectors.default_period(timezone.localdate()))


@login_required
def overview(request):
    """The region's rates rolled up and its children ranked; units go to their figures."""
    if not Scope.for_user(request.user).has_role(*selectors.RANK_ROLES):
        return redirect("monitoring:figures")
    region, period = _region_and_period(request)
    seen = selectors.figures_seen_by(request.user)
    report = selectors.region_report(region=region, period=period, figures=seen)
    trend = None
    if periods.is_quarter(period) and report.children:
        trend = selectors.ranking_with_trend(region=region, period=period, figures=seen)
    return render(
        request,
        "monitoring/overview.html",
        {
            "region": region,
            "period": period,
            "period_label": periods.label(period),
            "report": report,
            "trend": trend,
            "periods": selectors.recent_periods(timezone.localdate()),
            "ancestors": selectors.reachable_ancestors(user=request.user, region=region),
        },
    )


@require_roles(*selectors.RANK_ROLES)
def overview_export(request):
    """The overview as a workbook: the region's roll-up, then its child regions ranked."""
    region, period = _region_and_period(request)
    seen = selectors.figures_seen_by(request.user)
    report = selectors.region_report(region=region, period=period, figures=seen)
    ranked = selectors.rank_children(report) if periods.is_quarter(period) else None
    buffer = BytesIO()
    label = periods.label(period)
    exports.write_region_report(buffer, report=report, ranked=ranked, period_label=label)
    return _xlsx(buffer, f"{region.name}{label}动态监测.xlsx")


def _xlsx(buffer: BytesIO, filename: str) -> HttpResponse:
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = attachment_header(filename)
    return response


def _filtered_figures(request):
    period = request.GET.get("period", "")
    return selectors.figure_list(
        user=request.user,
        period=period if period in selectors.figure_periods(user=request.user) else "",
        metric=request.GET.get("metric", ""),
        status=request.GET.get("status", ""),
    )


@login_required
def figure_export(request):
    """The figures the list shows, with its filters, every row (not one page)."""
    names = {m.code: m.name for m in selectors.metrics_for(selectors.home_region(request.user))}
    buffer = BytesIO()
    exports.write_figures(buffer, figures=_filtered_figures(request).iterator(), names=names)
    return _xlsx(buffer, "监测数据.xlsx")


@login_required
def figure_list(request):
    figures = _filtered_figures(request)
    metrics = selectors.metrics_for(selectors.home_region(request.user))
    names = {m.code: m.name for m in metrics}
    page = paginate(request, figures)
    for figure in page.object_list:
        figure.metric_name = names.get(figure.metric_code, figure.metric_code)
    return render(
        request,
        "monitoring/figure_list.html",
        {
            "page": page,
            "metrics": metrics,
            "periods": selectors.figure_periods(user=request.user),
            "statuses": FigureStatus.choices,
            "may_report": Scope.for_user(request.user).has_role(*REPORTERS),
            "may_import": Scope.for_user(request.user).has_role(*LEAD),
        },
    )


@require_roles(*REPORTERS)
def figure_report(request):
    home = selectors.home_region(request.user)
    form = FigureForm(
        request.POST or None,
        request.FILES or None,
        metrics=selectors.metrics_for(home),
        reporters=selectors.reporter_choices(user=request.user),
        initial={"period": selectors.default_period(timezone.localdate())},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            region, unit = selectors.reporter_of(user=request.user, value=data["reporter"])
            figure = services.figure_report(
                acting_user=request.user,
                region=region,
                unit=unit,
                metric_code=data["metric"],
                period=data["period"],
                numerator=data["numerator"],
                denominator=data["denominator"],
                note=data["note"],
                files=data["files"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已报送 {figure.reporter_name} {figure.period} 的数据。")
            return redirect("monitoring:figure", pk=figure.pk)
    return render(
        request, "monitoring/figure_form.html", {"form": form, "metrics": form.fields["metric"]}
    )


def _figure(request, pk) -> Figure:
    return get_visible_or_404(
        Figure.objects.select_related("region", "unit", "reported_by", "confirmed_by"),
        request.user,
        pk=pk,
    )


@login_required
def figure_detail(request, pk):
    figure = _figure(request, pk)
    metric = selectors.metric_for(figure.region, figure.metric_code)
    return render(
        request,
        "monitoring/figure_detail.html",
        {
            "figure": figure,
            "metric": metric,
            "rate": selectors.rate_text(figure),
            "revisions": figure.revisions.select_related("changed_by"),
            "files": figure.files.all(),
            "correct_form": CorrectForm(
                initial={"numerator": figure.numerator, "denominator": figure.denominator}
            ),
            "may_confirm": figure.status == FigureStatus.SUBMITTED
            and services.is_lead_office(request.user, figure.region),
            "may_correct": selectors.may_correct(user=request.user, figure=figure),
        },
    )


@require_roles(*LEAD)
@require_POST
def figure_confirm(request, pk):
    figure = _figure(request, pk)
    try:
        services.figure_confirm(acting_user=request.user, figure=figure)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "已确认。")
    return redirect("monitoring:figure", pk=figure.pk)


@require_roles(*REPORTERS)
@require_POST
def figure_correct(request, pk):
    figure = _figure(request, pk)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("monitoring:figure", pk=figure.pk)
    try:
        services.figure_correct(acting_user=request.user, figure=figure, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "已更正，原数据保留在更正记录中。")
    return redirect("monitoring:figure", pk=figure.pk)


@login_required
def file_download(request, pk):
    file = get_visible_or_404(FigureFile.objects.select_related("blob"), request.user, pk=pk)
    return attachment_response(request, file.blob, file.original_name)


# -- import ---------------------------------------------------------------------------------------


@require_roles(*LEAD)
def figures_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = importing.figures_import_preview(
                acting_user=request.user,
                region=selectors.home_region(request.user),
                uploaded_file=form.cleaned_data["file"],
                period=form.cleaned_data["period"] or None,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return redirect("monitoring:import_preview", pk=draft.pk)
    return render(request, "monitoring/import.html", {"form": form})


def _draft(request, pk) -> FigureImport:
    return get_visible_or_404(FigureImport.objects.select_related("region"), request.user, pk=pk)


@require_roles(*LEAD)
def import_preview(request, pk):
    draft = _draft(request, pk)
    rows = draft.result.get("rows", [])
    names = {m.code: m.name for m in selectors.metrics_for(draft.region, active_only=False)}
    shown = rows[:PREVIEW_ROWS]
    for row in shown:
        row["metric_name"] = names.get(row["metric"], row["metric"])
    return render(
        request,
        "monitoring/import_preview.html",
        {
            "draft": draft,
            "rows": shown,
            "total": len(rows),
            "corrections": sum(1 for r in rows if r.get("previous")),
            "problems": draft.result.get("problems", []),
            "warnings": draft.result.get("warnings", []),
        },
    )


@require_roles(*LEAD)
@require_POST
def import_confirm(request, pk):
    draft = _draft(request, pk)
    try:
        stored, corrected = importing.figures_import_commit(acting_user=request.user, draft=draft)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("monitoring:import_preview", pk=draft.pk)
    messages.success(request, f"已导入 {stored} 条监测数据，其中更正 {corrected} 条。")
    return redirect("monitoring:figures")


# -- the registry ---------------------------------------------------------------------------------


@login_required
def metric_list(request):
    home = selectors.home_region(request.user)
    return render(
        request,
        "monitoring/metric_list.html",
        {
            "metrics": selectors.metrics_for(home, active_only=False),
            "region": home,
            "may_edit": Scope.for_user(request.user).has_role(*LEAD),
            "campaigns": selectors.campaigns_to_score(user=request.user)
            if Scope.for_user(request.user).has_role(*LEAD)
            else [],
        },
    )


@require_roles(*LEAD)
def metric_edit(request, code):
    region = selectors.home_region(request.user)
    metric = selectors.metric_for(region, code)
    if metric is None:
        raise Http404(f"指标代码 {code} 不存在。")
    form = MetricForm(request.POST or None, instance=metric)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.METRIC_FIELDS}
        try:
            saved = services.metric_save(
                acting_user=request.user, region=region, code=code, values=values
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已保存{region.name}的“{saved.name}”。")
            return redirect("monitoring:metrics")
    return render(
        request, "monitoring/metric_form.html", {"form": form, "metric": metric, "region": region}
    )


# -- annual reports -------------------------------------------------------------------------------


def _report_year(request) -> int:
    last = timezone.localdate().year - 1
    year = parse_number(request.GET.get("year", ""), least=2000)
    return year if year and year <= 2100 else last


@login_required
def annual_list(request):
    year = _report_year(request)
    reports = selectors.annual_reports(user=request.user, year=year)
    may_register = Scope.for_user(request.user).has_role(*REPORTERS)
    form = (
        AnnualReportForm(
            reporters=selectors.reporter_choices(user=request.user), initial={"year": year}
        )
        if may_register
        else None
    )
    return render(
        request,
        "monitoring/annual_list.html",
        {
            "year": year,
            "page": paginate(request, reports),
            "form": form,
            "deadlines": annual.deadlines(year),
            "may_draft": Scope.for_user(request.user).has_role(*selectors.RANK_ROLES),
            "parts": annual.PARTS,
            "template": annual.template_in_force(selectors.home_region(request.user)),
            "may_template": Scope.for_user(request.user).has_role(*LEAD),
        },
    )


@require_roles(*REPORTERS)
@require_POST
def annual_save(request):
    form = AnnualReportForm(request.POST, reporters=selectors.reporter_choices(user=request.user))
    if not form.is_valid():
        messages.error(
            request,
            "；".join(
                f"{form.fields[f].label}：{e}" if f in form.fields else e
                for f, errors in form.errors.items()
                for e in errors
            ),
        )
        return redirect("monitoring:annual")
    data = form.cleaned_data
    try:
        region, unit = selectors.reporter_of(user=request.user, value=data.pop("reporter"))
        report = services.annual_report_save(
            acting_user=request.user, region=region, unit=unit, **data
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("monitoring:annual")
    messages.success(request, f"已登记{report}。")
    return redirect(f"{reverse('monitoring:annual')}?year={report.year}")


@require_roles(*selectors.RANK_ROLES)
def annual_draft(request):
    region = selectors.home_region(request.user)
    year = _report_year(request)
    buffer = BytesIO()
    annual.render_annual_report(region=region, year=year, out=buffer, today=timezone.localdate())
    response = HttpResponse(buffer.getvalue(), content_type=DOCX)
    response["Content-Disposition"] = attachment_header(
        f"{region.name}{year}年度法治政府建设情况报告（初稿）.docx"
    )
    return response


# -- bindings and automatic scores ----------------------------------------------------------------


def _owned_campaign(request, pk):
    from fazhi.campaigns.models import Campaign

    campaign = get_visible_or_404(Campaign.objects.select_related("region"), request.user, pk=pk)
    if not services.is_lead_office(request.user, campaign.region):
        raise PermissionDenied("只有本地区的牵头科室可以设置自动评分。")
    return campaign


@require_roles(*LEAD)
def auto_score(request, pk):
    """The campaign's indicators evaluated by 监测数据: bind each to metrics, see its score."""
    campaign = _owned_campaign(request, pk)
    if request.method == "POST":
        items = {m.item.node_id: m.item for m in selectors.monitored_items(campaign=campaign)}
        node_id = parse_number(request.POST.get("node", ""), least=1)
        item = items.get(node_id)
        if item is None:
            messages.error(request, "请选择本活动中评估方式含“监测数据”的指标。")
        else:
            try:
                services.binding_save(
                    acting_user=request.user,
                    region=campaign.region,
                    node=item.node,
                    metric_codes=request.POST.getlist("metrics"),
                )
            except ValidationError as exc:
                messages.error(request, f"{item.code}：{error_text(exc)}")
            else:
                messages.success(request, f"已为 {item.code} 绑定监测指标。")
        return redirect("monitoring:auto_score", pk=campaign.pk)
    return render(
        request,
        "monitoring/auto_score.html",
        {
            "campaign": campaign,
            "rows": selectors.monitored_items(campaign=campaign),
            "metrics": selectors.metrics_for(campaign.region),
        },
    )


@require_roles(*LEAD)
@require_POST
def auto_score_apply(request, pk):
    campaign = _owned_campaign(request, pk)
    try:
        scores = services.bound_scores_apply(acting_user=request.user, campaign=campaign)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"已按监测数据为 {len(scores)} 项指标写入自评得分（自动评分）。")
    return redirect("monitoring:auto_score", pk=campaign.pk)


@require_roles(*LEAD)
@require_POST
def annual_template_upload(request):
    form = TemplateForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择模板文件（.docx）。")
        return redirect("monitoring:annual")
    try:
        annual.template_upload(
            acting_user=request.user,
            region=selectors.home_region(request.user),
            uploaded_file=form.cleaned_data["file"],
            today=timezone.localdate(),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "已更换年度报告模板，下辖地区同样使用。")
    return redirect("monitoring:annual")


@require_roles(*selectors.RANK_ROLES)
def annual_template_download(request):
    """The template in force (the region's, one above it, or the built-in one), to edit."""
    region = selectors.home_region(request.user)
    response = HttpResponse(annual.template_content(region), content_type=DOCX)
    response["Content-Disposition"] = attachment_header("法治政府建设年度报告模板.docx")
    return response
