"""Reads of the survey app: waves in the user's scope, and a wave's results (see `results.py`
for the rule) gathered from its respondents and its aggregated counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from fazhi.core.scoping import get_visible_or_404
from fazhi.surveys import results
from fazhi.surveys.models import (
    CONTACT_OUTCOMES,
    NO_ANSWER,
    AnswerCount,
    CallAttempt,
    Item,
    Outcome,
    Respondent,
    RespondentType,
    Stratum,
    Wave,
)
from fazhi.surveys.scales import Scale


def wave_list(*, user, query: str = ""):
    waves = Wave.objects.visible_to(user).select_related("region")
    if query:
        waves = waves.filter(Q(name__contains=query) | Q(region__name__contains=query))
    # Counted by subqueries: joining both respondents and strata would multiply the rows.
    counted = waves.annotate(
        respondent_count=_count_of(Respondent), strata_count=_count_of(Stratum)
    )
    return counted.order_by("-year", "region__path", "-created_at")


def _count_of(model):
    rows = model.objects.filter(wave=OuterRef("pk")).order_by().values("wave")
    return Coalesce(Subquery(rows.annotate(c=Count("pk")).values("c")), 0)


def wave_by_pk(*, user, pk: int) -> Wave:
    return get_visible_or_404(Wave.objects.select_related("region"), user, pk=pk)


def wave_by_ref(*, user, ref: str) -> Wave:
    """A wave named on the command line by its id."""
    return wave_by_pk(user=user, pk=int(ref) if str(ref).isdigit() else 0)


def scale_of(wave: Wave) -> Scale:
    return Scale.of(wave.scale, wave.aliases)


# -- results -----------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a results table."""

    name: str
    respondents: int
    rate: results.Rate
    target: int = 0
    population: int | None = None
    below_target: bool = False
    change: float | None = None


@dataclass
class Report:
    wave: Wave
    scale: Scale
    overall: Row
    weighted: results.Rate | None
    strata: list[Row]
    items: list[Row]
    types: list[Row]
    weakest_strata: list[Row] = field(default_factory=list)
    weakest_items: list[Row] = field(default_factory=list)
    previous: Wave | None = None
    overall_change: float | None = None


@dataclass
class _Tally:
    """Counts by (stratum id, respondent type) and item position, and respondents by the same."""

    size: int
    counts: dict = field(default_factory=lambda: defaultdict(dict))
    respondents: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, key, position: int, choice: int, count: int) -> None:
        per_item = self.counts[key].setdefault(position, [0] * self.size)
        per_item[choice] += count


def _tally(wave: Wave, items: list[Item], scale: Scale) -> _Tally:
    tally = _Tally(size=len(scale.labels))
    # Respondents with the same answers are counted by the database: a wave of 100,000 has at
    # most a few thousand different answer strings per stratum.
    patterns = (
        Respondent.objects.filter(wave=wave)
        .values_list("stratum_id", "respondent_type", "answers")
        .annotate(count=Count("id"))
        .order_by()
    )
    for stratum_id, kind, answers, count in patterns:
        key = (stratum_id, kind)
        tally.respondents[key] += count
        for position, char in enumerate(answers[: len(items)]):
            if char != NO_ANSWER and int(char) < tally.size:
                tally.add(key, position, int(char), count)
    position_of = {item.pk: position for position, item in enumerate(items)}
    aggregated = defaultdict(lambda: defaultdict(int))
    for row in AnswerCount.objects.filter(wave=wave).values_list(
        "stratum_id", "respondent_type", "item_id", "choice", "count"
    ):
        stratum_id, kind, item_id, choice, count = row
        if choice < tally.size:
            tally.add((stratum_id, kind), position_of[item_id], choice, count)
            aggregated[(stratum_id, kind)][item_id] += count
    # An aggregated table counts answers, not people: its respondents are the answers to the
    # item most answered (every respondent answers every item, a blank counting as 不清楚).
    for key, per_item in aggregated.items():
        tally.respondents[key] += max(per_item.values())
    return tally


