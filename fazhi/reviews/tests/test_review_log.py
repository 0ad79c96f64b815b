"""The review log (审核记录) as Excel: a round's list under the round page's filters, or every
round of a campaign, with each review's verdict, reviewer, comment history (naming the file a
note is about), resubmission and version; text that looks like a formula stays text, and each
user gets only the reviews they may see."""

import io
import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fazhi.accounts.system import SYSTEM
from fazhi.campaigns import services as campaign_services
from fazhi.campaigns.services import item_refine
from fazhi.conftest import make_user
from fazhi.frameworks.models import Node
from fazhi.reviews import services
from fazhi.reviews.exports import LOG_HEADERS
from fazhi.reviews.models import RoundScope, Verdict

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)"]


def decide(user, round_, item, verdict, comment="", notes=None):
    review = round_.reviews.get(item=item)
    return services.review_decide(
        acting_user=user,
        review=review,
        verdict=verdict,
        comment=comment,
        version=review.version,
        file_notes=notes,
    )


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def decided(people, open_round, submit):
    """Round 1: 1.1.1 sent back with a note on its file and resubmitted with an answer, 1.1.2
    passed, 2.1.3 waiting, 2.1.4 never submitted."""
    first, first_file = submit("1.1.1")
    second, _ = submit("1.1.2")
    submit("2.1.3")
    round_ = open_round()
    decide(
        people.szq_reviewer,
        round_,
        first,
        Verdict.REVISE,
        "请补充复议决定书",
        {first_file.pk: "缺少盖章"},
    )
    decide(people.szq_reviewer, round_, second, Verdict.PASS)
    first.refresh_from_db()
    campaign_services.item_submit(acting_user=people.szq_liaison, item=first, note="已补充盖章件")
    return round_


def page_codes(client, round_, params=None) -> list[str]:
    response = client.get(reverse("reviews:round", args=[round_.pk]), params or {})
    assert response.status_code == 200
    return [review.item.code for review in response.context["page"]]


def download(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def round_log(client, round_, params=None):
    return download(client, reverse("reviews:round_export", args=[round_.pk]), params)


def campaign_log(client, campaign):
    return download(client, reverse("reviews:log_export", args=[campaign.pk]))


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def area_key_of(campaign, code) -> str:
    return Node.objects.get(framework=campaign.framework, code=code).sort_key


# -- the page and the file agree -------------------------------------------------------------


FILTERS = {
    "none": lambda c: {},
    "verdict": lambda c: {"verdict": Verdict.PASS},
    "pending": lambda c: {"verdict": Verdict.PENDING},
    "area": lambda c: {"area": area_key_of(c, "2")},
    "area and verdict": lambda c: {"area": area_key_of(c, "1"), "verdict": Verdict.PENDING},
    "text": lambda c: {"q": "备案"},
    "code prefix": lambda c: {"q": "1.1"},
    "mine": lambda c: {"mine": "1"},
}


@pytest.mark.parametrize("name", FILTERS)
def test_a_rounds_log_holds_exactly_the_reviews_its_page_shows(
    campaign, people, login, decided, name
):
    client = login(people.szq_lead)
    params = FILTERS[name](campaign)
    exported = [row[1] for row in rows_of(round_log(client, decided, params))]
    assert exported == page_codes(client, decided, params)


def test_only_my_areas_follows_the_reviewers_seat(campaign, people, login, open_round, submit):
    area = Node.objects.get(framework=campaign.framework, code="2")
    submit("2.1.3")
    round_ = open_round(services.ReviewerSeat(people.szq_reviewer, (area,)))
    client = login(people.szq_reviewer)
    exported = [row[1] for row in rows_of(round_log(client, round_, {"mine": "1"}))]
    assert exported == page_codes(client, round_, {"mine": "1"}) == ["2.1.3", "2.1.4"]


def test_the_log_has_the_verdict_the_history_and_the_resubmission(campaign, people, login, decided):
    sheet = round_log(login(people.szq_lead), decided)
    assert [cell.value for cell in sheet[1]] == LOG_HEADERS
    rows = {row[1]: row for row in rows_of(sheet)}
    assert list(rows) == ["1.1.1", "1.1.2", "2.1.3", "2.1.4"]
    returned = decided.reviews.get(item__code="1.1.1")
    comments = list(returned.comments.order_by("created_at", "id"))
    assert rows["1.1.1"] == [
        "第1轮 内部审核",
        "1.1.1",
        "行政复议案件依法办理",
        "待审核",
        "szq_reviewer",
        local(returned.decided_at),
        "\n".join(
            [
                f"{local(comments[0].created_at)} szq_reviewer【退回修改】：请补充复议决定书",
                f"{local(comments[1].created_at)} szq_reviewer 关于《材料》（材料.txt）：缺少盖章",
                f"{local(comments[2].created_at)} szq_liaison：已补充盖章件",
            ]
        ),
        local(returned.resubmitted_at),
        2,
    ]
    assert rows["1.1.2"][3:5] == ["通过", "szq_reviewer"] and rows["1.1.2"][8] == 1
    assert rows["2.1.4"][3:] == ["单位未提交", None, None, None, None, 0]


def round_page_states(client, round_) -> dict[str, str]:
    """{code: 审核情况} as the round page's rows show it (the badge text, before any 已重新提交)."""
    page = client.get(reverse("reviews:round", args=[round_.pk])).content.decode()
    rows = re.findall(r'<td class="code">([^<]+)</td>(.*?)</tr>', page, re.S)
    return {
        code: re.findall(r'<span class="badge[^"]*"[^>]*>([^<]+)</span>', cells)[1]
        for code, cells in rows
    }


def test_the_log_says_where_an_undecided_item_stands_as_the_round_page_does(
    campaign, people, login, open_round, submit
):
    """Only a submitted item waits (待审核): one the unit never submitted is 单位未提交, one
    approved before the round 此前已通过, in the round's log and the campaign's alike."""
    approved, _ = submit("1.1.1")
    campaign_services.item_approve(acting_user=people.szq_lead, item=approved)
    submit("2.1.3")
    round_ = open_round()
    client = login(people.szq_lead)

    expected = {
        "1.1.1": "此前已通过",
        "1.1.2": "单位未提交",
        "2.1.3": "待审核",
        "2.1.4": "单位未提交",
    }
    assert {row[1]: row[3] for row in rows_of(round_log(client, round_))} == expected
    assert {row[1]: row[3] for row in rows_of(campaign_log(client, campaign))} == expected
    assert round_page_states(client, round_) == expected


def test_the_campaign_log_has_every_round_oldest_first(
    campaign, people, login, decided, open_round
):
    services.round_close(acting_user=people.szq_lead, round_=decided)
    second = open_round(name="第二轮筛查", scope=RoundScope.ALL)
    client = login(people.szq_lead)
    rows = rows_of(campaign_log(client, campaign))
    assert [(row[0], row[1]) for row in rows] == [
        *(("第1轮 内部审核", code) for code in ("1.1.1", "1.1.2", "2.1.3", "2.1.4")),
        *(("第2轮 第二轮筛查", code) for code in ("1.1.1", "1.1.2", "2.1.3", "2.1.4")),
    ]
    assert [row[1] for row in rows_of(round_log(client, second))] == page_codes(client, second)


def test_the_pages_link_to_the_logs_with_the_current_filters(campaign, people, login, decided):
    client = login(people.szq_lead)
    params = {"verdict": "pass", "q": "1.1", "page": "1"}
    html = unescape(
        client.get(reverse("reviews:round", args=[decided.pk]), params).content.decode()
    )
    export_url = reverse("reviews:round_export", args=[decided.pk])
    assert f'href="{export_url}?verdict=pass&q=1.1"' in html
    rounds = client.get(reverse("reviews:rounds", args=[campaign.pk])).content.decode()
    assert reverse("reviews:log_export", args=[campaign.pk]) in rounds


# -- safety ----------------------------------------------------------------------------------


def test_titles_and_names_that_look_like_formulas_come_out_as_plain_text(
    campaign, people, login, open_round, submit
):
    parent = campaign.items.get(code="2.1.4")
    for title in INJECTIONS:
        item_refine(acting_user=SYSTEM, parent=parent, title=title)
    reviewer = make_user("formula_reviewer", "reviewer", unit=people.szq_reviewer.unit)
    reviewer.display_name = "@SUM(A1)"
    reviewer.save()
    refined, _ = submit("2.1.4.1")
    round_ = open_round(services.ReviewerSeat(reviewer))
    decide(reviewer, round_, refined, Verdict.PASS)
    sheet = round_log(login(people.szq_lead), round_, {"q": "2.1.4."})
    titles = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in titles] == [f"'{title}" for title in INJECTIONS]
    assert {cell.data_type for cell in titles} == {"s"}
    name = next(sheet.iter_rows(min_row=2))[4]
    assert (name.value, name.data_type) == ("'@SUM(A1)", "s")


