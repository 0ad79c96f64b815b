"""Reads for campaign pages, the liaison's task list, exports and the API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fazhi.campaigns.deadlines import deadline_state, due_soon_q, overdue_q
from fazhi.campaigns.models import Assignment, AssignmentRole, Campaign, Item, ItemStatus
from fazhi.core.listing import QueryFilters, parse_id
from fazhi.core.scoping import Scope, get_visible_or_404
from fazhi.frameworks.models import Node
from fazhi.orgs.models import Unit


def campaign_list(*, user, query: str = "") -> QuerySet[Campaign]:
    campaigns = Campaign.objects.visible_to(user).select_related("region", "framework")
    if query:
        campaigns = campaigns.filter(Q(name__icontains=query) | Q(region__name__icontains=query))
    leaves = Count("items", filter=Q(items__children__isnull=True, items__archived_at__isnull=True))
    return campaigns.annotate(item_count=leaves).order_by("-created_at", "-id")


def campaign_by_ref(*, user, ref: str) -> Campaign:
    """A campaign by id, for the command line and the API."""
    pk = parse_id(ref)
    if pk is None:
        raise Http404(f"创建活动编号应为数字：{ref}")
    return get_visible_or_404(Campaign, user, pk=pk)


def assignments_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("unit").order_by(
            "role", "unit__sort_order", "unit__name"
        ),
    )


@dataclass(frozen=True)
class ItemFilters:
    """The campaign page's filters, read from its query string (状态, 单位, 编码或内容, 单位待确认).
    The page and its task list and responsibility list exports parse them here, so that the
    table on screen and the downloaded file always hold the same items."""

    status: str = ""
    unit_id: int | None = None
    query: str = ""
    unresolved: bool = False
    # What the query string held that could not be used (an odd unit id, an overlong search),
    # for the page to say: see core.listing.QueryFilters.
    notes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_params(cls, params) -> ItemFilters:
        read = QueryFilters(params)
        return cls(
            status=read.text("status"),
            unit_id=read.id("unit", "单位"),
            query=read.search("q"),
            unresolved=read.flag("unresolved"),
            notes=tuple(read.notes),
        )

    @property
    def active(self) -> bool:
        return bool(self.status or self.unit_id or self.query or self.unresolved)

    def as_kwargs(self) -> dict:
        kwargs = asdict(self)
        del kwargs["notes"]
        return kwargs


def campaign_items(**filters) -> QuerySet[Item]:
    """`filtered_items` with each item's indicator chain, parent and units loaded (exports and
    the API)."""
    return (
        filtered_items(**filters)
        .select_related("node__parent__parent", "parent")
        .prefetch_related(assignments_prefetch())
    )


def filtered_items(
    *,
    campaign: Campaign,
    user,
    status: str = "",
    unit_id: int | None = None,
    query: str = "",
    leaves_only: bool = False,
    unresolved: bool = False,
) -> QuerySet[Item]:
    """The campaign's items the user may see that pass the page's filters, in the tree's order."""
    items = campaign.items.visible_to(user)
    if unresolved:
        items = items.exclude(unresolved_units=[])
    if status:
        items = items.filter(status=status)
    if unit_id:
        items = items.filter(pk__in=Assignment.objects.filter(unit_id=unit_id).values("item_id"))
    if query:
        items = items.filter(Q(code__startswith=query) | Q(title__icontains=query))
    if leaves_only:
        items = items.filter(children__isnull=True)
    return items


@dataclass(slots=True)
class ItemLine:
    """An item as a line of the campaign's table shows it: plain values, no model instances (a
    page of 50 items built ~650 of them, with their indicators and units)."""

    pk: int
    campaign_id: int
    sort_key: str
    code: str
    title: str
    points: object
    status: str
    deadline: date | None
    is_refined: bool
    unresolved_units: list
    recheck_note: str
    evidence_count: int  # every unit's live materials (what the campaign's editors see)
    area: str  # the indicator's 一级指标 title
    group: str  # and its 二级指标 title ("" in a two-level framework)
    lead: str = ""
    responsible: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return ItemStatus(self.status).label


LINE_VALUES = (
    "pk",
    "campaign_id",
    "sort_key",
    "code",
    "title",
    "points",
    "status",
    "deadline",
    "is_refined",
    "unresolved_units",
    "recheck_note",
    "evidence_count",
    "node__parent__title",
    "node__parent__parent__title",
)


def item_line_values(items: QuerySet[Item]) -> QuerySet:
    """`items` as the plain values an ItemLine is made of; paginate this, then `item_lines`."""
    return items.values_list(*LINE_VALUES)


def item_lines(rows) -> list[ItemLine]:
    """Lines of these rows of `item_line_values`, with their units' names (one more query)."""
    lines = []
    for *values, parent, grandparent in rows:
        area, group = (grandparent, parent) if grandparent is not None else (parent or "", "")
        lines.append(ItemLine(*values, area=area, group=group))
    by_pk = {line.pk: line for line in lines}
    assignments = (
        Assignment.objects.filter(item_id__in=by_pk)
        .order_by("role", "unit__sort_order", "unit__name")
        .values_list("item_id", "role", "unit__short_name", "unit__name")
    )
    for item_id, role, short_name, name in assignments:
        line = by_pk[item_id]
        if role == AssignmentRole.LEAD:
            line.lead = line.lead or short_name or name
        elif role == AssignmentRole.RESPONSIBLE:
            line.responsible.append(short_name or name)
    return lines


