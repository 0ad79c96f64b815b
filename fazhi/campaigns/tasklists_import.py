"""Importing a task list (任务清单): the lead office's edited list or a city's refined list.

upload → `tasklist_import_preview` (the file is streamed to a temporary file, read, matched
against the campaign and kept only as a JSON preview) → the user confirms the uncertain unit
names → `tasklist_import_commit` applies everything in one transaction, or nothing.

The rules, in one place (`plan_units`, `_apply`):
- A row whose code is an item of the campaign updates that item: its lead unit, its responsible
  units and its deadline; for refined items (细化指标) also its title and points. Indicator titles
  and points come from the framework and are not changed.
- A code that is not an item but whose parent code is one ("3.2.37.1" under "3.2.37", or under a
  refined item added earlier in the same file) adds a refined item, starting from its parent's
  units and deadline, as `item_refine` does.
- Any other code is an error naming the row and cell.
- A blank cell (or one whose every name is dropped) leaves that field unchanged; a filled unit
  cell replaces: the responsible units become exactly those named. A unit named in both columns
  is the lead; further units in the lead column, and groups, are responsible units.
- Unit names go through the campaign's UnitMatcher: exact and likely matches are applied, the
  rest wait for the user, who picks a unit or "不分配" for each distinct name.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns import selectors, services
from fazhi.campaigns.deadlines import parse_deadline
from fazhi.campaigns.models import Assignment, AssignmentRole, Campaign, Item, TaskListImport
from fazhi.campaigns.tasklists_reading import RawRecord, SheetReading, read_task_sheet, text_of
from fazhi.core.spreadsheets import ImportFailure, read_workbook
from fazhi.frameworks.models import Node
from fazhi.frameworks.tree import format_points
from fazhi.orgs.matching import Confidence, UnitMatch, UnitMatcher
from fazhi.orgs.models import Unit

CERTAIN = {Confidence.EXACT, Confidence.LIKELY}
DROP = "drop"  # the answer "不分配"
ALL = "all"  # the answer "use the proposed units" for a vague group ("相关部门")
NEW_CODE = re.compile(r"^(?P<parent>.+)\.(?P<position>[1-9]\d{0,3})$")
MAX_POINTS = Decimal("999999.99")


# -- preview ---------------------------------------------------------------------------------


def tasklist_import_preview(*, acting_user, campaign: Campaign, uploaded_file) -> TaskListImport:
    """Read an uploaded task list into a preview draft; nothing reaches the items yet. A file
    that cannot be read at all is a ValidationError; problems in rows are in the preview."""
    _check_editable(acting_user, campaign)
    filename = Path(uploaded_file.name or "upload.xlsx").name
    limit = settings.FAZHI_IMPORT_MAX_BYTES
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(_too_large(filename, limit))
    with tempfile.TemporaryDirectory(prefix="fazhi-tasklist-") as folder:
        path = Path(folder) / ("upload" + Path(filename).suffix.lower()[:10])
        _save_upload(uploaded_file, path, limit, filename)
        try:
            result = parse_task_list(path, filename=filename, campaign=campaign)
        except ImportFailure as exc:
            raise ValidationError(str(exc)) from exc
    return TaskListImport.objects.create(
        campaign=campaign,
        created_by=stored_user(acting_user),
        source_filename=filename,
        result=result,
    )


def _too_large(filename: str, limit: int) -> str:
    return f"文件 “{filename}” 超过 {limit // (1024 * 1024)} MB，任务清单表格通常不会这么大，请检查是否选错了文件。"


def _save_upload(upload, path: Path, limit: int, filename: str) -> None:
    """Copy in chunks, counting: the declared size of an upload is not to be trusted."""
    written = 0
    with path.open("wb") as out:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > limit:
                raise ValidationError(_too_large(filename, limit))
            out.write(chunk)


def parse_task_list(path, *, filename: str, campaign: Campaign) -> dict:
    """The preview of a task list file as JSON: records, errors, warnings, names to confirm."""
    max_rows = settings.FAZHI_IMPORT_MAX_ROWS
    book = read_workbook(path, filename=filename, row_cap=max_rows)
    headings = set(
        Node.objects.filter(framework_id=campaign.framework_id, children__isnull=False)
        .values_list("code", flat=True)
        .distinct()
    )
    reading = read_task_sheet(book, heading_codes=headings, max_rows=max_rows)
    for issue in book.issues:
        reading.log.warning(issue.message)
    return _PreviewBuilder(campaign, reading).build(source_format=book.source_format)


class _PreviewBuilder:
    def __init__(self, campaign: Campaign, reading: SheetReading):
        self.campaign = campaign
        self.reading = reading
        self.log = reading.log
        self.items = _items_by_code(campaign)
        self.with_evidence = set(
            campaign.items.filter(evidence__deleted_at__isnull=True)
            .values_list("code", flat=True)
            .distinct()
        )
        self.matcher: UnitMatcher = services.unit_matcher_for(campaign.region)
        self.names: dict[str, dict] = {}
        self.new_codes: set[str] = set()
        self.rows_with_errors: set[int] = set()

    def build(self, *, source_format: str) -> dict:
        records = [r for raw in self.reading.records if (r := self._record(raw)) is not None]
        issues = [_issue_json(issue) for issue in self.log.issues()]
        errors = [issue for issue in issues if issue["level"] == "error"]
        names = list(self.names.values())
        return {
            "sheet": self.reading.sheet,
            "source_format": source_format,
            "header_rows": self.reading.header_rows,
            "columns": {name: self.reading.letter(name) for name in self.reading.columns},
            "records": records,
            "names": names,
            "errors": errors,
            "warnings": [issue for issue in issues if issue["level"] == "warning"],
            "counts": {
                "updated": sum(1 for r in records if r["status"] == "update"),
                "created": sum(1 for r in records if r["status"] == "create"),
                "unchanged": sum(1 for r in records if r["status"] == "unchanged"),
                "errors": len(errors),
                "names": len(names),
            },
        }

    def _error(self, raw: RawRecord, field_name: str, message: str) -> None:
        letter = self.reading.letter(field_name)
        self.log.error(f"第 {raw.row} 行 {letter} 列：{message}", row=raw.row, column=letter)
        self.rows_with_errors.add(raw.row)

    def _warning(self, raw: RawRecord, field_name: str, message: str) -> None:
        letter = self.reading.letter(field_name)
        self.log.warning(f"第 {raw.row} 行 {letter} 列：{message}", row=raw.row, column=letter)

    def _record(self, raw: RawRecord) -> dict | None:
        item = self.items.get(raw.code)
        parent_code = _parent_code(raw.code)
        if item is None and parent_code not in self.items and parent_code not in self.new_codes:
            self._error(raw, "code", f"编码 {raw.code} 不在本活动的指标中")
            return None
        refined = item is None or item.is_refined
        record = {
            "row": raw.row,
            "rows": raw.rows,
            "code": raw.code,
            "parent": parent_code if item is None else None,
            "title": raw.title if refined else "",
            "points": self._points(raw, item, refined),
            "deadline": self._deadline(raw),
            "lead": self._entries(raw, raw.lead_texts, AssignmentRole.LEAD),
            "responsible": self._entries(raw, raw.responsible_texts, AssignmentRole.RESPONSIBLE),
        }
        if item is None and not self._may_add(raw, parent_code):
            return None
        if raw.row in self.rows_with_errors:
            return None
        record["pending"] = any(e["ask"] for e in record["lead"] + record["responsible"])
        if item is None:
            self.new_codes.add(raw.code)
            record["status"] = "create"
            record["changes"] = [f"新增细化指标（上级 {parent_code}）"]
            return record
        record["changes"] = describe_changes(item, record, chosen={})
        record["status"] = "update" if record["changes"] or record["pending"] else "unchanged"
        return record

    def _may_add(self, raw: RawRecord, parent_code: str) -> bool:
        if not NEW_CODE.match(raw.code):
            self._error(
                raw,
                "code",
                f"新增细化指标的编码 {raw.code} 应为上级编码后加序号，如 {parent_code}.1",
            )
        elif parent_code in self.with_evidence:
            self._error(
                raw,
                "code",
                f"{parent_code} 已有单位上传的材料，不能再细化；请先把材料移到其他任务项或删除",
            )
        elif not raw.title:
            self._error(raw, "title", f"新增细化指标 {raw.code} 缺少内容")
        return raw.row not in self.rows_with_errors

    def _points(self, raw: RawRecord, item: Item | None, refined: bool) -> str | None:
        if raw.points is None:
            return None
        points = points_value(raw.points)
        if not refined:
            if points is not None and points != item.points:
                self._warning(raw, "points", "指标的分值以指标体系为准，表中的分值未导入")
            return None
        if points is None:
            self._error(raw, "points", f"分值 “{text_of(raw.points)}” 不是有效的数字")
            return None
        return format_points(points)

    def _deadline(self, raw: RawRecord) -> str | None:
        if raw.deadline is None:
            return None
        text = text_of(raw.deadline)
        try:
            found = parse_deadline(text, default_year=self.campaign.period_end.year)
        except ValueError:
            found = None
        if found is not None:
            return found.isoformat()
        if re.search(r"\d", text):
            self._error(raw, "deadline", f"完成时限 “{text}” 不是有效的日期")
        else:
            self._warning(raw, "deadline", f"完成时限 “{text}” 不是具体日期，未修改")
        return None

    def _entries(self, raw: RawRecord, texts: list[str], role: str) -> list[dict]:
        entries = []
        for text in texts:
            for match in self.matcher.match_all(text):
                entries.append(self._entry(raw, match, role))
        return entries

    def _entry(self, raw: RawRecord, match: UnitMatch, role: str) -> dict:
        sure = match.confidence in CERTAIN and bool(match.units)
        entry = {
            "text": match.text,
            "role": str(role),
            "units": [[unit.pk, unit.name] for unit in match.units] if sure else [],
            "is_group": match.is_group,
            "note": match.note,
            "ask": None,
        }
        if not sure:
            entry["ask"] = self._ask(match, raw.row)
        return entry

    def _ask(self, match: UnitMatch, row: int) -> str:
        """One question per distinct name, however many rows carry it."""
        for key, name in self.names.items():
            if name["text"] == match.text:
                if row not in name["rows"]:
                    name["rows"].append(row)
                return key
        key = f"n{len(self.names) + 1}"
        self.names[key] = {
            "key": key,
            "text": match.text,
            "note": match.note,
            "confidence": str(match.confidence),
            "is_group": match.is_group,
            "proposed": [[unit.pk, unit.name] for unit in match.units],
            "candidates": [[unit.pk, unit.name, score] for unit, score in match.candidates],
            "rows": [row],
        }
        return key


def _issue_json(issue) -> dict:
    return {
        "level": issue.level,
        "row": issue.row,
        "column": issue.column,
        "message": issue.message,
    }


def _items_by_code(campaign: Campaign) -> dict[str, Item]:
    assignments = Prefetch("assignments", queryset=Assignment.objects.select_related("unit"))
    return {item.code: item for item in campaign.items.prefetch_related(assignments)}


def _parent_code(code: str) -> str:
    return code.rpartition(".")[0]


def points_value(value) -> Decimal | None:
    text = text_of(value).removesuffix("分").strip()
    try:
        points = Decimal(text)
    except InvalidOperation:
        return None
    if not points.is_finite() or points < 0 or points > MAX_POINTS:
        return None
    return points.quantize(Decimal("0.01"))


# -- the rule for units ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitPlan:
    lead: int | None  # None: keep the lead
    responsible: frozenset[int] | None  # None: keep the responsible units
    extra: frozenset[int]  # responsible units added in any case (groups in the lead column)


def plan_units(record: dict, chosen: Mapping[str, list[int]]) -> UnitPlan:
    """What the row asks for. `chosen` holds the user's answers for uncertain names; a name not
    answered yet (in the preview) counts as not written."""

    def ids(entry) -> list[int]:
        if entry["ask"]:
            return list(chosen.get(entry["ask"], []))
        return [unit_id for unit_id, _name in entry["units"]]

    lead, extra = None, []
    for entry in record["lead"]:
        for unit_id in ids(entry):
            if lead is None and not entry["is_group"]:
                lead = unit_id
            else:
                extra.append(unit_id)
    responsible = [unit_id for entry in record["responsible"] for unit_id in ids(entry)]
    extra_set = frozenset(extra) - {lead}
    return UnitPlan(
        lead=lead,
        responsible=(frozenset(responsible) | extra_set) - {lead} if responsible else None,
        extra=extra_set,
    )


def planned_assignment(
    current_lead: int | None, current_responsible: set[int], plan: UnitPlan
) -> tuple[int | None, set[int]]:
    """The lead and responsible units after the plan. A replaced lead stays as a responsible
    unit unless the row lists the responsible units (then they are exactly the listed ones)."""
    lead = plan.lead or current_lead
    if plan.responsible is not None:
        return lead, set(plan.responsible) - {lead}
    responsible = set(current_responsible) | plan.extra
    if current_lead and lead != current_lead:
        responsible.add(current_lead)
    return lead, responsible - {lead}


def _current_units(pairs) -> tuple[int | None, set[int]]:
    """The lead and responsible unit ids from (unit id, role) pairs."""
    pairs = list(pairs)
    lead = next((unit_id for unit_id, role in pairs if role == AssignmentRole.LEAD), None)
    return lead, {unit_id for unit_id, role in pairs if role == AssignmentRole.RESPONSIBLE}


def describe_changes(item: Item, record: dict, *, chosen: Mapping[str, list[int]]) -> list[str]:
    """What confirming would change on an existing item, for the preview."""
    changes = []
    names = {a.unit_id: a.unit.name for a in item.assignments.all()}
    for entry in record["lead"] + record["responsible"]:
        names.update({unit_id: name for unit_id, name in entry["units"]})
    current_lead, current_responsible = _current_units(
        (a.unit_id, a.role) for a in item.assignments.all()
    )
    lead, responsible = planned_assignment(
        current_lead, current_responsible, plan_units(record, chosen)
    )
    if lead != current_lead:
        changes.append(f"牵头单位：{names.get(current_lead, '无')} → {names.get(lead, '无')}")
    added, removed = responsible - current_responsible, current_responsible - responsible
    if added:
        changes.append("增加责任单位：" + "、".join(sorted(names[i] for i in added)))
    if removed:
        changes.append("移除责任单位：" + "、".join(sorted(names[i] for i in removed)))
    deadline = record["deadline"]
    if deadline and deadline != (item.deadline.isoformat() if item.deadline else None):
        changes.append(f"完成时限：{item.deadline or '无'} → {deadline}")
    if item.is_refined and record["title"] and record["title"] != item.title:
        changes.append("内容：" + record["title"][:40])
    points = record["points"]
    if item.is_refined and points is not None and Decimal(points) != item.points:
        old = "无" if item.points is None else format_points(item.points)
        changes.append(f"分值：{old} → {points}")
    return changes


# -- commit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    updated: int
    created: int

    @property
    def message(self) -> str:
        return f"已导入任务清单：更新 {self.updated} 项，新增细化指标 {self.created} 项"


@transaction.atomic
def tasklist_import_commit(
    *, acting_user, draft: TaskListImport, answers: Mapping[str, str]
) -> ImportOutcome:
    """Apply a previewed task list, all of it or nothing. `answers` maps each uncertain name's
    key to a unit id, "drop" (不分配) or "all" (the proposed units of a vague group)."""
    draft = (
        TaskListImport.objects.select_for_update()
        .select_related("campaign__region")
        .get(pk=draft.pk)
    )
    campaign = draft.campaign
    _check_editable(acting_user, campaign)
    if draft.status != TaskListImport.Status.PREVIEW:
        raise ValidationError("该导入已经确认或取消过了，请重新上传。")
    result = draft.result
    if result.get("errors"):
        raise ValidationError("表格中还有错误，不能导入。请按错误报告修改表格后重新上传。")
    chosen = _chosen_units(result["names"], answers, campaign)
    unit_ids = set().union(*chosen.values()) | {
        unit_id
        for record in result["records"]
        for entry in record["lead"] + record["responsible"]
        for unit_id, _name in entry["units"]
    }
    units = Unit.objects.select_related("region").in_bulk(unit_ids)
    if missing := unit_ids - set(units):
        raise ValidationError(f"有 {len(missing)} 个单位已被删除，请重新上传任务清单。")
    items = _items_by_code(campaign)
    updated = created = 0
    for record in result["records"]:
        item = items.get(record["code"])
        if item is None:
            item = _add_refined(acting_user, items, record)
            items[item.code] = item
            created += 1
            _apply(acting_user, campaign, item, record, chosen, units)
        elif _apply(acting_user, campaign, item, record, chosen, units):
            updated += 1
    outcome = ImportOutcome(updated=updated, created=created)
    audit_record(
        acting_user=acting_user,
        action="campaign.tasklist_import",
        target=campaign,
        summary=f"{draft.source_filename}：{outcome.message}",
        after={"file": draft.source_filename, "updated": updated, "created": created},
    )
    draft.status = TaskListImport.Status.COMMITTED
    draft.result = {**result, "outcome": {"updated": updated, "created": created}}
    draft.save(update_fields=["status", "result"])
    return outcome


def _chosen_units(
    names: list[dict], answers: Mapping[str, str], campaign: Campaign
) -> dict[str, list[int]]:
    allowed = set(selectors.assignable_units(campaign=campaign).values_list("pk", flat=True))
    chosen, unanswered = {}, []
    for name in names:
        answer = str(answers.get(name["key"]) or "").strip()
        if answer == DROP:
            chosen[name["key"]] = []
        elif answer == ALL and name["proposed"]:
            chosen[name["key"]] = [unit_id for unit_id, _name in name["proposed"]]
        elif answer.isdigit() and int(answer) in allowed:
            chosen[name["key"]] = [int(answer)]
        else:
            unanswered.append(name["text"])
    if unanswered:
        shown = "、".join(f"“{text}”" for text in unanswered[:10])
        raise ValidationError(
            f"还有 {len(unanswered)} 个单位名称没有确认：{shown}。请为每个名称选择单位，或选择“不分配”。"
        )
    return chosen


def _add_refined(acting_user, items: dict[str, Item], record: dict) -> Item:
    parent = items.get(record["parent"] or "")
    if parent is None:
        raise ValidationError(
            f"第 {record['row']} 行：{record['code']} 的上级 {record['parent']} 已不存在，请重新上传。"
        )
    item = services.item_refine(
        acting_user=acting_user,
        parent=parent,
        title=record["title"],
        points=Decimal(record["points"]) if record["points"] is not None else None,
        deadline=date.fromisoformat(record["deadline"]) if record["deadline"] else None,
    )
    if item.code != record["code"]:
        # item_refine numbers refined items itself; the table's code is kept, so that the same
        # file imported again finds the item instead of adding it twice.
        position = int(NEW_CODE.match(record["code"])["position"])
        item.code, item.sort_key = record["code"], f"{parent.sort_key}.{position:04d}"
        item.save(update_fields=["code", "sort_key"])
    return item


def _apply(acting_user, campaign, item: Item, record: dict, chosen, units) -> bool:
    """Bring one item to what its row says, through the campaign services. True if it changed."""
    changed = False
    if item.is_refined:
        title = record["title"] or item.title
        points = Decimal(record["points"]) if record["points"] is not None else item.points
        if title != item.title or points != item.points:
            services.item_update(
                acting_user=acting_user,
                item=item,
                title=title,
                points=points,
                scoring_rules=item.scoring_rules,
                required_evidence=item.required_evidence,
                deadline=item.deadline,
            )
            changed = True
    current_lead, current_responsible = _current_units(
        Assignment.objects.filter(item=item).values_list("unit_id", "role")
    )
    lead, responsible = planned_assignment(
        current_lead, current_responsible, plan_units(record, chosen)
    )
    before = current_responsible | ({current_lead} if current_lead else set())
    add = responsible - current_responsible - {lead}
    remove = before - responsible - {lead}
    deadline = date.fromisoformat(record["deadline"]) if record["deadline"] else None
    deadline = deadline if deadline != item.deadline else None
    if lead != current_lead or add or remove or deadline:
        services.items_assign(
            acting_user=acting_user,
            campaign=campaign,
            items=[item],
            lead_unit=units[lead] if lead != current_lead else None,
            add_units=[units[i] for i in sorted(add)],
            remove_units=[units[i] for i in sorted(remove)],
            deadline=deadline,
        )
        changed = True
    return changed


def _check_editable(acting_user, campaign: Campaign) -> None:
    if not Campaign.objects.editable_by(acting_user).filter(pk=campaign.pk).exists():
        raise PermissionDenied("您无权修改该创建活动。")


@transaction.atomic
def tasklist_import_cancel(*, acting_user, draft: TaskListImport) -> None:
    _check_editable(acting_user, draft.campaign)
    if draft.status == TaskListImport.Status.PREVIEW:
        draft.status = TaskListImport.Status.CANCELLED
        draft.save(update_fields=["status"])
