"""A case-file review's results leaving the app as an input to an evaluation's field score
(实地评估): the mean final score of the sampled files of units within the applicant's region,
in percent of the standard's full marks, entered through the evaluation's own rules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from fazhi.casereviews.models import Case, CaseReview
from fazhi.casereviews.services import final_sheet
from fazhi.orgs.models import Region

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _full_marks(review: CaseReview) -> dict[str, Decimal]:
    """Each case type's full marks: its standard's section points added up (100 if none)."""
    full = {}
    for standard in review.standards.prefetch_related("sections"):
        points = sum((section.points for section in standard.sections.all()), Decimal(0))
        full[standard.case_type] = points or HUNDRED
    return full


def region_mean_percent(review: CaseReview, region: Region) -> tuple[Decimal | None, int]:
    """The mean final score of the review's sampled, scored files of units in `region` (and
    below it), each in percent of its standard's full marks; and how many files that is."""
    cases = Case.objects.filter(
        review=review, sampled=True, unit__region__path__startswith=region.path
    ).prefetch_related("sheets")
    full = _full_marks(review)
    shares = []
    for case in cases:
        final = final_sheet(list(case.sheets.all()))
        if final is not None and final.total is not None:
            shares.append(final.total * HUNDRED / full.get(case.case_type, HUNDRED))
    if not shares:
        return None, 0
    mean = (sum(shares, Decimal(0)) / len(shares)).quantize(CENT, rounding=ROUND_HALF_UP)
    return mean, len(shares)


def evaluation_score_feed(*, acting_user, review: CaseReview, applicant, part=None):
    """Enter the review's mean for the applicant's region as (a part of) its field score."""
    from fazhi.fieldwork.parts import field_score_feed

    region = applicant.campaign.region
    if not region.path.startswith(review.region.path):
        raise ValidationError(f"“{review}”是{review.region}的评查，不包括{region}的案卷。")
    mean, files = region_mean_percent(review, region)
    if mean is None:
        raise ValidationError(f"“{review}”中{region}还没有已评分的抽中案卷，无法计算得分。")
    return field_score_feed(
        acting_user=acting_user,
        applicant=applicant,
        value=mean,
        source=f"案卷评查“{review.name}”{files} 件案卷平均分",
        part=part,
    )
