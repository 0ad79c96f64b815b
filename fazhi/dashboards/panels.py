"""Dashboard panels: each one a chart and the table of the same numbers, built as data by a pure
function and drawn by `dashboards/_panel.html` (the table in HTML, the chart by ECharts from the
option dict, the Excel export from the same table).

Panels live in a registry. To add one, write one function here and decorate it:

    @panel("returns", pages=[CAMPAIGN], load=lambda board: returns_per_round(
        campaign=board.campaign, user=board.user))
    def returns_by_round(rounds) -> Panel:
        return Panel(title="各轮退回情况", columns=(...), rows=(...), option={...})

`load` reads what the builder needs from the `Board` (the campaign, the user, the unit); without
it the builder gets the board's shared `Facts`. The pages, the export view and the all-in-one
workbook pick the new panel up by themselves, in the order of this file. Keep `load` to a
constant number of queries: the pages' tests count them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from numbers import Number
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fazhi.campaigns.models import AssignmentRole, ItemStatus
from fazhi.core.listing import pk_url
from fazhi.dashboards import selectors
from fazhi.dashboards.selectors import NO_LEAD, Board, Facts

CAMPAIGN, UNIT = "campaign", "unit"
# The same colours as the status badges and the progress bar in app.css.
STATUS_COLORS = {
    ItemStatus.NOT_STARTED: "#cbd5e1",
    ItemStatus.IN_PROGRESS: "#60a5fa",
    ItemStatus.SUBMITTED: "#8b5cf6",
    ItemStatus.RETURNED: "#ef4444",
    ItemStatus.APPROVED: "#22c55e",
}
# Stacks read from done to not started, so the green part lines up on the left.
STATUS_ORDER = [
    ItemStatus.APPROVED,
    ItemStatus.SUBMITTED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.RETURNED,
    ItemStatus.NOT_STARTED,
]
STATUS_LABELS = dict(ItemStatus.choices)
ROLE_LABELS = dict(AssignmentRole.choices)
LABEL_WIDTH = 96  # px before a category label breaks onto a second line
ROW_HEIGHT = 30


@dataclass(frozen=True)
class Panel:
    """One panel as data. `rows` are the table's rows and the Excel sheet's rows alike (None is
    an empty cell); `links`, when given, says where each row's first cell leads on the page."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    option: dict | None = None  # the ECharts option; None for a table without a chart
    note: str = ""
    links: tuple[str | None, ...] = ()
    height: int = 320
    wide: bool = False  # takes the page's whole width
    empty: str = "暂无数据。"  # said instead of the chart and table when there are no rows
    name: str = ""  # set by the registry

    @property
    def chart_id(self) -> str:
        return f"chart-{self.name}"

    @property
    def option_id(self) -> str:
        return f"chart-{self.name}-option"

    @property
    def numeric(self) -> list[bool]:
        """Which columns hold numbers only (right-aligned); empty cells do not count."""
        return [
            all(_is_number(row[index]) for row in self.rows if row[index] is not None)
            for index in range(len(self.columns))
        ]

    @property
    def header(self) -> list[dict]:
        return [
            {"label": label, "num": num}
            for label, num in zip(self.columns, self.numeric, strict=True)
        ]

    @property
    def table(self) -> list[dict]:
        links = self.links or (None,) * len(self.rows)
        numeric = self.numeric
        return [
            {
                "href": href,
                "cells": [
                    {"value": value, "num": num} for value, num in zip(row, numeric, strict=True)
                ],
            }
            for row, href in zip(self.rows, links, strict=True)
        ]

    @property
    def body_html(self) -> SafeString:
        """The table's rows as HTML (what `table` describes), built here rather than by the
        template: a campaign's dashboard has over a thousand cells, and the template's loops
        per cell were half its time. Every value is escaped."""
        return mark_safe("\n".join(_row_html(row) for row in self.table))  # noqa: S308


def _row_html(row: dict) -> str:
    first, *rest = row["cells"]
    label = escape(_shown(first["value"]))
    if row["href"]:
        label = f'<a href="{escape(row["href"])}">{label}</a>'
    cells = "".join(
        f"<td{NUM if cell['num'] else ''}>{escape(_shown(cell['value'], ''))}</td>" for cell in rest
    )
    return f'<tr><th scope="row">{label}</th>{cells}</tr>'


NUM = ' class="num"'


def _shown(value, none: str = "None") -> str:
    """A cell as `{{ value }}` shows it: localized, None as the template would."""
    return none if value is None else str(localize(value))


def _is_number(value) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def board_facts(board: Board) -> Facts:
    return board.facts


