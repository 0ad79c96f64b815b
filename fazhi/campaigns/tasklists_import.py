"""Importing a task list (任务清单): the lead office's edited list or a city's refined list.

upload → `tasklist_import_preview` (the file is streamed to a temporary file, read, matched
against the campaign and kept only as a JSON preview) → the user confirms the uncertain unit
names → `tasklist_import_commit` applies everything in one transaction, or nothing.

The rules (`tasklists_preview.plan_units` and `_apply` here; the preview shows what they will do):
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

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.campaigns import selectors, services
from fazhi.campaigns.models import Assignment, Campaign, Item, TaskListImport
from fazhi.campaigns.services import check_campaign_editable
from fazhi.campaigns.tasklists_preview import (
    NEW_CODE,
    current_units,
    items_by_code,
    parse_task_list,
    plan_units,
    planned_assignment,
)
from fazhi.core.listing import parse_id
from fazhi.core.spreadsheets import ImportFailure
from fazhi.core.tempfiles import temp_dir
from fazhi.orgs.models import Unit

DROP = "drop"  # the answer "不分配"
ALL = "all"  # the answer "use the proposed units" for a vague group ("相关部门")


# -- preview ---------------------------------------------------------------------------------


def tasklist_import_preview(*, acting_user, campaign: Campaign, uploaded_file) -> TaskListImport:
    """Read an uploaded task list into a preview draft; nothing reaches the items yet. A file
    that cannot be read at all is a ValidationError; problems in rows are in the preview."""
    check_campaign_editable(acting_user, campaign)
    filename = Path(uploaded_file.name or "upload.xlsx").name
    limit = settings.FAZHI_IMPORT_MAX_BYTES
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(_too_large(filename, limit))
    with temp_dir("tasklist-") as folder:
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
    check_campaign_editable(acting_user, campaign)
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
    units = _UnitCache()
    if missing := unit_ids - set(units.load(unit_ids)):
        raise ValidationError(f"有 {len(missing)} 个单位已被删除，请重新上传任务清单。")
    items = items_by_code(campaign)
    # Each item is changed only through its own row, so its units can be read once, up front.
    assigned: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for item_id, unit_id, role in Assignment.objects.filter(item__campaign=campaign).values_list(
        "item_id", "unit_id", "role"
    ):
        assigned[item_id].append((unit_id, role))
    updated, created = [], []
    for record in result["records"]:
        item = items.get(record["code"])
        if item is None:
            item = _add_refined(acting_user, items, record)
            items[item.code] = item
            created.append(item.code)
            pairs = Assignment.objects.filter(item=item).values_list("unit_id", "role")
            _apply(acting_user, campaign, item, record, chosen, units, pairs)
        elif _apply(acting_user, campaign, item, record, chosen, units, assigned[item.pk]):
            updated.append(item.code)
    outcome = ImportOutcome(updated=len(updated), created=len(created))
    audit_record(
        acting_user=acting_user,
        action="campaign.tasklist_import",
        target=campaign,
        summary=f"{draft.source_filename}：{outcome.message}",
        after={"file": draft.source_filename, "updated": updated[:200], "created": created[:200]},
    )
    draft.status = TaskListImport.Status.COMMITTED
    draft.result = {**result, "outcome": {"updated": len(updated), "created": len(created)}}
    draft.save(update_fields=["status", "result"])
    return outcome


class _UnitCache(dict):
    """Units by id, loaded in batches as the rows need them (with their region, which
    items_assign checks)."""

    def load(self, ids) -> _UnitCache:
        if missing := set(ids) - set(self):
            self.update(Unit.objects.select_related("region").in_bulk(missing))
        return self


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
        elif parse_id(answer) in allowed:
            chosen[name["key"]] = [parse_id(answer)]
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
    # Read afresh: the parent's own row may have changed its units a moment ago, and the refined
    # item starts from them.
    parent = Item.objects.select_related("campaign__region").get(pk=parent.pk)
    item = services.item_refine(
        acting_user=acting_user,
        parent=parent,
        title=record["title"],
        points=Decimal(record["points"]) if record["points"] is not None else None,
        deadline=date.fromisoformat(record["deadline"]) if record["deadline"] else None,
        # The table's code is kept, so that the same file imported again finds the item.
        position=int(NEW_CODE.match(record["code"])["position"]),
    )
    return item


def _apply(acting_user, campaign, item: Item, record: dict, chosen, units, pairs) -> bool:
    """Bring one item to what its row says, through the campaign services; `pairs` are its
    (unit id, role) assignments now. True if it changed."""
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
    current_lead, current_responsible = current_units(pairs)
    lead, responsible = planned_assignment(
        current_lead, current_responsible, plan_units(record, chosen)
    )
    before = current_responsible | ({current_lead} if current_lead else set())
    add = responsible - current_responsible - {lead}
    remove = before - responsible - {lead}
    deadline = date.fromisoformat(record["deadline"]) if record["deadline"] else None
    deadline = deadline if deadline != item.deadline else None
    if lead != current_lead or add or remove or deadline:
        units.load(add | remove | ({lead} - {None}))
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


@transaction.atomic
def tasklist_import_cancel(*, acting_user, draft: TaskListImport) -> None:
    check_campaign_editable(acting_user, draft.campaign)
    if draft.status == TaskListImport.Status.PREVIEW:
        draft.status = TaskListImport.Status.CANCELLED
        draft.save(update_fields=["status"])
