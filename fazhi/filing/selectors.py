from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.core import taskrecovery
from fazhi.core.scoping import Scope
from fazhi.evidence.models import Evidence
from fazhi.filing.models import BuildStatus, FileKind, FilingBuild, FilingFile, FilingSubmission

# Who reads filings: the lead office and the region's reviewers and leaders, and the experts a
# campaign was granted to (the province's evaluators read the filing). Liaisons do not: the
# filing holds every unit's materials.
FILING_READERS = ("admin", "lead_admin", "reviewer", "leader", "inspector", "expert")


def may_read_filings(user) -> bool:
    return Scope.for_user(user).has_role(*FILING_READERS)


def filing_campaigns(*, user, query: str = "") -> QuerySet[Campaign]:
    """The campaigns the user may see, each with the status and time of its latest build."""
    latest = FilingBuild.objects.visible_to(user).filter(campaign=OuterRef("pk"))
    campaigns = (
        Campaign.objects.visible_to(user)
        .select_related("region")
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_built=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("-created_at", "-pk")
    )
    if query:
        campaigns = campaigns.filter(name__icontains=query)
    return campaigns


def campaign_builds(*, campaign: Campaign, user) -> QuerySet[FilingBuild]:
    return (
        FilingBuild.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("requested_by")
        .prefetch_related(Prefetch("files", queryset=files_in_reading_order()))
    )


def files_in_reading_order() -> QuerySet[FilingFile]:
    """The package first, then the volumes by number, then the report."""
    place = Case(When(kind=FileKind.PACKAGE, then=0), When(kind=FileKind.VOLUME, then=1), default=2)
    return FilingFile.objects.order_by(place, "number")


def latest_ready(builds: QuerySet[FilingBuild]) -> FilingBuild | None:
    return builds.filter(status=BuildStatus.READY).first()


def downloadable_file(*, user, pk: int) -> QuerySet[FilingFile]:
    return FilingFile.objects.visible_to(user).filter(pk=pk, build__status=BuildStatus.READY)


def build_interruption(build: FilingBuild, *, now: datetime | None = None) -> str:
    """Why an active build will not finish by itself, or "" while it still may: its worker's
    lease has expired (the worker died), or its task ended without finishing it. A build run
    outside the database queue has no task to ask; only a long silence tells about it."""
    if not build.is_active:
        return ""
    now = now or timezone.now()
    from fazhi.filing.tasks import run_filing_build  # the tasks module imports the services

    task = taskrecovery.latest_task_row(run_filing_build, build.pk)
    if task is None:
        last_sign = build.heartbeat_at or build.created_at
        silent = last_sign < now - timedelta(minutes=settings.FAZHI_FILING_STALE_MINUTES)
        return "长时间没有进展" if silent else ""
    if task.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
        return "后台任务已结束而生成未完成"
    if taskrecovery.is_abandoned(task, alive=taskrecovery.live_workers(now), now=now):
        return "执行它的后台任务进程已停止"
    return ""


# -- the 申报清单 ---------------------------------------------------------------------------------


@dataclass
class IndicatorChoice:
    """One item's line on the 申报清单: its materials and how many are in, out or undecided,
    and the pages going in."""

    item: Item
    total: int = 0
    included: int = 0
    excluded: int = 0
    undecided: int = 0
    pages: int = 0


def choice_overview(*, campaign: Campaign, user, query: str = "", pending: bool = False):
    """Every item that takes materials (no refined children, or materials of its own), in
    framework order, with its counts; `pending`: only those with undecided materials. Two
    queries, whatever the number of materials."""
    items = campaign.items.visible_to(user).order_by("sort_key").annotate(kids=Count("children"))
    if query:
        items = items.filter(Q(code__icontains=query) | Q(title__icontains=query))
    lines = {item.pk: IndicatorChoice(item) for item in items}
    materials = (
        Evidence.objects.visible_to(user)
        .alive()
        .filter(item__campaign=campaign, current__isnull=False, item_id__in=lines.keys())
        .values_list("item_id", "filing_choice__included", "current__blob__page_count")
    )
    for item_id, decided, pages in materials:
        line = lines[item_id]
        included = decided if decided is not None else line.item.status == ItemStatus.APPROVED
        line.total += 1
        line.included += included
        line.excluded += not included
        line.undecided += decided is None
        line.pages += (pages or 0) if included else 0
    shown = [line for line in lines.values() if not line.item.kids or line.total]
    if pending:
        shown = [line for line in shown if line.undecided]
    return shown


def choice_totals(lines: list[IndicatorChoice]) -> dict[str, int]:
    return {
        key: sum(getattr(line, key) for line in lines)
        for key in ("total", "included", "excluded", "undecided", "pages")
    }


def item_materials(*, item: Item, user):
    """An item's live materials with their decisions, for its 申报清单 page."""
    return (
        Evidence.objects.visible_to(user)
        .alive()
        .filter(item=item, current__isnull=False)
        .select_related("filing_choice", "current__blob", "unit", "filing_choice__decided_by")
    )


# -- submissions ---------------------------------------------------------------------------------


def campaign_submissions(*, campaign: Campaign, user) -> QuerySet[FilingSubmission]:
    return (
        FilingSubmission.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("submitted_by", "reopened_by")
        .order_by("-number")
    )
