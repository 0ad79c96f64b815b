"""The demo campaign's filing: 市中区's lead office went through the 申报清单 (left a few
duplicate materials out with a reason, put a summary first), built the package and the report,
and submitted them to the city as version 1 two days ago; yesterday it reopened the filing to add
what round 2 is still bringing in. The volumes are left out of the demo build: binding converts
every Word and Excel file with LibreOffice, far too slow for a demo load."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from fazhi.accounts.models import User
from fazhi.accounts.system import stored_user
from fazhi.campaigns.models import Campaign, ItemStatus
from fazhi.core.demo import Calendar, happening_at
from fazhi.core.tempfiles import temp_dir
from fazhi.filing import choices, submissions
from fazhi.filing.contents import filing_contents, safe_name
from fazhi.filing.models import BuildStatus, FileKind, FilingBuild, FilingSubmission
from fazhi.filing.package import write_package
from fazhi.filing.report import render_report
from fazhi.filing.services import Produced, build_summary, store_produced

LEAD_OFFICE = "szq_admin"
LEFT_OUT = "与同一指标下的另一份材料重复"
REOPENED = "第二轮筛查尚未结束，补充退回整改后的材料再行提交"


def load_demo_filing(campaign: Campaign, cal: Calendar | None = None) -> FilingSubmission | None:
    """Choose, build and submit the demo filing once; a later run leaves it as it is."""
    cal = cal or Calendar.from_clock()
    existing = campaign.filing_submissions.order_by("-number").first()
    if existing is not None:
        return existing
    lead = User.objects.get(username=LEAD_OFFICE)
    with happening_at(cal.moment(-3, 15)):
        _choose(campaign, lead)
    with happening_at(cal.moment(-2, 9)):
        _build(campaign, lead)
    with happening_at(cal.moment(-2, 16)):
        submissions.submission_create(
            acting_user=lead, campaign=campaign, note="报送市依法治市办预审的第一版"
        )
    with happening_at(cal.moment(-1, 10)):
        return submissions.submission_reopen(acting_user=lead, campaign=campaign, reason=REOPENED)


def submit_as_built(campaign: Campaign, acting_user, *, note: str) -> FilingSubmission:
    """Build the filing by default choice (no volumes) and submit it at once: the demo's other
    campaigns, whose filing the written review reads."""
    _build(campaign, acting_user)
    return submissions.submission_create(acting_user=acting_user, campaign=campaign, note=note)


def _choose(campaign: Campaign, lead) -> None:
    """On the first three approved items with several materials: the last one out, and the
    one before it moved to the top."""
    items = (
        campaign.items.filter(status=ItemStatus.APPROVED, evidence_count__gte=3)
        .select_related("campaign__region")
        .order_by("sort_key")[:3]
    )
    for item in items:
        ordered = choices.in_filing_order(
            item.evidence.alive().filter(current__isnull=False).select_related("filing_choice")
        )
        choices.choice_decide(
            acting_user=lead,
            item=item,
            evidence_ids=[ordered[-1].pk],
            decision=choices.EXCLUDE,
            reason=LEFT_OUT,
        )
        choices.choice_renumber(acting_user=lead, item=item, places={ordered[-2].pk: 1})


def _build(campaign: Campaign, lead) -> FilingBuild:
    build = FilingBuild.objects.create(
        campaign=campaign,
        status=BuildStatus.RUNNING,
        requested_by=stored_user(lead),
        started_at=timezone.now(),
    )
    indicators = filing_contents(campaign=campaign)
    base = safe_name(campaign.name, 60)
    with temp_dir("filing-demo-") as work:
        package, report = Path(work) / f"{base}-材料包.zip", Path(work) / f"{base}-自评报告.docx"
        write_package(package, indicators=indicators)
        with report.open("wb") as out:
            render_report(campaign=campaign, out=out)
        files = [
            store_produced(build, Produced(FileKind.PACKAGE, 0, package)),
            store_produced(build, Produced(FileKind.REPORT, 0, report)),
        ]
    for file in files:
        file.save()
    build.status, build.finished_at, build.stage = BuildStatus.READY, timezone.now(), "完成"
    build.summary = {**build_summary(files, []), "manifest": submissions.manifest_of(indicators)}
    build.save()
    return build