@dataclass(frozen=True)
class PanelSpec:
    name: str
    build: Callable[[Any], Panel]
    pages: frozenset[str]
    load: Callable[[Board], Any] = board_facts

    def render(self, board: Board) -> Panel:
        return replace(self.build(self.load(board)), name=self.name)


PANELS: dict[str, PanelSpec] = {}


def panel(name: str, *, pages: Iterable[str] = (CAMPAIGN,), load=None):
    """Register a panel builder under a name (used in its export URL and element ids)."""

    def register(build):
        if name in PANELS or name == "all":
            raise ImproperlyConfigured(f"Dashboard panel name taken: {name}")
        PANELS[name] = PanelSpec(
            name=name, build=build, pages=frozenset(pages), load=load or board_facts
        )
        return build

    return register


def panels_for(board: Board) -> list[Panel]:
    return [spec.render(board) for spec in PANELS.values() if board.page in spec.pages]


def panel_for(board: Board, name: str) -> Panel | None:
    spec = PANELS.get(name)
    return spec.render(board) if spec and board.page in spec.pages else None


# -- chart pieces ----------------------------------------------------------------------------


def _category_axis(labels: list[str]) -> dict:
    return {
        "type": "category",
        "data": labels,
        "inverse": True,  # first row on top, as in the table
        "axisTick": {"show": False},
        "axisLabel": {"width": LABEL_WIDTH, "overflow": "break", "interval": 0},
    }


def _status_bars(labels: list[str], counts: list[dict[str, int]]) -> dict:
    """Horizontal bars, one per label, stacked by status."""
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": _category_axis(labels),
        "series": [
            {
                "name": STATUS_LABELS[status],
                "type": "bar",
                "stack": "status",
                "barMaxWidth": 22,
                "itemStyle": {"color": STATUS_COLORS[status]},
                "data": [c[status] for c in counts],
            }
            for status in STATUS_ORDER
        ],
    }


def _bars_height(rows: int) -> int:
    return max(160, 60 + ROW_HEIGHT * rows)


def _status_columns(first: str) -> tuple[str, ...]:
    return (first, "任务项", *(STATUS_LABELS[s] for s in STATUS_ORDER), "通过率(%)", "逾期")


def _status_cells(done: selectors.Completion) -> tuple:
    return (
        done.total,
        *(done.counts[s] for s in STATUS_ORDER),
        done.percent,
        done.overdue,
    )


def _unit_name(unit) -> str:
    return unit.display_name if unit is not None else NO_LEAD


def _unit_link(facts: Facts, unit) -> str | None:
    if unit is None:
        return None
    return reverse("dashboards:unit", args=[facts.campaign_id, unit.pk])


def _item_link(item) -> str:
    return pk_url("campaigns:item")(item.pk)


# -- the panels, in page order ---------------------------------------------------------------


@panel("status", pages=[UNIT])
def status_share(facts: Facts) -> Panel:
    counts = selectors.status_counts(facts.items)
    total = len(facts.items)
    data = [
        {
            "name": STATUS_LABELS[s],
            "value": counts[s],
            "itemStyle": {"color": STATUS_COLORS[s]},
        }
        for s in STATUS_ORDER
        if counts[s]  # an empty slice would only add a label saying 0
    ]
    return Panel(
        title="任务项状态",
        columns=("状态", "任务项", "占比(%)"),
        rows=tuple(
            (STATUS_LABELS[s], counts[s], selectors.percent(counts[s], total) or 0)
            for s in STATUS_ORDER
        )
        if total
        else (),
        option={
            "tooltip": {"trigger": "item", "formatter": "{b}：{c}（{d}%）"},
            "legend": {"bottom": 0},
            "series": [
                {
                    "name": "任务项状态",
                    "type": "pie",
                    "radius": ["40%", "70%"],
                    "label": {"formatter": "{b} {c}"},
                    "data": data,
                }
            ],
        },
        note="只有“已通过”算作完成；已提交但尚未审核的不算。",
    )


@panel("areas", pages=[CAMPAIGN, UNIT])
def completion_by_area(facts: Facts) -> Panel:
    rows = selectors.completion_by_area(facts)
    return Panel(
        title="各领域完成情况",
        columns=_status_columns("一级指标"),
        rows=tuple((area.title, *_status_cells(done)) for area, done in rows),
        option=_status_bars([area.title for area, _ in rows], [done.counts for _, done in rows]),
        height=_bars_height(len(rows)),
        note="按一级指标统计末级任务项；只有“已通过”算作完成。",
    )


