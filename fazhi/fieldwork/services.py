"""Writes on the province's evaluation: creating it and its weights, taking applicant campaigns
and outside evaluators on, and entering or importing the field and survey scores."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fazhi.accounts.audit import audit_record, audit_update, snapshot
from fazhi.campaigns.models import Campaign
from fazhi.core.scoping import Scope, can_write_at
from fazhi.fieldwork.models import Applicant, Evaluation, Evaluator
from fazhi.frameworks.tree import format_points
from fazhi.orgs.models import Region, RegionLevel
from fazhi.reviews import services as review_services
from fazhi.reviews.models import GrantPurpose
from fazhi.reviews.services import ConflictError

ORGANISER_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY)
SCORE_LABELS = {"field_score": "实地评估得分", "survey_score": "满意度测评得分"}
WEIGHT_FIELDS = ("written_weight", "field_weight", "survey_weight")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


# -- evaluations -----------------------------------------------------------------------------


def _check_weights(written: int, field: int, survey: int) -> None:
    for name, value in zip(WEIGHT_FIELDS, (written, field, survey), strict=True):
        if value is None or not 0 <= value <= 100:
            raise ValidationError({name: "权重应为 0–100 之间的整数（百分比）。"})
    if written + field + survey != 100:
        raise ValidationError(
            {
                "written_weight": (
                    f"三项权重之和应为 100%，现在是 {written + field + survey}%"
                    f"（书面评审 {written}% + 实地评估 {field}% + 满意度测评 {survey}%）。"
                )
            }
        )


def _check_name(name: str) -> str:
    if not name or not name.strip():
        raise ValidationError(
            {"name": "请填写评估名称，例如“2025年度全省法治政府建设示范创建评估”。"}
        )
    return name.strip()


def _check_owner(acting_user, evaluation: Evaluation) -> None:
    if not Evaluation.objects.editable_by(acting_user).filter(pk=evaluation.pk).exists():
        raise PermissionDenied("只有组织本次评估的依法治办可以修改评估设置。")


@transaction.atomic
def evaluation_create(
    *,
    acting_user,
    region: Region,
    name: str,
    written_weight: int = 50,
    field_weight: int = 30,
    survey_weight: int = 20,
    description: str = "",
) -> Evaluation:
    """A province's or city's evaluation of the campaigns below it."""
    if not can_write_at(acting_user, Evaluation, region=region):
        raise PermissionDenied(f"您无权为{region}组织评估。")
    if region.level not in ORGANISER_LEVELS:
        raise ValidationError({"region": "评估由省、市两级依法治办组织，请选择省或市。"})
    name = _check_name(name)
    _check_weights(written_weight, field_weight, survey_weight)
    evaluation = Evaluation.objects.create(
        region=region,
        name=name,
        description=description.strip(),
        written_weight=written_weight,
        field_weight=field_weight,
        survey_weight=survey_weight,
        created_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        action="evaluation.create",
        target=evaluation,
        region=region,
        after=snapshot(evaluation, ["name", *WEIGHT_FIELDS]),
    )
    return evaluation


@transaction.atomic
def evaluation_update(
    *,
    acting_user,
    evaluation: Evaluation,
    name: str,
    written_weight: int,
    field_weight: int,
    survey_weight: int,
    description: str = "",
) -> Evaluation:
    """Rename the evaluation or change its weights; the ranking follows at once."""
    _check_owner(acting_user, evaluation)
    name = _check_name(name)
    _check_weights(written_weight, field_weight, survey_weight)
    before = snapshot(evaluation, ["name", "description", *WEIGHT_FIELDS])
    evaluation.name = name
    evaluation.description = description.strip()
    evaluation.written_weight = written_weight
    evaluation.field_weight = field_weight
    evaluation.survey_weight = survey_weight
    evaluation.save(update_fields=["name", "description", *WEIGHT_FIELDS])
    audit_update(
        acting_user=acting_user,
        action="evaluation.update",
        target=evaluation,
        before=before,
        region=evaluation.region,
    )
    return evaluation


# -- applicants ------------------------------------------------------------------------------


def in_evaluation_region(evaluation: Evaluation, campaign: Campaign) -> bool:
    """Applicants sit strictly below the office that evaluates them: an office does not
    evaluate its own campaign (its superior does)."""
    path, own = campaign.region.path, evaluation.region.path
    return path.startswith(own) and path != own


def _grant_evaluators(acting_user, evaluation: Evaluation, campaigns: Iterable[Campaign]) -> None:
    users = [seat.user for seat in evaluation.evaluators.select_related("user")]
    for campaign in campaigns:
        for user in users:
            review_services.campaign_grant(
                acting_user=acting_user,
                campaign=campaign,
                user=user,
                purpose=GrantPurpose.EVALUATION,
            )


@transaction.atomic
def applicants_add(
    *, acting_user, evaluation: Evaluation, campaigns: Iterable[Campaign]
) -> list[Applicant]:
    """Take campaigns on as applicants; those already on the list are left as they are. The
    evaluation's evaluators are granted the new campaigns at once."""
    _check_owner(acting_user, evaluation)
    campaigns = list(campaigns)
    if not campaigns:
        raise ValidationError({"campaigns": "请至少选择一个申报的创建活动。"})
    visible = set(
        Campaign.objects.visible_to(acting_user)
        .filter(pk__in=[c.pk for c in campaigns])
        .values_list("pk", flat=True)
    )
    problems = []
    for campaign in campaigns:
        if campaign.pk not in visible or not in_evaluation_region(evaluation, campaign):
            problems.append(
                f"“{campaign}”（{campaign.region}）不在本评估的范围（{evaluation.region}以下）内。"
            )
    if problems:
        raise ValidationError({"campaigns": problems})
    present = set(evaluation.applicants.values_list("campaign_id", flat=True))
    fresh = list({c.pk: c for c in campaigns if c.pk not in present}.values())
    # Two offices adding the same campaign at once: the second insert is skipped, not a crash.
    Applicant.objects.bulk_create(
        (Applicant(evaluation=evaluation, campaign=campaign) for campaign in fresh),
        ignore_conflicts=True,
    )
    added = list(evaluation.applicants.filter(campaign__in=fresh))
    _grant_evaluators(acting_user, evaluation, fresh)
    if fresh:
        audit_record(
            acting_user=acting_user,
            action="evaluation.applicants_add",
            target=evaluation,
            region=evaluation.region,
            after={"campaigns": [f"{c.region}：{c.name}" for c in fresh]},
        )
    return added


