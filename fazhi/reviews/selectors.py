"""Reads for the round pages, the item page's review panel, the score sheet, and the totals the
dashboard, the campaign report and the province's ranking use. Each runs a fixed number of
queries whatever the number of items."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects

from fazhi.campaigns import stages
from fazhi.campaigns.models import Campaign, Item
from fazhi.campaigns.selectors import area_heading, area_key
from fazhi.core.scoping import Scope, get_visible_or_404
from fazhi.evidence.models import Evidence
from fazhi.frameworks.models import Node
from fazhi.reviews.models import (
    RETURN_VERDICTS,
    Assessment,
    Comment,
    Queue,
    Review,
    Round,
    RoundReviewer,
    RoundStatus,
    Side,
    Verdict,
    queue_q,
)
from fazhi.reviews.scoring import ScoredItem, Totals, total


def _verdict_counts() -> dict:
    return {
        f"n_{verdict}": Count("reviews", filter=Q(reviews__verdict=verdict))
        for verdict in Verdict.values
    }


def _queue_counts() -> dict:
    """`q_<queue>`: how many of the round's items stand at each place of its queue (Queue)."""
    return {
        f"q_{queue}": Count("reviews", filter=queue_q(queue, prefix="reviews__"))
        for queue in Queue.values
    }


def _reviewers() -> Prefetch:
    """A round's reviewers with their accounts and areas, for the pages that list them."""
    return Prefetch(
        "reviewers",
        queryset=RoundReviewer.objects.select_related("user").prefetch_related("areas"),
    )


def campaign_rounds(*, campaign: Campaign, user) -> QuerySet[Round]:
    """Every round of the campaign, newest first, with its counts per verdict (`n_<verdict>`)
    and per place in its queue (`q_<queue>`: only submitted items wait for review)."""
    return (
        campaign.rounds.visible_to(user)
        .annotate(n_items=Count("reviews"), **_verdict_counts(), **_queue_counts())
        .select_related("opened_by", "closed_by")
        .prefetch_related(_reviewers())
        .order_by("-number")
    )


def open_round(campaign: Campaign) -> Round | None:
    return campaign.rounds.filter(status=RoundStatus.OPEN).first()


def round_by_pk(*, user, pk: int) -> Round:
    rounds = Round.objects.select_related("campaign__region", "campaign__framework")
    return get_visible_or_404(rounds.prefetch_related(_reviewers()), user, pk=pk)


def round_reviews(**filters) -> list[Review]:
    """`round_review_query` loaded, with each review's item and reviewer: what the round's
    exports read."""
    return list(round_review_query(**filters).select_related("item", "reviewer"))


def round_review_query(
    *,
    round_: Round,
    user,
    verdict: str = "",
    area: str = "",
    query: str = "",
    areas_of_user: set[str] | None = None,
) -> QuerySet[Review]:
    """The round's items as the user may see them, filtered; `areas_of_user` keeps only the
    areas a reviewer judges (the 只看我的 filter). The round page (counting and paging it in
    the database) and its export (`round_reviews`) both read it. `verdict` is a place in the
    queue (Queue: 待审核 means submitted and waiting), or "pending" for every item without a
    verdict yet."""
    reviews = (
        round_.reviews.visible_to(user)
        .filter(item__archived_at__isnull=True)  # withdrawn by a revised edition
        .order_by("item__sort_key")
    )
    if verdict in Queue.values:
        reviews = reviews.filter(queue_q(verdict))
    elif verdict in Verdict.values:
        reviews = reviews.filter(verdict=verdict)
    if query:
        reviews = reviews.filter(Q(item__code__startswith=query) | Q(item__title__icontains=query))
    keep = {area} if area else None
    if areas_of_user is not None:
        keep = areas_of_user if keep is None else keep & areas_of_user
    if keep is not None:
        reviews = reviews.filter(_in_areas_q(keep))
    return reviews


