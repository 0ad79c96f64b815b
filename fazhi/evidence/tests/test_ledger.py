"""The evidence ledger (材料台账): the page of a campaign's materials with its filters, and its
Excel export, which holds exactly the rows the page shows under the same filters, keeps text
that looks like a formula as text, and gives each user only the materials they may see."""

import hashlib
import importlib
import io
from datetime import datetime
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fazhi.evidence import services
from fazhi.evidence.ledger import HEADERS
from fazhi.evidence.models import Blob, Evidence, ExtractStatus
from fazhi.frameworks.models import Node

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)"]


def upload(user, campaign, code, name, content, **metadata) -> Evidence:
    return services.evidence_upload(
        acting_user=user,
        item=campaign.items.get(code=code),
        file=ContentFile(content.encode(), name=name),
        **metadata,
    )


def uploaded_on(material, day: datetime) -> None:
    Evidence.objects.filter(pk=material.pk).update(created_at=timezone.make_aware(day))


@pytest.fixture
def materials(campaign, people, tree):
    """Five materials of three units on three items, uploaded on different days; one is a
    scan without text, one was deleted."""
    found = {
        "decision": upload(
            people.szq_liaison,
            campaign,
            "1.1.1",
            "复议决定书.txt",
            "行政复议决定书 正文",
            title="行政复议决定书",
            doc_number="市中司复〔2024〕3号",
        ),
        "answer": upload(people.scjg_liaison, campaign, "1.1.1", "答复.txt", "复议答复意见"),
        "notice": upload(people.scjg_liaison, campaign, "1.1.2", "执法公示.txt", "执法公示"),
        "review": upload(
            people.szq_lead,
            campaign,
            "2.1.3",
            "审查意见.pdf",
            "not really a pdf",
            unit=tree.units.szq_sfj,
            title="规范性文件合法性审查意见",
        ),
        "gone": upload(people.szq_liaison, campaign, "2.1.4", "草稿.txt", "草稿"),
    }
    Blob.objects.filter(versions__evidence=found["review"]).update(
        extract_status=ExtractStatus.EMPTY
    )
    for key, day in zip(found, range(1, 6), strict=True):
        uploaded_on(found[key], datetime(2025, 3, day, 23, 30))
    services.evidence_delete(acting_user=people.szq_liaison, evidence=found["gone"])
    return found


def ledger_page(client, campaign, params=None):
    response = client.get(reverse("evidence:ledger", args=[campaign.pk]), params or {})
    assert response.status_code == 200
    return response


def page_titles(client, campaign, params=None) -> list[str]:
    return [row["title"] for row in ledger_page(client, campaign, params).context["rows"]]


def export(client, campaign, params=None):
    response = client.get(reverse("evidence:ledger_export", args=[campaign.pk]), params or {})
    assert response.status_code == 200
    assert "%E6%9D%90%E6%96%99%E5%8F%B0%E8%B4%A6.xlsx" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content)).active


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def exported_titles(client, campaign, params=None) -> list[str]:
    return [row[3] for row in rows_of(export(client, campaign, params))]


def area_key_of(campaign, code) -> str:
    return Node.objects.get(framework=campaign.framework, code=code).sort_key


# -- the page and the file agree -------------------------------------------------------------


FILTERS = {
    "none": lambda c, u: {},
    "unit": lambda c, u: {"unit": u.szq_scjg.pk},
    "area": lambda c, u: {"area": area_key_of(c, "2")},
    "unit and area": lambda c, u: {"unit": u.szq_sfj.pk, "area": area_key_of(c, "1")},
    "file type": lambda c, u: {"kind": "pdf"},
    "extraction status": lambda c, u: {"extract": ExtractStatus.EMPTY},
    "title": lambda c, u: {"q": "复议"},
    "document number": lambda c, u: {"q": "〔2024〕3号"},
    "uploaded from": lambda c, u: {"from": "2025-03-02"},
    "uploaded until": lambda c, u: {"to": "2025-03-02"},
    "uploaded between": lambda c, u: {"from": "2025-03-02", "to": "2025-03-03"},
    "a mistyped date is ignored": lambda c, u: {"from": "2025-13-45"},
    "deleted included": lambda c, u: {"deleted": "1"},
}


