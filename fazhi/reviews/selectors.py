"""Reads for the round pages, the item page's review panel, the score sheet, the dashboard and
the campaign report. Each runs a fixed number of queries whatever the number of items."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.campaigns.selectors import area_heading, area_key, campaign_areas, status_counts
from fazhi.core.scoping import get_visible_or_404
from fazhi.reviews.models import (
    RETURN_VERDICTS,
    Assessment,
    Comment,
    Review,
    Round,
    RoundReviewer,
    RoundStatus,
    Side,
    Verdict,
)
from fazhi.reviews.scoring import ScoredItem, Totals, total


def _verdict_counts() -> dict:
    return {
        f"n_{verdict}": Count("reviews", filter=Q(reviews__verdict=verdict))
        for verdict in Verdict.values
    }


def campaign_rounds(*, campaign: Campaign, user) -> QuerySet[Round]:
    """Every round of the campaign, newest first, with its counts per verdict."""
    reviewers = Prefetch(
        "reviewers",
        queryset=RoundReviewer.objects.select_related("user").prefetch_related("areas"),
    )
    return (
        campaign.rounds.visible_to(user)
        .annotate(n_items=Count("reviews"), **_verdict_counts())
        .select_related("opened_by", "closed_by")
        .prefetch_related(reviewers)
        .order_by("-number")
    )


def open_round(campaign: Campaign) -> Round | None:
    return campaign.rounds.filter(status=RoundStatus.OPEN).first()


def round_by_pk(*, user, pk: int) -> Round:
    reviewers = Prefetch(
        "reviewers",
        queryset=RoundReviewer.objects.select_related("user").prefetch_related("areas"),
    )
    rounds = Round.objects.select_related("campaign__region", "campaign__framework")
    return get_visible_or_404(rounds.prefetch_related(reviewers), user, pk=pk)


def round_reviews(
    *,
    round_: Round,
    user,
    verdict: str = "",
    area: str = "",
    query: str = "",
    areas_of_user: set[str] | None = None,
) -> list[Review]:
    """The round's items as the user may see them, filtered; `areas_of_user` keeps only the
    areas a reviewer judges (the 只看我的 filter)."""
    reviews = (
        round_.reviews.visible_to(user)
        .select_related("item", "reviewer")
        .order_by("item__sort_key")
    )
    if verdict:
        reviews = reviews.filter(verdict=verdict)
    if query:
        reviews = reviews.filter(Q(item__code__startswith=query) | Q(item__title__icontains=query))
    keep = {area} if area else None
    if areas_of_user is not None:
        keep = areas_of_user if keep is None else keep & areas_of_user
    rows = list(reviews)
    if keep is not None:
        rows = [review for review in rows if area_key(review.item.sort_key) in keep]
    return rows


def verdict_counts(reviews: list[Review]) -> dict[str, int]:
    counts = Counter(review.verdict for review in reviews)
    return {verdict: counts.get(verdict, 0) for verdict in Verdict.values}


def item_review(item: Item) -> Review | None:
    """The item's review in the campaign's open round, if the round covers it."""
    return (
        Review.objects.filter(item=item, round__status=RoundStatus.OPEN)
        .select_related("round__campaign", "reviewer", "item")
        .prefetch_related("round__reviewers__areas")
        .first()
    )


def item_history(*, item: Item, user) -> list[dict]:
    """Every round's verdict and comments on the item, oldest round first: what came back, why,
    on which file, and what the unit answered."""
    comments = Prefetch(
        "comments",
        queryset=Comment.objects.select_related("evidence").order_by("created_at", "id"),
    )
    reviews = (
        Review.objects.visible_to(user)
        .filter(item=item)
        .select_related("round", "reviewer")
        .prefetch_related(comments)
        .order_by("round__number")
    )
    return [{"review": review, "comments": list(review.comments.all())} for review in reviews]


def returns_per_round(campaign: Campaign) -> list[dict]:
    """How many items each round sent back (退回修改 or 补充材料), counted once per item."""
    returned = Count(
        "reviews__item",
        filter=Q(reviews__comments__verdict__in=list(RETURN_VERDICTS)),
        distinct=True,
    )
    rows = (
        campaign.rounds.annotate(items=Count("reviews", distinct=True), returned=returned)
        .order_by("number")
        .values("number", "name", "status", "items", "returned")
    )
    return [{**row, "label": f"第{row['number']}轮 {row['name']}"} for row in rows]


# -- scores ----------------------------------------------------------------------------------


def _scored_items(campaign: Campaign) -> list[ScoredItem]:
    """The indicators (not refined items) that carry points, with every side's score."""
    items = {
        row["pk"]: ScoredItem(
            item_id=row["pk"],
            area=area_key(row["sort_key"]),
            points=row["points"],
            scores={},
            vetoed={},
        )
        for row in campaign.items.filter(is_refined=False, points__isnull=False).values(
            "pk", "sort_key", "points"
        )
    }
    for row in Assessment.objects.filter(item__campaign=campaign).values(
        "item_id", "side", "score", "vetoed"
    ):
        if row["item_id"] in items:
            items[row["item_id"]].scores[row["side"]] = row["score"]
            items[row["item_id"]].vetoed[row["side"]] = row["vetoed"]
    return list(items.values())


