"""Writes on reviews: opening and closing rounds, verdicts with comments tied to files, the unit's
resubmission, and scores with their deductions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.campaigns import services as campaign_services
from fazhi.campaigns import stages
from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.campaigns.selectors import area_key
from fazhi.core.scoping import REGION_WIDE_ROLES, Scope, is_editable
from fazhi.evidence.models import Evidence
from fazhi.filing.freeze import check_not_submitted
from fazhi.frameworks.models import Node
from fazhi.frameworks.tree import format_points
from fazhi.reviews.models import (
    RETURN_VERDICTS,
    Assessment,
    CampaignGrant,
    Comment,
    Deduction,
    GrantPurpose,
    Review,
    Round,
    RoundReviewer,
    RoundScope,
    RoundStatus,
    Side,
    Verdict,
)
from fazhi.reviews.selectors import round_verdict_counts

REVIEWER_ROLES = ("admin", "lead_admin", "reviewer", "expert")
SUPERIOR_ROLES = ("lead_admin", "reviewer")


class ConflictError(ValidationError):
    """Somebody else saved the same row since the user loaded it."""


def _check_owner(user, campaign: Campaign) -> None:
    if not is_editable(user, Campaign, campaign.pk):
        raise PermissionDenied("只有创建活动的牵头科室可以管理审核轮次。")


# -- grants ----------------------------------------------------------------------------------


def campaign_grant(*, acting_user, campaign: Campaign, user, purpose: str) -> CampaignGrant:
    """Let `user` read `campaign` for `purpose`; granting twice changes nothing."""
    grant, created = CampaignGrant.objects.get_or_create(
        campaign=campaign, user=user, purpose=purpose, defaults={"granted_by": acting_user}
    )
    if created:
        audit_record(
            acting_user=acting_user,
            action="campaign.grant",
            target=campaign,
            region=campaign.region,
            after={"user": user.username, "purpose": purpose},
        )
    return grant


def campaign_grant_revoke(*, acting_user, campaign: Campaign, users, purpose: str) -> int:
    """Take back what `campaign_grant` gave these users for `purpose`; a grant for another
    purpose (a review round, say) stays."""
    users = list(users)
    deleted, _ = CampaignGrant.objects.filter(
        campaign=campaign, user__in=users, purpose=purpose
    ).delete()
    if deleted:
        audit_record(
            acting_user=acting_user,
            action="campaign.grant_revoke",
            target=campaign,
            region=campaign.region,
            before={"users": [user.username for user in users], "purpose": purpose},
        )
    return deleted


# -- rounds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerSeat:
    """A reviewer named for a round and the areas (top-level nodes) given to them."""

    user: object
    areas: tuple[Node, ...] = ()


def _check_reviewer(campaign: Campaign, seat: ReviewerSeat) -> None:
    scope = Scope.for_user(seat.user)
    if not seat.user.is_active or not scope.has_role(*REVIEWER_ROLES):
        raise ValidationError(
            {"reviewers": f"{seat.user} 不是审核员或评审专家，不能担任本轮审核人。"}
        )
    foreign = [area for area in seat.areas if area.framework_id != campaign.framework_id]
    if foreign or any(area.parent_id for area in seat.areas):
        raise ValidationError({"reviewers": f"分给 {seat.user} 的领域不是本指标体系的一级指标。"})


@transaction.atomic
def round_open(
    *,
    acting_user,
    campaign: Campaign,
    name: str,
    scope: str,
    starts_on: date,
    ends_on: date,
    reviewers: list[ReviewerSeat],
) -> Round:
    """Open round N over all items units work on, or over those returned so far. Outside
    experts among the reviewers are granted the campaign for the round's work."""
    _check_owner(acting_user, campaign)
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one opener at a time
    if campaign.rounds.filter(status=RoundStatus.OPEN).exists():
        raise ValidationError("上一轮审核尚未结束，请先结束它再开启新一轮。")
    stages.check_open(campaign, "round")  # rounds belong to 自查
    if not name.strip():
        raise ValidationError({"name": "请填写本轮名称，例如“内部审核”或“第二轮筛查”。"})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "截止日期不能早于开始日期。"})
    if not reviewers:
        raise ValidationError({"reviewers": "请至少指定一名审核人。"})
    for seat in reviewers:
        _check_reviewer(campaign, seat)
    items = campaign.items.filter(children__isnull=True)
    if scope == RoundScope.RETURNED:
        items = items.filter(status=ItemStatus.RETURNED)
    item_ids = list(items.values_list("pk", flat=True))
    if not item_ids:
        raise ValidationError("没有需要本轮审核的任务项（所选范围内没有任务项）。")
    number = (campaign.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round_ = Round.objects.create(
        campaign=campaign,
        number=number,
        name=name.strip(),
        scope=scope,
        starts_on=starts_on,
        ends_on=ends_on,
        opened_by=acting_user,
    )
    Review.objects.bulk_create(Review(round=round_, item_id=pk) for pk in item_ids)
    for seat in reviewers:
        RoundReviewer.objects.create(round=round_, user=seat.user).areas.set(seat.areas)
        if "expert" in Scope.for_user(seat.user).roles:
            campaign_grant(
                acting_user=acting_user,
                campaign=campaign,
                user=seat.user,
                purpose=GrantPurpose.ROUND,
            )
    audit_record(
        acting_user=acting_user,
        action="round.open",
        target=round_,
        region=campaign.region,
        after={"items": len(item_ids), "reviewers": [seat.user.username for seat in reviewers]},
    )
    return round_


@transaction.atomic
def round_close(*, acting_user, round_: Round) -> Round:
    """Close the round in one transaction: its verdict counts are frozen into `summary`, and no
    decision can land on it afterwards (decisions lock the round row too)."""
    _check_owner(acting_user, round_.campaign)
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.status != RoundStatus.OPEN:
        raise ValidationError(f"{locked} 已经结束。")
    locked.summary = round_verdict_counts(locked)
    locked.status = RoundStatus.CLOSED
    locked.closed_by = acting_user
    locked.closed_at = timezone.now()
    locked.save(update_fields=["summary", "status", "closed_by", "closed_at"])
    audit_record(
        acting_user=acting_user,
        action="round.close",
        target=locked,
        region=locked.campaign.region,
        after=locked.summary,
    )
    return locked


# -- verdicts --------------------------------------------------------------------------------


def reviewer_areas(user, round_: Round) -> set[str] | None:
    """The area keys `user` judges in the round: None for all areas, an empty set for none."""
    seat = next((s for s in round_.reviewers.all() if s.user_id == user.pk), None)
    if seat is None:
        return None if is_editable(user, Campaign, round_.campaign_id) else set()
    keys = {area_key(area.sort_key) for area in seat.areas.all()}
    return keys or None


def in_reviewer_areas(user, round_: Round, item: Item) -> bool:
    """The one area rule of a round, for verdicts and scores alike: a reviewer named for some
    areas (一级指标) judges and scores only the items of those areas."""
    areas = reviewer_areas(user, round_)
    return areas is None or area_key(item.sort_key) in areas


def may_decide(user, review: Review) -> bool:
    return review.round.is_open and in_reviewer_areas(user, review.round, review.item)


def _conflict(review: Review) -> ConflictError:
    current = Review.objects.select_related("reviewer").get(pk=review.pk)
    who = current.reviewer or "其他审核人"
    when = timezone.localtime(current.decided_at or timezone.now()).strftime("%H:%M")
    return ConflictError(
        f"{review.item.code} 已由 {who} 于 {when} 改为“{current.get_verdict_display()}”，"
        "您的意见没有保存。请刷新页面查看后再提交。"
    )


def _check_file_notes(item: Item, file_notes: dict[int, str]) -> dict[int, str]:
    notes = {int(pk): text.strip() for pk, text in file_notes.items() if text and text.strip()}
    known = set(Evidence.objects.filter(item=item, pk__in=notes).values_list("pk", flat=True))
    if unknown := set(notes) - known:
        raise ValidationError(f"意见所指的材料不属于 {item.code}：{sorted(unknown)}")
    return notes


@transaction.atomic
def review_decide(
    *,
    acting_user,
    review: Review,
    verdict: str,
    comment: str,
    version: int,
    file_notes: dict[int, str] | None = None,
) -> Review:
    """通过 approves the item; 退回修改 and 补充材料 return it to its units with the comment as
    the reason. `version` is the review's version the reviewer saw."""
    round_ = Round.objects.select_for_update().get(pk=review.round_id)  # waits for a closing
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(f"{round_} 已经结束，不能再提交审核意见。")
    review.round = round_
    if not may_decide(acting_user, review):
        raise PermissionDenied("您不是本轮该领域的审核人。")
    if verdict not in {Verdict.PASS, *RETURN_VERDICTS}:
        raise ValidationError({"verdict": "请选择“通过”“退回修改”或“补充材料”。"})
    comment = comment.strip()
    if verdict in RETURN_VERDICTS and not comment:
        raise ValidationError({"comment": "退回或要求补充材料时，请写明原因。"})
    if not Review.objects.select_for_update().filter(pk=review.pk, version=version).exists():
        raise _conflict(review)
    item = Item.objects.get(pk=review.item_id)
    if item.status != ItemStatus.SUBMITTED:
        raise ValidationError(
            f"{item.code} 当前为“{item.get_status_display()}”，待单位提交后才能审核。"
        )
    notes = _check_file_notes(item, file_notes or {})
    # Conditional again: SQLite has no row locks, so the write itself must lose the race.
    updated = Review.objects.filter(pk=review.pk, version=version).update(
        verdict=verdict,
        reviewer=acting_user,
        decided_at=timezone.now(),
        version=F("version") + 1,
    )
    if not updated:
        raise _conflict(review)
    review.refresh_from_db()
    author = {"author": acting_user, "author_name": str(acting_user)}
    Comment.objects.create(review=review, verdict=verdict, text=comment or "通过", **author)
    for evidence_id, text in notes.items():
        Comment.objects.create(review=review, evidence_id=evidence_id, text=text, **author)
    if verdict == Verdict.PASS:
        campaign_services.mark_approved(item=item, acting_user=acting_user)
    else:
        reason = comment if verdict == Verdict.REVISE else f"【补充材料】{comment}"
        campaign_services.mark_returned(item=item, reason=reason, acting_user=acting_user)
    audit_record(
        acting_user=acting_user,
        action="review.decide",
        target=item,
        region=round_.campaign.region,
        after={"round": round_.number, "verdict": verdict, "comment": comment},
    )
    return review


def review_resubmitted(*, item: Item, acting_user, note: str = "") -> Review | None:
    """When a unit resubmits a returned item, its review in the open round waits again, with
    the unit's answer in the history. Called by `item_submit`, inside its transaction."""
    review = (
        Review.objects.filter(item=item, round__status=RoundStatus.OPEN)
        .select_related("round")
        .first()
    )
    if review is None:
        return None
    Review.objects.filter(pk=review.pk).update(
        verdict=Verdict.PENDING, resubmitted_at=timezone.now(), version=F("version") + 1
    )
    if review.verdict in RETURN_VERDICTS or note:
        Comment.objects.create(
            review=review,
            author=acting_user,
            author_name=str(acting_user),
            text=note.strip() or "已按意见整改，重新提交。",
        )
    review.refresh_from_db()
    return review


# -- scores ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeductionEntry:
    rule: str
    reason: str
    points: object  # as typed: text or number, checked by `_deductions`


def is_superior(user, campaign: Campaign) -> bool:
    """A lead office or reviewer of a region above the campaign's (the city or province)."""
    scope = Scope.for_user(user)
    return scope.has_role(*SUPERIOR_ROLES) and _above(scope, campaign)


def _granted(user, campaign: Campaign, purpose: str) -> bool:
    return CampaignGrant.objects.filter(campaign=campaign, user=user, purpose=purpose).exists()


_UNREAD = object()


def may_assess(
    user, item: Item, side: str, *, open_review=_UNREAD, may_submit: bool | None = None
) -> bool:
    """Whether `user` may give the item's score on `side`. The item page has already read the
    item's review in its open round (`open_review`, or None) and asked whether the user may
    submit the item (`may_submit`), and passes them rather than have them read again."""
    campaign = item.campaign
    scope = Scope.for_user(user)
    if scope.is_everything:
        return True
    if side == Side.SELF:
        return campaign_services.may_submit(user, item) if may_submit is None else may_submit
    if side == Side.REVIEW:
        review = _open_review_with_seats(item) if open_review is _UNREAD else open_review
        if review is not None and any(s.user_id == user.pk for s in review.round.reviewers.all()):
            # Named reviewer of the open round: the round's areas bind the score as the verdict.
            return in_reviewer_areas(user, review.round, item)
        return scope.has_role("lead_admin", "reviewer") and _in_region(scope, campaign)
    if side == Side.WRITTEN:
        return may_give_written(user, campaign)
    return False


def _open_review_with_seats(item: Item) -> Review | None:
    return (
        Review.objects.filter(item=item, round__status=RoundStatus.OPEN)
        .select_related("round")
        .prefetch_related("round__reviewers__areas")
        .first()
    )


def may_give_written(user, campaign: Campaign) -> bool:
    """The province's written review (书面评审): its offices above the campaign's region, and
    the experts or evaluators it granted the campaign."""
    scope = Scope.for_user(user)
    return (
        scope.is_everything
        or is_superior(user, campaign)
        or ("expert" in scope.roles and _granted(user, campaign, GrantPurpose.EVALUATION))
    )


def may_see_written(user, campaign: Campaign) -> bool:
    """Who sees the written review's scores (书面评审), on the item page, the score sheet and its
    Excel, the campaign report (API and command line) and the province's ranking: the side that
    evaluates — the offices above the campaign's region with their leaders and inspectors, the
    experts the evaluation granted the campaign — never the campaign's own region, whose
    leader, lead office, reviewers, inspectors and round experts are the ones being evaluated."""
    scope = Scope.for_user(user)
    if scope.is_everything or may_give_written(user, campaign):
        return True
    return scope.has_role(*REGION_WIDE_ROLES) and _above(scope, campaign)


def _above(scope: Scope, campaign: Campaign) -> bool:
    """Whether the user's region is strictly above the campaign's (a city or province)."""
    path = campaign.region.path
    return bool(
        scope.region_path and path.startswith(scope.region_path) and path != scope.region_path
    )


def _in_region(scope: Scope, campaign: Campaign) -> bool:
    return bool(scope.region_path and campaign.region.path.startswith(scope.region_path))


def _points(value, where: str) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{where}：扣分“{value}”不是数字。") from exc
    if not points.is_finite() or points <= 0:
        raise ValidationError(f"{where}：扣分应大于 0。")
    if points != points.quantize(Decimal("0.01")):
        raise ValidationError(f"{where}：扣分最多保留两位小数。")
    return points


def _deductions(entries: list[DeductionEntry]) -> list[tuple[str, str, Decimal]]:
    checked = []
    for number, entry in enumerate(entries, start=1):
        if not (entry.rule.strip() or entry.reason.strip() or str(entry.points).strip()):
            continue  # a blank row of the form; numbering stays the form's
        where = f"第{number}条扣分"
        if not entry.reason.strip():
            raise ValidationError(f"{where}：请写明扣分原因。")
        checked.append((entry.rule.strip(), entry.reason.strip(), _points(entry.points, where)))
    return checked


def _check_scorable(item: Item) -> None:
    if item.is_refined:
        raise ValidationError(f"{item.code} 是细化指标，请在所属指标 {item.parent.code} 上打分。")
    if item.points is None:
        raise ValidationError(f"{item.code} 没有分值，不能打分。")


@transaction.atomic
def assessment_save(
    *,
    acting_user,
    item: Item,
    side: str,
    deductions: list[DeductionEntry],
    version: int | None,
    vetoed: bool = False,
    note: str = "",
) -> Assessment:
    """Score an indicator for one side: its points less the deductions. `version` is the
    version the user saw (None when they saw no score yet); a save in between is refused."""
    if side not in Side.values:
        raise ValidationError("评分方不正确。")
    if not may_assess(acting_user, item, side):
        raise PermissionDenied(f"您无权给 {item.code} 做“{Side(side).label}”。")
    _check_scorable(item)
    if side == Side.WRITTEN:
        stages.check_open(item.campaign, "written")  # the written review follows the filing
    if side == Side.SELF:
        check_not_submitted(item.campaign_id, what="自评分")
    if vetoed and not item.node.veto:
        raise ValidationError(f"{item.code} 不是否决项。")
    checked = _deductions(deductions)
    total = sum((points for _, _, points in checked), Decimal(0))
    if total > item.points:
        raise ValidationError(
            f"{item.code} 扣分合计 {format_points(total)} 分，"
            f"超过本项分值 {format_points(item.points)} 分。"
        )
    score = Decimal(0) if vetoed else item.points - total
    fields = {
        "score": score,
        "max_points": item.points,
        "vetoed": vetoed,
        "note": note.strip(),
        "assessed_by": acting_user,
        "assessed_at": timezone.now(),
    }
    assessment = _save_versioned(item, side, version, fields)
    assessment.deductions.all().delete()
    Deduction.objects.bulk_create(
        Deduction(assessment=assessment, position=n, rule=rule, reason=reason, points=points)
        for n, (rule, reason, points) in enumerate(checked)
    )
    audit_record(
        acting_user=acting_user,
        action=f"assessment.{side}",
        target=item,
        region=_audit_region(item.campaign, side),
        after={"score": str(score), "deductions": str(total), "vetoed": vetoed},
    )
    return assessment


def _audit_region(campaign: Campaign, side: str):
    """The written review's scores are the evaluating side's (see `may_see_written`): its audit
    rows sit with the region above the campaign's, whose offices read them, and not in the
    campaign's own region, whose lead office reads its audit log and is the one evaluated."""
    region = campaign.region
    if side == Side.WRITTEN and region.parent_id:
        return region.parent
    return region


def _save_versioned(item: Item, side: str, version: int | None, fields: dict) -> Assessment:
    existing = Assessment.objects.filter(item=item, side=side)
    if version is None:
        if existing.exists():
            raise _score_conflict(item, side)
        return Assessment.objects.create(item=item, side=side, **fields)
    if not existing.filter(version=version).update(version=F("version") + 1, **fields):
        raise _score_conflict(item, side)
    return existing.get()


def _score_conflict(item: Item, side: str) -> ConflictError:
    current = Assessment.objects.select_related("assessed_by").filter(item=item, side=side).first()
    if current is None:
        return ConflictError(f"{item.code} 的{Side(side).label}已被撤销，请刷新页面后重新打分。")
    when = timezone.localtime(current.assessed_at).strftime("%H:%M")
    return ConflictError(
        f"{item.code} 的{Side(side).label}已由 {current.assessed_by or '其他人'} 于 {when} "
        f"改为 {format_points(current.score)} 分，您的评分没有保存。请刷新页面查看后再提交。"
    )
