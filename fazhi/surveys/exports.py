"""A wave's results as Excel: pure functions over `selectors.wave_report`."""

from __future__ import annotations

from typing import IO

from fazhi.core.xlsx import write_table
from fazhi.surveys.results import percent, two_decimals
from fazhi.surveys.selectors import Report, Row

HEADERS = [
    "分组",
    "名称",
    "样本数",
    "有效回答数",
    "满意率（%）",
    "95%置信区间（%）",
    "误差（±百分点）",
    "分值",
    "目标样本数",
    "较上次（百分点）",
    "说明",
]


def _line(group: str, row: Row) -> list:
    rate = row.rate
    interval = f"{percent(rate.low)}–{percent(rate.high)}" if rate.low is not None else ""
    note = "未达目标样本数" if row.below_target else ""
    return [
        group,
        row.name,
        row.respondents,
        rate.n,
        percent(rate.rate),
        interval,
        percent(rate.moe),
        two_decimals(rate.score),
        row.target or None,
        row.change,
        note,
    ]


def write_report(stream: IO[bytes], report: Report) -> None:
    rows = [_line("总体", report.overall)]
    if report.weighted is not None:
        weighted = Row("总体（按人口加权）", report.overall.respondents, report.weighted)
        rows.append(_line("总体", weighted))
    rows += [_line("样本单元", row) for row in report.strata]
    rows += [_line("受访者类型", row) for row in report.types]
    rows += [_line("测评题目", row) for row in report.items]
    write_table(
        stream,
        title="测评结果",
        headers=HEADERS,
        rows=rows,
        widths=[12, 24, 10, 12, 12, 18, 14, 10, 12, 14, 16],
    )


# -- the Word summary ----------------------------------------------------------------------------


def summary_docx(report: Report, *, today) -> bytes:
    """A summary in the house style of the self-assessment report (GB/T 9704 page, 仿宋 text,
    黑体 headings): the overall result with its margin and the rule, each town and item with
    theirs, the weakest, and the change against the previous wave."""
    from io import BytesIO

    from docx import Document

    from fazhi.filing.report_default import (
        NOTE_STYLE,
        TABLE_STYLE,
        TITLE_STYLE,
        _page_setup,
        _row,
        _styles,
    )

    wave, overall = report.wave, report.overall
    document = Document()
    _page_setup(document)
    _styles(document)
    document.add_paragraph(f"{wave.name}结果报告", style=TITLE_STYLE)
    document.add_paragraph(f"（由平台根据截至{today:%Y年%m月%d日}的数据生成）", style=NOTE_STYLE)
    document.add_heading("一、总体情况", level=1)
    rate = overall.rate
    if rate.rate is None:
        document.add_paragraph("本次测评尚无有效回答。")
    else:
        text = (
            f"本次测评在{wave.region}{len(report.strata)}个镇街开展，共调查{overall.respondents}人"
            f"（目标{overall.target}人），有效回答{rate.n}个。总体满意率{percent(rate.rate):.2f}%"
            f"（95%置信区间{percent(rate.low):.2f}%—{percent(rate.high):.2f}%，误差±"
            f"{percent(rate.moe):.2f}个百分点），分值{two_decimals(rate.score):.2f}。"
        )
        if report.weighted is not None:
            text += f"按各镇街人口加权，满意率为{percent(report.weighted.rate):.2f}%。"
        if report.previous is not None and report.overall_change is not None:
            text += f"较{report.previous}变化{report.overall_change:+.2f}个百分点。"
        document.add_paragraph(text)
    document.add_paragraph(
        "满意率 =（满意 + 较满意 + 基本满意）÷ 除“不清楚”和空白以外的回答数；分值为同样这些回答的"
        "平均得分（满意100、较满意80、基本满意60、不满意0）。镇街和总体的满意率汇总各题全部有效回答。"
    )
    for heading, rows in (("二、各镇街情况", report.strata), ("三、各测评题目情况", report.items)):
        document.add_heading(heading, level=1)
        _table(document, rows, _row, TABLE_STYLE)
    weakest = [row.name for row in report.weakest_strata + report.weakest_items]
    if weakest:
        document.add_heading("四、需要关注的方面", level=1)
        document.add_paragraph(f"满意率较低的是：{'、'.join(weakest)}，建议针对性整改。")
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document, rows: list[Row], add_row, style) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table = document.add_table(rows=0, cols=5)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    add_row(
        table, ("名称", "样本/回答", "满意率（%）", "误差（±）", "分值"), bold=True, repeat=True
    )
    for row in rows:
        rate = row.rate
        add_row(
            table,
            (
                row.name,
                f"{row.respondents}/{rate.n}",
                "—" if rate.rate is None else f"{percent(rate.rate):.2f}",
                "—" if rate.moe is None else f"{percent(rate.moe):.2f}",
                "—" if rate.score is None else f"{two_decimals(rate.score):.2f}",
            ),
        )


def write_invitations(stream: IO[bytes], *, wave, invitations, link_of) -> None:
    """The unused invitations with their links, for a mail merge or a print shop: one row each."""
    rows = (
        [number, str(invitation.stratum), invitation.token[:8], link_of(invitation)]
        for number, invitation in enumerate(invitations, start=1)
    )
    write_table(
        stream,
        title="问卷邀请",
        headers=["序号", "样本单元", "邀请编号", "问卷链接"],
        rows=rows,
        widths=[8, 24, 12, 70],
    )
