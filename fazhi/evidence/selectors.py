"""Reads for materials: an item's materials, search, and the checks users need before filing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from fazhi.campaigns.models import Campaign, Item
from fazhi.evidence import search
from fazhi.evidence.models import Evidence, EvidenceVersion, ExtractStatus

UNREADABLE = (ExtractStatus.EMPTY, ExtractStatus.FAILED)


def _with_file(evidence: QuerySet[Evidence]) -> QuerySet[Evidence]:
    return evidence.select_related("current__blob", "unit", "item")


def item_evidence(*, item: Item, user, deleted: bool = False) -> QuerySet[Evidence]:
    evidence = Evidence.objects.visible_to(user).filter(item=item)
    evidence = evidence.deleted() if deleted else evidence.alive()
    return _with_file(evidence).order_by("created_at", "pk")


def campaign_evidence(*, campaign: Campaign, user) -> QuerySet[Evidence]:
    return _with_file(Evidence.objects.visible_to(user).alive().filter(item__campaign=campaign))


def evidence_versions(*, evidence: Evidence) -> QuerySet[EvidenceVersion]:
    return evidence.versions.select_related("blob", "uploaded_by").order_by("-number")


@dataclass(frozen=True)
class Hit:
    evidence: Evidence
    snippet: str


def search_evidence(*, campaign: Campaign, user, query: str) -> QuerySet[Evidence]:
    """Materials the user may see whose title, number, description or text contain the query's
    words; titles containing the whole query first."""
    query = query.strip()
    if not query:
        return Evidence.objects.none()
    ids = search.matching_ids(query)
    condition = Q(title__icontains=query) | Q(doc_number__icontains=query)
    if ids is not None:
        condition |= Q(pk__in=ids)
    found = campaign_evidence(campaign=campaign, user=user).filter(condition)
    title_first = Case(
        When(title__icontains=query, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return found.annotate(title_rank=title_first).order_by("title_rank", "item__sort_key", "pk")


def hits(evidence_page, query: str) -> list[Hit]:
    return [
        Hit(e, search.snippet(e.current.blob.text if e.current else "", query) or e.title)
        for e in evidence_page
    ]


# -- checks ----------------------------------------------------------------------------------


def duplicate_groups(*, campaign: Campaign, user) -> list[list[Evidence]]:
    """Materials with identical content, in groups: the same file uploaded twice, often by two
    units or to two items."""
    evidence = campaign_evidence(campaign=campaign, user=user)
    groups: dict[int, list[Evidence]] = {}
    repeated = _repeated_blob_ids(evidence)
    rows = evidence.filter(current__blob_id__in=repeated).order_by("current__blob_id", "pk")
    for row in rows:
        groups.setdefault(row.current.blob_id, []).append(row)
    return list(groups.values())


def out_of_period(*, campaign: Campaign, user) -> QuerySet[Evidence]:
    """Materials dated outside the evaluation period, which evaluators do not count."""
    start, end = campaign.period_start, campaign.period_end
    outside = Q(issued_on__lt=start) | Q(issued_on__gt=end)
    outside |= Q(effective_on__gt=end)
    return (
        campaign_evidence(campaign=campaign, user=user)
        .filter(outside)
        .order_by("item__sort_key", "pk")
    )


def unreadable(*, campaign: Campaign, user) -> QuerySet[Evidence]:
    """Materials whose text could not be read: scans without a text layer, broken files."""
    return (
        campaign_evidence(campaign=campaign, user=user)
        .filter(current__blob__extract_status__in=UNREADABLE)
        .order_by("item__sort_key", "pk")
    )


def is_out_of_period(evidence: Evidence, campaign: Campaign) -> bool:
    issued, effective = evidence.issued_on, evidence.effective_on
    return bool(
        (issued and not campaign.period_start <= issued <= campaign.period_end)
        or (effective and effective > campaign.period_end)
    )


def _repeated_blob_ids(evidence: QuerySet[Evidence]) -> list[int]:
    """The contents that more than one of these materials has, in one grouped query."""
    return list(
        evidence.values("current__blob_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("current__blob_id", flat=True)
    )


def duplicated_among(*, campaign: Campaign, user, blob_ids) -> set[int]:
    """Which of these contents appear more than once among the campaign's materials: for one
    item's page, without loading the campaign's duplicate groups."""
    evidence = campaign_evidence(campaign=campaign, user=user).filter(current__blob_id__in=blob_ids)
    return set(_repeated_blob_ids(evidence))
