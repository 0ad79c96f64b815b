"""A wave's results as Excel: pure functions over `selectors.wave_report`."""

from __future__ import annotations

from typing import IO

from fazhi.core.xlsx import write_table
from fazhi.surveys.results import percent, two_decimals
from fazhi.surveys.selectors import Report, Row

HEADERS = [
    "分组",
    "名称",
    "样本数",
    "有效回答数",
    "满意率（%）",
    "95%置信区间（%）",
    "误差（±百分点）",
    "分值",
    "目标样本数",
    "较上次（百分点）",
    "说明",
]


def _line(group: str, row: Row) -> list:
    rate = row.rate
    interval = f"{percent(rate.low)}–{percent(rate.high)}" if rate.low is not None else ""
    note = "未达目标样本数" if row.below_target else ""
    return [
        group,
        row.name,
        row.respondents,
        rate.n,
        percent(rate.rate),
        interval,
        percent(rate.moe),
        two_decimals(rate.score),
        row.target or None,
        row.change,
        note,
    ]


def write_report(stream: IO[bytes], report: Report) -> None:
    rows = [_line("总体", report.overall)]
    if report.weighted is not None:
        weighted = Row("总体（按人口加权）", report.overall.respondents, report.weighted)
        rows.append(_line("总体", weighted))
    rows += [_line("样本单元", row) for row in report.strata]
    rows += [_line("受访者类型", row) for row in report.types]
    rows += [_line("测评题目", row) for row in report.items]
    write_table(
        stream,
        title="测评结果",
        headers=HEADERS,
        rows=rows,
        widths=[12, 24, 10, 12, 12, 18, 14, 10, 12, 14, 16],
    )
