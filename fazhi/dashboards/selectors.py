"""Reads for the dashboards. A page reads a campaign's leaf items and their lead units once
(`dashboard_facts`: two queries, plus one for the areas) and everything else is grouped in Python
by the pure functions below, so a page runs the same queries whatever the number of items, units
and areas.

Done means approved (已通过) and nothing else: an item that is submitted but not yet reviewed, or
was never reviewed at all, is not done. Overdue means a leaf item past its deadline and not
approved: the one rule of `campaigns.deadlines`, which every page and the reminders follow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from fazhi.campaigns.deadlines import DONE_STATES, days_overdue, overdue_q
from fazhi.campaigns.models import Assignment, AssignmentRole, Campaign, Item, ItemStatus
from fazhi.campaigns.selectors import area_key, campaign_areas
from fazhi.core.scoping import UNIT_ROLES, Scope, is_editable
from fazhi.orgs.models import Unit

(DONE,) = DONE_STATES  # approved: the one state the deadline rule counts as done
OTHER_AREA = ""  # the key of the bucket for items whose area the framework does not list
OTHER_AREA_TITLE = "其他"
NO_LEAD = "（未确定牵头单位）"


def percent(part: int, whole: int) -> int | None:
    """A whole percentage, or None when there is nothing to divide (an empty cell, not 0%)."""
    return round(100 * part / whole) if whole else None


# -- what a page is about --------------------------------------------------------------------


def unit_only(user) -> int | None:
    """The unit a user's dashboards are confined to: a liaison's own unit, when all the user's
    roles reach one unit only. Anyone with a wider role sees the campaign as a whole: None."""
    scope = Scope.for_user(user)
    if scope.is_everything or scope.roles - UNIT_ROLES:
        return None
    return scope.unit_id


def may_manage(*, campaign: Campaign, user) -> bool:
    """Whether the page may point to the pages where the campaign is changed (the lead office);
    a leader's view shows none of them."""
    return is_editable(user, Campaign, campaign.pk)


@dataclass
class Board:
    """A dashboard: a campaign seen by a user, as a whole or through one unit. Panels load their
    data from it; the shared facts are read once, on first use."""

    campaign: Campaign
    user: object
    unit: Unit | None = None

    @property
    def page(self) -> str:
        return "unit" if self.unit is not None else "campaign"

    @cached_property
    def facts(self) -> Facts:
        return dashboard_facts(campaign=self.campaign, user=self.user, unit=self.unit)


# -- the facts every panel groups -------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    pk: int
    name: str
    short_name: str
    order: tuple = field(default=(), compare=False)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Area:
    key: str
    title: str


@dataclass(frozen=True)
class ItemFact:
    pk: int
    code: str
    title: str
    area: str
    status: str
    deadline: date | None
    evidence_count: int
    lead: UnitRef | None
    role: str = ""  # the viewed unit's part in the item (牵头/责任), on a unit's page only

    @property
    def done(self) -> bool:
        return self.status == DONE

    def days_overdue(self, today: date) -> int:
        """Days past the deadline of an overdue item (campaigns.deadlines); 0 for any other."""
        return days_overdue(deadline=self.deadline, status=self.status, today=today)


@dataclass(frozen=True)
class Facts:
    campaign_id: int
    today: date
    areas: tuple[Area, ...]
    items: tuple[ItemFact, ...]
    units: tuple[UnitRef, ...] = ()  # every unit given one of the items, in the org's order
    unit: UnitRef | None = None  # the unit the page is about; None for the whole campaign

    def area_title(self, key: str) -> str:
        return next((a.title for a in self.areas if a.key == key), OTHER_AREA_TITLE)

    @property
    def used_areas(self) -> list[Area]:
        """The framework's areas, then 其他 if some item belongs to none of them."""
        known = {a.key for a in self.areas}
        if any(item.area not in known for item in self.items):
            return [*self.areas, Area(OTHER_AREA, OTHER_AREA_TITLE)]
        return list(self.areas)


def _unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(pk=unit.pk, name=unit.name, short_name=unit.short_name)


def dashboard_facts(*, campaign: Campaign, user, unit: Unit | None = None, today=None) -> Facts:
    """The leaf items of the campaign the user may see (only those given to `unit` when one is
    named), each with its area and lead unit, and the units given any of them: three queries,
    whatever the size."""
    leaves = campaign.items.visible_to(user).filter(children__isnull=True)
    if unit is not None:
        leaves = leaves.filter(pk__in=Assignment.objects.filter(unit=unit).values("item_id"))
    rows = list(
        leaves.order_by("sort_key").values(
            "pk", "code", "title", "sort_key", "status", "deadline", "evidence_count"
        )
    )
    leads, roles, units = {}, {}, {}
    # By the ids already loaded: `item__in=leaves` made PostgreSQL scan the whole province's
    # assignments.
    for a in Assignment.objects.filter(item_id__in=[row["pk"] for row in rows]).values(
        "item_id",
        "role",
        "unit_id",
        "unit__name",
        "unit__short_name",
        "unit__sort_order",
        "unit__region__path",
    ):
        ref = units.setdefault(
            a["unit_id"],
            UnitRef(
                pk=a["unit_id"],
                name=a["unit__name"],
                short_name=a["unit__short_name"],
                order=(a["unit__region__path"], a["unit__sort_order"], a["unit__name"]),
            ),
        )
        if a["role"] == AssignmentRole.LEAD:
            leads[a["item_id"]] = ref
        if unit is not None and a["unit_id"] == unit.pk:
            roles[a["item_id"]] = a["role"]
    areas = tuple(Area(key=node.sort_key, title=node.title) for node in campaign_areas(campaign))
    known = {a.key for a in areas}
    items = tuple(
        ItemFact(
            pk=row["pk"],
            code=row["code"],
            title=row["title"],
            area=key if (key := area_key(row["sort_key"])) in known else OTHER_AREA,
            status=row["status"],
            deadline=row["deadline"],
            evidence_count=row["evidence_count"],
            lead=leads.get(row["pk"]),
            role=roles.get(row["pk"], ""),
        )
        for row in rows
    )
    return Facts(
        campaign_id=campaign.pk,
        today=today or timezone.localdate(),
        areas=areas,
        items=items,
        units=tuple(sorted(units.values(), key=lambda ref: ref.order)),
        unit=_unit_ref(unit) if unit is not None else None,
    )


