"""The workbench (工作台) lands each role on its own work: the liaison on their unit's tasks, the
reviewer on what waits for their verdict, the leader on the dashboard, the lead office on the
campaign's progress, the inspector on what they watch; a user with several roles sees each
card. Its numbers are the ones the other pages show, and it costs the same queries however many
campaigns, items and rounds there are."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fazhi.accounts.models import Role
from fazhi.campaigns import services as campaign_services
from fazhi.campaigns.models import ItemStatus
from fazhi.conftest import make_user
from fazhi.evidence import services as evidence_services
from fazhi.frameworks.models import Node
from fazhi.reviews import services as review_services
from fazhi.reviews.models import RoundScope

HOME = "/"


def home(login, user) -> str:
    response = login(user).get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def card(page: str, label: str) -> int | None:
    """The number on the card whose label starts with `label`."""
    match = re.search(rf"<strong>(\d+)</strong><span>{label}", page)
    return int(match.group(1)) if match else None


def submit_item(item, liaison):
    evidence_services.evidence_upload(
        acting_user=liaison, item=item, file=ContentFile(item.code.encode(), name="材料.txt")
    )
    item.refresh_from_db()
    campaign_services.item_submit(acting_user=liaison, item=item)
    return item


def submit(campaign, code, liaison):
    return submit_item(campaign.items.get(code=code), liaison)


def open_round(campaign, lead, *seats):
    return review_services.round_open(
        acting_user=lead,
        campaign=campaign,
        name="内部审核",
        scope=RoundScope.ALL,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        reviewers=list(seats),
    )


def test_a_liaison_lands_on_their_units_overdue_due_soon_and_returned_tasks(
    campaign, people, login, settings
):
    settings.FAZHI_REMINDER_DAYS = 3
    today = timezone.localdate()
    campaign.items.filter(code="1.1.1").update(deadline=today - timedelta(days=30))
    campaign.items.filter(code="2.1.3").update(deadline=today + timedelta(days=1))
    campaign.items.filter(code="2.1.4").update(status=ItemStatus.RETURNED)
    page = home(login, people.szq_liaison)
    assert card(page, "本单位任务项") == 3  # 1.1.1, 2.1.3, 2.1.4 of 司法局
    assert card(page, "已逾期") == 1
    assert card(page, "临近截止") == 1
    assert card(page, "被退回待修改") == 1
    assert 'id="my-reviews"' not in page and 'id="campaign-progress"' not in page


def test_other_roles_with_a_unit_get_no_unit_task_cards(campaign, people, login):
    # 审核员 sits in 司法局 too, but the unit's tasks are its liaison's work.
    page = home(login, people.szq_reviewer)
    assert "本单位任务项" not in page


def test_a_reviewer_lands_on_the_items_waiting_for_them_the_same_count_as_their_queue(
    campaign, people, login, tree
):
    expert = make_user("expert_li", "expert", region=tree.province)
    area = Node.objects.get(framework=campaign.framework, code="2")
    submit(campaign, "1.1.1", people.szq_liaison)
    submit(campaign, "2.1.3", people.szq_liaison)
    open_round(
        campaign,
        people.szq_lead,
        review_services.ReviewerSeat(people.szq_reviewer),
        review_services.ReviewerSeat(expert, (area,)),
    )
    page = home(login, people.szq_reviewer)
    assert card(page, "待审核") == 2  # the two submitted items, not the four of the round
    assert reverse("reviews:mine") in page
    queue = login(people.szq_reviewer).get(reverse("reviews:mine")).content.decode()
    assert "<strong>2</strong>" in queue
    assert card(home(login, expert), "待审核") == 1  # 2.1.3, the one in the expert's area


def test_a_reviewer_without_an_open_round_still_has_the_card(people, login, campaign):
    page = home(login, people.szq_reviewer)
    assert card(page, "待审核") == 0 and "目前没有需要您审核的轮次" in page


def test_a_leader_lands_on_the_dashboard(campaign, people, login, tree):
    response = login(people.szq_leader).get(HOME)
    assert response.status_code == 302
    assert response.url == reverse("dashboards:campaign", args=[campaign.pk])
    campaign_services.campaign_create(
        acting_user=people.szq_lead,
        framework=campaign.framework,
        region=tree.szq,
        name="第二个创建活动",
        period_start=date(2023, 1, 1),
        period_end=date(2025, 12, 31),
    )
    assert login(people.szq_leader).get(HOME).url == reverse("dashboards:index")


def test_the_lead_office_sees_the_campaigns_progress_in_the_numbers_other_pages_show(
    campaign, people, login
):
    parent = campaign.items.get(code="2.1.4")
    for title in ("制度文件", "执行台账"):
        campaign_services.item_refine(acting_user=people.szq_lead, parent=parent, title=title)
    today = timezone.localdate()
    campaign.items.filter(code="1.1.1").update(deadline=today - timedelta(days=671))
    submit(campaign, "2.1.3", people.szq_liaison)
    round_ = open_round(
        campaign, people.szq_lead, review_services.ReviewerSeat(people.szq_reviewer)
    )
    page = home(login, people.szq_lead)
    section = page[page.index('id="campaign-progress"') :]
    row = re.search(r"<tr><td><a href=\"/campaigns/\d+/\">.*?</tr>", section, re.S).group(0)
    numbers = [int(n) for n in re.findall(r'<td class="num">(?:<[^>]+>)*(\d+)', row)]
    # 指标, 任务项, 未开始, 进行中, 已提交, 已退回, 已通过, 已逾期, 临近截止
    assert numbers == [4, 5, 4, 0, 1, 0, 0, 1, 0]
    assert f"{round_}" in row and "待审核 1 项" in row
    assert reverse("dashboards:campaign", args=[campaign.pk]) in row
    # 任务项 means the same five items on the campaign list, the dashboards and the round.
    client = login(people.szq_lead)
    listed = client.get(reverse("campaigns:list")).content.decode()
    assert re.search(r'<td class="num">5</td></tr>', listed)
    board = client.get(reverse("dashboards:index")).content.decode()
    assert re.search(r'<td class="num">5</td>', board)
    assert round_.reviews.count() == 5
    assert not re.search(r"\b106\b|\b6 个任务项", page)


def test_an_inspector_watches_the_campaigns_overdue_items(campaign, people, login):
    campaign.items.filter(code="1.1.1").update(deadline=timezone.localdate() - timedelta(days=3))
    page = home(login, people.city_inspector)
    section = page[page.index('id="watched"') :]
    assert campaign.name in section
    assert reverse("dashboards:campaign", args=[campaign.pk]) in section
    assert '<span class="badge red">1</span>' in section
    assert 'id="campaign-progress"' not in page


def test_a_user_with_several_roles_sees_each_card(campaign, people, login):
    both = people.szq_liaison
    both.roles.add(Role.objects.get(code="reviewer"))
    submit(campaign, "1.1.1", both)
    open_round(campaign, people.szq_lead, review_services.ReviewerSeat(both))
    page = home(login, both)
    assert card(page, "本单位任务项") == 3
    assert card(page, "待审核") == 1


# -- queries ---------------------------------------------------------------------------------


@pytest.fixture
def busier(campaign, people, tree):
    """Adds refined items (some submitted), a second round's worth of campaigns in 市中区 and
    薛城区 each with an open round, every time it is called."""
    calls = []

    def _grow(size: int):
        calls.append(size)
        parent = campaign.items.get(code="2.1.4")
        refined = [
            campaign_services.item_refine(
                acting_user=people.szq_lead, parent=parent, title=f"细化{len(calls)}-{n}"
            )
            for n in range(size)
        ]
        for item in refined[: size // 2]:
            submit_item(item, people.szq_liaison)
        for region, lead in [(tree.szq, people.szq_lead), (tree.xc, people.xc_lead)]:
            for n in range(size // 2):
                other = campaign_services.campaign_create(
                    acting_user=lead,
                    framework=campaign.framework,
                    region=region,
                    name=f"{region.name}创建{len(calls)}-{n}",
                    period_start=date(2023, 1, 1),
                    period_end=date(2025, 12, 31),
                )
                open_round(other, lead, review_services.ReviewerSeat(people.szq_reviewer))

    return _grow


def home_queries(client) -> int:
    client.get(HOME)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code in (200, 302)
    return len(queries)


@pytest.mark.parametrize(
    "persona", ["szq_liaison", "szq_reviewer", "szq_lead", "city_lead", "admin", "city_inspector"]
)
def test_the_workbench_costs_the_same_queries_for_more_campaigns_items_and_rounds(
    persona, campaign, people, login, busier
):
    client = login(getattr(people, persona))
    busier(2)
    before = home_queries(client)
    busier(8)
    assert home_queries(client) == before


def test_an_evaluator_lands_on_the_evaluations_they_are_seated_on(campaign, people, login, tree):
    """An outside evaluator's work is the written review of an evaluation's applicants: the
    workbench leads there; the county's own staff, outside the evaluation, see no such card."""
    from fazhi.fieldwork import services as fieldwork_services

    province_lead = make_user("province_lead", "lead_admin", region=tree.province)
    evaluator = make_user("evaluator_qian", "expert", region=tree.city)
    evaluation = fieldwork_services.evaluation_create(
        acting_user=province_lead, region=tree.province, name="全省示范创建评估"
    )
    fieldwork_services.applicants_add(
        acting_user=province_lead, evaluation=evaluation, campaigns=[campaign]
    )
    fieldwork_services.evaluator_grant(
        acting_user=province_lead, evaluation=evaluation, user=evaluator
    )
    link = reverse("fieldwork:detail", args=[evaluation.pk])

    for user in (evaluator, province_lead):
        page = home(login, user)
        assert 'id="evaluations"' in page
        assert link in page and "全省示范创建评估" in page

    for user in (people.szq_lead, people.szq_liaison):
        assert 'id="evaluations"' not in home(login, user)
