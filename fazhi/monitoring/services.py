"""Writes: the registry, reported figures (reported, confirmed, corrected with history), metric
bindings and their automatic scores, the annual reports' register. Each is atomic and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.core.scoping import can_write_at, is_editable
from fazhi.evidence.attachments import store_attachment
from fazhi.monitoring.models import (
    AnnualReport,
    Figure,
    FigureFile,
    FigureImport,
    FigureRevision,
    FigureStatus,
    Metric,
    MetricBinding,
)
from fazhi.monitoring.periods import parse_period
from fazhi.orgs.models import Region, Unit

MONITORING_METHOD = "监测数据"
METRIC_FIELDS = (
    "name",
    "numerator",
    "denominator",
    "source",
    "scope_text",
    "reporter",
    "period_kind",
    "direction",
    "target",
    "points",
    "deduct_per_point",
    "is_active",
)


def is_lead_office(user, region: Region) -> bool:
    """The lead office (依法治办) of `region` or of a region above it."""
    return can_write_at(user, FigureImport, region=region)


# -- the registry ---------------------------------------------------------------------------------


@transaction.atomic
def metric_save(*, acting_user, region: Region, code: str, values: dict) -> Metric:
    """Change a metric for `region` (a province, a city): its own edition is created from the
    one in force the first time, the preset above it stays as it is."""
    from fazhi.monitoring.selectors import metric_for

    if not can_write_at(acting_user, Metric, region=region):
        raise PermissionDenied("只有本地区的牵头科室可以修改监测指标。")
    current = metric_for(region, code)
    if current is None:
        raise ValidationError(f"指标代码“{code}”不存在。")
    target, points = Decimal(values["target"]), Decimal(values["points"])
    if not Decimal(0) <= target <= Decimal(100):
        raise ValidationError("目标值应在 0 至 100 之间（百分比）。")
    if points < 0 or Decimal(values["deduct_per_point"]) < 0:
        raise ValidationError("满分和扣分不能为负数。")
    before = {name: str(getattr(current, name)) for name in METRIC_FIELDS}
    if current.region_id != region.pk:
        current = Metric(region=region, code=code, position=current.position)
    for name in METRIC_FIELDS:
        setattr(current, name, values[name])
    current.save()
    audit_record(
        acting_user=acting_user,
        action="monitoring.metric_save",
        target=current,
        region=region,
        summary=f"修改监测指标“{current.name}”（{region.name}）",
        before=before,
        after={name: str(getattr(current, name)) for name in METRIC_FIELDS},
    )
    return current


# -- figures --------------------------------------------------------------------------------------


def _check_counts(numerator, denominator) -> tuple[int, int]:
    for name, value in (("分子", numerator), ("分母", denominator)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{name}应为整数（件数）。")
        if value < 0:
            raise ValidationError(f"{name}不能为负数。")
    if numerator > denominator:
        raise ValidationError(f"分子 {numerator} 不能大于分母 {denominator}。")
    return numerator, denominator


def _check_place(region: Region, unit: Unit | None, metric_code: str) -> None:
    from fazhi.monitoring.selectors import metrics_for

    if unit is not None and unit.region_id != region.pk:
        raise ValidationError(f"单位“{unit.name}”不属于{region.name}。")
    if metric_code not in {m.code for m in metrics_for(region)}:
        raise ValidationError(f"指标“{metric_code}”不在{region.name}的指标库中。")


def _current(region: Region, unit: Unit | None, metric_code: str, period: str):
    # Locked without the default ordering's joins: PostgreSQL refuses FOR UPDATE on the
    # nullable side of an outer join (the unit).
    figures = (
        Figure.objects.select_for_update(of=("self",))
        .filter(metric_code=metric_code, period=period)
        .order_by("pk")
    )
    if unit is not None:
        return figures.filter(unit=unit).first()
    return figures.filter(region=region, unit__isnull=True).first()


@transaction.atomic
def figure_put(
    *,
    acting_user,
    region: Region,
    unit: Unit | None,
    metric_code: str,
    period: str,
    numerator: int,
    denominator: int,
    source: str,
    status: str,
    source_ref: str = "",
    note: str = "",
    reason: str = "",
    audit: bool = True,
) -> tuple[Figure, bool]:
    """Report the counts of one reporter, metric and period: a new figure, or a correction of
    the one there (its old counts kept as a revision). (figure, whether a correction)."""
    period = parse_period(period)
    numerator, denominator = _check_counts(numerator, denominator)
    _check_place(region, unit, metric_code)
    if not can_write_at(acting_user, Figure, region=region, unit=unit):
        raise PermissionDenied("您无权报送该单位的监测数据。")
    figure = _current(region, unit, metric_code, period)
    confirmed = status == FigureStatus.CONFIRMED
    now = timezone.now()
    if figure is None:
        figure = Figure.objects.create(
            region=region,
            unit=unit,
            metric_code=metric_code,
            period=period,
            numerator=numerator,
            denominator=denominator,
            status=status,
            source=source,
            source_ref=source_ref,
            note=note,
            reported_by=stored_user(acting_user),
            confirmed_by=stored_user(acting_user) if confirmed else None,
            confirmed_at=now if confirmed else None,
        )
        if audit:
            _audit_report(acting_user, figure)
        return figure, False
    if (figure.numerator, figure.denominator, figure.status) == (numerator, denominator, status):
        return figure, False
    return _correct(acting_user, figure, numerator, denominator, status, reason, audit), True


def _correct(acting_user, figure: Figure, numerator, denominator, status, reason, audit):
    before = {"numerator": figure.numerator, "denominator": figure.denominator}
    FigureRevision.objects.create(
        figure=figure,
        version=figure.version,
        numerator=figure.numerator,
        denominator=figure.denominator,
        status=figure.status,
        reason=reason,
        changed_by=stored_user(acting_user),
    )
    confirmed = status == FigureStatus.CONFIRMED
    figure.numerator, figure.denominator, figure.status = numerator, denominator, status
    figure.version += 1
    figure.confirmed_by = stored_user(acting_user) if confirmed else None
    figure.confirmed_at = timezone.now() if confirmed else None
    figure.save()
    if audit:
        audit_record(
            acting_user=acting_user,
            action="monitoring.figure_correct",
            target=figure,
            region=figure.region,
            summary=f"更正监测数据：{figure.reporter_name} {figure.metric_code} {figure.period}",
            before=before,
            after={"numerator": numerator, "denominator": denominator, "reason": reason},
        )
    return figure


def _audit_report(acting_user, figure: Figure) -> None:
    audit_record(
        acting_user=acting_user,
        action="monitoring.figure_report",
        target=figure,
        region=figure.region,
        summary=f"报送监测数据：{figure.reporter_name} {figure.metric_code} {figure.period} "
        f"{figure.numerator}/{figure.denominator}",
    )


@transaction.atomic
def figure_report(
    *,
    acting_user,
    region: Region,
    unit: Unit | None,
    metric_code: str,
    period: str,
    numerator: int,
    denominator: int,
    note: str = "",
    reason: str = "",
    files=(),
) -> Figure:
    """A unit's report on the form, with its evidence files. The lead office's own report is
    confirmed at once; a unit's waits for the lead office."""
    status = (
        FigureStatus.CONFIRMED if is_lead_office(acting_user, region) else FigureStatus.SUBMITTED
    )
    figure, _ = figure_put(
        acting_user=acting_user,
        region=region,
        unit=unit,
        metric_code=metric_code,
        period=period,
        numerator=numerator,
        denominator=denominator,
        source="form",
        status=status,
        note=note,
        reason=reason or "填报更正",
    )
    for file in files:
        blob, name = store_attachment(file)
        FigureFile.objects.create(
            figure=figure, blob=blob, original_name=name, uploaded_by=stored_user(acting_user)
        )
    return figure