@transaction.atomic
def applicant_remove(*, acting_user, applicant: Applicant) -> None:
    """Take a campaign off the list, with the field and survey scores entered for it. The
    written scores stay with the campaign's items."""
    evaluation = applicant.evaluation
    _check_owner(acting_user, evaluation)
    audit_record(
        acting_user=acting_user,
        action="evaluation.applicant_remove",
        target=evaluation,
        region=evaluation.region,
        before={
            "campaign": str(applicant.campaign),
            "field_score": applicant.field_score,
            "survey_score": applicant.survey_score,
        },
    )
    applicant.delete()
    _revoke_unused_grants(acting_user, evaluation, applicant.campaign)


def _revoke_unused_grants(acting_user, evaluation: Evaluation, campaign: Campaign) -> None:
    """The evaluation's evaluators lose the campaign unless another evaluation they sit on
    still has it among its applicants."""
    elsewhere = set(
        Evaluator.objects.filter(evaluation__applicants__campaign=campaign).values_list(
            "user_id", flat=True
        )
    )
    leaving = [
        seat.user
        for seat in evaluation.evaluators.select_related("user")
        if seat.user_id not in elsewhere
    ]
    review_services.campaign_grant_revoke(
        acting_user=acting_user, campaign=campaign, users=leaving, purpose=GrantPurpose.EVALUATION
    )


# -- evaluators ------------------------------------------------------------------------------


@transaction.atomic
def evaluator_grant(*, acting_user, evaluation: Evaluation, user) -> Evaluator:
    """Take an expert or third-party evaluator account on: it may read every applicant campaign
    and give the written review (书面评审), now and for applicants added later."""
    _check_owner(acting_user, evaluation)
    scope = Scope.for_user(user)
    if not user.is_active or "expert" not in scope.roles:
        raise ValidationError(
            {
                "user": (
                    f"{user} 不是评审专家账号。第三方评估机构和外聘专家请以“评审专家”角色建账号；"
                    "本级依法治办和审核员无需授权即可书面评审。"
                )
            }
        )
    seat, created = Evaluator.objects.get_or_create(
        evaluation=evaluation, user=user, defaults={"granted_by": acting_user}
    )
    campaigns = Campaign.objects.filter(applications__evaluation=evaluation).select_related(
        "region"
    )
    for campaign in campaigns:
        review_services.campaign_grant(
            acting_user=acting_user,
            campaign=campaign,
            user=user,
            purpose=GrantPurpose.EVALUATION,
        )
    if created:
        audit_record(
            acting_user=acting_user,
            action="evaluation.evaluator_grant",
            target=evaluation,
            region=evaluation.region,
            after={"user": user.username, "campaigns": len(campaigns)},
        )
    return seat


# -- scores ----------------------------------------------------------------------------------