# -- scope -----------------------------------------------------------------------------------


def test_a_liaison_gets_only_the_reviews_of_their_units_items(campaign, people, login, decided):
    client = login(people.scjg_liaison)
    round_rows = rows_of(round_log(client, decided))
    assert [row[1] for row in round_rows] == page_codes(client, decided) == ["1.1.1", "1.1.2"]
    assert [row[1] for row in rows_of(campaign_log(client, campaign))] == ["1.1.1", "1.1.2"]
    filtered = {"q": "2.1"}
    assert rows_of(round_log(client, decided, filtered)) == []


def test_another_county_gets_404(campaign, people, login, decided):
    client = login(people.xc_lead)
    assert client.get(reverse("reviews:round_export", args=[decided.pk])).status_code == 404
    assert client.get(reverse("reviews:log_export", args=[campaign.pk])).status_code == 404
    outsider = login(people.xc_liaison)
    assert outsider.get(reverse("reviews:round_export", args=[decided.pk])).status_code == 404


# -- cost ------------------------------------------------------------------------------------


def test_the_logs_cost_the_same_queries_for_more_reviews(
    campaign, people, login, decided, open_round
):
    client = login(people.szq_lead)
    first_url = reverse("reviews:round_export", args=[decided.pk])
    log_url = reverse("reviews:log_export", args=[campaign.pk])
    client.get(first_url)
    with CaptureQueriesContext(connection) as round_few:
        client.get(first_url)
    with CaptureQueriesContext(connection) as log_few:
        client.get(log_url)
    services.round_close(acting_user=people.szq_lead, round_=decided)
    parent = campaign.items.get(code="2.1.4")
    for number in range(6):
        item_refine(acting_user=people.szq_lead, parent=parent, title=f"细化{number}")
    second = services.round_open(
        acting_user=people.szq_lead,
        campaign=campaign,
        name="第二轮筛查",
        scope=RoundScope.ALL,
        starts_on=date(2025, 4, 1),
        ends_on=date(2025, 4, 30),
        reviewers=[services.ReviewerSeat(people.szq_reviewer)],
    )
    second_url = reverse("reviews:round_export", args=[second.pk])
    with CaptureQueriesContext(connection) as round_many:
        rows = rows_of(download(client, second_url))
    with CaptureQueriesContext(connection) as log_many:
        client.get(log_url)
    assert len(rows) == 9 and second.reviews.count() == 9
    assert len(round_many) == len(round_few)
    assert len(log_many) == len(log_few)
