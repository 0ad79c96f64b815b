"""Monitoring figures out to Excel, where lead offices keep and pass on their lists: a region's
report for a period (its own roll-up, then each region below it in ranking order, with every
metric's numerator, denominator and rate side by side) and the figures as reported."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from django.utils.timezone import localtime

from fazhi.core.xlsx import write_table
from fazhi.monitoring.computing import MetricLine, rate_of
from fazhi.monitoring.models import Figure
from fazhi.monitoring.selectors import Ranked, RegionFigures, RegionReport

FIGURE_HEADERS = [
    "统计期",
    "地区",
    "单位",
    "指标代码",
    "监测指标",
    "分子",
    "分母",
    "比率（%）",
    "状态",
    "来源",
    "报送人",
    "报送时间",
    "说明",
]
FIGURE_WIDTHS = [10, 16, 28, 26, 24, 10, 10, 10, 10, 10, 12, 18, 40]


def _rate(line: MetricLine) -> float | None:
    return float(line.rate) if line.rate is not None else None


def _metric_cells(lines: list[MetricLine]) -> list:
    cells: list = []
    for line in lines:
        cells += [line.count.numerator, line.count.denominator, _rate(line)]
    return cells


def write_region_report(
    stream: IO[bytes], *, report: RegionReport, ranked: list[Ranked] | None, period_label: str
) -> None:
    """Row 2 is the region itself (含下辖, rolled up by adding numerators and denominators);
    the rows below are its child regions, ranked when the period is a quarter. A rate whose
    denominator is 0 is left empty, not 0."""
    headers = ["名次", "地区", "监测得分"]
    for line in report.own.lines:
        name = line.metric.name
        headers += [f"{name}·分子", f"{name}·分母", f"{name}·比率（%）"]
    own = report.own
    rows: list[list] = [
        ["合计", f"{own.region.name}（含下辖）", float(own.score), *_metric_cells(own.lines)]
    ]
    children: Iterable[tuple[int | None, RegionFigures]]
    if ranked:
        children = ((row.rank, row.figures) for row in ranked)
    else:
        children = ((None, child) for child in report.children)
    for rank, child in children:
        rows.append([rank, child.region.name, float(child.score), *_metric_cells(child.lines)])
    write_table(
        stream,
        title=f"{period_label}动态监测",
        headers=headers,
        rows=rows,
        widths=[8, 24, 10] + [12, 12, 12] * len(own.lines),
    )


def _figure_rows(figures: Iterable[Figure], names: dict[str, str]) -> Iterator[list]:
    for figure in figures:
        rate = rate_of(figure.numerator, figure.denominator)  # the pages' rounding
        yield [
            figure.period,
            figure.region.name,
            figure.unit.name if figure.unit_id else "",
            figure.metric_code,
            names.get(figure.metric_code, figure.metric_code),
            figure.numerator,
            figure.denominator,
            float(rate) if rate is not None else None,
            figure.get_status_display(),
            figure.get_source_display(),
            str(figure.reported_by) if figure.reported_by_id else "",
            localtime(figure.reported_at).strftime("%Y-%m-%d %H:%M"),
            figure.note,
        ]


def write_figures(stream: IO[bytes], *, figures: Iterable[Figure], names: dict[str, str]) -> None:
    write_table(
        stream,
        title="监测数据",
        headers=FIGURE_HEADERS,
        rows=_figure_rows(figures, names),
        widths=FIGURE_WIDTHS,
    )
