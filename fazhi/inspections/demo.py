"""The demo's inspection (法治督察), shaped like 枣庄's (seed 002: city leaders led groups to the
units and fed back findings to rectify): the city's inspector inspected 市中区's and 薛城区's
units four months ago and raised eight findings, now in every state — closed, waiting for 销号,
rejected once and back in progress, overdue and escalated, 长期坚持 with milestones, untouched.
Dates are counted from the day the demo is loaded; loading again tells the story anew."""

from __future__ import annotations

from django.core.files.base import ContentFile

from fazhi.accounts.models import User
from fazhi.core.demo import Calendar, happening_at
from fazhi.inspections import milestones, rechecks, services
from fazhi.inspections.models import Inspection
from fazhi.orgs.models import Region, Unit

NAME = "2025年度全市法治政府建设督察（演示）"
CITY = "370400"
INSPECTOR = "zz_inspector"
# (number, unit code, liaison, category, description, requirement, deadline offset or None
# for 长期坚持, story)
FINDINGS = [
    (
        "1",
        "370402-sfj",
        "szq_sfj_liaison",
        "依法决策",
        "重大行政决策事项目录未按时向社会公布",
        "按规定时限公布年度重大行政决策事项目录",
        -30,
        "closed",
    ),
    (
        "2",
        "370402-sfj",
        "szq_sfj_liaison",
        "制度建设",
        "部分行政规范性文件清理不及时，存在与上位法不一致的条款",
        "全面清理并公布清理结果",
        30,
        "requested",
    ),
    (
        "3",
        "370402-scjgj",
        "szq_scjg_liaison",
        "执法规范",
        "部分行政处罚案卷缺少法制审核意见\n个别案卷文书送达程序不规范",
        "开展案卷自查，补齐法制审核环节",
        -20,
        "escalated",
    ),
    (
        "4",
        "370402-scjgj",
        "szq_scjg_liaison",
        "政务公开",
        "行政执法结果未在规定时限内公示",
        "落实执法公示制度，7 个工作日内公示",
        45,
        "open",
    ),
    (
        "5",
        "370402-spj",
        "szq_spj_liaison",
        "执法规范",
        "“双随机、一公开”抽查比例未达要求",
        "制定年度抽查计划并按比例实施",
        -60,
        "rejected",
    ),
    (
        "6",
        "370402001000-zxj",
        "szq_zxj_liaison",
        "矛盾化解",
        "基层矛盾纠纷排查台账记录不完整",
        "建立常态化排查机制，按月更新台账",
        None,
        "milestones",
    ),
    (
        "7",
        "370403-sfj",
        "xc_sfj_liaison",
        "监督问责",
        "行政复议决定履行情况跟踪监督不到位",
        "建立复议决定履行督办机制",
        -40,
        "closed",
    ),
    (
        "8",
        "370402-spj",
        "szq_spj_liaison",
        "依法决策",
        "法律顾问参与合法性审查的比例偏低",
        "重大事项法律顾问审查全覆盖",
        -10,
        "overdue",
    ),
]


def load_demo_inspection(cal: Calendar) -> Inspection:
    city = Region.objects.get(code=CITY)
    told = Inspection.objects.filter(region=city, name=NAME).first()
    if told is not None and told.starts_on == cal.day(-124):
        return told  # told today already: loading again writes nothing, not even to the log
    Inspection.objects.filter(region=city, name=NAME).delete()
    inspector = User.objects.get(username=INSPECTOR)
    units = {u.code: u for u in Unit.objects.filter(code__in={row[1] for row in FINDINGS})}
    with happening_at(cal.moment(-125)):
        inspection = services.inspection_create(
            acting_user=inspector,
            region=city,
            name=NAME,
            starts_on=cal.day(-124),
            ends_on=cal.day(-120),
            inspectors=[inspector],
            units=list(units.values()),
        )
    with happening_at(cal.moment(-118)):
        services.inspection_document_add(
            acting_user=inspector,
            inspection=inspection,
            file=ContentFile("督察反馈意见（演示）".encode(), name="督察反馈意见.txt"),
            kind="feedback",
        )
        for row in FINDINGS:
            _finding(inspection, inspector, units, row, cal)
    with happening_at(cal.moment(-1)):
        rechecks.recheck_draw(acting_user=inspector, inspection=inspection, count=1, seed=2025)
    return inspection


def _finding(inspection, inspector, units, row, cal: Calendar) -> None:
    number, code, liaison_name, category, description, requirement, offset, story = row
    finding = services.finding_create(
        acting_user=inspector,
        inspection=inspection,
        number=number,
        category=services.category_named(inspection.region, category),
        description=description,
        inspected_unit=units[code],
        responsible_unit=units[code],
        requirement=requirement,
        deadline=cal.day(offset) if offset is not None else None,
        long_term=offset is None,
    )
    if story == "open" or story == "overdue":
        if story == "overdue":
            with happening_at(cal.moment(-3)):
                services.escalation_add(
                    acting_user=inspector,
                    finding=finding,
                    step="remind",
                    on=cal.day(-3),
                    note="电话提醒责任单位尽快整改",
                    today=cal.today,
                )
        return
    liaison = User.objects.get(username=liaison_name)
    with happening_at(cal.moment(-100)):
        services.rectification_save(
            acting_user=liaison,
            finding=finding,
            measures=requirement + "；明确专人负责，每月报送进展。",
            milestones=f"{cal.day(-60)} 建立机制\n{cal.day(60)} 全面推开" if offset is None else "",
            person="科室负责人",
        )
    with happening_at(cal.moment(-70)):
        services.finding_report_progress(
            acting_user=liaison,
            finding=finding,
            note="已完成自查，正在逐项整改。",
            files=[ContentFile("整改工作台账（演示）".encode(), name=f"整改台账-{number}.txt")],
        )
    if story == "milestones":  # its first stage done on time, the next one ahead
        with happening_at(cal.moment(-61)):
            milestones.stage_done(
                acting_user=liaison,
                milestone=finding.milestones.get(position=1),
                today=cal.day(-61),
            )
    if story in ("milestones", "escalated"):
        if story == "escalated":
            for step, days in (("remind", -15), ("interview", -5)):
                with happening_at(cal.moment(days)):
                    services.escalation_add(
                        acting_user=inspector,
                        finding=finding,
                        step=step,
                        on=cal.day(days),
                        note="逾期未完成整改" if step == "remind" else "约谈单位分管负责人",
                        today=cal.today,
                    )
        return
    with happening_at(cal.moment(-50)):
        services.finding_request_close(
            acting_user=liaison, finding=finding, note="整改已完成，附佐证材料，申请销号。"
        )
    if story == "requested":
        return
    with happening_at(cal.moment(-45)):
        services.finding_verify(
            acting_user=inspector,
            finding=finding,
            accept=story == "closed",
            note="整改到位，同意销号。" if story == "closed" else "抽查比例佐证不足，退回补充。",
        )
