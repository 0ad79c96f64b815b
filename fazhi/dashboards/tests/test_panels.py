"""The panel registry: a new panel is one decorated function, and the pages, the export view and
the all-in-one workbook pick it up without any change to the views."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.dashboards.panels import CAMPAIGN, PANELS, Panel, panel


@pytest.fixture
def extra_panel():
    @panel("materials", pages=[CAMPAIGN], load=lambda board: board.campaign.items.count())
    def all_items(count):
        return Panel(
            title="全部任务项",
            columns=("类别", "数量"),
            rows=(("任务项（含上级指标）", count),),
            option={"series": [{"type": "bar", "data": [count]}]},
        )

    yield
    del PANELS["materials"]


def test_a_registered_panel_appears_on_the_page_and_in_the_exports(
    extra_panel, campaign, people, login
):
    client = login(people.szq_lead)
    page = client.get(reverse("dashboards:campaign", args=[campaign.pk])).content.decode()
    assert 'id="panel-materials"' in page and "任务项（含上级指标）" in page
    assert 'id="chart-materials-option"' in page
    one = client.get(reverse("dashboards:export", args=[campaign.pk, "materials"]))
    assert one.status_code == 200
    every = client.get(reverse("dashboards:export", args=[campaign.pk, "all"]))
    assert "全部任务项" in load_workbook(BytesIO(every.content)).sheetnames


def test_a_panel_name_is_taken_once():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        panel("areas")(lambda facts: None)


def test_a_column_is_numeric_when_its_cells_are_numbers_or_empty():
    built = Panel(title="t", columns=("a", "b", "c"), rows=(("x", 3, None), ("y", None, "z")))
    assert built.numeric == [False, True, False]
    assert [cell["num"] for cell in built.table[0]["cells"]] == [False, True, False]
