"""Reads for reminders: which facts each liaison should hear about, a user's own notifications,
and what the next digest e-mail of each user would say."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import Truncator

from fazhi.accounts.models import RoleCode, User
from fazhi.campaigns.deadlines import DeadlineState, deadline_state, due_soon_q, overdue_q
from fazhi.campaigns.models import Assignment, Item, ItemStatus
from fazhi.core.listing import QueryFilters, parse_id
from fazhi.plans.models import (
    DIGEST_KINDS,
    Measure,
    MeasureStatus,
    MeasureUnit,
    Notification,
    NotificationKind,
    Plan,
    ProgressReport,
)

# States in which the liaison still has something to do; submitted and approved items wait for
# the reviewers, so a deadline is no longer the unit's worry. Whether an item is overdue or due
# soon is the one rule of `campaigns.deadlines`, as on every page; this only says whom to tell.
ACTIONABLE_STATES = (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.RETURNED)


@dataclass(frozen=True)
class Fact:
    """Something one liaison should be told once: an item of their unit due soon, overdue or
    returned. `key` tells the same fact found again apart from a new one (see Notification)."""

    user: User
    kind: str
    item: Item
    key: str
    due_on: date | None
    text: str


def liaisons() -> QuerySet[User]:
    """The people reminders are for: active liaisons with a unit."""
    return User.objects.filter(
        is_active=True, unit__isnull=False, roles__code=RoleCode.LIAISON
    ).distinct()


def item_label(item: Item) -> str:
    return f"{item.code} {Truncator(item.title).chars(40)}"


def return_moment(item: Item) -> str:
    """A return is one event: the moment the item's status changed to returned."""
    return item.status_changed_at.isoformat() if item.status_changed_at else "-"


def returned_key(item: Item) -> str:
    return f"{NotificationKind.RETURNED}:{item.pk}:{return_moment(item)}"


def reminder_facts(*, today: date, days: int) -> list[Fact]:
    """For each liaison, the leaf items of their unit (as lead or responsible unit) that are due
    within `days` days, overdue, or returned. One query for the liaisons and one for the items,
    however many units there are: the unit filter is the same rule a liaison's scope applies
    (own unit only), done for all liaisons at once instead of one `visible_to` per person."""
    by_unit: dict[int, list[User]] = defaultdict(list)
    for user in liaisons().order_by("pk"):
        by_unit[user.unit_id].append(user)
    if not by_unit:
        return []
    pressed = overdue_q(today, prefix="item__") | due_soon_q(today, days=days, prefix="item__")
    assignments = (
        Assignment.objects.filter(unit_id__in=list(by_unit), item__children__isnull=True)
        .filter(
            Q(item__status=ItemStatus.RETURNED) | (pressed & Q(item__status__in=ACTIONABLE_STATES))
        )
        .select_related("item__campaign")
        .order_by("item__campaign_id", "item__sort_key", "unit_id")
    )
    facts = []
    for assignment in assignments:
        for kind, key, due_on, text in _item_facts(assignment.item, today, days):
            facts.extend(
                Fact(user=user, kind=kind, item=assignment.item, key=key, due_on=due_on, text=text)
                for user in by_unit[assignment.unit_id]
            )
    return facts


def _item_facts(item: Item, today: date, days: int):
    label = item_label(item)
    if item.status == ItemStatus.RETURNED:
        reason = f"：{item.return_reason}" if item.return_reason else ""
        yield NotificationKind.RETURNED, returned_key(item), None, f"「{label}」被退回{reason}"
    deadline = item.deadline
    if item.status not in ACTIONABLE_STATES:
        return
    state = deadline_state(deadline=deadline, status=item.status, today=today, days=days)
    if state == DeadlineState.OVERDUE:
        yield (
            NotificationKind.OVERDUE,
            f"{NotificationKind.OVERDUE}:{item.pk}:{deadline.isoformat()}",
            deadline,
            f"「{label}」已于 {deadline:%Y-%m-%d} 逾期，请尽快上传材料并提交。",
        )
    elif state == DeadlineState.DUE_SOON:
        when = "今天" if deadline == today else f"{deadline:%Y-%m-%d}"
        yield (
            NotificationKind.DUE_SOON,
            f"{NotificationKind.DUE_SOON}:{item.pk}:{deadline.isoformat()}",
            deadline,
            f"「{label}」将于{when}到期，请按时上传材料并提交。",
        )


