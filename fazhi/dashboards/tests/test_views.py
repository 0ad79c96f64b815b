"""Dashboard pages: the campaign's figures and tables, the Excel exports, who reaches which view
(another county's lead office, a liaison, a leader), and the links into the dashboards."""

import json
import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fazhi.dashboards.panels import PANELS

TODAY = timezone.localdate


def board_url(campaign, unit=None):
    if unit is None:
        return reverse("dashboards:campaign", args=[campaign.pk])
    return reverse("dashboards:unit", args=[campaign.pk, unit.pk])


def export_url(campaign, panel, unit=None):
    args = [campaign.pk, unit.pk, panel] if unit else [campaign.pk, panel]
    return reverse("dashboards:export", args=args)


def main_content(response) -> str:
    """The page's own content, without the header (whose logout form every page has)."""
    html = response.content.decode()
    return re.search(r'<main class="content">(.*)</main>', html, re.S).group(1)


def section(html: str, name: str) -> str:
    return re.search(rf'<section [^>]*id="panel-{name}".*?</section>', html, re.S).group(0)


def sheet_rows(response):
    book = load_workbook(BytesIO(response.content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.fixture
def progressed(campaign, work):
    campaign.items.update(deadline=None)
    work.approve("1.1.1")
    work.submit("2.1.4")
    work.due("1.1.2", TODAY() - timedelta(days=12))
    return campaign


def test_the_campaign_dashboard_shows_figures_charts_and_tables(progressed, people, login):
    page = main_content(login(people.szq_lead).get(board_url(progressed)))
    assert "25%" in page  # 1 of 4 approved; the submitted 2.1.4 is not done
    for name in ("areas", "units", "overdue", "heatmap"):
        panel = section(page, name)
        assert f'data-chart="chart-{name}-option"' in panel
        assert "<table" in panel and "导出 Excel" in panel
    option = json.loads(
        re.search(r'id="chart-areas-option"[^>]*>(.*?)</script>', page, re.S).group(1)
    )
    approved = next(s for s in option["series"] if s["name"] == "已通过")
    assert approved["data"] == [1, 0]


def test_the_overdue_table_lists_late_items_with_their_days(progressed, people, login):
    overdue = section(main_content(login(people.szq_lead).get(board_url(progressed))), "overdue")
    assert "行政执法公示制度全面推行" in overdue
    assert '<td class="num">12</td>' in overdue
    assert "行政复议案件依法办理" not in overdue  # approved


def test_the_heat_map_table_shows_percentages_and_empty_cells(progressed, people, login):
    heat = section(main_content(login(people.szq_lead).get(board_url(progressed))), "heatmap")
    sfj = re.search(r"区司法局</a></th>(.*?)</tr>", heat, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", sfj) == ["100", "0", "33"]
    scjg = re.search(r"区市场监管局</a></th>(.*?)</tr>", heat, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", scjg) == ["0", "", "0"]


def test_a_panel_exports_its_table_to_excel(progressed, people, login):
    response = login(people.szq_lead).get(export_url(progressed, "units"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    (rows,) = sheet_rows(response).values()
    assert rows[1][:3] == ("牵头单位", "任务项", "已通过")
    assert rows[2][:3] == ("区市场监管局", 1, 0)
    assert rows[3][:3] == ("区司法局", 3, 1)


def test_every_panel_exports_in_one_workbook(progressed, people, login):
    sheets = sheet_rows(login(people.szq_lead).get(export_url(progressed, "all")))
    assert list(sheets) == [
        "各领域完成情况",
        "各牵头单位完成情况",
        "逾期任务项",
        "单位 × 领域 通过率",
        "预估得分与满分",
        "各轮审核退回情况",
    ]
    overdue = sheets["逾期任务项"]
    assert overdue[2][0] == "1.1.2" and overdue[2][4] == 12


def test_an_unknown_panel_is_not_found(campaign, people, login):
    client = login(people.szq_lead)
    assert client.get(export_url(campaign, "nothing")).status_code == 404
    assert client.get(export_url(campaign, "items")).status_code == 404  # a unit page's panel


def test_another_countys_lead_office_gets_not_found(campaign, people, login, tree):
    client = login(people.xc_lead)
    assert client.get(board_url(campaign)).status_code == 404
    assert client.get(board_url(campaign, tree.units.szq_sfj)).status_code == 404
    assert client.get(export_url(campaign, "all")).status_code == 404


def test_the_campaign_dashboard_links_every_units_view(campaign, people, login, tree):
    page = main_content(login(people.szq_lead).get(board_url(campaign)))
    nav = re.search(r'<nav class="dash-units".*?</nav>', page, re.S).group(0)
    for unit in (tree.units.szq_sfj, tree.units.szq_scjg, tree.units.szq_town):
        assert board_url(campaign, unit) in nav  # the town is only a responsible unit
    assert board_url(campaign, tree.units.xc_sfj) not in nav


def test_a_lead_office_cannot_open_a_unit_of_another_county(campaign, people, login, tree):
    client = login(people.szq_lead)
    assert client.get(board_url(campaign, tree.units.xc_sfj)).status_code == 404


def test_a_liaison_reaching_the_dashboard_sees_their_own_unit(campaign, people, login, tree):
    client = login(people.scjg_liaison)
    response = client.get(board_url(campaign))
    assert response.url == board_url(campaign, tree.units.szq_scjg)
    page = main_content(client.get(response.url))
    assert "区市场监管局" in page and "行政执法公示制度全面推行" in page
    assert "备案审查" not in page  # led by 区司法局, not given to this unit
    assert 'id="panel-units"' not in page and 'id="panel-heatmap"' not in page


def test_a_liaison_cannot_open_another_units_view_or_the_whole_campaign(
    campaign, people, login, tree
):
    client = login(people.scjg_liaison)
    assert client.get(board_url(campaign, tree.units.szq_sfj)).status_code == 404
    assert client.get(export_url(campaign, "all")).status_code == 404
    assert client.get(export_url(campaign, "all", tree.units.szq_sfj)).status_code == 404
    own = client.get(export_url(campaign, "items", tree.units.szq_scjg))
    (rows,) = sheet_rows(own).values()
    assert {row[0] for row in rows[2:]} == {"1.1.1", "1.1.2"}


def test_the_unit_view_shows_its_items_by_status_and_area(progressed, people, login, tree):
    page = main_content(login(people.szq_lead).get(board_url(progressed, tree.units.szq_sfj)))
    for name in ("status", "areas", "overdue", "items"):
        assert f'id="panel-{name}"' in page
    items = section(page, "items")
    assert "规范性文件合法性审查" in items and "牵头单位" in items
    assert "返回全局看板" in page


def test_the_leader_sees_the_same_figures_with_nothing_to_change(progressed, people, login):
    response = login(people.szq_leader).get(board_url(progressed))
    assert response.status_code == 200
    page = main_content(response)
    assert "25%" in page and "只读" in page
    assert "<form" not in page and "<button" not in page
    assert not re.search(r"hx-(post|put|patch|delete)|method=\"post\"", page, re.I)
    for changing in ("/edit/", "/assign/", "/import/", "/submit/", "/approve/", "/return/"):
        assert changing not in page
    assert "管理任务项" not in page


def test_the_lead_office_gets_the_links_to_manage(campaign, people, login):
    page = main_content(login(people.szq_lead).get(board_url(campaign)))
    assert "管理任务项" in page and "只读" not in page


def test_the_index_lists_visible_campaigns_with_their_headline(progressed, people, login):
    page = main_content(login(people.szq_leader).get(reverse("dashboards:index")))
    assert progressed.name in page and "25%" in page
    assert progressed.name not in main_content(
        login(people.xc_lead).get(reverse("dashboards:index"))
    )


def test_the_campaign_page_and_the_navigation_link_to_the_dashboards(campaign, people, login):
    html = login(people.szq_leader).get(reverse("campaigns:detail", args=[campaign.pk]))
    html = html.content.decode()
    assert board_url(campaign) in html
    assert f'href="{reverse("dashboards:index")}"' in html and "数据看板" in html


def test_the_charts_are_loaded_only_on_dashboard_pages(campaign, people, login):
    client = login(people.szq_lead)
    assert "echarts.min.js" in client.get(board_url(campaign)).content.decode()
    assert "echarts.min.js" not in client.get(reverse("dashboards:index")).content.decode()


def test_the_registry_holds_the_panels_of_both_pages():
    assert list(PANELS) == [
        "status",
        "areas",
        "units",
        "overdue",
        "heatmap",
        "items",
        "scores",
        "returns",
    ]