def _rate(counts: list[int], scale: Scale) -> results.Rate:
    return results.rate_of(counts, scale.scores, scale.satisfied)


def wave_report(wave: Wave, *, with_previous: bool = True) -> Report:
    scale = scale_of(wave)
    items = list(wave.items.all())
    strata = list(wave.strata.select_related("unit"))
    tally = _tally(wave, items, scale)
    size = len(scale.labels)

    def pooled(keys, positions=None) -> list[int]:
        return results.add(
            (
                counts
                for key in keys
                for position, counts in tally.counts.get(key, {}).items()
                if positions is None or position in positions
            ),
            size,
        )

    keys_of = defaultdict(list)
    for key in tally.counts.keys() | tally.respondents.keys():
        keys_of[key[0]].append(key)

    # Strata by place: a town split into public and business strata is one line, named as the
    # org tree names it; the types are their own lines below.
    places: dict[str, list[Stratum]] = {}
    for stratum in strata:
        places.setdefault(stratum.name, []).append(stratum)
    stratum_rows, weighting = [], []
    for name, group in places.items():
        keys = [key for stratum in group for key in keys_of[stratum.pk]]
        rate = _rate(pooled(keys), scale)
        respondents = sum(tally.respondents.get(key, 0) for key in keys)
        target = sum(stratum.target for stratum in group)
        populations = [stratum.population for stratum in group]
        population = None if None in populations else sum(populations)
        stratum_rows.append(
            Row(name, respondents, rate, target, population, below_target=respondents < target)
        )
        weighting.append((rate, population))
    all_keys = list(tally.counts.keys() | tally.respondents.keys())
    overall = Row(
        "总体",
        sum(tally.respondents.values()),
        _rate(pooled(all_keys), scale),
        target=sum(stratum.target for stratum in strata),
    )
    overall.below_target = overall.respondents < overall.target
    item_rows = [
        Row(item.title, 0, _rate(pooled(all_keys, {position}), scale))
        for position, item in enumerate(items)
    ]
    for row in item_rows:
        row.respondents = row.rate.n
    type_rows = []
    for kind in RespondentType:
        keys = [key for key in all_keys if key[1] == kind.value]
        if keys:
            respondents = sum(tally.respondents.get(key, 0) for key in keys)
            type_rows.append(Row(kind.label, respondents, _rate(pooled(keys), scale)))
    report = Report(
        wave=wave,
        scale=scale,
        overall=overall,
        weighted=results.weighted_rate(weighting),
        strata=stratum_rows,
        items=item_rows,
        types=type_rows,
    )
    by_rate = {row.name: row for row in stratum_rows + item_rows}
    report.weakest_strata = [
        by_rate[n] for n, _ in results.weakest((r.name, r.rate) for r in stratum_rows)
    ]
    report.weakest_items = [
        by_rate[n] for n, _ in results.weakest((r.name, r.rate) for r in item_rows)
    ]
    if with_previous and (previous := previous_wave(wave)) is not None:
        _compare(report, wave_report(previous, with_previous=False))
    return report


def previous_wave(wave: Wave) -> Wave | None:
    """The region's wave before this one: an earlier year, or the same year created earlier."""
    earlier = Wave.objects.filter(region_id=wave.region_id).filter(
        Q(year__lt=wave.year) | Q(year=wave.year, created_at__lt=wave.created_at)
    )
    return earlier.order_by("-year", "-created_at").first()


def _compare(report: Report, before: Report) -> None:
    report.previous = before.wave
    report.overall_change = results.change(report.overall.rate, before.overall.rate)
    old = {row.name: row for row in before.strata}
    for row in report.strata:
        if row.name in old:
            row.change = results.change(row.rate, old[row.name].rate)
    old = {row.name: row for row in before.items}
    for row in report.items:
        if row.name in old:
            row.change = results.change(row.rate, old[row.name].rate)