@transaction.atomic
def figure_confirm(*, acting_user, figure: Figure) -> Figure:
    if not is_lead_office(acting_user, figure.region):
        raise PermissionDenied("只有牵头科室可以确认监测数据。")
    if figure.status == FigureStatus.CONFIRMED:
        raise ValidationError("该数据已经确认。")
    figure.status = FigureStatus.CONFIRMED
    figure.confirmed_by = stored_user(acting_user)
    figure.confirmed_at = timezone.now()
    figure.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_record(
        acting_user=acting_user,
        action="monitoring.figure_confirm",
        target=figure,
        region=figure.region,
        summary=f"确认监测数据：{figure.reporter_name} {figure.metric_code} {figure.period}",
    )
    return figure


@transaction.atomic
def figure_correct(
    *, acting_user, figure: Figure, numerator: int, denominator: int, reason: str
) -> Figure:
    """The lead office corrects a figure; the reason is required and the old counts kept."""
    if not is_editable(acting_user, Figure, figure.pk):
        raise PermissionDenied("您无权更正该数据。")
    if not reason.strip():
        raise ValidationError("请填写更正原因。")
    status = (
        FigureStatus.CONFIRMED
        if is_lead_office(acting_user, figure.region)
        else FigureStatus.SUBMITTED
    )
    numerator, denominator = _check_counts(numerator, denominator)
    figure = Figure.objects.select_for_update(of=("self",)).order_by().get(pk=figure.pk)
    return _correct(acting_user, figure, numerator, denominator, status, reason.strip(), True)