# -- a user's notifications -----------------------------------------------------------------


def notifications_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (see NotificationQuerySet for why ownership
    is the scope)."""
    notes = Notification.objects.visible_to(user)
    if unread_only:
        notes = notes.unread()
    return notes.select_related("item", "campaign").order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.visible_to(user).unread().count()


# -- digests --------------------------------------------------------------------------------


@dataclass
class Digest:
    """What one user's digest e-mail lists: the notifications not yet e-mailed nor read."""

    user: User
    due_soon: list[Notification] = field(default_factory=list)
    overdue: list[Notification] = field(default_factory=list)
    returned: list[Notification] = field(default_factory=list)

    @property
    def notifications(self) -> list[Notification]:
        return [*self.overdue, *self.returned, *self.due_soon]

    @property
    def count(self) -> int:
        return len(self.notifications)

    def sections(self) -> list[tuple[str, list[Notification]]]:
        return [
            (label, notes)
            for label, notes in [
                ("已逾期", self.overdue),
                ("被退回", self.returned),
                ("临近截止", self.due_soon),
            ]
            if notes
        ]


def pending_digests(*, since: datetime, today: date | None = None) -> list[Digest]:
    """Per user, the reminders created since `since` that no digest has carried yet and the
    user has not read in the app, leaving out those that no longer hold: an item approved or
    submitted since, a deadline moved, a returned item already resubmitted, an item due soon
    that is overdue by `today` (its overdue notice says so). A user who reads their
    notifications in the app gets no e-mail about them."""
    today = today or timezone.localdate()
    still_true = Q(kind=NotificationKind.RETURNED, item__status=ItemStatus.RETURNED) | Q(
        kind__in=[NotificationKind.DUE_SOON, NotificationKind.OVERDUE],
        item__status__in=ACTIONABLE_STATES,
        item__deadline=F("due_on"),
    )
    still_true &= ~Q(kind=NotificationKind.DUE_SOON, item__deadline__lt=today)
    # Notices about a plan measure's report or a finding name no item but a page; the daily run
    # found them true just before the digest, and each fact is notified once, so they go as
    # they are.
    still_true |= Q(item__isnull=True, link__gt="")
    notes = (
        Notification.objects.filter(
            kind__in=DIGEST_KINDS,
            digest__isnull=True,
            read_at__isnull=True,
            created_at__gte=since,
            user__is_active=True,
        )
        .filter(still_true)
        .select_related("user", "item__campaign")
        .order_by(
            "user_id", "item__deadline", "due_on", "item__campaign_id", "item__sort_key", "-id"
        )
    )
    digests: dict[int, Digest] = {}
    seen: set[tuple[int, str, int]] = set()
    for note in notes:
        # A return repeated: the newest only; a notice without an item is its own fact.
        once = (note.user_id, note.kind, note.item_id or note.key)
        if once in seen:
            continue
        seen.add(once)
        digest = digests.setdefault(note.user_id, Digest(user=note.user))
        getattr(digest, note.kind).append(note)
    return list(digests.values())


# -- work plans ------------------------------------------------------------------------------


def plan_by_ref(*, user, ref: str) -> Plan:
    """REF is an id or a name (with the same name in several years or regions, the newest)."""
    plans = Plan.objects.visible_to(user)
    pk = parse_id(ref)
    found = plans.filter(pk=pk).first() if pk is not None else None
    if found is None:
        found = plans.filter(name=str(ref).strip()).order_by("-year", "-id").first()
    if found is None:
        raise Http404(f"找不到工作计划“{ref}”（或您无权查看）。")
    return found


def plan_measures(*, user, plan: Plan) -> QuerySet[Measure]:
    """The plan's measures the user may see, in plan order, with their area and units."""
    return (
        Measure.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("area")
        .prefetch_related(
            Prefetch("units", queryset=MeasureUnit.objects.select_related("unit")),
            # Seeing a measure is being given it or reaching its region: the same people read
            # its reports, so the prefetch needs no scope of its own.
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.select_related("period", "unit").order_by(
                    "-period__starts_on", "-is_summary", "unit__sort_order"
                ),
                to_attr="progress_reports",
            ),
        )
        .order_by("area__position", "position")
    )


def plan_list(*, user, year: int | None = None) -> QuerySet[Plan]:
    plans = Plan.objects.visible_to(user).select_related("region")
    if year:
        plans = plans.filter(year=year)
    return plans.annotate(
        measure_count=Count("measures", distinct=True),
        completed_count=Count(
            "measures", filter=Q(measures__status=MeasureStatus.COMPLETED), distinct=True
        ),
    ).order_by("-year", "region__path", "name")


