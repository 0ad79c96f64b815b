"""The pages and the API on the main journey: a standard uploaded, previewed and confirmed; a
review made; its case list previewed and confirmed; the draw; the score sheet (refusals shown,
nothing stored); the 通报 and its files; the 整改通知 — and who is turned away where."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from fazhi.casereviews.models import Case, CaseReview, ScoreSheet, Standard
from fazhi.casereviews.tests import builders
from fazhi.inspections.models import Finding

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_from_standard_to_report_through_the_pages(client, tree, people):
    client.force_login(people.city_lead)
    answer = client.post(
        reverse("casereviews:standard_import"),
        {
            "name": "许可标准",
            "case_type": "license",
            "region": tree.city.pk,
            "file": upload("许可.xlsx", builders.county_license()),
        },
    )
    assert answer.status_code == 302 and not Standard.objects.exists()
    preview = client.get(answer["Location"])
    assert "卷面质量" in preview.content.decode() and "否决项" in preview.content.decode()
    confirm = client.post(
        reverse("casereviews:standard_confirm", args=[preview.context["draft"].pk])
    )
    standard = Standard.objects.get()
    assert confirm["Location"] == reverse("casereviews:standard", args=[standard.pk])

    made = client.post(
        reverse("casereviews:create"),
        {
            "name": "许可案卷评查",
            "region": tree.city.pk,
            "standards": [standard.pk],
            "closed_from": "2025-01-01",
            "closed_to": "2025-12-31",
            "reviewers": [people.xc_lead.pk, people.szq_reviewer.pk],
        },
    )
    review = CaseReview.objects.get()
    u = tree.units
    rows = builders.cases_for_units([u.szq_sfj, u.xc_sfj], 3, kind="行政许可")
    answer = client.post(
        reverse("casereviews:import", args=[review.pk]),
        {"file": upload("清单.xlsx", builders.case_list(rows))},
    )
    assert made.status_code == 302 and not Case.objects.exists()
    preview = client.get(answer["Location"])
    assert "确认导入 6 件案件" in preview.content.decode()
    client.post(
        reverse("casereviews:import_confirm", args=[review.pk, preview.context["draft"].pk])
    )
    assert Case.objects.count() == 6

    client.post(reverse("casereviews:sample", args=[review.pk]), {"per_unit": "1", "seed": "5"})
    assert Case.objects.filter(sampled=True).count() == 2
    client.post(reverse("casereviews:assign", args=[review.pk]))
    for sheet in ScoreSheet.objects.select_related("case", "reviewer"):
        assert sheet.reviewer.unit_id != sheet.case.unit_id

    sheet = ScoreSheet.objects.select_related("case", "reviewer").get(case__unit=u.szq_sfj)
    case, reviewer = sheet.case, sheet.reviewer
    items = {i.code: i for i in standard.sections.first().items.all()} | {
        i.code: i for i in standard.sections.last().items.all()
    }
    client.force_login(reviewer)
    page = reverse("casereviews:case", args=[case.pk])
    refused = client.post(page, {"version": "0", f"points-{items['1.2'].pk}": "8"}, follow=True)
    assert "不在该项的扣分区间 3–6 分之内" in messages_of(refused)
    assert ScoreSheet.objects.get(pk=sheet.pk).status == "assigned"
    saved = client.post(
        page,
        {
            "version": "0",
            f"count-{items['1.1'].pk}": "2",
            f"reason-{items['1.1'].pk}": "缺少营业执照复印件",
            f"page-{items['1.1'].pk}": "4",
            f"points-{items['1.2'].pk}": "3",
        },
        follow=True,
    )
    assert "已保存评查表：93.00 分，优秀" in messages_of(saved)

    client.force_login(people.city_lead)
    report = client.get(reverse("casereviews:report", args=[review.pk])).content.decode()
    assert "缺少营业执照复印件" in report and "市中区司法局" in report
    docx = client.get(reverse("casereviews:report_docx", args=[review.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "评查结果的通报" in text and "申请材料齐全" in text
    book = load_workbook(
        io.BytesIO(client.get(reverse("casereviews:report_xlsx", args=[review.pk])).content)
    )
    assert book["评查结果"]["A3"].value in {"市中区司法局", "薛城区司法局"}
    sample = load_workbook(
        io.BytesIO(client.get(reverse("casereviews:sample_export", args=[review.pk])).content)
    )
    assert sample.active.title == "抽样清单（随机种子5）" and sample.active.max_row == 3
    client.post(reverse("casereviews:rectify", args=[review.pk]))
    finding = Finding.objects.get()
    assert finding.responsible_unit == u.szq_sfj and "缺少营业执照复印件" in finding.description


def test_scoping_on_pages_and_api(client, tree, people, review, cases, bearer):
    from fazhi.casereviews import services

    services.sample_draw(acting_user=people.city_lead, review=review, per_unit=1, seed=3)
    own = Case.objects.get(sampled=True, unit=tree.units.szq_sfj)
    xc_case = Case.objects.get(sampled=True, unit=tree.units.xc_sfj)
    services.case_assign(acting_user=people.city_lead, case=xc_case, reviewer=people.szq_reviewer)
    # The file's own unit reads its file but may not grade it.
    client.force_login(people.szq_liaison)
    assert client.get(reverse("casereviews:case", args=[own.pk])).status_code == 200
    assert (
        client.post(reverse("casereviews:case", args=[own.pk]), {"version": "0"}).status_code == 403
    )
    assert client.get(reverse("casereviews:case", args=[xc_case.pk])).status_code == 404
    listed = client.get(reverse("casereviews:detail", args=[review.pk])).content.decode()
    assert own.number in listed and xc_case.number not in listed
    # A county's lead office does not reach the city's review; the cross-reviewer reaches their file.
    client.force_login(people.xc_lead)
    assert client.get(reverse("casereviews:detail", args=[review.pk])).status_code == 404
    url = f"/api/casereviews/cases/{xc_case.pk}/score"
    body = json.dumps({"deductions": [{"item": "3", "count": 1}], "veto": []})
    answer = client.post(url, body, content_type="application/json", **bearer(people.szq_reviewer))
    assert answer.json() == {"total": 98.0, "grade": "优秀"}
    answer = client.post(url, body, content_type="application/json", **bearer(people.xc_liaison))
    assert answer.status_code == 403
    over = json.dumps({"deductions": [{"item": "1", "points": 5}]})
    answer = client.post(url, over, content_type="application/json", **bearer(people.szq_reviewer))
    assert answer.status_code == 400 and "最多扣 4 分" in answer.json()["detail"]
    report = client.get(f"/api/casereviews/{review.pk}/report", **bearer(people.xc_liaison)).json()
    assert [u["unit"] for u in report["units"]] == ["薛城区司法局"]


def test_the_lead_office_sets_the_grade_thresholds_of_its_standard(client, people, standard):
    url = reverse("casereviews:thresholds", args=[standard.pk])
    client.force_login(people.szq_lead)  # reads the city's standard, may not change it
    assert client.get(reverse("casereviews:standard", args=[standard.pk])).status_code == 200
    assert client.post(url, {"excellent_from": "85", "pass_from": "60"}).status_code == 403
    client.force_login(people.city_lead)
    refused = client.post(url, {"excellent_from": "50", "pass_from": "60"}, follow=True)
    assert "0 < 合格分数线 < 优秀分数线 ≤ 100" in messages_of(refused)
    client.post(url, {"excellent_from": "85", "pass_from": "60"})
    standard.refresh_from_db()
    assert (standard.excellent_from, standard.pass_from) == (85, 60)
