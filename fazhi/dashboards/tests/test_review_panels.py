"""The dashboard's review panels: the estimated score against the maximum, and each round's
returns; both follow the reviews as they happen."""

from datetime import date

from django.core.files.base import ContentFile
from django.urls import reverse

from fazhi.campaigns import services as campaign_services
from fazhi.evidence import services as evidence_services
from fazhi.reviews import services
from fazhi.reviews.models import RoundScope, Side, Verdict

from .test_views import export_url, main_content, section, sheet_rows


def board(client, campaign):
    return main_content(client.get(reverse("dashboards:campaign", args=[campaign.pk])))


def test_the_estimated_score_uses_reviewed_then_self_scores_and_counts_none_as_zero(
    campaign, people, login
):
    def give(code, side, user, points=None):
        deductions = [services.DeductionEntry("", "扣分", points)] if points else []
        services.assessment_save(
            acting_user=user,
            item=campaign.items.get(code=code),
            side=side,
            deductions=deductions,
            version=None,
        )

    client = login(people.szq_leader)
    assert "满分 40，预估 0。" in section(board(client, campaign), "scores")
    give("1.1.1", Side.SELF, people.szq_lead, "1")
    give("1.1.1", Side.REVIEW, people.szq_reviewer, "4")
    give("2.1.3", Side.SELF, people.szq_lead)
    panel = section(board(client, campaign), "scores")
    assert "满分 40，预估 18。" in panel  # 6 reviewed + 12 self
    sheet = sheet_rows(client.get(export_url(campaign, "scores")))["预估得分与满分"]
    assert next(row for row in sheet if row[0] == "合计")[:5] == ("合计", 40, 21, 6, 18)


def test_returns_per_round_follow_the_rounds(campaign, people, login):
    item = campaign.items.get(code="1.1.1")
    evidence_services.evidence_upload(
        acting_user=people.szq_liaison, item=item, file=ContentFile(b"x", name="a.txt")
    )
    item.refresh_from_db()
    campaign_services.item_submit(acting_user=people.szq_liaison, item=item)
    round_ = services.round_open(
        acting_user=people.szq_lead,
        campaign=campaign,
        name="内部审核",
        scope=RoundScope.ALL,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        reviewers=[services.ReviewerSeat(people.szq_reviewer)],
    )
    services.review_decide(
        acting_user=people.szq_reviewer,
        review=round_.reviews.get(item=item),
        verdict=Verdict.REVISE,
        comment="缺少报告",
        version=0,
    )
    sheet = sheet_rows(login(people.szq_lead).get(export_url(campaign, "returns")))
    rows = [row for row in sheet["各轮审核退回情况"] if str(row[0]).startswith("第")]
    assert rows == [("第1轮 内部审核", "进行中", 4, 1, 25)]
