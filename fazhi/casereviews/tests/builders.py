"""Standards and case lists as offices write them, built in the tests: several house styles."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook


def xlsx(rows, merges=(), title="Sheet1") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def city_penalty() -> bytes:
    """A city's 行政处罚 standard: a title row, the section merged down the first column with
    its points in the text, veto items as a section of their own."""
    rows = [
        ["枣庄市行政处罚案卷评查标准（2025年版）", None, None, None, None],
        ["评查项目", "序号", "评查内容", "分值", "扣分标准"],
        ["否决项", "F1", "执法主体不合法", None, "有此情形的，案卷评为不合格"],
        [None, "F2", "执法人员不具备执法资格", None, "有此情形的，案卷评为不合格"],
        ["卷面评查（20分）", "1", "案卷封面、目录填写完整", 5, "每处扣1分，最多扣4分"],
        [None, "2", "卷内文书按顺序装订", 5, "扣除该项全部分值"],
        [None, "3", "文书使用规范印章", 10, "扣2分"],
        ["案卷内容（80分）", "4", "认定事实清楚，证据确实充分", 30, "扣5–15分"],
        [None, "5", "程序合法，告知、听证等环节完整", 30, "每处扣2分，扣完为止"],
        [None, "6", "适用法律依据正确", 20, "视情节酌情扣分"],
    ]
    return xlsx(rows, ["A3:A4", "A5:A7", "A8:A10", "A1:E1"])


def county_license() -> bytes:
    """A county's 行政许可 standard: sections as heading rows merged across, a 否决项 column."""
    rows = [
        ["序号", "评查内容", "标准分", "评分细则", "否决项"],
        ["一、卷面质量（20分）", None, None, None, None],
        ["1.1", "申请材料齐全", 10, "每缺一项扣2分，最高扣10分", None],
        ["1.2", "受理通知书规范", 10, "扣 3～6 分", None],
        ["二、许可程序（80分）", None, None, None, None],
        ["2.1", "在法定期限内作出决定", 40, "不得分", None],
        ["2.2", "许可决定书载明事项完整", 40, "每处扣5分，最多扣20分", None],
        ["2.3", "超越法定职权作出许可", None, "", "√"],
    ]
    return xlsx(rows, ["A2:E2", "A5:E5"])


def two_points_columns() -> bytes:
    """Section points in a column of their own beside the items' (two 分值 columns), veto
    written in the rule."""
    rows = [
        ["类别", "分值", "编号", "评查要点", "分值", "扣分办法"],
        ["卷面", 30, "A1", "文书齐全", 15, "每份扣3分，最多扣9分"],
        [None, None, "A2", "填写规范", 15, "扣1-5分"],
        ["实体", 70, "B1", "事实认定", 40, "扣10至20分"],
        [None, None, "B2", "裁量适当", 30, "扣除本项全部分值"],
        [None, None, "B3", "未经法制审核作出重大决定", 0, "否决项：案卷不合格"],
    ]
    return xlsx(rows, ["A2:A3", "B2:B3", "A4:A6", "B4:B6"])


def plain_csv() -> bytes:
    text = (
        "编号,评查内容,分值,扣分标准\n"
        "1,立案审批,20,扣5分\n"
        "2,调查取证,40,每处扣4分，最多扣12分\n"
        "3,处罚决定,40,扣10–20分\n"
        "4,无执法主体资格,,一票否决\n"
    )
    return text.encode("utf-8")


def not_adding_up() -> bytes:
    rows = [
        ["评查项目", "序号", "评查内容", "分值", "扣分标准"],
        ["卷面评查（20分）", "1", "封面", 5, "扣1分"],
        [None, "2", "目录", 10, "每处扣12分"],
        ["案卷内容（80分）", "3", "证据", 70, "扣5-15分"],
    ]
    return xlsx(rows, ["A2:A3"])


def case_list(rows, *, title_row=True) -> bytes:
    header = ["序号", "案件编号", "案件名称（案由）", "类型", "执法单位", "承办人", "结案日期"]
    body = [[i, *row] for i, row in enumerate(rows, start=1)]
    top = [["2025年行政执法案件清单"]] if title_row else []
    return xlsx([*top, header, *body])


def cases_for_units(units, per_unit: int, *, start=date(2025, 1, 10), kind="行政处罚"):
    """`per_unit` cases per unit, closing one a week from `start`."""
    rows = []
    for unit in units:
        for n in range(per_unit):
            day = date.fromordinal(start.toordinal() + 7 * n)
            rows.append(
                [
                    f"{unit.code}-{n + 1:03d}",
                    f"{unit.short_name}案件{n + 1}",
                    kind,
                    unit.name,
                    "张三",
                    day,
                ]
            )
    return rows
