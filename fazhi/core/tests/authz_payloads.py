"""The requests the matrix sends: for each state-changing address, a request that goes through
for whoever may make it (the matrix checks that it changes rows), so that a refusal of anyone
else means the rule held, not that the form was empty. Each gets a `Ctx`: the world, the
persona's account, and the target."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from fazhi.accounts.models import User
from fazhi.campaigns.models import Explanation
from fazhi.conftest import PASSWORD
from fazhi.core.tests.authz_policy import county, variant
from fazhi.core.tests.authz_world import World
from fazhi.fieldwork.models import Applicant
from fazhi.filing.models import FilingSubmission
from fazhi.orgs.models import Region, Unit
from fazhi.reviews.models import Assessment, Review
from fazhi.surveys.models import Stratum
from fazhi.surveys.services import open_token

NEW_PASSWORD = "Lz-matrix-9173-qpx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Ctx:
    w: World
    persona: str
    target: str
    user: object  # the persona's account (None when anonymous)

    @property
    def c(self) -> str:
        return county(self.target)

    def id(self, key: str) -> int:
        return self.w.ids[key]


def _xlsx(rows: list[list], name: str) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def _text(name: str = "矩阵材料.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "矩阵测试材料".encode(), content_type="text/plain")


def _unit(x: Ctx, which: str = "sfj") -> Unit:
    return Unit.objects.get(pk=x.id(f"unit.{which}.{x.c}"))


# -- accounts ----------------------------------------------------------------------------------


def login(x: Ctx) -> dict:
    return {"username": "no-such-user", "password": "wrong"}


def password_change(x: Ctx) -> dict:
    return {
        "old_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
    }


def token_name(x: Ctx) -> dict:
    return {"name": "矩阵令牌"}


def user_create(x: Ctx) -> dict:
    unit = _unit(x)
    return {
        "username": f"new_{x.persona}",
        "display_name": "新建联络员",
        "region": unit.region_id,
        "unit": unit.pk,
        "roles": ["liaison"],
        "password": NEW_PASSWORD,
    }


def user_edit(x: Ctx) -> dict:
    target = User.objects.get(pk=x.id(f"user.{x.target}"))
    return {
        "username": target.username,
        "display_name": "改过的名字",
        "region": target.region_id or "",
        "unit": target.unit_id or "",
        "roles": target.role_codes(),
        "email": "",
        "phone": "",
        "is_active": "on",
    }


def password_reset(x: Ctx) -> dict:
    return {"password": NEW_PASSWORD}


# -- orgs, frameworks --------------------------------------------------------------------------


def unit_create(x: Ctx) -> dict:
    return {
        "region": x.id(f"region.{x.c}"),
        "name": "矩阵新单位",
        "short_name": "",
        "kind": "department",
        "sort_order": "0",
    }


def unit_import(x: Ctx) -> dict:
    code = Region.objects.get(pk=x.id(f"region.{x.c}")).code
    return {"file": _xlsx([["单位名称", "区划代码"], ["矩阵导入单位", code]], "单位.xlsx")}


def unit_edit(x: Ctx) -> dict:
    unit = Unit.objects.get(pk=x.id(f"unit.{x.target}"))
    return {
        "region": unit.region_id,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "sort_order": "7",
    }


def plan_upload(x: Ctx) -> dict:
    return {
        "region": x.id(f"region.{x.c}"),
        "year": "2026",
        "name": "矩阵上传的计划",
        "file": SimpleUploadedFile("工作要点.docx", x.w.extra["plan.docx"]),
    }


def plan_adopt(x: Ctx) -> dict:
    return {"adopted_meeting": "区政府第12次常务会议", "adopted_on": "2025-03-20"}


def legal_review(x: Ctx) -> dict:
    return {"reviewer": "矩阵审查", "opinion": "矩阵审查意见", "reviewed_on": "2025-03-12"}


def measure_edit(x: Ctx) -> dict:
    return {
        "title": "矩阵修改的措施",
        "deadline_text": "2025年9月底前",
        "lead": x.id(f"unit.sfj.{x.c}"),
        "responsible": [x.id(f"unit.scjg.{x.c}")],
        "keep_unresolved": "on",
    }


def plan_comment(x: Ctx) -> dict:
    return {"text": "矩阵提出的意见", "unit": x.id(f"unit.sfj.{x.c}")}


def comment_answer(x: Ctx) -> dict:
    return {"decision": "rejected", "reason": "矩阵答复的理由"}


def plan_cycle(x: Ctx) -> dict:
    return {"cycle": "monthly"}


def progress_report(x: Ctx) -> dict:
    return {
        "period": x.id(f"period.{x.c}"),
        "unit": x.id(f"unit.sfj.{x.c}"),
        "text": "矩阵报送的进展",
        "figures": "",
    }


def api_progress(x: Ctx) -> dict:
    return {
        "period": x.id(f"period.{x.c}"),
        "text": "接口报送的进展",
        "unit": x.id(f"unit.sfj.{x.c}"),
    }


def measure_link(x: Ctx) -> dict:
    return {"campaign": x.id(f"campaign.{x.c}"), "code": "1.1.1"}


def offer_file(x: Ctx) -> dict:
    return {"item": x.id(f"item.sfj.{x.c}")}


def measure_milestones(x: Ctx) -> dict:
    return {f"period_{x.id(f'period.{x.c}')}": "矩阵设定的阶段目标"}


def measure_status(x: Ctx) -> dict:
    return {"status": "behind", "note": "矩阵核定的滞后原因"}


def framework_import(x: Ctx) -> dict:
    return {
        "file": SimpleUploadedFile("细则.xlsx", x.w.extra["framework.xlsx"], content_type=XLSX),
        "name": "矩阵导入的指标体系",
        "edition": "2027",
        "owner_region": x.id(f"region.{x.c}"),
    }


def api_framework_import(x: Ctx) -> dict:
    return {
        "file": SimpleUploadedFile("细则.xlsx", x.w.extra["framework.xlsx"], content_type=XLSX),
        "name": "矩阵导入的指标体系",
        "edition": "2027",
        "region": Region.objects.get(pk=x.id(f"region.{x.c}")).code,
    }


def scoring(x: Ctx) -> dict:
    return {"aggregation": "weighted", "veto_effect": "area"}


def diff_query(x: Ctx) -> str:
    query = f"old={x.id('framework.national')}&new={x.id(f'framework.{x.c}')}"
    return query + ("&export=xlsx" if variant(x.target) == "xlsx" else "")


# -- campaigns, evidence -----------------------------------------------------------------------


def campaign_create(x: Ctx) -> dict:
    return {
        "name": "矩阵新建的创建活动",
        "level": "national",
        "region": x.id(f"region.{x.c}"),
        "framework": x.id("framework.national"),
        "period_start": "2024-01-01",
        "period_end": "2025-12-31",
        "description": "",
    }


def api_campaign(x: Ctx) -> dict:
    return {
        "framework": str(x.id("framework.national")),
        "region": Region.objects.get(pk=x.id(f"region.{x.c}")).code,
        "name": "矩阵新建的创建活动",
        "period_start": "2024-01-01",
        "period_end": "2025-12-31",
    }


def campaign_edit(x: Ctx) -> dict:
    return {
        "name": "改过名字的创建活动",
        "level": "national",
        "period_start": "2023-01-01",
        "period_end": "2025-12-31",
        "description": "",
    }


def assign(x: Ctx) -> dict:
    return {"items": [x.id(f"item.sfj.{x.c}")], "deadline": "2025-09-30"}


def search_query(x: Ctx) -> str:
    return "q=公示"


def api_search_query(x: Ctx) -> str:
    return f"campaign={x.id(f'campaign.{x.c}')}&q=公示"


def with_deleted(x: Ctx) -> str:
    return "deleted=1"


def tasklist(x: Ctx) -> dict:
    body = x.w.extra[f"tasklist.{x.c}"]
    return {"file": SimpleUploadedFile("任务清单.xlsx", body, content_type=XLSX)}


def migrate_query(x: Ctx) -> str:
    return f"framework={x.id('framework.revised')}"


def migrate(x: Ctx) -> dict:
    return {"framework": x.id("framework.revised"), "confirm": "yes"}


def reopen(x: Ctx) -> dict:
    return {"reason": "省里要求补充材料"}


def _explanation_version(x: Ctx) -> int | None:
    found = Explanation.objects.filter(item_id=x.id(f"item.{x.target}")).first()
    return found.version if found else None


def explanation(x: Ctx) -> dict:
    version = _explanation_version(x)
    return {
        "text": "2025年，本单位共办理矩阵案件12件。",
        "version": "" if version is None else version,
    }


def api_explanation(x: Ctx) -> dict:
    return {"text": "2025年，本单位共办理矩阵案件12件。", "version": _explanation_version(x)}


def self_assessment(x: Ctx) -> dict:
    return {"highlights_text": "矩阵亮点", "shortfalls": "矩阵不足", "next_steps": "矩阵下一步"}


def item_edit(x: Ctx) -> dict:
    return {"title": "改过的任务项内容", "points": "12", "deadline": "2025-10-31"}


def refine(x: Ctx) -> dict:
    return {"title": "矩阵新增的细化项"}


def resolve(x: Ctx) -> dict:
    return {"text": "区气象局"}


def return_reason(x: Ctx) -> dict:
    return {"reason": "请补充统计表"}


def upload(x: Ctx) -> dict:
    return {"files": [_text()]}


def archive(x: Ctx) -> dict:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("2.1.3 规范性文件/矩阵材料.txt", "矩阵测试材料")
    return {"archive": SimpleUploadedFile("材料.zip", buffer.getvalue(), "application/zip")}


def evidence_edit(x: Ctx) -> dict:
    return {"title": "改过的标题", "doc_number": "", "description": ""}


def replace(x: Ctx) -> dict:
    return {"file": _text("新版本.txt")}


# -- reviews -----------------------------------------------------------------------------------


def round_open(x: Ctx) -> dict:
    return {
        "name": "第三轮",
        "scope": "all",
        "starts_on": "2025-05-01",
        "ends_on": "2025-05-31",
        "reviewer": [x.w.users["szq_reviewer"].pk],
    }


def _review_version(x: Ctx) -> int:
    return Review.objects.get(pk=x.id(f"review.open.{x.c}")).version


def decide(x: Ctx) -> dict:
    return {"verdict": "pass", "comment": "", "version": _review_version(x)}


def api_decide(x: Ctx) -> dict:
    return {"verdict": "pass", "comment": "", "version": _review_version(x)}


def _assessment_version(x: Ctx) -> int | None:
    side, item = x.target.split("-", 1)
    found = Assessment.objects.filter(item_id=x.id(f"item.{item}"), side=side).first()
    return found.version if found else None


def submission_in_force(x: Ctx) -> None:
    """The world's version 1 is reopened (so that the campaign is not frozen for everything
    else); what needs a submission in force asks with it in force again, within the request's
    savepoint."""
    FilingSubmission.objects.filter(pk=x.id(f"submission.{x.c}")).update(reopened_at=None)


def filing_in_force(x: Ctx) -> None:
    """The written review reads the submitted filing."""
    if x.target.startswith("written-"):
        submission_in_force(x)


def assess_form(x: Ctx) -> dict:
    version = _assessment_version(x)
    return {
        "rule": "",
        "reason": "材料不全",
        "points": "1",
        "version": "" if version is None else version,
    }


def api_assess(x: Ctx) -> dict:
    return {
        "deductions": [{"rule": "", "reason": "材料不全", "points": "1"}],
        "version": _assessment_version(x),
    }


# -- fieldwork, filing -------------------------------------------------------------------------


def evaluation_create(x: Ctx) -> dict:
    return {
        "region": x.id(f"region.{x.target}"),
        "name": "矩阵新建的评估",
        "written_weight": "50",
        "field_weight": "30",
        "survey_weight": "20",
        "description": "",
    }


def evaluation_edit(x: Ctx) -> dict:
    return {
        "name": "改过名字的评估",
        "written_weight": "40",
        "field_weight": "40",
        "survey_weight": "20",
        "description": "",
    }


def applicants(x: Ctx) -> dict:
    return {"campaigns": [x.id("campaign.xc")]}


def evaluator(x: Ctx) -> dict:
    return {"user": x.w.users["expert"].pk}


def scores_import(x: Ctx) -> dict:
    rows = [["地区", "满意度测评得分"], ["市中区", 66]]  # the field score is the parts'

    return {"file": _xlsx(rows, "得分.xlsx")}


def scores(x: Ctx) -> dict:
    applicant = Applicant.objects.get(pk=x.id(f"applicant.{x.target}"))
    # The field score is computed from its parts (a typed one is refused): the survey's alone.
    return {"field_score": "", "survey_score": "90", "version": applicant.version}


def field_parts(x: Ctx) -> dict:
    return {"name_0": "法治能力测试", "weight_0": "30", "name_1": "案卷评查", "weight_1": "70"}


def field_part_score(x: Ctx) -> dict:
    return {"part": x.id(f"field_part.{x.target}"), "score": "75"}


def exam_evidence(x: Ctx) -> dict:
    return {"item": x.id(f"item.sfj.{x.c}")}


def field_feed(x: Ctx) -> dict:
    return {"applicant": x.id("applicant.city"), "part": x.id("field_part.city")}


def build(x: Ctx) -> dict:
    return {"split": "pages", "page_budget": "400"}


def choice_decide(x: Ctx) -> dict:
    return {"evidence": [x.id(f"evidence.sfj.{x.c}")], "decision": "exclude", "reason": "矩阵"}


def choice_order(x: Ctx) -> dict:
    return {f"place-{x.id(f'evidence.sfj.{x.c}')}": "1"}


def filing_submit(x: Ctx) -> dict:
    return {"confirm": "1", "note": "矩阵提交"}


def filing_reopen(x: Ctx) -> dict:
    return {"reason": "矩阵重新打开"}


def api_choice(x: Ctx) -> dict:
    return {"decision": "exclude", "reason": "矩阵", "place": 1}


def api_filing_submit(x: Ctx) -> dict:
    return {"note": "矩阵提交"}


def api_filing_reopen(x: Ctx) -> dict:
    return {"reason": "矩阵重新打开"}


def api_build(x: Ctx) -> dict:
    return {"split": "pages", "page_budget": 400}


def report_template(x: Ctx) -> dict:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    body = x.w.extra["template.docx"]
    return {"file": SimpleUploadedFile("模板.docx", body, content_type=docx)}


# -- surveys -----------------------------------------------------------------------------------


def survey_wave_create(x: Ctx) -> dict:
    region = x.id(f"region.{x.c}")
    return {"region": region, "name": "矩阵新建的测评", "year": "2025", "per_stratum": "10"}


def survey_call(x: Ctx) -> dict:
    stratum = x.id(f"stratum.{x.c}")
    return {"stratum": stratum, "sample_number": "13800000001", "outcome": "completed"}


def survey_table(x: Ctx) -> dict:
    body = f"镇街,政务服务,行政执法\n{x.w.extra[f'stratum_name.{x.c}']},满意,一般\n"
    return {"file": SimpleUploadedFile("测评结果.csv", body.encode(), content_type="text/csv")}


def survey_answer(x: Ctx) -> dict:
    return {f"item_{x.id(f'survey_item.{x.c}')}": "0"}


def survey_strata(x: Ctx) -> dict:
    stratum = x.id(f"stratum.{x.c}")
    return {f"target_{stratum}": "30", f"population_{stratum}": "12000"}


def survey_invitations(x: Ctx) -> dict:
    return {"stratum": x.id(f"stratum.{x.c}"), "count": "2"}


def survey_feed(x: Ctx) -> dict:
    return {"applicant": x.id("applicant.city"), "measure": "rate"}


def survey_evidence(x: Ctx) -> dict:
    return {"item": x.id(f"item.sfj.{x.c}")}


def survey_open_answer(x: Ctx) -> dict:
    stratum = Stratum.objects.get(pk=x.id(f"stratum.{x.c}"))
    return {"token": open_token(stratum), **survey_answer(x)}


# -- exams -------------------------------------------------------------------------------------


def exam_bank_upload(x: Ctx) -> dict:
    from fazhi.exams.tests.samples import excel_columns

    return {
        "name": "矩阵上传题库",
        "file": SimpleUploadedFile("题库.xlsx", excel_columns(), content_type=XLSX),
    }


def exam_create(x: Ctx) -> dict:
    return {
        "name": "矩阵新测试",
        "bank": x.id(f"exam_bank.{x.c}"),
        "mode": "exam",
        "blueprint": "single:2,judge:2",
        "points_single": "2",
        "points_multiple": "3",
        "points_judge": "1",
        "points_blank": "2",
        "points_essay": "10",
        "duration_minutes": "30",
        "pass_mark": "60",
        "attempts_allowed": "1",
    }


def exam_roster(x: Ctx) -> dict:
    return {
        "file": _xlsx(
            [["姓名", "单位", "人员类别"], ["矩阵考生", "市中区司法局", "公务员"]], "名单.xlsx"
        )
    }


def exam_draw(x: Ctx) -> dict:
    return {"count": "1", "seed": "5"}


def exam_grade(x: Ctx) -> dict:
    return {"answer": x.id(f"exam_essay.{x.c}"), "score": "5"}


def exam_enter(x: Ctx) -> dict:
    return {"code": "ABCD1234"}


def exam_answer(x: Ctx) -> dict:
    return {"question": x.id(f"exam_question.{x.c}"), "value": "0"}


# -- inspections -------------------------------------------------------------------------------


def inspection_create(x: Ctx) -> dict:
    return {"name": "矩阵督察", "kind": "special", "region": x.id("region.city")}


def inspection_document(x: Ctx) -> dict:
    return {"kind": "feedback", "title": "反馈意见", "file": _text("反馈意见.txt")}


def finding_create(x: Ctx) -> dict:
    return {
        "number": "99",
        "description": "矩阵新增问题",
        "responsible_unit": x.id("unit.sfj.szq"),
        "deadline": "2026-06-30",
    }


def recheck_draw(x: Ctx) -> dict:
    return {"count": "1"}


def findings_table(x: Ctx) -> dict:
    return {
        "file": _xlsx(
            [["序号", "问题描述", "责任单位"], ["8", "矩阵问题", "市中区司法局"]], "问题清单.xlsx"
        )
    }


def finding_plan(x: Ctx) -> dict:
    return {"measures": "建立台账，逐项整改"}


def finding_report(x: Ctx) -> dict:
    return {"note": "整改进展"}


def finding_verify(x: Ctx) -> dict:
    return {"verdict": "accept", "note": "整改到位"}


def finding_reopen(x: Ctx) -> dict:
    return {"note": "问题反弹"}


def finding_escalate(x: Ctx) -> dict:
    from django.utils import timezone

    return {"step": "remind", "on": timezone.localdate().isoformat(), "note": "电话提醒"}


def finding_unit(x: Ctx) -> dict:
    return {"unit": x.id(f"unit.{variant(x.target)}.{x.c}")}


def recheck_decide(x: Ctx) -> dict:
    return {"result": "confirm", "note": "整改到位"}


def api_finding_verify(x: Ctx) -> dict:
    return {"accept": True, "note": "整改到位"}


def finding_category(x: Ctx) -> dict:
    return {"name": "矩阵问题类别"}


def finding_edit(x: Ctx) -> dict:
    return {
        "number": "77",
        "description": "矩阵修改的问题",
        "responsible_unit": x.id(f"unit.{variant(x.target)}.{x.c}"),
        "deadline": "2026-12-31",
    }


# -- casereviews -------------------------------------------------------------------------------


def casereview_create(x: Ctx) -> dict:
    return {
        "name": "矩阵新评查",
        "region": x.id("region.city"),
        "standards": [x.id("casereview_standard.city")],
        "closed_from": "2025-01-01",
        "closed_to": "2025-12-31",
    }


def casereview_standard_upload(x: Ctx) -> dict:
    text = (
        '{"sections": [{"title": "案卷", "points": 100, "items": [{"code": "1", "title": "文书",'
        ' "points": 100, "rule": {"kind": "fixed", "per": 5}}]}]}'
    )
    return {
        "name": "矩阵上传标准",
        "case_type": "penalty",
        "region": x.id("region.city"),
        "file": SimpleUploadedFile("标准.json", text.encode(), content_type="application/json"),
    }


def casereview_cases(x: Ctx) -> dict:
    return {
        "file": _xlsx(
            [
                ["案件编号", "案件名称", "类型", "执法单位", "承办人", "结案日期"],
                ["M-8", "矩阵案件", "行政处罚", "市中区司法局", "", "2025-04-01"],
            ],
            "案件清单.xlsx",
        )
    }


# -- monitoring --------------------------------------------------------------------------------


def figure_report(x: Ctx) -> dict:
    return {"metric": "legality_review", "period": "2024Q4", "numerator": "2", "denominator": "3"}


def api_figure_report(x: Ctx) -> dict:
    return {"metric": "legality_review", "period": "2024Q4", "numerator": 2, "denominator": 3}


def figure_correct(x: Ctx) -> dict:
    return {"numerator": "1", "denominator": "4", "reason": "矩阵更正"}


def figures_table(x: Ctx) -> dict:
    return {
        "file": _xlsx(
            [
                ["2024年第四季度监测数据"],
                ["地区", "指标", "分子", "分母"],
                ["市中区", "败诉率", 1, 9],
            ],
            "监测数据.xlsx",
        )
    }


def casereview_thresholds(x: Ctx) -> dict:
    return {"excellent_from": "85", "pass_from": "60"}


def casereview_evidence(x: Ctx) -> dict:
    return {"item": x.id("item.scjg.szq")}


def casereview_sample(x: Ctx) -> dict:
    return {"per_unit": "1", "seed": "2"}


def casereview_assign(x: Ctx) -> dict:
    return {"reviewer": User.objects.get(username="xc_lead").pk, "round": "1"}


def casereview_scan(x: Ctx) -> dict:
    return {"file": _text("卷宗扫描件.txt")}


def casereview_note(x: Ctx) -> dict:
    return {"page": "3", "text": "第 3 页缺少签名"}


def casereview_sheet(x: Ctx) -> dict:
    return {"version": "0"}


def api_casereview_sample(x: Ctx) -> dict:
    return {"per_unit": 1, "seed": 2}


def api_casereview_sheet(x: Ctx) -> dict:
    return {"deductions": [{"item": "1", "count": 1}], "veto": []}


def metric_edit(x: Ctx) -> dict:
    return {
        "name": "行政机关负责人出庭应诉率",
        "numerator": "负责人出庭应诉的开庭案件数",
        "denominator": "开庭审理的行政诉讼案件数",
        "source": "法院通知",
        "scope_text": "本地区",
        "reporter": "司法局",
        "period_kind": "quarter",
        "direction": "higher",
        "target": "98",
        "points": "15",
        "deduct_per_point": "1",
        "is_active": "on",
    }


def metric_binding(x: Ctx) -> dict:
    return {"node": x.id("node.monitored"), "metrics": ["court_appearance", "legality_review"]}


def annual_report(x: Ctx) -> dict:
    return {"year": "2025", "submitted_on": "2026-02-25"}


def annual_template(x: Ctx) -> dict:
    from fazhi.monitoring.annual import default_template_bytes

    return {"file": SimpleUploadedFile("年度报告模板.docx", default_template_bytes())}


def report_query(x: Ctx) -> str:
    code = {"szq": "370402", "xc": "370403"}[x.target]
    return f"region={code}&period=2025Q1"
