"""The reviewer's queue: only items their unit submitted (or resubmitted) wait for review, on the
round page, the rounds list, 审核任务, the API and the workbench alike; items the units have not
submitted are shown apart and never counted as waiting. A refused verdict keeps what the reviewer
chose and typed, with the error beside the field."""

import re

from django.urls import reverse

from fazhi.campaigns import services as campaign_services
from fazhi.reviews import services
from fazhi.reviews.models import Queue, Review, Verdict


def cards(page: str) -> dict[str, int]:
    """The round page's cards: label → number."""
    return {
        label: int(number)
        for label, number in re.findall(
            r'<a class="card"[^>]*><span class="muted">([^<]+)</span><strong>(\d+)</strong>', page
        )
    }


def codes(page: str) -> list[str]:
    return re.findall(r'<td class="code">([^<]+)</td>', page)


def test_only_submitted_items_wait_and_every_page_says_the_same_number(
    campaign, people, login, open_round, submit, bearer
):
    submit("1.1.1")
    round_ = open_round()  # over the four items; one of them submitted
    client = login(people.szq_reviewer)
    page = client.get(reverse("reviews:round", args=[round_.pk])).content.decode()
    assert cards(page)["待审核"] == 1
    assert cards(page)["单位未提交"] == 3
    waiting = client.get(reverse("reviews:round", args=[round_.pk]), {"verdict": "waiting"})
    assert codes(waiting.content.decode()) == ["1.1.1"]
    unsubmitted = client.get(reverse("reviews:round", args=[round_.pk]), {"verdict": "unsubmitted"})
    assert codes(unsubmitted.content.decode()) == ["1.1.2", "2.1.3", "2.1.4"]

    listed = client.get(reverse("reviews:rounds", args=[campaign.pk])).content.decode()
    row = re.search(r"<tr><td>第1轮</td>.*?</tr>", listed, re.S).group(0)
    numbers = re.findall(r'<td class="num">(?:<a [^>]*><strong>)?(\d+)', row)
    # 任务项, 通过, 退回修改, 补充材料, 待审核, 未提交
    assert numbers == ["4", "0", "0", "0", "1", "3"]

    mine = client.get(reverse("reviews:mine")).content.decode()
    assert "<strong>1</strong>" in mine and "verdict=waiting" in mine
    home = client.get(reverse("core:home")).content.decode()
    assert re.search(r"<strong>1</strong><span>待审核</span>", home)

    api = client.get(f"/api/reviews/campaigns/{campaign.pk}/rounds", **bearer(people.szq_reviewer))
    assert api.json()[0]["queue"][Queue.WAITING] == 1
    assert api.json()[0]["queue"][Queue.UNSUBMITTED] == 3


def test_a_returned_item_waits_again_once_resubmitted(people, login, open_round, submit):
    item, _ = submit("1.1.1")
    round_ = open_round()
    review = round_.reviews.get(item=item)
    services.review_decide(
        acting_user=people.szq_reviewer,
        review=review,
        verdict=Verdict.REVISE,
        comment="缺少工作报告",
        version=0,
    )
    url = reverse("reviews:round", args=[round_.pk])
    client = login(people.szq_reviewer)
    assert cards(client.get(url).content.decode())["待审核"] == 0
    item.refresh_from_db()
    campaign_services.item_submit(acting_user=people.szq_liaison, item=item, note="已补充")
    page = client.get(url).content.decode()
    assert cards(page)["待审核"] == 1 and "已重新提交" in page


def test_an_item_in_progress_is_not_waiting_on_the_item_page_either(
    campaign, people, login, open_round
):
    round_ = open_round()
    item = campaign.items.get(code="2.1.3")
    page = login(people.szq_reviewer).get(reverse("campaigns:item", args=[item.pk]))
    panel = page.content.decode().split('id="review"', 1)[1].split("</section>", 1)[0]
    assert "单位未提交" in panel and "待审核" not in panel
    assert "提交审核意见" not in panel  # nothing to decide yet
    assert round_.reviews.get(item=item).queue == Queue.UNSUBMITTED


# -- a refused verdict -------------------------------------------------------------------------


def decide(client, review, **data):
    return client.post(
        reverse("reviews:decide", args=[review.pk]), {"version": review.version, **data}
    )


def test_returning_without_a_comment_keeps_the_choice_and_shows_the_error_beside_the_field(
    people, login, open_round, submit
):
    item, evidence = submit("1.1.1")
    review = open_round().reviews.get(item=item)
    response = decide(
        login(people.szq_reviewer),
        review,
        verdict="revise",
        comment="  ",
        **{f"note_{evidence.pk}": "此件无盖章"},
    )
    assert response.status_code == 200  # the item page again, not a redirect
    page = response.content.decode()
    form = re.search(
        r'<form method="post" action="[^"]*#decision" id="decision".*?</form>', page, re.S
    )
    assert form, "the verdict form, with an anchor that brings it into view"
    form = form.group(0)
    assert re.search(r'value="revise"[^>]*checked', form)
    assert not re.search(r'value="pass"[^>]*checked', form)
    comment_error = re.search(
        r'<textarea name="comment"[^>]*aria-invalid="true".*?</textarea></label>\s*'
        r'<p class="error-text" id="comment-error"[^>]*>([^<]+)</p>',
        form,
        re.S,
    )
    assert comment_error and "请写明原因" in comment_error.group(1)
    assert 'value="此件无盖章"' in form  # the note on the file is kept too
    assert Review.objects.get(pk=review.pk).verdict == Verdict.PENDING


def test_no_verdict_chosen_shows_the_error_under_the_choices(people, login, open_round, submit):
    item, _ = submit("1.1.1")
    review = open_round().reviews.get(item=item)
    response = decide(login(people.szq_reviewer), review, comment="写了意见却没选")
    page = response.content.decode()
    fieldset = re.search(r'<fieldset class="verdicts".*?</fieldset>', page, re.S).group(0)
    assert 'aria-invalid="true"' in fieldset
    assert "请选择审核意见" in re.search(r'id="verdict-error"[^>]*>([^<]+)<', fieldset).group(1)
    assert "checked" not in fieldset
    assert "写了意见却没选" in page


def test_a_decision_that_goes_through_still_redirects_to_the_item(
    people, login, open_round, submit
):
    item, _ = submit("1.1.1")
    review = open_round().reviews.get(item=item)
    response = decide(login(people.szq_reviewer), review, verdict="pass", comment="")
    assert response.status_code == 302
    assert response.url == reverse("campaigns:item", args=[item.pk]) + "#review"
