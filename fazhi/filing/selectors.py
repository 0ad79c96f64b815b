from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from fazhi.campaigns.models import Campaign
from fazhi.core.scoping import Scope
from fazhi.filing.models import BuildStatus, FilingBuild, FilingFile

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
        .prefetch_related(Prefetch("files", queryset=FilingFile.objects.order_by("kind", "number")))
    )


def latest_ready(builds: QuerySet[FilingBuild]) -> FilingBuild | None:
    return builds.filter(status=BuildStatus.READY).first()


def downloadable_file(*, user, pk: int) -> QuerySet[FilingFile]:
    return FilingFile.objects.visible_to(user).filter(pk=pk, build__status=BuildStatus.READY)
