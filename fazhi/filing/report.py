"""The self-assessment report (自评报告): a Word draft of the campaign's report, filled from its
data through the template in force for its region (`fazhi.filing.report_templates`).

`report_context` is what a template can say: plain dicts, lists, strings and numbers, every name
listed with its meaning in `fazhi.filing.report_vocabulary` (the template page shows the list to
template authors).
Numbers are written as people write them (20, 8.5), dates the Chinese way (2025年6月30日).

The data is read with the system's reach, not a user's: the report speaks for the whole
campaign, and who may download it is decided by the caller. Progress comes from the dashboard's
facts and groupings, scores from the reviews' totals, so the report, the dashboard and the score
sheet never disagree. Highlights, shortcomings and next steps are derived by the rules below;
they are a draft that the lead office edits, not a verdict."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.utils import timezone
from jinja2 import TemplateError

from fazhi.accounts.system import SYSTEM
from fazhi.campaigns.models import (
    Assignment,
    AssignmentRole,
    Campaign,
    Item,
    SelfAssessment,
    StageKind,
)
from fazhi.dashboards.selectors import (
    NO_LEAD,
    Area,
    Completion,
    Facts,
    ItemFact,
    UnitRef,
    completion_by_area,
    completion_by_unit,
    dashboard_facts,
    group_by,
    headline,
    lead_units,
    overdue_items,
    status_counts,
)
from fazhi.filing.report_templates import fill, template_content, template_problem
from fazhi.frameworks.models import Aggregation
from fazhi.reviews.models import RETURN_VERDICTS, Assessment, Comment, Side
from fazhi.reviews.scoring import AreaTotal, Totals, cents
from fazhi.reviews.selectors import campaign_totals, score_sheet

HIGH_SCORE_RATIO = Decimal("0.9")  # a fully approved area scoring this share is a highlight
LOW_COMPLETION = 60  # an area below this approved percentage is a shortcoming
RECTIFY_DAYS = 30  # without a filing date ahead, next steps are due this many days from today
MAX_LISTED = 10  # entries of one kind of shortcoming before the rest are summed up in one line


# -- the context ---------------------------------------------------------------------------------


def report_context(*, campaign: Campaign, today: date) -> dict:
    """The report's data as of `today`; see `VOCABULARY` for what each name holds."""
    facts = dashboard_facts(campaign=campaign, user=SYSTEM, today=today)
    totals = campaign_totals(campaign)
    by_area = completion_by_area(facts)
    by_unit = completion_by_unit(facts)
    written = _Written.read(campaign, facts)
    areas = _areas(facts, totals, by_area, written)
    drafter = _Drafter(campaign=campaign, facts=facts, target=_target_date(campaign, today))
    overdue = [drafter.overdue_row(item, days) for item, days in overdue_items(facts)]
    deductions = drafter.deductions()
    returned = drafter.returned_repeatedly()
    drafter.low_completion(by_area, areas)
    drafter.listed(overdue, kind="逾期", rest="另有 {n} 项任务逾期未通过审核，详见平台任务清单。")
    drafter.listed(deductions, kind="扣分", rest="另有 {n} 处扣分，详见评分表。")
    drafter.vetoed()
    drafter.listed(returned, kind="多次退回", rest="另有 {n} 项任务多次被退回，详见审核记录。")
    return {
        "campaign": _campaign(campaign),
        "today": chinese_date(today),
        "summary": _summary(facts, written.explained),
        "areas": areas,
        "scores": _scores(totals),
        "units": [_unit_row(unit, done) for unit, done in by_unit],
        "highlights": _highlights(areas, by_unit, max_label=_max_label(totals)),
        "shortcomings": drafter.shortcomings,
        "next_steps": drafter.next_steps,
        "deductions": [_public(row) for row in deductions],
        "overdue": [_public(row) for row in overdue],
        "returned_repeatedly": [_public(row) for row in returned],
        "self_items": [entry for area in areas for entry in area["self_items"]],
        **written.lead_office_parts(),
    }


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三: the numbers of （一）-style headings."""
    if number < 10:
        return CHINESE_DIGITS[number]
    tens, ones = divmod(number, 10)
    head = "十" if tens == 1 else f"{CHINESE_DIGITS[tens]}十"
    return head + (CHINESE_DIGITS[ones] if ones else "") if number < 100 else str(number)


def paragraphs(text: str) -> list[str]:
    """A text typed in a box as the report's paragraphs: one per non-blank line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def chinese_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def plain_number(value) -> int | float:
    """20.00 → 20, 8.50 → 8.5: numbers as people write them, and as templates can compare."""
    value = cents(Decimal(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _campaign(campaign: Campaign) -> dict:
    framework = campaign.framework
    return {
        "name": campaign.name,
        "region": campaign.region.name,
        "level": campaign.get_level_display(),
        "period_start": chinese_date(campaign.period_start),
        "period_end": chinese_date(campaign.period_end),
        "period": f"{chinese_date(campaign.period_start)}至{chinese_date(campaign.period_end)}",
        "framework": f"《{framework.name}》（{framework.edition}）"
        if framework.edition
        else f"《{framework.name}》",
        "framework_name": framework.name,
        "framework_edition": framework.edition,
        "aggregation": framework.get_aggregation_display(),
        "weighted": framework.aggregation == Aggregation.WEIGHTED,
    }


def _progress(done: Completion) -> dict:
    return {
        "total": done.total,
        "approved": done.approved,
        "submitted": done.counts["submitted"],
        "returned": done.counts["returned"],
        "in_progress": done.counts["in_progress"],
        "not_started": done.counts["not_started"],
        "overdue": done.overdue,
        "completion": done.percent,
        "completion_text": "—" if done.percent is None else f"{done.percent}%",
    }


def _score_fields(maximum, scores: dict, indicators: int, scored: dict) -> dict:
    return {
        "max_points": plain_number(maximum),
        "self_score": plain_number(scores[Side.SELF]),
        "review_score": plain_number(scores[Side.REVIEW]),
        "estimate": plain_number(scores["estimate"]),
        "indicators": indicators,
        "scored": scored["estimate"],
    }


NO_SCORES = {side: 0 for side in (*Side.values, "estimate")}


def _areas(
    facts: Facts, totals: Totals, by_area: list[tuple[Area, Completion]], written: _Written
) -> list[dict]:
    scored: dict[str, AreaTotal] = {area.key: area for area in totals.areas}
    materials = {
        key: sum(item.evidence_count for item in items)
        for key, items in group_by(facts.items, lambda item: item.area).items()
    }
    rows = []
    for number, (area, done) in enumerate(by_area, start=1):
        total = scored.get(area.key)
        code = total.code if total else ""
        scores = (
            _score_fields(total.maximum, total.scores, total.indicators, total.scored)
            if total
            else _score_fields(0, NO_SCORES, 0, NO_SCORES)
        )
        rows.append(
            {
                "code": code,
                "title": area.title,
                **_progress(done),
                "materials": materials.get(area.key, 0),
                **scores,
                "ordinal": chinese_ordinal(number),
                "self_items": written.entries(area.key),
            }
        )
    return rows


def _summary(facts: Facts, explained: set[int]) -> dict:
    head = headline(facts)
    return {
        **_progress(Completion(counts=status_counts(facts.items), overdue=head.overdue)),
        "materials": head.materials,
        "areas": len(facts.areas),
        "lead_units": sum(1 for unit in lead_units(facts) if unit is not None),
        "explained": sum(1 for item in facts.items if item.pk in explained),
    }


def _scores(totals: Totals) -> dict:
    return {
        **_score_fields(totals.maximum, totals.scores, totals.indicators, totals.scored),
        "vetoed": totals.vetoed["estimate"],
        "max_label": _max_label(totals),
    }


def _max_label(totals: Totals) -> str:
    return "权重" if totals.aggregation == Aggregation.WEIGHTED else "满分"


def _unit_row(unit: UnitRef | None, done: Completion) -> dict:
    progress = _progress(done)
    return {
        "name": unit.name if unit else NO_LEAD,
        "short_name": unit.display_name if unit else NO_LEAD,
        "total": progress["total"],
        "approved": progress["approved"],
        "overdue": progress["overdue"],
        "completion": progress["completion"],
        "completion_text": progress["completion_text"],
    }


def _unit_name(unit: UnitRef | None) -> str:
    return unit.name if unit else NO_LEAD


# -- highlights ----------------------------------------------------------------------------------


def _highlights(
    areas: list[dict], units: list[tuple[UnitRef | None, Completion]], *, max_label: str
) -> list[dict]:
    """Areas whose every item is approved and whose estimate reaches HIGH_SCORE_RATIO of their
    maximum; then the lead units whose every item is approved."""
    found = []
    for area in areas:
        full = area["total"] and area["approved"] == area["total"]
        ratio = Decimal(str(area["estimate"])) / Decimal(str(area["max_points"] or 1))
        if full and area["max_points"] and ratio >= HIGH_SCORE_RATIO:
            found.append(
                {
                    "text": f"{area['title']}：{area['total']} 项任务全部通过审核，"
                    f"预估得分 {area['estimate']} 分（{max_label} {area['max_points']} 分，"
                    f"得分率 {round(ratio * 100)}%）。",
                    "area": area["title"],
                }
            )
    finished = [
        f"{unit.name}（{done.total} 项）"
        for unit, done in units
        if unit is not None and done.total and done.approved == done.total
    ]
    if finished:
        found.append({"text": f"{'、'.join(finished)}牵头的任务已全部通过审核。", "area": ""})
    return found


# -- shortcomings and next steps -----------------------------------------------------------------


def _target_date(campaign: Campaign, today: date) -> date:
    """When the next steps are due: the filing stage's end when it lies ahead, else
    RECTIFY_DAYS from today."""
    filing = campaign.stages.filter(kind=StageKind.FILING).values_list("ends_on", flat=True).first()
    if filing and filing >= today:
        return filing
    return today + timedelta(days=RECTIFY_DAYS)


def _public(row: dict) -> dict:
    """A row without the drafting keys (those starting with _)."""
    return {key: value for key, value in row.items() if not key.startswith("_")}


@dataclass
class _Drafter:
    """Collects shortcomings and, for each, a next step naming the unit and when."""

    campaign: Campaign
    facts: Facts
    target: date

    def __post_init__(self) -> None:
        self.shortcomings: list[dict] = []
        self.next_steps: list[dict] = []
        self.vetoes: list[tuple] = []  # (item, area title, lead unit), found by `deductions`
        self.by_pk = {item.pk: item for item in self.facts.items}

    def add(self, *, kind: str, text: str, area: str, unit: str, step: str, due: date) -> None:
        self.shortcomings.append({"text": text, "kind": kind, "area": area, "unit": unit})
        deadline = chinese_date(due)
        self.next_steps.append(
            {"text": f"{unit}：{deadline}前{step}", "unit": unit, "deadline": deadline}
        )

    def due(self, deadline: date | None) -> date:
        """An item's own deadline if it is still ahead and comes before the target."""
        if deadline and self.facts.today <= deadline < self.target:
            return deadline
        return self.target

    def listed(self, rows: list[dict], *, kind: str, rest: str) -> None:
        for row in rows[:MAX_LISTED]:
            self.add(kind=kind, **row["_draft"])
        if len(rows) > MAX_LISTED:
            self.shortcomings.append(
                {
                    "text": rest.format(n=len(rows) - MAX_LISTED),
                    "kind": kind,
                    "area": "",
                    "unit": "",
                }
            )

    # each kind of shortcoming

    def low_completion(self, by_area: list[tuple[Area, Completion]], areas: list[dict]) -> None:
        """Areas whose approved share is under LOW_COMPLETION percent, naming the units that
        lead the items not yet approved."""
        for (where, done), area in zip(by_area, areas, strict=True):
            if done.percent is None or done.percent >= LOW_COMPLETION:
                continue
            open_items = [i for i in self.facts.items if i.area == where.key and not i.done]
            units = _ordered_names(item.lead for item in open_items)
            self.add(
                kind="进度偏慢",
                text=f"{area['title']}：{area['total']} 项任务中已通过 "
                f"{area['approved']} 项，完成率 {area['completion_text']}，进度偏慢。",
                area=area["title"],
                unit="、".join(units),
                step=f"完成“{area['title']}”中尚未通过审核的 {len(open_items)} 项任务。",
                due=self.target,
            )

    def overdue_row(self, item: ItemFact, days: int) -> dict:
        unit = _unit_name(item.lead)
        area = self.facts.area_title(item.area)
        return {
            "code": item.code,
            "title": item.title,
            "area": area,
            "unit": unit,
            "deadline": chinese_date(item.deadline),
            "days": days,
            "_draft": {
                "text": f"{item.code} {item.title}：已超过完成时限（{chinese_date(item.deadline)}）"
                f"{days} 天，仍未通过审核。",
                "area": area,
                "unit": unit,
                "step": f"补齐“{item.code} {item.title}”的佐证材料并提交审核。",
                "due": self.target,
            },
        }

    def deductions(self) -> list[dict]:
        """Every deduction of the side each indicator's estimate uses: the review's score, else
        the self-assessment."""
        rows, vetoes = [], []
        for entry in score_sheet(self.campaign):
            side = Side.REVIEW if entry["sides"][Side.REVIEW] else Side.SELF
            assessment = entry["sides"][side]
            if assessment is None:
                continue
            item = entry["item"]
            if assessment.vetoed:
                vetoes.append((item, entry["area"]))
            for deduction in assessment.deductions.all():
                rows.append(
                    {
                        "code": item.code,
                        "title": item.title,
                        "area": entry["area"],
                        "side": Side(side).label,
                        "rule": deduction.rule,
                        "reason": deduction.reason,
                        "points": plain_number(deduction.points),
                        "_item": item,
                    }
                )
        leads = self.leads({row["_item"].pk for row in rows} | {i.pk for i, _ in vetoes})
        for row in rows:
            item = row.pop("_item")
            row["unit"] = leads.get(item.pk, NO_LEAD)
            reason = row["reason"].rstrip("。；;，,. ")
            row["_draft"] = {
                "text": f"{item.code} {item.title}：{row['side']}扣 {row['points']} 分，"
                f"扣分原因：{reason}。",
                "area": row["area"],
                "unit": row["unit"],
                "step": f"针对“{reason}”补充完善“{item.code} {item.title}”的佐证材料。",
                "due": self.due(item.deadline),
            }
        self.vetoes = [(item, area, leads.get(item.pk, NO_LEAD)) for item, area in vetoes]
        return rows

    def vetoed(self) -> None:
        for item, area, unit in self.vetoes:
            self.add(
                kind="否决",
                text=f"{item.code} {item.title}：触发否决项。",
                area=area,
                unit=unit,
                step=f"查明 {item.code} 触发否决的问题并整改到位。",
                due=self.target,
            )

    def leads(self, item_ids: set[int]) -> dict[int, str]:
        """The lead unit's name of each item; indicators refined into finer items are not among
        the facts' leaves, so theirs are read."""
        names = {pk: _unit_name(self.by_pk[pk].lead) for pk in item_ids if pk in self.by_pk}
        missing = item_ids - set(names)
        if missing:
            for pk, name in Assignment.objects.filter(
                item_id__in=missing, role=AssignmentRole.LEAD
            ).values_list("item_id", "unit__name"):
                names[pk] = name
        return names

    def returned_repeatedly(self) -> list[dict]:
        """Items that the review rounds returned (退回修改 or 补充材料) more than once, counted
        from the decisions in the review history, with the latest reason."""
        returns: dict[int, list[str]] = defaultdict(list)
        for item_id, text in (
            Comment.objects.filter(
                review__item__campaign=self.campaign, verdict__in=list(RETURN_VERDICTS)
            )
            .order_by("created_at", "pk")
            .values_list("review__item_id", "text")
        ):
            returns[item_id].append(text)
        rows = []
        for item in self.facts.items:
            reasons = returns.get(item.pk, [])
            if len(reasons) < 2:
                continue
            unit, area = _unit_name(item.lead), self.facts.area_title(item.area)
            reason = reasons[-1].rstrip("。；;，,. ")
            rows.append(
                {
                    "code": item.code,
                    "title": item.title,
                    "area": area,
                    "unit": unit,
                    "times": len(reasons),
                    "reason": reasons[-1],
                    "_draft": {
                        "text": f"{item.code} {item.title}：审核中被退回 {len(reasons)} 次"
                        f"（最近一次：{reason}），材料质量有待提高。",
                        "area": area,
                        "unit": unit,
                        "step": f"对照退回意见逐项整改“{item.code} {item.title}”，重新提交审核。",
                        "due": self.due(item.deadline),
                    },
                }
            )
        return sorted(rows, key=lambda row: -row["times"])


def _ordered_names(units) -> list[str]:
    seen = {}
    for unit in units:
        seen.setdefault(unit, None)
    named = sorted((u for u in seen if u is not None), key=lambda u: u.order)
    return [u.name for u in named] + ([NO_LEAD] if None in seen else [])


# -- the written self-assessment ---------------------------------------------------------------


NO_EXPLANATION = "（尚未填写自评说明）"


@dataclass
class _Written:
    """The 自评说明 of each leaf item with its self-score, and the lead office's 亮点, 不足 and
    下一步 (`campaigns.self_assessment`), as the report's 分项自评 and its last three parts."""

    facts: Facts
    texts: dict[int, str]
    points: dict[int, tuple]  # item pk → (points, parent pk, parent code, refined)
    self_scores: dict[int, Decimal]
    record: SelfAssessment | None

    @classmethod
    def read(cls, campaign: Campaign, facts: Facts) -> _Written:
        pks = [item.pk for item in facts.items]
        rows = Item.objects.filter(pk__in=pks).values_list(
            "pk", "points", "parent_id", "parent__code", "is_refined", "explanation__text"
        )
        points, texts = {}, {}
        for pk, item_points, parent_id, parent_code, refined, text in rows:
            points[pk] = (item_points, parent_id, parent_code, refined)
            if text:
                texts[pk] = text
        scored = set(pks) | {row[1] for row in points.values() if row[1]}
        self_scores = dict(
            Assessment.objects.filter(item_id__in=scored, side=Side.SELF).values_list(
                "item_id", "score"
            )
        )
        record = SelfAssessment.objects.filter(campaign=campaign).first()
        return cls(facts, texts, points, self_scores, record)

    @property
    def explained(self) -> set[int]:
        return set(self.texts)

    def entries(self, area_key: str) -> list[dict]:
        return [self.entry(item) for item in self.facts.items if item.area == area_key]

    def entry(self, item: ItemFact) -> dict:
        points, parent_id, parent_code, refined = self.points.get(item.pk, (None, None, "", False))
        score = self.self_scores.get(item.pk)
        text = self.texts.get(item.pk, "")
        return {
            "code": item.code,
            "title": item.title,
            "area": self.facts.area_title(item.area),
            "unit": _unit_name(item.lead),
            "points": "" if points is None else plain_number(points),
            "self_score": "" if score is None else plain_number(score),
            "score_text": _score_text(points, score, parent_code if refined else ""),
            "explained": bool(text),
            "explanation": text or NO_EXPLANATION,
            "paragraphs": paragraphs(text) or [NO_EXPLANATION],
            "materials": item.evidence_count,
        }

    def lead_office_parts(self) -> dict:
        record = self.record
        by_pk = {item.pk: item for item in self.facts.items}
        chosen = [by_pk[pk] for pk in (record.highlight_item_ids if record else []) if pk in by_pk]
        highlights = record.highlights_text if record else ""
        shortfalls = record.shortfalls if record else ""
        next_steps = record.next_steps if record else ""
        return {
            "highlight_items": [self.entry(item) for item in chosen],
            "highlights_text": highlights,
            "highlights_paragraphs": paragraphs(highlights),
            "shortfalls_text": shortfalls,
            "shortfalls_paragraphs": paragraphs(shortfalls),
            "next_steps_text": next_steps,
            "next_steps_paragraphs": paragraphs(next_steps),
        }


def _score_text(points, score, parent_code: str) -> str:
    if parent_code:
        return f"计入上级指标 {parent_code} 的自评得分"
    if points is None:
        return "不计分"
    if score is None:
        return f"尚未自评，分值 {plain_number(points)} 分"
    return f"自评得分 {plain_number(score)} 分，分值 {plain_number(points)} 分"


def render_report(*, campaign: Campaign, out: IO[bytes], today: date | None = None) -> None:
    """Write the report's Word draft for `campaign` into `out`, through the template in force
    for its region (its own, the nearest region's above, or the built-in one)."""
    context = report_context(campaign=campaign, today=today or timezone.localdate())
    template = template_content(campaign.region)
    try:
        fill(template, context, out)
    except TemplateError as exc:
        raise ValidationError(f"自评报告模板无法生成报告：{template_problem(exc)}") from exc
    except Exception as exc:  # the template passed its check on the sample, not on these data
        raise ValidationError(f"自评报告模板无法生成报告：{exc}") from exc
