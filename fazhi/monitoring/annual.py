"""The 法治政府建设年度报告: a first draft in its five required parts, drawn from the plan
ledger, the closed findings, the monitoring figures and the campaign, rendered through a Word
template the region may replace (docxtpl tags, as the self-assessment report's template is; the
same sandboxed `fill`). The deadline chain for the year's reports lives here too."""

from __future__ import annotations

from datetime import date
from functools import cache
from io import BytesIO
from typing import IO

from fazhi.campaigns.models import Campaign
from fazhi.filing.report_templates import fill
from fazhi.inspections.models import Finding, FindingStatus
from fazhi.monitoring.computing import format_rate
from fazhi.monitoring.models import AnnualReportTemplate
from fazhi.monitoring.selectors import region_report
from fazhi.orgs.models import Region
from fazhi.plans.models import Measure, MeasureStatus

PARTS = (
    "一、上一年度推进法治政府建设的主要举措和成效",
    "二、存在的不足和原因",
    "三、党政主要负责人履行推进法治建设第一责任人职责情况",
    "四、下一年度工作安排",
    "五、其他需要报告的情况",
)


def deadlines(year: int) -> list[tuple[date, str]]:
    """The report chain for the reports on `year`, all due the year after."""
    following = year + 1
    return [
        (date(following, 1, 31), "示范创建地区向上级报送上一年度法治政府建设情况"),
        (date(following, 3, 1), "政府部门向本级政府报告上一年度法治政府建设情况"),
        (date(following, 4, 1), "地方各级政府向社会公开上一年度法治政府建设年度报告"),
    ]


def report_context(*, region: Region, year: int, today: date) -> dict:
    figures = region_report(region=region, period=str(year))
    metrics = [
        {
            "name": line.metric.name,
            "numerator_text": line.metric.numerator,
            "denominator_text": line.metric.denominator,
            "numerator": line.count.numerator,
            "denominator": line.count.denominator,
            "rate": format_rate(line.rate),
            "target": f"{line.metric.target}%",
            "met": line.reported and line.points == line.metric.points,
            "reported": line.reported,
        }
        for line in figures.own.lines
    ]
    measures = _measures(region, year)
    findings = _findings(region, year)
    campaign = _campaign(region)
    return {
        "region": region.name,
        "year": year,
        "next_year": year + 1,
        "today": f"{today.year}年{today.month}月{today.day}日",
        "metrics": metrics,
        "monitoring_score": f"{figures.own.score}",
        "measures": measures,
        "findings": findings,
        "campaign": campaign,
        "shortfalls": _shortfalls(metrics, measures, findings),
    }


def _measures(region: Region, year: int) -> dict:
    rows = Measure.objects.filter(plan__region=region, plan__year=year)
    done = rows.filter(status=MeasureStatus.COMPLETED)
    behind = rows.filter(status=MeasureStatus.BEHIND)
    return {
        "total": rows.count(),
        "completed": done.count(),
        "behind": behind.count(),
        "completed_titles": [{"text": m.title} for m in done.order_by("position")[:10]],
        "behind_titles": [{"text": m.title} for m in behind.order_by("position")[:10]],
    }


def _findings(region: Region, year: int) -> dict:
    rows = Finding.objects.filter(inspection__region__path__startswith=region.path)
    closed = rows.filter(status=FindingStatus.CLOSED, closed_at__year=year)
    still_open = rows.exclude(status=FindingStatus.CLOSED)
    return {"closed": closed.count(), "open": still_open.count()}


def _campaign(region: Region) -> dict | None:
    campaign = Campaign.objects.filter(region=region).order_by("-period_end").first()
    if campaign is None:
        return None
    return {
        "name": campaign.name,
        "period": f"{campaign.period_start:%Y年%m月}至{campaign.period_end:%Y年%m月}",
    }


def _shortfalls(metrics: list[dict], measures: dict, findings: dict) -> list[dict]:
    found = [
        {"text": f"{m['name']}为 {m['rate']}，未达到 {m['target']} 的目标。"}
        for m in metrics
        if m["reported"] and not m["met"]
    ]
    found += [{"text": f"工作计划中“{t['text']}”进度滞后。"} for t in measures["behind_titles"]]
    if findings["open"]:
        found.append({"text": f"督察发现的问题尚有 {findings['open']} 个未整改销号。"})
    return found


# -- the template -------------------------------------------------------------------------------


