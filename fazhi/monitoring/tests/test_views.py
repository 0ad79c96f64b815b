"""The pages: a unit reports on the form with evidence, the lead office confirms and corrects
(history kept), a table goes through preview before anything is stored, the city ranks its
counties, the registry shows each rate's definition, the annual report drafts and registers."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from fazhi.monitoring.models import AnnualReport, Figure, FigureStatus, Metric

pytestmark = pytest.mark.django_db


def report(client, **fields):
    data = {
        "metric": "court_appearance",
        "period": "2025Q2",
        "numerator": "9",
        "denominator": "10",
        "note": "",
        **fields,
    }
    return client.post("/monitoring/figures/new/", data)


def test_a_unit_reports_and_the_lead_office_confirms(tree, people, login):
    client = login(people.szq_liaison)
    evidence = SimpleUploadedFile("出庭记录.txt", "出庭记录".encode())
    response = report(client, files=evidence)
    figure = Figure.objects.get()
    assert response.status_code == 302 and figure.unit == tree.units.szq_sfj
    assert figure.status == FigureStatus.SUBMITTED
    page = client.get(f"/monitoring/figures/{figure.pk}/").content.decode()
    assert "出庭记录.txt" in page and "90.00%" in page and "确认数据" not in page
    assert client.post(f"/monitoring/figures/{figure.pk}/confirm/").status_code == 403
    lead = login(people.szq_lead)
    assert "确认数据" in lead.get(f"/monitoring/figures/{figure.pk}/").content.decode()
    lead.post(f"/monitoring/figures/{figure.pk}/confirm/")
    figure.refresh_from_db()
    assert figure.status == FigureStatus.CONFIRMED


def test_numerator_above_denominator_is_refused_on_the_form(people, login):
    response = report(login(people.szq_liaison), numerator="11")
    assert "分子 11 不能大于分母 10" in response.content.decode()
    assert not Figure.objects.exists()


def test_a_correction_keeps_the_old_counts(tree, people, login):
    client = login(people.szq_lead)
    report(client)
    figure = Figure.objects.get()
    client.post(
        f"/monitoring/figures/{figure.pk}/correct/",
        {"numerator": "8", "denominator": "10", "reason": "重复统计一件"},
    )
    page = client.get(f"/monitoring/figures/{figure.pk}/").content.decode()
    figure.refresh_from_db()
    assert (figure.numerator, figure.version) == (8, 2)
    assert "重复统计一件" in page and "第 1 版" in page


def test_a_neighbouring_unit_never_sees_the_figure(tree, people, login):
    report(login(people.szq_liaison))
    figure = Figure.objects.get()
    assert login(people.xc_liaison).get(f"/monitoring/figures/{figure.pk}/").status_code == 404
    assert login(people.xc_lead).get(f"/monitoring/figures/{figure.pk}/").status_code == 404
    assert "市中区司法局" not in login(people.xc_lead).get("/monitoring/figures/").content.decode()


def test_import_previews_then_stores(tree, people, login, wide_table):
    client = login(people.city_lead)
    with open(wide_table, "rb") as handle:
        response = client.post("/monitoring/import/", {"file": handle, "period": ""})
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "确认导入 4 条数据" in preview and not Figure.objects.exists()
    client.post(response["Location"] + "confirm/")
    assert Figure.objects.filter(status=FigureStatus.CONFIRMED).count() == 4


def test_the_city_ranks_its_counties_with_a_trend_chart(tree, people, login, long_table):
    from django.core.management import call_command

    call_command("monitoring", "import", str(long_table))
    page = login(people.city_lead).get("/monitoring/?period=2025Q2").content.decode()
    assert 'id="trend-option"' in page and "名次" in page
    option = json.loads(
        page.split('id="trend-option" type="application/json">')[1].split("</script>")[0]
    )
    assert sorted(s["name"] for s in option["series"]) == ["市中区", "薛城区"]
    assert "23 / 30" in page  # 市中区 18/20 + 薛城区 5/10
    county = login(people.szq_leader)
    assert county.get("/monitoring/?region=370403").status_code == 404
    assert "薛城区" not in county.get("/monitoring/?period=2025Q2").content.decode()


def test_the_ranking_and_the_figures_open_in_excel(tree, people, login, long_table):
    from io import BytesIO
    from urllib.parse import quote

    from django.core.management import call_command
    from openpyxl import load_workbook

    call_command("monitoring", "import", str(long_table))
    city = login(people.city_lead)
    response = city.get("/monitoring/export.xlsx?region=370400&period=2025Q2")
    assert quote("枣庄市2025年第二季度动态监测.xlsx") in response["Content-Disposition"]
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    header = rows[0]
    court = header.index("行政机关负责人出庭应诉率·分子")
    assert header[court + 1 : court + 3] == (
        "行政机关负责人出庭应诉率·分母",
        "行政机关负责人出庭应诉率·比率（%）",
    )
    assert rows[1][:2] == ("合计", "枣庄市（含下辖）")
    assert rows[1][court : court + 3] == (23, 30, 76.67)  # 18/20 + 5/10, added, not averaged
    by_region = {row[1]: row for row in rows[2:]}
    assert set(by_region) == {"市中区", "薛城区"}
    assert by_region["市中区"][court : court + 3] == (18, 20, 90.0)
    assert by_region["市中区"][0] == 1 and by_region["薛城区"][0] == 2  # the quarter's ranks
    figures = city.get("/monitoring/figures/export.xlsx?metric=court_appearance")
    listed = list(load_workbook(BytesIO(figures.content)).active.values)
    assert sorted((r[1], r[5], r[6], r[7]) for r in listed[1:]) == [
        ("市中区", 18, 20, 90.0),
        ("薛城区", 5, 10, 50.0),
    ]
    county = login(people.szq_leader)
    assert county.get("/monitoring/export.xlsx?region=370403").status_code == 404
    mine = county.get("/monitoring/figures/export.xlsx").content
    assert {r[1] for r in list(load_workbook(BytesIO(mine)).active.values)[1:]} == {"市中区"}
    assert login(people.szq_liaison).get("/monitoring/export.xlsx").status_code == 403


def test_a_bad_period_in_the_address_is_a_message(people, login):
    response = login(people.city_lead).get("/monitoring/?period=2025Q5")
    assert response.status_code == 200 and "季度只能是 1 至 4" in response.content.decode()


def test_the_registry_states_each_rate_and_a_lead_edits_its_copy(tree, people, login):
    client = login(people.city_lead)
    page = client.get("/monitoring/metrics/").content.decode()
    assert "负责人出庭应诉的开庭审理案件数" in page and "人民法院开庭审理的行政诉讼案件数" in page
    form = client.get("/monitoring/metrics/court_appearance/edit/").context["form"]
    data = {name: form.initial[name] for name in form.fields}
    data.update(target="95", is_active="on")
    assert client.post("/monitoring/metrics/court_appearance/edit/", data).status_code == 302
    assert Metric.objects.get(region=tree.city, code="court_appearance").target == 95
    assert (
        login(people.szq_liaison).get("/monitoring/metrics/court_appearance/edit/").status_code
        == 403
    )


def test_annual_register_and_draft(tree, people, login):
    client = login(people.szq_liaison)
    response = client.post(
        "/monitoring/annual/save/",
        {"year": "2025", "published_on": "2026-03-20", "published_url": "https://example.gov.cn/a"},
    )
    assert response.status_code == 302 and not AnnualReport.objects.exists()  # no 保密审查
    client.post(
        "/monitoring/annual/save/",
        {
            "year": "2025",
            "submitted_on": "2026-02-20",
            "secrecy_reviewed_on": "2026-03-10",
            "published_on": "2026-03-20",
            "published_url": "https://example.gov.cn/a",
        },
    )
    assert AnnualReport.objects.get().unit == tree.units.szq_sfj
    assert (
        "https://example.gov.cn/a" in client.get("/monitoring/annual/?year=2025").content.decode()
    )
    lead = login(people.szq_lead)
    response = lead.get("/monitoring/annual/draft.docx?year=2025")
    assert response.status_code == 200
    from io import BytesIO

    texts = [p.text for p in Document(BytesIO(response.content)).paragraphs]
    assert "二、存在的不足和原因" in texts
    liaison = login(people.szq_liaison)
    assert liaison.get("/monitoring/annual/draft.docx").status_code == 403
