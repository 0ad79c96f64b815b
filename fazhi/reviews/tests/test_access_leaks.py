"""Three holes an attacker with a legitimate low-privilege account found (issue 14, points 2–4):

- the province's written-review score (书面评审) reached the county it evaluates through the
  campaign report (API and command line) while the score sheet hid it: one rule now decides,
  for the item page, the sheet and its Excel, the report and the CLI;
- a unit sharing an item read, in the item's review history and in the round's Excel log, the
  title, file name and the reviewer's note of another unit's material; and the API's item list
  counted every unit's materials;
- an expert named for one area could score any item of the open round through the API."""

import io
import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.campaigns import services as campaign_services
from fazhi.campaigns.services import item_refine
from fazhi.conftest import make_user
from fazhi.evidence import services as evidence_services
from fazhi.filing.tests.conftest import submit_filing
from fazhi.frameworks.models import Node
from fazhi.reviews import services
from fazhi.reviews.models import Assessment, GrantPurpose, Side, Verdict

# -- 2. the written review's score -----------------------------------------------------------


def give(user, item, side, points="0"):
    deductions = [services.DeductionEntry("", "扣分", points)] if points != "0" else []
    services.assessment_save(
        acting_user=user, item=item, side=side, deductions=deductions, version=None
    )


@pytest.fixture
def written(campaign, people):
    """1.1.1 self-scored 8, reviewed 7, and given 6 in the city's written review."""
    item = campaign.items.get(code="1.1.1")
    give(people.szq_lead, item, Side.SELF, "2")
    give(people.szq_reviewer, item, Side.REVIEW, "3")
    submit_filing(campaign, people.szq_lead)
    give(people.city_lead, item, Side.WRITTEN, "4")
    return campaign


@pytest.fixture
def personas(people, tree, expert, open_round, campaign):
    """Who belongs to the county being evaluated, and who evaluates it."""
    open_round(services.ReviewerSeat(people.szq_reviewer), services.ReviewerSeat(expert))
    evaluator = make_user("evaluator_li", "expert", region=tree.province)
    services.campaign_grant(
        acting_user=people.city_lead,
        campaign=campaign,
        user=evaluator,
        purpose=GrantPurpose.EVALUATION,
    )
    county = {
        "leader": people.szq_leader,
        "lead_office": people.szq_lead,
        "reviewer": people.szq_reviewer,
        "inspector": make_user("szq_inspector", "inspector", region=tree.szq),
        "round_expert": expert,
    }
    evaluators = {
        "city_lead_office": people.city_lead,
        "city_leader": make_user("city_leader", "leader", region=tree.city),
        "city_inspector": people.city_inspector,
        "written_expert": evaluator,
        "admin": people.admin,
    }
    return county, evaluators


COUNTY = ["leader", "lead_office", "reviewer", "inspector", "round_expert"]
EVALUATORS = ["city_lead_office", "city_leader", "city_inspector", "written_expert", "admin"]


def api_report(client, campaign, user, bearer) -> dict:
    response = client.get(f"/api/campaigns/{campaign.pk}/report", **bearer(user))
    assert response.status_code == 200
    return response.json()


def cli_report(campaign, user) -> dict:
    out = StringIO()
    call_command(
        "campaign", "--as", user.username, "report", str(campaign.pk), "--json", stdout=out
    )
    return json.loads(out.getvalue())


def sheet_headers(client, campaign) -> list:
    response = client.get(reverse("reviews:scores_export", args=[campaign.pk]))
    assert response.status_code == 200
    return list(next(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2)))


def written_anywhere(report: dict) -> bool:
    parts = [report["scores"], report["vetoed"]]
    for area in report["areas"]:
        parts += [area["scores"], area["scored"], area["vetoed"]]
    return any("written" in part for part in parts)


@pytest.mark.parametrize("who", COUNTY)
def test_the_county_being_evaluated_never_sees_the_written_score(
    who, written, personas, client, login, bearer
):
    user = personas[0][who]

    assert not written_anywhere(api_report(client, written, user, bearer))
    assert not written_anywhere(cli_report(written, user))
    client = login(user)
    sheet = client.get(reverse("reviews:scores", args=[written.pk])).content.decode()
    assert "书面评审" not in sheet
    assert not any("书面评审" in str(cell.value) for cell in sheet_headers(client, written))
    item = written.items.get(code="1.1.1")
    assert "书面评审" not in client.get(reverse("campaigns:item", args=[item.pk])).text


