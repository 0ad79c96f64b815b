"""The self-assessment report: a draft from the campaign's data, and the region's template."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.campaigns.models import Campaign
from fazhi.core.actions import error_text, perform
from fazhi.core.downloads import attachment_header
from fazhi.core.forms import add_service_error
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_visible_or_404
from fazhi.filing import report_templates
from fazhi.filing.contents import safe_name
from fazhi.filing.forms_reports import ReportTemplateForm
from fazhi.filing.report import render_report
from fazhi.filing.report_vocabulary import VOCABULARY
from fazhi.reviews.selectors import may_see_score_sheet

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_NAME = "自评报告模板（内置）.docx"
TEMPLATE_ROLES = ("admin", "lead_admin")


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename)
    return response


@login_required
def report_draft(request, pk):
    campaign = get_visible_or_404(
        Campaign.objects.select_related("region", "framework"), request.user, pk=pk
    )
    # The report sums up every unit's scores: for those who may read the whole score sheet.
    if not may_see_score_sheet(request.user):
        raise PermissionDenied("您的角色无权查看整个活动的评分，不能下载自评报告。")
    out = BytesIO()
    try:
        render_report(campaign=campaign, out=out)
    except ValidationError as exc:  # the region's template cannot fill this campaign's data
        messages.error(request, error_text(exc))
        return redirect("filing:campaign", pk=campaign.pk)
    return _docx(out.getvalue(), f"{safe_name(campaign.name, 60)}-自评报告（初稿）.docx")


@require_roles(*TEMPLATE_ROLES)
def report_template(request):
    region = request.user.region
    form = ReportTemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report_templates.report_template_upload(
                acting_user=request.user, region=region, uploaded_file=upload
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已启用“{upload.name}”作为{region}的自评报告模板。")
            return redirect("filing:report_template")
    current = report_templates.template_for(region)
    return render(
        request,
        "filing/report_template.html",
        {
            "region": region,
            "current": current,
            "own": current is not None and current.region_id == region.pk,
            "may_manage": report_templates.may_manage_templates(request.user, region),
            "form": form,
            "vocabulary": vocabulary_rows(),
        },
    )


@require_roles(*TEMPLATE_ROLES)
def report_template_download(request):
    region = request.user.region
    current = report_templates.template_for(region)
    name = current.original_name if current else DEFAULT_NAME
    return _docx(report_templates.template_content(region), name)


@require_roles(*TEMPLATE_ROLES)
def report_template_default(request):
    from fazhi.filing.report_default import default_template_bytes  # python-docx on use

    return _docx(default_template_bytes(), DEFAULT_NAME)


@require_roles(*TEMPLATE_ROLES)
@require_POST
def report_template_reset(request):
    region = request.user.region
    if region is None:
        messages.error(request, "您的账号没有所属地区，无法设置地区的模板。")
    else:
        perform(
            request,
            lambda: report_templates.report_template_reset(acting_user=request.user, region=region),
            success=f"已删除{region}自己的模板，恢复使用上级地区或内置的模板。",
        )
    return redirect("filing:report_template")


def vocabulary_rows() -> list[dict]:
    """The vocabulary as the tags an author types into Word."""
    groups = []
    for term in VOCABULARY:
        prefix = term.loop or term.name
        rows = [(f"{{{{ {prefix}.{f.name} }}}}", f.meaning) for f in term.fields]
        groups.append(
            {
                "name": term.name,
                "meaning": term.meaning,
                "loop": f"{{% for {term.loop} in {term.name} %}}" if term.loop else "",
                "rows": rows or [(f"{{{{ {term.name} }}}}", term.meaning)],
            }
        )
    return groups
