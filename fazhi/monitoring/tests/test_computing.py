"""Rates are computed from summed counts, never averaged; scores follow the metrics' rules;
regions rank by score; a county sees its own figures and those below it, not its neighbour's."""

from decimal import Decimal

import pytest
from django.http import Http404

from fazhi.accounts.system import SYSTEM
from fazhi.monitoring import selectors, services
from fazhi.monitoring.computing import metric_points, rate_of
from fazhi.monitoring.models import FigureStatus, Metric

pytestmark = pytest.mark.django_db


def put(region, unit, code, period, n, d, status=FigureStatus.CONFIRMED):
    return services.figure_put(
        acting_user=SYSTEM,
        region=region,
        unit=unit,
        metric_code=code,
        period=period,
        numerator=n,
        denominator=d,
        source="import",
        status=status,
    )[0]


@pytest.fixture
def figures(tree):
    u = tree.units
    put(tree.szq, None, "court_appearance", "2025Q2", 1, 2)  # 50%
    put(tree.szq, u.szq_sfj, "court_appearance", "2025Q2", 10, 10)
    put(tree.town, u.szq_town, "court_appearance", "2025Q2", 0, 0)
    put(tree.xc, u.xc_sfj, "court_appearance", "2025Q2", 99, 100)
    put(tree.xc, None, "litigation_loss", "2025Q2", 3, 10)
    put(tree.szq, None, "litigation_loss", "2025Q2", 5, 5, FigureStatus.SUBMITTED)  # not counted


def line(report_part, code):
    return next(line for line in report_part.lines if line.metric.code == code)


def test_roll_up_adds_numerators_and_denominators(tree, figures):
    report = selectors.region_report(region=tree.city, period="2025Q2")
    court = line(report.own, "court_appearance")
    # (1 + 10 + 0 + 99) / (2 + 10 + 0 + 100) = 110 / 112, not the mean of 50%, 100% and 99%
    assert (court.count.numerator, court.count.denominator) == (110, 112)
    assert court.rate == Decimal("98.21")
    szq = next(c for c in report.children if c.region == tree.szq)
    assert line(szq, "court_appearance").rate == Decimal("91.67")  # 11/12
    assert line(szq, "litigation_loss").reported is False  # only a submitted figure


def test_report_json_has_the_promised_shape(tree, figures):
    data = selectors.region_report(region=tree.city, period="2025Q2").as_json()
    assert data["region"] == "370400" and data["period"] == "2025Q2"
    first = data["metrics"][0]
    assert set(first) == {"code", "name", "numerator", "denominator", "rate"}
    assert [c["region"] for c in data["children"]] == ["370402", "370403"]
    by_code = {m["code"]: m for m in data["metrics"]}
    assert by_code["court_appearance"]["rate"] == 98.21
    assert by_code["legality_review"]["rate"] is None  # nothing counted


def test_a_year_adds_its_quarters(tree, figures):
    put(tree.xc, u := tree.units.xc_sfj, "court_appearance", "2025Q3", 1, 1)
    assert u.region == tree.xc
    year = selectors.region_report(region=tree.xc, period="2025")
    assert line(year.own, "court_appearance").count.denominator == 101


def test_points_follow_the_rule():
    metric = Metric(direction="higher", target=100, points=15, deduct_per_point=1)
    assert metric_points(metric, rate_of(99, 100)) == Decimal(14)
    assert metric_points(metric, rate_of(0, 100)) == Decimal(0)
    assert metric_points(metric, None) == Decimal(15)
    lower = Metric(direction="lower", target=10, points=15, deduct_per_point=Decimal("0.5"))
    assert metric_points(lower, rate_of(3, 10)) == Decimal(5)  # 30% is 20 points over target
    assert metric_points(lower, rate_of(1, 10)) == Decimal(15)


def test_ranking_orders_the_children_by_score(tree, figures):
    ranked = selectors.ranking(region=tree.city, period="2025Q2")
    # 薛城区: 99% earns 14 of 15, a 30% loss rate 5 of 15; 市中区: 91.67% earns 6.67 of 15;
    # what nobody reported earns nothing: scores out of the seven metrics' 100 points
    assert [(r.rank, r.figures.region.name, r.figures.score) for r in ranked] == [
        (1, "薛城区", Decimal(19)),
        (2, "市中区", Decimal("6.67")),
    ]
    trend = selectors.ranking_with_trend(region=tree.city, period="2025Q2")
    assert trend["chart"]["xAxis"]["data"][-1] == "2025年第二季度"
    assert len(trend["chart"]["series"]) == 2


def test_a_county_sees_itself_and_below_not_its_neighbour(tree, people, figures):
    assert selectors.region_in_reach(user=people.szq_leader, code="370402") == tree.szq
    assert selectors.region_in_reach(user=people.city_inspector, code="370403") == tree.xc
    for code in ("370403", "370400"):
        with pytest.raises(Http404):
            selectors.region_in_reach(user=people.szq_leader, code=code)
    seen = selectors.figure_list(user=people.szq_lead)
    assert {f.region.code for f in seen} <= {"370402", "370402001000"}
    assert not selectors.figure_list(user=people.xc_liaison).filter(region=tree.szq).exists()


def test_a_province_edits_its_own_copy_of_a_preset(tree, people):
    values = {
        f: getattr(selectors.metric_for(tree.province, "court_appearance"), f)
        for f in services.METRIC_FIELDS
    }
    services.metric_save(
        acting_user=people.admin,
        region=tree.province,
        code="court_appearance",
        values={**values, "target": Decimal(95)},
    )
    assert selectors.metric_for(tree.szq, "court_appearance").target == Decimal(95)
    assert Metric.objects.get(region=None, code="court_appearance").target == Decimal(100)
