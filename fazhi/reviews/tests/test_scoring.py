"""Scores: deductions within points, veto items, totals per area and overall by the framework's
aggregation, conflicts between two scorers, and who may score which side."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fazhi.filing.tests.conftest import submit_filing
from fazhi.frameworks.models import Aggregation, Node, VetoEffect
from fazhi.reviews import services
from fazhi.reviews.models import Assessment, Side
from fazhi.reviews.scoring import ScoredItem, total
from fazhi.reviews.selectors import campaign_totals

D = services.DeductionEntry


def score(user, item, side, *deductions, vetoed=False):
    current = Assessment.objects.filter(item=item, side=side).first()
    return services.assessment_save(
        acting_user=user,
        item=item,
        side=side,
        deductions=list(deductions),
        version=current.version if current else None,
        vetoed=vetoed,
    )


def test_a_score_is_the_points_less_the_deductions(campaign, people):
    item = campaign.items.get(code="1.1.1")
    saved = score(people.szq_lead, item, Side.SELF, D("评分标准第2条", "未公开复议决定", "1.5"))
    assert saved.score == Decimal("8.5") and saved.max_points == 10
    assert saved.deductions.get().reason == "未公开复议决定"


def test_deductions_above_the_points_are_refused_and_nothing_is_stored(campaign, people):
    item = campaign.items.get(code="1.1.1")
    with pytest.raises(ValidationError, match="扣分合计 11 分，超过本项分值 10 分"):
        score(people.szq_lead, item, Side.SELF, D("", "a", "6"), D("", "b", "5"))
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("points", "message"),
    [("abc", "第1条扣分：扣分“abc”不是数字"), ("-1", "应大于 0"), ("0.001", "两位小数")],
)
def test_a_bad_deduction_names_its_entry(campaign, people, points, message):
    item = campaign.items.get(code="1.1.1")
    with pytest.raises(ValidationError, match=message):
        score(people.szq_lead, item, Side.SELF, D("", "原因", points))


def test_a_deduction_needs_a_reason(campaign, people):
    item = campaign.items.get(code="1.1.1")
    with pytest.raises(ValidationError, match="第2条扣分：请写明扣分原因"):
        score(people.szq_lead, item, Side.SELF, D("", "原因", "1"), D("规则", " ", "1"))


def test_the_database_refuses_a_score_outside_the_points(campaign):
    item = campaign.items.get(code="1.1.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(item=item, side=Side.SELF, score=11, max_points=10)


def test_two_scorers_on_the_same_version_do_not_overwrite_each_other(campaign, people):
    item = campaign.items.get(code="1.1.1")
    score(people.szq_lead, item, Side.REVIEW)
    seen = Assessment.objects.get(item=item, side=Side.REVIEW).version
    services.assessment_save(
        acting_user=people.szq_reviewer,
        item=item,
        side=Side.REVIEW,
        deductions=[D("", "缺少报告", "2")],
        version=seen,
    )
    with pytest.raises(services.ConflictError, match="已由 szq_reviewer .* 改为 8 分"):
        services.assessment_save(
            acting_user=people.szq_lead, item=item, side=Side.REVIEW, deductions=[], version=seen
        )
    assert Assessment.objects.get(item=item, side=Side.REVIEW).score == 8


def test_two_first_scores_at_once_do_not_overwrite_each_other(campaign, people):
    item = campaign.items.get(code="1.1.1")
    score(people.szq_lead, item, Side.REVIEW, D("", "a", "1"))
    with pytest.raises(services.ConflictError):
        services.assessment_save(
            acting_user=people.szq_reviewer,
            item=item,
            side=Side.REVIEW,
            deductions=[],
            version=None,
        )


def test_refined_items_are_scored_on_their_indicator(campaign, people):
    from fazhi.campaigns.services import item_refine

    indicator = campaign.items.get(code="2.1.4")
    child = item_refine(acting_user=people.szq_lead, parent=indicator, title="备案及时率")
    with pytest.raises(ValidationError, match="请在所属指标 2.1.4 上打分"):
        score(people.szq_lead, child, Side.SELF)


def test_who_scores_which_side(campaign, people, expert):
    item = campaign.items.get(code="1.1.1")  # lead unit: 区司法局
    score(people.szq_liaison, item, Side.SELF)
    with pytest.raises(PermissionDenied):
        score(people.scjg_liaison, item, Side.SELF)
    with pytest.raises(PermissionDenied):
        score(people.szq_liaison, item, Side.REVIEW)
    score(people.szq_reviewer, item, Side.REVIEW)
    with pytest.raises(PermissionDenied):  # the county itself does not do the written review
        score(people.szq_lead, item, Side.WRITTEN)
    submit_filing(campaign, people.szq_lead)  # which the written review reads
    score(people.city_lead, item, Side.WRITTEN)
    with pytest.raises(PermissionDenied):
        score(expert, item, Side.WRITTEN)
    services.campaign_grant(
        acting_user=people.city_lead, campaign=campaign, user=expert, purpose="evaluation"
    )
    score(expert, item, Side.WRITTEN, D("", "材料不全", "1"))
    assert Assessment.objects.get(item=item, side=Side.WRITTEN).score == 9


def test_the_item_page_shows_the_sides_the_reader_may_see_from_one_read_of_the_scores(
    campaign, people, login
):
    item = campaign.items.get(code="1.1.1")  # lead unit: 区司法局
    score(people.szq_liaison, item, Side.SELF, D("", "自查发现未公开", "2"))
    score(people.szq_reviewer, item, Side.REVIEW, D("", "审核认为不全", "3"))
    submit_filing(campaign, people.szq_lead)
    score(people.city_lead, item, Side.WRITTEN, D("", "书面评审扣分", "1"))
    client = login(people.szq_liaison)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("campaigns:item", args=[item.pk])).content.decode()
    assert "自查发现未公开" in page and "审核认为不全" in page
    assert "书面评审扣分" not in page  # read with the others, shown only to who may see it
    reads = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "reviews_assessment"' in sql for sql in reads) == 1
    assert sum('FROM "reviews_deduction"' in sql for sql in reads) == 1


def test_campaign_totals_add_up_by_area_and_count_unscored_as_zero(campaign, people):
    score(people.szq_lead, campaign.items.get(code="1.1.1"), Side.SELF, D("", "a", "2"))
    score(people.szq_lead, campaign.items.get(code="2.1.3"), Side.SELF)
    score(people.szq_reviewer, campaign.items.get(code="2.1.3"), Side.REVIEW, D("", "b", "3"))
    totals = campaign_totals(campaign)
    assert totals.maximum == 40
    first, second = totals.areas
    assert (first.maximum, first.scores["self"], first.scored["self"]) == (20, 8, 1)
    assert (second.scores["self"], second.scores["review"]) == (12, 9)
    assert second.scores["estimate"] == 9  # the reviewed score wins over the self score
    assert totals.scores["estimate"] == 17
    assert totals.scores["written"] == 0 and totals.scored["written"] == 0


def test_a_triggered_veto_zeroes_the_total_or_the_area_as_the_framework_says(campaign, people):
    Node.objects.filter(framework=campaign.framework, code="2.1.4").update(veto=True)
    score(people.szq_lead, campaign.items.get(code="1.1.1"), Side.SELF)
    score(people.szq_lead, campaign.items.get(code="2.1.3"), Side.SELF)
    vetoed = campaign.items.select_related("node").get(code="2.1.4")
    assert score(people.szq_lead, vetoed, Side.SELF, vetoed=True).score == 0
    assert campaign_totals(campaign).scores["self"] == 0
    campaign.framework.veto_effect = VetoEffect.AREA
    campaign.framework.save()
    campaign.refresh_from_db()
    totals = campaign_totals(campaign)
    assert [area.scores["self"] for area in totals.areas] == [10, 0]
    assert totals.scores["self"] == 10


def test_only_a_veto_item_can_trigger_a_veto(campaign, people):
    item = campaign.items.select_related("node").get(code="1.1.1")
    with pytest.raises(ValidationError, match="不是否决项"):
        score(people.szq_lead, item, Side.SELF, vetoed=True)


def test_weighted_areas_scale_by_the_share_of_points_scored():
    def item(area, points, got):
        return ScoredItem(
            item_id=id(object()),
            area=area,
            points=Decimal(points),
            scores={"self": Decimal(got)},
            vetoed={},
        )

    totals = total(
        areas=[("a", "1", "一", Decimal(60)), ("b", "2", "二", Decimal(40))],
        items=[item("a", 10, 5), item("a", 10, 10), item("b", 4, 4)],
        aggregation=Aggregation.WEIGHTED,
        veto_effect=VetoEffect.TOTAL,
    )
    assert totals.maximum == 100
    assert [area.scores["self"] for area in totals.areas] == [45, 40]
    assert totals.scores["self"] == 85


def test_weighted_areas_without_weights_share_equally():
    totals = total(
        areas=[("a", "1", "一", None), ("b", "2", "二", None)],
        items=[
            ScoredItem(1, "a", Decimal(10), {"self": Decimal(10)}, {}),
            ScoredItem(2, "b", Decimal(10), {"self": Decimal(0)}, {}),
        ],
        aggregation=Aggregation.WEIGHTED,
        veto_effect=VetoEffect.TOTAL,
    )
    assert totals.maximum == 100 and totals.scores["self"] == 50
