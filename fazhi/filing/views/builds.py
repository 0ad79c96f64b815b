"""The filing page: start a build, follow its progress, download its files."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.campaigns.models import Campaign
from fazhi.core.actions import perform
from fazhi.core.listing import paginate, read_search
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import can_write_at, get_visible_or_404
from fazhi.filing import selectors, services
from fazhi.filing.downloads import filing_file_response
from fazhi.filing.forms import BuildForm
from fazhi.filing.models import FilingBuild


@require_roles(*selectors.FILING_READERS)
def filing_index(request):
    query = read_search(request, "q")
    page = paginate(request, selectors.filing_campaigns(user=request.user, query=query))
    return render(request, "filing/index.html", {"page": page, "query": query})


@require_roles(*selectors.FILING_READERS)
def filing_page(request, pk):
    campaign = get_visible_or_404(Campaign.objects.select_related("region"), request.user, pk=pk)
    builds = selectors.campaign_builds(campaign=campaign, user=request.user)
    can_build = can_write_at(request.user, FilingBuild, region=campaign.region)
    active = builds.filter(status__in=["queued", "running"]).first()
    submissions = list(selectors.campaign_submissions(campaign=campaign, user=request.user)[:20])
    return render(
        request,
        "filing/campaign.html",
        {
            "campaign": campaign,
            "active": active,
            # A build whose worker died may be replaced at once: starting one retires it.
            "interrupted": selectors.build_interruption(active) if active else "",
            "ready": selectors.latest_ready(builds),
            "history": paginate(request, builds, per_page=10),
            "form": BuildForm() if can_build else None,
            "submissions": submissions,
            "in_force": submissions[0] if submissions and submissions[0].is_open else None,
            "can_submit": can_build,
        },
    )


@require_roles("admin", "lead_admin")
@require_POST
def build_start(request, pk):
    campaign = get_visible_or_404(Campaign.objects.select_related("region"), request.user, pk=pk)
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("filing:campaign", pk=campaign.pk)
    perform(
        request,
        lambda: services.build_request(
            acting_user=request.user, campaign=campaign, **form.cleaned_data
        ),
        success="已开始生成申报材料，完成后即可下载。",
    )
    return redirect("filing:campaign", pk=campaign.pk)


@require_roles(*selectors.FILING_READERS)
def build_progress(request, pk):
    build = get_visible_or_404(FilingBuild, request.user, pk=pk)
    if request.htmx and not build.is_active:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # finished: the page shows the files or the error
        return response
    return render(request, "filing/_progress.html", {"build": build})


@require_roles(*selectors.FILING_READERS)
def file_download(request, pk):
    return filing_file_response(request, pk)
