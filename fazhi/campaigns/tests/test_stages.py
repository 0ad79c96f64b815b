"""Stages that gate (issue 22, point 5): uploads and resubmissions until the end of 申报, review
rounds in 自查, the written review from 评估 on; an item reopened by the lead office, with a
reason, takes uploads and resubmissions past its stage until it is approved."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from fazhi.accounts.models import AuditEntry
from fazhi.campaigns import services, stages
from fazhi.campaigns.models import Stage, StageKind
from fazhi.conftest import make_user
from fazhi.evidence.services import evidence_upload
from fazhi.filing import submissions
from fazhi.filing.tests.conftest import submit_filing
from fazhi.reviews.models import RoundScope, Side
from fazhi.reviews.services import DeductionEntry, ReviewerSeat, assessment_save, round_open


def set_stage(campaign, current: str):
    """Date the five stages so that `current` is today's."""
    today = timezone.localdate()
    order = list(StageKind.values)
    at = order.index(current)
    for stage in Stage.objects.filter(campaign=campaign):
        offset = (order.index(stage.kind) - at) * 30
        stage.starts_on = today + timedelta(days=offset - 10)
        stage.ends_on = today + timedelta(days=offset + 19)
        stage.save()


def upload(user, item, name="材料.txt"):
    return evidence_upload(acting_user=user, item=item, file=ContentFile(name.encode(), name=name))


def test_without_dates_nothing_is_gated(campaign, people):
    assert stages.current_stage(campaign) is None
    item = campaign.items.get(code="1.1.1")
    upload(people.szq_liaison, item)
    services.item_submit(acting_user=people.szq_liaison, item=item)


@pytest.mark.parametrize(
    ("current", "uploads", "rounds", "written"),
    [
        (StageKind.PREPARE, True, False, False),
        (StageKind.SELF_CHECK, True, True, False),
        (StageKind.FILING, True, False, False),
        (StageKind.EVALUATION, False, False, True),
        (StageKind.NAMING, False, False, True),
    ],
)
def test_each_stage_opens_and_closes_its_actions(campaign, current, uploads, rounds, written):
    set_stage(campaign, current)
    assert stages.current_stage(campaign).kind == current
    assert stages.is_open(campaign, "upload") is uploads
    assert stages.is_open(campaign, "submit") is uploads
    assert stages.is_open(campaign, "round") is rounds
    assert stages.is_open(campaign, "written") is written


def test_after_filing_uploads_and_submissions_are_refused_naming_the_stage(campaign, people):
    item = campaign.items.get(code="1.1.1")
    upload(people.szq_liaison, item)
    set_stage(campaign, StageKind.EVALUATION)
    with pytest.raises(ValidationError, match="当前处于“评估”阶段，不能上传材料"):
        upload(people.szq_liaison, item, "迟到的材料.txt")
    with pytest.raises(ValidationError, match="不能提交与重新提交"):
        services.item_submit(acting_user=people.szq_liaison, item=item)
    assert item.evidence.count() == 1


def test_a_reopened_item_takes_uploads_until_it_is_approved(campaign, people):
    item = campaign.items.get(code="1.1.1")
    set_stage(campaign, StageKind.EVALUATION)
    with pytest.raises(ValidationError, match="写明原因"):
        services.item_reopen(acting_user=people.szq_lead, item=item, reason="  ")
    with pytest.raises(Exception, match="无权"):
        services.item_reopen(acting_user=people.szq_liaison, item=item, reason="补充")
    services.item_reopen(acting_user=people.szq_lead, item=item, reason="省里要求补充复议台账")
    assert AuditEntry.objects.filter(action="item.reopen").count() == 1
    upload(people.szq_liaison, item)
    services.item_submit(acting_user=people.szq_liaison, item=item)
    services.item_approve(acting_user=people.szq_lead, item=item)
    item.refresh_from_db()
    assert item.reopen_reason == ""  # the reopening ends with the approval
    # Another item of the same campaign is still closed.
    with pytest.raises(ValidationError):
        upload(people.szq_liaison, campaign.items.get(code="2.1.3"))


def test_rounds_open_only_in_self_check(campaign, people):
    item = campaign.items.get(code="1.1.1")
    upload(people.szq_liaison, item)
    seat = [ReviewerSeat(user=people.szq_reviewer)]

    def open_round():
        return round_open(
            acting_user=people.szq_lead,
            campaign=campaign,
            name="内部审核",
            scope=RoundScope.ALL,
            starts_on=date(2025, 3, 1),
            ends_on=date(2025, 3, 31),
            reviewers=seat,
        )

    set_stage(campaign, StageKind.FILING)
    with pytest.raises(ValidationError, match="不能开启审核轮次（自查阶段开放）"):
        open_round()
    set_stage(campaign, StageKind.SELF_CHECK)
    assert open_round().number == 1


