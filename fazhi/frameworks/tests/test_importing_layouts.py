"""The table layouts offices actually circulate import into the exact same kind of tree."""

from decimal import Decimal

from fazhi.frameworks.importing import parse_framework_file
from fazhi.frameworks.tests.excel_builders import (
    SheetSpec,
    heading_rows_table,
    national_table,
    save_csv,
    save_table,
    save_xls,
    save_xlsx,
)


def tree(result):
    return [(n.code, n.number, n.title, n.level, n.parent_code, n.points) for n in result.nodes]


def messages(result, level=None):
    return [issue.message for issue in result.issues if level is None or issue.level == level]


NATIONAL_TREE = [
    ("1", "一", "依法全面履行政府职能", 1, None, None),
    ("1.1", "（一）", "政府机构职能优化", 2, "1", None),
    ("1.1.1", "1", "机构职能体系健全", 3, "1.1", Decimal(4)),
    ("1.1.2", "2", "权责清单动态调整", 3, "1.1", Decimal(4)),
    ("1.2", "（二）", "深化放管服改革", 2, "1", None),
    ("1.2.3", "3", "推进政务服务标准化", 3, "1.2", Decimal(2)),
    ("2", "二", "健全依法行政制度体系", 1, None, None),
    ("2.1", "（一）", "依法制定规章和规范性文件", 2, "2", None),
    ("2.1.4", "4", "规范性文件合法性审核", 3, "2.1", Decimal(5)),
    ("2.1.5", "5", "规范性文件备案审查", 3, "2.1", Decimal(5)),
]


def test_title_row_two_row_header_and_merged_levels_give_the_three_level_tree(tmp_path):
    result = parse_framework_file(save_xlsx(tmp_path / "体系.xlsx", national_table()))

    assert result.ok, messages(result)
    assert tree(result) == NATIONAL_TREE
    assert result.header_rows == [2, 3]
    assert result.sheet == "指标体系"
    assert result.source_format == "xlsx"
    assert result.total_points() == Decimal(20)


def test_header_columns_are_reported_with_the_cell_they_came_from(tmp_path):
    result = parse_framework_file(save_xlsx(tmp_path / "体系.xlsx", national_table()))

    assert result.columns == {
        "number": "A（序号）",
        "area": "B（一级指标）",
        "group": "C（二级指标）",
        "indicator": "D（三级指标）",
        "points": "E（分值）",
        "evaluation_methods": "F（评估方式）",
        "lead_unit": "G（牵头单位）",
        "responsible_units": "H（责任单位）",
    }


def test_units_methods_and_veto_marks_are_read_per_indicator(tmp_path):
    result = parse_framework_file(save_xlsx(tmp_path / "体系.xlsx", national_table()))
    by_code = {node.code: node for node in result.nodes}

    assert by_code["1.1.1"].lead_unit == "市委编办"
    assert by_code["1.1.1"].responsible_units == ["市委编办", "市司法局"]
    assert by_code["1.2.3"].responsible_units == ["市行政审批局", "市大数据局"]
    assert by_code["2.1.4"].responsible_units == ["市司法局", "各部门"]
    assert by_code["1.1.2"].evaluation_methods == ["材料评审", "实地核查"]
    assert by_code["1.2.3"].evaluation_methods == ["满意度测评"]
    assert by_code["2.1.5"].veto is True
    assert by_code["2.1.5"].title == "规范性文件备案审查"
    assert by_code["2.1.4"].veto is False
    assert (by_code["2.1.5"].sheet, by_code["2.1.5"].row) == ("指标体系", 8)


def test_heading_rows_with_points_in_the_text_give_areas_and_groups(tmp_path):
    result = parse_framework_file(save_xlsx(tmp_path / "评分表.xlsx", heading_rows_table()))

    assert result.ok, messages(result)
    assert tree(result) == [
        ("1", "一", "依法全面履行政府职能", 1, None, Decimal(10)),
        ("1.1", "（一）", "优化政府机构职能", 2, "1", Decimal(6)),
        ("1.1.1", "1", "机构职能体系健全", 3, "1.1", Decimal(3)),
        ("1.1.2", "2", "权责清单动态调整", 3, "1.1", Decimal(3)),
        ("1.2", "（二）", "深化放管服改革", 2, "1", Decimal(4)),
        ("1.2.3", "3", "推进政务服务标准化", 3, "1.2", Decimal(4)),
        ("2", "二", "健全依法行政制度体系", 1, None, Decimal(5)),
        ("2.4", "4", "规范性文件备案审查", 2, "2", Decimal(5)),
    ]
    assert result.header_rows == [2]


def test_spacer_total_and_footnote_rows_are_not_indicators(tmp_path):
    result = parse_framework_file(save_xlsx(tmp_path / "评分表.xlsx", heading_rows_table()))

    titles = [node.title for node in result.nodes]
    assert not any("注" in title or "合计" in title or "不超过" in title for title in titles)
    assert result.issues == []


