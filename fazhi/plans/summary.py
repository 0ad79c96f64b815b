"""The year-end summary of a plan (年度工作计划完成情况, Word): how many measures are done, then each
area's measures with their status and what the units reported last — the text the annual report
and the campaign's evidence draw on. In the house style of the filing's reports (page, fonts,
tables: the filing app's default template builders, reused rather than copied)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT

from fazhi.filing.report_default import NOTE_STYLE, TITLE_STYLE, _page_setup, _row, _styles
from fazhi.plans.exports import chinese_number, unit_names
from fazhi.plans.models import Measure, MeasureStatus, Plan

STATUS_ORDER = (
    MeasureStatus.COMPLETED,
    MeasureStatus.IN_PROGRESS,
    MeasureStatus.BEHIND,
    MeasureStatus.NOT_STARTED,
)


def summary_docx(plan: Plan, measures: list[Measure], *, today: date) -> bytes:
    """`measures` come with their `progress_reports` (selectors.plan_measures)."""
    document = Document()
    _page_setup(document)
    _styles(document)
    document.add_paragraph(f"{plan.name}完成情况", style=TITLE_STYLE)
    issued = f"（{plan.doc_number}）" if plan.doc_number else ""
    document.add_paragraph(f"{issued}统计截至 {today:%Y年%m月%d日}", style=NOTE_STYLE)
    _overview(document, measures)
    area_id = None
    for measure in measures:
        if measure.area_id != area_id:
            area_id = measure.area_id
            number = chinese_number(measure.area.position + 2)
            document.add_heading(f"{number}、{measure.area.title}", level=1)
        _measure(document, measure)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _overview(document, measures: list[Measure]) -> None:
    document.add_heading("一、总体情况", level=1)
    counts = {status: 0 for status in STATUS_ORDER}
    for measure in measures:
        counts[measure.status] += 1
    parts = "，".join(f"{MeasureStatus(s).label} {counts[s]} 项" for s in STATUS_ORDER)
    document.add_paragraph(f"计划共 {len(measures)} 项措施，其中{parts}。")
    table = document.add_table(rows=0, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _row(table, ("领域", *(MeasureStatus(s).label for s in STATUS_ORDER)), bold=True, repeat=True)
    by_area: dict[str, dict] = {}
    for measure in measures:
        by_area.setdefault(measure.area.title, {s: 0 for s in STATUS_ORDER})[measure.status] += 1
    for title, row in by_area.items():
        _row(table, (title, *(str(row[s]) for s in STATUS_ORDER)))


def _measure(document, measure: Measure) -> None:
    lead, responsible = unit_names(measure)
    units = "、".join(filter(None, [lead, *responsible]))
    heading = document.add_paragraph()
    heading.add_run(f"{measure.code} {measure.title}").bold = True
    facts = [f"完成状态：{measure.get_status_display()}"]
    if measure.status_note:
        facts.append(f"说明：{measure.status_note}")
    if units:
        facts.append(f"牵头和责任单位：{units}")
    if measure.deadline_text:
        facts.append(f"完成时限：{measure.deadline_text}")
    document.add_paragraph("；".join(facts) + "。")
    reports = getattr(measure, "progress_reports", [])
    if not reports:
        document.add_paragraph("尚无进展报告。")
        return
    latest = reports[0].period_id
    for report in reports:
        if report.period_id == latest:
            figures = f"（{report.figures}）" if report.figures else ""
            document.add_paragraph(
                f"{report.period.label}，{report.unit.short_name or report.unit.name}：{report.text}{figures}"
            )