@pytest.mark.parametrize("who", EVALUATORS)
def test_the_evaluating_side_sees_the_written_score_everywhere_alike(
    who, written, personas, client, login, bearer
):
    user = personas[1][who]

    report = api_report(client, written, user, bearer)
    assert report["scores"]["written"] == 6
    assert report["areas"][0]["scores"]["written"] == 6
    assert cli_report(written, user)["scores"]["written"] == 6
    client = login(user)
    assert "书面评审" in client.get(reverse("reviews:scores", args=[written.pk])).text
    headers = [cell.value for cell in sheet_headers(client, written)]
    assert "书面评审得分" in headers


# -- 3. notes on another unit's material -----------------------------------------------------


@pytest.fixture
def noted(campaign, people, open_round):
    """1.1.1 is shared by 区司法局 (lead) and 区市场监管局: each has a material on it; the
    reviewer returns the item with a note on each unit's file."""
    item = campaign.items.get(code="1.1.1")
    own = evidence_services.evidence_upload(
        acting_user=people.szq_liaison,
        item=item,
        file=ContentFile(b"draft", name="sfj-neibu-caogao.docx"),
        title="司法局内部草稿",
    )
    other = evidence_services.evidence_upload(
        acting_user=people.scjg_liaison,
        item=item,
        file=ContentFile(b"scjg", name="scjg-gongshi.pdf"),
        title="市场监管局公示材料",
    )
    item.refresh_from_db()
    campaign_services.item_submit(acting_user=people.szq_liaison, item=item)
    round_ = open_round()
    review = round_.reviews.get(item=item)
    services.review_decide(
        acting_user=people.szq_reviewer,
        review=review,
        verdict=Verdict.REVISE,
        comment="请补充完整",
        version=review.version,
        file_notes={own.pk: "草稿中的处罚数据有误", other.pk: "公示截图不清晰"},
    )
    return round_, item


SFJ_SECRETS = ["司法局内部草稿", "sfj-neibu-caogao.docx", "草稿中的处罚数据有误"]
SCJG_OWN = ["市场监管局公示材料", "scjg-gongshi.pdf", "公示截图不清晰"]


def workbook_text(response) -> str:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)


def test_a_sharing_unit_does_not_read_notes_on_another_units_material(noted, people, login):
    round_, item = noted
    client = login(people.scjg_liaison)

    texts = {
        "item page": client.get(reverse("campaigns:item", args=[item.pk])).text,
        "round log": workbook_text(client.get(reverse("reviews:round_export", args=[round_.pk]))),
        "campaign log": workbook_text(
            client.get(reverse("reviews:log_export", args=[item.campaign_id]))
        ),
    }

    for where, text in texts.items():
        for secret in SFJ_SECRETS:
            assert secret not in text, f"{secret} in the {where}"
        for own in SCJG_OWN:
            assert own in text, f"{own} missing from the {where}"
        assert "请补充完整" in text  # the decision itself concerns every unit of the item


def test_the_owner_of_the_material_and_the_lead_office_still_read_the_notes(noted, people, login):
    round_, item = noted
    for user in (people.szq_liaison, people.szq_lead):
        client = login(user)
        page = client.get(reverse("campaigns:item", args=[item.pk])).text
        log = workbook_text(client.get(reverse("reviews:round_export", args=[round_.pk])))
        for text in (page, log):
            assert "草稿中的处罚数据有误" in text and "sfj-neibu-caogao.docx" in text


