"""The demo's work plan, shaped like 聊城's 2024 plan (seed 001: areas and measures, consulted,
checked by the legal adviser, adopted at the executive meeting, issued, tracked in a ledger) and
市南区's dynamic ledger (seed 004): 市中区's 工作要点 for the year, read from the Word document as a
lead office would upload it, taken through every drafting step early in the year, with the units'
quarterly progress since — one measure completed, one behind, one unit late with its report.
Dates are counted from the day the demo is loaded; loading again tells the story anew."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.files.base import ContentFile
from django.utils import timezone

from fazhi.accounts.models import User
from fazhi.core.demo import Calendar, happening_at
from fazhi.orgs.models import Region
from fazhi.plans import drafting, progress
from fazhi.plans.importing import plan_import
from fazhi.plans.models import Plan
from fazhi.plans.planreading import read_plan_lines

COUNTY = "370402"
LEAD = "szq_admin"


def plan_lines(year: int) -> list[str]:
    return [
        f"市中区{year}年法治政府建设工作要点（演示）",
        "为深入学习贯彻习近平法治思想，全面推进法治政府建设，结合我区实际，制定本要点。",
        "一、深入学习贯彻习近平法治思想",
        "（一）加强领导干部学法。将习近平法治思想纳入区政府常务会议会前学法计划。"
        "（牵头单位：区司法局；责任单位：区委组织部；每季度）",
        "（二）落实法治建设第一责任人职责。（区委依法治区办牵头，各街道、镇按职责分工负责；年底前完成）",
        "二、健全依法行政制度体系",
        "（一）开展行政规范性文件清理。对现行有效的规范性文件进行全面清理并向社会公布。"
        f"（牵头单位：区司法局；责任单位：区市场监管局、区行政审批服务局；完成时限：{year}年6月底前）",
        "（二）严格落实合法性审查。重大行政决策、规范性文件100%经合法性审查。（区司法局负责，持续推进）",
        "三、推进严格规范公正文明执法",
        "（一）全面推行行政执法“三项制度”。（牵头单位：区市场监管局；责任单位：区综合行政执法局；"
        f"完成时限：{year}年9月底前）",
        "（二）开展行政执法案卷评查。（区司法局牵头，区市场监管局配合；年底前完成）",
        "四、优化法治化营商环境",
        "（一）深化“一网通办”改革。（牵头单位：区行政审批服务局；责任单位：区大数据中心；"
        f"完成时限：{year}年10月底前）",
        "（二）街道综合执法规范化建设。（牵头单位：中心街街道；完成时限：年底前）",
    ]


# Who reports for which unit (the demo's liaisons; other units' reports the lead office enters).
LIAISONS = {
    "枣庄市市中区司法局": "szq_sfj_liaison",
    "枣庄市市中区市场监督管理局": "szq_scjg_liaison",
    "枣庄市市中区行政审批服务局": "szq_spj_liaison",
    "枣庄市市中区中心街街道": "szq_zxj_liaison",
}


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def load_demo_plan(cal: Calendar) -> Plan:
    county = Region.objects.get(code=COUNTY)
    year = cal.day(-200).year  # a year whose first quarters have passed
    name = f"市中区{year}年法治政府建设工作要点（演示）"
    told = Plan.objects.filter(region=county, name=name).first()
    if told is not None and _reported_periods(told) == _ended_periods(told, cal):
        return told  # the story as today would tell it: loading again writes nothing
    Plan.objects.filter(region=county, name=name).delete()
    lead = User.objects.get(username=LEAD)
    with happening_at(_at(date(year, 1, 8))):
        plan = plan_import(
            acting_user=lead,
            region=county,
            year=year,
            name=name,
            reading=read_plan_lines(plan_lines(year), year=year),
            source_name=f"{name}.docx",
        ).plan
    _draft(plan, lead, year)
    _carry_out(plan, lead, cal)
    return Plan.objects.get(pk=plan.pk)  # as the steps left it


def _reported_periods(plan: Plan) -> set[int]:
    return set(plan.periods.filter(reports__isnull=False).values_list("pk", flat=True))


def _ended_periods(plan: Plan, cal: Calendar) -> set[int]:
    return set(plan.periods.filter(ends_on__lt=cal.today).values_list("pk", flat=True))


def _draft(plan: Plan, lead, year: int) -> None:
    steps = drafting.StepRecord(
        consultation_until=date(year, 1, 25),
        adopted_meeting=f"区政府{year}年第3次常务会议",
        adopted_on=date(year, 2, 20),
        doc_number=f"市中政办发〔{year}〕5号",
        issued_on=date(year, 2, 28),
    )
    with happening_at(_at(date(year, 1, 12))):
        drafting.plan_advance(acting_user=lead, plan=plan, step="consulting", record=steps)
    comments = [
        ("2.1", "szq_scjg_liaison", "建议清理结果同时在区政府网站和政务新媒体公布", "adopted", ""),
        (
            "4.1",
            "szq_spj_liaison",
            "建议将完成时限延至年底",
            "rejected",
            "市里要求10月底前完成，不宜延后",
        ),
    ]
    for code, username, text, decision, reason in comments:
        with happening_at(_at(date(year, 1, 18))):
            comment = drafting.comment_add(
                acting_user=User.objects.get(username=username),
                plan=plan,
                measure=plan.measures.get(code=code),
                text=text,
            )
        with happening_at(_at(date(year, 1, 27))):
            drafting.comment_answer(
                acting_user=lead, comment=comment, decision=decision, reason=reason
            )
    with happening_at(_at(date(year, 1, 28))):
        drafting.plan_advance(acting_user=lead, plan=plan, step="legal_review", record=steps)
    with happening_at(_at(date(year, 2, 10))):
        drafting.plan_record_legal_review(
            acting_user=lead,
            plan=plan,
            reviewer="区政府法律顾问",
            opinion="经审查，工作要点内容不违反法律法规规定，程序合法。",
            reviewed_on=date(year, 2, 10),
        )
    with happening_at(_at(date(year, 2, 20))):
        drafting.plan_advance(acting_user=lead, plan=plan, step="adopted", record=steps)
    with happening_at(_at(date(year, 2, 28))):
        drafting.plan_advance(acting_user=lead, plan=plan, step="issued", record=steps)


def _carry_out(plan: Plan, lead, cal: Calendar) -> None:
    """Every unit reports each period that has ended, except the last one the 街道 owes."""
    periods = [p for p in progress.plan_periods_ensure(plan) if p.ends_on < cal.today]
    measures = list(plan.measures.prefetch_related("units__unit").order_by("code"))
    _road_map(plan, lead)
    for index, period in enumerate(periods):
        last = index == len(periods) - 1
        for measure in measures:
            for row in measure.units.all():
                if row.unit_id is None or (last and row.unit.kind == "town"):
                    continue
                _report(plan, lead, measure, period, row.unit, cal)
    with happening_at(_at(min(cal.today, periods[-1].due_on) if periods else cal.today, 16)):
        completed = plan.measures.get(code="2.1")
        if completed.reports.exists():
            progress.measure_set_status(acting_user=lead, measure=completed, status="completed")
        behind = plan.measures.get(code="4.1")
        progress.measure_set_status(
            acting_user=lead,
            measure=behind,
            status="behind",
            note="系统对接进度滞后，已约谈区大数据中心并明确11月底前完成",
        )


ROAD_MAP = [
    "完成调研，形成工作方案",
    "出台制度文件",
    "组织实施，开展中期评估",
    "总结评估，形成长效机制",
]


def _road_map(plan: Plan, lead) -> None:
    """The first measure's 阶段目标, quarter by quarter, as a lead office writes them."""
    measure = plan.measures.order_by("area__position", "position").first()
    quarters = progress.plan_periods_ensure(plan)
    with happening_at(_at(date(plan.year, 3, 5))):
        progress.measure_milestones_save(
            acting_user=lead, measure=measure, targets=dict(zip(quarters, ROAD_MAP, strict=False))
        )


def _report(plan, lead, measure, period, unit, cal: Calendar) -> None:
    username = LIAISONS.get(unit.name)
    actor = User.objects.get(username=username) if username else lead
    when = min(period.due_on, cal.today)
    with happening_at(_at(when, 9 + len(unit.name) % 6)):
        progress.progress_report_save(
            acting_user=actor,
            measure=measure,
            period=period,
            unit=None if username else unit,
            text=f"{unit.short_name or unit.name}按计划推进“{measure.title}”，"
            "已召开专题会议部署，形成工作台账。",
            figures="召开专题会议 1 次" if measure.code.endswith("1") else "",
            files=[
                ContentFile(
                    f"{measure.code} {period.label} {unit.name} 工作台账（演示）".encode(),
                    name=f"{measure.code}-{period.label}-工作台账.txt",
                )
            ]
            if username
            else [],
        )
