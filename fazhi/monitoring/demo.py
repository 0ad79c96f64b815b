"""The demo's monitoring figures, shaped like 枣庄's (seed 002: the quarterly dynamic-monitoring
score, 87.88, 2nd in the province): the city's lead office imported each county's counts for the
last four closed quarters; 市中区司法局 has reported the latest quarter's 出庭应诉 figures and
waits for confirmation; one figure was corrected; 市中区 registered last year's annual report.
Periods are counted from the day the demo is loaded; loading again on the same day writes
nothing."""

from __future__ import annotations

from fazhi.accounts.audit import audit_record
from fazhi.accounts.models import User
from fazhi.core.demo import Calendar, happening_at, rng
from fazhi.frameworks.models import Node
from fazhi.monitoring import periods, services
from fazhi.monitoring.models import AnnualReport, Figure, FigureSource, FigureStatus, MetricBinding
from fazhi.orgs.models import Region, Unit

CITY = "370400"
SOURCE = "演示数据：各区（市）监测数据统计表.xlsx"
# metric code: (typical cases a county handles in a quarter, the usual share of the numerator)
SHAPES = {
    "court_appearance": (14, 0.97),
    "reconsideration_compliance": (20, 0.98),
    "reconsideration_correction": (30, 0.12),
    "litigation_loss": (16, 0.08),
    "normative_filing": (6, 0.99),
    "legality_review": (4, 1.0),
    "disclosure_on_time": (40, 0.96),
}


def load_demo_monitoring(cal: Calendar) -> dict:
    city = Region.objects.get(code=CITY)
    latest = periods.last_closed_quarter(cal.today)
    quarters = periods.previous_quarters(latest, 4)
    told = Figure.objects.filter(source_ref=SOURCE, period=latest).exists()
    if not told:
        _tell(city, quarters, cal)
    return {"quarter": latest, "figures": Figure.objects.filter(source_ref=SOURCE).count()}


def _tell(city: Region, quarters: list[str], cal: Calendar) -> None:
    Figure.objects.filter(source_ref__in=[SOURCE, "演示数据"]).delete()
    lead = User.objects.get(username="zz_admin")
    counties = list(city.children.order_by("code"))
    with happening_at(cal.moment(-10)):
        for county in counties:
            for quarter in quarters:
                _county_quarter(lead, county, quarter)
        audit_record(
            acting_user=lead,
            action="monitoring.import",
            target=city,
            region=city,
            summary=f"导入监测数据“{SOURCE}”（演示）",
        )
    szq = Region.objects.get(code="370402")
    unit = Unit.objects.get(code="370402-sfj")
    liaison = User.objects.get(username="szq_sfj_liaison")
    with happening_at(cal.moment(-3)):
        services.figure_report(
            acting_user=liaison,
            region=szq,
            unit=unit,
            metric_code="court_appearance",
            period=quarters[-1],
            numerator=6,
            denominator=6,
            note="本季度区司法局作为被告的开庭案件 6 件，负责人均出庭。",
        )
    corrected = Figure.objects.get(
        region=szq, unit=None, metric_code="disclosure_on_time", period=quarters[-1]
    )
    with happening_at(cal.moment(-2)):
        services.figure_correct(
            acting_user=lead,
            figure=corrected,
            numerator=corrected.numerator - 1,
            denominator=corrected.denominator,
            reason="核对申请登记台账，1 件答复超期（演示）",
        )
    _annual_reports(szq, cal)
    _binding(szq)


def _county_quarter(lead, county: Region, quarter: str) -> None:
    draw = rng("monitoring", county.code, quarter)
    for code, (typical, share) in SHAPES.items():
        denominator = max(1, round(typical * draw.uniform(0.6, 1.4)))
        wobble = draw.uniform(-0.06, 0.03) if share > 0.5 else draw.uniform(-0.05, 0.08)
        numerator = min(denominator, max(0, round(denominator * (share + wobble))))
        services.figure_put(
            acting_user=lead,
            region=county,
            unit=None,
            metric_code=code,
            period=quarter,
            numerator=numerator,
            denominator=denominator,
            source=FigureSource.IMPORT,
            status=FigureStatus.CONFIRMED,
            source_ref=SOURCE,
            audit=False,
        )


def _annual_reports(szq: Region, cal: Calendar) -> None:
    year = cal.today.year - 1
    lead = User.objects.get(username="szq_admin")
    AnnualReport.objects.filter(region=szq, year=year).delete()
    if cal.today.month < 3:  # the year's reports are not due yet: register none
        return
    services.annual_report_save(
        acting_user=lead,
        region=szq,
        unit=None,
        year=year,
        submitted_on=cal.day(-40) if cal.today.month > 4 else None,
        secrecy_reviewed_on=cal.day(-38) if cal.today.month > 4 else None,
        published_on=cal.day(-35) if cal.today.month > 4 else None,
        published_url="https://www.szq.gov.cn/fzzfjs/ndbg.html" if cal.today.month > 4 else "",
    )


def _binding(szq: Region) -> None:
    nodes = Node.objects.filter(title="行政机关负责人出庭应诉").order_by("-pk")
    node = next((n for n in nodes if services.MONITORING_METHOD in n.evaluation_methods), None)
    if node is None or MetricBinding.objects.filter(region=szq, node=node).exists():
        return
    services.binding_save(
        acting_user=User.objects.get(username="szq_admin"),
        region=szq,
        node=node,
        metric_codes=["court_appearance"],
    )
