"""The two lists (两张清单) as Excel: the task list (任务清单, one row per item) and the
responsibility list (责任清单, one row per unit and item). Both are read through the scoping
mechanism, so a liaison's download holds only what the liaison may see.

The task list is also the import format: exporting it and importing the same file back changes
nothing (see `tasklists_import`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from fazhi.campaigns import selectors
from fazhi.campaigns.models import Assignment, AssignmentRole, Campaign
from fazhi.core.spreadsheets import column_letter
from fazhi.core.xlsx import safe_cell
from fazhi.evidence.selectors import visible_evidence_counts

if TYPE_CHECKING:
    from openpyxl.styles import Alignment, Font

UNIT_SEPARATOR = "、"

TASK_HEADERS = (
    "编码",
    "一级指标",
    "二级指标",
    "指标/细化指标内容",
    "分值",
    "牵头单位",
    "责任单位",
    "完成时限",
    "状态",
    "材料数",
)
TASK_WIDTHS = (12, 22, 22, 60, 8, 24, 40, 14, 10, 8)
TASK_WRAPPED = frozenset({1, 2, 3, 5, 6})  # zero-based columns whose text wraps

UNIT_HEADERS = ("单位", "职责", "编码", "内容", "完成时限", "状态")
UNIT_WIDTHS = (28, 8, 12, 70, 14, 10)
UNIT_WRAPPED = frozenset({0, 3})
ROLE_WORDS = {AssignmentRole.LEAD: "牵头", AssignmentRole.RESPONSIBLE: "责任"}


@dataclass(frozen=True)
class TaskRow:
    code: str
    area: str
    group: str
    title: str
    points: Decimal | None
    lead: str
    responsible: tuple[str, ...]
    deadline: date | None
    status: str
    evidence_count: int

    def cells(self) -> tuple:
        return (
            self.code,
            self.area,
            self.group,
            self.title,
            points_cell(self.points),
            self.lead,
            UNIT_SEPARATOR.join(self.responsible),
            date_cell(self.deadline),
            self.status,
            self.evidence_count,
        )


@dataclass(frozen=True)
class ResponsibilityRow:
    unit: str
    role: str
    code: str
    title: str
    deadline: date | None
    status: str

    def cells(self) -> tuple:
        return (self.unit, self.role, self.code, self.title, date_cell(self.deadline), self.status)


def points_cell(points: Decimal | None) -> int | float | None:
    """Points as a number Excel can add up: 10.00 → 10, 2.50 → 2.5."""
    if points is None:
        return None
    return int(points) if points == points.to_integral_value() else float(points)


def date_cell(value: date | None) -> str | None:
    return value.isoformat() if value else None


# -- reads -----------------------------------------------------------------------------------


def task_list_rows(
    *, campaign: Campaign, user, filters: selectors.ItemFilters | None = None
) -> list[TaskRow]:
    """Every item the user may see under the campaign page's filters, in the framework's order;
    units by their sort order. 材料数 counts the materials the user may see, as the page does."""
    filters = filters or selectors.ItemFilters()
    items = selectors.campaign_items(campaign=campaign, user=user, **filters.as_kwargs())
    items = list(items.order_by("sort_key"))
    materials = visible_evidence_counts(items=items, user=user)
    rows = []
    for item in items:
        area, group = selectors.area_heading(item)
        lead = selectors.lead_of(item)
        rows.append(
            TaskRow(
                code=item.code,
                area=area,
                group=group,
                title=item.title,
                points=item.points,
                lead=lead.name if lead else "",
                responsible=tuple(unit.name for unit in selectors.responsible_of(item)),
                deadline=item.deadline,
                status=item.get_status_display(),
                evidence_count=materials[item.pk],
            )
        )
    return rows


def responsibility_rows(
    *, campaign: Campaign, user, filters: selectors.ItemFilters | None = None
) -> list[ResponsibilityRow]:
    """For each unit, the items it leads, then those it shares. Assignments are scoped on their
    own, so a liaison sees the rows of their own unit only. The items are those the campaign
    page shows under the same filters; filtered by a unit, the list is that unit's alone."""
    filters = filters or selectors.ItemFilters()
    items = selectors.campaign_items(campaign=campaign, user=user, **filters.as_kwargs())
    assignments = Assignment.objects.visible_to(user).filter(
        item__campaign=campaign, item_id__in=items.values("pk")
    )
    if filters.unit_id:
        assignments = assignments.filter(unit_id=filters.unit_id)
    assignments = assignments.select_related("unit", "item").order_by(
        "unit__sort_order", "unit__name", "unit_id", "role", "item__sort_key"
    )
    return [
        ResponsibilityRow(
            unit=a.unit.name,
            role=ROLE_WORDS[a.role],
            code=a.item.code,
            title=a.item.title,
            deadline=a.item.deadline,
            status=a.item.get_status_display(),
        )
        for a in assignments
    ]


# -- writing ---------------------------------------------------------------------------------


def write_task_list(stream: IO[bytes], *, campaign: Campaign, rows: Iterable[TaskRow]) -> None:
    _write_list(
        stream,
        sheet_title="任务清单",
        title=f"{campaign.name} 任务清单",
        headers=TASK_HEADERS,
        widths=TASK_WIDTHS,
        wrapped=TASK_WRAPPED,
        rows=(row.cells() for row in rows),
    )


def write_responsibility_list(
    stream: IO[bytes], *, campaign: Campaign, rows: Iterable[ResponsibilityRow]
) -> None:
    _write_list(
        stream,
        sheet_title="责任清单",
        title=f"{campaign.name} 责任清单",
        headers=UNIT_HEADERS,
        widths=UNIT_WIDTHS,
        wrapped=UNIT_WRAPPED,
        rows=(row.cells() for row in rows),
    )


def _write_list(
    stream: IO[bytes],
    *,
    sheet_title: str,
    title: str,
    headers: tuple[str, ...],
    widths: tuple[int, ...],
    wrapped: frozenset[int],
    rows: Iterable[tuple],
) -> None:
    """A title row over the whole width, a frozen header row, then the rows, streamed in
    write-only mode. Every text cell goes through safe_cell (formula injection)."""
    # imported here: a web worker needs openpyxl only while it writes a list
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.merged_cells.add(f"A1:{column_letter(len(headers))}1")
    sheet.append([_styled(sheet, safe_cell(title), font=Font(bold=True, size=14))])
    sheet.append([_styled(sheet, header, font=Font(bold=True)) for header in headers])
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in rows:
        sheet.append(
            [
                _styled(sheet, safe_cell(value), alignment=wrap)
                if column in wrapped
                else safe_cell(value)
                for column, value in enumerate(values)
            ]
        )
    book.save(stream)


def _styled(sheet, value, *, font: Font | None = None, alignment: Alignment | None = None):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell
