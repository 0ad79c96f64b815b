"""Carrying out an issued plan: periods, each unit's report with files, the lead unit's summary,
the lead office's check, and what the ledger and its export show."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.plans import progress
from fazhi.plans.importing import plan_import
from fazhi.plans.models import MeasureStatus, PlanStatus, ProgressReport, ReportPeriod
from fazhi.plans.planreading import read_plan_lines

LINES = [
    "一、健全依法行政制度体系",
    "（一）加强规范性文件管理。（牵头单位：区司法局；责任单位：区市场监管局；完成时限：2025年6月底前）",
    "（二）开展执法检查。（区市场监管局负责，年底前完成）",
]


@pytest.fixture
def plan(people, tree):
    plan = plan_import(
        acting_user=people.szq_lead,
        region=tree.szq,
        year=2025,
        name="市中区2025年工作要点",
        reading=read_plan_lines(LINES, year=2025),
    ).plan
    plan.status = PlanStatus.ISSUED
    plan.save()
    return plan


def test_quarterly_periods_due_ten_days_after_they_end_and_monthly_on_request(plan, people):
    periods = progress.plan_periods_ensure(plan)
    assert [(p.label, p.starts_on, p.due_on) for p in periods] == [
        ("第一季度", date(2025, 1, 1), date(2025, 4, 10)),
        ("第二季度", date(2025, 4, 1), date(2025, 7, 10)),
        ("第三季度", date(2025, 7, 1), date(2025, 10, 10)),
        ("第四季度", date(2025, 10, 1), date(2026, 1, 10)),
    ]
    progress.plan_set_cycle(acting_user=people.szq_lead, plan=plan, cycle="monthly")
    assert ReportPeriod.objects.filter(plan=plan).count() == 12
    assert ReportPeriod.objects.get(plan=plan, label="2月").due_on == date(2025, 3, 10)


def test_units_report_on_their_own_measures_the_lead_unit_summarises(plan, people, tree):
    q1 = progress.plan_periods_ensure(plan)[0]
    first = plan.measures.get(code="1.1")
    report = progress.progress_report_save(
        acting_user=people.szq_liaison,
        measure=first,
        period=q1,
        text="清理规范性文件 36 件",
        files=[ContentFile(b"ledger", name="清理台账.txt")],
    )
    assert (report.unit, report.is_summary) == (tree.units.szq_sfj, True)
    first.refresh_from_db()
    assert first.status == MeasureStatus.IN_PROGRESS
    # Sending again brings the report up to date and keeps its files.
    again = progress.progress_report_save(
        acting_user=people.szq_liaison, measure=first, period=q1, text="清理 40 件，废止 4 件"
    )
    assert again.pk == report.pk and again.files.count() == 1
    with pytest.raises(PermissionDenied):  # 1.2 is not given to 司法局
        progress.progress_report_save(
            acting_user=people.szq_liaison,
            measure=plan.measures.get(code="1.2"),
            period=q1,
            text="x",
        )
    with pytest.raises(PermissionDenied):
        progress.progress_report_save(
            acting_user=people.xc_liaison, measure=first, period=q1, text="x"
        )
    with pytest.raises(ValidationError, match="请填写进展情况"):
        progress.progress_report_save(
            acting_user=people.scjg_liaison, measure=first, period=q1, text=" "
        )


def test_the_lead_office_checks_before_completion_and_gives_reasons_for_delay(plan, people):
    measure = plan.measures.get(code="1.2")
    lead = people.szq_lead
    with pytest.raises(ValidationError, match="还没有任何进展报告"):
        progress.measure_set_status(acting_user=lead, measure=measure, status="completed")
    with pytest.raises(ValidationError, match="滞后的原因"):
        progress.measure_set_status(acting_user=lead, measure=measure, status="behind")
    with pytest.raises(PermissionDenied):
        progress.measure_set_status(
            acting_user=people.scjg_liaison, measure=measure, status="behind", note="x"
        )
    progress.measure_set_status(
        acting_user=lead, measure=measure, status="behind", note="检查方案未获批"
    )
    measure.refresh_from_db()
    assert (measure.status, measure.status_note) == ("behind", "检查方案未获批")


def test_pages_report_with_files_and_the_ledger_shows_the_latest_progress(
    plan, people, login, tree
):
    q1 = progress.plan_periods_ensure(plan)[0]
    measure = plan.measures.get(code="1.1")
    client = login(people.scjg_liaison)
    page = client.get(reverse("plans:measure", args=[measure.pk])).content.decode()
    assert 'id="report-form"' in page and "未报送：市中区司法局、市中区市场监督管理局" in page
    response = client.post(
        reverse("plans:measure_report", args=[measure.pk]),
        {
            "period": q1.pk,
            "text": "完成 12 家企业的执法检查",
            "figures": "检查 12 家",
            "files": [
                SimpleUploadedFile("检查记录.txt", "检查记录".encode()),
                SimpleUploadedFile("照片说明.txt", b"photos"),
            ],
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert sorted(report.files.values_list("original_name", flat=True)) == [
        "检查记录.txt",
        "照片说明.txt",
    ]
    file = report.files.get(original_name="检查记录.txt")
    download = client.get(reverse("plans:progress_file", args=[file.pk]))
    assert (
        b"".join(download.streaming_content if download.streaming else [download.content])
        == "检查记录".encode()
    )
    assert (
        login(people.xc_liaison).get(reverse("plans:progress_file", args=[file.pk])).status_code
        == 404
    )

    lead = login(people.szq_lead)
    ledger = lead.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "第一季度：完成 12 家企业的执法检查" in ledger
    export = lead.get(reverse("plans:export", args=[plan.pk]))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[2][5] == "【第一季度·区市场监管局】完成 12 家企业的执法检查"
    assert rows[2][6] == "推进中"
    # Readers of the region do not report.
    refused = login(people.szq_leader).post(
        reverse("plans:measure_report", args=[measure.pk]), {"period": q1.pk, "text": "x"}
    )
    assert refused.status_code == 403


def test_progress_command_and_api_give_each_measure_its_status_and_last_report(
    plan, people, bearer, client
):
    import json

    from django.core.management import call_command

    q1 = progress.plan_periods_ensure(plan)[0]
    measure = plan.measures.get(code="1.1")
    response = client.post(
        reverse("api:report_progress", args=[measure.pk]),
        {"period": q1.pk, "text": "清理 36 件"},
        content_type="application/json",
        **bearer(people.szq_liaison),
    )
    assert response.status_code == 200, response.content
    assert response.json()["unit"] == "市中区司法局"

    out = io.StringIO()
    call_command("plan", "progress", str(plan.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    first, second = data["measures"]
    assert (first["code"], first["status"], first["last_report"]["text"]) == (
        "1.1",
        "in_progress",
        "清理 36 件",
    )
    assert first["last_report"]["period"] == "第一季度" and first["overdue"] is True
    assert second["last_report"] is None
    earlier = io.StringIO()
    call_command("plan", "progress", str(plan.pk), "--date", "2025-01-05", "--json", stdout=earlier)
    assert json.loads(earlier.getvalue())["measures"][0]["overdue"] is False

    api = client.get(reverse("api:get_progress", args=[plan.pk]), **bearer(people.szq_lead)).json()
    assert api["measures"][0]["last_report"]["unit"] == "市中区司法局"
    other = client.get(reverse("api:get_plan", args=[plan.pk]), **bearer(people.xc_lead))
    assert other.status_code == 404
    refused = client.post(
        reverse("api:report_progress", args=[measure.pk]),
        {"period": q1.pk, "text": "x"},
        content_type="application/json",
        **bearer(people.szq_leader),
    )
    assert refused.status_code == 403


def test_my_tasks_shows_the_units_measures_with_the_report_owed_next(plan, people, login, tree):
    periods = progress.plan_periods_ensure(plan)
    progress.progress_report_save(
        acting_user=people.szq_liaison,
        measure=plan.measures.get(code="1.1"),
        period=periods[0],
        text="x",
    )
    page = login(people.szq_liaison).get(reverse("campaigns:my_tasks")).content.decode()
    assert "加强规范性文件管理" in page and "开展执法检查" not in page  # 1.2 is 市场监管局's
    # 2025's first quarter is reported; the second is the oldest owed, long overdue.
    assert "第二季度，2025-07-10 前" in page and "逾期未报" in page

    other = login(people.scjg_liaison).get(reverse("campaigns:my_tasks")).content.decode()
    assert "开展执法检查" in other and "第一季度，2025-04-10 前" in other


def test_reminders_tell_a_unit_of_a_report_due_and_overdue_once(plan, people, login):
    from fazhi.plans.models import Notification
    from fazhi.plans.services import reminders_collect

    periods = progress.plan_periods_ensure(plan)
    measure = plan.measures.get(code="1.1")
    progress.progress_report_save(
        acting_user=people.scjg_liaison, measure=measure, period=periods[0], text="x"
    )
    reminders_collect(today=date(2025, 4, 8), days=3)  # the first quarter's reports due 04-10
    notes = Notification.objects.filter(link__startswith="/plans/")
    assert {(n.user.username, n.kind) for n in notes} == {
        ("szq_liaison", "due_soon"),  # 1.1 owed by 司法局; 市场监管局 reported it
        ("scjg_liaison", "due_soon"),  # 1.2, given to 市场监管局 alone
    }
    reminders_collect(today=date(2025, 4, 8), days=3)
    assert notes.count() == 2  # once per fact
    reminders_collect(today=date(2025, 4, 11), days=3)
    assert notes.filter(kind="overdue").count() == 2

    note = notes.filter(user=people.szq_liaison).first()
    opened = login(people.szq_liaison).get(reverse("plans:notification_open", args=[note.pk]))
    assert opened["Location"] == reverse("plans:measure", args=[measure.pk])


def test_the_daily_email_lists_each_report_owed_beside_the_items(plan, emails):
    from django.core import mail

    from fazhi.plans.services import send_daily_digest

    progress.plan_periods_ensure(plan)
    send_daily_digest(today=date(2025, 4, 11), days=3)  # the first quarter's reports due 04-10
    scjg = next(m for m in mail.outbox if m.to == ["scjg@szq.example.gov.cn"])
    assert scjg.subject == "【法治创建平台】每日待办提醒（2项）"  # 1.1 and 1.2: two facts, not one
    assert "【已逾期】2 项" in scjg.body
    assert "「1.1 加强规范性文件管理" in scjg.body and "「1.2 开展执法检查" in scjg.body
    measure = plan.measures.get(code="1.2")
    assert f"http://127.0.0.1:8000/plans/measures/{measure.pk}/" in scjg.body


def test_progress_counts_by_area_and_unit_for_the_chart(plan, people, login):
    from fazhi.plans import selectors

    q1 = progress.plan_periods_ensure(plan)[0]
    measure = plan.measures.get(code="1.2")
    progress.progress_report_save(
        acting_user=people.scjg_liaison, measure=measure, period=q1, text="x"
    )
    progress.measure_set_status(acting_user=people.szq_lead, measure=measure, status="completed")

    data = selectors.progress_by(user=people.szq_lead, plan=plan)
    assert data["areas"] == [
        ("健全依法行政制度体系", {"not_started": 1, "in_progress": 0, "completed": 1, "behind": 0})
    ]
    assert dict(data["units"])["市中区市场监督管理局"] == {
        "not_started": 1,
        "in_progress": 0,
        "completed": 1,
        "behind": 0,
    }
    # A unit's chart counts only the measures it sees.
    mine = selectors.progress_by(user=people.szq_liaison, plan=plan)
    assert mine["areas"][0][1]["completed"] == 0
    page = login(people.szq_lead).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert 'data-chart="chart-areas-option"' in page and "措施完成情况（按单位）" in page


def test_year_end_summary_in_word_lists_each_measure_with_its_last_reports(plan, people, login):
    from docx import Document

    periods = progress.plan_periods_ensure(plan)
    measure = plan.measures.get(code="1.1")
    for user, text in (
        (people.szq_liaison, "全年清理 36 件"),
        (people.scjg_liaison, "配合清理 5 件"),
    ):
        progress.progress_report_save(
            acting_user=user, measure=measure, period=periods[3], text=text
        )
    progress.measure_set_status(acting_user=people.szq_lead, measure=measure, status="completed")

    response = login(people.szq_lead).get(reverse("plans:summary", args=[plan.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "市中区2025年工作要点完成情况" in text
    assert "计划共 2 项措施，其中已完成 1 项，推进中 0 项，滞后 0 项，未开始 1 项。" in text
    assert "二、健全依法行政制度体系" in text
    assert (
        "第四季度，区司法局：全年清理 36 件" in text
        and "第四季度，区市场监管局：配合清理 5 件" in text
    )
    assert "1.2 开展执法检查" in text and "尚无进展报告。" in text
