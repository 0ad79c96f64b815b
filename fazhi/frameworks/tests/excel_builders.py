"""Build the spreadsheets that tests import, the way government offices lay them out.

Rows are plain lists (None for an empty cell); merges are Excel ranges such as "A3:A8",
with the value written only in the top-left cell, exactly as Excel stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import range_boundaries


@dataclass
class SheetSpec:
    name: str
    rows: list[list]
    merges: list[str] = field(default_factory=list)


def save_xlsx(path: Path, *sheets: SheetSpec) -> Path:
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.name)
        for row in spec.rows:
            sheet.append(row)
        for cells in spec.merges:
            sheet.merge_cells(cells)
    book.save(path)
    return path


def save_table(
    path: Path, rows: list[list], merges: list[str] = (), name: str = "指标体系"
) -> Path:
    return save_xlsx(path, SheetSpec(name, rows, list(merges)))


def save_xls(path: Path, rows: list[list], merges: list[str] = (), name: str = "指标体系") -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(name)
    merged_cells = set()
    for cells in merges:
        min_col, min_row, max_col, max_row = range_boundaries(cells)
        value = rows[min_row - 1][min_col - 1]
        sheet.write_merge(min_row - 1, max_row - 1, min_col - 1, max_col - 1, value)
        merged_cells |= {
            (r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)
        }
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and (r, c) not in merged_cells:
                sheet.write(r - 1, c - 1, value)
    book.save(str(path))
    return path


def save_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    import csv

    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    return path


# --- tables as offices circulate them ------------------------------------------------------

TITLE = "附件1  XX市法治政府建设示范指标体系及评分表"


def national_table() -> SheetSpec:
    """Title row, two-row header ("指标" over 一级/二级/三级), merged area and group cells."""
    rows = [
        [TITLE, None, None, None, None, None, None, None],
        ["序号", "指标", None, None, "分值", "评估方式", "牵头单位", "责任单位"],
        [None, "一级指标", "二级指标", "三级指标", None, None, None, None],
        [
            1,
            "一、依法全面履行政府职能",
            "（一）政府机构职能优化",
            "1.机构职能体系健全",
            4,
            "查阅资料",
            "市委编办",
            "市委编办、市司法局",
        ],
        [2, None, None, "2.权责清单动态调整", 4, "查阅资料、实地查看", "市委编办", "各区县政府"],
        [
            3,
            None,
            "（二）深化放管服改革",
            "3.推进政务服务标准化",
            2,
            "满意度调查",
            "市行政审批局",
            "市行政审批局\n市大数据局",
        ],
        [
            4,
            "二、健全依法行政制度体系",
            "（一）依法制定规章和规范性文件",
            "4.规范性文件合法性审核",
            5,
            "案卷评查",
            "市司法局",
            "市司法局；各部门",
        ],
        [5, None, None, "5.规范性文件备案审查（一票否决）", 5, "监测数据", "市司法局", "市司法局"],
    ]
    merges = [
        "A1:H1",
        "B2:D2",
        "A2:A3",
        "E2:E3",
        "F2:F3",
        "G2:G3",
        "H2:H3",
        "B4:B6",
        "C4:C5",
        "B7:B8",
        "C7:C8",
    ]
    return SheetSpec("指标体系", rows, merges)


def heading_rows_table() -> SheetSpec:
    """Layout B: one content column; areas and groups are heading rows with points in the text."""
    rows = [
        ["XX区法治政府建设示范创建评分表", None, None, None],
        ["序号", "考核内容", "分值", "评分标准"],
        ["一、依法全面履行政府职能（10分）", None, None, None],
        [None, "（一）优化政府机构职能（6分）", None, None],
        [1, "机构职能体系健全", 3, "未公布权责清单的扣1分"],
        [2, "权责清单动态调整", 3, "未动态调整的扣1分"],
        [None, "（二）深化放管服改革（4分）", None, None],
        [3, "推进政务服务标准化", 4, "未推进的不得分"],
        [None, None, None, None],
        ["二、健全依法行政制度体系（5分）", None, None, None],
        [4, "规范性文件备案审查", 5, "出现违法文件的，实行一票否决"],
        ["合计", None, 15, None],
        ["注：本表由区依法治区办负责解释。", None, None, None],
        ["1. 各项得分不超过该项分值。", None, None, None],
    ]
    merges = ["A1:D1", "A3:D3", "A10:D10", "A13:D13", "A14:D14"]
    return SheetSpec("评分表", rows, merges)
