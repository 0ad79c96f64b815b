"""Writes on inspections and findings: creating them (by hand, from a 问题清单, or from another
app's return), the responsible unit's rectification (plan, progress, close request), the
inspecting side's verdict (销号 or 退回) and reopening, and the escalation of overdue findings.

Who may do what is decided here, once, for the pages, the API and the command line:
- the inspecting side — a user who may edit the finding (督察员, or the lead office of the
  inspecting region, through `core.scoping`) — creates, verifies, rejects, reopens, escalates;
- the responsible unit (a user of that unit who can see the finding) plans, reports and asks
  to close;
- **a unit never closes its own finding**: whoever sits in the responsible unit is refused the
  verdict, even when their role would otherwise allow it (the lead office sits in 司法局, and
  司法局 is often responsible for findings itself)."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record, audit_update, snapshot
from fazhi.accounts.system import stored_user
from fazhi.core.scoping import Scope, can_write_at, is_editable
from fazhi.evidence.attachments import store_attachment
from fazhi.inspections import milestones as milestones_module
from fazhi.inspections import reminders
from fazhi.inspections.models import (
    ESCALATION_ORDER,
    DocumentKind,
    Escalation,
    EscalationStep,
    Finding,
    FindingCategory,
    FindingFile,
    FindingSource,
    FindingStatus,
    FindingUpdate,
    Inspection,
    InspectionDocument,
    InspectionKind,
    Rectification,
    UpdateKind,
)
from fazhi.orgs.models import Region, Unit

OPEN_STATES = (FindingStatus.OPEN, FindingStatus.IN_PROGRESS)


# -- who may ------------------------------------------------------------------------------------


def is_inspecting_side(user, finding: Finding) -> bool:
    return is_editable(user, Finding, finding.pk)


def is_responsible(user, finding: Finding) -> bool:
    """Whether the user sits in the finding's responsible unit."""
    unit_id = Scope.for_user(user).unit_id
    return bool(unit_id) and unit_id == finding.responsible_unit_id


def may_rectify(user, finding: Finding) -> bool:
    if not Finding.objects.visible_to(user).filter(pk=finding.pk).exists():
        return False
    return is_responsible(user, finding) or Scope.for_user(user).is_everything


def may_verify(user, finding: Finding) -> bool:
    return not is_responsible(user, finding) and is_inspecting_side(user, finding)


def _check_rectify(user, finding: Finding) -> None:
    if not may_rectify(user, finding):
        raise PermissionDenied(f"只有责任单位可以填报问题 {finding.number} 的整改情况。")


def check_verify(user, finding: Finding) -> None:
    """The one check behind 销号, 退回 and reopening, for the page, the API and the CLI."""
    if is_responsible(user, finding):
        raise PermissionDenied(
            f"问题 {finding.number} 的责任单位是贵单位，不能为本单位的问题销号或退回。"
        )
    if not is_inspecting_side(user, finding):
        raise PermissionDenied(
            f"只有督察方（督察员或组织督察的依法治办）可以审核问题 {finding.number}。"
        )


def is_overdue(finding: Finding, today: date) -> bool:
    """已逾期: a date passed while the unit still owes the work (待整改, 整改中) — the deadline,
    or for 长期坚持 (no end date) a stage of its plan not reported done (`milestone_due`). A
    close request waits on the inspecting side, not the unit."""
    due = finding.due_on
    return due is not None and due < today and finding.status in OPEN_STATES


# -- inspections --------------------------------------------------------------------------------


def check_inspection_creatable(acting_user, region: Region) -> None:
    if not can_write_at(acting_user, Inspection, region=region):
        raise PermissionDenied(f"您无权在 {region} 组织督察。")


@transaction.atomic
def inspection_create(
    *,
    acting_user,
    region: Region,
    name: str,
    kind: str = InspectionKind.COMPREHENSIVE,
    starts_on: date | None = None,
    ends_on: date | None = None,
    leaders=(),
    inspectors=(),
    units=(),
    note: str = "",
) -> Inspection:
    check_inspection_creatable(acting_user, region)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写督察名称。"})
    if kind not in InspectionKind.values:
        choices = "、".join(InspectionKind.values)
        raise ValidationError({"kind": f"督察类型“{kind}”不存在，可选：{choices}。"})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期。"})
    outside = [u for u in units if not u.region.path.startswith(region.path)]
    if outside:
        raise ValidationError({"units": f"{outside[0]} 不在 {region} 范围内。"})
    inspection = Inspection.objects.create(
        region=region,
        name=name[:200],
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by=stored_user(acting_user),
    )
    inspection.leaders.set(leaders)
    inspection.inspectors.set(inspectors)
    inspection.units.set(units)
    audit_record(
        acting_user=acting_user,
        action="inspection.create",
        target=inspection,
        region=region,
        after={**snapshot(inspection, ["name", "kind", "starts_on", "ends_on"])},
    )
    return inspection


