"""Writes on the org tree: regions, units, and the unit import from Excel."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fazhi.accounts.audit import audit_record, snapshot
from fazhi.core.scoping import Scope, can_write_at
from fazhi.orgs.models import Region, Unit


@transaction.atomic
def region_create(
    *, acting_user, code: str, name: str, level: str, parent: Region | None
) -> Region:
    if not Scope.for_user(acting_user).is_everything:
        raise PermissionDenied("只有系统管理员可以维护行政区划。")
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"code": f"区划代码 {code} 已存在。"})
    region = Region(code=code, name=name, level=level, parent=parent)
    region.path = f"{parent.path if parent else ''}{code}/"
    region.depth = parent.depth + 1 if parent else 0
    region.save()
    audit_record(
        acting_user=acting_user,
        action="region.create",
        target=region,
        region=region,
        after=snapshot(region, ["code", "name", "level", "parent_id"]),
    )
    return region


def _check_unit_place(acting_user, region: Region) -> None:
    if not can_write_at(acting_user, Unit, region=region):
        raise PermissionDenied(f"您无权在 {region} 下维护单位。")


@transaction.atomic
def unit_create(
    *,
    acting_user,
    region: Region,
    name: str,
    short_name: str = "",
    kind: str = "department",
    code: str = "",
    sort_order: int = 0,
) -> Unit:
    _check_unit_place(acting_user, region)
    code = code or _next_unit_code(region)
    _check_unit_unique(region=region, name=name, code=code)
    unit = Unit.objects.create(
        region=region, name=name, short_name=short_name, kind=kind, code=code, sort_order=sort_order
    )
    audit_record(
        acting_user=acting_user,
        action="unit.create",
        target=unit,
        after=snapshot(unit, ["code", "name", "short_name", "kind", "region_id"]),
    )
    return unit


def _check_unit_unique(*, region: Region, name: str, code: str, exclude_pk=None) -> None:
    clashes = Unit.objects.exclude(pk=exclude_pk)
    if clashes.filter(region=region, name=name).exists():
        raise ValidationError({"name": f"{region} 下已有名为 “{name}” 的单位。"})
    if clashes.filter(code=code).exists():
        raise ValidationError({"code": f"单位编码 “{code}” 已被使用。"})


def _next_unit_code(region: Region) -> str:
    taken = set(
        Unit.objects.filter(code__startswith=f"{region.code}-").values_list("code", flat=True)
    )
    number = len(taken) + 1
    while f"{region.code}-{number:03d}" in taken:
        number += 1
    return f"{region.code}-{number:03d}"


@transaction.atomic
def unit_update(*, acting_user, unit: Unit, **fields) -> Unit:
    _check_unit_place(acting_user, fields.get("region", unit.region))
    before = snapshot(
        unit, ["code", "name", "short_name", "kind", "region_id", "sort_order", "is_active"]
    )
    for name, value in fields.items():
        setattr(unit, name, value)
    _check_unit_unique(region=unit.region, name=unit.name, code=unit.code, exclude_pk=unit.pk)
    unit.save()
    audit_record(
        acting_user=acting_user,
        action="unit.update",
        target=unit,
        before=before,
        after=snapshot(unit, list(before)),
    )
    return unit


@transaction.atomic
def units_import(*, acting_user, rows: list[dict], source_filename: str = "") -> tuple[int, int]:
    """Create or update units from checked import rows (see orgs.importing). All or nothing.
    Returns (created, updated)."""
    created = updated = 0
    for row in rows:
        existing = Unit.objects.filter(region=row["region"], name=row["name"]).first()
        if existing is None:
            unit_create(acting_user=acting_user, **row)
            created += 1
        else:
            unit_update(
                acting_user=acting_user,
                unit=existing,
                **{
                    k: v
                    for k, v in row.items()
                    if k not in ("code", "region") and v not in ("", None)
                },
            )
            updated += 1
    audit_record(
        acting_user=acting_user,
        action="unit.import",
        summary=f"{source_filename}：新建 {created}，更新 {updated}",
    )
    return created, updated
