"""The 整改台账 as the Excel sheet offices keep: one row per finding, as the page filters it."""

from __future__ import annotations

from datetime import date
from typing import IO

from fazhi.core.xlsx import write_table
from fazhi.inspections.services import is_overdue

LEDGER_HEADERS = [
    "督察",
    "编号",
    "问题类别",
    "问题描述",
    "被督察单位",
    "责任单位",
    "责任领导",
    "责任人",
    "整改要求",
    "整改时限",
    "整改状态",
    "是否逾期",
]
LEDGER_WIDTHS = [24, 8, 12, 60, 20, 20, 12, 12, 40, 16, 10, 10]


def ledger_rows(findings, *, today: date):
    for f in findings.iterator(chunk_size=500):
        yield [
            f.inspection.name,
            f.number,
            str(f.category or ""),
            f.description,
            str(f.inspected_unit) if f.inspected_unit else f.inspected_text,
            f.unit_label,
            f.leader,
            f.person,
            f.requirement,
            f.deadline_text or (f.deadline.isoformat() if f.deadline else ""),
            f.get_status_display(),
            "已逾期" if is_overdue(f, today) else "",
        ]


def write_ledger(stream: IO[bytes], findings, *, today: date) -> None:
    write_table(
        stream,
        title="整改台账",
        headers=LEDGER_HEADERS,
        rows=ledger_rows(findings, today=today),
        widths=LEDGER_WIDTHS,
    )
