"""Drafting a work plan: the steps in order with what each records, comments and their answers
(the 意见采纳情况表), edits before issue and recorded adjustments after."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.accounts.models import AuditEntry
from fazhi.plans import drafting
from fazhi.plans.importing import plan_import
from fazhi.plans.models import CommentDecision, PlanAdjustment, PlanStatus
from fazhi.plans.planreading import read_plan_lines

LINES = [
    "一、健全依法行政制度体系",
    "（一）加强规范性文件管理。（牵头单位：区司法局；责任单位：区市场监管局；完成时限：2025年6月底前）",
    "（二）开展执法检查。（区市场监管局负责，年底前完成）",
]


@pytest.fixture
def plan(people, tree):
    return plan_import(
        acting_user=people.szq_lead,
        region=tree.szq,
        year=2025,
        name="市中区2025年工作要点",
        reading=read_plan_lines(LINES, year=2025),
    ).plan


def _advance(plan, user, step, **record):
    return drafting.plan_advance(
        acting_user=user, plan=plan, step=step, record=drafting.StepRecord(**record)
    )


def test_steps_go_in_order_each_with_its_record(plan, people):
    lead = people.szq_lead
    with pytest.raises(ValidationError, match="须依次进行"):
        _advance(plan, lead, PlanStatus.ADOPTED)
    with pytest.raises(ValidationError, match="截止日期"):
        _advance(plan, lead, PlanStatus.CONSULTING)
    _advance(plan, lead, PlanStatus.CONSULTING, consultation_until=date(2025, 2, 28))
    comment = drafting.comment_add(
        acting_user=people.scjg_liaison,
        plan=plan,
        measure=plan.measures.get(code="1.2"),
        text="建议把完成时限提前到三季度",
    )
    assert comment.unit == people.scjg_liaison.unit
    with pytest.raises(ValidationError, match="还有 1 条意见没有答复"):
        _advance(plan, lead, PlanStatus.LEGAL_REVIEW)
    with pytest.raises(ValidationError, match="说明理由"):
        drafting.comment_answer(acting_user=lead, comment=comment, decision="rejected", reason="")
    drafting.comment_answer(
        acting_user=lead, comment=comment, decision="partly", reason="改为10月底前"
    )
    _advance(plan, lead, PlanStatus.LEGAL_REVIEW)
    with pytest.raises(ValidationError, match="先记录合法性审查意见"):
        _advance(
            plan, lead, PlanStatus.ADOPTED, adopted_meeting="常务会议", adopted_on=date(2025, 3, 5)
        )
    drafting.plan_record_legal_review(
        acting_user=lead,
        plan=plan,
        reviewer="区司法局",
        opinion="未发现违法内容",
        reviewed_on=date(2025, 3, 1),
    )
    _advance(
        plan,
        lead,
        PlanStatus.ADOPTED,
        adopted_meeting="区政府第5次常务会议",
        adopted_on=date(2025, 3, 5),
    )
    with pytest.raises(ValidationError, match="文号和日期"):
        _advance(plan, lead, PlanStatus.ISSUED)
    plan = _advance(
        plan,
        lead,
        PlanStatus.ISSUED,
        doc_number="市中政办发〔2025〕3号",
        issued_on=date(2025, 3, 10),
    )

    assert (plan.status, plan.doc_number, plan.adopted_meeting) == (
        "issued",
        "市中政办发〔2025〕3号",
        "区政府第5次常务会议",
    )
    steps = AuditEntry.objects.filter(action="plan.advance").count()
    assert steps == 4


def test_comments_only_while_consulting_and_only_by_those_who_may(plan, people):
    measure = plan.measures.get(code="1.1")
    with pytest.raises(ValidationError, match="不在征求意见阶段"):
        drafting.comment_add(
            acting_user=people.szq_liaison, plan=plan, measure=measure, text="意见"
        )
    _advance(plan, people.szq_lead, PlanStatus.CONSULTING, consultation_until=date(2025, 2, 28))
    with pytest.raises(PermissionDenied):  # 1.2 is not given to 司法局
        drafting.comment_add(
            acting_user=people.szq_liaison,
            plan=plan,
            measure=plan.measures.get(code="1.2"),
            text="意见",
        )
    with pytest.raises(PermissionDenied):
        drafting.comment_add(acting_user=people.szq_leader, plan=plan, measure=measure, text="意见")
    with pytest.raises(PermissionDenied):
        drafting.comment_answer(
            acting_user=people.szq_liaison,
            comment=drafting.comment_add(
                acting_user=people.szq_liaison, plan=plan, measure=measure, text="意见"
            ),
            decision="adopted",
            reason="",
        )


def test_comment_table_export_and_pages(plan, people, login, tree):
    _advance(plan, people.szq_lead, PlanStatus.CONSULTING, consultation_until=date(2025, 2, 28))
    measure = plan.measures.get(code="1.1")
    liaison = login(people.szq_liaison)
    response = liaison.post(
        reverse("plans:measure_comment", args=[measure.pk]), {"text": "建议细化检查频次"}
    )
    assert response.status_code == 302
    lead = login(people.szq_lead)
    comment = plan.comments.get()
    lead.post(
        reverse("plans:comment_answer", args=[comment.pk]), {"decision": "adopted", "reason": ""}
    )
    comment.refresh_from_db()
    assert comment.decision == CommentDecision.ADOPTED

    export = lead.get(reverse("plans:comments_export", args=[plan.pk]))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "措施编号", "工作任务", "提出单位", "意见内容", "采纳情况", "理由")
    assert rows[1][:6] == (
        1,
        "1.1",
        "加强规范性文件管理",
        "市中区司法局",
        "建议细化检查频次",
        "采纳",
    )
    # 市场监管局 reads its own comments only: the table has no row for 司法局's.
    other = login(people.scjg_liaison).get(reverse("plans:comments_export", args=[plan.pk]))
    assert len(list(load_workbook(io.BytesIO(other.content)).active.iter_rows())) == 1


def test_an_issued_measure_changes_only_with_a_reason_and_leaves_a_record(
    plan, people, login, tree
):
    plan.status = PlanStatus.ISSUED
    plan.save()
    measure = plan.measures.get(code="1.1")
    client = login(people.szq_lead)
    url = reverse("plans:measure_edit", args=[measure.pk])
    data = {
        "title": "加强规范性文件管理",
        "deadline_text": "2025年9月底前",
        "lead": tree.units.szq_sfj.pk,
        "responsible": [tree.units.szq_scjg.pk],
        "keep_unresolved": "on",
    }
    refused = client.post(url, data)
    assert "须说明调整理由" in refused.content.decode()
    measure.refresh_from_db()
    assert measure.deadline == date(2025, 6, 30)

    client.post(url, {**data, "reason": "市政府统一部署提前完成清理"})
    measure.refresh_from_db()
    assert measure.deadline == date(2025, 9, 30)
    adjustment = PlanAdjustment.objects.get()
    assert adjustment.reason == "市政府统一部署提前完成清理"
    assert adjustment.changes == [
        {
            "field": "deadline_text",
            "label": "完成时限",
            "before": "2025年6月底前",
            "after": "2025年9月底前",
        }
    ]
    page = client.get(reverse("plans:measure", args=[measure.pk])).content.decode()
    assert "调整记录" in page and "2025年6月底前 → 2025年9月底前" in page


def test_a_draft_measure_is_edited_freely_but_an_impossible_date_is_refused(
    plan, people, login, tree
):
    measure = plan.measures.get(code="1.2")
    client = login(people.szq_lead)
    url = reverse("plans:measure_edit", args=[measure.pk])
    bad = client.post(
        url,
        {
            "title": "开展执法检查",
            "deadline_text": "2025年13月底前",
            "lead": tree.units.szq_scjg.pk,
        },
    )
    assert "月份 13 不存在" in bad.content.decode()
    client.post(
        url, {"title": "开展执法检查", "deadline_text": "每季度", "lead": tree.units.szq_sfj.pk}
    )
    measure.refresh_from_db()
    assert (measure.deadline_text, measure.deadline) == ("每季度", None)
    assert [row.unit for row in measure.units.all()] == [tree.units.szq_sfj]
    assert not PlanAdjustment.objects.exists()
    assert login(people.szq_liaison).get(url).status_code == 403
