"""The preview of an imported task list (任务清单): each record of the sheet matched against the
campaign's items and units, with what confirming would change, and the errors and uncertain unit
names that must be settled first. Stored as JSON on the TaskListImport draft.

`plan_units` and `planned_assignment` are the rule for a row's units, shared with the commit in
`tasklists_import` so that the preview shows exactly what confirming does."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Prefetch

from fazhi.campaigns import services
from fazhi.campaigns.deadlines import parse_deadline
from fazhi.campaigns.models import Assignment, AssignmentRole, Campaign, Item
from fazhi.campaigns.tasklists_reading import RawRecord, SheetReading, read_task_sheet, text_of
from fazhi.core.spreadsheets import read_workbook
from fazhi.frameworks.models import Node
from fazhi.frameworks.tree import format_points
from fazhi.orgs.matching import Confidence, UnitMatch, UnitMatcher

CERTAIN = {Confidence.EXACT, Confidence.LIKELY}
NEW_CODE = re.compile(r"^(?P<parent>.+)\.(?P<position>[1-9]\d{0,3})$")
MAX_POINTS = Decimal("999999.99")


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
        self.items = items_by_code(campaign)
        self.with_evidence = set(
            campaign.items.filter(evidence__isnull=False, evidence__deleted_at__isnull=True)
            .values_list("code", flat=True)
            .distinct()
        )
        self.matcher: UnitMatcher = services.unit_matcher_for(campaign.region)
        self.names: dict[str, dict] = {}
        self.keys_by_text: dict[str, str] = {}
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
            "columns": {
                name: self.reading.letter(name)
                for name, _col in sorted(self.reading.columns.items(), key=lambda pair: pair[1])
            },
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
        parent_code = parent_code_of(raw.code)
        if item is None and parent_code not in self.items and parent_code not in self.new_codes:
            self._error(raw, "code", f"编码 {raw.code} 不在本活动的指标中")
            return None
        refined = item is None or item.is_refined
        points, deadline = self._points(raw, item, refined), self._deadline(raw)
        if item is None:
            self._check_may_add(raw, parent_code)
        if raw.row in self.rows_with_errors:
            return None  # its unit names are not asked about: the row must be fixed first
        record = {
            "row": raw.row,
            "rows": raw.rows,
            "code": raw.code,
            "parent": parent_code if item is None else None,
            "title": raw.title if refined else "",
            "points": points,
            "deadline": deadline,
            "lead": self._entries(raw, raw.lead_texts, AssignmentRole.LEAD),
            "responsible": self._entries(raw, raw.responsible_texts, AssignmentRole.RESPONSIBLE),
        }
        record["pending"] = any(e["ask"] for e in record["lead"] + record["responsible"])
        if item is None:
            self.new_codes.add(raw.code)
            record["status"] = "create"
            record["changes"] = [f"新增细化指标（上级 {parent_code}）"]
            return record
        record["changes"] = describe_changes(item, record, chosen={})
        record["status"] = "update" if record["changes"] or record["pending"] else "unchanged"
        return record

    def _check_may_add(self, raw: RawRecord, parent_code: str) -> None:
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
        key = self.keys_by_text.get(match.text)
        if key is not None:
            if row not in self.names[key]["rows"]:
                self.names[key]["rows"].append(row)
            return key
        key = self.keys_by_text[match.text] = f"n{len(self.names) + 1}"
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


def items_by_code(campaign: Campaign) -> dict[str, Item]:
    assignments = Prefetch("assignments", queryset=Assignment.objects.select_related("unit"))
    return {item.code: item for item in campaign.items.prefetch_related(assignments)}


def parent_code_of(code: str) -> str:
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


def current_units(pairs) -> tuple[int | None, set[int]]:
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
    current_lead, current_responsible = current_units(
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
