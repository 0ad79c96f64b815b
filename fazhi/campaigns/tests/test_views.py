"""Campaign pages: creating, the item table with bulk assignment, the liaison's task list, the
item page's actions, checks and search, and who may reach what."""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from fazhi.campaigns.models import Campaign, ItemStatus
from fazhi.evidence import services as evidence_services


def test_the_lead_office_creates_a_campaign_from_a_framework(campaign, people, login, tree):
    client = login(people.szq_lead)
    response = client.post(
        reverse("campaigns:create"),
        {
            "name": "第二批创建",
            "level": "provincial",
            "region": tree.szq.pk,
            "framework": campaign.framework_id,
            "period_start": "2024-01-01",
            "period_end": "2025-12-31",
        },
    )
    created = Campaign.objects.get(name="第二批创建")
    assert response.url == reverse("campaigns:detail", args=[created.pk])
    assert created.items.count() == 4


def test_the_create_form_says_what_is_wrong(campaign, people, login, tree):
    client = login(people.szq_lead)
    response = client.post(
        reverse("campaigns:create"),
        {
            "name": "倒序",
            "level": "national",
            "region": tree.szq.pk,
            "framework": campaign.framework_id,
            "period_start": "2025-01-01",
            "period_end": "2024-01-01",
        },
    )
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_a_liaison_cannot_open_the_create_page(people, login):
    assert login(people.szq_liaison).get(reverse("campaigns:create")).status_code == 403


def test_the_campaign_page_lists_items_with_units_and_filters(campaign, people, login):
    client = login(people.szq_lead)
    url = reverse("campaigns:detail", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "行政复议案件依法办理" in page and "区司法局" in page
    assert "单位名称需要确认" in page  # 区气象局
    filtered = client.get(url, {"q": "备案"}).content.decode()
    assert "备案审查" in filtered and "行政复议案件依法办理" not in filtered
    waiting = client.get(url, {"unresolved": "1"}).content.decode()
    assert "规范性文件合法性审查" in waiting and "备案审查" not in waiting


def test_bulk_assignment_from_the_campaign_page(campaign, people, login, tree):
    client = login(people.szq_lead)
    items = campaign.items.filter(code__in=["2.1.3", "2.1.4"])
    response = client.post(
        reverse("campaigns:assign", args=[campaign.pk]),
        {
            "items": [i.pk for i in items],
            "lead_unit": tree.units.szq_scjg.pk,
            "deadline": "2025-10-31",
            "next": "https://evil.example/",
        },
    )
    assert response.url == reverse("campaigns:detail", args=[campaign.pk])
    assert set(items.values_list("deadline", flat=True)) == {date(2025, 10, 31)}


def test_bulk_assignment_without_a_change_says_so(campaign, people, login):
    client = login(people.szq_lead)
    response = client.post(
        reverse("campaigns:assign", args=[campaign.pk]),
        {"items": [campaign.items.first().pk]},
        follow=True,
    )
    assert "请至少选择一项要修改的内容" in response.content.decode()


def test_another_county_cannot_see_or_assign(campaign, people, login):
    client = login(people.xc_lead)
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 404
    response = client.post(reverse("campaigns:assign", args=[campaign.pk]), {"items": []})
    assert response.status_code == 404


def test_my_tasks_shows_deadlines_and_return_reasons(campaign, people, login):
    item = campaign.items.get(code="1.1.1")
    item.status, item.return_reason = ItemStatus.RETURNED, "缺少复议决定书原件扫描件"
    item.save()
    page = login(people.szq_liaison).get(reverse("campaigns:my_tasks")).content.decode()
    assert "缺少复议决定书原件扫描件" in page
    assert "2025-06-30" in page
    assert "2.1.4" in page and "1.1.2" not in page  # 1.1.2 belongs to 市场监管局 and towns


def test_refine_submit_return_and_approve_through_the_item_page(campaign, people, login):
    lead = login(people.szq_lead)
    indicator = campaign.items.get(code="2.1.4")
    lead.post(reverse("campaigns:item_refine", args=[indicator.pk]), {"title": "备案及时率"})
    child = indicator.children.get()
    evidence_services.evidence_upload(
        acting_user=people.szq_liaison, item=child, file=ContentFile(b"x", name="a.txt")
    )
    liaison = login(people.szq_liaison)
    liaison.post(reverse("campaigns:item_submit", args=[child.pk]))
    child.refresh_from_db()
    assert child.status == ItemStatus.SUBMITTED
    reviewer = login(people.szq_reviewer)
    reviewer.post(reverse("campaigns:item_return", args=[child.pk]), {"reason": "请补充台账"})
    child.refresh_from_db()
    indicator.refresh_from_db()
    assert child.status == ItemStatus.RETURNED and indicator.status == ItemStatus.RETURNED
    liaison = login(people.szq_liaison)
    page = liaison.get(reverse("campaigns:item", args=[child.pk])).content.decode()
    assert "请补充台账" in page


def test_checks_flag_duplicates_out_of_period_dates_and_due_items(campaign, people, login):
    item = campaign.items.get(code="1.1.1")
    for name in ("一.txt", "二.txt"):
        evidence_services.evidence_upload(
            acting_user=people.szq_liaison, item=item, file=ContentFile(b"same", name=name)
        )
    evidence_services.evidence_upload(
        acting_user=people.szq_liaison,
        item=item,
        file=ContentFile(b"old", name="旧文件.txt"),
        issued_on=date(2019, 5, 1),
    )
    due = campaign.items.get(code="2.1.4")
    due.deadline = timezone.localdate() + timedelta(days=3)
    due.save()
    page = login(people.szq_lead).get(reverse("campaigns:checks", args=[campaign.pk]))
    text = page.content.decode()
    assert "1 组" in text and "一" in text and "二" in text
    assert "旧文件" in text and "2019-05-01" in text
    assert "备案审查" in text  # due within a week with no material


def test_search_page_highlights_the_words(campaign, people, login):
    evidence_services.evidence_upload(
        acting_user=people.szq_liaison,
        item=campaign.items.get(code="1.1.1"),
        file=ContentFile("市中区行政复议工作总结".encode(), name="总结.txt"),
    )
    client = login(people.szq_lead)
    page = client.get(reverse("campaigns:search", args=[campaign.pk]), {"q": "复议"})
    assert "<mark>复议</mark>" in page.content.decode()


@pytest.mark.parametrize("name", ["campaigns:detail", "campaigns:checks", "campaigns:search"])
def test_campaign_pages_need_a_visible_campaign(campaign, people, login, name):
    assert login(people.xc_liaison).get(reverse(name, args=[campaign.pk])).status_code == 404


def test_the_campaign_page_makes_the_same_number_of_queries_for_more_items(campaign, people, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fazhi.campaigns.services import item_refine

    client = login(people.szq_lead)
    url = reverse("campaigns:detail", args=[campaign.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    parent = campaign.items.get(code="2.1.4")
    for number in range(10):
        item_refine(acting_user=people.szq_lead, parent=parent, title=f"细化{number}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_liaisons_home_page_counts_its_tasks(campaign, people, login):
    item = campaign.items.get(code="1.1.1")
    item.status, item.return_reason = ItemStatus.RETURNED, "补充"
    item.save()
    page = login(people.szq_liaison).get("/").content.decode()
    assert "本单位任务项" in page and "被退回待修改" in page
    assert "本单位任务项" not in login(people.szq_leader).get("/").content.decode()
