"""Choosing the filing (申报清单): the lead office decides, material by material, whether it goes
into the filing (and if not, why not) and where it stands among its item's materials.

A material nobody has decided on follows the default: in the filing when its item is approved,
in upload order. The package, the index and the volumes read these rules through
`fazhi/filing/contents.py`; the 申报清单 pages read them through `choice_rows`.

Only the lead office of the campaign's region decides (`FilingChoice.scope_policy`); a unit sees
the decisions on its own items. Materials are looked up through the scoping mechanism, so an id
of a material out of the user's reach, or of another item, is refused like one that does not
exist, and nothing is changed."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns.models import Item, ItemStatus
from fazhi.core.listing import parse_id
from fazhi.core.scoping import can_write_at
from fazhi.evidence.models import Evidence
from fazhi.filing.freeze import check_not_submitted
from fazhi.filing.models import FilingChoice

INCLUDE, EXCLUDE, DEFAULT = "include", "exclude", "default"
DECISIONS = {INCLUDE: "纳入申报", EXCLUDE: "不纳入申报", DEFAULT: "恢复默认"}
REASON_MAX = 200
UP, DOWN = "up", "down"


# -- the rules -----------------------------------------------------------------------------------


def choice_of(evidence: Evidence) -> FilingChoice | None:
    try:
        return evidence.filing_choice
    except FilingChoice.DoesNotExist:
        return None


def is_decided(evidence: Evidence) -> bool:
    choice = choice_of(evidence)
    return choice is not None and choice.included is not None


def in_filing(evidence: Evidence, item: Item) -> bool:
    """The lead office's decision, or else the default: in when the item is approved."""
    choice = choice_of(evidence)
    if choice is not None and choice.included is not None:
        return choice.included
    return item.status == ItemStatus.APPROVED


def in_filing_order(materials) -> list[Evidence]:
    """Materials placed by the lead office first, by their place; the rest (uploaded since, or
    never moved) after them in upload order."""

    def key(evidence: Evidence):
        choice = choice_of(evidence)
        if choice is not None and choice.position is not None:
            return (0, choice.position, 0.0, evidence.pk)
        return (1, 0, evidence.created_at.timestamp(), evidence.pk)

    return sorted(materials, key=key)


@dataclass(frozen=True)
class ChoiceRow:
    """One material on an item's 申报清单 page."""

    place: int  # 1-based, among all the item's live materials
    evidence: Evidence
    included: bool
    decided: bool
    reason: str


def choice_rows(item: Item, materials) -> list[ChoiceRow]:
    rows = []
    for place, evidence in enumerate(in_filing_order(materials), start=1):
        choice = choice_of(evidence)
        rows.append(
            ChoiceRow(
                place=place,
                evidence=evidence,
                included=in_filing(evidence, item),
                decided=is_decided(evidence),
                reason=choice.reason if choice else "",
            )
        )
    return rows


def filing_decisions(item: Item, materials: list[Evidence]) -> dict[int, ChoiceRow]:
    """Each material's standing in the filing, for the item page (one query)."""
    decided = FilingChoice.objects.filter(evidence__in=[e.pk for e in materials])
    by_material = {choice.evidence_id: choice for choice in decided}
    cache = Evidence.filing_choice.related
    for evidence in materials:
        # Known now (None too): the rules below need not ask the database once per material.
        cache.set_cached_value(evidence, by_material.get(evidence.pk))
    return {row.evidence.pk: row for row in choice_rows(item, materials)}


# -- deciding ------------------------------------------------------------------------------------


def _check_may_choose(acting_user, item: Item) -> None:
    if not can_write_at(acting_user, FilingChoice, region=item.campaign.region):
        raise PermissionDenied("只有创建地区的牵头部门可以决定申报材料。")
    check_not_submitted(item.campaign_id, what="申报清单")


def _live_materials(acting_user, item: Item):
    """The item's live materials as the user may see them, with their decisions."""
    return (
        Evidence.objects.visible_to(acting_user)
        .alive()
        .filter(item=item, current__isnull=False)
        .select_related("filing_choice", "current__blob", "unit")
    )


def _named(acting_user, item: Item, evidence_ids) -> list[Evidence]:
    """The materials the ids name, all of them of this item and in reach, or a refusal naming
    the ones that are not."""
    wanted = {parse_id(pk) for pk in evidence_ids}
    if None in wanted:  # not a number, or past what the database holds
        raise ValidationError("材料编号不正确，未做任何改动。")
    if not wanted:
        raise ValidationError("请先勾选要处理的材料。")
    found = list(_live_materials(acting_user, item).filter(pk__in=wanted))
    missing = sorted(wanted - {e.pk for e in found})
    if missing:
        shown = "、".join(f"#{pk}" for pk in missing[:5]) + ("等" if len(missing) > 5 else "")
        raise ValidationError(
            f"材料 {shown} 不是 {item.code} 下您可以处理的材料（或已删除），未做任何改动。"
        )
    return found


