"""The review API: a campaign's rounds, verdicts and scores, with the same services and
scoping as the pages. The campaign report is `/api/campaigns/{id}/report`."""

from datetime import date

from ninja import Router, Schema

from fazhi.campaigns.models import Campaign, Item
from fazhi.core.listing import Id
from fazhi.core.scoping import get_visible_or_404
from fazhi.reviews import selectors, services
from fazhi.reviews.models import Queue, Review

router = Router(tags=["审核评分 reviews"])


class RoundOut(Schema):
    id: int
    number: int
    name: str
    scope: str
    status: str
    starts_on: date
    ends_on: date
    verdicts: dict[str, int]
    # Where the items stand: "waiting" counts only submitted items awaiting a verdict, apart
    # from "unsubmitted" ones (verdicts' "pending" is both).
    queue: dict[str, int]


class DecisionIn(Schema):
    verdict: str
    comment: str = ""
    version: int
    file_notes: dict[int, str] = {}


class ReviewOut(Schema):
    id: int
    item_code: str
    verdict: str
    version: int


class DeductionIn(Schema):
    rule: str = ""
    reason: str
    points: str


class AssessmentIn(Schema):
    deductions: list[DeductionIn] = []
    vetoed: bool = False
    note: str = ""
    version: int | None = None


class AssessmentOut(Schema):
    item_code: str
    side: str
    score: float
    max_points: float
    vetoed: bool
    version: int


@router.get("/campaigns/{campaign_id}/rounds", response=list[RoundOut], summary="审核轮次")
def list_rounds(request, campaign_id: Id):
    campaign = get_visible_or_404(Campaign, request.user, pk=campaign_id)
    return [
        {
            "id": r.pk,
            "number": r.number,
            "name": r.name,
            "scope": r.scope,
            "status": r.status,
            "starts_on": r.starts_on,
            "ends_on": r.ends_on,
            "verdicts": {
                v: getattr(r, f"n_{v}") for v in ("pending", "pass", "revise", "supplement")
            },
            "queue": {q: getattr(r, f"q_{q}") for q in Queue.values},
        }
        for r in selectors.campaign_rounds(campaign=campaign, user=request.user)
    ]


@router.post("/reviews/{review_id}/decision", response=ReviewOut, summary="提交审核意见")
def decide(request, review_id: Id, payload: DecisionIn):
    reviews = Review.objects.select_related("round__campaign", "item")
    review = get_visible_or_404(reviews, request.user, pk=review_id)
    saved = services.review_decide(
        acting_user=request.user,
        review=review,
        verdict=payload.verdict,
        comment=payload.comment,
        version=payload.version,
        file_notes=payload.file_notes,
    )
    return {
        "id": saved.pk,
        "item_code": review.item.code,
        "verdict": saved.verdict,
        "version": saved.version,
    }


@router.post("/items/{item_id}/scores/{side}", response=AssessmentOut, summary="评分（扣分制）")
def assess(request, item_id: Id, side: str, payload: AssessmentIn):
    items = Item.objects.select_related("campaign__region", "campaign__framework", "node")
    item = get_visible_or_404(items, request.user, pk=item_id)
    saved = services.assessment_save(
        acting_user=request.user,
        item=item,
        side=side,
        deductions=[
            services.DeductionEntry(d.rule, d.reason, d.points) for d in payload.deductions
        ],
        version=payload.version,
        vetoed=payload.vetoed,
        note=payload.note,
    )
    return {
        "item_code": item.code,
        "side": saved.side,
        "score": float(saved.score),
        "max_points": float(saved.max_points),
        "vetoed": saved.vetoed,
        "version": saved.version,
    }