@cache
def default_template_bytes() -> bytes:
    # imported here, as in _content: the report pages need python-docx only to build the template
    from docx import Document

    from fazhi.filing.report_default import _page_setup, _styles

    document = Document()
    _page_setup(document)
    _styles(document)
    _content(document)
    document.core_properties.title = "法治政府建设年度报告模板"
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _content(document) -> None:
    from fazhi.filing.report_default import NOTE_STYLE, SIGNATURE_STYLE, TITLE_STYLE, _loop_table

    document.add_paragraph("{{ region }}{{ year }}年度法治政府建设情况报告", style=TITLE_STYLE)
    document.add_paragraph(
        "（初稿：由平台根据截至{{ today }}的数据生成，请核实、补充，经保密审查后公开）",
        style=NOTE_STYLE,
    )
    document.add_heading(PARTS[0], level=1)
    document.add_paragraph(
        "{{ year }}年，{{ region }}年度法治政府建设工作计划共安排 {{ measures.total }} 项措施，"
        "已完成 {{ measures.completed }} 项。督察发现的问题本年度整改销号 "
        "{{ findings.closed }} 个。"
    )
    document.add_paragraph("{%p if campaign %}")
    document.add_paragraph(
        "深入开展{{ campaign.name }}，评估期为{{ campaign.period }}，对照指标体系逐项落实。"
    )
    document.add_paragraph("{%p endif %}")
    document.add_paragraph(
        "法治政府建设动态监测主要指标如下（全年数据，各项比率由分子、分母合计后计算），"
        "监测得分 {{ monitoring_score }} 分："
    )
    _loop_table(
        document,
        ("监测指标", "分子", "分母", "比率", "目标"),
        "{%tr for m in metrics %}",
        (
            "{{ m.name }}",
            "{{ m.numerator }}",
            "{{ m.denominator }}",
            "{{ m.rate }}",
            "{{ m.target }}",
        ),
    )
    document.add_paragraph("{%p for entry in measures.completed_titles %}")
    document.add_paragraph("{{ loop.index }}. {{ entry.text }}")
    document.add_paragraph("{%p endfor %}")
    document.add_heading(PARTS[1], level=1)
    document.add_paragraph("{%p for entry in shortfalls %}")
    document.add_paragraph("{{ loop.index }}. {{ entry.text }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p if not shortfalls %}")
    document.add_paragraph("（根据平台数据未发现明显不足，请结合实际补充不足及其原因。）")
    document.add_paragraph("{%p endif %}")
    document.add_heading(PARTS[2], level=1)
    document.add_paragraph(
        "（请填写党政主要负责人听取法治政府建设工作汇报、研究解决重大问题、带头学法、"
        "出庭应诉等履行第一责任人职责的情况。）"
    )
    document.add_heading(PARTS[3], level=1)
    document.add_paragraph(
        "{{ next_year }}年，{{ region }}将针对上述不足，继续推进法治政府建设，重点做好以下工作："
    )
    document.add_paragraph("（请补充下一年度工作安排。）")
    document.add_heading(PARTS[4], level=1)
    document.add_paragraph("（无其他需要报告的情况的，写“无”。）")
    document.add_paragraph("")
    document.add_paragraph("{{ region }}人民政府", style=SIGNATURE_STYLE)
    document.add_paragraph("{{ today }}", style=SIGNATURE_STYLE)


def template_content(region: Region) -> bytes:
    """The region's own template, else the nearest one above it, else the built-in one."""
    from fazhi.evidence.storage import open_blob

    template = (
        AnnualReportTemplate.objects.filter(region__code__in=region.ancestor_codes)
        .select_related("blob")
        .order_by("-region__depth")
        .first()
    )
    if template is None:
        return default_template_bytes()
    try:
        with open_blob(template.blob) as stored:
            return stored.read()
    except FileNotFoundError:
        return default_template_bytes()


def render_annual_report(*, region: Region, year: int, out: IO[bytes], today: date) -> None:
    fill(template_content(region), report_context(region=region, year=year, today=today), out)


# -- a region's own template ----------------------------------------------------------------------

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


def template_upload(*, acting_user, region: Region, uploaded_file, today: date):
    """Replace `region`'s template (regions below use it too). Refused, with what is wrong,
    unless it is a real .docx that renders with this region's report in strict mode (a
    misspelt name is caught here, not when a draft comes out blank)."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.core.files.base import ContentFile
    from django.db import transaction
    from jinja2 import TemplateError

    from fazhi.accounts.audit import audit_record
    from fazhi.accounts.system import stored_user
    from fazhi.core.scoping import can_write_at
    from fazhi.evidence.attachments import store_attachment
    from fazhi.filing.report_templates import _check_docx, template_problem

    if not can_write_at(acting_user, AnnualReportTemplate, region=region):
        raise PermissionDenied("只有本地区的牵头科室可以更换年度报告模板。")
    name = (uploaded_file.name or "模板.docx").rsplit("/", 1)[-1]
    if not name.lower().endswith(".docx"):
        raise ValidationError(f"“{name}”不是 .docx 文件，请在 Word 或 WPS 中另存为 .docx 后上传。")
    if (uploaded_file.size or 0) > MAX_TEMPLATE_BYTES:
        raise ValidationError(f"“{name}”超过 10 MB 的上限，未上传。")
    content = uploaded_file.read()
    _check_docx(content, name)
    context = report_context(region=region, year=today.year - 1, today=today)
    try:
        fill(content, context, BytesIO(), strict=True)
    except TemplateError as exc:
        raise ValidationError(f"模板无法生成报告：{template_problem(exc)}") from exc
    except Exception as exc:  # docxtpl's own troubles (a tag that breaks the document's XML)
        raise ValidationError(f"模板无法生成报告：{exc}") from exc
    with transaction.atomic():
        blob, stored_name = store_attachment(ContentFile(content, name=name))
        template, _ = AnnualReportTemplate.objects.update_or_create(
            region=region,
            defaults={
                "blob": blob,
                "original_name": stored_name,
                "uploaded_by": stored_user(acting_user),
            },
        )
        audit_record(
            acting_user=acting_user,
            action="monitoring.template_upload",
            target=template,
            region=region,
            summary=f"更换{region.name}的年度报告模板：{stored_name}",
        )
    return template


def template_in_force(region: Region | None):
    if region is None:
        return None
    return (
        AnnualReportTemplate.objects.filter(region__code__in=region.ancestor_codes)
        .select_related("region")
        .order_by("-region__depth")
        .first()
    )