@panel("units", pages=[CAMPAIGN])
def completion_by_unit(facts: Facts) -> Panel:
    rows = selectors.completion_by_unit(facts)
    labels = [_unit_name(unit) for unit, _ in rows]
    return Panel(
        title="各牵头单位完成情况",
        columns=_status_columns("牵头单位"),
        rows=tuple(
            (label, *_status_cells(done)) for label, (_, done) in zip(labels, rows, strict=True)
        ),
        links=tuple(_unit_link(facts, unit) for unit, _ in rows),
        option={
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 8, "right": 48, "top": 8, "bottom": 8, "containLabel": True},
            "xAxis": {
                "type": "value",
                "min": 0,
                "max": 100,
                "axisLabel": {"formatter": "{value}%"},
            },
            "yAxis": _category_axis(labels),
            "series": [
                {
                    "name": "通过率(%)",
                    "type": "bar",
                    "barMaxWidth": 22,
                    "itemStyle": {"color": STATUS_COLORS[ItemStatus.APPROVED]},
                    "label": {"show": True, "position": "right", "formatter": "{c}%"},
                    "data": [done.percent for _, done in rows],
                }
            ],
        },
        height=_bars_height(len(rows)),
        note="按牵头单位统计，完成率最低的排在最前。",
    )


@panel("overdue", pages=[CAMPAIGN, UNIT])
def overdue_items(facts: Facts) -> Panel:
    rows = selectors.overdue_items(facts)
    if facts.unit is None:
        groups = selectors.group_by([item for item, _ in rows], lambda item: item.lead)
        labels = [_unit_name(unit) for unit in groups]
        by = "按牵头单位"
    else:
        groups = selectors.group_by([item for item, _ in rows], lambda item: item.area)
        labels = [facts.area_title(key) for key in groups]
        by = "按一级指标"
    counts = [len(items) for items in groups.values()]
    return Panel(
        title="逾期任务项",
        columns=("编码", "任务项", "牵头单位", "完成时限", "逾期天数", "状态"),
        rows=tuple(
            (
                item.code,
                item.title,
                _unit_name(item.lead),
                item.deadline.isoformat(),
                days,
                STATUS_LABELS[item.status],
            )
            for item, days in rows
        ),
        links=tuple(_item_link(item) for item, _ in rows),
        option={
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 8, "right": 32, "top": 8, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value", "minInterval": 1},
            "yAxis": _category_axis(labels),
            "series": [
                {
                    "name": "逾期任务项",
                    "type": "bar",
                    "barMaxWidth": 22,
                    "itemStyle": {"color": STATUS_COLORS[ItemStatus.RETURNED]},
                    "label": {"show": True, "position": "right"},
                    "data": counts,
                }
            ],
        },
        height=_bars_height(len(labels)),
        wide=True,
        empty="没有逾期的任务项。",
        note=f"超过完成时限仍未通过的末级任务项（图为{by}统计），逾期最久的排在最前。",
    )


@panel("heatmap", pages=[CAMPAIGN])
def units_by_areas(facts: Facts) -> Panel:
    heat = selectors.heat_map(facts)
    labels = [_unit_name(unit) for unit, _, _ in heat.rows]
    data = [
        [x, y, cell.percent]
        for y, (_, cells, _) in enumerate(heat.rows)
        for x, cell in enumerate(cells)
        if cell.total
    ]
    return Panel(
        title="单位 × 领域 通过率",
        columns=("牵头单位", *(area.title for area in heat.areas), "合计"),
        rows=tuple(
            (label, *(cell.percent for cell in cells), total.percent)
            for label, (_, cells, total) in zip(labels, heat.rows, strict=True)
        ),
        links=tuple(_unit_link(facts, unit) for unit, _, _ in heat.rows),
        option={
            "tooltip": {"position": "top"},
            "grid": {"left": 8, "right": 16, "top": 8, "bottom": 56, "containLabel": True},
            "xAxis": {
                "type": "category",
                "data": [area.title for area in heat.areas],
                "splitArea": {"show": True},
                "axisLabel": {"width": LABEL_WIDTH, "overflow": "break", "interval": 0},
            },
            "yAxis": {**_category_axis(labels), "splitArea": {"show": True}},
            "visualMap": {
                "min": 0,
                "max": 100,
                "orient": "horizontal",
                "left": "center",
                "bottom": 0,
                "itemHeight": 120,
                "text": ["100%", "0%"],
                "inRange": {"color": ["#fdecea", "#fde68a", "#22c55e"]},
            },
            "series": [
                {
                    "name": "通过率(%)",
                    "type": "heatmap",
                    "data": data,
                    "label": {"show": True, "formatter": "{@[2]}%"},
                }
            ],
        },
        height=max(220, 120 + ROW_HEIGHT * len(labels)),
        wide=True,
        note="单元格为该单位牵头的、属于该领域的任务项中已通过的百分比；空白表示没有任务项。",
    )