def _in_areas_q(areas: set[str]) -> Q:
    """Reviews of items under these areas (an item's sort key starts with its area's key)."""
    found = Q(pk__in=[])
    for key in areas:
        found |= Q(item__sort_key=key) | Q(item__sort_key__startswith=f"{key}.")
    return found


def visible_queue_counts(*, round_: Round, user) -> dict[str, int]:
    """How many of the round's items that `user` may see stand at each place of its queue, in
    one query (the round page's cards)."""
    return _queue_counts_of(round_.reviews.visible_to(user).filter(item__archived_at__isnull=True))


def campaign_review_log(*, campaign: Campaign, user) -> list[Review]:
    """Every round's reviews of the campaign that the user may see, oldest round first, each
    with its round loaded (the whole-campaign 审核记录)."""
    return list(
        Review.objects.visible_to(user)
        .filter(round__campaign=campaign)
        .select_related("round", "item", "reviewer")
        .order_by("round__number", "item__sort_key")
    )


def comments_visible_to(user) -> QuerySet[Comment]:
    """A review's history as `user` may read it. A note on a file is scoped like the file it
    points at: a liaison of a unit sharing the item does not read what the reviewer wrote about
    another unit's material (nor its title or file name); the decisions and the units' answers
    stay readable to everyone who sees the review."""
    comments = Comment.objects.all()
    if not Scope.for_user(user).is_everything:
        files = Evidence.objects.visible_to(user).values("pk")
        comments = comments.filter(Q(evidence__isnull=True) | Q(evidence__in=files))
    return comments.order_by("created_at", "id")


def with_comments(reviews: list[Review], *, user) -> list[Review]:
    """Load the comments of all these reviews that `user` may read, with the file each note
    points at, in one query: their history as the item page shows it."""
    comments = comments_visible_to(user).select_related("evidence__current")
    prefetch_related_objects(reviews, Prefetch("comments", queryset=comments))
    return reviews


def round_queue_counts(round_: Round) -> dict[str, int]:
    """How many of the round's items stand at each place of its queue, in one query."""
    return _queue_counts_of(round_.reviews.all())


def _queue_counts_of(reviews: QuerySet[Review]) -> dict[str, int]:
    counts = reviews.aggregate(
        **{queue: Count("pk", filter=queue_q(queue)) for queue in Queue.values}
    )
    return {queue: counts[queue] or 0 for queue in Queue.values}


def item_review(item: Item) -> Review | None:
    """The item's review in the campaign's open round, if the round covers it, with the round's
    seats, which `may_decide` and `may_assess` both look through for the reader's own. Not with
    every seat's areas: only the reader's are read, and only if the reader has a seat."""
    return (
        Review.objects.filter(item=item, round__status=RoundStatus.OPEN)
        .select_related("round__campaign", "reviewer", "item")
        .prefetch_related("round__reviewers")
        .first()
    )


def item_history(*, item: Item, user) -> list[dict]:
    """Every round's verdict and comments on the item, oldest round first: what came back, why,
    on which file, and what the unit answered."""
    comments = Prefetch("comments", queryset=comments_visible_to(user).select_related("evidence"))
    reviews = (
        Review.objects.visible_to(user)
        .filter(item=item)
        .select_related("round", "reviewer")
        .prefetch_related(comments)
        .order_by("round__number")
    )
    history = []
    for review in reviews:
        review.item = item  # the same item for all: its status tells where an open round stands
        history.append({"review": review, "comments": list(review.comments.all())})
    return history


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


