"""Plan tables in the layouts lead offices keep: an area column merged down its measures, area
heading rows merged across the table under a two-row header, and a flat CSV."""

from datetime import date, datetime

from openpyxl import Workbook

from fazhi.core.spreadsheets import read_workbook
from fazhi.plans.plantables import read_plan_table


def _book(tmp_path, rows, merges=(), name="plan.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "工作台账"
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    path = tmp_path / name
    workbook.save(path)
    return read_workbook(path, row_cap=5000)


def test_area_column_merged_down_and_a_title_merged_over_two_rows(tmp_path):
    book = _book(
        tmp_path,
        [
            ["2024年法治政府建设工作台账"],
            ["序号", "重点领域", "工作任务", "牵头单位", "责任单位", "完成时限"],
            [
                1,
                "一、健全政府机构职能体系",
                "深化“放管服”改革",
                "市政务服务管理局",
                "市发展改革委",
                "2024年6月底前",
            ],
            [2, None, "全面实行权责清单制度", "市委编办", "各县区政府", datetime(2024, 9, 30)],
            [None, None, None, None, "市直有关部门", None],
            [3, "二、完善依法行政制度体系", "加强规范性文件备案审查", "市司法局", None, "持续推进"],
        ],
        merges=["A1:F1", "B3:B5", "C4:C5", "D4:D5", "F4:F5"],
    )
    reading = read_plan_table(book, year=2024)

    assert reading.problems == []
    assert [area.title for area in reading.areas] == [
        "健全政府机构职能体系",
        "完善依法行政制度体系",
    ]
    reform, lists = reading.areas[0].measures
    assert (reform.title, reform.lead_names, reform.responsible_names) == (
        "深化“放管服”改革",
        ["市政务服务管理局"],
        ["市发展改革委"],
    )
    assert reform.deadline == date(2024, 6, 30)
    assert lists.responsible_names == ["各县区政府", "市直有关部门"]
    assert lists.deadline == date(2024, 9, 30)
    (review,) = reading.areas[1].measures
    assert (review.deadline_text, review.deadline) == ("持续推进", None)


def test_heading_rows_merged_across_under_a_two_row_header(tmp_path):
    book = _book(
        tmp_path,
        [
            ["序号", "具体措施", "责任分工", None, "时间要求"],
            [None, None, "牵头单位", "配合单位", None],
            ["一、推进严格规范公正文明执法", None, None, None, None],
            ["1", "全面推行行政执法三项制度", "区司法局", "区各行政执法部门", "年底前"],
            ["2", "开展执法案卷评查", "区司法局", None, "2024年13月底前"],
            ["二、强化行政权力制约监督", None, None, None, None],
            ["1", "自觉接受人大监督", "区政府办公室", None, None],
            ["注：完成时限以文件要求为准", None, None, None, None],
        ],
        merges=["C1:D1", "A3:E3", "A6:E6", "A8:E8"],
    )
    reading = read_plan_table(book, year=2024)

    assert [area.title for area in reading.areas] == [
        "推进严格规范公正文明执法",
        "强化行政权力制约监督",
    ]
    three, cases = reading.areas[0].measures
    assert three.responsible_names == ["区各行政执法部门"]
    assert three.deadline == date(2024, 12, 31)
    assert [str(problem) for problem in reading.problems] == [
        "第 5 行 E 列：完成时限“2024年13月底前”中的月份 13 不存在"
    ]
    assert len(reading.measures) == 3  # the note row is not a measure


def test_a_flat_csv_without_areas_and_a_row_without_task(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(
        "序号,工作任务,牵头单位,完成时限\n1,编制年度立法计划,市司法局,2024年3月底前\n2,,市财政局,\n",
        encoding="utf-8",
    )
    reading = read_plan_table(read_workbook(path, row_cap=5000), year=2024)

    assert len(reading.areas) == 1
    first, second = reading.measures
    assert first.lead_names == ["市司法局"]
    assert first.deadline == date(2024, 3, 31)
    assert [str(problem) for problem in reading.problems] == ["第 3 行 B 列：工作任务为空"]


def test_a_table_without_a_plan_header_says_which_columns_it_needs(tmp_path):
    book = _book(tmp_path, [["姓名", "电话"], ["张三", "123"]])
    reading = read_plan_table(book, year=2024)
    assert reading.measures == []
    assert "没有找到工作计划的表头" in str(reading.problems[0])