def test_veto_written_in_the_scoring_rules_marks_the_indicator(tmp_path):
    result = parse_framework_file(save_xlsx(tmp_path / "评分表.xlsx", heading_rows_table()))

    assert [node.code for node in result.nodes if node.veto] == ["2.4"]


def test_a_total_row_that_differs_from_the_sum_gives_a_warning(tmp_path):
    spec = heading_rows_table()
    spec.rows[11][2] = 20

    result = parse_framework_file(save_xlsx(tmp_path / "评分表.xlsx", spec))

    assert result.ok
    assert messages(result, "warning") == ["第 12 行合计分值 20 与各项分值之和 15 不一致"]


def test_group_points_merged_across_its_rows_belong_to_the_group_not_each_row(tmp_path):
    header = [["一级指标", "二级指标", "三级指标", "分值", "责任单位"]]
    rows = [
        *header,
        ["一、依法决策", "（一）决策程序", "1.公众参与", 10, "市司法局"],
        [None, None, "2.专家论证", None, "市司法局"],
        [None, "（二）决策执行", "3.决策后评估", 5, "市政府办"],
    ]

    result = parse_framework_file(
        save_table(tmp_path / "t.xlsx", rows, ["A2:A4", "B2:B3", "D2:D3"])
    )

    assert tree(result) == [
        ("1", "一", "依法决策", 1, None, None),
        ("1.1", "（一）", "决策程序", 2, "1", Decimal(10)),
        ("1.1.1", "1", "公众参与", 3, "1.1", None),
        ("1.1.2", "2", "专家论证", 3, "1.1", None),
        ("1.2", "（二）", "决策执行", 2, "1", None),
        ("1.2.3", "3", "决策后评估", 3, "1.2", Decimal(5)),
    ]


