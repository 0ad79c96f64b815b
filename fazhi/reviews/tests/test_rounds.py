"""Review rounds: opening over all or returned items, verdicts with comments on files, the unit's
resubmission, closing, conflicts between two reviewers, and who may do what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fazhi.campaigns import services as campaign_services
from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.evidence.models import Evidence
from fazhi.frameworks.models import Node
from fazhi.reviews import services
from fazhi.reviews.models import Comment, Review, RoundScope, RoundStatus, Verdict
from fazhi.reviews.selectors import item_history, returns_per_round


def decide(review, user, verdict, comment="", **extra):
    review.refresh_from_db()
    return services.review_decide(
        acting_user=user,
        review=review,
        verdict=verdict,
        comment=comment,
        version=review.version,
        **extra,
    )


def resubmit(item, user, note=""):
    item.refresh_from_db()
    return campaign_services.item_submit(acting_user=user, item=item, note=note)


def test_a_round_covers_every_item_units_work_on(campaign, open_round):
    round_ = open_round()
    assert round_.number == 1 and round_.status == RoundStatus.OPEN
    assert sorted(round_.reviews.values_list("item__code", flat=True)) == [
        "1.1.1",
        "1.1.2",
        "2.1.3",
        "2.1.4",
    ]


def test_only_one_round_is_open_at_a_time(open_round):
    open_round()
    with pytest.raises(ValidationError, match="上一轮审核尚未结束"):
        open_round(name="第二轮")


def test_a_round_of_returned_items_takes_only_those(campaign, people, open_round, submit):
    item, _ = submit("1.1.1")
    submit("2.1.3")
    first = open_round()
    decide(first.reviews.get(item=item), people.szq_reviewer, Verdict.REVISE, "缺少复议决定书")
    services.round_close(acting_user=people.szq_lead, round_=first)
    second = open_round(name="第二轮筛查", scope=RoundScope.RETURNED)
    assert second.number == 2
    assert list(second.reviews.values_list("item__code", flat=True)) == ["1.1.1"]


def test_passing_approves_the_item_and_keeps_the_comment(people, open_round, submit):
    item, _ = submit("1.1.1")
    review = open_round().reviews.get(item=item)
    decide(review, people.szq_reviewer, Verdict.PASS, "材料齐全")
    item.refresh_from_db()
    review.refresh_from_db()
    assert item.status == ItemStatus.APPROVED
    assert review.verdict == Verdict.PASS and review.reviewer == people.szq_reviewer
    assert review.comments.get().text == "材料齐全"


def test_returning_needs_a_reason_and_ties_notes_to_files(people, open_round, submit):
    item, evidence = submit("1.1.1", name="复议决定书.txt")
    review = open_round().reviews.get(item=item)
    with pytest.raises(ValidationError, match="请写明原因"):
        decide(review, people.szq_reviewer, Verdict.SUPPLEMENT)
    decide(
        review,
        people.szq_reviewer,
        Verdict.SUPPLEMENT,
        "请补充2024年的复议决定书",
        file_notes={evidence.pk: "这份是2021年的，不在评估期内"},
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED
    assert item.return_reason == "【补充材料】请补充2024年的复议决定书"
    note = Comment.objects.get(evidence=evidence)
    assert note.text == "这份是2021年的，不在评估期内"


def test_a_note_on_another_items_file_is_refused(people, open_round, submit):
    item, _ = submit("1.1.1")
    _, other = submit("2.1.3")
    review = open_round().reviews.get(item=item)
    with pytest.raises(ValidationError, match="不属于 1.1.1"):
        decide(review, people.szq_reviewer, Verdict.REVISE, "见批注", file_notes={other.pk: "?"})
    assert Item.objects.get(pk=item.pk).status == ItemStatus.SUBMITTED


def test_an_item_not_yet_submitted_cannot_be_judged(people, open_round, campaign):
    review = open_round().reviews.get(item__code="1.1.2")
    with pytest.raises(ValidationError, match="待单位提交后才能审核"):
        decide(review, people.szq_reviewer, Verdict.PASS)


def test_resubmitting_puts_the_review_back_in_the_queue_with_the_units_answer(
    people, open_round, submit
):
    item, _ = submit("1.1.1")
    review = open_round().reviews.get(item=item)
    decide(review, people.szq_reviewer, Verdict.REVISE, "缺少工作报告")
    resubmit(item, people.szq_liaison, "已补充工作报告")
    review.refresh_from_db()
    assert review.verdict == Verdict.PENDING and review.resubmitted_at is not None
    decide(review, people.szq_reviewer, Verdict.PASS, "通过")
    history = item_history(item=item, user=people.szq_liaison)
    texts = [comment.text for comment in history[0]["comments"]]
    assert texts == ["缺少工作报告", "已补充工作报告", "通过"]


def test_two_reviewers_deciding_the_same_version_do_not_overwrite_each_other(
    people, open_round, submit
):
    item, _ = submit("1.1.1")
    round_ = open_round(
        services.ReviewerSeat(people.szq_reviewer), services.ReviewerSeat(people.szq_lead)
    )
    review = round_.reviews.get(item=item)
    seen = review.version
    services.review_decide(
        acting_user=people.szq_reviewer,
        review=review,
        verdict=Verdict.REVISE,
        comment="缺少报告",
        version=seen,
    )
    stale = Review.objects.get(pk=review.pk)
    with pytest.raises(services.ConflictError, match="已由 szq_reviewer .*改为“退回修改”"):
        services.review_decide(
            acting_user=people.szq_lead,
            review=stale,
            verdict=Verdict.PASS,
            comment="",
            version=seen,
        )
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED
    assert Comment.objects.filter(review=review).count() == 1


def test_closing_freezes_the_counts_and_refuses_later_verdicts(people, open_round, submit):
    item, _ = submit("1.1.1")
    round_ = open_round()
    decide(round_.reviews.get(item=item), people.szq_reviewer, Verdict.REVISE, "请补充")
    closed = services.round_close(acting_user=people.szq_lead, round_=round_)
    assert closed.summary == {"pending": 3, "pass": 0, "revise": 1, "supplement": 0}
    resubmit(item, people.szq_liaison)
    with pytest.raises(ValidationError, match="已经结束"):
        decide(round_.reviews.get(item=item), people.szq_reviewer, Verdict.PASS)
    with pytest.raises(ValidationError, match="已经结束"):
        services.round_close(acting_user=people.szq_lead, round_=closed)


def test_every_rounds_returns_are_counted_once_per_item(campaign, people, open_round, submit):
    item, _ = submit("1.1.1")
    round_ = open_round()
    review = round_.reviews.get(item=item)
    decide(review, people.szq_reviewer, Verdict.REVISE, "第一次")
    resubmit(item, people.szq_liaison)
    decide(review, people.szq_reviewer, Verdict.REVISE, "第二次")
    services.round_close(acting_user=people.szq_lead, round_=round_)
    rows = returns_per_round(campaign)
    assert [(row["number"], row["items"], row["returned"]) for row in rows] == [(1, 4, 1)]


def test_an_outside_expert_is_granted_the_campaign_and_judges_only_their_areas(
    campaign, people, expert, open_round, submit
):
    assert not Campaign.objects.visible_to(expert).exists()
    first_area = Node.objects.get(framework=campaign.framework, code="1")
    first, evidence = submit("1.1.1")
    second, _ = submit("2.1.3")
    round_ = open_round(services.ReviewerSeat(expert, (first_area,)))
    assert Campaign.objects.visible_to(expert).get() == campaign
    assert Evidence.objects.visible_to(expert).filter(pk=evidence.pk).exists()
    decide(round_.reviews.get(item=first), expert, Verdict.PASS, "符合要求")
    with pytest.raises(PermissionDenied, match="不是本轮该领域的审核人"):
        decide(round_.reviews.get(item=second), expert, Verdict.PASS)


def test_an_expert_without_a_grant_sees_nothing_even_in_the_same_region(tree, campaign, open_round):
    from fazhi.conftest import make_user

    local_expert = make_user("expert_li", "expert", region=tree.szq)
    open_round()
    assert not Campaign.objects.visible_to(local_expert).exists()
    assert not Review.objects.visible_to(local_expert).exists()


def test_a_reviewer_may_neither_open_nor_close_a_round(people, campaign, open_round):
    from datetime import date

    with pytest.raises(PermissionDenied, match="牵头科室"):
        services.round_open(
            acting_user=people.szq_reviewer,
            campaign=campaign,
            name="自行开启",
            scope=RoundScope.ALL,
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 1, 31),
            reviewers=[services.ReviewerSeat(people.szq_reviewer)],
        )
    round_ = open_round()
    with pytest.raises(PermissionDenied):
        services.round_close(acting_user=people.szq_reviewer, round_=round_)


def test_a_liaison_cannot_be_named_reviewer(people, campaign):
    from datetime import date

    with pytest.raises(ValidationError, match="不是审核员或评审专家"):
        services.round_open(
            acting_user=people.szq_lead,
            campaign=campaign,
            name="内部审核",
            scope=RoundScope.ALL,
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 1, 31),
            reviewers=[services.ReviewerSeat(people.szq_liaison)],
        )


def test_another_countys_lead_office_cannot_close_the_round(people, open_round):
    round_ = open_round()
    with pytest.raises(PermissionDenied):
        services.round_close(acting_user=people.xc_lead, round_=round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN


def test_the_unit_sees_the_history_but_another_unit_does_not(people, open_round, submit):
    item, _ = submit("1.1.1")
    decide(open_round().reviews.get(item=item), people.szq_reviewer, Verdict.REVISE, "请补充")
    assert item_history(item=item, user=people.szq_liaison)
    assert item_history(item=item, user=people.xc_liaison) == []
