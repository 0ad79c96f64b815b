"""A work plan out of Fazhi: as JSON for other tools (`fazhi plan export --format json`, the API)
and as the 工作台账 workbook lead offices keep (序号, 工作任务, 牵头单位, 责任单位, 完成时限,
进展情况, 完成状态), with a heading row for each area."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO

from django.utils import timezone

from fazhi.core.xlsx import write_table
from fazhi.plans.models import Measure, MeasureRole, MeasureStatus, Plan

CHINESE_DIGITS = "零一二三四五六七八九"
LEDGER_HEADERS = ["序号", "工作任务", "牵头单位", "责任单位", "完成时限", "进展情况", "完成状态"]
LEDGER_WIDTHS = [8, 60, 20, 36, 16, 40, 10]


def chinese_number(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (areas are numbered so in plans)."""
    if number < 10:
        return CHINESE_DIGITS[number]
    tens, ones = divmod(number, 10)
    head = "" if tens == 1 else CHINESE_DIGITS[tens]
    return f"{head}十{CHINESE_DIGITS[ones] if ones else ''}"


def unit_names(measure: Measure) -> tuple[str | None, list[str]]:
    """The lead unit and the responsible units, as stored in the org tree (the text as written
    where a name is not matched)."""
    lead = None
    responsible = []
    for row in measure.units.all():
        name = row.unit.name if row.unit_id else row.name_text
        if row.role == MeasureRole.LEAD and lead is None:
            lead = name
        else:
            responsible.append(name)
    return lead, responsible


def latest_progress(measure: Measure) -> str:
    """The latest period's reports (the lead unit's summary first), as the ledger's 进展情况."""
    reports = getattr(measure, "progress_reports", None)
    if not reports:
        return ""
    period = reports[0].period_id
    return "\n".join(
        f"【{r.period.label}·{r.unit.short_name or r.unit.name}】{r.text}"
        for r in reports
        if r.period_id == period
    )


def plan_as_json(plan: Plan, measures: Iterable[Measure]) -> dict:
    areas: dict[int, dict] = {
        area.pk: {"code": area.code, "title": area.title, "measures": []}
        for area in plan.areas.order_by("position")
    }
    for measure in measures:
        lead, responsible = unit_names(measure)
        areas[measure.area_id]["measures"].append(
            {
                "code": measure.code,
                "title": measure.title,
                "lead_unit": lead,
                "responsible_units": responsible,
                "deadline": measure.deadline.isoformat() if measure.deadline else None,
                "deadline_text": measure.deadline_text,
            }
        )
    return {
        "name": plan.name,
        "year": plan.year,
        "region": plan.region.code,
        "areas": [area for area in areas.values() if area["measures"]],
    }


def write_plan_ledger(stream: IO[bytes], plan: Plan, measures: Iterable[Measure]) -> None:
    write_table(
        stream,
        title="工作台账",
        headers=LEDGER_HEADERS,
        rows=_ledger_rows(measures),
        widths=LEDGER_WIDTHS,
    )


def _ledger_rows(measures: Iterable[Measure]) -> Iterator[list]:
    area_id = None
    number = 0
    for measure in measures:
        if measure.area_id != area_id:
            area_id = measure.area_id
            yield [
                chinese_number(measure.area.position + 1),
                measure.area.title,
                "",
                "",
                "",
                "",
                "",
            ]
            number = 0
        number += 1
        lead, responsible = unit_names(measure)
        yield [
            number,
            measure.title,
            lead or "",
            "、".join(responsible),
            measure.deadline_text or (measure.deadline.isoformat() if measure.deadline else ""),
            latest_progress(measure),
            measure.get_status_display(),
        ]


COMMENT_HEADERS = ["序号", "措施编号", "工作任务", "提出单位", "意见内容", "采纳情况", "理由"]
COMMENT_WIDTHS = [6, 10, 40, 20, 50, 10, 40]


def write_comment_table(stream: IO[bytes], comments: Iterable) -> None:
    """The 意见采纳情况表: every comment of the consultation with its answer."""
    write_table(
        stream,
        title="意见采纳情况表",
        headers=COMMENT_HEADERS,
        rows=(
            [
                number,
                comment.measure.code if comment.measure_id else "",
                comment.measure.title if comment.measure_id else "（对计划整体）",
                comment.unit.name if comment.unit_id else "",
                comment.text,
                comment.get_decision_display(),
                comment.reason,
            ]
            for number, comment in enumerate(comments, start=1)
        ),
        widths=COMMENT_WIDTHS,
    )


def plan_progress_json(plan: Plan, measures: Iterable[Measure], *, on: date) -> dict:
    """Each measure's status and last report as of `on` (`fazhi plan progress --json`)."""
    rows = []
    for measure in measures:
        reports = [
            report
            for report in getattr(measure, "progress_reports", [])
            if timezone.localdate(report.submitted_at) <= on
        ]
        last = reports[0] if reports else None
        rows.append(
            {
                "code": measure.code,
                "title": measure.title,
                "status": measure.status,
                "status_label": measure.get_status_display(),
                "deadline": measure.deadline.isoformat() if measure.deadline else None,
                "overdue": bool(
                    measure.deadline
                    and measure.deadline < on
                    and measure.status != MeasureStatus.COMPLETED
                ),
                "last_report": {
                    "period": last.period.label,
                    "unit": last.unit.name,
                    "text": last.text,
                    "submitted_at": timezone.localtime(last.submitted_at).isoformat(),
                }
                if last
                else None,
            }
        )
    return {"name": plan.name, "year": plan.year, "date": on.isoformat(), "measures": rows}
