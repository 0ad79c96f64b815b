"""Reads for materials: an item's materials, search, and the checks users need before filing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from fazhi.campaigns.models import Campaign, Item
from fazhi.core.listing import QueryFilters
from fazhi.core.scoping import Scope
from fazhi.evidence import search
from fazhi.evidence.extraction.result import UNBINDABLE_PREFIX
from fazhi.evidence.models import Evidence, EvidenceVersion, ExtractStatus

UNREADABLE = (ExtractStatus.EMPTY, ExtractStatus.FAILED)


def _with_file(evidence: QuerySet[Evidence]) -> QuerySet[Evidence]:
    return evidence.select_related("current__blob", "unit", "item")


def item_evidence(*, item: Item, user, deleted: bool = False) -> QuerySet[Evidence]:
    evidence = Evidence.objects.visible_to(user).filter(item=item)
    evidence = evidence.deleted() if deleted else evidence.alive()
    return _with_file(evidence).order_by("created_at", "pk")


def campaign_evidence(*, campaign: Campaign, user) -> QuerySet[Evidence]:
    """The campaign's live materials the user may see; those of items withdrawn by a revised
    edition are read on the withdrawn items' page, not found here."""
    evidence = Evidence.objects.visible_to(user).alive().filter(item__campaign=campaign)
    return _with_file(evidence.filter(item__archived_at__isnull=True))


def own_evidence_counts(*, items, unit_id: int) -> dict[int, int]:
    """How many live materials the unit has on each of these items (one page of a task list), in
    one query over those items alone: counted with the list's own query, every item the unit was
    ever given was grouped and counted before the page was cut (33 ms at province scale)."""
    rows = (
        Evidence.objects.alive()
        .filter(item__in=[item.pk for item in items], unit_id=unit_id)
        .values("item_id")
        .annotate(n=Count("pk"))
    )
    return {row["item_id"]: row["n"] for row in rows}


def visible_evidence_counts(*, items: list[Item], user) -> dict[int, int]:
    """How many live materials `user` may see on each of these items, a refined item's counting
    for the items above it, in one query. `Item.evidence_count` counts every unit's materials;
    a liaison sees only their own unit's, and must not learn how many the others have."""
    if not items:
        return {}
    rows = (
        Evidence.objects.visible_to(user)
        .alive()
        .filter(item__campaign_id__in={item.campaign_id for item in items})
        .values("item__campaign_id", "item__sort_key")
        .annotate(n=Count("pk"))
    )
    under: dict[tuple[int, str], int] = {}
    for row in rows:
        # A refined item's sort key extends its parent's ("0001.0002.0003.0001"): every prefix
        # is an item above it (or a framework node, which no item has as its own key).
        parts = row["item__sort_key"].split(".")
        for depth in range(1, len(parts) + 1):
            key = (row["item__campaign_id"], ".".join(parts[:depth]))
            under[key] = under.get(key, 0) + row["n"]
    return {item.pk: under.get((item.campaign_id, item.sort_key), 0) for item in items}


def evidence_versions(*, evidence: Evidence) -> QuerySet[EvidenceVersion]:
    return evidence.versions.select_related("blob", "uploaded_by").order_by("-number")


@dataclass(frozen=True)
class Hit:
    evidence: Evidence
    snippet: str

    @property
    def recognised(self) -> bool:
        """The text the snippet comes from was recognised by OCR from a scan or photo."""
        current = self.evidence.current
        return bool(current and current.blob.ocr_pages)


def search_evidence(*, campaign: Campaign, user, query: str) -> QuerySet[Evidence]:
    """Materials the user may see whose title, number, description or text contain the query's
    words; titles containing the whole query first."""
    query = query.strip()
    if not query:
        return Evidence.objects.none()
    ids = search.matching_ids(query, campaign_id=campaign.pk)
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


