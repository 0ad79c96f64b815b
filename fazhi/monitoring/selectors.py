"""Reads: the metrics in force, figures the user may see, and the computed views (a region's
rates rolled up, its children side by side, the quarterly ranking and its trend)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count as CountOf
from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from fazhi.core.scoping import Scope
from fazhi.monitoring import periods
from fazhi.monitoring.computing import Count, MetricLine, lines_for, score_of
from fazhi.monitoring.models import (
    AnnualReport,
    Figure,
    FigureImport,
    FigureStatus,
    Metric,
    MetricBinding,
)
from fazhi.orgs.models import Region

RANK_ROLES = ("admin", "lead_admin", "reviewer", "leader", "inspector")


# -- the registry ---------------------------------------------------------------------------------


def metrics_for(region: Region | None, *, active_only: bool = True) -> list[Metric]:
    """Each code's metric in force for `region`: the nearest region's own edition above it (or
    its own), else the national preset."""
    codes = list(region.ancestor_codes) if region else []
    rows = Metric.objects.filter(Q(region__isnull=True) | Q(region__code__in=codes)).select_related(
        "region"
    )
    chosen: dict[str, Metric] = {}
    for metric in rows:
        held = chosen.get(metric.code)
        if held is None or _depth(metric) > _depth(held):
            chosen[metric.code] = metric
    metrics = sorted(chosen.values(), key=lambda m: (m.position, m.code))
    return [m for m in metrics if m.is_active] if active_only else metrics


def _depth(metric: Metric) -> int:
    return -1 if metric.region is None else metric.region.depth


def metric_for(region: Region | None, code: str) -> Metric | None:
    return next((m for m in metrics_for(region, active_only=False) if m.code == code), None)


# -- figures --------------------------------------------------------------------------------------


def figure_list(
    *, user, period: str = "", metric: str = "", status: str = "", region: Region | None = None
) -> QuerySet[Figure]:
    figures = Figure.objects.visible_to(user).select_related("region", "unit", "reported_by")
    if period:
        figures = figures.filter(period=period)
    if metric:
        figures = figures.filter(metric_code=metric)
    if status in FigureStatus.values:
        figures = figures.filter(status=status)
    if region is not None:
        figures = figures.filter(region__path__startswith=region.path)
    return figures


def figures_seen_by(user) -> QuerySet[Figure]:
    """The figures a user's computations add up: those they may see (everything for the
    command line's system actor)."""
    return Figure.objects.visible_to(user)


def figure_periods(*, user) -> list[str]:
    found = Figure.objects.visible_to(user).values_list("period", flat=True).distinct()
    return sorted(set(found), reverse=True)


def import_drafts(*, user) -> QuerySet[FigureImport]:
    return FigureImport.objects.visible_to(user).select_related("region", "created_by")


# -- computing over a subtree ---------------------------------------------------------------------


def home_region(user) -> Region | None:
    """The region a user's views start from: theirs, or the root for the administrator."""
    if getattr(user, "region_id", None):
        return user.region
    return Region.objects.filter(parent__isnull=True).order_by("path").first()


def region_in_reach(*, user, code: str) -> Region:
    """A region the user may compute over: inside their own subtree (a county sees itself and
    what is below it, never its neighbour nor the city above). 404 otherwise."""
    region = Region.objects.filter(code=code).first()
    scope = Scope.for_user(user)
    if region is None:
        raise Http404(f"区划代码 {code} 不存在。")
    if scope.is_everything:
        return region
    if not scope.has_role(*RANK_ROLES) or not scope.region_path:
        raise Http404("没有找到该地区，或您无权查看。")
    if not region.path.startswith(scope.region_path):
        raise Http404("没有找到该地区，或您无权查看。")
    return region


def _period_codes(period: str) -> list[str]:
    return [period] if periods.is_quarter(period) else [period, *periods.quarters_of(period)]


def subtree_counts(
    region: Region, period_codes: list[str], *, figures: QuerySet[Figure] | None = None
) -> dict[str, dict[str, Count]]:
    """{region path: {metric code: Count}} for `region` and each of its children, every
    confirmed figure counted in the region it sits in and in each region above it."""
    base = figures if figures is not None else Figure.objects.all()
    rows = (
        base.filter(
            status=FigureStatus.CONFIRMED,
            region__path__startswith=region.path,
            period__in=period_codes,
        )
        .values("region__path", "metric_code")
        .annotate(n=Sum("numerator"), d=Sum("denominator"), c=CountOf("pk"))
    )
    heads = [region.path, *(child.path for child in region.children.all())]
    totals: dict[str, dict[str, Count]] = {head: {} for head in heads}
    for row in rows:
        for head in heads:
            if row["region__path"].startswith(head):
                totals[head].setdefault(row["metric_code"], Count()).add(
                    row["n"] or 0, row["d"] or 0, row["c"]
                )
    return totals


