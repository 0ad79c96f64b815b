"""Bad files and bad cells give Chinese messages that name the place; nothing raises."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from fazhi.frameworks.importing import parse_framework_file
from fazhi.frameworks.tests.excel_builders import (
    national_table,
    save_csv,
    save_table,
    save_xls,
    save_xlsx,
)

HEADER = ["一级指标", "二级指标", "三级指标", "分值"]


def errors(result):
    return [issue.message for issue in result.errors]


def warnings(result):
    return [issue.message for issue in result.issues if issue.level == "warning"]


def only_error(result):
    assert not result.ok
    (message,) = errors(result)
    return message


def test_a_truncated_xlsx_is_reported_as_damaged(tmp_path):
    good = save_xlsx(tmp_path / "good.xlsx", national_table()).read_bytes()
    path = tmp_path / "体系.xlsx"
    path.write_bytes(good[: len(good) // 2])

    assert "文件已损坏" in only_error(parse_framework_file(path))


def test_a_zip_that_is_not_a_workbook_is_reported_as_such(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("材料/说明.txt", "hello")
    path = tmp_path / "体系.xlsx"
    path.write_bytes(buffer.getvalue())

    assert "ZIP 压缩包" in only_error(parse_framework_file(path))


def test_an_xls_file_under_an_xlsx_name_is_read_as_xls_with_a_warning(tmp_path):
    spec = national_table()
    path = save_xls(tmp_path / "体系.xls", spec.rows, spec.merges).rename(tmp_path / "体系.xlsx")

    result = parse_framework_file(path)

    assert result.ok
    assert result.source_format == "xls"
    assert len(result.nodes) == 10
    assert warnings(result) == ["文件扩展名为 .xlsx，但内容是旧版 .xls 格式，已按 .xls 读取"]


def test_a_csv_file_under_an_xlsx_name_is_read_as_csv_with_a_warning(tmp_path):
    path = save_csv(tmp_path / "upload.tmp", [HEADER, ["依法决策", "决策程序", "公众参与", "2"]])

    result = parse_framework_file(path, filename="体系.xlsx")

    assert result.ok
    assert result.source_format == "csv"
    assert [node.title for node in result.nodes] == ["依法决策", "决策程序", "公众参与"]
    assert warnings(result) == ["文件扩展名为 .xlsx，但内容是CSV 文本格式，已按 .csv 读取"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "文件是空的"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 64
            + "EncryptedPackage".encode("utf-16-le"),
            "已加密",
        ),
        (b"\x00\x01\x02\x03binary", "无法识别的文件格式"),
    ],
)
def test_files_that_are_not_tables_give_a_clear_error(tmp_path, content, expected):
    path = tmp_path / "体系.xls"
    path.write_bytes(content)

    assert expected in only_error(parse_framework_file(path))


def test_a_missing_file_gives_an_error_instead_of_raising(tmp_path):
    assert "无法打开文件" in only_error(parse_framework_file(tmp_path / "nowhere.xlsx"))


def test_an_empty_workbook_says_it_is_empty(tmp_path):
    path = tmp_path / "空.xlsx"
    Workbook().save(path)

    assert (
        only_error(parse_framework_file(path))
        == "工作簿是空的：没有任何工作表包含内容，请检查是否选错了文件"
    )


def test_a_table_without_a_recognisable_header_names_the_expected_columns(tmp_path):
    path = save_table(tmp_path / "t.xlsx", [["姓名", "电话"], ["张三", "123"]], name="通讯录")

    message = only_error(parse_framework_file(path))

    for expected in ("一级指标", "三级指标", "指标内容", "分值", "“通讯录”"):
        assert expected in message


def test_duplicate_codes_name_both_rows(tmp_path):
    rows = [
        ["编号", "三级指标", "分值"],
        ["A1", "公众参与", 2],
        ["A2", "专家论证", 2],
        ["A1", "合法性审查", 2],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert errors(result) == [
        "编号“A1”重复：第 2 行“公众参与”和第 4 行“合法性审查”；同一指标体系中的编号必须唯一"
    ]
    assert (result.errors[0].row, result.errors[0].column) == (4, "A")


def test_duplicate_derived_codes_name_both_rows(tmp_path):
    rows = [
        HEADER,
        ["一、依法决策", "（一）决策程序", "1.公众参与", 2],
        [None, "（一）决策执行", "2.后评估", 2],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert errors(result) == [
        "编号“1.1”重复：第 2 行“决策程序”和第 3 行“决策执行”；同一指标体系中的编号必须唯一"
    ]


def test_non_numeric_and_negative_points_name_the_cell(tmp_path):
    rows = [
        HEADER,
        ["依法决策", "决策程序", "公众参与", "十分"],
        [None, None, "专家论证", "见说明"],
    ]
    rows.append([None, None, "合法性审查", -2])

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert errors(result) == [
        "第 2 行 D 列（分值）：“十分” 不是数字",
        "第 3 行 D 列（分值）：“见说明” 不是数字",
        "第 4 行 D 列（分值）：“-2” 不能为负数",
    ]
    assert [(e.row, e.column, e.field) for e in result.errors][0] == (2, "D", "points")


def test_a_formula_without_a_cached_value_names_the_cell_and_the_formula(tmp_path):
    rows = [
        HEADER,
        ["依法决策", "决策程序", "公众参与", "=SUM(D3:D4)"],
        [None, None, "专家论证", 2],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert errors(result) == [
        "单元格 D2 是公式 =SUM(D3:D4)，文件中没有计算结果，请在 Excel 中打开并保存后再导入，或改为数值"
    ]


@pytest.fixture(scope="module")
def huge_sheet(tmp_path_factory):
    path = tmp_path_factory.mktemp("huge") / "十万行.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("指标体系")
    sheet.append(["三级指标", "分值"])
    for number in range(1, 100_001):
        sheet.append([f"{number}.指标", 1])
    book.save(path)
    return path


def test_a_100000_row_sheet_is_rejected_from_the_streamed_count(huge_sheet):
    # Only max_rows + a header allowance are streamed before the file is refused.
    result = parse_framework_file(huge_sheet)

    assert result.nodes == []
    assert only_error(result).startswith("表格超过 5000 行（从第 5002 行起")


def test_rows_beyond_max_rows_stop_the_import_at_the_first_extra_row(tmp_path):
    rows = [["三级指标", "分值"], *[[f"{n}.指标", 1] for n in range(1, 11)]]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows), max_rows=5)

    assert only_error(result).startswith("表格超过 5 行（从第 7 行起")
    assert result.errors[0].row == 7


def test_very_long_cells_are_errors_naming_the_cell(tmp_path):
    rows = [["三级指标", "分值", "评分标准"], ["长" * 4001, 1, "短"], ["正常指标", 1, "细" * 20001]]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert errors(result) == [
        "第 2 行 A 列（指标名称）：内容过长（4001 字，上限 4000 字）",
        "第 3 行 C 列（评分标准）：内容过长（20001 字，上限 20000 字）",
    ]


def test_a_parent_whose_points_differ_from_its_children_gives_a_warning_not_an_error(tmp_path):
    rows = [
        HEADER,
        ["一、依法决策（10分）", "（一）决策程序（6分）", "1.公众参与", 3],
        [None, None, "2.专家论证", 2],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows, ["A2:A3", "B2:B3"]))

    assert result.ok
    assert warnings(result) == [
        "第 2 行“依法决策”的分值 10 与下级指标分值之和 6 不一致",
        "第 2 行“决策程序”的分值 6 与下级指标分值之和 5 不一致",
    ]


def test_unknown_evaluation_methods_are_left_out_with_a_warning(tmp_path):
    rows = [["三级指标", "评估方式"], ["公众参与", "查阅资料、现场答辩"]]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert result.nodes[0].evaluation_methods == ["材料评审"]
    assert len(warnings(result)) == 1
    assert warnings(result)[0].startswith("第 2 行 B 列（评估方式）：“现场答辩” 不是已知的评估方式")


def test_errors_are_collected_for_every_row_and_capped_at_200(tmp_path):
    rows = [["三级指标", "分值"], *[[f"指标{n}", "待定"] for n in range(300)]]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert len(result.issues) == 201
    assert result.issues[0].message == "第 2 行 B 列（分值）：“待定” 不是数字"
    assert result.issues[-1].message == "还有 100 个问题未列出"
    assert result.issues[-1].level == "error"
