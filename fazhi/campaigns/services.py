"""Writes on campaigns: creation from a framework, refinement, assignment (两张清单) and the
item status that evidence and reviews move."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fazhi.accounts.audit import audit_record, audit_update, snapshot
from fazhi.accounts.system import stored_user
from fazhi.campaigns import editions, stages
from fazhi.campaigns.deadlines import parse_deadline
from fazhi.campaigns.models import (
    STAGE_ORDER,
    Assignment,
    AssignmentRole,
    Campaign,
    Item,
    ItemStatus,
    Stage,
    StageKind,
)
from fazhi.core.scoping import Scope, can_write_at, is_editable
from fazhi.filing.freeze import check_not_submitted
from fazhi.frameworks.models import Framework, Node
from fazhi.orgs.matching import Confidence, UnitMatcher
from fazhi.orgs.models import Region, Unit

REVIEW_ROLES = ("admin", "lead_admin", "reviewer")
CERTAIN = {Confidence.EXACT, Confidence.LIKELY}


# -- campaigns -------------------------------------------------------------------------------


def _check_period(period_start: date, period_end: date) -> None:
    if period_start is None or period_end is None:
        raise ValidationError({"period_end": "请填写评估期的起止日期。"})
    if period_end < period_start:
        raise ValidationError({"period_end": "评估期的结束日期不能早于开始日期。"})


@transaction.atomic
def campaign_create(
    *,
    acting_user,
    framework: Framework,
    region: Region,
    name: str,
    period_start: date,
    period_end: date,
    level: str = "national",
    description: str = "",
) -> Campaign:
    """A campaign with its five stages and one item per indicator of the framework, each given
    the lead and responsible units the framework table names, where they can be matched."""
    if not can_write_at(acting_user, Campaign, region=region):
        raise PermissionDenied(f"您无权为 {region} 创建创建活动。")
    if not Framework.objects.visible_to(acting_user).filter(pk=framework.pk).exists():
        raise PermissionDenied("您无权使用该指标体系。")
    if not name.strip():
        raise ValidationError({"name": "请填写创建活动的名称。"})
    _check_period(period_start, period_end)
    campaign = Campaign.objects.create(
        name=name.strip(),
        level=level,
        region=region,
        framework=framework,
        description=description,
        period_start=period_start,
        period_end=period_end,
        created_by=stored_user(acting_user),
    )
    Stage.objects.bulk_create(
        Stage(campaign=campaign, kind=kind, position=STAGE_ORDER[kind]) for kind in StageKind.values
    )
    items = _create_indicator_items(campaign)
    audit_record(
        acting_user=acting_user,
        action="campaign.create",
        target=campaign,
        after={
            "name": campaign.name,
            "framework": str(framework),
            "region": region.code,
            "items": len(items),
        },
    )
    return campaign


def _leaf_nodes(framework: Framework) -> list[Node]:
    parents = Node.objects.filter(framework=framework, parent__isnull=False).values("parent_id")
    return list(
        Node.objects.filter(framework=framework).exclude(pk__in=parents).order_by("sort_key")
    )


def unit_matcher_for(region: Region) -> UnitMatcher:
    """Matches unit names against the active units of the region and the regions below it."""
    units = Unit.objects.filter(region__path__startswith=region.path, is_active=True)
    names = Region.objects.filter(code__in=region.ancestor_codes).values_list("name", flat=True)
    return UnitMatcher(units.select_related("region"), region_names=list(names))


def _create_indicator_items(campaign: Campaign) -> list[Item]:
    return _create_items_for_nodes(campaign, _leaf_nodes(campaign.framework))


def _create_items_for_nodes(campaign: Campaign, nodes: list[Node]) -> list[Item]:
    """One item per node, with the units the framework table names where they are certain."""
    matcher = unit_matcher_for(campaign.region)
    items = Item.objects.bulk_create(
        Item(
            campaign=campaign,
            node=node,
            code=node.code,
            sort_key=node.sort_key,
            title=node.title,
            points=node.points,
            scoring_rules=node.scoring_rules,
            required_evidence=node.required_evidence,
            deadline=parse_deadline(node.deadline, default_year=campaign.period_end.year),
        )
        for node in nodes
    )
    assignments, unresolved_items = [], []
    for item, node in zip(items, nodes, strict=True):
        chosen, unresolved = _units_from_table(matcher, node)
        assignments.extend(
            Assignment(item=item, unit=unit, role=role) for unit, role in chosen.items()
        )
        if unresolved:
            item.unresolved_units = unresolved
            unresolved_items.append(item)
    Assignment.objects.bulk_create(assignments)
    Item.objects.bulk_update(unresolved_items, ["unresolved_units"])
    return items


def _units_from_table(matcher: UnitMatcher, node: Node) -> tuple[dict[Unit, str], list[dict]]:
    """The units the table's lead/responsible columns name with certainty, and the names left
    for the user to confirm. A unit named both as lead and responsible is the lead."""
    chosen: dict[Unit, str] = {}
    unresolved: list[dict] = []
    columns = [(AssignmentRole.LEAD, node.lead_unit)] + [
        (AssignmentRole.RESPONSIBLE, text) for text in node.responsible_units or []
    ]
    for role, text in columns:
        for match in matcher.match_all(text or ""):
            if match.confidence not in CERTAIN or not match.units:
                unresolved.append(_unresolved_entry(match, role))
                continue
            for unit in match.units:
                takes_lead = (
                    role == AssignmentRole.LEAD
                    and not match.is_group
                    and AssignmentRole.LEAD not in chosen.values()
                )
                chosen.setdefault(
                    unit, AssignmentRole.LEAD if takes_lead else AssignmentRole.RESPONSIBLE
                )
    return chosen, unresolved


def _unresolved_entry(match, role: str) -> dict:
    return {
        "text": match.text,
        "role": str(role),
        "note": match.note,
        "is_group": match.is_group,
        "candidates": [unit.pk for unit, _score in match.candidates]
        or [unit.pk for unit in match.units],
    }


@transaction.atomic
def campaign_update(
    *,
    acting_user,
    campaign: Campaign,
    name: str,
    level: str,
    period_start: date,
    period_end: date,
    description: str = "",
    stage_dates: dict[str, tuple[date | None, date | None]] | None = None,
) -> Campaign:
    check_campaign_editable(acting_user, campaign)
    _check_period(period_start, period_end)
    before = snapshot(campaign, ["name", "level", "period_start", "period_end", "description"])
    campaign.name, campaign.level, campaign.description = name.strip(), level, description
    campaign.period_start, campaign.period_end = period_start, period_end
    campaign.save()
    for stage in campaign.stages.all():
        starts_on, ends_on = (stage_dates or {}).get(stage.kind, (stage.starts_on, stage.ends_on))
        if starts_on and ends_on and ends_on < starts_on:
            raise ValidationError(f"“{stage}”阶段的结束日期不能早于开始日期。")
        stage.starts_on, stage.ends_on = starts_on, ends_on
        stage.save(update_fields=["starts_on", "ends_on"])
    audit_update(acting_user=acting_user, action="campaign.update", target=campaign, before=before)
    return campaign


def check_campaign_editable(acting_user, campaign: Campaign) -> None:
    if not is_editable(acting_user, Campaign, campaign.pk):
        raise PermissionDenied("您无权修改该创建活动。")


# -- refinement ------------------------------------------------------------------------------


@transaction.atomic
def item_refine(
    *,
    acting_user,
    parent: Item,
    title: str,
    points=None,
    scoring_rules: str = "",
    required_evidence: str = "",
    deadline: date | None = None,
    position: int | None = None,
) -> Item:
    """Add a refined item (细化指标) under an item. It starts with the parent's units and deadline,
    which the lead office can then change. Its code is the parent's plus its position: the next
    free one, or the one an imported list gives."""
    check_campaign_editable(acting_user, parent.campaign)
    if not title.strip():
        raise ValidationError({"title": "请填写细化指标的内容。"})
    if parent.evidence.filter(deleted_at__isnull=True).exists():
        raise ValidationError(
            f"{parent.code} 已有单位上传的材料，不能再细化；请先把材料移到其他任务项或删除。"
        )
    taken = set(parent.children.values_list("code", flat=True))
    if position is not None and f"{parent.code}.{position}" in taken:
        raise ValidationError(f"编码 {parent.code}.{position} 已存在。")
    if position is None:
        position = len(taken) + 1
        while f"{parent.code}.{position}" in taken:
            position += 1
    item = Item.objects.create(
        campaign=parent.campaign,
        node=parent.node,
        parent=parent,
        code=f"{parent.code}.{position}",
        sort_key=f"{parent.sort_key}.{position:04d}",
        title=title.strip(),
        points=points,
        scoring_rules=scoring_rules,
        required_evidence=required_evidence,
        is_refined=True,
        deadline=deadline or parent.deadline,
    )
    Assignment.objects.bulk_create(
        Assignment(item=item, unit_id=a.unit_id, role=a.role) for a in parent.assignments.all()
    )
    _refresh_parent_status(item)
    audit_record(
        acting_user=acting_user,
        action="item.refine",
        target=item,
        region=parent.campaign.region,
        after=snapshot(item, ["code", "title", "points", "deadline"]),
    )
    return item


@transaction.atomic
def item_update(
    *,
    acting_user,
    item: Item,
    title: str,
    points=None,
    scoring_rules: str = "",
    required_evidence: str = "",
    deadline: date | None = None,
) -> Item:
    check_campaign_editable(acting_user, item.campaign)
    if not title.strip():
        raise ValidationError({"title": "标题不能为空。"})
    fields = ["title", "points", "scoring_rules", "required_evidence", "deadline"]
    before = snapshot(item, fields)
    item.title, item.points, item.deadline = title.strip(), points, deadline
    item.scoring_rules, item.required_evidence = scoring_rules, required_evidence
    item.save(update_fields=fields)
    audit_update(
        acting_user=acting_user,
        action="item.update",
        target=item,
        before=before,
        region=item.campaign.region,
    )
    return item


@transaction.atomic
def item_delete(*, acting_user, item: Item) -> None:
    """Only refined items can be removed; the indicators come from the framework."""
    check_campaign_editable(acting_user, item.campaign)
    if not item.is_refined:
        raise ValidationError("框架中的指标不能删除，只能删除细化指标。")
    if Item.objects.filter(
        Q(pk=item.pk) | Q(parent=item),
        evidence__isnull=False,
        evidence__deleted_at__isnull=True,
    ).exists():
        raise ValidationError(f"{item.code} 下已有材料，不能删除。")
    parent = item.parent
    audit_record(
        acting_user=acting_user,
        action="item.delete",
        target=item,
        region=item.campaign.region,
        before=snapshot(item, ["code", "title", "points"]),
    )
    item.delete()
    if parent is not None:
        refresh_item_status(parent)


# -- assignment ------------------------------------------------------------------------------


@transaction.atomic
def items_assign(
    *,
    acting_user,
    campaign: Campaign,
    items: Iterable[Item],
    lead_unit: Unit | None = None,
    add_units: Iterable[Unit] = (),
    remove_units: Iterable[Unit] = (),
    deadline: date | None = None,
) -> int:
    """Bulk assignment: set the lead unit, add or remove responsible units and set the deadline
    of many items at once. Returns how many items changed."""
    check_campaign_editable(acting_user, campaign)
    items = list(items)
    if any(item.campaign_id != campaign.pk for item in items):
        raise ValidationError("所选任务项不属于该创建活动。")
    units = [u for u in [lead_unit, *add_units, *remove_units] if u is not None]
    _check_units_in_region(units, campaign.region)
    for item in items:
        if lead_unit is not None:
            _set_lead(item, lead_unit)
        for unit in add_units:
            Assignment.objects.get_or_create(
                item=item, unit=unit, defaults={"role": AssignmentRole.RESPONSIBLE}
            )
        Assignment.objects.filter(item=item, unit__in=list(remove_units)).delete()
        if deadline is not None:
            item.deadline = deadline
            item.save(update_fields=["deadline"])
    audit_record(
        acting_user=acting_user,
        action="items.assign",
        target=campaign,
        summary=f"{len(items)} 个任务项",
        after={
            "items": [item.code for item in items][:200],
            "lead_unit": lead_unit.name if lead_unit else None,
            "add_units": [u.name for u in add_units],
            "remove_units": [u.name for u in remove_units],
            "deadline": deadline.isoformat() if deadline else None,
        },
    )
    return len(items)


def _check_units_in_region(units: Iterable[Unit], region: Region) -> None:
    for unit in units:
        if not unit.region.path.startswith(region.path):
            raise ValidationError(f"{unit} 不属于 {region}，不能承担该创建活动的任务。")


def _set_lead(item: Item, unit: Unit) -> None:
    Assignment.objects.filter(item=item, role=AssignmentRole.LEAD).exclude(unit=unit).update(
        role=AssignmentRole.RESPONSIBLE
    )
    Assignment.objects.update_or_create(
        item=item, unit=unit, defaults={"role": AssignmentRole.LEAD}
    )


@transaction.atomic
def item_resolve_unit(
    *, acting_user, item: Item, text: str, units: Iterable[Unit], role: str | None = None
) -> Item:
    """The user's answer to an uncertain unit name from the framework table: the units it
    means (none to drop the name)."""
    check_campaign_editable(acting_user, item.campaign)
    entry = next((e for e in item.unresolved_units if e["text"] == text), None)
    if entry is None:
        raise ValidationError(f"“{text}”不在待确认的单位名称中。")
    units = list(units)
    _check_units_in_region(units, item.campaign.region)
    role = role or entry["role"]
    for unit in units:
        if role == AssignmentRole.LEAD and not item.assignments.filter(role="lead").exists():
            _set_lead(item, unit)
        else:
            Assignment.objects.get_or_create(
                item=item, unit=unit, defaults={"role": AssignmentRole.RESPONSIBLE}
            )
    item.unresolved_units = [e for e in item.unresolved_units if e["text"] != text]
    item.save(update_fields=["unresolved_units"])
    audit_record(
        acting_user=acting_user,
        action="item.resolve_unit",
        target=item,
        region=item.campaign.region,
        after={"text": text, "units": [u.name for u in units], "role": role},
    )
    return item


# -- status ----------------------------------------------------------------------------------

OPEN_STATES = {ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS}
LOCKED_STATES = {ItemStatus.SUBMITTED, ItemStatus.APPROVED}


def refresh_item_status(item: Item) -> Item:
    """Recount an item's materials and move it between 未开始 and 进行中; the states that reviews
    set (已提交/已退回/已通过) are kept. An item with refined items takes its state from them."""
    children = list(item.children.all())
    if children:
        item.evidence_count = sum(child.evidence_count for child in children)
        item.status = _combined_status([child.status for child in children])
    else:
        item.evidence_count = item.evidence.filter(deleted_at__isnull=True).count()
        if item.status in OPEN_STATES:
            has_any = item.evidence_count > 0
            item.status = ItemStatus.IN_PROGRESS if has_any else ItemStatus.NOT_STARTED
    item.save(update_fields=["evidence_count", "status"])
    _refresh_parent_status(item)
    return item


def _refresh_parent_status(item: Item) -> None:
    if item.parent_id:
        refresh_item_status(Item.objects.get(pk=item.parent_id))


def _combined_status(states: list[str]) -> str:
    if all(s == ItemStatus.APPROVED for s in states):
        return ItemStatus.APPROVED
    if any(s == ItemStatus.RETURNED for s in states):
        return ItemStatus.RETURNED
    if all(s in LOCKED_STATES for s in states):
        return ItemStatus.SUBMITTED
    if all(s == ItemStatus.NOT_STARTED for s in states):
        return ItemStatus.NOT_STARTED
    return ItemStatus.IN_PROGRESS


def check_item_open_for_evidence(item: Item) -> None:
    if item.archived_at is not None:
        raise ValidationError(f"{item.code} 已随指标体系新版本撤销，只能查看。")
    check_not_submitted(item.campaign_id)  # a submitted filing freezes the campaign's materials
    if item.children.exists():
        raise ValidationError(f"{item.code} 已细化，请把材料上传到它的细化指标下。")
    if item.status in LOCKED_STATES:
        raise ValidationError(
            f"{item.code} {item.get_status_display()}，材料已锁定；如需修改请联系牵头科室退回。"
        )
    stages.check_open(item.campaign, "upload", item=item)


def may_submit(user, item: Item) -> bool:
    scope = Scope.for_user(user)
    if is_editable(user, Campaign, item.campaign_id):
        return True
    return bool(
        scope.unit_id
        and "liaison" in scope.roles
        and item.assignments.filter(unit_id=scope.unit_id, role=AssignmentRole.LEAD).exists()
    )


def may_review(user, item: Item) -> bool:
    return Scope.for_user(user).has_role(*REVIEW_ROLES) and (
        Item.objects.visible_to(user).filter(pk=item.pk).exists()
    )


def _set_status(item: Item, status: str, **fields) -> None:
    item.status = status
    item.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=["status", "status_changed_at", *fields])
    _refresh_parent_status(item)


@transaction.atomic
def item_submit(*, acting_user, item: Item, note: str = "") -> Item:
    """The lead unit declares the item's materials complete and sends them for review; `note`
    answers the reviewer when the item comes back from a return."""
    if not may_submit(acting_user, item):
        raise PermissionDenied("只有牵头单位的联络员或牵头科室可以提交该任务项。")
    if item.children.exists():
        raise ValidationError(f"{item.code} 已细化，请逐项提交细化指标。")
    if item.status not in {*OPEN_STATES, ItemStatus.RETURNED}:
        raise ValidationError(f"{item.code} 当前状态为“{item.get_status_display()}”，不能提交。")
    if not item.evidence.filter(deleted_at__isnull=True).exists():
        raise ValidationError(f"{item.code} 还没有任何材料，不能提交。")
    stages.check_open(item.campaign, "submit", item=item)
    _set_status(item, ItemStatus.SUBMITTED, submitted_at=timezone.now())
    from fazhi.reviews.services import review_resubmitted  # reviews build on campaigns

    review_resubmitted(item=item, acting_user=acting_user, note=note)
    audit_record(
        acting_user=acting_user, action="item.submit", target=item, region=item.campaign.region
    )
    return item


@transaction.atomic
def item_return(*, acting_user, item: Item, reason: str) -> Item:
    """Send an item back for rework, saying why; the units see the reason on their task list."""
    if not may_review(acting_user, item):
        raise PermissionDenied("您无权审核该任务项。")
    return mark_returned(item=item, reason=reason, acting_user=acting_user)


def mark_returned(*, item: Item, reason: str, acting_user) -> Item:
    """The state change behind every return, for callers that have checked who may return
    (`item_return` here, a round's verdict in reviews)."""
    if not reason.strip():
        raise ValidationError({"reason": "退回时请写明原因，便于单位整改。"})
    if item.status not in LOCKED_STATES:
        raise ValidationError(f"{item.code} 尚未提交，不能退回。")
    _set_status(item, ItemStatus.RETURNED, return_reason=reason.strip())
    audit_record(
        acting_user=acting_user,
        action="item.return",
        target=item,
        region=item.campaign.region,
        after={"reason": reason.strip()},
    )
    from fazhi.plans.services import notify_item_returned  # plans builds on campaigns

    notify_item_returned(item=item, reason=reason, acting_user=acting_user)
    return item


@transaction.atomic
def item_approve(*, acting_user, item: Item) -> Item:
    if not may_review(acting_user, item):
        raise PermissionDenied("您无权审核该任务项。")
    return mark_approved(item=item, acting_user=acting_user)


def mark_approved(*, item: Item, acting_user) -> Item:
    """The state change behind every approval; callers check who may approve."""
    if item.status != ItemStatus.SUBMITTED:
        raise ValidationError(f"{item.code} 不是“已提交”状态，不能审核通过。")
    # A reopening lasts until the item passes (see campaigns.stages).
    _set_status(item, ItemStatus.APPROVED, return_reason="", reopen_reason="", reopened_at=None)
    audit_record(
        acting_user=acting_user, action="item.approve", target=item, region=item.campaign.region
    )
    return item


# -- a new edition of the framework ----------------------------------------------------------


@transaction.atomic
def campaign_migrate(*, acting_user, campaign: Campaign, framework: Framework):
    """Move the campaign to another edition of its framework, as `editions.plan_migration`
    plans it: carried items keep their pk (so their units, refined items, materials, reviews
    and scores stay attached) and take the new code, place and texts; those whose points or
    rules changed are marked for a score re-check; new indicators become new items; withdrawn
    ones are archived, never deleted. All or nothing, in one transaction, audited."""
    check_campaign_editable(acting_user, campaign)
    if not Framework.objects.visible_to(acting_user).filter(pk=framework.pk).exists():
        raise PermissionDenied("您无权使用该指标体系。")
    # Locks the campaign: a second migration started meanwhile waits and then plans afresh.
    campaign = Campaign.objects.select_for_update().select_related("framework").get(pk=campaign.pk)
    plan = editions.plan_migration(campaign=campaign, target=framework)
    note = f"指标体系由“{plan.source}”改为“{plan.target}”时撤销"
    _archive_withdrawn(plan.of_kind("withdrawn"), note=note)
    _carry(plan.of_kind("carried") + plan.of_kind("changed"), framework=framework)
    new_nodes = Node.objects.filter(
        framework=framework, code__in=[e.new["code"] for e in plan.of_kind("new")]
    ).order_by("sort_key")
    _create_items_for_nodes(campaign, list(new_nodes))
    _move_reviewer_areas(campaign, plan)
    campaign.framework = framework
    campaign.save(update_fields=["framework"])
    counts = plan.counts()
    audit_record(
        acting_user=acting_user,
        action="campaign.migrate",
        target=campaign,
        summary=(
            f"{plan.source} → {plan.target}：沿用 {counts['carried']}，"
            f"分值或评分标准修改 {counts['changed']}，新增 {counts['new']}，"
            f"撤销 {counts['withdrawn']}"
        ),
        before={"framework": str(plan.source), "framework_id": plan.source.pk},
        after={
            "framework": str(plan.target),
            "framework_id": plan.target.pk,
            **counts,
            "withdrawn_items": [e.item.code for e in plan.of_kind("withdrawn")][:500],
            "changed_items": [e.new["code"] for e in plan.of_kind("changed")][:500],
        },
    )
    return plan


@transaction.atomic
def item_reopen(*, acting_user, item: Item, reason: str) -> Item:
    """Let an item take uploads and resubmissions past the stage that closed them, saying
    why; it stays open until it is approved."""
    check_campaign_editable(acting_user, item.campaign)
    if not reason.strip():
        raise ValidationError({"reason": "重新开放时请写明原因。"})
    if item.archived_at is not None:
        raise ValidationError(f"{item.code} 已撤销，不能重新开放。")
    if item.children.exists():
        raise ValidationError(f"{item.code} 已细化，请逐项重新开放细化指标。")
    item.reopen_reason, item.reopened_at = reason.strip(), timezone.now()
    item.save(update_fields=["reopen_reason", "reopened_at"])
    audit_record(
        acting_user=acting_user,
        action="item.reopen",
        target=item,
        region=item.campaign.region,
        after={"reason": item.reopen_reason},
    )
    return item


@transaction.atomic
def item_recheck_done(*, acting_user, item: Item) -> Item:
    """The lead office has looked at the scores again after a new edition changed the points or
    rules: the mark comes off (the scores themselves are changed on the score page)."""
    check_campaign_editable(acting_user, item.campaign)
    if not item.recheck_note:
        raise ValidationError(f"{item.code} 没有待复核的评分。")
    note, item.recheck_note = item.recheck_note, ""
    item.save(update_fields=["recheck_note"])
    audit_record(
        acting_user=acting_user,
        action="item.recheck_done",
        target=item,
        region=item.campaign.region,
        before={"recheck_note": note},
    )
    return item


def _archive_withdrawn(entries, *, note: str) -> None:
    now = timezone.now()
    ids = [e.item.pk for e in entries] + [i.pk for e in entries for i in e.refined]
    Item.objects.filter(pk__in=ids).update(archived_at=now, archive_note=note[:300])


def _carry(entries, *, framework: Framework) -> None:
    """Give carried items their new node, code, place and texts. Codes are first set to
    placeholders, since the new edition may give an item's code to another carried item."""
    nodes = {n.code: n for n in Node.objects.filter(framework=framework)}
    moved: list[Item] = []
    for entry in entries:
        item, node = entry.item, nodes[entry.new["code"]]
        old_code, old_key = item.code, item.sort_key
        item.node, item.code, item.sort_key = node, node.code, node.sort_key
        item.title, item.points = node.title, node.points
        item.scoring_rules, item.required_evidence = node.scoring_rules, node.required_evidence
        if entry.kind == "changed":
            item.recheck_note = entry.recheck_note
        moved.append(item)
        for child in entry.refined:
            child.node = node
            child.code = node.code + child.code[len(old_code) :]
            child.sort_key = node.sort_key + child.sort_key[len(old_key) :]
            moved.append(child)
    placeholders = [Item(pk=item.pk, code=f"~{item.pk}") for item in moved]
    Item.objects.bulk_update(placeholders, ["code"], batch_size=500)
    fields = ["node", "code", "sort_key", "title", "points", "scoring_rules"]
    Item.objects.bulk_update(moved, [*fields, "required_evidence", "recheck_note"], batch_size=500)


def _move_reviewer_areas(campaign: Campaign, plan) -> None:
    """Reviewers given areas (一级指标) of the old edition judge the same areas in the new one;
    an area the new edition dropped is taken off their list."""
    from fazhi.reviews.models import RoundReviewer

    through = RoundReviewer.areas.through
    links = list(through.objects.filter(roundreviewer__round__campaign=campaign))
    if not links:
        return
    old_codes = dict(
        Node.objects.filter(pk__in=[link.node_id for link in links]).values_list("pk", "code")
    )
    new_areas = dict(
        Node.objects.filter(framework=plan.target, parent__isnull=True).values_list("code", "pk")
    )
    replaced = []
    for link in links:
        new_pk = new_areas.get(plan.pairs.get(old_codes.get(link.node_id, ""), ""))
        if new_pk is not None:
            replaced.append(through(roundreviewer_id=link.roundreviewer_id, node_id=new_pk))
    through.objects.filter(pk__in=[link.pk for link in links]).delete()
    through.objects.bulk_create(replaced, ignore_conflicts=True)