def choice_decide(*, acting_user, item: Item, evidence_ids, decision: str, reason: str = "") -> int:
    """Put the materials in the filing, leave them out with a reason, or return them to the
    default. Returns how many were decided."""
    _check_may_choose(acting_user, item)
    if decision not in DECISIONS:
        raise ValidationError("请选择纳入、不纳入或恢复默认。")
    reason = (reason or "").strip()
    if decision == EXCLUDE and not reason:
        raise ValidationError({"reason": "不纳入申报须写明原因（如：重复材料、与指标无关）。"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"不纳入原因不超过 {REASON_MAX} 字。"})
    materials = _named(acting_user, item, evidence_ids)
    now, who = timezone.now(), stored_user(acting_user)
    with transaction.atomic():
        for evidence in materials:
            choice = choice_of(evidence) or FilingChoice(evidence=evidence)
            choice.included = {INCLUDE: True, EXCLUDE: False, DEFAULT: None}[decision]
            choice.reason = reason if decision == EXCLUDE else ""
            choice.decided_by, choice.decided_at = who, now
            choice.save()
        audit_record(
            acting_user=acting_user,
            action="filing.choose",
            target=item,
            region=item.campaign.region,
            summary=f"{item.code}：{len(materials)} 份材料{DECISIONS[decision]}",
            after={
                "decision": decision,
                "reason": reason,
                "materials": sorted(e.pk for e in materials),
            },
        )
    return len(materials)


def all_material_ids(acting_user, item: Item) -> list[int]:
    return list(_live_materials(acting_user, item).values_list("pk", flat=True))


# -- ordering ------------------------------------------------------------------------------------


def choice_move(*, acting_user, item: Item, evidence_id, direction: str) -> None:
    """Move one material a place up or down among its item's materials."""
    _check_may_choose(acting_user, item)
    if direction not in (UP, DOWN):
        raise ValidationError("只能上移或下移。")
    (moved,) = _named(acting_user, item, [evidence_id])
    ordered = in_filing_order(_live_materials(acting_user, item))
    at = next(n for n, e in enumerate(ordered) if e.pk == moved.pk)
    to = at - 1 if direction == UP else at + 1
    if not 0 <= to < len(ordered):
        raise ValidationError(f"“{moved.title}”已在{'最前' if direction == UP else '最后'}。")
    ordered[at], ordered[to] = ordered[to], ordered[at]
    _save_order(
        acting_user,
        item,
        ordered,
        summary=f"“{moved.title}”{'上移' if direction == UP else '下移'}",
    )


def choice_renumber(*, acting_user, item: Item, places: dict) -> None:
    """Give materials new places (1 = first). The materials named take the places asked for;
    the others keep their order around them."""
    _check_may_choose(acting_user, item)
    ordered = in_filing_order(_live_materials(acting_user, item))
    named = {e.pk: e for e in _named(acting_user, item, places.keys())}
    count = len(ordered)
    wanted = {}
    for pk, text in places.items():
        evidence = named[parse_id(pk)]
        try:
            place = int(str(text).strip())
        except ValueError:
            place = 0
        if not 1 <= place <= count:
            raise ValidationError(
                f"“{evidence.title}”的顺序应为 1–{count} 之间的整数，未做任何改动。"
            )
        wanted[evidence.pk] = place
    current = {e.pk: n for n, e in enumerate(ordered, start=1)}
    # A material given a new place goes before one that merely keeps its place there.
    ordered.sort(
        key=lambda e: (
            wanted.get(e.pk, current[e.pk]),
            0 if wanted.get(e.pk, current[e.pk]) != current[e.pk] else 1,
            current[e.pk],
        )
    )
    _save_order(acting_user, item, ordered, summary="调整顺序")


def _save_order(acting_user, item: Item, ordered: list[Evidence], *, summary: str) -> None:
    with transaction.atomic():
        for place, evidence in enumerate(ordered, start=1):
            choice = choice_of(evidence)
            if choice is None:
                FilingChoice.objects.create(evidence=evidence, position=place)
            elif choice.position != place:
                FilingChoice.objects.filter(pk=choice.pk).update(position=place)
        audit_record(
            acting_user=acting_user,
            action="filing.reorder",
            target=item,
            region=item.campaign.region,
            summary=f"{item.code}：{summary}",
            after={"order": [e.pk for e in ordered]},
        )


# -- one material ----------------------------------------------------------------------------------


def choice_set(
    *,
    acting_user,
    evidence: Evidence,
    decision: str | None = None,
    reason: str = "",
    place: int | None = None,
) -> ChoiceRow:
    """Decide one material and/or give it a place among its item's materials, all or nothing
    (the API's one-material edit: the same rules as the page's buttons). Returns its row."""
    if decision is None and place is None:
        raise ValidationError("请给出是否纳入申报（decision）或序号（place），未做任何改动。")
    item = evidence.item
    with transaction.atomic():
        if decision is not None:
            choice_decide(
                acting_user=acting_user,
                item=item,
                evidence_ids=[evidence.pk],
                decision=decision,
                reason=reason,
            )
        if place is not None:
            choice_renumber(acting_user=acting_user, item=item, places={evidence.pk: place})
    rows = choice_rows(item, _live_materials(acting_user, item))
    return next(row for row in rows if row.evidence.pk == evidence.pk)