def measure_overdue_q(today: date) -> Q:
    """A measure is overdue (已逾期) once its deadline has passed and it is not completed; one
    without a date ("每季度", "持续推进") never is."""
    return Q(deadline__lt=today) & ~Q(status=MeasureStatus.COMPLETED)


@dataclass
class LedgerFilters:
    area: int | None = None
    unit: int | None = None
    status: str = ""
    overdue: bool = False
    query: str = ""
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params) -> LedgerFilters:
        read = QueryFilters(params)
        status = read.text("status")
        return cls(
            area=read.id("area", "领域"),
            unit=read.id("unit", "单位"),
            status=status if status in MeasureStatus.values else "",
            overdue=read.flag("overdue"),
            query=read.search("q"),
            notes=read.notes,
        )


def ledger_measures(*, user, plan: Plan, filters: LedgerFilters, today: date) -> QuerySet[Measure]:
    """The 工作台账: the plan's measures the user may see, under the page's filters."""
    measures = plan_measures(user=user, plan=plan)
    if filters.area:
        measures = measures.filter(area_id=filters.area)
    if filters.unit:
        measures = measures.filter(
            pk__in=MeasureUnit.objects.filter(unit_id=filters.unit).values("measure_id")
        )
    if filters.status:
        measures = measures.filter(status=filters.status)
    if filters.overdue:
        measures = measures.filter(measure_overdue_q(today))
    if filters.query:
        measures = measures.filter(
            Q(title__icontains=filters.query)
            | Q(detail__icontains=filters.query)
            | Q(code=filters.query)
        )
    return measures


def ledger_units(*, plan: Plan) -> QuerySet:
    """The units the plan names, for the unit filter."""
    from fazhi.orgs.models import Unit

    named = MeasureUnit.objects.filter(measure__plan=plan, unit__isnull=False).values("unit_id")
    return Unit.objects.filter(pk__in=named).order_by("sort_order", "name")


def ledger_counts(*, user, plan: Plan, today: date) -> dict:
    measures = Measure.objects.visible_to(user).filter(plan=plan)
    # distinct: the unresolved count joins the measure's units.
    counts = measures.aggregate(
        total=Count("pk", distinct=True),
        completed=Count("pk", filter=Q(status=MeasureStatus.COMPLETED), distinct=True),
        behind=Count("pk", filter=Q(status=MeasureStatus.BEHIND), distinct=True),
        overdue=Count("pk", filter=measure_overdue_q(today), distinct=True),
        unresolved=Count(
            "pk", filter=Q(units__unit__isnull=True, units__isnull=False), distinct=True
        ),
    )
    return counts


def region_units(*, region):
    """The active units of a region and the regions below it, for choosing one by hand."""
    from fazhi.orgs.models import Unit

    return Unit.objects.filter(region__path__startswith=region.path, is_active=True).order_by(
        "region__path", "sort_order", "name"
    )


def plan_comments(*, user, plan: Plan) -> QuerySet:
    """The consultation's comments the user may see: the lead office all of them, a unit its
    own unit's."""
    from fazhi.plans.models import PlanComment

    return (
        PlanComment.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("measure", "unit")
        .order_by("measure__area__position", "measure__position", "created_at", "id")
    )


def comment_counts(*, user, plan: Plan) -> dict:
    from fazhi.plans.models import CommentDecision

    comments = plan_comments(user=user, plan=plan).order_by()
    return comments.aggregate(
        total=Count("pk"), pending=Count("pk", filter=Q(decision=CommentDecision.PENDING))
    )


def measure_reports(*, user, measure: Measure) -> QuerySet:
    from fazhi.plans.models import ProgressFile, ProgressReport

    return (
        ProgressReport.objects.visible_to(user)
        .filter(measure=measure)
        .select_related("unit", "period", "submitted_by")
        .prefetch_related(Prefetch("files", queryset=ProgressFile.objects.order_by("id")))
    )


@dataclass
class MyMeasure:
    """A measure of an issued plan given to the user's unit, and the report it owes next."""

    measure: Measure
    is_lead: bool
    period: object | None  # the ReportPeriod the unit reports next (None: all done)
    overdue: bool


