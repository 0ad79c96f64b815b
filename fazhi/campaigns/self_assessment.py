"""The written self-assessment (自评说明 and 自评报告): one explanation per leaf item — what was
done, the results and figures, the materials that prove it — and the lead office's choice of
亮点 with its 不足 and 下一步, which the Word report (`fazhi.filing.report`) assembles.

An explanation follows the materials' rules: drafted by the lead unit's liaison (who may not
change it while the item is submitted, as for its materials), edited by the lead office, closed
when the stage closes uploads (unless the item was reopened), and read-only while a filing
submission is in force. Saves are guarded by a version, as scores are: a stale save is refused
with a message naming who changed the text in between."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns import services, stages
from fazhi.campaigns.models import Campaign, Explanation, Item, SelfAssessment
from fazhi.core.scoping import is_editable
from fazhi.filing.freeze import check_not_submitted

MAX_TEXT = 10000  # characters of one explanation or one part of the report


class ExplanationConflict(ValidationError):
    """Someone saved the explanation after the user loaded it."""


# -- who may ---------------------------------------------------------------------------------


def is_lead_office(user, campaign_id: int) -> bool:
    return is_editable(user, Campaign, campaign_id)


def may_explain(user, item: Item) -> bool:
    """The lead unit's liaison and the lead office, as for submitting the item."""
    return services.may_submit(user, item)


def explanation_closed(user, item: Item) -> str:
    """Why the explanation cannot be changed now ("" when it can), for the page and the
    service alike."""
    try:
        _check_open(user, item)
    except ValidationError as exc:
        return "；".join(exc.messages)
    return ""


def _check_open(user, item: Item) -> None:
    if item.archived_at is not None:
        raise ValidationError(f"{item.code} 已随指标体系新版本撤销，只能查看。")
    if item.children.exists():
        raise ValidationError(f"{item.code} 已细化，请在它的细化指标下填写自评说明。")
    check_not_submitted(item.campaign_id, what="自评说明")
    if item.status in services.LOCKED_STATES and not is_lead_office(user, item.campaign_id):
        raise ValidationError(
            f"{item.code} {item.get_status_display()}，自评说明随材料锁定；如需修改请联系牵头科室。"
        )
    stages.check_open(item.campaign, "upload", item=item)


# -- writes ----------------------------------------------------------------------------------


def parse_version(raw) -> int | None:
    """The version a form sent: blank when the user saw no explanation yet."""
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationError("页面数据不完整（版本号不正确），请刷新页面后重新填写。") from None


@transaction.atomic
def explanation_save(*, acting_user, item: Item, text: str, version: int | None) -> Explanation:
    """Save the item's 自评说明. `version` is the one the user saw (None when there was none)."""
    if not may_explain(acting_user, item):
        raise PermissionDenied(f"只有 {item.code} 牵头单位的联络员或牵头科室可以填写自评说明。")
    _check_open(acting_user, item)
    text = _clean(text)
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"自评说明不能超过 {MAX_TEXT} 字（现 {len(text)} 字）。"})
    fields = {"text": text, "updated_by": stored_user(acting_user), "updated_at": timezone.now()}
    existing = Explanation.objects.filter(item=item)
    if version is None:
        if existing.exists():
            raise _conflict(item)
        explanation = Explanation.objects.create(item=item, **fields)
    elif existing.filter(version=version).update(version=F("version") + 1, **fields):
        explanation = existing.get()
    else:
        raise _conflict(item)
    audit_record(
        acting_user=acting_user,
        action="explanation.save",
        target=item,
        region=item.campaign.region,
        summary=text[:200],
        after={"version": explanation.version},
    )
    return explanation


def _clean(text: str | None) -> str:
    """Trimmed, without the NUL characters (pasted from some PDFs) that the database refuses."""
    return (text or "").replace("\x00", "").strip()


def _conflict(item: Item) -> ExplanationConflict:
    current = Explanation.objects.select_related("updated_by").filter(item=item).first()
    if current is None:
        return ExplanationConflict(
            f"{item.code} 的自评说明已被删除，您的修改没有保存。请刷新页面后重新填写。"
        )
    when = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M")
    return ExplanationConflict(
        f"{item.code} 的自评说明已由 {current.updated_by or '其他人'} 于 {when} 修改，"
        "您的修改没有保存。请复制您的文字，刷新页面查看最新内容后再提交。"
    )


@transaction.atomic
def self_assessment_save(
    *,
    acting_user,
    campaign: Campaign,
    highlight_item_ids: list[int],
    highlights_text: str,
    shortfalls: str,
    next_steps: str,
) -> SelfAssessment:
    """The lead office's 亮点 (indicators of this campaign, in the order given, and a text),
    不足 and 下一步."""
    if not is_lead_office(acting_user, campaign.pk):
        raise PermissionDenied("只有牵头科室可以填写自评报告的亮点、不足和下一步工作。")
    check_not_submitted(campaign.pk, what="自评报告")
    ids = list(dict.fromkeys(highlight_item_ids))
    found = set(
        Item.objects.filter(campaign=campaign, pk__in=ids, children__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if len(found) != len(ids):
        raise ValidationError(
            {"highlights": "所选亮点指标不属于本创建活动或已细化，请刷新页面后重选。"}
        )
    texts = {"highlights_text": highlights_text, "shortfalls": shortfalls, "next_steps": next_steps}
    labels = {
        "highlights_text": "工作亮点",
        "shortfalls": "存在的不足",
        "next_steps": "下一步工作打算",
    }
    for name, value in texts.items():
        texts[name] = _clean(value)
        if len(texts[name]) > MAX_TEXT:
            raise ValidationError({name: f"{labels[name]}不能超过 {MAX_TEXT} 字。"})
    record, _ = SelfAssessment.objects.update_or_create(
        campaign=campaign,
        defaults={"highlight_item_ids": ids, "updated_by": stored_user(acting_user), **texts},
    )
    audit_record(
        acting_user=acting_user,
        action="self_assessment.save",
        target=campaign,
        region=campaign.region,
        summary=f"亮点指标 {len(ids)} 项",
    )
    return record


# -- reads -----------------------------------------------------------------------------------


def leaf_items(campaign: Campaign):
    """The items that take an explanation: those with no children, in the framework's order."""
    return campaign.items.filter(children__isnull=True).order_by("sort_key")


def explanation_progress(campaign: Campaign) -> dict:
    """How many leaf items have an explanation, and the ones still missing."""
    leaves = list(leaf_items(campaign).select_related("explanation"))
    missing = [item for item in leaves if not _text_of(item)]
    return {
        "total": len(leaves),
        "done": len(leaves) - len(missing),
        "missing": missing,
        "leaves": leaves,
    }


def _text_of(item: Item) -> str:
    try:
        return item.explanation.text
    except Explanation.DoesNotExist:
        return ""


def visible_explanations(campaign: Campaign, user) -> list[Item]:
    """The leaf items the user sees, in the framework's order, each with its explanation (or
    none yet): what the campaign's explanations read like to this user (a unit's liaison: its
    own items'), for the API."""
    return list(leaf_items(campaign).visible_to(user).select_related("explanation__updated_by"))


def explanation_of(item: Item) -> Explanation | None:
    return Explanation.objects.select_related("updated_by").filter(item=item).first()


def self_assessment_of(campaign: Campaign) -> SelfAssessment | None:
    return SelfAssessment.objects.filter(campaign=campaign).first()
