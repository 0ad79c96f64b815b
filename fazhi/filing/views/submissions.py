"""Submitting the filing, reopening it with a reason, and reading a submitted version."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.campaigns.models import Campaign
from fazhi.core.actions import perform
from fazhi.core.listing import paginate
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_visible_or_404
from fazhi.filing import selectors, submissions
from fazhi.filing.models import FilingSubmission


def _campaign(request, pk) -> Campaign:
    return get_visible_or_404(Campaign.objects.select_related("region"), request.user, pk=pk)


@require_roles("admin", "lead_admin")
@require_POST
def submit(request, pk):
    campaign = _campaign(request, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, "请勾选“确认提交”：提交后本活动的材料和自评分将只读。")
        return redirect("filing:campaign", pk=campaign.pk)
    perform(
        request,
        lambda: submissions.submission_create(
            acting_user=request.user, campaign=campaign, note=request.POST.get("note", "")
        ),
        success=lambda s: f"已提交申报第{s.number}版（{len(s.manifest)} 份材料）。",
    )
    return redirect("filing:campaign", pk=campaign.pk)


@require_roles("admin", "lead_admin")
@require_POST
def reopen(request, pk):
    campaign = _campaign(request, pk)
    perform(
        request,
        lambda: submissions.submission_reopen(
            acting_user=request.user, campaign=campaign, reason=request.POST.get("reason", "")
        ),
        success=lambda s: (
            f"第{s.number}版已重新打开，材料和自评分可以修改；修改后请重新生成并提交。"
        ),
    )
    return redirect("filing:campaign", pk=campaign.pk)


@require_roles(*selectors.FILING_READERS)
def submission_detail(request, pk):
    submission = get_visible_or_404(
        FilingSubmission.objects.select_related(
            "campaign__region", "submitted_by", "reopened_by", "build"
        ),
        request.user,
        pk=pk,
    )
    files = selectors.files_in_reading_order().filter(build=submission.build)
    return render(
        request,
        "filing/submission.html",
        {
            "submission": submission,
            "campaign": submission.campaign,
            "files": files,
            "changes": submission.changes,
            "change_count": submissions.change_count(submission.changes),
            "page": paginate(request, submission.manifest, per_page=100),
        },
    )