@pytest.mark.parametrize("name", FILTERS)
def test_the_export_holds_exactly_the_materials_the_page_shows(
    campaign, people, login, tree, materials, name
):
    client = login(people.szq_lead)
    params = FILTERS[name](campaign, tree.units)
    assert exported_titles(client, campaign, params) == page_titles(client, campaign, params)


def test_the_filters_select_what_they_say(campaign, people, login, tree, materials):
    client = login(people.szq_lead)
    every = ["行政复议决定书", "答复", "执法公示", "规范性文件合法性审查意见"]
    assert page_titles(client, campaign) == every
    assert page_titles(client, campaign, {"unit": tree.units.szq_scjg.pk}) == ["答复", "执法公示"]
    assert page_titles(client, campaign, {"area": area_key_of(campaign, "2")}) == every[3:]
    assert page_titles(client, campaign, {"kind": "pdf"}) == every[3:]
    assert page_titles(client, campaign, {"extract": ExtractStatus.EMPTY}) == every[3:]
    assert page_titles(client, campaign, {"q": "市中司复"}) == every[:1]
    between = {"from": "2025-03-02", "to": "2025-03-03"}
    assert page_titles(client, campaign, between) == ["答复", "执法公示"]
    assert page_titles(client, campaign, {"to": "2025-03-01"}) == every[:1], "a local day"
    assert page_titles(client, campaign, {"deleted": "1"}) == [*every, "草稿"]


def test_the_export_has_the_ledgers_columns(campaign, people, login, materials):
    services.evidence_replace(
        acting_user=people.szq_liaison,
        evidence=materials["decision"],
        file=ContentFile("行政复议决定书 第二版".encode(), name="复议决定书（盖章）.txt"),
    )
    sheet = export(login(people.szq_lead), campaign)
    assert [cell.value for cell in sheet[1]] == HEADERS
    first = rows_of(sheet)[0]
    content = "行政复议决定书 第二版".encode()
    assert first == [
        1,
        "1.1.1",
        "行政复议案件依法办理",
        "行政复议决定书",
        "市中司复〔2024〕3号",
        None,
        None,
        "市中区司法局",
        "复议决定书（盖章）.txt",
        "纯文本",
        len(content),
        first[11],
        first[12],
        "szq_liaison",
        "2025-03-01 23:30",
        2,
        hashlib.sha256(content).hexdigest(),
    ]
    review = rows_of(sheet)[3]
    assert review[9] == "PDF 文档" and review[12] == "无可读文字"
    assert [row[0] for row in rows_of(sheet)] == [1, 2, 3, 4]


def test_deleted_materials_are_listed_only_for_those_who_may_restore_them(
    campaign, people, login, materials
):
    lead = login(people.szq_lead)
    assert "含已删除材料" in ledger_page(lead, campaign).content.decode()
    sheet = export(lead, campaign, {"deleted": "1"})
    assert sheet.cell(1, len(HEADERS) + 1).value == "删除时间"
    deleted = [row for row in rows_of(sheet) if row[3] == "草稿"]
    assert len(deleted) == 1 and deleted[0][-1]
    reviewer = login(people.szq_reviewer)
    assert "含已删除材料" not in ledger_page(reviewer, campaign).content.decode()
    assert "草稿" not in page_titles(reviewer, campaign, {"deleted": "1"})
    assert "草稿" not in exported_titles(reviewer, campaign, {"deleted": "1"})
    other_unit = login(people.scjg_liaison)
    assert "草稿" not in exported_titles(other_unit, campaign, {"deleted": "1"})


# -- safety ----------------------------------------------------------------------------------