def inspection_document_add(
    *, acting_user, inspection: Inspection, file: File, kind: str, title: str = ""
) -> InspectionDocument:
    if not is_editable(acting_user, Inspection, inspection.pk):
        raise PermissionDenied("只有督察方可以上传督察文书。")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "请选择文书类型。"})
    blob, name = store_attachment(file, getattr(file, "name", ""))
    with transaction.atomic():
        document = InspectionDocument.objects.create(
            inspection=inspection,
            kind=kind,
            title=(title.strip() or PurePosixPath(name).stem)[:255],
            blob=blob,
            original_name=name[:255],
            uploaded_by=stored_user(acting_user),
        )
        audit_record(
            acting_user=acting_user,
            action="inspection.document",
            target=document,
            region=inspection.region,
            after={"inspection": inspection.name, "kind": kind, "file": name},
        )
    return document


# -- findings -----------------------------------------------------------------------------------


def category_named(region: Region, name: str, *, create: bool = False) -> FindingCategory | None:
    """The category of that name the region reads (its own, its ancestors', the defaults); with
    `create`, a new one of the region when there is none."""
    name = (name or "").strip()
    if not name:
        return None
    readable = FindingCategory.objects.filter(region__isnull=True) | FindingCategory.objects.filter(
        region__code__in=region.ancestor_codes
    )
    for candidate in (name, name.removesuffix("方面").removesuffix("问题").removesuffix("类")):
        found = readable.filter(name=candidate).order_by("region_id").first()
        if found:
            return found
    if not create:
        return None
    return FindingCategory.objects.create(region=region, name=name[:50], position=100)


@transaction.atomic
def category_add(*, acting_user, region: Region, name: str) -> FindingCategory:
    """A category of the region's own, beside the defaults everyone reads."""
    if not can_write_at(acting_user, FindingCategory, region=region):
        raise PermissionDenied(f"您无权为 {region} 设置问题类别。")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写类别名称。"})
    if category_named(region, name) is not None:
        raise ValidationError({"name": f"已有问题类别“{name}”。"})
    category = FindingCategory.objects.create(region=region, name=name[:50], position=100)
    audit_record(
        acting_user=acting_user,
        action="finding_category.create",
        target=category,
        region=region,
        after={"name": category.name},
    )
    return category


def _check_finding_fields(inspection: Inspection, fields: dict, *, own_pk=None) -> None:
    errors = {}
    if not (fields.get("description") or "").strip():
        errors["description"] = "请填写问题描述。"
    if not (fields.get("number") or "").strip():
        errors["number"] = "请填写问题编号。"
    elif inspection.findings.filter(number=fields["number"].strip()).exclude(pk=own_pk).exists():
        errors["number"] = f"本次督察已有编号为 {fields['number'].strip()} 的问题。"
    for key in ("responsible_unit", "inspected_unit"):
        unit = fields.get(key)
        if unit is not None and not unit.region.path.startswith(inspection.region.path):
            errors[key] = f"{unit} 不在 {inspection.region} 范围内。"
    if not fields.get("responsible_unit") and not (fields.get("responsible_text") or "").strip():
        errors["responsible_unit"] = "请选择责任单位。"
    if errors:
        raise ValidationError(errors)


def _new_finding(*, acting_user, inspection: Inspection, position: int, **fields) -> Finding:
    fields["number"] = fields["number"].strip()
    fields["description"] = fields["description"].strip()
    return Finding.objects.create(
        inspection=inspection,
        position=position,
        status_changed_at=timezone.now(),
        created_by=stored_user(acting_user),
        **fields,
    )


