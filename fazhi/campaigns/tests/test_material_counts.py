"""The 材料 column counts only the materials the reader may see (issue 14, point 3): a unit
sharing an item must not learn from the campaign page, the item page's refined items or the
task list's 材料数 that another unit has materials there, drafts included. The lead office
still sees every unit's."""

import io
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.campaigns.models import Assignment, AssignmentRole
from fazhi.campaigns.services import item_refine
from fazhi.conftest import make_user
from fazhi.evidence.services import evidence_delete, evidence_upload


class Tables(HTMLParser):
    """The text of each cell, by row, by table."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def materials_column(html: str) -> dict[str, str]:
    """{code: the 材料 cell} of the table of items (headed 编码 … 材料)."""
    parser = Tables()
    parser.feed(html)
    (header, *rows), *_ = (t for t in parser.tables if {"编码", "材料"} <= set(t[0]))
    code, materials = header.index("编码"), header.index("材料")
    return {row[code]: row[materials] for row in rows if len(row) == len(header)}


def upload(user, item, name):
    return evidence_upload(acting_user=user, item=item, file=ContentFile(name.encode(), name=name))


@pytest.fixture
def shared(campaign, people):
    """1.1.1 (区司法局 leads, 区市场监管局 shares) refined into 1.1.1.1, which both units carry
    over. 区司法局 keeps two drafts there, 区市场监管局 one material of its own; 1.1.2 holds a
    draft of 区市场监管局 only."""
    parent = campaign.items.get(code="1.1.1")
    child = item_refine(acting_user=people.szq_lead, parent=parent, title="复议决定书公开")
    upload(people.szq_liaison, child, "sfj-caogao-1.txt")
    upload(people.szq_liaison, child, "sfj-caogao-2.txt")
    upload(people.scjg_liaison, child, "scjg-own.txt")
    upload(people.scjg_liaison, campaign.items.get(code="1.1.2"), "scjg-gongshi.txt")
    return parent, child


def campaign_page(client, campaign) -> dict[str, str]:
    response = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert response.status_code == 200
    return materials_column(response.content.decode())


def refined_items(client, parent) -> dict[str, str]:
    response = client.get(reverse("campaigns:item", args=[parent.pk]))
    assert response.status_code == 200
    return materials_column(response.content.decode())


def task_list(client, campaign) -> dict[str, int]:
    response = client.get(reverse("campaigns:export_tasks", args=[campaign.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    column = rows[0].index("材料数")
    return {row[0]: row[column] for row in rows[1:]}


def test_a_sharing_unit_sees_only_its_own_materials_on_the_campaign_page(
    shared, campaign, people, login
):
    counts = campaign_page(login(people.scjg_liaison), campaign)

    assert (counts["1.1.1"], counts["1.1.1.1"], counts["1.1.2"]) == ("1", "1", "1")


def test_a_sharing_unit_sees_only_its_own_materials_among_the_refined_items(shared, people, login):
    parent, _ = shared

    assert refined_items(login(people.scjg_liaison), parent) == {"1.1.1.1": "1"}


def test_a_sharing_unit_without_materials_sees_none_of_the_others_drafts(
    shared, campaign, people, login, tree
):
    """The draft's own unit's liaison sees them; a sharing unit with nothing uploaded sees 0."""
    parent, child = shared
    for item in (parent, child):
        Assignment.objects.create(
            item=item, unit=tree.units.szq_town, role=AssignmentRole.RESPONSIBLE
        )
    town = login(make_user("town_liaison", "liaison", unit=tree.units.szq_town))

    page, exported = campaign_page(town, campaign), task_list(town, campaign)
    assert (page["1.1.1"], page["1.1.1.1"]) == ("0", "0")
    assert refined_items(town, parent) == {"1.1.1.1": "0"}
    assert (exported["1.1.1"], exported["1.1.1.1"]) == (0, 0)


def test_the_lead_office_sees_every_units_materials(shared, campaign, people, login):
    parent, _ = shared
    client = login(people.szq_lead)

    counts = campaign_page(client, campaign)
    assert (counts["1.1.1"], counts["1.1.1.1"], counts["1.1.2"]) == ("3", "3", "1")
    assert refined_items(client, parent) == {"1.1.1.1": "3"}
    exported = task_list(client, campaign)
    assert (exported["1.1.1"], exported["1.1.1.1"], exported["1.1.2"]) == (3, 3, 1)
    assert exported["2.1.3"] == 0


def test_the_task_list_counts_what_the_liaison_may_see(shared, campaign, people, login):
    exported = task_list(login(people.scjg_liaison), campaign)

    assert (exported["1.1.1"], exported["1.1.1.1"], exported["1.1.2"]) == (1, 1, 1)
    assert task_list(login(people.szq_liaison), campaign)["1.1.1.1"] == 2


def test_the_item_page_costs_the_same_for_more_refined_items(shared, people, login):
    parent, _ = shared
    client = login(people.scjg_liaison)
    url = reverse("campaigns:item", args=[parent.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(6):
        child = item_refine(acting_user=people.szq_lead, parent=parent, title=f"细化{number}")
        upload(people.scjg_liaison, child, f"scjg-{number}.txt")
        upload(people.szq_liaison, child, f"sfj-{number}.txt")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many) == len(few)
    assert list(materials_column(page.content.decode()).values()) == ["1"] * 7


def my_tasks_page(client) -> dict[str, tuple[str, str]]:
    """{code: (本单位材料, 缺什么)} of the liaison's 我的任务."""
    response = client.get(reverse("campaigns:my_tasks"))
    assert response.status_code == 200
    parser = Tables()
    parser.feed(response.content.decode())
    (header, *rows), *_ = (t for t in parser.tables if "本单位材料" in t[0])
    code, own, missing = header.index("编码"), header.index("本单位材料"), len(header) - 1
    return {row[code]: (row[own], row[missing]) for row in rows if len(row) == len(header)}


def test_my_tasks_counts_the_units_own_live_materials(shared, campaign, people, login):
    """Another unit's materials on a shared item are not the unit's, and a deleted one is gone:
    what is left to upload is said where the unit has nothing (again)."""
    item = campaign.items.get(code="1.1.2")
    before = my_tasks_page(login(people.scjg_liaison))
    evidence_delete(acting_user=people.scjg_liaison, evidence=item.evidence.get())

    after = my_tasks_page(login(people.scjg_liaison))
    assert before["1.1.1.1"] == ("1", "")  # 区司法局's two drafts there are not counted
    assert before["1.1.2"] == ("1", "")
    assert after["1.1.2"][0] == "0" and after["1.1.2"][1].startswith("尚未上传材料")
    assert my_tasks_page(login(people.szq_liaison))["1.1.1.1"] == ("2", "")
