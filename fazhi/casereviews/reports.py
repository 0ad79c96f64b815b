"""Word out: the 评查结果通报 and a unit's 整改通知单, in the house style of the filing's
reports (the filing app's default template builders, reused as the inspections app does)."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT

from fazhi.casereviews.rules import number_out
from fazhi.casereviews.selectors import GRADES
from fazhi.filing.report_default import NOTE_STYLE, TITLE_STYLE, _page_setup, _row, _styles, _widths


def _document():
    document = Document()
    _page_setup(document)
    _styles(document)
    return document


def _bytes(document) -> bytes:
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
        _row(table, tuple("" if value is None else str(value) for value in row))


def _grades_in_words(entry: dict) -> str:
    return "，".join(f"{g} {entry['grades'][g]} 件（占 {entry['shares'][g]}%）" for g in GRADES)


def report_docx(report: dict) -> bytes:
    """`report` is `selectors.review_report`'s answer."""
    document = _document()
    name = report["review"].removesuffix("（演示）")
    what = name if name.endswith("评查") else f"{name}评查"
    document.add_paragraph(f"关于{what}结果的通报", style=TITLE_STYLE)
    document.add_paragraph(
        f"评查范围：{report['region']}，结案日期 {report['closed_from']} 至 {report['closed_to']}",
        style=NOTE_STYLE,
    )
    overall = report["overall"]
    document.add_heading("一、总体情况", level=1)
    mean = f"平均得分 {overall['mean']} 分，" if overall["mean"] is not None else ""
    document.add_paragraph(
        f"本次共抽查案卷 {overall['files']} 件，已评查 {overall['scored']} 件，{mean}"
        f"其中{_grades_in_words(overall)}。"
    )
    document.add_heading("二、各单位评查结果", level=1)
    _table(
        document,
        ("执法单位", "抽查", "平均分", *GRADES),
        [
            (
                u["unit"],
                u["files"],
                u["mean"] if u["mean"] is not None else "—",
                *[f"{u['grades'][g]}（{u['shares'][g]}%）" for g in GRADES],
            )
            for u in report["units"]
        ],
    )
    document.add_heading("三、存在的主要问题", level=1)
    if report["common_problems"]:
        for index, entry in enumerate(report["common_problems"], start=1):
            examples = "；".join(
                f"{e['case']}{'第' + str(e['page']) + '页' if e['page'] else ''}"
                f"{'：' + e['reason'] if e['reason'] else ''}"
                for e in entry["examples"]
            )
            document.add_paragraph(
                f"{index}. {entry['title']}（{entry['files']} 件案卷扣分，累计扣 {entry['points']} 分）。"
                + (f"如：{examples}。" if examples else "")
            )
    else:
        document.add_paragraph("评查案卷未发现扣分问题。")
    if report["vetoed"]:
        document.add_paragraph(
            "触及否决项的案卷："
            + "；".join(
                f"{v['unit']} {v['case']}（{'、'.join(v['items'])}）" for v in report["vetoed"]
            )
            + "。"
        )
    document.add_heading("四、整改要求", level=1)
    document.add_paragraph(
        "各执法单位要对照本通报指出的问题，逐卷逐项整改，完善案卷，举一反三规范执法行为。"
    )
    return _bytes(document)


def notice_docx(review, entry: dict) -> bytes:
    """A unit's 整改通知单; `entry` is one of `selectors.unit_problems`."""
    document = _document()
    document.add_paragraph("行政执法案卷评查整改通知单", style=TITLE_STYLE)
    document.add_paragraph(f"{entry['unit'].name}：", style=NOTE_STYLE)
    document.add_paragraph(
        f"在{review.name}中，贵单位以下案卷存在问题，请逐项整改，并按要求报送整改情况。"
    )
    _table(
        document,
        ("案件编号", "案件名称", "得分", "等次", "存在问题"),
        [
            (c["number"], c["title"], number_out(c["total"]), c["grade"], "；".join(c["lines"]))
            for c in entry["cases"]
        ],
    )
    return _bytes(document)