@dataclass
class RegionFigures:
    region: Region
    lines: list[MetricLine]

    @property
    def score(self):
        return score_of(self.lines)

    @property
    def reported(self) -> int:
        return sum(1 for line in self.lines if line.reported)


@dataclass
class RegionReport:
    region: Region
    period: str
    own: RegionFigures
    children: list[RegionFigures]

    def as_json(self) -> dict:
        def metrics(figures: RegionFigures) -> list[dict]:
            return [line.as_json() for line in figures.lines]

        return {
            "region": self.region.code,
            "region_name": self.region.name,
            "period": self.period,
            "score": float(self.own.score),
            "metrics": metrics(self.own),
            "children": [
                {
                    "region": child.region.code,
                    "region_name": child.region.name,
                    "score": float(child.score),
                    "metrics": metrics(child),
                }
                for child in self.children
            ],
        }


def region_report(
    *, region: Region, period: str, figures: QuerySet[Figure] | None = None
) -> RegionReport:
    """The region's rates rolled up from everything below it, and each child's beside them."""
    metrics = metrics_for(region)
    counts = subtree_counts(region, _period_codes(period), figures=figures)
    children = list(region.children.order_by("code"))
    return RegionReport(
        region=region,
        period=period,
        own=RegionFigures(region, lines_for(metrics, counts[region.path])),
        children=[
            RegionFigures(child, lines_for(metrics, counts.get(child.path, {})))
            for child in children
        ],
    )


def user_report(*, user, region: Region, period: str) -> RegionReport:
    return region_report(region=region, period=period, figures=Figure.objects.visible_to(user))


@dataclass
class Ranked:
    rank: int
    figures: RegionFigures
    previous_rank: int | None = None


def ranking(*, region: Region, period: str, figures=None) -> list[Ranked]:
    """The children of `region` ranked by monitoring score for the period (ties share a rank)."""
    return rank_children(region_report(region=region, period=period, figures=figures))


def rank_children(report: RegionReport) -> list[Ranked]:
    ordered = sorted(report.children, key=lambda f: (-f.score, f.region.code))
    ranked, last_score, last_rank = [], None, 0
    for position, child in enumerate(ordered, start=1):
        rank = last_rank if child.score == last_score else position
        ranked.append(Ranked(rank, child))
        last_score, last_rank = child.score, rank
    return ranked


def ranking_with_trend(*, region: Region, period: str, figures=None, quarters: int = 4) -> dict:
    """The ranking of `period`, each region's rank the quarter before, and an ECharts line chart
    of each child's score over the last `quarters` quarters."""
    span = periods.previous_quarters(period, quarters)
    by_quarter = {q: ranking(region=region, period=q, figures=figures) for q in span}
    current = by_quarter[period]
    earlier = by_quarter[span[-2]] if quarters > 1 else []
    # a quarter nobody reported ranks everyone first: no rank to compare with
    before = {r.figures.region.code: r.rank for r in earlier if r.figures.reported}
    for row in current:
        row.previous_rank = before.get(row.figures.region.code)
    series = []
    for row in current:
        code = row.figures.region.code
        scores = {
            q: next(r.figures for r in by_quarter[q] if r.figures.region.code == code) for q in span
        }
        series.append(
            {
                "name": row.figures.region.name,
                "type": "line",
                "data": [float(scores[q].score) if scores[q].reported else None for q in span],
                "connectNulls": False,
            }
        )
    chart = {
        "grid": {"left": 8, "right": 16, "top": 40, "bottom": 8, "containLabel": True},
        "legend": {"top": 0, "type": "scroll"},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [periods.label(q) for q in span]},
        "yAxis": {"type": "value", "min": 0, "max": 100, "name": "监测得分"},
        "series": series,
    }
    return {"rows": current, "chart": chart, "quarters": span}


# -- bindings and reports -------------------------------------------------------------------------


def bindings_for(*, user) -> QuerySet[MetricBinding]:
    return MetricBinding.objects.visible_to(user).select_related("region", "node__framework")


def annual_reports(*, user, year: int | None = None) -> QuerySet[AnnualReport]:
    reports = AnnualReport.objects.visible_to(user).select_related("region", "unit")
    return reports.filter(year=year) if year else reports


def default_period(today: date) -> str:
    return periods.last_closed_quarter(today)


# -- who reports ----------------------------------------------------------------------------------


