"""The main lists and endpoints run the same number of queries whatever the number of rows: each
is rendered once on the small campaign, then again after items, materials and campaigns were
added, and must not have run one query more.

The pages' own tests already guard their unfiltered views (campaigns/tests/test_views.py: the
campaign page; evidence/tests/test_ledger.py: the ledger; dashboards/tests/test_queries.py: the
dashboards of one campaign). This file covers the rest: those pages under their filters, the
index of dashboards over many campaigns, the liaison's task list, search, and the API."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fazhi.campaigns import services as campaign_services
from fazhi.campaigns.models import Campaign, ItemStatus
from fazhi.evidence import services as evidence_services
from fazhi.evidence.models import Evidence


def upload(user, item, name, text, **metadata) -> Evidence:
    return evidence_services.evidence_upload(
        acting_user=user, item=item, file=ContentFile(text.encode(), name=name), **metadata
    )


def new_campaign(lead, region, framework, name) -> Campaign:
    return campaign_services.campaign_create(
        acting_user=lead,
        framework=framework,
        region=region,
        name=name,
        period_start=date(2023, 1, 1),
        period_end=date(2025, 12, 31),
    )


@pytest.fixture
def grow(campaign, people, tree):
    """Adds a batch of everything, where every list under test sees it: `size` items refined
    from 2.1.4 (given to 区司法局), two materials on each (searchable for 复议, 执法 and
    执法检查), one of 区市场监管局 deleted again, two of the new items submitted and one of them
    returned, and campaigns of 市中区, 薛城区 and 枣庄市. The tests render once after a batch of
    two and again after a batch of eight, so that every filter already finds rows the first
    time."""
    lead = people.szq_lead
    parent = campaign.items.get(code="2.1.4")
    batches = []

    def _grow(size: int) -> str:
        batch = f"第{len(batches) + 1}批"
        batches.append(batch)
        refined = [
            campaign_services.item_refine(acting_user=lead, parent=parent, title=f"细化{batch}{n}")
            for n in range(size)
        ]
        for n, item in enumerate(refined):
            upload(people.szq_liaison, item, f"复议{batch}{n}.txt", f"行政复议决定书 执法 {n}")
            upload(people.szq_liaison, item, f"报告{batch}{n}.txt", f"执法检查报告 {n}")
        notice = upload(people.scjg_liaison, campaign.items.get(code="1.1.2"), "公示.txt", batch)
        evidence_services.evidence_delete(acting_user=people.scjg_liaison, evidence=notice)
        for item in refined[:2]:
            campaign_services.item_submit(acting_user=lead, item=item)
        campaign_services.item_return(acting_user=people.szq_reviewer, item=refined[1], reason="补")
        for region, user in [
            (tree.szq, lead),
            (tree.xc, people.xc_lead),
            (tree.city, people.city_lead),
        ]:
            new_campaign(user, region, campaign.framework, f"{region.name}创建{batch}")
        return batch

    return _grow


def count_queries(client, url, params=None, **headers):
    """The queries of the second of two identical requests (the first warms the session)."""
    client.get(url, params or {}, **headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {}, **headers)
    assert response.status_code == 200, response.content[:500]
    return len(queries), response


def assert_constant(client, url, grow, params=None, **headers):
    """Renders after a small batch and after a large one: the same number of queries. Returns
    both responses and the name of the large batch, which only the second may show."""
    grow(2)
    before, small = count_queries(client, url, params, **headers)
    batch = grow(8)
    after, large = count_queries(client, url, params, **headers)
    assert after == before, f"{url} {params}: {before} queries, then {after}"
    return small, large, batch


# -- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "city_inspector"])
def test_the_index_of_dashboards_costs_the_same_for_more_campaigns(persona, people, login, grow):
    client = login(getattr(people, persona))
    small, large, batch = assert_constant(client, reverse("dashboards:index"), grow)
    assert f"薛城区创建{batch}" in large.content.decode()
    assert f"枣庄市创建{batch}" in large.content.decode()
    assert "薛城区创建" in small.content.decode()


CAMPAIGN_FILTERS = {
    "status": lambda tree: {"status": ItemStatus.SUBMITTED},
    "unit": lambda tree: {"unit": tree.units.szq_sfj.pk},
    "words": lambda tree: {"q": "细化"},
    "code": lambda tree: {"q": "2.1.4"},
    "all": lambda tree: {"status": ItemStatus.RETURNED, "unit": tree.units.szq_sfj.pk, "q": "细化"},
    "unresolved": lambda tree: {"unresolved": "1"},
}


@pytest.mark.parametrize("name", CAMPAIGN_FILTERS)
def test_the_campaign_page_costs_the_same_under_its_filters(
    name, campaign, people, login, tree, grow
):
    client = login(people.szq_lead)
    url = reverse("campaigns:detail", args=[campaign.pk])
    _, large, batch = assert_constant(client, url, grow, CAMPAIGN_FILTERS[name](tree))
    assert (f"细化{batch}" in large.content.decode()) == (name != "unresolved")


@pytest.mark.parametrize("status", ["", ItemStatus.SUBMITTED, ItemStatus.RETURNED])
def test_the_task_list_costs_the_same_for_more_tasks(status, people, login, grow):
    client = login(people.szq_liaison)
    params = {"status": status} if status else {}
    _, large, batch = assert_constant(client, reverse("campaigns:my_tasks"), grow, params)
    html = large.content.decode()
    assert f"细化{batch}" in html
    assert (f"市中区创建{batch}" in html) == (not status)


LEDGER_FILTERS = {
    "unit": lambda tree: {"unit": tree.units.szq_sfj.pk},
    "area": lambda tree: {"area": "0002"},
    "type": lambda tree: {"kind": "txt"},
    "all": lambda tree: {"unit": tree.units.szq_sfj.pk, "area": "0002", "kind": "txt", "q": "复议"},
    "deleted": lambda tree: {"deleted": "1"},
}


@pytest.mark.parametrize("name", LEDGER_FILTERS)
def test_the_ledger_costs_the_same_under_its_filters(name, campaign, people, login, tree, grow):
    client = login(people.szq_lead)
    url = reverse("evidence:ledger", args=[campaign.pk])
    _, large, batch = assert_constant(client, url, grow, LEDGER_FILTERS[name](tree))
    assert f"复议{batch}" in large.content.decode()


@pytest.mark.parametrize("query", ["复议", "执法检查", "行政复议决定书"])
def test_search_costs_the_same_for_more_hits(query, campaign, people, login, grow):
    client = login(people.szq_lead)
    url = reverse("campaigns:search", args=[campaign.pk])
    small, large, batch = assert_constant(client, url, grow, {"q": query})
    assert "找到 0 份材料" not in small.content.decode()
    assert f"{batch}" in large.content.decode()


# -- the API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["all", "status", "code", "unit"])
def test_the_api_item_list_costs_the_same_for_more_items(
    name, client, campaign, people, tree, bearer, grow
):
    params = {
        "all": {},
        "status": {"status": ItemStatus.SUBMITTED},
        "code": {"q": "2.1.4"},
        "unit": {"unit": tree.units.szq_sfj.pk},
    }[name]
    url = f"/api/campaigns/{campaign.pk}/items"
    small, large, batch = assert_constant(client, url, grow, params, **bearer(people.szq_lead))
    assert len(large.json()) > len(small.json())
    assert any(batch in item["title"] for item in large.json())


def test_the_api_task_list_costs_the_same_for_more_tasks(client, people, bearer, grow):
    small, large, _ = assert_constant(
        client, "/api/campaigns/my-tasks", grow, **bearer(people.szq_liaison)
    )
    assert len(large.json()) > len(small.json())


@pytest.mark.parametrize("query", ["复议", "执法"])
def test_the_api_search_costs_the_same_for_more_hits(query, client, campaign, people, bearer, grow):
    params = {"campaign": campaign.pk, "q": query}
    small, large, batch = assert_constant(
        client, "/api/evidence/search", grow, params, **bearer(people.szq_lead)
    )
    assert len(large.json()) > len(small.json()) > 0
    assert any(batch in hit["title"] for hit in large.json())
