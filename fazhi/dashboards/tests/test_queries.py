"""The dashboards run the same number of queries however many items, units and areas a campaign
has: each page reads its facts once and groups them in Python."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fazhi.campaigns.models import Item
from fazhi.campaigns.services import item_refine, items_assign
from fazhi.frameworks.models import Node
from fazhi.orgs.models import Unit


def grow(campaign, people, tree, work):
    """More of everything: refined items, new lead units, a new area with its own item, and
    items in every state, some of them late."""
    parent = campaign.items.get(code="2.1.4")
    for number in range(6):
        item_refine(acting_user=people.szq_lead, parent=parent, title=f"细化{number}")
    units = [
        Unit.objects.create(region=tree.szq, code=f"370402-x{n}", name=f"市中区第{n}局")
        for n in range(3)
    ]
    children = list(parent.children.order_by("sort_key"))
    for unit, item in zip(units, children, strict=False):
        items_assign(acting_user=people.szq_lead, campaign=campaign, items=[item], lead_unit=unit)
    area = Node.objects.create(
        framework=campaign.framework, level=1, position=3, sort_key="0003", code="3", title="新领域"
    )
    Item.objects.create(
        campaign=campaign,
        node=area,
        code="3.1",
        sort_key="0003.0001",
        title="新领域的任务项",
        deadline=timezone.localdate() - timedelta(days=5),
    )
    work.approve("1.1.1")
    work.submit("1.1.2")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES = {
    "campaign": lambda c, u: reverse("dashboards:campaign", args=[c.pk]),
    "unit": lambda c, u: reverse("dashboards:unit", args=[c.pk, u.pk]),
    "export_one": lambda c, u: reverse("dashboards:export", args=[c.pk, "heatmap"]),
    "export_all": lambda c, u: reverse("dashboards:export", args=[c.pk, "all"]),
    "export_unit": lambda c, u: reverse("dashboards:export", args=[c.pk, u.pk, "all"]),
    "index": lambda c, u: reverse("dashboards:index"),
}


@pytest.mark.parametrize(
    "persona, name",
    [
        *(("szq_lead", name) for name in PAGES),
        ("szq_leader", "campaign"),
        ("szq_liaison", "unit"),
        ("szq_liaison", "index"),
    ],
)
def test_the_dashboards_run_a_constant_number_of_queries(
    persona, name, campaign, people, login, tree, work
):
    url = PAGES[name](campaign, tree.units.szq_sfj)
    client = login(getattr(people, persona))
    before = count_queries(client, url)
    grow(campaign, people, tree, work)
    after = count_queries(client, url)
    assert after == before


def test_the_grown_campaign_is_really_bigger(campaign, people, tree, work, login):
    grow(campaign, people, tree, work)
    page = login(people.szq_lead).get(reverse("dashboards:campaign", args=[campaign.pk]))
    html = page.content.decode()
    assert "新领域" in html and "市中区第2局" in html
    assert "<strong>10</strong>" in html  # 4 items, 2.1.4 refined into 6, one in the new area
