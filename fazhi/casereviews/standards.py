"""Standards: importing one from an Excel table (read by `standardtables`, previewed, then
stored all or nothing) or from the JSON the export writes, and exporting one back.

A standard whose points do not add up, or whose rule says more than its item is worth, is
refused with every problem named by row; a rule that cannot be read is stored as its text and
flagged. Importing under a name the region already has adds the next version."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.casereviews.models import (
    CaseType,
    RuleKind,
    Standard,
    StandardImport,
    StandardItem,
    StandardSection,
)
from fazhi.casereviews.rules import Rule, decimal_of, describe, number_out, rule_problems
from fazhi.casereviews.standardtables import FULL_MARKS, StandardReading, read_standard_table
from fazhi.core.scoping import can_write_at, is_editable
from fazhi.core.spreadsheets import ImportFailure, read_workbook
from fazhi.core.tempfiles import temp_dir

MAX_ROWS = 2000
CASE_TYPES = {**{c.value: c.value for c in CaseType}, **{c.label: c.value for c in CaseType}}
RULE_KINDS = ("fixed", "per_occurrence", "range", "whole")


def case_type_of(text: str) -> str:
    """A case type named by its code (penalty) or its name (行政处罚, 处罚)."""
    text = (text or "").strip()
    if text in CASE_TYPES:
        return CASE_TYPES[text]
    for label, value in CASE_TYPES.items():
        if text and len(text) >= 2 and (label.endswith(text) or text.endswith(label)):
            return value
    choices = "、".join(c.label for c in CaseType)
    raise ValidationError({"case_type": f"案件类型“{text}”不存在，可选：{choices}。"})


def check_standard_creatable(acting_user, region) -> None:
    if not can_write_at(acting_user, Standard, region=region):
        raise PermissionDenied(f"只有依法治办可以在 {region} 导入评查标准。")


# -- reading ------------------------------------------------------------------------------------


def read_standard_file(path: Path, *, filename: str) -> StandardReading:
    """An Excel/CSV standard, or the JSON this app exports. ImportFailure when unreadable."""
    if filename.lower().endswith(".json"):
        try:
            data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportFailure(f"“{filename}”不是有效的 JSON：{exc}") from exc
        return reading_from_json(data)
    book = read_workbook(Path(path), filename=filename, row_cap=MAX_ROWS)
    return read_standard_table(book)


def _json_rule(item: dict, where: str, reading: StandardReading) -> Rule:
    rule = item.get("rule") or {}
    kind = rule.get("kind") if isinstance(rule, dict) else None
    veto = bool(item.get("veto"))
    if kind is None:
        if not veto:
            reading.flags.append(f"{where}：扣分标准未能识别，已按原文保留")
        return Rule("whole" if veto else "unread", veto=veto)
    if kind not in RULE_KINDS:
        reading.problems.append(f"{where}：扣分方式“{kind}”不存在，可选：{'、'.join(RULE_KINDS)}")
        return Rule("unread", veto=veto)
    values = {
        key: decimal_of(rule[key]) if key in rule else None for key in ("per", "cap", "min", "max")
    }
    needed = (
        {"fixed": ("per",), "per_occurrence": ("per", "cap"), "range": ("min", "max")}[kind]
        if kind != "whole"
        else ()
    )
    missing = [key for key in needed if values[key] is None]
    if missing:
        reading.problems.append(f"{where}：扣分方式 {kind} 缺少 {'、'.join(missing)}")
    return Rule(kind, values["per"], values["cap"], values["min"], values["max"], veto)


def reading_from_json(data) -> StandardReading:
    """The export's JSON read back, checked as strictly as a table."""
    from fazhi.casereviews.standardtables import ItemRow, SectionRows, _check_points

    reading = StandardReading()
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        reading.problems.append('JSON 应为 {"name", "case_type", "sections": [...]} 的形式')
        return reading
    for s_index, section in enumerate(data["sections"], start=1):
        if not isinstance(section, dict):
            reading.problems.append(f"第 {s_index} 部分：格式不对")
            continue
        title = str(section.get("title") or f"第 {s_index} 部分")
        points = decimal_of(section.get("points")) if section.get("points") is not None else None
        rows = SectionRows(title=title, row=s_index, points=points)
        items = section.get("items") or []
        rows.veto_section = bool(items) and all(
            bool(i.get("veto")) for i in items if isinstance(i, dict)
        )
        for i_index, item in enumerate(items, start=1):
            where = f"第 {s_index} 部分第 {i_index} 项"
            if not isinstance(item, dict) or not str(item.get("title") or "").strip():
                reading.problems.append(f"{where}：缺少评查内容（title）")
                continue
            item_points = decimal_of(item.get("points", 0)) or Decimal(0)
            rule = _json_rule(item, where, reading)
            if not rule.veto:
                reading.problems += [f"{where}：{p}" for p in rule_problems(rule, item_points)]
            rows.items.append(
                ItemRow(
                    row=i_index,
                    code=str(item.get("code") or f"{s_index}.{i_index}")[:20],
                    title=str(item["title"]).strip(),
                    points=item_points,
                    rule_text=str(item.get("text") or ""),
                    rule=rule,
                    veto=rule.veto,
                )
            )
        reading.sections.append(rows)
    _check_points(reading)
    return reading