def campaigns_totals(campaigns: list[Campaign]) -> dict[int, Totals]:
    """`campaign_totals` of many campaigns at once (the province's ranking), in three queries
    whatever their number: their frameworks' areas, their indicators that carry points (not
    refined items), and every side's scores. Needs `campaign.framework` loaded."""
    if not campaigns:
        return {}
    areas: dict[int, list[tuple]] = defaultdict(list)
    for node in (
        Node.objects.filter(
            framework_id__in={c.framework_id for c in campaigns}, parent__isnull=True
        )
        .order_by("framework_id", "sort_key")
        .values("framework_id", "sort_key", "code", "title", "points")
    ):
        areas[node["framework_id"]].append(
            (area_key(node["sort_key"]), node["code"], node["title"], node["points"])
        )
    ids = [c.pk for c in campaigns]
    items: dict[int, ScoredItem] = {}
    by_campaign: dict[int, list[ScoredItem]] = defaultdict(list)
    for row in Item.objects.filter(
        campaign_id__in=ids, is_refined=False, points__isnull=False
    ).values("pk", "campaign_id", "sort_key", "points"):
        items[row["pk"]] = ScoredItem(
            item_id=row["pk"],
            area=area_key(row["sort_key"]),
            points=row["points"],
            scores={},
            vetoed={},
        )
        by_campaign[row["campaign_id"]].append(items[row["pk"]])
    for row in Assessment.objects.filter(item__campaign_id__in=ids).values(
        "item_id", "side", "score", "vetoed"
    ):
        if row["item_id"] in items:
            items[row["item_id"]].scores[row["side"]] = row["score"]
            items[row["item_id"]].vetoed[row["side"]] = row["vetoed"]
    return {
        campaign.pk: total(
            areas=areas[campaign.framework_id],
            items=by_campaign[campaign.pk],
            aggregation=campaign.framework.aggregation,
            veto_effect=campaign.framework.veto_effect,
        )
        for campaign in campaigns
    }


def campaign_totals(campaign: Campaign) -> Totals:
    """Per area and overall, each side's total and the estimate, by the framework's rules."""
    return campaigns_totals([campaign])[campaign.pk]


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


def assessments_of(item: Item) -> dict[str, Assessment]:
    """The item's score on each side that has one, by side, in one query (and its deductions)."""
    assessments = (
        Assessment.objects.filter(item=item)
        .select_related("assessed_by")
        .prefetch_related("deductions")
    )
    return {assessment.side: assessment for assessment in assessments}


def assessment_of(item: Item, side: str) -> Assessment | None:
    return (
        Assessment.objects.filter(item=item, side=side)
        .select_related("assessed_by")
        .prefetch_related("deductions")
        .first()
    )


def round_verdict_counts(round_: Round) -> dict[str, int]:
    """How many of the round's items stand at each verdict, every verdict present."""
    counts = dict(round_.reviews.values_list("verdict").annotate(n=Count("pk")))
    return {verdict: counts.get(verdict, 0) for verdict in Verdict.values}


def item_panel(*, item: Item, user, decision_form=None, may_submit: bool | None = None) -> dict:
    """The item page's review and score panel: the open round's review and whether the user may
    decide it, every round's history, and each side's score the user may see or give. The
    province's written score is shown only to those who may see it (`may_see_written`).
    `may_submit` is whether the user may submit the item, where the caller knows it already."""
    from fazhi.reviews.forms import DecisionForm, file_notes_from
    from fazhi.reviews.services import may_assess, may_decide, may_see_written

    review = item_review(item)
    scorable = not item.is_refined and item.points is not None
    assessments = assessments_of(item) if scorable else {}
    sides = []
    for side, label in Side.choices if scorable else ():
        if side == Side.WRITTEN and not may_see_written(user, item.campaign):
            continue
        may = may_assess(user, item, side, open_review=review, may_submit=may_submit)
        # The written review waits for its stage and the submitted filing: say so in its place.
        closed = stages.refusal(item.campaign, "written") if may and side == Side.WRITTEN else None
        sides.append(
            {
                "side": side,
                "label": label,
                "may": may and not closed,
                "closed": closed,
                "a": assessments.get(side),
            }
        )
    deciding = review is not None and may_decide(user, review)
    if deciding and decision_form is None:
        decision_form = DecisionForm(initial={"version": review.version})
    return {
        "review": review,
        "may_decide": deciding,
        # A refused verdict comes back bound, with the chosen verdict and its error.
        "form": decision_form if deciding else None,
        "notes": file_notes_from(decision_form.data) if deciding and decision_form.is_bound else {},
        "history": item_history(item=item, user=user),
        "sides": sides,
        "scorable": scorable,
    }