def test_the_written_review_waits_for_evaluation(campaign, people, tree):
    province_lead = make_user("province_lead", "lead_admin", region=tree.province)
    item = campaign.items.get(code="1.1.1")
    submit_filing(campaign, people.szq_lead)
    set_stage(campaign, StageKind.FILING)
    with pytest.raises(ValidationError, match="不能书面评审"):
        assessment_save(
            acting_user=province_lead, item=item, side=Side.WRITTEN, deductions=[], version=None
        )
    set_stage(campaign, StageKind.EVALUATION)
    score = assessment_save(
        acting_user=province_lead, item=item, side=Side.WRITTEN, deductions=[], version=None
    )
    assert score.score == Decimal(10)


def written(user, item, *deductions):
    current = item.assessments.filter(side=Side.WRITTEN).first()
    return assessment_save(
        acting_user=user,
        item=item,
        side=Side.WRITTEN,
        deductions=list(deductions),
        version=current.version if current else None,
    )


def test_the_written_review_reads_the_submitted_filing_and_pauses_while_it_is_reopened(
    campaign, people, login, bearer
):
    item = campaign.items.get(code="1.1.1")
    item_url = reverse("campaigns:item", args=[item.pk])
    city = login(people.city_lead)
    set_stage(campaign, StageKind.EVALUATION)

    with pytest.raises(ValidationError, match="本活动尚未提交申报，书面评审在牵头部门提交申报后"):
        written(people.city_lead, item)
    page = city.get(item_url).content.decode()
    assert 'id="written-closed"' in page and "尚未提交申报" in page
    assert "保存书面评审" not in page
    campaign_page = city.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "书面评审：已关闭" in campaign_page

    submit_filing(campaign, people.szq_lead)
    assert written(people.city_lead, item).score == 10
    page = city.get(item_url).content.decode()
    assert "保存书面评审" in page and 'id="written-closed"' not in page
    campaign_page = city.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "书面评审：开放" in campaign_page

    submissions.submission_reopen(
        acting_user=people.szq_lead, campaign=campaign, reason="补充复议案卷"
    )
    with pytest.raises(
        ValidationError, match="已由牵头部门于 .* 重新打开（原因：补充复议案卷），待重新提交后"
    ):
        written(people.city_lead, item)
    refused = city.post(reverse("reviews:assess", args=[item.pk, Side.WRITTEN]), follow=True)
    text = refused.content.decode()
    assert "待重新提交后继续书面评审" in text and "保存书面评审" not in text
    assert "书面评审：10 分" in text.replace("<strong>", "").replace("</strong>", "")
    api = city.post(
        f"/api/reviews/items/{item.pk}/scores/written",
        {"deductions": [], "version": 0},
        content_type="application/json",
        **bearer(people.city_lead),
    )
    assert api.status_code == 400 and "待重新提交后继续书面评审" in api.json()["detail"]

    second = submit_filing(campaign, people.szq_lead)
    assert second.number == 2
    again = written(people.city_lead, item, DeductionEntry("", "复议案卷不全", "1"))
    assert again.score == 9


def test_without_dates_the_written_review_still_waits_for_the_filing(campaign, people):
    assert stages.current_stage(campaign) is None
    item = campaign.items.get(code="1.1.1")
    with pytest.raises(ValidationError, match="尚未提交申报"):
        written(people.city_lead, item)
    submit_filing(campaign, people.szq_lead)
    assert written(people.city_lead, item).score == 10


def test_the_pages_show_the_stage_and_reopen_with_a_reason(login, campaign, people):
    set_stage(campaign, StageKind.EVALUATION)
    item = campaign.items.get(code="1.1.1")
    client = login(people.szq_lead)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert (
        'aria-current="step"' in page and "上传材料：已关闭" in page and "书面评审：已关闭" in page
    )
    item_page = client.get(reverse("campaigns:item", args=[item.pk])).content.decode()
    assert 'id="reopen-form"' in item_page
    refused = client.post(
        reverse("campaigns:item_reopen", args=[item.pk]), {"reason": ""}, follow=True
    )
    assert "写明原因" in refused.content.decode()
    client.post(reverse("campaigns:item_reopen", args=[item.pk]), {"reason": "补充台账"})
    item.refresh_from_db()
    assert item.reopen_reason == "补充台账"
    liaison_page = login(people.szq_liaison).get(reverse("campaigns:item", args=[item.pk]))
    assert 'id="reopen-note"' in liaison_page.content.decode()
    assert (
        login(people.szq_liaison)
        .post(reverse("campaigns:item_reopen", args=[item.pk]), {"reason": "自己开"})
        .status_code
        == 403
    )
