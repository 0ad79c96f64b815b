"""Rates, roll-ups and monitoring scores: pure arithmetic over counts.

A region's figures are the sums of every confirmed figure reported in its subtree (its own
departments, the regions below it and their units): numerators are added and denominators are
added, and the rate is computed once from the two sums. Rates are never averaged, so a county
with 2 cases and one with 200 weigh what their cases weigh."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from fazhi.monitoring.models import Direction, Metric

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def rate_of(numerator: int, denominator: int) -> Decimal | None:
    """The rate in percent to two decimals; None when nothing was counted (denominator 0)."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def metric_points(metric: Metric, rate: Decimal | None) -> Decimal:
    """The monitoring points a rate earns by the metric's rule. A period with nothing to count
    (denominator 0) loses nothing: there was no case to handle badly."""
    if rate is None:
        return metric.points
    if metric.direction == Direction.HIGHER:
        shortfall = metric.target - rate
    else:
        shortfall = rate - metric.target
    if shortfall <= 0:
        return metric.points
    lost = shortfall * metric.deduct_per_point
    return max(Decimal(0), metric.points - lost).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Count:
    numerator: int = 0
    denominator: int = 0
    figures: int = 0  # how many reported figures were added; 0 means nothing was reported

    def add(self, numerator: int, denominator: int, figures: int = 1) -> None:
        self.numerator += numerator
        self.denominator += denominator
        self.figures += figures

    @property
    def rate(self) -> Decimal | None:
        return rate_of(self.numerator, self.denominator)


@dataclass
class MetricLine:
    metric: Metric
    count: Count

    @property
    def rate(self) -> Decimal | None:
        return self.count.rate

    @property
    def reported(self) -> bool:
        return self.count.figures > 0

    @property
    def points(self) -> Decimal:
        """Points earned; a metric nobody reported earns none (unreported is not perfect)."""
        return metric_points(self.metric, self.rate) if self.reported else Decimal(0)

    def as_json(self) -> dict:
        rate = self.rate
        return {
            "code": self.metric.code,
            "name": self.metric.name,
            "numerator": self.count.numerator,
            "denominator": self.count.denominator,
            "rate": float(rate) if rate is not None else None,
        }


def score_of(lines: list[MetricLine]) -> Decimal:
    """The monitoring score out of 100: points earned over the metrics' full points."""
    full = sum((line.metric.points for line in lines), Decimal(0))
    if not full:
        return Decimal(0)
    earned = sum((line.points for line in lines), Decimal(0))
    return (earned * HUNDRED / full).quantize(CENT, rounding=ROUND_HALF_UP)


def lines_for(metrics: list[Metric], counts: dict[str, Count]) -> list[MetricLine]:
    return [MetricLine(metric, counts.get(metric.code, Count())) for metric in metrics]


def format_rate(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate}%"
