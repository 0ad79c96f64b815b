"""The field evaluation (实地评估) in parts: the organising office names the parts and their
weights (法治能力测试 30%, 案卷评查 40%, 实地核查 30% …); each applicant's part scores are typed
or taken from a test, a case-file review or another app (`field_score_feed`), and its field
score is computed from them — Σ weight × score ÷ 100, once every part has a score — never
typed. An evaluation without parts keeps the one typed field score."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.fieldwork.models import Applicant, Evaluation, FieldPart, FieldPartScore
from fazhi.fieldwork.services import (
    CENT,
    HUNDRED,
    _check_owner,
    applicant_scores_save,
    parse_score,
)

MAX_PARTS = 8


def _checked_parts(parts: list[tuple[str, object]]) -> list[tuple[str, int]]:
    checked, seen, errors = [], set(), []
    for number, (name, weight) in enumerate(parts, start=1):
        name = (name or "").strip()
        if not name and weight in (None, ""):
            continue  # an empty row of the form
        if not name:
            errors.append(f"第 {number} 行：请填写组成部分的名称。")
            continue
        if name in seen:
            errors.append(f"第 {number} 行：“{name}”重复。")
        seen.add(name)
        try:
            value = int(str(weight).strip())
        except ValueError:
            errors.append(f"第 {number} 行：“{name}”的权重“{weight}”应为 1–100 的整数。")
            continue
        if not 1 <= value <= 100:
            errors.append(f"第 {number} 行：“{name}”的权重 {value}% 应在 1–100 之间。")
        checked.append((name[:50], value))
    if len(checked) > MAX_PARTS:
        errors.append(f"最多 {MAX_PARTS} 个组成部分。")
    total = sum(weight for _, weight in checked)
    if checked and not errors and total != 100:
        shown = " + ".join(f"{name} {weight}%" for name, weight in checked)
        errors.append(f"各组成部分的权重之和应为 100%，现在是 {total}%（{shown}）。")
    if errors:
        raise ValidationError(errors)
    return checked


@transaction.atomic
def field_parts_save(
    *, acting_user, evaluation: Evaluation, parts: list[tuple[str, object]]
) -> list[FieldPart]:
    """Set the parts, in order. A part kept by name keeps its scores; a part left out loses
    them; no parts at all returns the evaluation to one typed field score. Every applicant's
    field score is computed again at once."""
    _check_owner(acting_user, evaluation)
    wanted = _checked_parts(parts)
    current = {part.name: part for part in evaluation.field_parts.all()}
    before = [f"{part.name} {part.weight}%" for part in current.values()]
    dropped = [part for name, part in current.items() if name not in dict(wanted)]
    FieldPart.objects.filter(pk__in=[part.pk for part in dropped]).delete()
    kept = []
    for position, (name, weight) in enumerate(wanted):
        part = current.get(name) or FieldPart(evaluation=evaluation, name=name)
        part.weight, part.position = weight, position
        part.save()
        kept.append(part)
    for applicant in evaluation.applicants.select_for_update().order_by("pk"):
        _recompute(applicant, acting_user=acting_user)
    audit_record(
        acting_user=acting_user,
        action="evaluation.field_parts",
        target=evaluation,
        region=evaluation.region,
        summary="实地评估组成部分：" + ("、".join(str(p) for p in kept) or "不分项"),
        before={"parts": before},
        after={"parts": [f"{name} {weight}%" for name, weight in wanted]},
    )
    return kept


def computed_field_score(applicant: Applicant) -> Decimal | None:
    """Σ weight × score ÷ 100 over the evaluation's parts, or None while a part has no score."""
    parts = list(applicant.evaluation.field_parts.all())
    scores = {s.part_id: s.score for s in FieldPartScore.objects.filter(applicant=applicant)}
    if not parts or any(part.pk not in scores for part in parts):
        return None
    total = sum((part.weight * scores[part.pk] for part in parts), Decimal(0))
    return (total / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def _recompute(applicant: Applicant, *, acting_user) -> None:
    if not applicant.evaluation.field_parts.exists():
        return
    value = computed_field_score(applicant)
    if value == applicant.field_score:
        return
    Applicant.objects.filter(pk=applicant.pk).update(
        field_score=value,
        version=F("version") + 1,
        updated_by=acting_user,
        updated_at=timezone.now(),
    )
    applicant.refresh_from_db()


@transaction.atomic
def field_part_score_save(
    *, acting_user, applicant: Applicant, part: FieldPart, score, source: str = ""
) -> FieldPartScore | None:
    """Enter or correct one part score (empty removes it); the field score follows."""
    if not Applicant.objects.editable_by(acting_user).filter(pk=applicant.pk).exists():
        raise PermissionDenied("您可以查看但无权录入本次评估的得分。")
    if part.evaluation_id != applicant.evaluation_id:
        raise ValidationError("该组成部分不属于本次评估。")
    value = parse_score(score, part.name)
    # Two parts saved at once must not each compute the field score from half the parts.
    Applicant.objects.select_for_update().get(pk=applicant.pk)
    old = FieldPartScore.objects.filter(applicant=applicant, part=part).first()
    saved = None
    if value is None:
        FieldPartScore.objects.filter(applicant=applicant, part=part).delete()
    else:
        saved, _ = FieldPartScore.objects.update_or_create(
            applicant=applicant,
            part=part,
            defaults={"score": value, "source": source[:200], "updated_by": acting_user},
        )
    _recompute(applicant, acting_user=acting_user)
    audit_record(
        acting_user=acting_user,
        action="evaluation.field_part_score",
        target=applicant,
        region=applicant.evaluation.region,
        summary=f"{applicant.campaign.region} {part.name}："
        + (f"{value}" if value is not None else "清空")
        + (f"（{source}）" if source else ""),
        before={"score": old.score if old else None},
        after={"score": value, "field_score": applicant.field_score},
    )
    return saved


def field_score_feed(*, acting_user, applicant: Applicant, value, source: str, part=None):
    """A score another app computed (a test's mean, a case-file review's mean) entered for an
    applicant: into `part` when the evaluation has parts (then a part must be named), else as
    its field score. The evaluation's own rules decide who may."""
    if applicant.evaluation.field_parts.exists():
        if part is None:
            names = "、".join(p.name for p in applicant.evaluation.field_parts.all())
            raise ValidationError(f"本次评估的实地评估分为{names}，请选择计入哪一部分。")
        return field_part_score_save(
            acting_user=acting_user, applicant=applicant, part=part, score=value, source=source
        )
    return applicant_scores_save(
        acting_user=acting_user,
        applicant=applicant,
        field_score=str(value),
        survey_score=applicant.survey_score,
        version=applicant.version,
    )