# -- bindings and automatic scores ----------------------------------------------------------------


@transaction.atomic
def binding_save(*, acting_user, region: Region, node, metric_codes: list[str]) -> MetricBinding:
    from fazhi.monitoring.selectors import metrics_for

    if not can_write_at(acting_user, MetricBinding, region=region):
        raise PermissionDenied("只有本地区的牵头科室可以绑定监测指标。")
    if MONITORING_METHOD not in (node.evaluation_methods or []):
        raise ValidationError(f"指标 {node.code} 的评估方式不含“{MONITORING_METHOD}”，不能绑定。")
    known = {m.code for m in metrics_for(region)}
    unknown = [code for code in metric_codes if code not in known]
    if not metric_codes or unknown:
        raise ValidationError(
            f"监测指标“{'、'.join(unknown)}”不存在。" if unknown else "请至少选择一个监测指标。"
        )
    binding, _ = MetricBinding.objects.update_or_create(
        region=region,
        node=node,
        defaults={"metric_codes": metric_codes, "created_by": stored_user(acting_user)},
    )
    audit_record(
        acting_user=acting_user,
        action="monitoring.binding_save",
        target=binding,
        region=region,
        summary=f"指标 {node.code} 绑定监测指标：{'、'.join(metric_codes)}",
    )
    return binding


@dataclass
class AutoScore:
    item: object  # campaigns.Item
    score: Decimal
    detail: str


def _bound_items(campaign) -> list[tuple[object, MetricBinding]]:
    """The campaign's indicators bound to metrics, each with the binding in force (the nearest
    region's above the campaign's)."""
    bindings = MetricBinding.objects.filter(
        region__code__in=campaign.region.ancestor_codes, node__framework_id=campaign.framework_id
    ).order_by("region__depth")
    by_node = {binding.node_id: binding for binding in bindings}  # deeper regions win
    items = campaign.items.filter(node_id__in=list(by_node), is_refined=False).order_by("sort_key")
    return [(item, by_node[item.node_id]) for item in items if item.points]


