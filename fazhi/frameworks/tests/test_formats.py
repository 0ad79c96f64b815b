"""Exports people rely on: YAML/JSON that re-import to the same framework, and an Excel table
in the government layout that our own importer reads back to the same tree."""

import json
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from fazhi.accounts.system import SYSTEM
from fazhi.frameworks import formats, selectors, services
from fazhi.frameworks.demo import load_demo_framework
from fazhi.frameworks.diff import diff_frameworks
from fazhi.frameworks.importing import parse_framework_file
from fazhi.frameworks.models import Framework
from fazhi.frameworks.tree import TreeError


@pytest.fixture
def demo(db):
    return load_demo_framework()


def test_the_demo_framework_has_ten_areas_104_indicators_and_1000_points(demo):
    assert demo.nodes.filter(level=1).count() == 10
    assert demo.nodes.filter(level=2).count() == 34
    assert demo.leaf_count == 104
    assert demo.total_points == Decimal(1000)
    assert demo.is_illustrative


def test_yaml_export_reimports_to_an_identical_framework(demo):
    text = formats.dump_yaml(
        formats.framework_document(demo, selectors.framework_rows(framework=demo))
    )
    data = formats.load_document(text)
    data["edition"] = "副本"
    copy = services.framework_import_data(acting_user=SYSTEM, data=data)
    again = formats.dump_yaml(
        formats.framework_document(copy, selectors.framework_rows(framework=copy))
    )
    assert again == text.replace("edition: 2025 示例版", "edition: 副本")


def test_json_export_is_the_documented_tree(demo):
    document = json.loads(
        formats.dump_json(
            formats.framework_document(demo, selectors.framework_rows(framework=demo))
        )
    )
    assert document["name"] == demo.name and document["edition"] == demo.edition
    area = document["nodes"][0]
    assert set(area) >= {
        "code",
        "title",
        "points",
        "veto",
        "lead_unit",
        "responsible_units",
        "children",
    }
    indicator = area["children"][0]["children"][0]
    assert indicator["code"] == "1.1.1" and not indicator["title"].startswith("1")
    assert "分）" not in indicator["title"]
    assert isinstance(indicator["responsible_units"], list)


def test_excel_export_reads_back_to_the_same_tree(demo, tmp_path):
    rows = selectors.framework_rows(framework=demo)
    path = tmp_path / "export.xlsx"
    with path.open("wb") as stream:
        formats.write_xlsx(demo, rows, stream)
    sheet = load_workbook(path).active
    assert sheet.merged_cells.ranges, "areas and groups are merged cells, as in government tables"
    parsed = parse_framework_file(path)
    assert parsed.ok, [issue.message for issue in parsed.errors]
    reimported = [{**vars(node), "parent_code": node.parent_code} for node in parsed.nodes]
    diff = diff_frameworks(rows, reimported)
    assert diff.summary()["added"] == diff.summary()["removed"] == diff.summary()["changed"] == 0
    assert parsed.total_points() == Decimal(1000)


def test_exported_text_that_looks_like_a_formula_is_neutralised(db, tmp_path):
    rows = [
        {
            "code": "1",
            "number": "一",
            "title": "区域",
            "level": 1,
            "parent_code": None,
            "points": Decimal(5),
        },
        {
            "code": "1.1",
            "number": "1",
            "title": "指标",
            "level": 2,
            "parent_code": "1",
            "points": Decimal(5),
            "scoring_rules": '=HYPERLINK("http://x")',
            "evaluation_methods": [],
            "responsible_units": [],
        },
    ]
    framework = services.framework_create(acting_user=SYSTEM, name="公式", edition="1", rows=rows)
    buffer = BytesIO()
    formats.write_xlsx(framework, selectors.framework_rows(framework=framework), buffer)
    buffer.seek(0)
    values = [c.value for row in load_workbook(buffer).active.iter_rows() for c in row if c.value]
    assert '\'=HYPERLINK("http://x")' in values


def test_a_tree_with_duplicate_codes_stores_nothing(db):
    rows = [
        {"code": "1", "title": "甲", "level": 1, "parent_code": None, "points": None},
        {"code": "1", "title": "乙", "level": 1, "parent_code": None, "points": None},
    ]
    with pytest.raises(TreeError, match="重复"):
        services.framework_create(acting_user=SYSTEM, name="重复", edition="1", rows=rows)
    assert not Framework.objects.exists()


def test_a_yaml_document_with_bad_points_names_the_node(db):
    data = {"name": "x", "edition": "1", "nodes": [{"code": "1", "title": "甲", "points": "十分"}]}
    with pytest.raises(TreeError) as caught:
        services.framework_import_data(acting_user=SYSTEM, data=data)
    assert "nodes[0]" in caught.value.errors[0] and "十分" in caught.value.errors[0]
    assert not Framework.objects.exists()


def test_malformed_yaml_reports_line_and_column():
    with pytest.raises(TreeError) as caught:
        formats.load_document("name: x\nnodes: [\n  - code: 1\n")
    assert "行" in caught.value.errors[0]