def report_json(report: Report) -> dict:
    """The contract of `fazhi survey report --json`: rates as percentages to two decimals."""

    def line(row: Row, name_key: str) -> dict:
        return {
            name_key: row.name,
            "n": row.respondents,
            "satisfaction_rate": results.percent(row.rate.rate),
            "score": results.two_decimals(row.rate.score),
        }

    overall = report.overall
    return {
        "overall": {
            "n": overall.respondents,
            "satisfaction_rate": results.percent(overall.rate.rate),
            "score": results.two_decimals(overall.rate.score),
            "moe": results.percent(overall.rate.moe),
        },
        "strata": [line(row, "name") for row in report.strata],
        "items": [line(row, "title") for row in report.items],
    }


# -- phone survey ------------------------------------------------------------------------------


@dataclass
class CallRow:
    name: str
    calls: int
    completes: int
    contacts: int
    refusals: int

    @property
    def contact_rate(self) -> float | None:
        return self.contacts / self.calls if self.calls else None

    @property
    def refusal_rate(self) -> float | None:
        return self.refusals / self.contacts if self.contacts else None

    @property
    def calls_per_complete(self) -> float | None:
        return self.calls / self.completes if self.completes else None


def call_summary(wave: Wave) -> list[CallRow]:
    """Per stratum: calls, completes, contact rate (someone answered) and refusal rate (refused
    of those contacted), and a total line last."""
    rows = {stratum.pk: CallRow(str(stratum), 0, 0, 0, 0) for stratum in wave.strata.all()}
    counted = (
        CallAttempt.objects.filter(wave=wave)
        .values_list("stratum_id", "outcome")
        .annotate(count=Count("id"))
        .order_by()
    )
    for stratum_id, outcome, count in counted:
        row = rows[stratum_id]
        row.calls += count
        row.completes += count if outcome == Outcome.COMPLETED else 0
        row.contacts += count if outcome in CONTACT_OUTCOMES else 0
        row.refusals += count if outcome == Outcome.REFUSED else 0
    lines = [row for row in rows.values() if row.calls]
    total = CallRow(
        "合计",
        *(
            sum(getattr(r, f) for r in lines)
            for f in ("calls", "completes", "contacts", "refusals")
        ),
    )
    return [*lines, total]


# -- where a wave's result goes -----------------------------------------------------------------


def feed_applicants(*, user, wave: Wave):
    """The applicants of the wave's region in the evaluations whose scores the user enters."""
    from fazhi.fieldwork.models import Applicant

    applicants = Applicant.objects.editable_by(user).filter(campaign__region=wave.region)
    return applicants.select_related("evaluation", "campaign").order_by("-evaluation__created_at")


SATISFACTION_WORD = "满意"


def evidence_items(*, user, wave: Wave):
    """The task items (leaves) of the region's campaigns the user files materials for, the
    satisfaction indicators first (their title or required materials speak of 满意)."""
    from fazhi.campaigns.selectors import material_targets

    return material_targets(user=user, region=wave.region, words=(SATISFACTION_WORD,))


# -- printed invitations -----------------------------------------------------------------------


def invitation_counts(wave: Wave) -> list:
    """Each stratum with how many invitations were issued for it and how many answered."""
    from fazhi.surveys.models import Invitation

    issued = Invitation.objects.filter(stratum=OuterRef("pk")).order_by().values("stratum")
    used = issued.filter(used_at__isnull=False)

    def counted(rows):
        return Coalesce(Subquery(rows.annotate(c=Count("pk")).values("c")), 0)

    strata = list(wave.strata.annotate(issued=counted(issued), used=counted(used)))
    for stratum in strata:
        stratum.unused = stratum.issued - stratum.used
    return strata


def unused_invitations(wave: Wave, stratum_id: int | None = None):
    """The wave's invitations nobody has answered yet (of one stratum when given), oldest first."""
    from fazhi.surveys.models import Invitation

    rows = Invitation.objects.filter(stratum__wave=wave, used_at__isnull=True)
    if stratum_id is not None:
        rows = rows.filter(stratum_id=stratum_id)
    return rows.select_related("stratum").order_by("stratum__position", "stratum_id", "id")
