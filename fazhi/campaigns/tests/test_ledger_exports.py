"""The task list and the responsibility list exported from the campaign page: the file holds
exactly the items the page shows under the same filters, its links carry those filters, text
that Excel would run as a formula stays text, and each user gets only what they may see."""

import io
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.accounts.system import SYSTEM
from fazhi.campaigns import services
from fazhi.campaigns.models import ItemStatus

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)", "-2+3"]


def set_status(campaign, code, status):
    campaign.items.filter(code=code).update(status=status)


def page_codes(client, campaign, params) -> list[str]:
    response = client.get(reverse("campaigns:detail", args=[campaign.pk]), params)
    assert response.status_code == 200
    return [row["code"] for row in response.context["rows"]]


def download(client, name, campaign, params=None):
    response = client.get(reverse(f"campaigns:{name}", args=[campaign.pk]), params or {})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def body(sheet) -> list[list]:
    """The rows under the title row and the header row."""
    return [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


# Filter sets of the campaign page, given the `tree` fixture's units.
FILTERS = {
    "none": lambda units: {},
    "unit and status": lambda units: {"unit": units.szq_scjg.pk, "status": ItemStatus.RETURNED},
    "unit": lambda units: {"unit": units.szq_sfj.pk},
    "text": lambda units: {"q": "备案"},
    "code prefix": lambda units: {"q": "2.1"},
    "unresolved units": lambda units: {"unresolved": "1"},
    "status nobody has": lambda units: {"status": ItemStatus.APPROVED},
}


@pytest.mark.parametrize("name", FILTERS)
def test_the_task_list_holds_exactly_the_items_the_page_shows_under_the_same_filters(
    campaign, people, login, tree, name
):
    set_status(campaign, "1.1.2", ItemStatus.RETURNED)
    set_status(campaign, "1.1.1", ItemStatus.RETURNED)
    client = login(people.szq_lead)
    params = FILTERS[name](tree.units)
    shown = page_codes(client, campaign, params)
    exported = [row[0] for row in body(download(client, "export_tasks", campaign, params))]
    assert exported == shown


def test_filtering_by_unit_and_status_exports_just_those_items(campaign, people, login, tree):
    set_status(campaign, "1.1.1", ItemStatus.RETURNED)
    set_status(campaign, "1.1.2", ItemStatus.RETURNED)
    set_status(campaign, "2.1.4", ItemStatus.RETURNED)  # returned, but not 市场监管局's
    client = login(people.szq_lead)
    params = {"unit": tree.units.szq_scjg.pk, "status": ItemStatus.RETURNED}
    rows = body(download(client, "export_tasks", campaign, params))
    assert [(row[0], row[8]) for row in rows] == [("1.1.1", "已退回"), ("1.1.2", "已退回")]


def test_the_responsibility_list_filtered_by_a_unit_is_that_units_list(
    campaign, people, login, tree
):
    client = login(people.szq_lead)
    params = {"unit": tree.units.szq_scjg.pk}
    rows = body(download(client, "export_units", campaign, params))
    assert [tuple(row[:3]) for row in rows] == [
        ("市中区市场监督管理局", "牵头", "1.1.2"),
        ("市中区市场监督管理局", "责任", "1.1.1"),
    ]
    assert {row[2] for row in rows} == set(page_codes(client, campaign, params))


def test_the_responsibility_list_covers_the_items_the_page_shows(campaign, people, login):
    set_status(campaign, "2.1.3", ItemStatus.SUBMITTED)
    set_status(campaign, "1.1.2", ItemStatus.SUBMITTED)
    client = login(people.szq_lead)
    params = {"status": ItemStatus.SUBMITTED}
    rows = body(download(client, "export_units", campaign, params))
    assert (
        {row[2] for row in rows}
        == set(page_codes(client, campaign, params))
        == {
            "1.1.2",
            "2.1.3",
        }
    )
    assert ("中心街街道办事处", "责任", "1.1.2") in [tuple(row[:3]) for row in rows]


def test_the_campaign_pages_export_links_carry_its_filters_but_not_its_page(
    campaign, people, login, tree
):
    client = login(people.szq_lead)
    params = {"status": ItemStatus.RETURNED, "unit": tree.units.szq_scjg.pk, "page": "1"}
    html = unescape(
        client.get(reverse("campaigns:detail", args=[campaign.pk]), params).content.decode()
    )
    query = f"status=returned&unit={tree.units.szq_scjg.pk}"
    for name in ("export_tasks", "export_units"):
        assert f'href="{reverse(f"campaigns:{name}", args=[campaign.pk])}?{query}"' in html
    unfiltered = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert f'href="{reverse("campaigns:export_tasks", args=[campaign.pk])}"' in unfiltered


def test_titles_that_look_like_formulas_come_out_as_plain_text(campaign, people, login):
    parent = campaign.items.get(code="2.1.4")
    for title in INJECTIONS:
        services.item_refine(acting_user=SYSTEM, parent=parent, title=title)
    client = login(people.szq_lead)
    sheet = download(client, "export_tasks", campaign, {"q": "2.1.4."})
    cells = [row[3] for row in sheet.iter_rows(min_row=3)]
    assert [cell.value for cell in cells] == [f"'{title}" for title in INJECTIONS]
    assert {cell.data_type for cell in cells} == {"s"}
    units = download(client, "export_units", campaign, {"q": "2.1.4."})
    titles = {row[3].value: row[3].data_type for row in units.iter_rows(min_row=3)}
    assert titles == {f"'{title}": "s" for title in INJECTIONS}


def test_a_liaison_exports_only_their_units_rows_whatever_the_filter(campaign, people, login, tree):
    client = login(people.scjg_liaison)
    tasks = body(download(client, "export_tasks", campaign))
    assert [row[0] for row in tasks] == ["1.1.1", "1.1.2"] == page_codes(client, campaign, {})
    another_unit = {"unit": tree.units.szq_sfj.pk}
    tasks = body(download(client, "export_tasks", campaign, another_unit))
    assert [row[0] for row in tasks] == page_codes(client, campaign, another_unit) == ["1.1.1"]
    units = body(download(client, "export_units", campaign))
    assert {row[0] for row in units} == {"市中区市场监督管理局"}
    assert body(download(client, "export_units", campaign, another_unit)) == []


@pytest.mark.parametrize("name", ["export_tasks", "export_units"])
def test_another_county_gets_404_even_with_filters(campaign, people, login, tree, name):
    client = login(people.xc_lead)
    url = reverse(f"campaigns:{name}", args=[campaign.pk])
    assert client.get(url, {"unit": tree.units.xc_sfj.pk}).status_code == 404


@pytest.mark.parametrize("name", ["export_tasks", "export_units"])
def test_filtered_exports_cost_the_same_queries_for_more_items(campaign, people, login, name):
    client = login(people.szq_lead)
    url = reverse(f"campaigns:{name}", args=[campaign.pk])
    params = {"q": "2.1.4"}
    client.get(url, params)  # warm the session and the user's scope
    with CaptureQueriesContext(connection) as few:
        rows_few = len(body(load_workbook(io.BytesIO(client.get(url, params).content)).active))
    parent = campaign.items.get(code="2.1.4")
    for number in range(8):
        services.item_refine(acting_user=SYSTEM, parent=parent, title=f"细化{number}")
    with CaptureQueriesContext(connection) as many:
        rows_many = len(body(load_workbook(io.BytesIO(client.get(url, params).content)).active))
    assert rows_many > rows_few
    assert len(many) == len(few)
