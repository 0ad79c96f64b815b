"""The 整改情况报告 (Word): counts by status, unit and category, the overdue findings and how
each was pressed, in the house style of the filing's reports (page, fonts, tables: the filing
app's default template builders, reused rather than copied)."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT

from fazhi.filing.report_default import (
    NOTE_STYLE,
    TITLE_STYLE,
    _page_setup,
    _row,
    _styles,
    _widths,
)

STATUS_WORDS = (
    ("closed", "已销号"),
    ("close_requested", "申请销号"),
    ("in_progress", "整改中"),
    ("open", "待整改"),
)


def report_docx(report: dict) -> bytes:
    """`report` is `selectors.inspection_report`'s answer."""
    document = Document()
    _page_setup(document)
    _styles(document)
    document.add_paragraph(f"{report['inspection']}整改情况报告", style=TITLE_STYLE)
    document.add_paragraph(f"统计日期：{report['date']}", style=NOTE_STYLE)
    document.add_heading("一、总体情况", level=1)
    parts = "、".join(f"{word} {report['by_status'][key]} 个" for key, word in STATUS_WORDS)
    document.add_paragraph(
        f"本次督察共发现问题 {report['total']} 个，其中{parts}；已逾期 {report['overdue']} 个。"
    )
    document.add_heading("二、各单位整改情况", level=1)
    _table(
        document,
        ("责任单位", "问题数", "已销号", "已逾期"),
        [(r["unit"], r["total"], r["closed"], r["overdue"]) for r in report["by_unit"]],
    )
    document.add_heading("三、各类别问题整改情况", level=1)
    _table(
        document,
        ("问题类别", "问题数", "已销号", "已逾期"),
        [(r["category"], r["total"], r["closed"], r["overdue"]) for r in report["by_category"]],
    )
    document.add_heading("四、逾期问题及督办情况", level=1)
    if report["overdue_findings"]:
        _table(
            document,
            ("编号", "责任单位", "整改时限", "逾期天数", "督办措施"),
            [
                (
                    f["number"],
                    f["unit"],
                    f["deadline"],
                    f["days"],
                    "；".join(f"{e['on']} {e['step']}" for e in f["escalations"]) or "尚未督办",
                )
                for f in report["overdue_findings"]
            ],
        )
    else:
        document.add_paragraph("没有逾期未整改的问题。")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document, header: tuple[str, ...], rows) -> None:
    table = document.add_table(rows=0, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, _widths(len(header)), strict=True):
        column.width = width
    _row(table, header, bold=True, repeat=True)
    for row in rows:
        _row(table, tuple(str(value) for value in row))
