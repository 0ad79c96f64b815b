"""Demo reviews on the demo campaign: a first round opened by 市中区's lead office with its
reviewer and the city's expert (for the first area), one item returned with a note on a file,
one passed, and self and reviewed scores on a few indicators. Safe to run twice."""

from datetime import date

from fazhi.accounts.models import User
from fazhi.campaigns.models import AssignmentRole, Campaign, ItemStatus
from fazhi.campaigns.selectors import campaign_areas
from fazhi.campaigns.services import item_submit
from fazhi.reviews import services
from fazhi.reviews.models import Review, RoundScope, Side, Verdict

D = services.DeductionEntry


def load_demo_reviews(campaign: Campaign) -> None:
    if campaign.rounds.exists():
        return
    lead = User.objects.get(username="szq_admin")
    reviewer = User.objects.get(username="szq_reviewer")
    expert = User.objects.get(username="zz_expert")
    liaison = User.objects.get(username="szq_sfj_liaison")
    with_materials = list(
        campaign.items.filter(
            children__isnull=True,
            evidence_count__gt=0,
            assignments__unit=liaison.unit,
            assignments__role=AssignmentRole.LEAD,
        ).order_by("sort_key")[:2]
    )
    for item in with_materials:
        if item.status != ItemStatus.SUBMITTED:
            item_submit(acting_user=liaison, item=item)
    round_ = services.round_open(
        acting_user=lead,
        campaign=campaign,
        name="内部审核",
        scope=RoundScope.ALL,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        reviewers=[
            services.ReviewerSeat(reviewer),
            services.ReviewerSeat(expert, tuple(campaign_areas(campaign)[:1])),
        ],
    )
    returned, passed = with_materials
    old_file = returned.evidence.order_by("created_at").last()
    services.review_decide(
        acting_user=reviewer,
        review=Review.objects.get(round=round_, item=returned),
        verdict=Verdict.SUPPLEMENT,
        comment="请补充评估期内的行政复议决定书及年度工作报告。",
        version=0,
        file_notes={old_file.pk: "此件成文日期不在评估期内，请替换。"} if old_file else {},
    )
    services.review_decide(
        acting_user=reviewer,
        review=Review.objects.get(round=round_, item=passed),
        verdict=Verdict.PASS,
        comment="材料齐全，符合要求。",
        version=0,
    )
    _demo_scores(campaign, lead, reviewer)


def _demo_scores(campaign: Campaign, lead, reviewer) -> None:
    indicators = list(
        campaign.items.filter(is_refined=False, points__isnull=False).order_by("sort_key")[:6]
    )
    for number, item in enumerate(indicators):
        deductions = [D("评分标准", "部分台账不完整", "0.5")] if number % 3 == 1 else []
        services.assessment_save(
            acting_user=lead, item=item, side=Side.SELF, deductions=deductions, version=None
        )
    for item in indicators[:3]:
        services.assessment_save(
            acting_user=reviewer,
            item=item,
            side=Side.REVIEW,
            deductions=[D("评分标准", "佐证材料未体现实施效果", "1")],
            version=None,
        )