def reporter_choices(*, user, limit: int = 400) -> list[tuple[str, str]]:
    """The places a user may report for, as form choices: "r<id>" a region's government
    itself (本级), "u<id>" a unit. A liaison reports for their own unit only."""
    from fazhi.core.scoping import can_write_at
    from fazhi.orgs.models import Unit

    scope = Scope.for_user(user)
    if not scope.has_role("admin", "lead_admin"):
        return [(f"u{user.unit_id}", user.unit.name)] if user.unit_id else []
    home = home_region(user)
    if home is None:
        return []
    regions = Region.objects.filter(path__startswith=home.path).order_by("path")[:limit]
    units = Unit.objects.filter(region__path__startswith=home.path, is_active=True)
    choices = [(f"r{r.pk}", f"{r.name}（本级）") for r in regions]
    choices += [
        (f"u{u.pk}", u.name)
        for u in units.select_related("region").order_by("region__path", "sort_order")[:limit]
        if can_write_at(user, Figure, region=u.region, unit=u)
    ]
    return choices


def reporter_of(*, user, value: str):
    """(region, unit or None) a reporter choice names; blank is the user's own place: a
    liaison's unit, else the user's region itself. Http404 for a value that names nothing."""
    from fazhi.orgs.models import Unit

    value = (value or "").strip()
    if not value:
        if Scope.for_user(user).has_role("admin", "lead_admin") or not user.unit_id:
            region = home_region(user)
            if region is None:
                raise Http404("没有找到您所在的地区。")
            return region, None
        return user.unit.region, user.unit
    kind, number = value[:1], value[1:]
    if not number.isdigit():
        raise Http404("报送单位不正确。")
    if kind == "r":
        region = Region.objects.filter(pk=int(number)).first()
        if region is None:
            raise Http404("地区不存在。")
        return region, None
    unit = Unit.objects.select_related("region").filter(pk=int(number)).first()
    if kind != "u" or unit is None:
        raise Http404("单位不存在。")
    return unit.region, unit


def recent_periods(today: date, count: int = 8) -> list[str]:
    """The choices of the period picker: the last closed quarters, newest first, and the
    years they fall in."""
    quarters = periods.previous_quarters(periods.last_closed_quarter(today), count)[::-1]
    years = sorted({q[:4] for q in quarters}, reverse=True)
    return quarters + years


def reachable_ancestors(*, user, region: Region) -> list[Region]:
    """The regions above `region` the user may also look at (the way back up)."""
    scope = Scope.for_user(user)
    above = Region.objects.filter(code__in=region.ancestor_codes).exclude(pk=region.pk)
    if not scope.is_everything:
        above = above.filter(path__startswith=scope.region_path or "-")
    return list(above.order_by("depth"))


def rate_text(figure: Figure) -> str:
    from fazhi.monitoring.computing import format_rate, rate_of

    return format_rate(rate_of(figure.numerator, figure.denominator))


def may_correct(*, user, figure: Figure) -> bool:
    from fazhi.core.scoping import is_editable

    return is_editable(user, Figure, figure.pk)


def reporter_by_code(*, user, unit_code: str):
    """(region, unit) for the API: a unit by its code, else the user's own place."""
    from fazhi.orgs.models import Unit

    if not unit_code.strip():
        return reporter_of(user=user, value="")
    unit = Unit.objects.select_related("region").filter(code=unit_code.strip()).first()
    if unit is None:
        raise Http404(f"单位编码 {unit_code} 不存在。")
    return unit.region, unit


# -- automatic scores -----------------------------------------------------------------------------


@dataclass
class MonitoredItem:
    item: object  # campaigns.Item
    binding: MetricBinding | None
    score: object = None  # services.AutoScore, once bound


def monitored_items(*, campaign) -> list[MonitoredItem]:
    """The campaign's scorable indicators evaluated by 监测数据, each with the binding in force
    (the nearest region's) and, when bound, what it scores."""
    from fazhi.monitoring.services import MONITORING_METHOD, bound_scores

    items = campaign.items.filter(is_refined=False, points__isnull=False).select_related("node")
    items = [
        i for i in items.order_by("sort_key") if MONITORING_METHOD in i.node.evaluation_methods
    ]
    bindings = MetricBinding.objects.filter(
        region__code__in=campaign.region.ancestor_codes, node__in=[i.node_id for i in items]
    ).order_by("region__depth")
    by_node = {b.node_id: b for b in bindings}
    scores = {s.item.pk: s for s in bound_scores(campaign=campaign)}
    return [MonitoredItem(i, by_node.get(i.node_id), scores.get(i.pk)) for i in items]


def campaigns_to_score(*, user):
    from fazhi.campaigns.models import Campaign

    home = home_region(user)
    if home is None:
        return Campaign.objects.none()
    return (
        Campaign.objects.visible_to(user)
        .filter(region__path__startswith=home.path)
        .select_related("region")
        .order_by("region__path", "-period_end")[:50]
    )