def campaign_totals(campaign: Campaign) -> Totals:
    """Per area and overall, each side's total and the estimate, by the framework's rules."""
    framework = campaign.framework
    areas = [
        (area_key(node.sort_key), node.code, node.title, node.points)
        for node in campaign_areas(campaign)
    ]
    return total(
        areas=areas,
        items=_scored_items(campaign),
        aggregation=framework.aggregation,
        veto_effect=framework.veto_effect,
    )


def score_sheet(campaign: Campaign) -> list[dict]:
    """The rows of the 评分表: each indicator with its area and group, points, rules, and each
    side's score and deductions."""
    assessments = Prefetch(
        "assessments",
        queryset=Assessment.objects.prefetch_related("deductions").select_related("assessed_by"),
    )
    items = (
        campaign.items.filter(is_refined=False)
        .select_related("node__parent__parent")
        .prefetch_related(assessments)
        .order_by("sort_key")
    )
    rows = []
    for item in items:
        by_side = {assessment.side: assessment for assessment in item.assessments.all()}
        area, group = area_heading(item)
        rows.append(
            {
                "item": item,
                "area": area,
                "group": group,
                "veto": item.node.veto,
                "sides": {side: by_side.get(side) for side in Side.values},
            }
        )
    return rows


def assessment_of(item: Item, side: str) -> Assessment | None:
    return (
        Assessment.objects.filter(item=item, side=side)
        .select_related("assessed_by")
        .prefetch_related("deductions")
        .first()
    )


# -- the campaign report (dashboard, command line, API) --------------------------------------


def overdue_items(campaign: Campaign, *, today: date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    rows = (
        campaign.items.filter(children__isnull=True, deadline__lt=today)
        .exclude(status=ItemStatus.APPROVED)
        .order_by("deadline", "sort_key")
        .values("code", "title", "deadline", "status")
    )
    return [{**row, "days_overdue": (today - row["deadline"]).days} for row in rows]


def campaign_report(campaign: Campaign, *, today: date | None = None) -> dict:
    """What the dashboard shows, as plain data: per area and overall the points, self and
    reviewed scores, items by status, overdue items, and the current round."""
    totals = campaign_totals(campaign)
    by_area_status = defaultdict(Counter)
    for row in campaign.items.filter(children__isnull=True).values("sort_key", "status"):
        by_area_status[area_key(row["sort_key"])][row["status"]] += 1
    current = open_round(campaign)
    report = totals.as_dict()
    for area, entry in zip(totals.areas, report["areas"], strict=True):
        counts = by_area_status.get(area.key, Counter())
        entry["items_by_status"] = {status: counts.get(status, 0) for status in ItemStatus.values}
    overdue = overdue_items(campaign, today=today)
    return {
        "campaign": {"id": campaign.pk, "name": campaign.name, "region": campaign.region.name},
        "maximum": report["maximum"],
        "scores": report["scores"],
        "vetoed": report["vetoed"],
        "aggregation": report["aggregation"],
        "areas": report["areas"],
        "items_by_status": status_counts(campaign.items.all()),
        "overdue": [{**row, "deadline": row["deadline"].isoformat()} for row in overdue],
        "current_round": _round_summary(current),
        "rounds": returns_per_round(campaign),
    }


def _round_summary(round_: Round | None) -> dict | None:
    if round_ is None:
        return None
    counts = dict(round_.reviews.values_list("verdict").annotate(n=Count("pk")))
    return {
        "number": round_.number,
        "name": round_.name,
        "starts_on": round_.starts_on.isoformat(),
        "ends_on": round_.ends_on.isoformat(),
        "verdicts": {verdict: counts.get(verdict, 0) for verdict in Verdict.values},
    }
