"""Reads for the province's side: evaluations, the campaigns that may still be taken on, the
written-review totals of many campaigns at once, and the weighted composite ranking. Each runs a
fixed number of queries whatever the number of applicants and items."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.core.scoping import get_visible_or_404
from fazhi.fieldwork.models import Applicant, Evaluation, Evaluator
from fazhi.reviews.models import Side
from fazhi.reviews.scoring import Totals
from fazhi.reviews.selectors import campaigns_totals

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
COMPONENTS = (("written", "书面评审"), ("field", "实地评估"), ("survey", "满意度测评"))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# -- evaluations -----------------------------------------------------------------------------


def evaluation_list(*, user, query: str = "") -> QuerySet[Evaluation]:
    evaluations = Evaluation.objects.visible_to(user).select_related("region", "created_by")
    if query:
        evaluations = evaluations.filter(
            Q(name__icontains=query) | Q(region__name__icontains=query)
        )
    return evaluations.annotate(n_applicants=Count("applicants")).order_by("-created_at", "-id")


def evaluation_by_pk(*, user, pk: int) -> Evaluation:
    return get_visible_or_404(Evaluation.objects.select_related("region"), user, pk=pk)


def evaluators_of(evaluation: Evaluation) -> list[Evaluator]:
    return list(
        evaluation.evaluators.select_related("user__region", "granted_by").order_by(
            "user__username"
        )
    )


def evaluator_candidates(evaluation: Evaluation) -> list:
    """Expert accounts (外聘专家, 第三方评估机构) of the evaluation's province, or with no region,
    not yet taken on."""
    from fazhi.accounts.models import User

    province = evaluation.region.path.split("/", 1)[0] + "/"
    return list(
        User.objects.filter(roles__code="expert", is_active=True)
        .filter(Q(region__path__startswith=province) | Q(region__isnull=True))
        .exclude(evaluation_seats__evaluation=evaluation)
        .select_related("region", "unit")
        .distinct()
        .order_by("username")
    )


def candidate_campaigns(*, evaluation: Evaluation, user, level: str = "") -> QuerySet[Campaign]:
    """Campaigns the user sees below the evaluation's region, not yet on its list."""
    path = evaluation.region.path
    campaigns = (
        Campaign.objects.visible_to(user)
        .filter(region__path__startswith=path)
        .exclude(region__path=path)
        .exclude(applications__evaluation=evaluation)
        .select_related("region__parent", "framework")
    )
    if level:
        campaigns = campaigns.filter(level=level)
    return campaigns.order_by("region__path", "-created_at", "-id")


def applicant_label(evaluation: Evaluation, campaign: Campaign) -> str:
    """The applicant's region as the ranking names it: “枣庄市” for a city, “枣庄市市中区” for a
    county (several cities have a 市中区). Needs `campaign.region.parent` loaded."""
    region = campaign.region
    parent = region.parent
    if parent is None or parent.pk == evaluation.region_id:
        return region.name
    return f"{parent.name}{region.name}"


