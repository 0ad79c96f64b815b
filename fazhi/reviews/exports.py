"""Reviews as Excel.

The score sheet (评分表), in the layout the tables come in: a title row, the area and group
columns merged down their indicators, points, rules, each side's score with its deductions, a
subtotal per area and the total by the framework's aggregation.

The review log (审核记录): one row per item and round, with its state in the round as the round
page shows it (the verdict, or where an undecided item stands), who decided and when, the whole
comment history (each note naming the file it is about), the unit's resubmission and the
review's version; for one round under the round page's filters, or for all rounds."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from itertools import groupby
from types import SimpleNamespace
from typing import IO

from django.utils import timezone

from fazhi.campaigns.models import Campaign
from fazhi.campaigns.selectors import area_key
from fazhi.core.spreadsheets import column_letter
from fazhi.core.xlsx import safe_cell, write_table
from fazhi.frameworks.models import Aggregation
from fazhi.reviews.models import Comment, Review
from fazhi.reviews.scoring import Totals


@cache
def _styles() -> SimpleNamespace:
    """The score sheet's cell styles, made on first use: a web worker imports openpyxl only
    when someone downloads a sheet."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin", color="999999")
    return SimpleNamespace(
        box=Border(left=thin, right=thin, top=thin, bottom=thin),
        wrap=Alignment(wrap_text=True, vertical="center"),
        center=Alignment(horizontal="center", vertical="center", wrap_text=True),
        bold=Font(bold=True),
        title=Font(bold=True, size=14),
    )


def _deduction_text(assessment) -> str:
    if assessment is None:
        return ""
    lines = [
        f"{d.rule + '：' if d.rule else ''}{d.reason}（扣{d.points.normalize():f}分）"
        for d in assessment.deductions.all()
    ]
    if assessment.vetoed:
        lines.insert(0, "触发否决")
    if assessment.note:
        lines.append(assessment.note)
    return "\n".join(lines)


def _score(assessment):
    return None if assessment is None else float(assessment.score)


def write_score_sheet(
    stream: IO[bytes], *, campaign: Campaign, rows: list[dict], totals: Totals, sides: list
) -> None:
    """`sides`: (side, label) pairs to print, in order; each gives a score and a deductions
    column."""
    from openpyxl import Workbook

    headers = ["一级指标", "二级指标", "编码", "评价内容", "分值", "评分标准"]
    for _, label in sides:
        headers += [f"{label}得分", f"{label}扣分情况"]
    headers.append("备注")
    style = _styles()
    book = Workbook()
    sheet = book.active
    sheet.title = "评分表"
    sheet.append([f"{campaign.name} 评分表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.cell(1, 1).font = style.title
    sheet.cell(1, 1).alignment = style.center
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font, cell.alignment, cell.border = style.bold, style.center, style.box
    area_totals = {area.key: area for area in totals.areas}
    for key, area_rows in groupby(rows, key=lambda row: area_key(row["item"].sort_key)):
        area_rows = list(area_rows)
        _write_area(sheet, area_rows, sides)
        area = area_totals.get(key)
        if area is not None:
            _write_total(sheet, f"{area.title} 小计", area.maximum, area.scores, sides, headers)
    label = "合计" if totals.aggregation == Aggregation.SUM else "合计（按权重折算）"
    _write_total(sheet, label, totals.maximum, totals.scores, sides, headers)
    widths = [16, 18, 9, 40, 7, 40] + [9, 30] * len(sides) + [14]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(index)].width = width
    sheet.freeze_panes = "C3"
    book.save(stream)


def _write_area(sheet, area_rows: list[dict], sides) -> None:
    style = _styles()
    first = sheet.max_row + 1
    for row in area_rows:
        item = row["item"]
        values = [
            row["area"],
            row["group"],
            item.code,
            item.title,
            float(item.points) if item.points is not None else None,
            item.scoring_rules,
        ]
        for side, _ in sides:
            assessment = row["sides"].get(side)
            values += [_score(assessment), _deduction_text(assessment)]
        values.append("否决项" if row["veto"] else "")
        sheet.append([safe_cell(value) for value in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment, cell.border = style.wrap, style.box
    last = sheet.max_row
    _merge_runs(sheet, 1, first, last)
    _merge_runs(sheet, 2, first, last)


def _merge_runs(sheet, column: int, first: int, last: int) -> None:
    """Merge each run of equal values down a column, as the official tables do."""
    start = first
    for row in range(first + 1, last + 2):
        value = sheet.cell(row, column).value if row <= last else object()
        if value != sheet.cell(start, column).value:
            if row - 1 > start:
                sheet.merge_cells(
                    start_row=start, start_column=column, end_row=row - 1, end_column=column
                )
            start = row


def _write_total(sheet, label: str, maximum, scores: dict, sides, headers) -> None:
    values = [label, "", "", "", float(maximum), ""]
    for side, _ in sides:
        values += [float(scores[side]), ""]
    values.append("")
    sheet.append(values)
    row = sheet.max_row
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    style = _styles()
    for cell in sheet[row][: len(headers)]:
        cell.font, cell.border = style.bold, style.box


# -- the review log --------------------------------------------------------------------------

LOG_HEADERS = [
    "轮次",
    "指标编号",
    "指标",
    "审核情况",
    "审核人",
    "决定时间",
    "意见",
    "重新提交时间",
    "版本",
]
LOG_WIDTHS = [18, 10, 40, 10, 12, 17, 70, 17, 6]


def _moment(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def comment_line(comment: Comment) -> str:
    """One line of a review's history as the item page shows it: when, who, the verdict of a
    decision, the file a note is about, then the text."""
    head = f"{_moment(comment.created_at)} {comment.author_name}".strip()
    if comment.verdict:
        head += f"【{comment.get_verdict_display()}】"
    material = comment.evidence
    if material is not None:
        file = f"（{material.current.original_name}）" if material.current else ""
        head += f" 关于《{material.title}》{file}"
    return f"{head}：{comment.text}"


def review_log_rows(reviews: Iterable[Review]) -> Iterator[tuple]:
    """Needs the round, item and reviewer loaded and the comments prefetched
    (`selectors.with_comments`). 审核情况 is the review's place in its round as the round page
    shows it (`Review.queue`): an item without a verdict is 待审核 only once its unit has
    submitted it."""
    for review in reviews:
        yield (
            str(review.round),
            review.item.code,
            review.item.title,
            review.get_queue_display(),
            str(review.reviewer) if review.reviewer else "",
            _moment(review.decided_at),
            "\n".join(comment_line(comment) for comment in review.comments.all()),
            _moment(review.resubmitted_at),
            review.version,
        )


def write_review_log(stream: IO[bytes], *, reviews: Iterable[Review]) -> None:
    write_table(
        stream,
        title="审核记录",
        headers=LOG_HEADERS,
        rows=review_log_rows(reviews),
        widths=LOG_WIDTHS,
    )
