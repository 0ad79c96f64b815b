"""Excel out: a standard as the table it was imported from (sections merged down, one row per
item, 否决 in its own column — it reads back in), the sample list, and the 评查结果通报. openpyxl is
imported by the writers: a web worker needs it only while it writes one."""

from __future__ import annotations

from typing import IO

from fazhi.casereviews.models import Standard
from fazhi.casereviews.rules import number_out
from fazhi.casereviews.selectors import GRADES
from fazhi.casereviews.standards import rule_words
from fazhi.core.xlsx import safe_cell, write_table

STANDARD_HEADERS = ["评查项目", "编号", "评查内容", "分值", "扣分标准", "否决项"]
STANDARD_WIDTHS = [18, 8, 50, 8, 36, 8]


def write_standard(stream: IO[bytes], standard: Standard) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wrap = Alignment(wrap_text=True, vertical="center")
    book = Workbook()
    sheet = book.active
    sheet.title = "评查标准"
    sheet.append([safe_cell(f"{standard.name}（{standard.get_case_type_display()}）")])
    sheet.append(STANDARD_HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for index, width in enumerate(STANDARD_WIDTHS):
        sheet.column_dimensions["ABCDEF"[index]].width = width
    for section in standard.sections.prefetch_related("items"):
        first = sheet.max_row + 1
        for item in section.items.all():
            sheet.append(
                [
                    safe_cell(f"{section.title}（{number_out(section.points)}分）"),
                    safe_cell(item.code),
                    safe_cell(item.title),
                    number_out(item.points),
                    safe_cell(rule_words(item) if not item.veto else item.rule_text or "否决"),
                    "是" if item.veto else "",
                ]
            )
        last = sheet.max_row
        if last > first:
            sheet.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
        for row in sheet.iter_rows(min_row=first, max_row=last):
            for cell in row:
                cell.alignment = wrap
    book.save(stream)


SAMPLE_HEADERS = ["序号", "案件编号", "案件名称/案由", "类型", "执法单位", "承办人", "结案日期"]


def write_sample(stream: IO[bytes], review, cases, *, seed) -> None:
    write_table(
        stream,
        title=f"抽样清单（随机种子{seed}）",
        headers=SAMPLE_HEADERS,
        rows=(
            [
                index,
                c.number,
                c.title,
                c.get_case_type_display(),
                c.unit.name,
                c.handler,
                c.closed_on.isoformat(),
            ]
            for index, c in enumerate(cases, start=1)
        ),
        widths=[6, 22, 40, 10, 24, 12, 12],
    )


def _summary_row(name: str, entry: dict) -> list:
    return [
        name,
        entry["files"],
        entry["scored"],
        entry["mean"] if entry["mean"] is not None else "",
        *[v for g in GRADES for v in (entry["grades"][g], f"{entry['shares'][g]}%")],
    ]


def write_report(stream: IO[bytes], report: dict) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "评查结果"
    sheet.append([safe_cell(f"评查结果通报：{report['review']}")])
    headers = ["执法单位", "抽查案卷", "已评查", "平均分"]
    for grade in GRADES:
        headers += [f"{grade}（件）", f"{grade}占比"]
    sheet.append(headers)
    for unit in report["units"]:
        sheet.append([safe_cell(v) for v in _summary_row(unit["unit"], unit)])
    sheet.append(_summary_row("合计", report["overall"]))
    problems = book.create_sheet("常见问题")
    problems.append(["编号", "评查内容", "扣分案卷数", "累计扣分", "示例"])
    for entry in report["common_problems"]:
        examples = "；".join(
            f"{e['case']}{'（第' + str(e['page']) + '页）' if e['page'] else ''}{'：' + e['reason'] if e['reason'] else ''}"
            for e in entry["examples"]
        )
        problems.append(
            [
                safe_cell(entry["code"]),
                safe_cell(entry["title"]),
                entry["files"],
                entry["points"],
                safe_cell(examples),
            ]
        )
    book.save(stream)