@transaction.atomic
def finding_create(
    *,
    acting_user,
    inspection: Inspection,
    number: str = "",
    description: str,
    responsible_unit: Unit | None = None,
    responsible_text: str = "",
    category: FindingCategory | None = None,
    inspected_unit: Unit | None = None,
    inspected_text: str = "",
    leader: str = "",
    person: str = "",
    requirement: str = "",
    deadline: date | None = None,
    deadline_text: str = "",
    long_term: bool = False,
    source: str = FindingSource.MANUAL,
    source_ref: str = "",
) -> Finding:
    """A finding entered by the inspecting side; other apps open one through `finding_open`."""
    if not is_editable(acting_user, Inspection, inspection.pk):
        raise PermissionDenied("只有督察方可以登记督察问题。")
    position = inspection.findings.count() + 1
    number = (number or "").strip() or str(position)
    fields = dict(
        number=number,
        description=description,
        responsible_unit=responsible_unit,
        responsible_text=responsible_text.strip()[:200],
        category=category,
        inspected_unit=inspected_unit,
        inspected_text=inspected_text.strip()[:200],
        leader=leader.strip()[:100],
        person=person.strip()[:100],
        requirement=requirement.strip(),
        deadline=None if long_term else deadline,
        deadline_text=deadline_text.strip()[:100] or ("长期坚持" if long_term else ""),
        long_term=long_term,
        source=source,
        source_ref=source_ref[:100],
    )
    _check_finding_fields(inspection, fields)
    finding = _new_finding(
        acting_user=acting_user, inspection=inspection, position=position, **fields
    )
    audit_record(
        acting_user=acting_user,
        action="finding.create",
        target=finding,
        region=inspection.region,
        after={
            "inspection": inspection.name,
            "number": finding.number,
            "responsible_unit": finding.unit_label,
            "deadline": finding.deadline_text or finding.deadline,
            "source": source,
        },
    )
    return finding


EDITABLE_FIELDS = (
    "number",
    "category",
    "description",
    "inspected_unit",
    "responsible_unit",
    "leader",
    "person",
    "requirement",
    "deadline",
    "long_term",
)


@transaction.atomic
def finding_update(*, acting_user, finding: Finding, **fields) -> Finding:
    """The inspecting side corrects a finding (its text, units, deadline); its state and
    history stay as they are."""
    if not is_inspecting_side(acting_user, finding):
        raise PermissionDenied("只有督察方可以修改督察问题。")
    finding = lock_finding(finding)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    merged = {name: getattr(finding, name) for name in EDITABLE_FIELDS} | fields
    merged["number"] = (merged["number"] or "").strip()
    merged["responsible_text"] = finding.responsible_text
    _check_finding_fields(finding.inspection, merged, own_pk=finding.pk)
    before = snapshot(
        finding,
        [f"{n}_id" if n.endswith("unit") or n == "category" else n for n in EDITABLE_FIELDS]
        + ["deadline_text"],
    )
    for name in EDITABLE_FIELDS:
        setattr(finding, name, merged[name])
    if finding.long_term:
        finding.deadline, finding.deadline_text = None, "长期坚持"
    elif "deadline" in fields:
        finding.deadline_text = finding.deadline.isoformat() if finding.deadline else ""
    if finding.responsible_unit_id:
        finding.unit_candidates = []
    finding.save()
    audit_update(
        acting_user=acting_user,
        action="finding.update",
        target=finding,
        before=before,
        region=finding.inspection.region,
    )
    return finding


def finding_open(*, acting_user, inspection: Inspection, source: str, source_ref: str, **fields):
    """For the apps whose results raise a finding (a review's return, a case-file review, a weak
    survey item): the same checks and log as a finding entered by hand, its source recorded."""
    if source not in FindingSource.values or source == FindingSource.MANUAL:
        raise ValidationError({"source": f"未知的问题来源：{source}"})
    return finding_create(
        acting_user=acting_user,
        inspection=inspection,
        source=source,
        source_ref=source_ref,
        **fields,
    )


def returned_item_ref(item) -> str:
    return f"item:{item.pk}"


@transaction.atomic
def finding_from_returned_item(*, acting_user, inspection: Inspection, item, **fields):
    """A review's return that calls for more than new materials (a missing system, a practice
    to change) becomes a finding with a deadline and 销号, its source the returned item. One
    finding per item and inspection: a second try names the first."""
    from fazhi.campaigns.models import ItemStatus  # campaigns sits below inspections

    if item.status != ItemStatus.RETURNED:
        raise ValidationError(f"{item.code} 当前不是“已退回”状态，不能转为督察问题。")
    ref = returned_item_ref(item)
    earlier = inspection.findings.filter(source=FindingSource.REVIEW, source_ref=ref).first()
    if earlier:
        raise ValidationError(f"{item.code} 的退回已转为本次督察的问题 {earlier.number}。")
    return finding_open(
        acting_user=acting_user,
        inspection=inspection,
        source=FindingSource.REVIEW,
        source_ref=ref,
        **fields,
    )


