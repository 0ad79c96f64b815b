"""The pages of an edition move: preview, confirmation, refusals on the page, the withdrawn
items still readable by those who could read them, and by no one else."""

import pytest
from django.urls import reverse

from fazhi.accounts.system import SYSTEM
from fazhi.campaigns.models import Item
from fazhi.campaigns.tests.test_editions import revised_rows, upload
from fazhi.conftest import campaign_rows
from fazhi.frameworks.services import framework_create


@pytest.fixture
def revised(campaign):
    return framework_create(
        acting_user=SYSTEM, name=campaign.framework.name, edition="2026", rows=revised_rows()
    )


def test_the_preview_lists_each_kind_and_changes_nothing(login, campaign, revised, people):
    client = login(people.szq_lead)
    url = reverse("campaigns:migrate", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "测试指标体系（2026）" in page  # offered as a target
    page = client.get(f"{url}?framework={revised.pk}").content.decode()
    assert 'id="migrate-counts"' in page and 'id="confirm-migrate"' in page
    for text in ("备案审查", "公平竞争审查制度落实", "评分待复核", "区市场监管局"):
        assert text in page
    only_new = client.get(f"{url}?framework={revised.pk}&kind=new").content.decode()
    assert "公平竞争审查制度落实" in only_new and "备案审查" not in only_new
    campaign.refresh_from_db()
    assert campaign.framework_id != revised.pk


def test_confirming_needs_the_tick_then_moves_the_campaign(login, campaign, revised, people):
    client = login(people.szq_lead)
    confirm = reverse("campaigns:migrate_confirm", args=[campaign.pk])
    response = client.post(confirm, {"framework": revised.pk}, follow=True)
    assert "我已核对以上变化" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.framework_id != revised.pk
    response = client.post(confirm, {"framework": revised.pk, "confirm": "yes"}, follow=True)
    assert "已迁移到" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.framework_id == revised.pk
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert 'id="recheck-banner"' in page and "已撤销的任务项（1）" in page


@pytest.mark.parametrize("target", ["same", "other", "missing", "garbage"])
def test_bad_targets_are_refused_on_the_page(login, campaign, people, target):
    other = framework_create(acting_user=SYSTEM, name="别的体系", edition="1", rows=campaign_rows())
    value = {
        "same": campaign.framework_id,
        "other": other.pk,
        "missing": 999999,
        "garbage": "第二版",
    }[target]
    client = login(people.szq_lead)
    preview = client.get(reverse("campaigns:migrate", args=[campaign.pk]), {"framework": value})
    assert preview.status_code == 200
    response = client.post(
        reverse("campaigns:migrate_confirm", args=[campaign.pk]),
        {"framework": value, "confirm": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert any(
        message in text
        for message in (
            "已在使用",
            "不是本活动指标体系",
            "找不到所选",
            "请选择要迁移到",
            "目标版本",
        )
    )
    campaign.refresh_from_db()
    assert campaign.framework.name == "测试指标体系" and campaign.framework.edition == "2025"


def test_a_withdrawn_item_stays_readable_with_its_material(login, campaign, revised, people):
    withdrawn = campaign.items.get(code="2.1.4")
    upload(people.szq_lead, withdrawn, "备案登记表.txt")
    client = login(people.szq_lead)
    client.post(
        reverse("campaigns:migrate_confirm", args=[campaign.pk]),
        {"framework": revised.pk, "confirm": "yes"},
    )
    listing = client.get(reverse("campaigns:archived", args=[campaign.pk])).content.decode()
    assert "备案审查" in listing
    page = client.get(reverse("campaigns:item", args=[withdrawn.pk])).content.decode()
    assert 'id="archived-note"' in page and "备案登记表" in page
    assert "提交审核" not in page and "修改</a>" not in page
    # The work lists no longer show it.
    tasks = login(people.szq_liaison).get(reverse("campaigns:my_tasks")).content.decode()
    assert "备案审查" not in tasks
    # Another county sees neither the list's rows nor the item.
    other = login(people.xc_lead)
    assert other.get(reverse("campaigns:item", args=[withdrawn.pk])).status_code == 404
    assert other.get(reverse("campaigns:archived", args=[campaign.pk])).status_code == 404
    assert Item.with_archived.get(pk=withdrawn.pk).evidence.count() == 1


def test_a_liaison_cannot_open_the_move(login, campaign, revised, people):
    client = login(people.szq_liaison)
    url = reverse("campaigns:migrate", args=[campaign.pk])
    assert client.get(url, {"framework": revised.pk}).status_code == 403
    response = client.post(
        reverse("campaigns:migrate_confirm", args=[campaign.pk]),
        {"framework": revised.pk, "confirm": "yes"},
    )
    assert response.status_code == 403