@panel("items", pages=[UNIT])
def unit_items(facts: Facts) -> Panel:
    return Panel(
        title="本单位任务项",
        columns=("编码", "任务项", "一级指标", "职责", "完成时限", "状态", "材料"),
        rows=tuple(
            (
                item.code,
                item.title,
                facts.area_title(item.area),
                ROLE_LABELS.get(item.role, ""),
                item.deadline.isoformat() if item.deadline else None,
                STATUS_LABELS[item.status],
                item.evidence_count,
            )
            for item in facts.items
        ),
        links=tuple(_item_link(item) for item in facts.items),
        wide=True,
    )


# -- reviews: the estimated score and each round's returns --------------------------------------


def _campaign_totals(board: Board):
    from fazhi.reviews.selectors import campaign_totals

    return campaign_totals(board.campaign)


def _rounds(board: Board):
    from fazhi.reviews.selectors import returns_per_round

    return returns_per_round(board.campaign)


SCORE_SERIES = (("self", "自评", "#60a5fa"), ("review", "审核评分", "#8b5cf6"))


@panel("scores", pages=[CAMPAIGN], load=_campaign_totals)
def estimated_score(totals) -> Panel:
    areas = list(totals.areas)
    labels = [area.title for area in areas]
    weighted = totals.aggregation == "weighted"

    def number(value) -> float:
        return float(value)

    rows = tuple(
        (
            area.title,
            number(area.maximum),
            *(number(area.scores[side]) for side, _, _ in SCORE_SERIES),
            number(area.scores["estimate"]),
            f"{area.scored['estimate']}/{area.indicators}",
        )
        for area in areas
    ) + (
        (
            "合计",
            number(totals.maximum),
            *(number(totals.scores[side]) for side, _, _ in SCORE_SERIES),
            number(totals.scores["estimate"]),
            f"{totals.scored['estimate']}/{totals.indicators}",
        ),
    )
    return Panel(
        title="预估得分与满分",
        columns=(
            "一级指标",
            "权重" if weighted else "满分",
            "自评",
            "审核评分",
            "预估得分",
            "已评分指标",  # indicators (指标), not the refined task items the other panels count
        ),
        rows=rows,
        option={
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value"},
            "yAxis": _category_axis(labels),
            "series": [
                {
                    "name": "满分",
                    "type": "bar",
                    "barGap": "-100%",  # the maximum drawn behind the estimate
                    "barMaxWidth": 22,
                    "itemStyle": {"color": "#e2e8f0"},
                    "data": [number(area.maximum) for area in areas],
                },
                {
                    "name": "预估得分",
                    "type": "bar",
                    "barMaxWidth": 22,
                    "itemStyle": {"color": STATUS_COLORS[ItemStatus.APPROVED]},
                    "label": {"show": True, "position": "right"},
                    "data": [number(area.scores["estimate"]) for area in areas],
                },
            ],
        },
        height=_bars_height(len(labels)),
        note=(
            f"满分 {number(totals.maximum):g}，预估 {number(totals.scores['estimate']):g}。"
            "预估得分取审核评分，没有审核评分的取自评；未评分的指标按 0 分计，不视为完成。"
            + ("一级指标按权重折算。" if weighted else "")
        ),
    )


@panel("returns", pages=[CAMPAIGN], load=_rounds)
def returns_by_round(rounds) -> Panel:
    labels = [row["label"] for row in rounds]
    return Panel(
        title="各轮审核退回情况",
        columns=("轮次", "状态", "审核任务项", "退回任务项", "退回率(%)"),
        rows=tuple(
            (
                row["label"],
                "进行中" if row["status"] == "open" else "已结束",
                row["items"],
                row["returned"],
                round(100 * row["returned"] / row["items"]) if row["items"] else 0,
            )
            for row in rounds
        ),
        option={
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0}},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {
                    "name": "审核任务项",
                    "type": "bar",
                    "barMaxWidth": 28,
                    "itemStyle": {"color": "#cbd5e1"},
                    "data": [row["items"] for row in rounds],
                },
                {
                    "name": "退回任务项",
                    "type": "bar",
                    "barMaxWidth": 28,
                    "itemStyle": {"color": STATUS_COLORS[ItemStatus.RETURNED]},
                    "label": {"show": True, "position": "top"},
                    "data": [row["returned"] for row in rounds],
                },
            ],
        },
        empty="还没有审核轮次。",
        note="退回包括“退回修改”和“补充材料”；同一轮内多次退回的任务项只计一次。",
    )