def bound_scores(*, campaign) -> list[AutoScore]:
    """What each bound indicator of the campaign scores from its metrics over the campaign
    period: its points × the share of those metrics' points the campaign's region earned."""
    from fazhi.monitoring.computing import format_rate, lines_for
    from fazhi.monitoring.periods import quarters_between
    from fazhi.monitoring.selectors import metrics_for, subtree_counts

    bound = _bound_items(campaign)
    if not bound:
        return []
    quarters = quarters_between(campaign.period_start, campaign.period_end)
    counts = subtree_counts(campaign.region, quarters)[campaign.region.path]
    metrics = {m.code: m for m in metrics_for(campaign.region)}
    results = []
    for item, binding in bound:
        lines = lines_for([metrics[c] for c in binding.metric_codes if c in metrics], counts)
        full = sum((line.metric.points for line in lines), Decimal(0))
        earned = sum((line.points for line in lines), Decimal(0))
        score = (item.points * earned / full).quantize(Decimal("0.01")) if full else Decimal(0)
        detail = "；".join(
            f"{line.metric.name} {line.count.numerator}/{line.count.denominator}"
            f"={format_rate(line.rate)}，得 {line.points}/{line.metric.points} 分"
            for line in lines
        )
        results.append(AutoScore(item, score, detail))
    return results


def bound_scores_apply(*, acting_user, campaign) -> list[AutoScore]:
    """Write each bound indicator's computed score as its 自评 through the reviews app's own
    scoring service, marked 自动评分 so that the score sheet shows where it came from."""
    from fazhi.reviews.selectors import assessment_of
    from fazhi.reviews.services import DeductionEntry, assessment_save

    scores = bound_scores(campaign=campaign)
    with transaction.atomic():
        for found in scores:
            current = assessment_of(found.item, "self")
            lost = found.item.points - found.score
            deductions = (
                [DeductionEntry(rule="监测数据", reason=found.detail[:500], points=lost)]
                if lost > 0
                else []
            )
            assessment_save(
                acting_user=acting_user,
                item=found.item,
                side="self",
                deductions=deductions,
                version=current.version if current else None,
                note=f"{AUTO_NOTE}：{found.detail}",
            )
        audit_record(
            acting_user=acting_user,
            action="monitoring.auto_score",
            target=campaign,
            region=campaign.region,
            summary=f"按监测数据自动评分 {len(scores)} 项",
        )
    return scores


AUTO_NOTE = "自动评分（监测数据）"


# -- the annual reports' register -----------------------------------------------------------------


@transaction.atomic
def annual_report_save(
    *,
    acting_user,
    region: Region,
    unit: Unit | None,
    year: int,
    submitted_on: date | None,
    secrecy_reviewed_on: date | None,
    published_on: date | None,
    published_url: str,
    note: str = "",
) -> AnnualReport:
    if unit is not None and unit.region_id != region.pk:
        raise ValidationError(f"单位“{unit.name}”不属于{region.name}。")
    if not can_write_at(acting_user, AnnualReport, region=region, unit=unit):
        raise PermissionDenied("您无权登记该单位的年度报告。")
    if published_on and not published_url.strip():
        raise ValidationError("已公开的报告请填写公开地址（网址）。")
    if published_on and not secrecy_reviewed_on:
        raise ValidationError("公开前须完成保密审查，请填写保密审查日期。")
    if published_url and not published_url.startswith(("http://", "https://")):
        raise ValidationError("公开地址应以 http:// 或 https:// 开头。")
    report, created = AnnualReport.objects.update_or_create(
        region=region,
        unit=unit,
        year=year,
        defaults={
            "submitted_on": submitted_on,
            "secrecy_reviewed_on": secrecy_reviewed_on,
            "published_on": published_on,
            "published_url": published_url.strip(),
            "note": note,
            "updated_by": stored_user(acting_user),
        },
    )
    audit_record(
        acting_user=acting_user,
        action="monitoring.annual_report_save",
        target=report,
        region=region,
        summary=f"登记{report}：报送 {submitted_on or '—'}，保密审查 {secrecy_reviewed_on or '—'}，"
        f"公开 {published_on or '—'}",
    )
    return report
