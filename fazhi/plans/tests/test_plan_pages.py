"""The work plan pages: the import wizard with unit names to confirm, the 工作台账 with its
filters and export, and who sees what."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from fazhi.plans.models import Measure, MeasureStatus, MeasureUnit, Plan, PlanImport

LINES = [
    "市中区2025年法治政府建设工作要点",
    "一、健全依法行政制度体系",
    "（一）加强规范性文件管理。（牵头单位：区司法局；责任单位：区市场监管局；完成时限：2025年3月底前）",
    "（二）开展气象普法。（牵头单位：区气象局；每季度）",
    "二、严格规范公正文明执法",
    "（一）推行执法三项制度。（区市场监管局负责，年底前完成）",
]


def _docx(lines=LINES) -> SimpleUploadedFile:
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile("工作要点.docx", out.getvalue())


def _upload(client, tree, **extra):
    data = {"region": tree.szq.pk, "year": "2025", "name": "", "file": _docx(), **extra}
    return client.post(reverse("plans:import"), data)


def test_wizard_previews_then_stores_with_the_unit_the_user_chose(login, people, tree):
    client = login(people.szq_lead)
    response = _upload(client, tree)
    draft = PlanImport.objects.get()
    assert response["Location"] == reverse("plans:import_preview", args=[draft.pk])
    assert not Plan.objects.exists()  # nothing before confirmation

    page = client.get(response["Location"]).content.decode()
    assert "区气象局" in page and "保留原文，暂不对应" in page
    (name,) = draft.result["names"]
    assert (name["text"], name["measures"]) == ("区气象局", ["1.2"])

    # The weather bureau is not in the unit list: the lead office gives the measure to 司法局.
    answer = {f"name-{name['key']}": str(tree.units.szq_sfj.pk)}
    response = client.post(reverse("plans:import_confirm", args=[draft.pk]), answer)
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    weather = MeasureUnit.objects.get(measure__code="1.2")
    assert (weather.unit, weather.role) == (tree.units.szq_sfj, "lead")
    draft.refresh_from_db()
    assert (draft.status, draft.plan) == (PlanImport.Status.COMMITTED, plan)
    again = client.post(reverse("plans:import_confirm", args=[draft.pk]), answer)
    assert "已经确认或取消过了" in again.content.decode()
    assert Plan.objects.count() == 1


def test_kept_names_stay_as_written_and_problems_block_the_import(login, people, tree):
    client = login(people.szq_lead)
    _upload(client, tree)
    draft = PlanImport.objects.get()
    client.post(reverse("plans:import_confirm", args=[draft.pk]), {})
    weather = MeasureUnit.objects.get(measure__code="1.2")
    assert (weather.unit, weather.name_text) == (None, "区气象局")

    bad = [*LINES[:2], "（一）措施甲。（牵头单位：区司法局；完成时限：2025年13月底前）"]
    _upload(client, tree, file=_docx(bad), name="第二份")
    draft = PlanImport.objects.latest("pk")
    page = client.get(reverse("plans:import_preview", args=[draft.pk])).content.decode()
    assert "第 3 段" in page and "月份 13 不存在" in page
    assert 'id="confirm-import"' not in page
    response = client.post(reverse("plans:import_confirm", args=[draft.pk]), {})
    assert "月份 13 不存在" in response.content.decode()
    assert Plan.objects.count() == 1


def test_a_pdf_in_docx_clothing_is_refused_on_the_form(login, people, tree):
    client = login(people.szq_lead)
    fake = SimpleUploadedFile("工作要点.docx", b"%PDF-1.4\n%%EOF\n")
    response = _upload(client, tree, file=fake)
    assert response.status_code == 200
    assert "内容是 PDF" in response.content.decode()
    assert not PlanImport.objects.exists()


def test_a_county_lead_cannot_import_for_the_neighbour(login, people, tree):
    response = _upload(login(people.xc_lead), tree)
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not PlanImport.objects.exists()


def _imported(login, people, tree) -> Plan:
    client = login(people.szq_lead)
    _upload(client, tree)
    client.post(reverse("plans:import_confirm", args=[PlanImport.objects.get().pk]), {})
    return Plan.objects.get()


def test_ledger_filters_and_export(login, people, tree):
    plan = _imported(login, people, tree)
    Measure.objects.filter(code="2.1").update(status=MeasureStatus.COMPLETED)
    client = login(people.szq_lead)
    url = reverse("plans:detail", args=[plan.pk])

    page = client.get(url).content.decode()
    assert "加强规范性文件管理" in page and "推行执法三项制度" in page
    assert "已逾期" in page  # 1.1 was due at the end of March 2025

    only_overdue = client.get(url, {"overdue": "1"}).content.decode()
    assert "加强规范性文件管理" in only_overdue and "推行执法三项制度" not in only_overdue
    by_unit = client.get(url, {"unit": tree.units.szq_scjg.pk}).content.decode()
    assert "开展气象普法" not in by_unit and "推行执法三项制度" in by_unit
    searched = client.get(url, {"q": "气象"}).content.decode()
    assert "开展气象普法" in searched and "加强规范性文件管理" not in searched
    odd = client.get(url, {"unit": "99999999999999999999", "status": "x"})
    assert odd.status_code == 200

    export = client.get(reverse("plans:export", args=[plan.pk]), {"status": "completed"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["严格规范公正文明执法", "推行执法三项制度"]
    assert rows[2][6] == "已完成"


def test_a_unit_sees_only_its_measures_and_the_neighbour_nothing(login, people, tree):
    plan = _imported(login, people, tree)
    url = reverse("plans:detail", args=[plan.pk])

    page = login(people.scjg_liaison).get(url).content.decode()
    assert "加强规范性文件管理" in page and "推行执法三项制度" in page
    assert "开展气象普法" not in page  # not given to 市场监管局
    assert login(people.xc_liaison).get(url).status_code == 404
    assert login(people.xc_lead).get(url).status_code == 404
    listing = login(people.xc_lead).get(reverse("plans:list")).content.decode()
    assert plan.name not in listing