def test_titles_and_numbers_that_look_like_formulas_come_out_as_plain_text(campaign, people, login):
    for title in INJECTIONS:
        upload(people.szq_liaison, campaign, "2.1.4", "公式.txt", title, title=title)
    upload(people.szq_liaison, campaign, "2.1.4", "文号.txt", "文号", doc_number="=1+1")
    sheet = export(login(people.szq_lead), campaign)
    titles = [row[3] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in titles[:3]] == [f"'{title}" for title in INJECTIONS]
    assert {cell.data_type for cell in titles} == {"s"}
    number = list(sheet.iter_rows(min_row=5))[0][4]
    assert (number.value, number.data_type) == ("'=1+1", "s")


def test_a_liaison_sees_and_exports_only_their_own_units_materials(
    campaign, people, login, tree, materials
):
    client = login(people.scjg_liaison)
    assert page_titles(client, campaign) == ["答复", "执法公示"]
    assert exported_titles(client, campaign) == ["答复", "执法公示"]
    sheet = export(client, campaign)
    assert {row[7] for row in rows_of(sheet)} == {"市中区市场监督管理局"}
    another_unit = {"unit": tree.units.szq_sfj.pk}
    assert page_titles(client, campaign, another_unit) == []
    assert exported_titles(client, campaign, another_unit) == []


@pytest.mark.parametrize("name", ["evidence:ledger", "evidence:ledger_export"])
def test_another_county_gets_404(campaign, people, login, materials, name):
    for user in (people.xc_lead, people.xc_liaison):
        assert login(user).get(reverse(name, args=[campaign.pk])).status_code == 404


def test_the_campaign_page_links_to_the_ledger_and_the_ledger_to_its_filtered_export(
    campaign, people, login, tree, materials
):
    client = login(people.szq_lead)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert reverse("evidence:ledger", args=[campaign.pk]) in page
    params = {"unit": tree.units.szq_sfj.pk, "kind": "txt", "page": "1"}
    html = unescape(ledger_page(client, campaign, params).content.decode())
    export_url = reverse("evidence:ledger_export", args=[campaign.pk])
    assert f'href="{export_url}?unit={tree.units.szq_sfj.pk}&kind=txt"' in html


# -- cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["evidence:ledger", "evidence:ledger_export"])
def test_the_ledger_costs_the_same_queries_for_more_materials(
    campaign, people, login, materials, name
):
    client = login(people.szq_lead)
    url = reverse(name, args=[campaign.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(6):
        material = upload(
            people.scjg_liaison, campaign, "1.1.2", f"追加{number}.txt", f"追加材料{number}"
        )
        services.evidence_replace(
            acting_user=people.scjg_liaison,
            evidence=material,
            file=ContentFile(f"新版{number}".encode(), name=f"追加{number}.pdf"),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert Evidence.objects.alive().count() == 10
    assert len(many) == len(few)


def test_the_type_filter_follows_the_current_file(materials, campaign, people, login):
    """A material replaced by a file of another type moves to that type in the filter and its
    options, and the type column shows the new file's."""
    services.evidence_replace(
        acting_user=people.scjg_liaison,
        evidence=materials["notice"],
        file=ContentFile(b"%PDF-1.4 not really", name="执法公示.pdf"),
    )
    client = login(people.szq_lead)

    assert "执法公示" in page_titles(client, campaign, {"kind": "pdf"})
    assert "执法公示" not in page_titles(client, campaign, {"kind": "txt"})
    assert [kind for kind, _ in ledger_page(client, campaign).context["kinds"]] == ["pdf", "txt"]


def test_the_migration_copies_each_materials_kind_from_its_current_file(materials):
    """evidence 0006 filled the new column from each material's current file: on a database
    with files of two types, each material gets its own (a default ordering on the versions
    once gave every material the first file's type)."""
    from django.apps import apps

    copy_kinds = importlib.import_module("fazhi.evidence.migrations.0006_evidence_kind").copy_kinds
    Evidence.objects.update(kind="")

    copy_kinds(apps, None)
    kinds = dict(Evidence.objects.values_list("title", "kind"))
    assert kinds["规范性文件合法性审查意见"] == "pdf"
    assert kinds["行政复议决定书"] == kinds["答复"] == "txt"