# -- the ledger (材料台账) ----------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    """The ledger page's filters, read from its query string. The page and its Excel export
    parse them here, so that the table on screen and the downloaded file hold the same rows."""

    unit_id: int | None = None
    area: str = ""  # an area key (一级指标), see campaigns.selectors.area_key
    kind: str = ""
    extract_status: str = ""
    query: str = ""
    uploaded_from: date | None = None
    uploaded_to: date | None = None
    include_deleted: bool = False
    # What the query string held that could not be used (an odd unit id, a mistyped date, an
    # overlong search), for the page to say: see core.listing.QueryFilters.
    notes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_params(cls, params) -> LedgerFilters:
        read = QueryFilters(params)
        return cls(
            unit_id=read.id("unit", "单位"),
            area=read.text("area"),
            kind=read.text("kind"),
            extract_status=read.text("extract"),
            query=read.search("q"),
            uploaded_from=read.date("from", "上传日期从"),
            uploaded_to=read.date("to", "上传日期到"),
            include_deleted=read.flag("deleted"),
            notes=tuple(read.notes),
        )

    @property
    def active(self) -> bool:
        return any(
            (
                self.unit_id,
                self.area,
                self.kind,
                self.extract_status,
                self.query,
                self.uploaded_from,
                self.uploaded_to,
                self.include_deleted,
            )
        )


def may_see_deleted(user) -> bool:
    """Deleted materials are listed for those who may restore them: the roles that write
    materials (each still only within what they may edit)."""
    return Scope.for_user(user).has_role(*Evidence.scope_policy.write_roles)


def evidence_ledger(*, campaign: Campaign, user, filters: LedgerFilters) -> QuerySet[Evidence]:
    """Every material of the campaign the user may see, filtered, in the framework's order,
    with its item, unit, current file, uploader and number of versions loaded in the same
    query. Deleted materials are added on request, and only those the user may edit; withdrawn
    items' materials are not listed (their own page keeps them)."""
    # Every material has its current file from the transaction that stored it; said here so
    # that the ledger's count (which joins no file) and its lines (which do) agree.
    evidence = Evidence.objects.visible_to(user).filter(
        item__campaign=campaign, item__archived_at__isnull=True, current__isnull=False
    )
    if filters.include_deleted:
        restorable = Evidence.objects.editable_by(user).deleted().values("pk")
        evidence = evidence.filter(Q(deleted_at__isnull=True) | Q(pk__in=restorable))
    else:
        evidence = evidence.alive()
    if filters.unit_id:
        evidence = evidence.filter(unit_id=filters.unit_id)
    if filters.area:
        evidence = evidence.filter(
            Q(item__sort_key=filters.area) | Q(item__sort_key__startswith=f"{filters.area}.")
        )
    if filters.kind:
        evidence = evidence.filter(kind=filters.kind)
    if filters.extract_status:
        evidence = evidence.filter(current__blob__extract_status=filters.extract_status)
    if filters.query:
        evidence = evidence.filter(
            Q(title__icontains=filters.query) | Q(doc_number__icontains=filters.query)
        )
    if filters.uploaded_from:
        start = timezone.make_aware(datetime.combine(filters.uploaded_from, time.min))
        evidence = evidence.filter(created_at__gte=start)
    if filters.uploaded_to:
        end = timezone.make_aware(datetime.combine(filters.uploaded_to, time.max))
        evidence = evidence.filter(created_at__lte=end)
    # The extracted text is not shown and can be long: it stays in the database.
    evidence = evidence.select_related("item", "unit", "current__blob", "uploaded_by")
    return _with_version_count(evidence.defer("current__blob__text")).order_by(
        "item__sort_key", "created_at", "pk"
    )


def _with_version_count(evidence: QuerySet[Evidence]) -> QuerySet[Evidence]:
    """Each material's number of versions, by a subquery rather than a join with GROUP BY:
    grouping by every selected column made the database sort all the campaign's rows before
    taking one page."""
    versions = (
        EvidenceVersion.objects.filter(evidence=OuterRef("pk"))
        .order_by()
        .values("evidence")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return evidence.annotate(version_count=Coalesce(Subquery(versions), 0))


LEDGER_LINE_VALUES = (
    "pk",
    "title",
    "doc_number",
    "issued_on",
    "deleted_at",
    "created_at",
    "version_count",
    "item__code",
    "item__title",
    "unit__short_name",
    "unit__name",
    "current__original_name",
    "kind",
    "current__blob__size",
    "current__blob__page_count",
    "current__blob__extract_status",
    "current__blob__ocr_pages",
    "uploaded_by__display_name",
    "uploaded_by__username",
)


def ledger_ids(evidence: QuerySet[Evidence]) -> QuerySet:
    """`evidence_ledger`'s materials in its order, as ids: the page is cut from these, and only
    its lines are then joined with their files, units and uploaders (`ledger_lines`). Joined
    first, every material of the campaign was joined and sorted to show 50 (PostgreSQL: 16 ms
    for 3,000 materials)."""
    return evidence.values_list("pk", flat=True)


def ledger_lines(ids: list[int]) -> list[dict]:
    """The ledger lines of these materials, in this order, as the plain values the page shows
    (dicts keyed as LEDGER_LINE_VALUES): a page of 50 materials built 250 model instances with
    their items, units, versions, files and uploaders. The ids come from `ledger_ids`, which
    applied the reader's scope."""
    evidence = Evidence.objects.filter(pk__in=ids)
    values = _with_version_count(evidence).values(*LEDGER_LINE_VALUES)
    lines = {line["pk"]: line for line in values}
    return [lines[pk] for pk in ids if pk in lines]


def ledger_kinds(*, campaign: Campaign, user) -> list[str]:
    """The file types among the campaign's materials the user may see, for the type filter."""
    return list(
        Evidence.objects.visible_to(user)
        .filter(item__campaign=campaign)
        .exclude(kind="")
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )


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


def unbindable(*, campaign: Campaign, user) -> list[tuple[Evidence, str]]:
    """PDFs the bound volumes will show by a placeholder page: those that do not open, and those
    whose page tree text extraction found broken (a page a PDF writer refuses to copy). Decided
    when the text is read, once per content, so this page opens no file; warnings are rare, so
    the few rows that have any are sorted out here. Each comes with the reason."""
    rows = (
        campaign_evidence(campaign=campaign, user=user)
        .filter(current__blob__kind="pdf")
        .filter(
            Q(current__blob__extract_status=ExtractStatus.FAILED)
            | ~Q(current__blob__extract_warnings=[])
        )
        .order_by("item__sort_key", "pk")
    )
    found = [(row, _unbindable_reason(row.current.blob)) for row in rows]
    return [(row, reason) for row, reason in found if reason]


def _unbindable_reason(blob) -> str:
    if blob.extract_status == ExtractStatus.FAILED:
        return blob.extract_error or "PDF 文件无法打开"
    return next((w for w in blob.extract_warnings if w.startswith(UNBINDABLE_PREFIX)), "")


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
