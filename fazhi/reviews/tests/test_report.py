"""The campaign report: what the dashboard shows, from `fazhi campaign report --json` and from
the REST API, with the same scoping as the pages; and the review API."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fazhi.campaigns.models import Item
from fazhi.reviews import services
from fazhi.reviews.models import Side, Verdict


@pytest.fixture
def scored(campaign, people, open_round, submit):
    """1.1.1 self-scored 8 and reviewed 7 (due 2025-06-30), 2.1.3 self-scored 12, 1.1.2 due
    in 2020, a round open."""
    item, _ = submit("1.1.1")
    for side, user, points in (
        (Side.SELF, people.szq_lead, "2"),
        (Side.REVIEW, people.szq_reviewer, "3"),
    ):
        services.assessment_save(
            acting_user=user,
            item=item,
            side=side,
            deductions=[services.DeductionEntry("", "扣分", points)],
            version=None,
        )
    services.assessment_save(
        acting_user=people.szq_lead,
        item=campaign.items.get(code="2.1.3"),
        side=Side.SELF,
        deductions=[],
        version=None,
    )
    Item.objects.filter(campaign=campaign, code="1.1.2").update(deadline=date(2020, 1, 1))
    round_ = open_round(name="第一轮筛查")
    services.review_decide(
        acting_user=people.szq_reviewer,
        review=round_.reviews.get(item=item),
        verdict=Verdict.REVISE,
        comment="缺报告",
        version=0,
    )
    return campaign


def report_from_cli(campaign, *extra):
    out = StringIO()
    call_command("campaign", *extra, "report", str(campaign.pk), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_cli_report_prints_scores_statuses_overdue_items_and_the_round(scored):
    report = report_from_cli(scored)
    assert report["maximum"] == 40
    assert report["scores"]["self"] == 20 and report["scores"]["review"] == 7
    assert report["scores"]["estimate"] == 19  # 7 reviewed + 12 self
    first, second = report["areas"]
    assert (first["code"], first["maximum"], first["scores"]["self"]) == ("1", 20, 8)
    assert first["items_by_status"]["returned"] == 1
    assert second["scores"]["self"] == 12
    assert report["items_by_status"]["returned"] == 1
    assert [row["code"] for row in report["overdue"]] == ["1.1.2", "1.1.1"]  # oldest first
    assert report["current_round"]["name"] == "第一轮筛查"
    assert report["current_round"]["verdicts"]["revise"] == 1
    assert report["rounds"][0]["returned"] == 1


def test_the_api_report_is_the_same_as_the_cli_report(client, scored, people, bearer):
    response = client.get(f"/api/campaigns/{scored.pk}/report", **bearer(people.szq_lead))
    assert response.status_code == 200
    # The same user on both: the command line acts as the system unless told otherwise, and
    # the system also sees the written review's scores, which the county's own office does not.
    assert response.json() == report_from_cli(scored, "--as", "szq_lead")


def test_the_report_refuses_a_liaison_and_hides_from_another_county(client, scored, people, bearer):
    liaison = client.get(f"/api/campaigns/{scored.pk}/report", **bearer(people.szq_liaison))
    assert liaison.status_code == 403
    other = client.get(f"/api/campaigns/{scored.pk}/report", **bearer(people.xc_lead))
    assert other.status_code == 404
    with pytest.raises(CommandError):
        report_from_cli(scored, "--as", "xc_lead")


def test_the_text_report_reads_as_a_summary(scored):
    out = StringIO()
    call_command("campaign", "report", str(scored.pk), stdout=out)
    text = out.getvalue()
    assert "满分 40  自评 20  审核 7  预估 19" in text
    assert "1.1.2 行政执法公示制度全面推行（逾期" in text
    assert "当前轮次：第1轮 第一轮筛查" in text


def test_a_verdict_and_a_score_through_the_review_api(
    client, campaign, people, bearer, open_round, submit
):
    item, _ = submit("2.1.3")
    review = open_round().reviews.get(item=item)
    auth = bearer(people.szq_reviewer)
    stale = {"verdict": "pass", "comment": "", "version": 5}
    response = client.post(
        f"/api/reviews/reviews/{review.pk}/decision", stale, content_type="application/json", **auth
    )
    assert response.status_code == 400 and "没有保存" in response.json()["detail"]
    response = client.post(
        f"/api/reviews/reviews/{review.pk}/decision",
        {**stale, "version": 0},
        content_type="application/json",
        **auth,
    )
    assert response.json()["verdict"] == "pass"
    response = client.post(
        f"/api/reviews/items/{item.pk}/scores/review",
        {"deductions": [{"reason": "台账不全", "points": "1.5"}]},
        content_type="application/json",
        **auth,
    )
    assert response.json()["score"] == 10.5
    rounds = client.get(f"/api/reviews/campaigns/{campaign.pk}/rounds", **auth).json()
    assert rounds[0]["verdicts"]["pass"] == 1
