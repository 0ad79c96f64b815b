"""The survey pages: results with their margins, the import wizard, codes, export, calls."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from fazhi.surveys.models import CallAttempt, Respondent
from fazhi.surveys.tests import tables


def test_results_page_shows_rates_with_margins_and_progress(client, login, people, wave, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(tables.respondents_titled())
    from fazhi.surveys import services

    services.survey_import(acting_user=people.szq_lead, wave=wave, path=path, filename="a.xlsx")
    login(people.szq_leader)
    body = client.get(reverse("surveys:detail", args=[wave.pk])).content.decode()
    assert "75.00%" in body and "±19.66" in body  # overall, and its margin
    assert "80.00%" in body  # 中心街街道
    assert "4 / 100" in body and "未达目标" in body
    assert "导入第三方结果" not in body  # a leader reads, does not import


def test_wizard_previews_then_stores_on_confirmation(client, login, people, wave):
    login(people.szq_lead)
    url = reverse("surveys:import", args=[wave.pk])
    upload = io.BytesIO(tables.counts_answer_columns())
    upload.name = "汇总.xlsx"
    preview = client.post(url, {"file": upload})
    body = preview.content.decode()
    assert "确认导入" in body and "75.00%" in body
    assert Respondent.objects.count() == 0 and wave.answer_counts.count() == 0
    done = client.post(url, {"draft": preview.context["draft"]})
    assert done.status_code == 302
    assert wave.answer_counts.count() > 0


def test_wizard_lists_problems_and_takes_a_mapping(client, login, people, wave):
    login(people.szq_lead)
    url = reverse("surveys:import", args=[wave.pk])
    upload = io.BytesIO("镇街,政务服务\n中心街街道,还行\n".encode())
    upload.name = "a.csv"
    body = client.post(url, {"file": upload}).content.decode()
    assert "“还行”无法对应" in body and "第 2 行" in body and "确认导入" not in body
    client.post(url, {"word": "还行", "label": "基本满意"})
    wave.refresh_from_db()
    assert wave.aliases == {"还行": "基本满意"}


def test_a_forged_draft_is_refused(client, login, people, wave):
    login(people.szq_lead)
    response = client.post(reverse("surveys:import", args=[wave.pk]), {"draft": "made-up"})
    assert response.status_code == 302
    assert Respondent.objects.count() == 0


def test_export_and_codes(client, login, people, wave):
    login(people.szq_leader)
    export = client.get(reverse("surveys:export", args=[wave.pk]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet["A1"].value == "分组" and sheet["F1"].value == "95%置信区间（%）"
    codes = client.get(reverse("surveys:codes", args=[wave.pk])).content.decode()
    assert codes.count("<svg") == wave.strata.count()


def test_call_log_and_rates(client, login, people, wave):
    login(people.szq_lead)
    stratum = wave.strata.get(name="孟庄镇")
    url = reverse("surveys:calls", args=[wave.pk])
    for outcome in ("completed", "refused", "no_answer", "invalid"):
        data = {"stratum": stratum.pk, "sample_number": "138", "outcome": outcome}
        assert client.post(url, data).status_code == 302
    assert CallAttempt.objects.count() == 4
    body = client.get(url).content.decode()
    # 2 of 4 calls reached someone (完成, 拒访); 1 of those 2 refused; 4 calls per complete.
    assert "50.00%" in body and "4.00" in body


def test_wave_create_page(client, login, people, tree, towns):
    login(people.szq_lead)
    data = {
        "region": tree.szq.pk,
        "name": "新测评",
        "year": "2025",
        "per_stratum": "50",
        "items": "政务服务\n行政执法",
    }
    response = client.post(reverse("surveys:create"), data)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "0 / 50" in body and "行政执法" in body


def test_word_summary_gives_the_rates_with_margins(client, login, people, wave, tmp_path):
    from docx import Document

    from fazhi.surveys import services

    path = tmp_path / "a.xlsx"
    path.write_bytes(tables.respondents_titled())
    services.survey_import(acting_user=people.szq_lead, wave=wave, path=path, filename="a.xlsx")
    login(people.szq_leader)
    response = client.get(reverse("surveys:summary", args=[wave.pk]))
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "总体满意率75.00%" in text and "误差±19.66个百分点" in text and "分值70.00" in text
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    # 8 satisfied of 10 counted: Wilson half width 1.96·√(0.016 + 0.0096) / 1.384 = 22.66.
    assert cells[1] == ["中心街街道", "4/10", "80.00", "22.66", "72.00"]


def test_api_report_is_the_cli_contract(client, people, bearer, wave, tmp_path):
    from fazhi.surveys import services

    path = tmp_path / "a.xlsx"
    path.write_bytes(tables.respondents_titled())
    services.survey_import(acting_user=people.szq_lead, wave=wave, path=path, filename="a.xlsx")
    data = client.get(f"/api/surveys/{wave.pk}/report", **bearer(people.szq_leader)).json()
    assert data["overall"] == {"n": 6, "satisfaction_rate": 75.0, "score": 70.0, "moe": 19.66}
    waves = client.get("/api/surveys/", **bearer(people.szq_leader)).json()
    assert waves == [
        {
            "id": wave.pk,
            "name": wave.name,
            "region": "370402",
            "year": 2025,
            "strata": 4,
            "respondents": 6,
        }
    ]
    assert client.get(f"/api/surveys/{wave.pk}/report", **bearer(people.xc_lead)).status_code == 404


def test_populations_give_the_weighted_rate(client, login, people, wave, tmp_path):
    from fazhi.surveys import selectors, services

    path = tmp_path / "a.xlsx"
    path.write_bytes(tables.respondents_titled())
    services.survey_import(acting_user=people.szq_lead, wave=wave, path=path, filename="a.xlsx")
    login(people.szq_lead)
    url = reverse("surveys:strata", args=[wave.pk])
    data = {}
    for stratum in wave.strata.all():
        data[f"target_{stratum.pk}"] = "50"
        # 中心街街道 (80 %) 1,000 people, 孟庄镇 (66.67 %) 3,000; the two without answers none.
        data[f"population_{stratum.pk}"] = {"中心街街道": "1000", "孟庄镇": "3000"}.get(
            stratum.name, ""
        )
    assert client.post(url, data).status_code == 302
    report = selectors.wave_report(wave)
    # 0.25 × 80 % + 0.75 × (4/6) = 70.00 %, against 75.00 % unweighted (12 of 16 answers).
    assert round(report.weighted.rate * 100, 2) == 70.0
    assert (
        "按人口加权满意率" in client.get(reverse("surveys:detail", args=[wave.pk])).content.decode()
    )
    data[f"target_{wave.strata.first().pk}"] = "0"
    client.post(url, data)
    assert wave.strata.first().target == 50  # refused, nothing changed
    login(people.szq_leader)
    assert client.get(url).status_code == 403