@transaction.atomic
def finding_set_unit(*, acting_user, finding: Finding, unit: Unit) -> Finding:
    """Settle the responsible unit of a finding whose unit name was kept as written."""
    if not is_inspecting_side(acting_user, finding):
        raise PermissionDenied("只有督察方可以确定责任单位。")
    if not unit.region.path.startswith(finding.inspection.region.path):
        raise ValidationError({"unit": f"{unit} 不在 {finding.inspection.region} 范围内。"})
    before = snapshot(finding, ["responsible_unit_id"])
    finding.responsible_unit = unit
    finding.unit_candidates = []
    finding.save(update_fields=["responsible_unit", "unit_candidates"])
    audit_update(
        acting_user=acting_user,
        action="finding.set_unit",
        target=finding,
        before=before,
        region=finding.inspection.region,
    )
    return finding


# -- rectification ------------------------------------------------------------------------------


def _move(finding: Finding, status: str) -> None:
    finding.status = status
    finding.status_changed_at = timezone.now()
    finding.closed_at = timezone.now() if status == FindingStatus.CLOSED else None
    finding.save(update_fields=["status", "status_changed_at", "closed_at"])


def lock_finding(finding: Finding) -> Finding:
    """The finding as it is now, locked: two people acting on it at once are served in turn."""
    return (
        Finding.objects.select_for_update().select_related("inspection__region").get(pk=finding.pk)
    )


def check_not_waiting(finding: Finding) -> None:
    if finding.status == FindingStatus.CLOSED:
        raise ValidationError(f"问题 {finding.number} 已销号；如需继续整改，请督察方重新打开。")
    if finding.status == FindingStatus.CLOSE_REQUESTED:
        raise ValidationError(f"问题 {finding.number} 已申请销号，正等待督察方审核。")


@transaction.atomic
def rectification_save(
    *, acting_user, finding: Finding, measures: str, milestones: str = "", person: str = ""
) -> Rectification:
    _check_rectify(acting_user, finding)
    finding = lock_finding(finding)
    check_not_waiting(finding)
    if not measures.strip():
        raise ValidationError({"measures": "请填写整改措施。"})
    if finding.long_term and not milestones.strip():
        raise ValidationError({"milestones": "长期坚持的问题请填写阶段目标（时间节点）。"})
    milestones_module.replace_stages(finding, milestones)
    plan, created = Rectification.objects.update_or_create(
        finding=finding,
        defaults={
            "measures": measures.strip(),
            "milestones": milestones.strip(),
            "person": person.strip()[:100],
            "updated_by": stored_user(acting_user),
        },
    )
    if finding.status == FindingStatus.OPEN:
        _move(finding, FindingStatus.IN_PROGRESS)
    audit_record(
        acting_user=acting_user,
        action="finding.plan",
        target=finding,
        region=finding.inspection.region,
        after={"measures": plan.measures, "milestones": plan.milestones, "person": plan.person},
        summary="制定整改方案" if created else "修改整改方案",
    )
    return plan


def record_update(finding, kind, note, acting_user, stored=()) -> FindingUpdate:
    update = FindingUpdate.objects.create(
        finding=finding, kind=kind, note=note.strip(), created_by=stored_user(acting_user)
    )
    FindingFile.objects.bulk_create(
        FindingFile(update=update, blob=blob, original_name=name[:255]) for blob, name in stored
    )
    return update


def _store_all(files) -> list:
    return [store_attachment(file, getattr(file, "name", "")) for file in files]


def finding_report_progress(*, acting_user, finding: Finding, note: str, files=()) -> FindingUpdate:
    _check_rectify(acting_user, finding)
    if not note.strip():
        raise ValidationError({"note": "请填写整改进展。"})
    stored = _store_all(files)  # stored before the transaction: see evidence.services
    with transaction.atomic():
        finding = lock_finding(finding)
        check_not_waiting(finding)
        update = record_update(finding, UpdateKind.PROGRESS, note, acting_user, stored)
        if finding.status == FindingStatus.OPEN:
            _move(finding, FindingStatus.IN_PROGRESS)
        audit_record(
            acting_user=acting_user,
            action="finding.progress",
            target=finding,
            region=finding.inspection.region,
            after={"note": update.note, "files": [name for _, name in stored]},
        )
    return update


