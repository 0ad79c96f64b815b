"""Reads for the workbench (工作台): each of the user's roles lands on its own work.

- a liaison (联络员): their unit's tasks, overdue, due soon and returned;
- a reviewer or expert (审核员/评审专家), or anyone seated in an open round: the items waiting
  for their verdict, the same count as 审核任务;
- the lead office (依法治办) and the system administrator: each campaign's progress, items by
  status, overdue and due soon, the current round and what waits in it;
- a leader or an inspector (领导/督察员): the campaigns they watch, with what is overdue;
- an outside evaluator (评审专家 seated on an evaluation) and the office running evaluations:
  the evaluations, with their applicants, that lead to the written review and the ranking.
A leader with no other role lands on the dashboard instead (see `leader_landing`).

Every card counts 任务项 the way the dashboards do: the items units work on (leaf items, refined
items in place of the indicator they refine), and says so beside the number of 指标. Each card
costs a fixed number of queries, whatever the number of campaigns, items and rounds."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from fazhi.accounts.models import User
from fazhi.campaigns.deadlines import due_soon_q, overdue_q, reminder_days
from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.core.scoping import Scope
from fazhi.dashboards.selectors import headlines
from fazhi.fieldwork.selectors import evaluation_list
from fazhi.frameworks.models import Framework
from fazhi.inspections.selectors import workbench_card as inspection_card
from fazhi.orgs.models import Unit
from fazhi.reviews.models import Queue, Round, RoundStatus, queue_q
from fazhi.reviews.selectors import my_rounds

# How many campaigns a card lists; beyond that it links to the full list (a province's lead
# office reaches every campaign of its cities and counties).
CARD_CAMPAIGNS = 10
REVIEW_ROLES = ("reviewer", "expert")
WATCH_ROLES = ("leader", "inspector")


def home_counts(*, user) -> dict:
    return {
        "frameworks": Framework.objects.visible_to(user).count(),
        "units": Unit.objects.visible_to(user).count(),
        "users": User.objects.visible_to(user).count(),
        "campaigns": Campaign.objects.visible_to(user).count(),
    }


# -- the liaison ------------------------------------------------------------------------------


def liaison_card(*, user) -> dict | None:
    """The liaison's unit's tasks (as lead or responsible unit, in every campaign): how many,
    how many overdue, due soon, and returned, by the deadline rule every page uses. None for a
    user who is not a liaison of a unit."""
    scope = Scope.for_user(user)
    if "liaison" not in scope.roles or not scope.unit_id:
        return None
    today = timezone.localdate()
    counts = (
        Item.objects.visible_to(user)
        .filter(assignments__unit_id=scope.unit_id, children__isnull=True)
        .aggregate(
            total=Count("pk", distinct=True),
            overdue=Count("pk", filter=overdue_q(today), distinct=True),
            due_soon=Count("pk", filter=due_soon_q(today), distinct=True),
            returned=Count("pk", filter=Q(status=ItemStatus.RETURNED), distinct=True),
        )
    )
    return {**counts, "due_days": reminder_days()}


# -- the reviewer -----------------------------------------------------------------------------


def reviewer_card(*, user) -> dict | None:
    """The items waiting for the user's verdict in open rounds (within their areas), summed
    over the rounds 审核任务 lists, so the two pages show one number. For reviewers and
    experts, and for anyone else seated in an open round (a lead office's staff member)."""
    scope = Scope.for_user(user)
    is_reviewer = bool(scope.roles & set(REVIEW_ROLES))
    if not is_reviewer and not scope.has_role("lead_admin"):
        return None
    entries = my_rounds(user=user)
    if not is_reviewer and not any(entry["seated"] for entry in entries):
        return None
    return {
        "waiting": sum(entry["waiting"] for entry in entries),
        "rounds": len(entries),
    }


# -- the lead office --------------------------------------------------------------------------


@dataclass
class Progress:
    """How far one campaign has come: its size, its task items by status, what is overdue or
    due soon, and its open round with the items waiting in it."""

    campaign: Campaign
    indicators: int = 0  # one per framework indicator (指标), refined or not
    tasks: int = 0  # the items units work on (任务项): leaves, refined items included
    statuses: list[tuple[str, str, int]] = field(default_factory=list)
    overdue: int = 0
    due_soon: int = 0
    round: object = None
    waiting: int = 0


def campaign_progress(*, user) -> tuple[list[Progress], int]:
    """The campaigns the user may manage, newest first (at most CARD_CAMPAIGNS), each with its
    progress, and how many such campaigns there are. Four queries."""
    scope = Scope.for_user(user)
    if not scope.has_role("lead_admin"):
        return [], 0
    managed = Campaign.objects.editable_by(user)
    total = managed.count()
    campaigns = list(
        managed.select_related("region").order_by("-created_at", "-id")[:CARD_CAMPAIGNS]
    )
    if not campaigns:
        return [], total
    today = timezone.localdate()
    leaf = Q(children__isnull=True)
    per_status = {
        f"s_{status}": Count("pk", filter=leaf & Q(status=status), distinct=True)
        for status in ItemStatus.values
    }
    rows = {
        row["campaign_id"]: row
        for row in Item.objects.visible_to(user)
        .filter(campaign_id__in=[c.pk for c in campaigns])
        .values("campaign_id")
        .annotate(
            indicators=Count("pk", filter=Q(is_refined=False), distinct=True),
            tasks=Count("pk", filter=leaf, distinct=True),
            overdue=Count("pk", filter=leaf & overdue_q(today), distinct=True),
            due_soon=Count("pk", filter=leaf & due_soon_q(today), distinct=True),
            **per_status,
        )
        .order_by()
    }
    rounds = {
        round_.campaign_id: round_
        for round_ in Round.objects.filter(
            campaign__in=campaigns, status=RoundStatus.OPEN
        ).annotate(waiting=Count("reviews", filter=queue_q(Queue.WAITING, prefix="reviews__")))
    }
    progress = []
    for campaign in campaigns:
        row = rows.get(campaign.pk, {})
        round_ = rounds.get(campaign.pk)
        progress.append(
            Progress(
                campaign=campaign,
                indicators=row.get("indicators", 0),
                tasks=row.get("tasks", 0),
                statuses=[
                    (status, label, row.get(f"s_{status}", 0))
                    for status, label in ItemStatus.choices
                ],
                overdue=row.get("overdue", 0),
                due_soon=row.get("due_soon", 0),
                round=round_,
                waiting=round_.waiting if round_ else 0,
            )
        )
    return progress, total


# -- leaders and inspectors -------------------------------------------------------------------


def watched_campaigns(*, user) -> tuple[list[tuple[Campaign, object]], int]:
    """For leaders and inspectors: the campaigns within their reach, newest first (at most
    CARD_CAMPAIGNS), each with its dashboard headline (任务项, 已通过, 已逾期), and how many
    there are. Three queries."""
    if not Scope.for_user(user).roles & set(WATCH_ROLES):  # held, not implied by admin
        return [], 0
    visible = Campaign.objects.visible_to(user)
    total = visible.count()
    campaigns = list(
        visible.select_related("region").order_by("-created_at", "-id")[:CARD_CAMPAIGNS]
    )
    figures = headlines(campaigns=campaigns, user=user)
    return [(campaign, figures[campaign.pk]) for campaign in campaigns], total


# -- evaluations ------------------------------------------------------------------------------


def evaluations_card(*, user) -> tuple[list, int]:
    """The evaluations (省级评估) an evaluator is seated on, or that the lead office or the
    system administrator runs, newest first (at most CARD_CAMPAIGNS) with their number of
    applicants, and how many there are: an evaluator's work is the written review of those
    applicants, which starts there. Two queries."""
    if not Scope.for_user(user).has_role("expert", "lead_admin"):
        return [], 0
    evaluations = evaluation_list(user=user)
    return list(evaluations[:CARD_CAMPAIGNS]), evaluations.count()


def leader_landing(*, user) -> str | None:
    """Where a leader (领导，只读) with no other role lands instead of the workbench: the
    dashboard of their campaign, or the dashboards' index when they see several. None for
    everyone else."""
    scope = Scope.for_user(user)
    if scope.is_everything or scope.roles != {"leader"}:
        return None
    ids = list(Campaign.objects.visible_to(user).values_list("pk", flat=True)[:2])
    if len(ids) == 1:
        return reverse("dashboards:campaign", args=[ids[0]])
    return reverse("dashboards:index")


def workbench(*, user) -> dict:
    """Every card of the user's roles, for the home page."""
    progress, managed = campaign_progress(user=user)
    watched, watchable = watched_campaigns(user=user)
    evaluations, evaluation_total = evaluations_card(user=user)
    return {
        "counts": home_counts(user=user),
        "tasks": liaison_card(user=user),
        "review": reviewer_card(user=user),
        "progress": progress,
        "managed": managed,
        "watched": watched,
        "watchable": watchable,
        "evaluations": evaluations,
        "evaluation_total": evaluation_total,
        "inspection": inspection_card(user=user, today=timezone.localdate()),
        "more": CARD_CAMPAIGNS,
    }