# The whole sheet shows every unit's indicators: for the offices, reviewers and leaders, not for
# a unit's liaison (who sees their own items' scores on the item page).
SHEET_ROLES = ("admin", "lead_admin", "reviewer", "expert", "leader", "inspector")


def may_see_score_sheet(user) -> bool:
    return Scope.for_user(user).has_role(*SHEET_ROLES)


def visible_sides(*, user, campaign: Campaign) -> list[tuple[str, str]]:
    """The sides whose scores the user sees, as (side, label): on the score sheet and its
    Excel, and in the campaign report of the API and the command line. The province's written
    review only for those who may see it (`may_see_written`)."""
    from fazhi.reviews.services import may_see_written

    sides = [(Side.SELF, Side.SELF.label), (Side.REVIEW, Side.REVIEW.label)]
    if may_see_written(user, campaign):
        sides.append((Side.WRITTEN, Side.WRITTEN.label))
    return sides


def reviewer_candidates(campaign: Campaign) -> list:
    """Who may be named reviewer of a round: the active reviewers and lead office staff of the
    campaign's region and the regions above it, and the province's experts."""
    from fazhi.accounts.models import User

    path = campaign.region.path
    ancestors = [prefix + "/" for prefix in _path_prefixes(path)]
    province = ancestors[0] if ancestors else path
    staff = Q(roles__code__in=["reviewer", "lead_admin"]) & (
        Q(region__path__startswith=path) | Q(region__path__in=ancestors)
    )
    experts = Q(roles__code="expert") & (
        Q(region__path__startswith=province) | Q(region__isnull=True)
    )
    return list(
        User.objects.filter(staff | experts, is_active=True)
        .select_related("unit", "region")
        .prefetch_related("roles")
        .distinct()
        .order_by("username")
    )


def _path_prefixes(path: str) -> list[str]:
    """ "37/3704/370402/" → ["37", "37/3704"]: the ancestors' paths without the region's own."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[:n]) for n in range(1, len(parts))]


def my_rounds(*, user) -> list[dict]:
    """The open rounds the user reviews (or owns), each with how many submitted items wait in
    the user's areas: the reviewer's queue across campaigns, and the workbench's 待审核 card.
    Four queries, whatever the number of rounds."""
    reviewers = Prefetch(
        "reviewers",
        queryset=RoundReviewer.objects.prefetch_related("areas"),
    )
    rounds = list(
        Round.objects.visible_to(user)
        .filter(status=RoundStatus.OPEN)
        .select_related("campaign__region")
        .prefetch_related(reviewers)
        .order_by("ends_on", "pk")
    )
    waiting = defaultdict(list)
    for row in (
        Review.objects.filter(round__in=rounds)
        .filter(queue_q(Queue.WAITING))
        .values("round_id", "item__sort_key")
    ):
        waiting[row["round_id"]].append(area_key(row["item__sort_key"]))
    # The rounds of campaigns the user owns, asked once instead of once per round.
    owned = set(
        Campaign.objects.editable_by(user)
        .filter(pk__in={round_.campaign_id for round_ in rounds})
        .values_list("pk", flat=True)
    )
    entries = []
    for round_ in rounds:
        seat = next((s for s in round_.reviewers.all() if s.user_id == user.pk), None)
        if seat is not None:
            areas = {area_key(area.sort_key) for area in seat.areas.all()} or None
        elif round_.campaign_id in owned:
            areas = None
        else:
            continue  # neither a reviewer of this round nor its owner
        keys = waiting.get(round_.pk, [])
        entries.append(
            {
                "round": round_,
                "waiting": sum(1 for key in keys if areas is None or key in areas),
                "all_areas": areas is None,
                "seated": seat is not None,
            }
        )
    return entries