def test_the_api_item_list_counts_only_the_materials_the_caller_may_see(
    campaign, people, client, bearer
):
    item = campaign.items.get(code="1.1.1")
    for liaison, name in ((people.szq_liaison, "a.txt"), (people.szq_liaison, "b.txt")):
        evidence_services.evidence_upload(
            acting_user=liaison, item=item, file=ContentFile(b"x" + name.encode(), name=name)
        )
    parent = campaign.items.get(code="2.1.4")
    child = item_refine(acting_user=people.szq_lead, parent=parent, title="备案及时率")
    evidence_services.evidence_upload(
        acting_user=people.szq_liaison, item=child, file=ContentFile(b"child", name="c.txt")
    )

    def counts(user, url=f"/api/campaigns/{campaign.pk}/items"):
        response = client.get(url, **bearer(user))
        assert response.status_code == 200
        return {row["code"]: row["evidence_count"] for row in response.json()}

    lead = counts(people.szq_lead)
    assert (lead["1.1.1"], lead["2.1.4"], lead["2.1.4.1"]) == (2, 1, 1)
    sharing = counts(people.scjg_liaison)
    assert sharing["1.1.1"] == 0
    assert counts(people.scjg_liaison, "/api/campaigns/my-tasks")["1.1.1"] == 0
    assert counts(people.szq_liaison, "/api/campaigns/my-tasks")["1.1.1"] == 2


# -- 4. scores outside a reviewer's areas ----------------------------------------------------


@pytest.fixture
def area_round(campaign, people, expert, open_round, submit):
    """1.1.1 (area 1) and 2.1.3 (area 2) submitted; the expert and 市中区's reviewer judge
    area 2 only."""
    submit("1.1.1")
    submit("2.1.3")
    area = Node.objects.get(framework=campaign.framework, code="2")
    open_round(
        services.ReviewerSeat(people.szq_reviewer, (area,)), services.ReviewerSeat(expert, (area,))
    )
    return campaign


def score_by_api(client, item, auth):
    return client.post(
        f"/api/reviews/items/{item.pk}/scores/review",
        {"deductions": [{"reason": "台账不全", "points": "1"}]},
        content_type="application/json",
        **auth,
    )


@pytest.mark.parametrize("who", ["expert", "szq_reviewer"])
def test_a_reviewer_cannot_score_outside_their_areas_through_the_api(
    who, area_round, people, expert, client, bearer
):
    user = expert if who == "expert" else people.szq_reviewer
    outside = area_round.items.get(code="1.1.1")
    inside = area_round.items.get(code="2.1.3")

    refused = score_by_api(client, outside, bearer(user))
    allowed = score_by_api(client, inside, bearer(user))

    assert refused.status_code == 403
    assert not Assessment.objects.filter(item=outside).exists()
    assert allowed.status_code == 200 and allowed.json()["score"] == 11


def test_a_reviewer_cannot_score_outside_their_areas_from_the_page(area_round, expert, login):
    outside = area_round.items.get(code="1.1.1")
    login(expert).post(
        reverse("reviews:assess", args=[outside.pk, "review"]),
        {"version": "", "rule": [""], "reason": ["越权"], "points": ["1"]},
    )
    assert not Assessment.objects.filter(item=outside).exists()


def test_the_item_page_offers_no_score_form_outside_the_reviewers_areas(area_round, expert, login):
    from fazhi.reviews.selectors import item_panel

    outside = area_round.items.get(code="1.1.1")
    inside = area_round.items.get(code="2.1.3")
    may = {
        item.code: {s["side"]: s["may"] for s in item_panel(item=item, user=expert)["sides"]}
        for item in (outside, inside)
    }
    assert may["1.1.1"][Side.REVIEW] is False
    assert may["2.1.3"][Side.REVIEW] is True


def test_the_owner_and_an_unseated_reviewer_still_score_any_area(area_round, people, tree):
    other_reviewer = make_user("szq_reviewer2", "reviewer", region=tree.szq)
    outside = area_round.items.get(code="1.1.1")
    for user in (people.szq_lead, other_reviewer):
        assert services.may_assess(user, outside, Side.REVIEW)


@pytest.mark.parametrize("who", ["szq_liaison", "szq_reviewer"])
def test_the_item_page_reads_the_open_rounds_seats_once(who, area_round, people, login):
    inside = area_round.items.get(code="2.1.3")
    with CaptureQueriesContext(connection) as queries:
        page = login(getattr(people, who)).get(reverse("campaigns:item", args=[inside.pk]))
    assert page.status_code == 200
    seats = [q for q in queries.captured_queries if 'FROM "reviews_roundreviewer"' in q["sql"]]
    assert len(seats) == 1