def item_progress(campaign_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(approved, total) of the items units work on (those without refined items), per
    campaign, in one query."""
    rows = (
        Item.objects.filter(campaign_id__in=campaign_ids, children__isnull=True)
        .values("campaign_id")
        .annotate(total=Count("pk"), approved=Count("pk", filter=Q(status=ItemStatus.APPROVED)))
    )
    progress = dict.fromkeys(campaign_ids, (0, 0))
    progress.update({row["campaign_id"]: (row["approved"], row["total"]) for row in rows})
    return progress


# -- the ranking -----------------------------------------------------------------------------


@dataclass
class RankingRow:
    applicant: Applicant
    label: str
    written: Decimal | None  # the written review's total out of 100, when it is complete
    written_provisional: Decimal | None  # the same while the review is still under way
    written_vetoed: bool
    written_scored: int
    indicators: int
    items_approved: int
    items_total: int
    field: Decimal | None
    survey: Decimal | None
    composite: Decimal | None = None
    rank: int | None = None
    missing: list[str] = field(default_factory=list)

    @property
    def campaign(self) -> Campaign:
        return self.applicant.campaign

    @property
    def written_shown(self) -> Decimal | None:
        return self.written if self.written is not None else self.written_provisional

    def as_dict(self) -> dict:
        def plain(value):
            return None if value is None else float(value)

        return {
            "rank": self.rank,
            "applicant_id": self.applicant.pk,
            "campaign_id": self.campaign.pk,
            "campaign": self.campaign.name,
            "region": self.label,
            "region_code": self.campaign.region.code,
            "written": plain(self.written),
            "written_provisional": plain(self.written_provisional),
            "written_scored": self.written_scored,
            "indicators": self.indicators,
            "field": plain(self.field),
            "survey": plain(self.survey),
            "composite": plain(self.composite),
            "missing": self.missing,
            "items_approved": self.items_approved,
            "items_total": self.items_total,
            "version": self.applicant.version,
        }


def composite(weights: dict[str, int], scores: dict[str, Decimal | None]) -> Decimal | None:
    """Σ weight × score / 100, each score out of 100; None unless every component is there."""
    if any(scores.get(key) is None for key, _ in COMPONENTS):
        return None
    return _cents(
        sum((Decimal(weights[key]) * scores[key] for key, _ in COMPONENTS), Decimal(0)) / HUNDRED
    )


def assign_ranks(rows: list[RankingRow]) -> list[RankingRow]:
    """Highest composite first; equal composites share a rank and the next rank skips (1, 2, 2,
    4). Rows without a composite follow, unranked, in region order."""
    ranked = sorted(
        (row for row in rows if row.composite is not None),
        key=lambda row: (-row.composite, row.campaign.region.path, row.campaign.pk),
    )
    previous = None
    for position, row in enumerate(ranked, start=1):
        row.rank = previous.rank if previous and previous.composite == row.composite else position
        previous = row
    waiting = sorted(
        (row for row in rows if row.composite is None),
        key=lambda row: (row.campaign.region.path, row.campaign.pk),
    )
    return ranked + waiting


def _written_out_of_100(totals: Totals) -> Decimal | None:
    if not totals.maximum:
        return None
    return _cents(totals.scores[Side.WRITTEN] * HUNDRED / totals.maximum)


def ranking(evaluation: Evaluation) -> list[RankingRow]:
    """Every applicant side by side: written review out of 100, field and survey scores, the
    weighted composite and the rank, with each campaign's progress.

    The composite is computed only when all three components are in. The written review counts
    as in when every indicator carrying points has its written score: a partial total counts
    unscored indicators as 0, so ranking it would put applicants reviewed later behind those
    reviewed first. Until then the provisional written score is shown, marked, unranked."""
    applicants = list(
        evaluation.applicants.select_related(
            "campaign__region__parent", "campaign__framework", "updated_by"
        )
    )
    campaigns = [applicant.campaign for applicant in applicants]
    totals = campaigns_totals(campaigns)
    progress = item_progress([c.pk for c in campaigns])
    rows = []
    for applicant in applicants:
        campaign_totals = totals[applicant.campaign_id]
        scored = campaign_totals.scored[Side.WRITTEN]
        out_of_100 = _written_out_of_100(campaign_totals)
        complete = out_of_100 is not None and scored == campaign_totals.indicators
        approved, items = progress[applicant.campaign_id]
        row = RankingRow(
            applicant=applicant,
            label=applicant_label(evaluation, applicant.campaign),
            written=out_of_100 if complete else None,
            written_provisional=None if complete or not scored else out_of_100,
            written_vetoed=campaign_totals.vetoed[Side.WRITTEN],
            written_scored=scored,
            indicators=campaign_totals.indicators,
            items_approved=approved,
            items_total=items,
            field=applicant.field_score,
            survey=applicant.survey_score,
        )
        scores = {"written": row.written, "field": row.field, "survey": row.survey}
        row.missing = [label for key, label in COMPONENTS if scores[key] is None]
        row.composite = composite(evaluation.weights, scores)
        rows.append(row)
    return assign_ranks(rows)


def ranking_summary(rows: list[RankingRow]) -> dict[str, int]:
    return {
        "applicants": len(rows),
        "ranked": sum(1 for row in rows if row.rank is not None),
        "written_done": sum(1 for row in rows if row.written is not None),
        "field_done": sum(1 for row in rows if row.field is not None),
        "survey_done": sum(1 for row in rows if row.survey is not None),
    }


def feed_applicants(*, user, region=None, within=None) -> QuerySet[Applicant]:
    """The applicants whose scores the user enters: of `region` exactly, or of any region
    under `within` (itself included)."""
    applicants = Applicant.objects.editable_by(user)
    if region is not None:
        applicants = applicants.filter(campaign__region=region)
    if within is not None:
        applicants = applicants.filter(campaign__region__path__startswith=within.path)
    return applicants.select_related("evaluation", "campaign__region").order_by(
        "-evaluation__created_at", "campaign__region__path"
    )


def field_parts_of(applicants: list[Applicant]) -> dict[int, list[dict]]:
    """Per applicant, its evaluation's parts with the applicant's score in each (None if not
    yet), in order; empty for evaluations without parts. Two queries."""
    from fazhi.fieldwork.models import FieldPart, FieldPartScore

    evaluation_ids = {a.evaluation_id for a in applicants}
    parts: dict[int, list[FieldPart]] = {}
    for part in FieldPart.objects.filter(evaluation_id__in=evaluation_ids):
        parts.setdefault(part.evaluation_id, []).append(part)
    scores = {
        (s.applicant_id, s.part_id): s
        for s in FieldPartScore.objects.filter(applicant__in=applicants)
    }
    return {
        a.pk: [
            {"part": part, "score": scores.get((a.pk, part.pk))}
            for part in parts.get(a.evaluation_id, [])
        ]
        for a in applicants
    }
