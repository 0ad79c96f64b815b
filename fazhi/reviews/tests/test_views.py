"""Review pages: opening a round with reviewers by area, the round's queue, verdicts and scores
posted from the item page, the score sheet and its Excel export, and who reaches what."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.campaigns.models import ItemStatus
from fazhi.campaigns.services import item_refine
from fazhi.filing.tests.conftest import submit_filing
from fazhi.frameworks.models import Node
from fazhi.reviews import services
from fazhi.reviews.models import Assessment, Review, Round, Side, Verdict


def test_the_lead_office_opens_a_round_with_an_expert_for_one_area(campaign, people, expert, login):
    area = Node.objects.get(framework=campaign.framework, code="2")
    client = login(people.szq_lead)
    url = reverse("reviews:rounds", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "expert_wang" in page and "szq_reviewer" in page
    response = client.post(
        url,
        {
            "name": "专家预审",
            "scope": "all",
            "starts_on": "2025-04-01",
            "ends_on": "2025-04-15",
            "reviewer": [people.szq_reviewer.pk, expert.pk],
            f"areas_{expert.pk}": [area.pk],
        },
    )
    round_ = Round.objects.get()
    assert response.url == reverse("reviews:round", args=[round_.pk])
    seat = round_.reviewers.get(user=expert)
    assert list(seat.areas.all()) == [area]
    assert not round_.reviewers.get(user=people.szq_reviewer).areas.exists()


def test_the_open_form_says_what_is_missing(campaign, people, login):
    client = login(people.szq_lead)
    page = client.post(
        reverse("reviews:rounds", args=[campaign.pk]),
        {"name": "内部审核", "scope": "all", "starts_on": "2025-04-01", "ends_on": "2025-04-15"},
    ).content.decode()
    assert "请至少指定一名审核人" in page
    assert not Round.objects.exists()


def test_a_reviewer_sees_the_rounds_but_not_the_open_form(campaign, people, login, open_round):
    open_round()
    page = login(people.szq_reviewer).get(reverse("reviews:rounds", args=[campaign.pk]))
    assert "内部审核" in page.content.decode() and "开启新一轮审核" not in page.content.decode()
    denied = login(people.szq_reviewer).post(
        reverse("reviews:rounds", args=[campaign.pk]), {"name": "x"}
    )
    assert denied.status_code == 403


def test_the_round_page_filters_by_verdict_and_area(people, login, open_round, submit):
    item, _ = submit("1.1.1")
    round_ = open_round()
    services.review_decide(
        acting_user=people.szq_reviewer,
        review=round_.reviews.get(item=item),
        verdict=Verdict.REVISE,
        comment="请补充",
        version=0,
    )
    client = login(people.szq_lead)
    url = reverse("reviews:round", args=[round_.pk])
    returned = client.get(url, {"verdict": "revise"}).content.decode()
    assert "行政复议案件依法办理" in returned and "备案审查" not in returned
    first_key = Node.objects.get(framework=round_.campaign.framework, code="2").sort_key
    second_area = client.get(url, {"area": first_key}).content.decode()
    assert "备案审查" in second_area and "行政复议案件依法办理" not in second_area


def test_a_full_round_trip_through_the_pages(campaign, people, login, open_round, submit):
    item, evidence = submit("1.1.1")
    round_ = open_round()
    review = round_.reviews.get(item=item)
    reviewer = login(people.szq_reviewer)
    item_url = reverse("campaigns:item", args=[item.pk])
    assert "提交审核意见" in reviewer.get(item_url).content.decode()
    reviewer.post(
        reverse("reviews:decide", args=[review.pk]),
        {
            "verdict": "supplement",
            "comment": "缺少2024年度工作报告",
            "version": 0,
            f"note_{evidence.pk}": "此件无盖章",
        },
    )
    liaison = login(people.szq_liaison)
    page = liaison.get(item_url).content.decode()
    assert "缺少2024年度工作报告" in page and "此件无盖章" in page and "重新提交" in page
    liaison.post(reverse("campaigns:item_submit", args=[item.pk]), {"note": "已补充工作报告"})
    review.refresh_from_db()
    assert review.verdict == Verdict.PENDING
    reviewer = login(people.szq_reviewer)
    reviewer.post(
        reverse("reviews:decide", args=[review.pk]),
        {"verdict": "pass", "comment": "", "version": review.version},
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED
    history = login(people.szq_liaison).get(item_url).content.decode()
    assert history.index("缺少2024年度工作报告") < history.index("已补充工作报告")


def test_a_stale_decision_is_refused_with_a_message(people, login, open_round, submit):
    item, _ = submit("1.1.1")
    round_ = open_round(
        services.ReviewerSeat(people.szq_reviewer), services.ReviewerSeat(people.szq_lead)
    )
    review = round_.reviews.get(item=item)
    login(people.szq_reviewer).post(
        reverse("reviews:decide", args=[review.pk]),
        {"verdict": "revise", "comment": "缺少报告", "version": 0},
    )
    response = login(people.szq_lead).post(
        reverse("reviews:decide", args=[review.pk]),
        {"verdict": "pass", "comment": "", "version": 0},
        follow=True,
    )
    assert "您的意见没有保存" in response.content.decode()
    assert Review.objects.get(pk=review.pk).verdict == Verdict.REVISE


def test_closing_a_round_from_its_page(people, login, open_round):
    round_ = open_round()
    response = login(people.szq_lead).post(
        reverse("reviews:round_close", args=[round_.pk]), follow=True
    )
    assert "已结束：通过 0 项，退回 0 项，未审 4 项" in response.content.decode()


def test_scoring_from_the_item_page_names_the_bad_row(campaign, people, login):
    item = campaign.items.get(code="1.1.1")
    client = login(people.szq_lead)
    url = reverse("reviews:assess", args=[item.pk, "self"])
    response = client.post(
        url,
        {"version": "", "rule": ["", "第3条"], "reason": ["", "未公开"], "points": ["", "x"]},
        follow=True,
    )
    assert "第2条扣分：扣分“x”不是数字" in response.content.decode()
    client.post(url, {"version": "", "rule": ["第3条"], "reason": ["未公开"], "points": ["2.5"]})
    assert Assessment.objects.get(item=item, side=Side.SELF).score == Decimal("7.5")


def test_another_unit_cannot_self_score_an_item(campaign, people, login):
    item = campaign.items.get(code="1.1.1")
    login(people.scjg_liaison).post(
        reverse("reviews:assess", args=[item.pk, "self"]), {"version": ""}
    )
    assert not Assessment.objects.exists()


def test_the_score_sheet_and_its_excel_export(campaign, people, login):
    def give(code, side, user, *deductions):
        services.assessment_save(
            acting_user=user,
            item=campaign.items.get(code=code),
            side=side,
            deductions=list(deductions),
            version=None,
        )

    give("1.1.1", Side.SELF, people.szq_lead, services.DeductionEntry("第2条", "未公开", "2"))
    give("1.1.1", Side.REVIEW, people.szq_reviewer, services.DeductionEntry("", "缺报告", "3"))
    give("2.1.3", Side.SELF, people.szq_lead)
    client = login(people.szq_lead)
    page = client.get(reverse("reviews:scores", args=[campaign.pk])).content.decode()
    assert "预估得分" in page and "未公开（−2）" in page
    response = client.get(reverse("reviews:scores_export", args=[campaign.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].endswith("评分表")
    first = next(row for row in rows if row[2] == "1.1.1")
    assert first[6:10] == (8, "第2条：未公开（扣2分）", 7, "缺报告（扣3分）")
    total = rows[-1]
    assert total[0] == "合计" and total[4] == 40 and total[6] == 20 and total[8] == 7
    assert any(str(r) == "A3:A4" for r in sheet.merged_cells.ranges)  # the area column


def test_a_liaison_gets_no_score_sheet_and_another_county_gets_404(campaign, people, login):
    url = reverse("reviews:scores", args=[campaign.pk])
    assert login(people.szq_liaison).get(url).status_code == 403
    assert login(people.xc_lead).get(url).status_code == 404


def test_the_province_written_score_is_not_shown_to_the_county(campaign, people, login):
    item = campaign.items.get(code="1.1.1")
    submit_filing(campaign, people.szq_lead)
    services.assessment_save(
        acting_user=people.city_lead, item=item, side=Side.WRITTEN, deductions=[], version=None
    )
    county = login(people.szq_lead).get(reverse("reviews:scores", args=[campaign.pk]))
    assert "书面评审" not in county.content.decode()
    city = login(people.city_lead).get(reverse("reviews:scores", args=[campaign.pk]))
    assert "书面评审" in city.content.decode()


@pytest.mark.parametrize("page_name", ["reviews:scores", "reviews:round"])
def test_review_pages_run_the_same_queries_for_more_items(
    campaign, people, login, open_round, page_name
):
    round_ = open_round()
    client = login(people.szq_lead)

    def url():
        ref = round_.pk if page_name == "reviews:round" else campaign.pk
        return reverse(page_name, args=[ref])

    def count():
        client.get(url())  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url()).status_code == 200
        return len(queries)

    def score(code):
        services.assessment_save(
            acting_user=people.szq_lead,
            item=campaign.items.get(code=code),
            side=Side.SELF,
            deductions=[services.DeductionEntry("", "原因", "1")],
            version=None,
        )

    score("1.1.2")  # so that the baseline already loads scores and deductions
    before = count()
    for code in ("1.1.1", "2.1.3"):
        score(code)
        item = campaign.items.get(code=code)
        for n in range(3):
            child = item_refine(acting_user=people.szq_lead, parent=item, title=f"细化{n}")
            Review.objects.create(round=round_, item=child)
    assert count() == before


def test_the_reviewers_queue_counts_what_waits_in_their_areas(
    campaign, people, expert, login, open_round, submit
):
    submit("1.1.1")
    submit("2.1.3")
    area = Node.objects.get(framework=campaign.framework, code="2")
    open_round(services.ReviewerSeat(people.szq_reviewer), services.ReviewerSeat(expert, (area,)))
    page = login(expert).get(reverse("reviews:mine")).content.decode()
    assert "健全依法行政制度体系" in page and "<strong>1</strong>" in page
    page = login(people.szq_reviewer).get(reverse("reviews:mine")).content.decode()
    assert "<strong>2</strong>" in page
    assert "没有需要您审核" in login(people.xc_lead).get(reverse("reviews:mine")).content.decode()
