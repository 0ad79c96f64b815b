"""A measure's 阶段目标 (the time table of a ledger): read from a table's quarter or month
columns, set by the lead office or the measure's lead unit, shown beside each period's reports,
kept across a change of report cycle."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import Workbook

from fazhi.accounts.models import AuditEntry
from fazhi.core.spreadsheets import read_workbook
from fazhi.plans import progress
from fazhi.plans.importing import plan_import
from fazhi.plans.models import MeasureMilestone, PlanStatus
from fazhi.plans.planreading import read_plan_lines
from fazhi.plans.plantables import read_plan_table

pytestmark = pytest.mark.django_db


def _book(tmp_path, rows, merges=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    path = tmp_path / "台账.xlsx"
    workbook.save(path)
    return read_workbook(path, row_cap=5000)


def test_quarter_columns_under_a_merged_heading_are_the_measures_targets(tmp_path):
    book = _book(
        tmp_path,
        [
            ["序号", "工作任务", "牵头单位", "责任单位", "时间节点", None, None, None],
            [None, None, None, None, "一季度", "二季度", "三季度", "四季度"],
            ["一、健全依法行政制度体系"],
            [
                1,
                "加强规范性文件管理",
                "区司法局",
                "区市场监管局",
                "完成调研",
                "出台办法",
                None,
                "全面实施",
            ],
            [2, "开展执法检查", "区市场监管局", None, None, "制定方案", "完成检查", None],
        ],
        merges=["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:H1", "A3:H3"],
    )
    reading = read_plan_table(book, year=2025)

    assert reading.problems == []
    rules, checks = reading.measures
    assert rules.milestones == {
        "2025-03-31": "完成调研",
        "2025-06-30": "出台办法",
        "2025-12-31": "全面实施",
    }
    assert rules.deadline is None  # "时间节点" spans the quarters: it is no deadline column
    assert checks.milestones == {"2025-06-30": "制定方案", "2025-09-30": "完成检查"}


def test_month_columns_beside_a_deadline_column(tmp_path):
    book = _book(
        tmp_path,
        [
            ["工作措施", "牵头部门", "完成时限", "3月底", "6月底", "9月底", "12月底"],
            [
                "推行行政执法三项制度",
                "区司法局",
                "2025年12月底前",
                "印发方案",
                None,
                "中期评估",
                "总结",
            ],
        ],
    )
    (measure,) = read_plan_table(book, year=2025).measures
    assert measure.deadline == date(2025, 12, 31)
    assert measure.milestones == {
        "2025-03-31": "印发方案",
        "2025-09-30": "中期评估",
        "2025-12-31": "总结",
    }


def test_the_import_stores_each_target_by_its_date(tmp_path, people, tree):
    book = _book(
        tmp_path,
        [
            ["工作任务", "牵头单位", "一季度", "二季度"],
            ["加强规范性文件管理", "区司法局", "完成调研", "出台办法"],
        ],
    )
    plan = plan_import(
        acting_user=people.szq_lead,
        region=tree.szq,
        year=2025,
        name="带时间表的计划",
        reading=read_plan_table(book, year=2025),
    ).plan
    assert list(
        MeasureMilestone.objects.filter(measure__plan=plan).values_list("due_by", "target")
    ) == [(date(2025, 3, 31), "完成调研"), (date(2025, 6, 30), "出台办法")]


@pytest.fixture
def plan(people, tree):
    plan = plan_import(
        acting_user=people.szq_lead,
        region=tree.szq,
        year=2025,
        name="市中区2025年工作要点",
        reading=read_plan_lines(
            [
                "一、健全依法行政制度体系",
                "（一）加强规范性文件管理。（牵头单位：区司法局；责任单位：区市场监管局）",
            ],
            year=2025,
        ),
    ).plan
    plan.status = PlanStatus.ISSUED
    plan.save()
    return plan


def test_the_lead_unit_sets_targets_and_a_responsible_unit_may_not(plan, people):
    measure = plan.measures.get()
    q1, q2, *_ = progress.plan_periods_ensure(plan)
    progress.measure_milestones_save(
        acting_user=people.szq_liaison,  # 司法局 leads the measure
        measure=measure,
        targets={q1: "完成清理", q2: "公布目录"},
    )
    assert [m.target for m in measure.milestones.all()] == ["完成清理", "公布目录"]
    with pytest.raises(PermissionDenied):
        progress.measure_milestones_save(
            acting_user=people.scjg_liaison, measure=measure, targets={q1: "改掉"}
        )
    with pytest.raises(ValidationError, match="第一季度的阶段目标不能超过 500 字"):
        progress.measure_milestones_save(
            acting_user=people.szq_lead, measure=measure, targets={q1: "长" * 501}
        )
    progress.measure_milestones_save(acting_user=people.szq_lead, measure=measure, targets={q2: ""})
    assert [m.target for m in measure.milestones.all()] == ["完成清理"]  # cleared, q1 kept
    assert AuditEntry.objects.filter(action="plan.milestones").count() == 2


def test_a_change_of_cycle_keeps_each_target_in_the_month_it_falls_in(plan, people):
    measure = plan.measures.get()
    q1, *_ = progress.plan_periods_ensure(plan)
    progress.measure_milestones_save(
        acting_user=people.szq_lead, measure=measure, targets={q1: "完成清理"}
    )
    progress.plan_set_cycle(acting_user=people.szq_lead, plan=plan, cycle="monthly")
    periods = progress.milestones_by_period(measure, progress.plan_periods_ensure(plan))
    assert [(p.label, [m.target for m in ms]) for p, ms in periods if ms] == [("3月", ["完成清理"])]


def test_pages_show_the_targets_beside_the_reports_and_only_the_right_people_edit(
    plan, people, login
):
    measure = plan.measures.get()
    q1, *_ = progress.plan_periods_ensure(plan)
    url = reverse("plans:measure_milestones", args=[measure.pk])
    client = login(people.szq_liaison)
    page = client.get(url).content.decode()
    assert "第一季度（3月31日前）" in page
    too_long = client.post(url, {f"period_{q1.pk}": "长" * 501})
    assert too_long.status_code == 200 and "500" in too_long.content.decode()
    response = client.post(url, {f"period_{q1.pk}": "完成清理"})
    assert response.status_code == 302 and response["Location"].endswith("#milestones")

    detail = login(people.scjg_liaison).get(reverse("plans:measure", args=[measure.pk]))
    text = detail.content.decode()
    assert "完成清理" in text and "3月31日前" in text
    assert url not in text  # the responsible unit reads the road map, does not draw it
    assert login(people.scjg_liaison).get(url).status_code == 403
    assert login(people.xc_liaison).get(url).status_code == 404
