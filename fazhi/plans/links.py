"""A plan measure linked to the campaign indicators it serves (a measure on 规范性文件 cleaning
serves the indicator on 规范性文件管理): the units' progress files on the measure are offered on
the indicator's page, and one click makes a file a material there, under the evidence store's
own rules (the unit must be given the indicator, the indicator open for materials)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction

from fazhi.accounts.audit import audit_record
from fazhi.campaigns.models import Item
from fazhi.evidence.models import Evidence
from fazhi.evidence.services import evidence_upload
from fazhi.evidence.storage import blob_local_path
from fazhi.plans.drafting import check_plan_editable
from fazhi.plans.models import Measure, ProgressFile


def campaign_item_for(*, measure: Measure, user, code: str, campaign_id: int) -> Item:
    """The leaf item with `code` in one of the campaigns of the plan's region or below."""
    item = (
        Item.objects.visible_to(user)
        .filter(
            campaign_id=campaign_id,
            code=(code or "").strip(),
            campaign__region__path__startswith=measure.plan.region.path,
            children__isnull=True,
        )
        .select_related("campaign")
        .first()
    )
    if item is None:
        raise ValidationError({"code": f"该创建活动中没有编码为“{code}”的末级指标。"})
    return item


@transaction.atomic
def measure_link_item(*, acting_user, measure: Measure, item: Item) -> None:
    check_plan_editable(acting_user, measure.plan)
    if not item.campaign.region.path.startswith(measure.plan.region.path):
        raise ValidationError("只能关联本地区的创建活动指标。")
    measure.items.add(item)
    audit_record(
        acting_user=acting_user,
        action="plan.link_item",
        target=measure,
        after={"campaign": item.campaign.name, "item": item.code},
    )


@transaction.atomic
def measure_unlink_item(*, acting_user, measure: Measure, item: Item) -> None:
    check_plan_editable(acting_user, measure.plan)
    measure.items.remove(item)
    audit_record(
        acting_user=acting_user,
        action="plan.unlink_item",
        target=measure,
        before={"campaign": item.campaign.name, "item": item.code},
    )


def offered_files(*, user, item: Item):
    """The progress files of the measures linked to the item that the user may read."""
    return (
        ProgressFile.objects.visible_to(user)
        .filter(report__measure__items=item)
        .select_related("report__measure__plan", "report__period", "report__unit", "blob")
        .order_by("report__measure__code", "report__period__starts_on", "id")
        .distinct()
    )


def offer_as_evidence(*, acting_user, file: ProgressFile, item: Item) -> Evidence:
    """Make a progress file a material of a linked item (the content is stored once)."""
    report = file.report
    if not report.measure.items.filter(pk=item.pk).exists():
        raise PermissionDenied("该措施没有关联这项创建指标。")
    with blob_local_path(file.blob) as path, path.open("rb") as handle:
        return evidence_upload(
            acting_user=acting_user,
            item=item,
            file=File(handle, name=file.original_name),
            original_name=file.original_name,
            title=f"{report.measure.code} {report.period.label}进展：{file.original_name.rsplit('.', 1)[0]}",
            description=f"来自工作计划“{report.measure.plan.name}”措施 {report.measure.code} 的进展报告",
        )