def status_counts(items: QuerySet[Item]) -> dict[str, int]:
    """How many items that units work on (those without refined items) are in each state."""
    rows = items.filter(children__isnull=True).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(ItemStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def summary_of(counts: dict[str, int]) -> list[dict]:
    """Each state with its count and share of `counts` (the cards and bar of the page)."""
    total = sum(counts.values()) or 1
    return [
        {
            "status": status,
            "label": label,
            "count": counts[status],
            "percent": round(100 * counts[status] / total),
        }
        for status, label in ItemStatus.choices
    ]


def lead_of(item: Item) -> Unit | None:
    """The lead unit from prefetched assignments (no query)."""
    return next((a.unit for a in item.assignments.all() if a.role == AssignmentRole.LEAD), None)


def responsible_of(item: Item) -> list[Unit]:
    return [a.unit for a in item.assignments.all() if a.role == AssignmentRole.RESPONSIBLE]


def assignable_units(*, campaign: Campaign) -> QuerySet[Unit]:
    return Unit.objects.filter(region__path__startswith=campaign.region.path, is_active=True)


def unit_choices(*, campaign: Campaign) -> list[tuple[int, str]]:
    """(id, the name a page shows) of the assignable units, in the tree's order: one query of
    plain values for every unit select of a page."""
    rows = assignable_units(campaign=campaign).values_list("pk", "short_name", "name")
    return [(pk, short or name) for pk, short, name in rows]


def my_tasks(*, user, status: str = "") -> QuerySet[Item]:
    """The items given to the user's unit, in every campaign, soonest deadline first."""
    scope = Scope.for_user(user)
    if not scope.unit_id:
        return Item.objects.none()
    items = (
        Item.objects.filter(assignments__unit_id=scope.unit_id, children__isnull=True)
        .visible_to(user)
        .select_related("campaign", "parent")
        .prefetch_related(assignments_prefetch())
        .order_by(F("deadline").asc(nulls_last=True), "campaign_id", "sort_key")
    )
    if status:
        items = items.filter(status=status)
    return items


def campaign_page_counts(items: QuerySet[Item], *, today: date | None = None) -> dict:
    """What the campaign page counts over all its items, in one query: the leaves in each state,
    the leaves without material that are overdue and due soon (the rule of
    `campaigns.deadlines`), and the items whose units are unresolved or whose score awaits a
    re-check."""
    today = today or timezone.localdate()
    leaf = Q(children__isnull=True)
    no_material = leaf & Q(evidence_count=0)
    counted = {
        f"status:{status}": Count("pk", filter=leaf & Q(status=status), distinct=True)
        for status in ItemStatus.values
    }
    counted |= {
        "overdue": Count("pk", filter=no_material & overdue_q(today), distinct=True),
        "due_soon": Count("pk", filter=no_material & due_soon_q(today), distinct=True),
        "unresolved": Count("pk", filter=~Q(unresolved_units=[]), distinct=True),
        "recheck": Count("pk", filter=~Q(recheck_note=""), distinct=True),
    }
    counts = {key: value or 0 for key, value in items.aggregate(**counted).items()}
    by_status = {status: counts[f"status:{status}"] for status in ItemStatus.values}
    return {
        "summary": summary_of(by_status),
        "no_material": {"overdue": counts["overdue"], "due_soon": counts["due_soon"]},
        "unresolved": counts["unresolved"],
        "recheck": counts["recheck"],
    }


def missing_material(items: QuerySet[Item], *, today: date | None = None) -> QuerySet[Item]:
    """Leaf items with no material yet that are overdue or due soon, the most overdue first:
    the campaign's 材料检查 lists them and its page warns of them."""
    today = today or timezone.localdate()
    return (
        items.filter(children__isnull=True, evidence_count=0)
        .filter(overdue_q(today) | due_soon_q(today))
        .order_by("deadline", "sort_key")
    )


def with_deadline_states(items, *, today: date | None = None) -> list[tuple[Item, str]]:
    """Each item with where it stands against its deadline (DeadlineState or ""): no query."""
    today = today or timezone.localdate()
    return [
        (item, deadline_state(deadline=item.deadline, status=item.status, today=today))
        for item in items
    ]


def area_heading(item: Item) -> tuple[str, str]:
    """The indicator's area and group titles (一级/二级指标), from the select_related chain."""
    parent = item.node.parent
    grandparent = parent.parent if parent else None
    if grandparent is None:  # a two-level framework: the parent is the area
        return (parent.title if parent else "", "")
    return (grandparent.title, parent.title)


def campaign_areas(campaign: Campaign) -> list[Node]:
    """The framework's top-level nodes (一级指标), the areas that totals and charts group by."""
    return list(
        Node.objects.filter(framework_id=campaign.framework_id, parent__isnull=True).order_by(
            "sort_key"
        )
    )


def area_key(sort_key: str) -> str:
    """The area an item or node belongs to, from its sort key: items copy their indicator's
    sort key (refined items extend it), and a sort key starts with its area's own key."""
    return sort_key.split(".", 1)[0]


def material_targets(*, user, region, words: tuple[str, ...]) -> QuerySet[Item]:
    """The task items (leaves) of `region`'s campaigns that the user manages, where another
    app's result (a survey's report, a test's results) may be filed as a material: those whose
    title or required materials speak of one of `words` first, then the newest campaign's."""
    from django.db.models import Case, IntegerField, Value, When

    campaigns = Campaign.objects.editable_by(user).filter(region=region)
    items = Item.objects.filter(campaign__in=campaigns, children__isnull=True)
    speaks = Q(pk__in=[])
    for word in words:
        speaks |= Q(title__contains=word) | Q(required_evidence__contains=word)
    first = Case(When(speaks, then=Value(0)), default=Value(1), output_field=IntegerField())
    ordered = items.annotate(first=first).select_related("campaign")
    return ordered.order_by("first", "-campaign__created_at", "sort_key")
