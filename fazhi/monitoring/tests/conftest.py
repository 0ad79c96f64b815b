"""Figures tables written the way different offices keep them, and a helper to read one."""

from pathlib import Path

import pytest
from openpyxl import Workbook


def workbook(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    book.save(path)
    return path


@pytest.fixture
def long_table(tmp_path):
    """A 司法局's long table: title with the quarter, codes and names, one row per metric."""
    return workbook(
        tmp_path / "long.xlsx",
        {
            "Sheet1": [
                ["2025年第二季度法治政府建设动态监测数据统计表"],
                ["填报单位：枣庄市司法局"],
                ["序号", "区划代码", "地区", "监测指标", "分子", "分母"],
                [1, "370402", "市中区", "行政机关负责人出庭应诉率", 18, 20],
                [2, "370402", "市中区", "行政复议决定履行率", 30, 30],
                [3, "370403", "薛城区", "出庭应诉率", 5, 10],
                [4, "370403", "薛城区", "reconsideration_compliance", 9, 12],
                [5, "", "市中区司法局", "legality_review", 4, 4],
                ["注：分子、分母均填件数。"],
            ]
        },
        {"Sheet1": ["A1:F1"]},
    )


@pytest.fixture
def wide_table(tmp_path):
    """A city office's wide table: the metric merged over two columns, the numerator and
    denominator wording below it, a 合计 row, and the quarter in the title."""
    return workbook(
        tmp_path / "wide.xlsx",
        {
            "二季度": [
                ["2025年二季度 各区（市）监测数据"],
                ["地区", "出庭应诉率", None, "行政复议决定履行率", None, "备注"],
                [
                    None,
                    "负责人出庭数",
                    "开庭审理数",
                    "按期履行的行政复议决定数",
                    "应当履行的行政复议决定数",
                    None,
                ],
                ["市中区", 18, 20, 30, 30, ""],
                ["薛城区", 5, 10, 9, 12, "含市直"],
                ["合计", 23, 30, 39, 42, ""],
            ]
        },
        {"二季度": ["A1:F1", "A2:A3", "B2:C2", "D2:E2"]},
    )