def my_measures(*, user, today: date) -> list[MyMeasure]:
    """For a liaison: the measures of issued plans given to their unit, the period each owes a
    report for next (the oldest ended period not reported, else the current one), overdue ones
    first. Plans are few and small (tens of measures), so periods are read per plan once."""
    from fazhi.plans.models import PlanStatus, ProgressReport, ReportPeriod

    if not user.unit_id:
        return []
    rows = (
        MeasureUnit.objects.filter(unit_id=user.unit_id, measure__plan__status=PlanStatus.ISSUED)
        .exclude(measure__status=MeasureStatus.COMPLETED)
        .select_related("measure__plan", "measure__area")
        .order_by("measure__plan_id", "measure__area__position", "measure__position")
    )
    rows = list(rows)
    plan_ids = {row.measure.plan_id for row in rows}
    periods: dict[int, list] = defaultdict(list)
    for period in ReportPeriod.objects.filter(plan_id__in=plan_ids).order_by("starts_on"):
        periods[period.plan_id].append(period)
    reported = set(
        ProgressReport.objects.filter(
            unit_id=user.unit_id, measure__plan_id__in=plan_ids
        ).values_list("measure_id", "period_id")
    )
    mine = []
    for row in rows:
        measure = row.measure
        owed = [
            p
            for p in periods[measure.plan_id]
            if p.starts_on <= today and (measure.pk, p.pk) not in reported
        ]
        period = owed[0] if owed else None
        mine.append(
            MyMeasure(
                measure=measure,
                is_lead=row.role == "lead",
                period=period,
                overdue=bool(period and period.due_on < today),
            )
        )
    return sorted(
        mine,
        key=lambda m: (not m.overdue, m.period is None, m.period.due_on if m.period else date.max),
    )


STATUS_COLOURS = {
    MeasureStatus.COMPLETED: "#2e8b57",
    MeasureStatus.IN_PROGRESS: "#1d4e89",
    MeasureStatus.BEHIND: "#c0392b",
    MeasureStatus.NOT_STARTED: "#b0b8c4",
}


def progress_by(*, user, plan: Plan) -> dict[str, list[tuple[str, dict[str, int]]]]:
    """Measures by status, per area and per unit named on them (the progress chart's data)."""
    measures = Measure.objects.visible_to(user).filter(plan=plan)
    areas = (
        measures.values("area__position", "area__title", "status")
        .annotate(n=Count("pk"))
        .order_by("area__position")
    )
    units = (
        MeasureUnit.objects.filter(measure__in=measures, unit__isnull=False)
        .values("unit__sort_order", "unit__name", "measure__status")
        .annotate(n=Count("measure", distinct=True))
        .order_by("unit__sort_order", "unit__name")
    )
    return {
        "areas": _grouped(areas, "area__title", "status"),
        "units": _grouped(units, "unit__name", "measure__status"),
    }


def _grouped(rows, label: str, status: str) -> list[tuple[str, dict[str, int]]]:
    grouped: dict[str, dict[str, int]] = {}
    for row in rows:
        grouped.setdefault(row[label], dict.fromkeys(MeasureStatus.values, 0))[row[status]] += row[
            "n"
        ]
    return list(grouped.items())


def progress_chart(rows: list[tuple[str, dict[str, int]]]) -> dict:
    """An ECharts option: one horizontal bar per area or unit, stacked by status."""
    labels = [label for label, _ in rows][::-1]  # first at the top
    return {
        "grid": {"left": 8, "right": 16, "top": 28, "bottom": 8, "containLabel": True},
        "legend": {"top": 0},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {
            "type": "category",
            "data": labels,
            "axisLabel": {"width": 160, "overflow": "truncate"},
        },
        "series": [
            {
                "name": MeasureStatus(value).label,
                "type": "bar",
                "stack": "measures",
                "itemStyle": {"color": STATUS_COLOURS[value]},
                "data": [counts[value] for _, counts in rows][::-1],
            }
            for value in (
                MeasureStatus.COMPLETED,
                MeasureStatus.IN_PROGRESS,
                MeasureStatus.BEHIND,
                MeasureStatus.NOT_STARTED,
            )
        ],
    }


def region_campaigns(*, plan: Plan, user):
    """The campaigns of the plan's region and below the user sees, for linking a measure."""
    from fazhi.campaigns.models import Campaign

    return (
        Campaign.objects.visible_to(user)
        .filter(region__path__startswith=plan.region.path)
        .order_by("-created_at")
    )