def test_blank_cells_below_a_value_mean_same_as_above_without_merges(tmp_path):
    rows = [
        ["一级指标", "二级指标", "三级指标", "分值"],
        ["依法行政制度体系", "规范性文件", "合法性审核", 2],
        [None, None, "备案审查", 3],
        [None, "行政规范性文件清理", "定期清理", 1],
        ["行政执法", "执法规范", "三项制度", 4],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert [(n.code, n.title, n.parent_code) for n in result.nodes] == [
        ("1", "依法行政制度体系", None),
        ("1.1", "规范性文件", "1"),
        ("1.1.1", "合法性审核", "1.1"),
        ("1.1.2", "备案审查", "1.1"),
        ("1.2", "行政规范性文件清理", "1"),
        ("1.2.1", "定期清理", "1.2"),
        ("2", "行政执法", None),
        ("2.1", "执法规范", "2"),
        ("2.1.1", "三项制度", "2.1"),
    ]


def test_area_names_repeated_on_every_row_are_one_area(tmp_path):
    rows = [
        ["一级指标", "三级指标", "分值"],
        ["一、依法决策", "1.公众参与", 2],
        ["一、依法决策", "2.专家论证", 2],
        ["二、行政执法", "3.三项制度", 2],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert [(n.code, n.parent_code) for n in result.nodes] == [
        ("1", None),
        ("1.1", "1"),
        ("1.2", "1"),
        ("2", None),
        ("2.3", "2"),
    ]


def test_refined_items_numbered_in_parentheses_sit_below_their_indicator(tmp_path):
    rows = [
        ["序号", "指标名称", "分值", "牵头单位", "完成时限"],
        ["一、", "依法决策（5分）", None, None, None],
        ["1", "重大行政决策目录管理", 5, "市司法局", "2024年6月底"],
        [None, "(1)编制年度决策事项目录", 2, "市政府办", None],
        [None, "(2)向社会公布", 3, "市政府办、市司法局", None],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert tree(result) == [
        ("1", "一", "依法决策", 1, None, Decimal(5)),
        ("1.1", "1", "重大行政决策目录管理", 2, "1", Decimal(5)),
        ("1.1.1", "(1)", "编制年度决策事项目录", 3, "1.1", Decimal(2)),
        ("1.1.2", "(2)", "向社会公布", 3, "1.1", Decimal(3)),
    ]
    assert result.nodes[1].deadline == "2024年6月底"
    assert result.nodes[3].lead_unit == "市政府办、市司法局"


def test_continuation_rows_add_to_the_indicator_above(tmp_path):
    rows = [
        ["三级指标", "分值", "评分标准", "责任单位"],
        ["1.行政复议", 4, "未按期办结的扣1分", "市司法局"],
        [None, None, "被纠错的扣1分", "各区县政府"],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    (node,) = result.nodes
    assert node.scoring_rules == "未按期办结的扣1分\n被纠错的扣1分"
    assert node.responsible_units == ["市司法局", "各区县政府"]
    assert node.points == Decimal(4)


def test_an_instructions_sheet_before_the_table_is_skipped_and_the_choice_reported(tmp_path):
    instructions = SheetSpec(
        "填表说明", [["填表说明：请各单位按照下表逐项填写，并于每月5日前报送。"], ["联系人：张三"]]
    )
    path = save_xlsx(tmp_path / "体系.xlsx", instructions, national_table())

    result = parse_framework_file(path)

    assert result.sheet == "指标体系"
    assert tree(result) == NATIONAL_TREE
    assert messages(result) == ["工作簿有 2 个工作表，已读取工作表“指标体系”（表头在第 2–3 行）"]


def test_header_synonyms_are_recognised(tmp_path):
    rows = [
        [
            "考核领域",
            "考核项目",
            "评价指标",
            "指标内涵",
            "标准分",
            "评分细则",
            "核查方式",
            "印证材料",
            "一票否决",
            "责任领导单位",
            "配合单位",
            "时间节点",
        ],
        [
            "依法行政",
            "制度建设",
            "立法质量",
            "提高立法质量",
            3,
            "扣分",
            "资料审查",
            "立法计划",
            "√",
            "市人大法工委",
            "市司法局",
            "12月",
        ],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    leaf = result.nodes[-1]
    assert (leaf.title, leaf.description, leaf.points, leaf.scoring_rules) == (
        "立法质量",
        "提高立法质量",
        3,
        "扣分",
    )
    assert leaf.evaluation_methods == ["材料评审"]
    assert (leaf.required_evidence, leaf.veto, leaf.lead_unit) == ("立法计划", True, "市人大法工委")
    assert (leaf.responsible_units, leaf.deadline) == (["市司法局"], "12月")


def test_an_explicit_code_column_supplies_the_codes(tmp_path):
    rows = [
        ["指标编号", "一级指标", "三级指标", "分值"],
        ["A", "依法决策", None, None],
        ["A01", None, "公众参与", 2],
        ["A02", None, "专家论证", 2],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert [(n.code, n.title, n.parent_code) for n in result.nodes] == [
        ("A", "依法决策", None),
        ("A01", "公众参与", "A"),
        ("A02", "专家论证", "A"),
    ]


def test_unnumbered_rows_get_the_next_position_among_their_siblings(tmp_path):
    rows = [
        ["一级指标", "二级指标", "分值"],
        ["依法决策", "公众参与", 1],
        [None, "专家论证", 1],
        ["行政执法", "执法公示", 1],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert [n.code for n in result.nodes] == ["1", "1.1", "1.2", "2", "2.1"]


def test_old_xls_files_with_merged_cells_read_like_xlsx(tmp_path):
    spec = national_table()
    result = parse_framework_file(save_xls(tmp_path / "体系.xls", spec.rows, spec.merges))

    assert result.source_format == "xls"
    assert result.ok, messages(result)
    assert tree(result) == NATIONAL_TREE


def test_csv_saved_as_gbk_reads_with_blank_cells_meaning_same_as_above(tmp_path):
    rows = [
        ["一级指标", "二级指标", "三级指标", "分值"],
        ["一、依法决策", "（一）决策程序", "1.公众参与", "2"],
    ]
    rows.append([None, None, "2.专家论证", "3"])

    result = parse_framework_file(save_csv(tmp_path / "体系.csv", rows, encoding="gbk"))

    assert result.source_format == "csv"
    assert [(n.code, n.title, n.points) for n in result.nodes] == [
        ("1", "依法决策", None),
        ("1.1", "决策程序", None),
        ("1.1.1", "公众参与", Decimal(2)),
        ("1.1.2", "专家论证", Decimal(3)),
    ]


def test_tables_without_points_are_fine(tmp_path):
    rows = [["一级指标", "二级指标", "牵头单位"], ["依法决策", "公众参与", "市司法局"]]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert result.ok
    assert result.total_points() == Decimal(0)
    assert all(node.points is None for node in result.nodes)


def test_unmerged_heading_rows_typed_into_the_number_column_are_areas(tmp_path):
    rows = [
        ["序号", "指标内容", "分值"],
        ["一、依法决策（5分）", None, None],
        [1, "公众参与", 2],
        [2, "专家论证", 3],
        ["二、行政执法", None, None],
        [3, "三项制度", 4],
    ]

    result = parse_framework_file(save_table(tmp_path / "t.xlsx", rows))

    assert tree(result) == [
        ("1", "一", "依法决策", 1, None, Decimal(5)),
        ("1.1", "1", "公众参与", 2, "1", Decimal(2)),
        ("1.2", "2", "专家论证", 2, "1", Decimal(3)),
        ("2", "二", "行政执法", 1, None, None),
        ("2.3", "3", "三项制度", 2, "2", Decimal(4)),
    ]
