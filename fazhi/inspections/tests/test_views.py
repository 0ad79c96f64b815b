"""The pages a liaison and an inspector use: the ledger with its filters and export, a finding's
page with the buttons each side may press, the import wizard."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from fazhi.inspections.models import Finding, FindingStatus
from fazhi.inspections.tests.test_import import _xlsx

pytestmark = pytest.mark.django_db


def test_the_ledger_shows_a_liaison_only_its_unit_and_filters(login, people, findings):
    client = login(people.scjg_liaison)
    page = client.get("/inspections/findings/").content.decode()
    assert "问题 2" in page and "问题 1" not in page
    # Overdue is judged against today: 问题 1 is given a deadline far ahead.
    Finding.objects.filter(pk=findings.sfj.pk).update(deadline=date(2099, 12, 31))
    client = login(people.city_inspector)
    page = client.get("/inspections/findings/", {"overdue": "1"}).content.decode()
    assert "问题 2" in page and "问题 1" not in page and "已逾期" in page
    page = client.get("/inspections/findings/", {"q": "问题 3"}).content.decode()
    assert "问题 3" in page and "问题 2" not in page


def test_the_ledger_exports_what_the_page_shows(login, people, findings):
    response = login(people.scjg_liaison).get("/inspections/findings/export.xlsx")
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("督察", "编号", "问题类别", "问题描述")
    assert [r[1] for r in rows[1:]] == ["2"]


def test_a_unit_requests_close_and_cannot_verify_its_own_finding(login, people, findings):
    finding = findings.sfj
    client = login(people.szq_liaison)
    page = client.get(f"/inspections/findings/{finding.pk}/").content.decode()
    assert 'id="close-form"' in page and 'id="verify-form"' not in page
    client.post(
        f"/inspections/findings/{finding.pk}/request-close/",
        {"note": "已整改", "files": SimpleUploadedFile("通知.pdf", b"%PDF-1.4 x")},
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSE_REQUESTED
    response = client.post(
        f"/inspections/findings/{finding.pk}/verify/", {"verdict": "accept"}, follow=True
    )
    assert "不能为本单位的问题销号" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSE_REQUESTED
    client = login(people.city_inspector)
    page = client.get(f"/inspections/findings/{finding.pk}/").content.decode()
    assert 'id="verify-form"' in page and "通知.pdf" in page
    client.post(f"/inspections/findings/{finding.pk}/verify/", {"verdict": "accept", "note": "好"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED


def test_another_unit_gets_a_404_for_a_finding_not_its_own(login, people, findings):
    response = login(people.scjg_liaison).get(f"/inspections/findings/{findings.sfj.pk}/")
    assert response.status_code == 404


def test_the_import_wizard_previews_and_confirms(login, tree, people, inspection):
    client = login(people.city_inspector)
    body = _xlsx(
        [
            ["序号", "问题描述", "责任单位", "整改时限"],
            ["1", "审查不到位", "市中区司法局", "2025年6月底前"],
            ["2", "公示不及时", "区司法局", "2025年9月底前"],
        ]
    )
    response = client.post(
        f"/inspections/{inspection.pk}/import/",
        {"file": SimpleUploadedFile("问题清单.xlsx", body)},
    )
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "确认责任单位（1）" in preview and not Finding.objects.exists()
    client.post(response["Location"] + "confirm/", {"unit-3": str(tree.units.szq_sfj.pk)})
    assert dict(Finding.objects.values_list("number", "responsible_unit")) == {
        "1": tree.units.szq_sfj.pk,
        "2": tree.units.szq_sfj.pk,
    }


def test_the_word_report_counts_what_the_reader_may_see(login, people, inspection, findings):
    from docx import Document

    response = login(people.city_inspector).get(f"/inspections/{inspection.pk}/report.docx")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2025年法治督察整改情况报告" in text and "共发现问题 3 个" in text
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "市中区市场监督管理局" in cells and "尚未督办" in cells
    response = login(people.scjg_liaison).get(f"/inspections/{inspection.pk}/report.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "共发现问题 1 个" in text


def test_the_workbench_shows_the_inspector_what_awaits_verification(login, people, findings):
    from fazhi.inspections import services

    services.finding_request_close(acting_user=people.szq_liaison, finding=findings.sfj, note="好")
    page = login(people.city_inspector).get("/").content.decode()
    assert 'id="inspection-card"' in page and "待审核销号" in page and "问题 1" in page
    page = login(people.scjg_liaison).get("/").content.decode()
    assert "本单位待整改问题" in page and "待审核销号" not in page
    assert 'id="inspection-card"' not in login(people.xc_liaison).get("/").content.decode()


def test_the_ledger_costs_the_same_queries_for_more_findings(login, people, inspection, findings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fazhi.inspections import services

    client = login(people.city_inspector)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/inspections/findings/", {"overdue": "1"}).status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        services.finding_create(
            acting_user=people.city_inspector,
            inspection=inspection,
            description=f"新增 {n}",
            responsible_unit=findings.scjg.responsible_unit,
            category=findings.scjg.category,
            deadline=date(2025, 1, 31),
        )
    assert queries() == before


def test_the_inspection_page_charts_by_unit_and_category_without_inline_script(
    login, people, inspection, findings
):
    page = login(people.city_inspector).get(f"/inspections/{inspection.pk}/").content.decode()
    assert 'data-chart="chart-unit-option"' in page and 'id="chart-category-option"' in page
    assert '<script id="chart-unit-option" type="application/json">' in page
    assert "市中区市场监督管理局" in page


def test_the_city_sees_its_counties_side_by_side(login, tree, people, inspection, findings):
    from fazhi.inspections import services

    services.finding_create(
        acting_user=people.city_inspector,
        inspection=inspection,
        description="薛城区的问题",
        responsible_unit=tree.units.xc_sfj,
        deadline=date(2099, 1, 1),
    )
    page = login(people.city_inspector).get("/inspections/").content.decode()
    table = page[page.index('id="regions"') :]
    assert table.index("市中区") < table.index("薛城区")
    assert 'id="regions"' not in login(people.scjg_liaison).get("/inspections/").content.decode()


def test_an_inspection_is_created_with_its_group_and_units(login, tree, people):
    from fazhi.inspections.models import Inspection

    client = login(people.city_lead)
    response = client.post(
        "/inspections/new/",
        {
            "name": "专项督察",
            "kind": "special",
            "region": tree.city.pk,
            "leaders": [people.city_lead.pk],
            "inspectors": [people.city_inspector.pk],
            "units": [tree.units.szq_sfj.pk],
        },
    )
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/inspections/{inspection.pk}/"
    assert list(inspection.inspectors.all()) == [people.city_inspector]
    page = client.get(response["Location"]).content.decode()
    assert "督察组组长：city_lead" in page and "被督察单位：市中区司法局" in page
    refused = login(people.szq_lead).post(
        "/inspections/new/", {"name": "越级", "kind": "special", "region": tree.city.pk}
    )
    assert refused.status_code == 200 and Inspection.objects.count() == 1


def test_the_lead_office_adds_a_category_of_its_own(login, tree, people):
    from fazhi.inspections.models import FindingCategory

    client = login(people.szq_lead)
    client.post("/inspections/categories/", {"name": "基层法治"})
    added = FindingCategory.objects.get(name="基层法治")
    assert added.region == tree.szq
    page = client.get("/inspections/categories/").content.decode()
    assert "依法决策" in page and "基层法治" in page
    response = client.post("/inspections/categories/", {"name": "依法决策"}, follow=True)
    assert "已有问题类别“依法决策”" in response.content.decode()
    inspector = login(people.city_inspector)
    assert inspector.post("/inspections/categories/", {"name": "x"}).status_code == 403
    assert "基层法治" not in inspector.get("/inspections/categories/").content.decode()


def test_the_ledger_filters_answer_htmx_with_the_rows_alone(login, people, findings):
    client = login(people.city_inspector)
    fragment = client.get(
        "/inspections/findings/", {"status": "open", "unit": ""}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.startswith('<div id="ledger-rows">') and "<html" not in fragment
    assert "问题 2" in fragment


def test_the_inspecting_side_corrects_a_finding_and_the_unit_may_not(login, tree, people, findings):
    url = f"/inspections/findings/{findings.scjg.pk}/edit/"
    assert login(people.scjg_liaison).get(url).status_code == 403
    client = login(people.city_inspector)
    response = client.post(
        url,
        {
            "number": "1",
            "description": "改写的问题",
            "responsible_unit": tree.units.szq_scjg.pk,
            "long_term": "on",
        },
    )
    assert "已有编号为 1 的问题" in response.content.decode()  # 1 is 司法局's
    client.post(
        url,
        {
            "number": "2",
            "description": "改写的问题",
            "responsible_unit": tree.units.szq_scjg.pk,
            "long_term": "on",
        },
    )
    findings.scjg.refresh_from_db()
    assert (findings.scjg.description, findings.scjg.long_term) == ("改写的问题", True)
    assert findings.scjg.deadline is None and findings.scjg.deadline_text == "长期坚持"