# -- grouping (pure) --------------------------------------------------------------------------


def status_counts(items) -> dict[str, int]:
    counts = dict.fromkeys(ItemStatus.values, 0)
    for item in items:
        counts[item.status] += 1
    return counts


@dataclass(frozen=True)
class Headline:
    total: int
    approved: int
    submitted: int
    overdue: int
    materials: int

    @property
    def percent(self) -> int:
        return percent(self.approved, self.total) or 0


def headline(facts: Facts) -> Headline:
    counts = status_counts(facts.items)
    return Headline(
        total=len(facts.items),
        approved=counts[DONE],
        submitted=counts[ItemStatus.SUBMITTED],
        overdue=sum(1 for item in facts.items if item.days_overdue(facts.today)),
        materials=sum(item.evidence_count for item in facts.items),
    )


@dataclass(frozen=True)
class Completion:
    """How far a group of items (an area, a unit) has come."""

    counts: dict[str, int]
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def approved(self) -> int:
        return self.counts[DONE]

    @property
    def percent(self) -> int | None:
        return percent(self.approved, self.total)


def _completion(items, today: date) -> Completion:
    return Completion(
        counts=status_counts(items), overdue=sum(1 for i in items if i.days_overdue(today))
    )


def group_by(items, key) -> dict:
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def completion_by_area(facts: Facts) -> list[tuple[Area, Completion]]:
    """Every area of the framework in its order, including those with no item yet."""
    groups = group_by(facts.items, lambda item: item.area)
    return [(area, _completion(groups.get(area.key, []), facts.today)) for area in facts.used_areas]


def lead_units(facts: Facts) -> list[UnitRef | None]:
    """The units leading at least one item, in the org's order; None (no lead unit yet) last."""
    units = {item.lead for item in facts.items}
    named = sorted((u for u in units if u is not None), key=lambda u: u.order)
    return [*named, None] if None in units else named


def completion_by_unit(facts: Facts) -> list[tuple[UnitRef | None, Completion]]:
    """Each lead unit's items, worst first: lowest approved share, then most overdue, then most
    items."""
    groups = group_by(facts.items, lambda item: item.lead)
    rows = [(unit, _completion(groups[unit], facts.today)) for unit in lead_units(facts)]
    return sorted(rows, key=lambda row: (row[1].percent, -row[1].overdue, -row[1].total))


def overdue_items(facts: Facts) -> list[tuple[ItemFact, int]]:
    """Items past their deadline and not approved, longest overdue first."""
    late = [(item, item.days_overdue(facts.today)) for item in facts.items]
    return sorted(
        [(item, days) for item, days in late if days], key=lambda row: (-row[1], row[0].code)
    )


@dataclass(frozen=True)
class HeatMap:
    areas: list[Area]
    rows: list[tuple[UnitRef | None, list[Completion], Completion]]  # unit, per area, all


def heat_map(facts: Facts) -> HeatMap:
    """Lead units × areas: how much of each unit's work in each area is approved."""
    areas = facts.used_areas
    cells = group_by(facts.items, lambda item: (item.lead, item.area))
    by_unit = group_by(facts.items, lambda item: item.lead)
    return HeatMap(
        areas=areas,
        rows=[
            (
                unit,
                [_completion(cells.get((unit, area.key), []), facts.today) for area in areas],
                _completion(by_unit[unit], facts.today),
            )
            for unit in lead_units(facts)
        ],
    )


# -- the index of dashboards ------------------------------------------------------------------


def board_campaigns(*, user) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user).select_related("region").order_by("-created_at", "-id")


def headlines(*, campaigns, user, today=None) -> dict[int, Headline]:
    """The headline of each campaign, counted over the items the user may see, in one query."""
    today = today or timezone.localdate()
    late = overdue_q(today)
    rows = (
        Item.objects.visible_to(user)
        .filter(campaign__in=[c.pk for c in campaigns], children__isnull=True)
        .values("campaign_id")
        .annotate(
            total=Count("pk"),
            approved=Count("pk", filter=Q(status=DONE)),
            submitted=Count("pk", filter=Q(status=ItemStatus.SUBMITTED)),
            overdue=Count("pk", filter=late),
            materials=Sum("evidence_count"),
        )
        .order_by()
    )
    found = {
        row["campaign_id"]: Headline(
            total=row["total"],
            approved=row["approved"],
            submitted=row["submitted"],
            overdue=row["overdue"],
            materials=row["materials"] or 0,
        )
        for row in rows
    }
    empty = Headline(total=0, approved=0, submitted=0, overdue=0, materials=0)
    return {c.pk: found.get(c.pk, empty) for c in campaigns}