def finding_request_close(*, acting_user, finding: Finding, note: str, files=()) -> FindingUpdate:
    """销号申请: the unit says the finding is rectified; the inspecting side decides."""
    _check_rectify(acting_user, finding)
    if not note.strip():
        raise ValidationError({"note": "请说明整改完成情况。"})
    stored = _store_all(files)
    with transaction.atomic():
        finding = lock_finding(finding)
        check_not_waiting(finding)
        update = record_update(finding, UpdateKind.CLOSE_REQUEST, note, acting_user, stored)
        _move(finding, FindingStatus.CLOSE_REQUESTED)
        audit_record(
            acting_user=acting_user,
            action="finding.request_close",
            target=finding,
            region=finding.inspection.region,
            after={"note": update.note, "files": [name for _, name in stored]},
        )
    return update


@transaction.atomic
def finding_verify(*, acting_user, finding: Finding, accept: bool, note: str = "") -> Finding:
    """销号 (accept) or 退回 with a reason (back to 整改中)."""
    check_verify(acting_user, finding)
    finding = lock_finding(finding)
    if finding.status != FindingStatus.CLOSE_REQUESTED:
        raise ValidationError(
            f"问题 {finding.number} 当前为“{finding.get_status_display()}”，"
            "只有申请销号的问题可以审核。"
        )
    if not accept and not note.strip():
        raise ValidationError({"note": "退回时请写明理由。"})
    kind = UpdateKind.CLOSED if accept else UpdateKind.REJECTED
    record_update(finding, kind, note, acting_user)
    _move(finding, FindingStatus.CLOSED if accept else FindingStatus.IN_PROGRESS)
    logged = {"target": finding, "region": finding.inspection.region}
    logged["after"] = {"status": finding.status, "note": note.strip()}
    if accept:
        audit_record(acting_user=acting_user, action="finding.close", **logged)
    else:
        audit_record(acting_user=acting_user, action="finding.reject", **logged)
        reminders.notify_rejected(finding, note)
    return finding


@transaction.atomic
def finding_reopen(*, acting_user, finding: Finding, note: str) -> Finding:
    check_verify(acting_user, finding)
    finding = lock_finding(finding)
    if finding.status != FindingStatus.CLOSED:
        raise ValidationError(f"问题 {finding.number} 尚未销号，无需重新打开。")
    if not note.strip():
        raise ValidationError({"note": "重新打开时请写明理由。"})
    record_update(finding, UpdateKind.REOPENED, note, acting_user)
    _move(finding, FindingStatus.IN_PROGRESS)
    audit_record(
        acting_user=acting_user,
        action="finding.reopen",
        target=finding,
        region=finding.inspection.region,
        after={"status": finding.status, "note": note.strip()},
    )
    return finding


@transaction.atomic
def escalation_add(
    *, acting_user, finding: Finding, step: str, on: date, note: str = "", today: date
) -> Escalation:
    """Record the next step of pressure on an overdue finding: 提醒 → 约谈 → 挂牌督办 → 通报, never
    back down the ladder."""
    check_verify(acting_user, finding)
    finding = lock_finding(finding)
    if step not in EscalationStep.values:
        raise ValidationError({"step": f"督办措施“{step}”不存在。"})
    if not is_overdue(finding, today):
        raise ValidationError(f"问题 {finding.number} 未逾期，不需要督办。")
    if on > today:
        raise ValidationError({"on": "督办日期不能晚于今天。"})
    last = finding.escalations.order_by("-on", "-id").first()
    if last and ESCALATION_ORDER[step] < ESCALATION_ORDER[last.step]:
        raise ValidationError(
            {"step": f"已于 {last.on} {last.get_step_display()}，督办措施只能逐级升级。"}
        )
    escalation = Escalation.objects.create(
        finding=finding, step=step, on=on, note=note.strip(), created_by=stored_user(acting_user)
    )
    audit_record(
        acting_user=acting_user,
        action="finding.escalate",
        target=finding,
        region=finding.inspection.region,
        after={"step": step, "on": on, "note": escalation.note},
    )
    reminders.notify_escalation(escalation)
    return escalation
