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
