"""Totals against the scoring table (评分表): per area and overall, for each side, by the
framework's aggregation, with veto items zeroing what the framework says they zero.

Pure functions over plain rows, so that the score sheet, the dashboard, the province's ranking,
the command line and the API all add up the same way.

- 分值相加 (sum): an area's maximum is the sum of its indicators' points, its score the sum of
  their scores; the total is the sum of the areas.
- 按权重百分比 (weighted): an area's points are its weight in percent (equal weights when the
  table gives none); its score is weight × (scored points / its indicators' points), so the
  total is out of the sum of the weights (100 when they add up).
- A score not yet given counts as 0, never as full marks: "no assessment is never done".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from fazhi.frameworks.models import Aggregation, VetoEffect
from fazhi.reviews.models import Side

ZERO = Decimal(0)
CENT = Decimal("0.01")
SIDES = tuple(Side.values)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ScoredItem:
    """One indicator with its points and the score each side gave (None: not scored)."""

    item_id: int
    area: str
    points: Decimal
    scores: dict[str, Decimal | None]
    vetoed: dict[str, bool]


@dataclass
class AreaTotal:
    key: str
    code: str
    title: str
    maximum: Decimal
    weight: Decimal | None
    scores: dict[str, Decimal] = field(default_factory=dict)
    scored: dict[str, int] = field(default_factory=dict)
    vetoed: dict[str, bool] = field(default_factory=dict)
    indicators: int = 0


@dataclass
class Totals:
    aggregation: str
    veto_effect: str
    areas: list[AreaTotal]
    maximum: Decimal
    scores: dict[str, Decimal]
    vetoed: dict[str, bool]
    indicators: int
    scored: dict[str, int]

    def as_dict(self, sides=SIDES) -> dict:
        """As plain data, with only these sides (and the estimate): a reader who may not see a
        side (the written review) finds no trace of it, not even whether it is vetoed."""
        keys = (*(side for side in SIDES if side in sides), "estimate")

        def side_dict(values, convert=_plain):
            return {side: convert(values.get(side)) for side in keys}

        return {
            "aggregation": self.aggregation,
            "maximum": _plain(self.maximum),
            "scores": side_dict(self.scores),
            "vetoed": side_dict(self.vetoed, bool),
            "indicators": self.indicators,
            "scored": side_dict(self.scored, int),
            "areas": [
                {
                    "code": area.code,
                    "title": area.title,
                    "maximum": _plain(area.maximum),
                    "weight": _plain(area.weight),
                    "scores": side_dict(area.scores),
                    "scored": side_dict(area.scored, int),
                    "vetoed": side_dict(area.vetoed, bool),
                    "indicators": area.indicators,
                }
                for area in self.areas
            ],
        }


def _plain(value):
    return None if value is None else float(value)


def estimate(item: ScoredItem) -> Decimal | None:
    """The best score known so far for the campaign's own estimate: the reviewed score, else the
    self-assessment."""
    for side in (Side.REVIEW, Side.SELF):
        if item.scores.get(side) is not None:
            return item.scores[side]
    return None


def _estimate_vetoed(item: ScoredItem) -> bool:
    for side in (Side.REVIEW, Side.SELF):
        if item.scores.get(side) is not None:
            return item.vetoed.get(side, False)
    return False


def total(
    *,
    areas: list[tuple[str, str, str, Decimal | None]],
    items: list[ScoredItem],
    aggregation: str,
    veto_effect: str,
) -> Totals:
    """`areas`: (key, code, title, points) of the top-level nodes in order."""
    by_area = {key: [] for key, *_ in areas}
    for item in items:
        by_area.setdefault(item.area, []).append(item)
    weights = _weights(areas, aggregation)
    area_totals = [
        _area_total(key, code, title, by_area.get(key, []), weights.get(key), veto_effect)
        for key, code, title, _ in areas
    ]
    overall = {
        side: sum((area.scores[side] for area in area_totals), ZERO)
        for side in (*SIDES, "estimate")
    }
    vetoed = {side: any(area.vetoed[side] for area in area_totals) for side in overall}
    if veto_effect == VetoEffect.TOTAL:
        overall = {side: ZERO if vetoed[side] else value for side, value in overall.items()}
    maximum = sum((area.maximum for area in area_totals), ZERO)
    return Totals(
        aggregation=aggregation,
        veto_effect=veto_effect,
        areas=area_totals,
        maximum=cents(maximum),
        scores={side: cents(value) for side, value in overall.items()},
        vetoed=vetoed,
        indicators=len(items),
        scored={side: sum(area.scored[side] for area in area_totals) for side in overall},
    )


def _weights(areas, aggregation: str) -> dict[str, Decimal]:
    if aggregation != Aggregation.WEIGHTED:
        return {}
    given = {key: points for key, _, _, points in areas if points}
    if given:
        return {key: given.get(key, ZERO) for key, *_ in areas}
    equal = Decimal(100) / len(areas) if areas else ZERO
    return {key: equal for key, *_ in areas}


def _area_total(key, code, title, items: list[ScoredItem], weight, veto_effect) -> AreaTotal:
    points = sum((item.points for item in items), ZERO)
    area = AreaTotal(
        key=key,
        code=code,
        title=title,
        maximum=cents(weight if weight is not None else points),
        weight=weight,
        indicators=len(items),
    )
    for side in (*SIDES, "estimate"):
        if side == "estimate":
            values = [(estimate(item), _estimate_vetoed(item)) for item in items]
        else:
            values = [(item.scores.get(side), item.vetoed.get(side, False)) for item in items]
        scored = sum((value for value, _ in values if value is not None), ZERO)
        area.scored[side] = sum(1 for value, _ in values if value is not None)
        area.vetoed[side] = any(flag for _, flag in values)
        if weight is not None:
            scored = weight * scored / points if points else ZERO
        if area.vetoed[side] and veto_effect == VetoEffect.AREA:
            scored = ZERO
        area.scores[side] = cents(scored)
    return area
