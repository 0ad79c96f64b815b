from django.db.models import Case, OuterRef, Prefetch, QuerySet, Subquery, When

from fazhi.campaigns.models import Campaign
from fazhi.core.scoping import Scope
from fazhi.filing.models import BuildStatus, FileKind, FilingBuild, FilingFile

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