def parse_score(value, label: str) -> Decimal | None:
    """A score out of 100 as typed or read from a cell: empty is None; "88.5分" is 88.5. The
    message names the value and the bounds; the caller adds where it came from."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError(f"“{label}”：{value} 不是数字")
    text = str(value).strip().removesuffix("分").strip()
    try:
        score = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"“{label}”：“{value}”不是数字") from exc
    if not score.is_finite():
        raise ValidationError(f"“{label}”：“{value}”不是数字")
    if not 0 <= score <= HUNDRED:
        raise ValidationError(f"“{label}”：{format_points(score)} 超出 0–100")
    return score.quantize(CENT, rounding=ROUND_HALF_UP)


def _score_conflict(applicant: Applicant) -> ConflictError:
    current = Applicant.objects.select_related("updated_by", "campaign__region").get(
        pk=applicant.pk
    )
    who = current.updated_by or "其他人"
    when = timezone.localtime(current.updated_at or timezone.now()).strftime("%m-%d %H:%M")
    shown = "、".join(
        f"{label} {format_points(value) if value is not None else '未填'}"
        for label, value in (
            ("实地评估", current.field_score),
            ("满意度测评", current.survey_score),
        )
    )
    return ConflictError(
        f"{current.campaign.region}的得分已由 {who} 于 {when} 改为{shown}，您的修改没有保存。"
        "请刷新页面查看后再提交。"
    )


def _computed_note(evaluation: Evaluation) -> str:
    parts = "、".join(str(part) for part in evaluation.field_parts.all())
    return f"实地评估得分由各组成部分（{parts}）按权重计算，请分项录入，不能直接填写。"


def may_enter_scores(user, evaluation: Evaluation) -> bool:
    """The same rule as `Applicant.objects.editable_by`, asked of the evaluation as a whole."""
    return can_write_at(user, Applicant, region=evaluation.region)


@transaction.atomic
def applicant_scores_save(
    *,
    acting_user,
    applicant: Applicant,
    field_score,
    survey_score,
    version: int,
    note: str | None = None,
) -> Applicant:
    """Enter or correct an applicant's field and survey scores (0–100, empty for not yet).
    `version` is the version the user saw; a save by someone else in between is refused."""
    if not Applicant.objects.editable_by(acting_user).filter(pk=applicant.pk).exists():
        raise PermissionDenied("您可以查看但无权录入本次评估的得分。")
    errors = {}
    values = {}
    for name, value in (("field_score", field_score), ("survey_score", survey_score)):
        try:
            values[name] = parse_score(value, SCORE_LABELS[name])
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    if applicant.evaluation.field_parts.exists():
        # Computed from the parts: a blank or unchanged value passes, another is refused.
        if values["field_score"] not in (None, applicant.field_score):
            raise ValidationError({"field_score": _computed_note(applicant.evaluation)})
        del values["field_score"]
    if note is not None:
        values["note"] = note.strip()
    before = snapshot(applicant, list(values))
    updated = Applicant.objects.filter(pk=applicant.pk, version=version).update(
        version=F("version") + 1, updated_by=acting_user, updated_at=timezone.now(), **values
    )
    if not updated:  # conditional on the version: SQLite has no row locks, the write must lose
        raise _score_conflict(applicant)
    applicant.refresh_from_db()
    audit_update(
        acting_user=acting_user,
        action="evaluation.scores",
        target=applicant,
        before=before,
        region=applicant.evaluation.region,
    )
    return applicant


@transaction.atomic
def applicant_scores_import(*, acting_user, evaluation: Evaluation, upload) -> int:
    """Read field and survey scores from an Excel/CSV table (see fieldwork.importing) and store
    them all, or nothing: any bad row refuses the whole file with every problem listed by row
    and column. A blank cell leaves the score as it is. Returns how many applicants changed."""
    from fazhi.fieldwork.importing import parse_scores_file

    if not may_enter_scores(acting_user, evaluation):
        raise PermissionDenied("您可以查看但无权录入本次评估的得分。")
    applicants = list(evaluation.applicants.select_related("campaign__region__parent"))
    report = parse_scores_file(upload, evaluation=evaluation, applicants=applicants)
    if evaluation.field_parts.exists():
        report.errors += [
            f"第 {row.row} 行：{_computed_note(evaluation)}"
            for row in report.rows
            if row.values.get("field_score") is not None
            and row.values["field_score"] != row.applicant.field_score
        ]
    if report.errors:
        raise ValidationError(report.errors)
    now = timezone.now()
    changed = []
    for row in report.rows:
        applicant = row.applicant
        values = {name: value for name, value in row.values.items() if value is not None}
        if all(getattr(applicant, name) == value for name, value in values.items()):
            continue
        Applicant.objects.filter(pk=applicant.pk).update(
            version=F("version") + 1, updated_by=acting_user, updated_at=now, **values
        )
        changed.append({"campaign": str(applicant.campaign), "row": row.row, **values})
    audit_record(
        acting_user=acting_user,
        action="evaluation.scores_import",
        target=evaluation,
        region=evaluation.region,
        summary=f"从 {upload.name} 导入得分，更新 {len(changed)} 个申报对象",
        after={"changed": changed},
    )
    return len(changed)
