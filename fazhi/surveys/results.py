"""The one documented computation of a survey's results. Pure functions over answer counts.

Counts: for a group of answers (an item, a stratum, a respondent type, the whole wave), a list
with one count per choice of the wave's scale, in the scale's order.

满意率 (satisfaction rate)
    The answers counted are those whose choice has a score (by default every answer but 不清楚;
    a blank cell is read as 不清楚). 满意率 = satisfied answers (by default 满意 + 较满意 + 基本满意)
    ÷ answers counted. A stratum's and the wave's rate pool every counted answer to every item:
    they are not means of the items' rates.
分值 (score)
    The mean of the choices' scores over the same counted answers (by default 100/80/60/0).
Margin (moe)
    The Wilson score interval at 95% (z = 1.96) for the rate, over the counted answers; `moe` is
    half its width. Answers of one respondent to different items are treated as independent, so
    for pooled rates the margin is a lower bound.
Population weighting
    When every stratum with answers has a population, the weighted rate is Σ Wₛ·pₛ with Wₛ the
    stratum's share of the population and pₛ its own (pooled) rate; the weighted score likewise.
    Its margin is the Wilson interval at the effective sample size p(1−p) ÷ Σ Wₛ²·pₛ(1−pₛ)/nₛ
    (Kish), so that a few heavy strata widen it. Unweighted figures are always given as well.
Percentages are given to two decimals, rounded half up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Z95 = 1.96


@dataclass(frozen=True)
class Rate:
    """The results of a group of answers. `rate`, `low`, `high` and `moe` are fractions (0..1);
    `n` is the number of counted answers; None throughout when nothing was counted."""

    n: int
    satisfied: int
    rate: float | None
    score: float | None
    low: float | None
    high: float | None

    @property
    def moe(self) -> float | None:
        return None if self.low is None else (self.high - self.low) / 2


def add(counts: Iterable[Sequence[int]], size: int) -> list[int]:
    """Counts of several groups added choice by choice."""
    total = [0] * size
    for one in counts:
        for i, count in enumerate(one):
            total[i] += count
    return total


def wilson(satisfied: float, n: float, z: float = Z95) -> tuple[float, float] | tuple[None, None]:
    """The Wilson score interval of a proportion `satisfied / n`."""
    if n <= 0:
        return None, None
    p = satisfied / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_of(
    counts: Sequence[int], scores: Sequence[float | None], satisfied: Sequence[bool]
) -> Rate:
    """满意率, 分值 and the Wilson interval of one group's counts."""
    n = sum(count for count, score in zip(counts, scores, strict=True) if score is not None)
    if n == 0:
        return Rate(0, 0, None, None, None, None)
    yes = sum(
        count
        for count, score, ok in zip(counts, scores, satisfied, strict=True)
        if ok and score is not None
    )
    total = sum(
        count * score for count, score in zip(counts, scores, strict=True) if score is not None
    )
    low, high = wilson(yes, n)
    return Rate(n, yes, yes / n, total / n, low, high)


def weighted_rate(groups: Sequence[tuple[Rate, float]]) -> Rate | None:
    """The population-weighted rate of strata given as (their Rate, their population). None when
    a stratum with answers has no population: a partial weighting would mislead."""
    counted = [(rate, population) for rate, population in groups if rate.n]
    if not counted or any(population is None or population <= 0 for _, population in counted):
        return None
    total = sum(population for _, population in counted)
    p = sum(rate.rate * population / total for rate, population in counted)
    score = sum(rate.score * population / total for rate, population in counted)
    variance = sum(
        (population / total) ** 2 * rate.rate * (1 - rate.rate) / rate.n
        for rate, population in counted
    )
    n = sum(rate.n for rate, _ in counted)
    # Kish's effective sample size; when every stratum is unanimous the variance is nil and the
    # interval is that of all answers.
    effective = p * (1 - p) / variance if variance > 0 else n
    low, high = wilson(p * effective, effective)
    return Rate(n, round(p * n), p, score, low, high)


def percent(fraction: float | None) -> float | None:
    """A fraction as a percentage to two decimals (0.97534 → 97.53), rounded half up."""
    if fraction is None:
        return None
    return float(Decimal(repr(fraction * 100)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def two_decimals(value: float | None) -> float | None:
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def weakest(rates: Iterable[tuple[str, Rate]], *, count: int = 3) -> list[tuple[str, Rate]]:
    """The `count` groups with the lowest rate (then the lowest score), groups without counted
    answers left out."""
    ranked = sorted(
        ((name, rate) for name, rate in rates if rate.n),
        key=lambda pair: (pair[1].rate, pair[1].score),
    )
    return ranked[:count]


def change(current: Rate | None, previous: Rate | None) -> float | None:
    """The change of the rate in percentage points against the previous wave."""
    if current is None or previous is None or current.rate is None or previous.rate is None:
        return None
    return two_decimals((current.rate - previous.rate) * 100)