def read_upload(uploaded_file) -> tuple[StandardReading, str]:
    filename = Path(uploaded_file.name or "评查标准.xlsx").name
    limit = settings.FAZHI_IMPORT_MAX_BYTES
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(
            f"文件“{filename}”超过 {limit // (1024 * 1024)} MB，请检查是否选错了文件。"
        )
    with temp_dir("casereview-") as folder:
        path = Path(folder) / ("upload" + Path(filename).suffix.lower()[:10])
        with path.open("wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        try:
            return read_standard_file(path, filename=filename), filename
        except ImportFailure as exc:
            raise ValidationError(str(exc)) from exc


# -- storing ------------------------------------------------------------------------------------


def standard_import_preview(*, acting_user, region, name: str, case_type: str, uploaded_file):
    """Read an upload into a draft; no standard exists before the confirmation."""
    check_standard_creatable(acting_user, region)
    name = _checked_name(name)
    case_type = case_type_of(case_type)
    reading, filename = read_upload(uploaded_file)
    return StandardImport.objects.create(
        region=region,
        name=name,
        case_type=case_type,
        created_by=stored_user(acting_user),
        source_name=filename[:255],
        result=reading.as_json(),
    )


def standard_import_commit(*, acting_user, draft: StandardImport) -> Standard:
    if draft.result.get("problems"):
        raise ValidationError("评查标准中还有错误，请修改表格后重新上传。")
    with transaction.atomic():
        draft = StandardImport.objects.select_for_update().get(pk=draft.pk)
        if draft.status != StandardImport.Status.PREVIEW:
            raise ValidationError("该评查标准已经导入。")
        standard = standard_create(
            acting_user=acting_user,
            region=draft.region,
            name=draft.name,
            case_type=draft.case_type,
            reading=draft.result,
            source_name=draft.source_name,
        )
        draft.status = StandardImport.Status.COMMITTED
        draft.save(update_fields=["status"])
    return standard


def _checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写标准名称。"})
    return name[:200]


@transaction.atomic
def standard_create(
    *, acting_user, region, name: str, case_type: str, reading: dict, source_name: str = ""
) -> Standard:
    """Store a standard read (`StandardReading.as_json()`), refused while it has problems."""
    check_standard_creatable(acting_user, region)
    name = _checked_name(name)
    case_type = case_type_of(case_type)
    if reading.get("problems"):
        raise ValidationError(reading["problems"])
    version = (
        Standard.objects.filter(region=region, name=name).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    standard = Standard.objects.create(
        region=region,
        name=name,
        case_type=case_type,
        version=version,
        source_name=source_name[:255],
        created_by=stored_user(acting_user),
    )
    for s_index, section in enumerate(reading["sections"], start=1):
        stored = StandardSection.objects.create(
            standard=standard,
            position=s_index,
            title=section["title"][:200],
            points=Decimal(str(section["points"])),
        )
        StandardItem.objects.bulk_create(
            _item(stored, i_index, item) for i_index, item in enumerate(section["items"], start=1)
        )
    flags = reading.get("flags", [])
    audit_record(
        acting_user=acting_user,
        action="casereview.standard_import",
        target=standard,
        region=region,
        summary=f"导入评查标准“{name}”第 {version} 版",
        after={"source": source_name, "flags": len(flags)},
    )
    return standard


def _item(section: StandardSection, position: int, item: dict) -> StandardItem:
    rule = item["rule"]
    return StandardItem(
        section=section,
        position=position,
        code=item["code"],
        title=item["title"],
        points=Decimal(str(item["points"])),
        kind=rule.get("kind") or RuleKind.UNREAD,
        per=rule.get("per"),
        cap=rule.get("cap"),
        low=rule.get("min"),
        high=rule.get("max"),
        rule_text=item.get("rule_text", ""),
        veto=item["veto"],
    )


@transaction.atomic
def standard_set_thresholds(*, acting_user, standard: Standard, excellent, passing) -> Standard:
    if not is_editable(acting_user, Standard, standard.pk):
        raise PermissionDenied("只有依法治办可以设置等次分数线。")
    excellent, passing = decimal_of(excellent), decimal_of(passing)
    if excellent is None or passing is None or not 0 < passing < excellent <= FULL_MARKS:
        raise ValidationError("分数线应满足 0 < 合格分数线 < 优秀分数线 ≤ 100。")
    standard.excellent_from, standard.pass_from = excellent, passing
    standard.save(update_fields=["excellent_from", "pass_from"])
    audit_record(
        acting_user=acting_user,
        action="casereview.standard_thresholds",
        target=standard,
        region=standard.region,
        summary=f"优秀 ≥ {number_out(excellent)}，合格 ≥ {number_out(passing)}",
    )
    return standard


# -- exporting ----------------------------------------------------------------------------------


def item_rule_json(item: StandardItem) -> dict:
    return Rule(item.kind, item.per, item.cap, item.low, item.high, item.veto).as_json()


def rule_words(item: StandardItem) -> str:
    if item.veto:
        return "否决项：案卷评为不合格，计 0 分"
    return item.rule_text or describe(
        item.kind, per=item.per, cap=item.cap, low=item.low, high=item.high
    )


def standard_as_json(standard: Standard) -> dict:
    """The exchange shape of the issue: name, case type, sections with their items."""
    return {
        "name": standard.name,
        "case_type": standard.case_type,
        "version": standard.version,
        "thresholds": {
            "优秀": number_out(standard.excellent_from),
            "合格": number_out(standard.pass_from),
        },
        "sections": [
            {
                "title": section.title,
                "points": number_out(section.points),
                "items": [
                    {
                        "code": item.code,
                        "title": item.title,
                        "points": number_out(item.points),
                        "rule": item_rule_json(item),
                        "veto": item.veto,
                        "text": item.rule_text,
                    }
                    for item in section.items.all()
                ],
            }
            for section in standard.sections.prefetch_related("items")
        ],
    }
