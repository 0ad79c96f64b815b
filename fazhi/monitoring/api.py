"""/api/monitoring/: the metric registry, the figures a user may see, reporting a figure, and a
region's rates rolled up (the same JSON as `fazhi monitoring report --json`)."""

from ninja import Router, Schema

from fazhi.monitoring import periods, selectors, services

router = Router(tags=["动态监测 monitoring"])


class MetricOut(Schema):
    code: str
    name: str
    numerator: str
    denominator: str
    source: str
    scope: str
    period_kind: str
    direction: str
    target: float
    points: float


class FigureOut(Schema):
    id: int
    region: str
    unit: str | None
    reporter: str
    metric: str
    period: str
    numerator: int
    denominator: int
    status: str
    version: int


class FigureIn(Schema):
    metric: str
    period: str
    numerator: int
    denominator: int
    unit_code: str = ""  # blank: the reporter's own unit (a liaison) or region (the lead office)
    note: str = ""


class LineOut(Schema):
    code: str
    name: str
    numerator: int
    denominator: int
    rate: float | None


class ChildOut(Schema):
    region: str
    region_name: str
    score: float
    metrics: list[LineOut]


class ReportOut(Schema):
    region: str
    region_name: str
    period: str
    score: float
    metrics: list[LineOut]
    children: list[ChildOut]


def _figure_json(figure) -> dict:
    return {
        "id": figure.pk,
        "region": figure.region.code,
        "unit": figure.unit.code if figure.unit_id else None,
        "reporter": figure.reporter_name,
        "metric": figure.metric_code,
        "period": figure.period,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "status": figure.status,
        "version": figure.version,
    }


@router.get("/metrics", response=list[MetricOut], summary="适用的监测指标")
def list_metrics(request):
    return [
        {
            "code": m.code,
            "name": m.name,
            "numerator": m.numerator,
            "denominator": m.denominator,
            "source": m.source,
            "scope": m.scope_text,
            "period_kind": m.period_kind,
            "direction": m.direction,
            "target": float(m.target),
            "points": float(m.points),
        }
        for m in selectors.metrics_for(selectors.home_region(request.user))
    ]


@router.get("/figures", response=list[FigureOut], summary="可查看的监测数据")
def list_figures(request, period: str = "", metric: str = "", status: str = ""):
    period = periods.parse_period(period) if period else ""
    figures = selectors.figure_list(user=request.user, period=period, metric=metric, status=status)
    return [_figure_json(f) for f in figures[:2000]]


@router.post("/figures", response=FigureOut, summary="报送（或更正）一项监测数据")
def report_figure(request, payload: FigureIn):
    region, unit = selectors.reporter_by_code(user=request.user, unit_code=payload.unit_code)
    figure = services.figure_report(
        acting_user=request.user,
        region=region,
        unit=unit,
        metric_code=payload.metric,
        period=payload.period,
        numerator=payload.numerator,
        denominator=payload.denominator,
        note=payload.note,
    )
    return _figure_json(figure)


@router.get("/report", response=ReportOut, summary="地区监测指标（逐级汇总）")
def region_report(request, region: str, period: str):
    period = periods.parse_period(period)
    found = selectors.region_in_reach(user=request.user, code=region)
    report = selectors.region_report(
        region=found, period=period, figures=selectors.figures_seen_by(request.user)
    )
    return report.as_json()
