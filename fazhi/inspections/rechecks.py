"""回头看: a sample of closed findings drawn for re-check, and the re-check's verdict. The seed is
kept with the draw, so the same seed over the same findings draws the same sample again (the
findings are taken in a fixed order before drawing)."""

from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.core.scoping import is_editable
from fazhi.inspections.models import (
    Finding,
    FindingStatus,
    Inspection,
    RecheckDraw,
    RecheckItem,
    RecheckResult,
    UpdateKind,
)
from fazhi.inspections.services import check_verify, finding_reopen, record_update

MAX_SEED = 2**31 - 1


def draw_sample(findings: list[Finding], *, count, percent, per_unit: bool, seed: int):
    """The findings drawn: `count` of them, or `percent` per cent rounded up (at least one),
    from all of them or from each responsible unit's apart."""
    ordered = sorted(findings, key=lambda f: f.pk)
    groups: dict[object, list[Finding]] = defaultdict(list)
    for finding in ordered:
        groups[finding.responsible_unit_id if per_unit else None].append(finding)
    rng = random.Random(seed)
    drawn: list[Finding] = []
    for key in sorted(groups, key=lambda k: (k is None, k or 0)):
        pool = groups[key]
        size = count if count is not None else max(1, math.ceil(len(pool) * percent / 100))
        drawn += rng.sample(pool, min(size, len(pool)))
    return sorted(drawn, key=lambda f: (f.position, f.pk))


@transaction.atomic
def recheck_draw(
    *,
    acting_user,
    inspection: Inspection,
    count: int | None = None,
    percent: int | None = None,
    per_unit: bool = False,
    seed: int | None = None,
) -> RecheckDraw:
    if not is_editable(acting_user, Inspection, inspection.pk):
        raise PermissionDenied("只有督察方可以抽取回头看样本。")
    if (count is None) == (percent is None):
        raise ValidationError("请填写抽取数量或抽取比例（二选一）。")
    if count is not None and count < 1:
        raise ValidationError({"count": "抽取数量至少为 1。"})
    if percent is not None and not 1 <= percent <= 100:
        raise ValidationError({"percent": "抽取比例应在 1 到 100 之间。"})
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ValidationError({"seed": f"随机种子应在 0 到 {MAX_SEED} 之间。"})
    closed = list(inspection.findings.filter(status=FindingStatus.CLOSED))
    if not closed:
        raise ValidationError("本次督察还没有已销号的问题，无法抽取回头看样本。")
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    drawn = draw_sample(closed, count=count, percent=percent, per_unit=per_unit, seed=seed)
    draw = RecheckDraw.objects.create(
        inspection=inspection,
        seed=seed,
        count=count,
        percent=percent,
        per_unit=per_unit,
        created_by=stored_user(acting_user),
    )
    RecheckItem.objects.bulk_create(RecheckItem(draw=draw, finding=f) for f in drawn)
    audit_record(
        acting_user=acting_user,
        action="inspection.recheck_draw",
        target=draw,
        region=inspection.region,
        after={
            "seed": seed,
            "count": count,
            "percent": percent,
            "per_unit": per_unit,
            "findings": [f.number for f in drawn],
        },
    )
    return draw


@transaction.atomic
def recheck_decide(*, acting_user, item: RecheckItem, confirm: bool, note: str = "") -> RecheckItem:
    """整改到位 keeps the finding closed; otherwise it is reopened with the note as the reason."""
    finding = item.finding
    check_verify(acting_user, finding)
    item = RecheckItem.objects.select_for_update().get(pk=item.pk)
    if item.result != RecheckResult.PENDING:
        raise ValidationError(f"问题 {finding.number} 已复查（{item.get_result_display()}）。")
    if confirm:
        record_update(finding, UpdateKind.RECHECKED, note, acting_user)
    else:
        finding_reopen(acting_user=acting_user, finding=finding, note=note or "回头看发现问题反弹")
    item.result = RecheckResult.CONFIRMED if confirm else RecheckResult.REOPENED
    item.note = note.strip()
    item.checked_at = timezone.now()
    item.save(update_fields=["result", "note", "checked_at"])
    audit_record(
        acting_user=acting_user,
        action="finding.recheck",
        target=finding,
        region=finding.inspection.region,
        after={"result": item.result, "note": item.note},
    )
    return item
