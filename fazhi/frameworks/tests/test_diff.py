"""Tests for comparing framework editions. Pure Python: run with ``-p no:django``."""

import copy
import difflib
import io
import random
import time
from decimal import Decimal

from openpyxl import load_workbook

from fazhi.frameworks.diff import (
    _char_masks,
    _lcs_length,
    diff_frameworks,
)
from fazhi.frameworks.diff_xlsx import cell_text as safe_cell
from fazhi.frameworks.diff_xlsx import diff_to_xlsx

VOCABULARY = (
    "依法 行政 执法 决策 公开 制度 建设 政府 法治 监督 规范 程序 机制 完善 落实 考核 评估 "
    "合法性 审查 备案 复议 诉讼 应诉 普法 宣传 责任 清单 权力 运行 信息 公众 参与 专家 论证 "
    "风险 集体 讨论 文件 清理 法律 顾问 公职 律师 负责人 出庭 培训 学法 述法 行政机关 工作人员 "
    "年度 报告 社会 矛盾 纠纷 化解 调解 仲裁 信访 标准 数字 平台 基层 乡镇 街道 综合 改革 营商 "
    "环境 优化 服务 市场 主体 许可 处罚 强制 检查 裁量 基准 说明 理由 全过程 记录 法制 审核"
)
PHRASES = VOCABULARY.split()


def phrase_text(rng, length):
    """Text from the framework's own vocabulary, so unrelated nodes still look alike."""
    text = ""
    while len(text) < length:
        text += rng.choice(PHRASES) + rng.choice(("", "", "，", "、"))
    return text[:length]


def node(code, title, *, level="indicator", parent="1.1", **fields):
    data = {
        "code": code,
        "number": code,
        "title": title,
        "level": level,
        "parent_code": parent,
        "points": Decimal("2"),
        "description": "",
        "scoring_rules": "",
        "evaluation_methods": ["查阅资料"],
        "required_evidence": "",
        "veto": False,
        "lead_unit": "司法局",
        "responsible_units": [],
    }
    data.update(fields)
    return data


def tree(rng, *, areas=8, groups_per_area=4, indicators=104):
    """A framework as nested lists: [(area, [(group, [indicator, ...]), ...]), ...]."""
    group_count = areas * groups_per_area
    sizes = [indicators // group_count] * group_count
    for extra in range(indicators % group_count):
        sizes[extra] += 1
    result, serial = [], 0
    for a in range(areas):
        area = node("", phrase_text(rng, 10), level="area", parent=None, points=None)
        groups = []
        for g in range(groups_per_area):
            group = node("", phrase_text(rng, 12), level="group", points=None)
            members = []
            for _ in range(sizes[a * groups_per_area + g]):
                serial += 1
                members.append(new_indicator(rng, f"ind-{serial}"))
            groups.append((group, members))
        result.append((area, groups))
    return result


def new_indicator(rng, identity):
    return node(
        "",
        phrase_text(rng, rng.randint(12, 24)),
        description=phrase_text(rng, rng.randint(60, 150)),
        scoring_rules=phrase_text(rng, 40),
        _id=identity,
    )


def flatten(framework):
    """Depth-first node list with codes assigned the way the guide numbers them: areas 1..8,
    groups 1.1.., indicators numbered 1..N across the whole framework."""
    nodes, serial = [], 0
    for a, (area, groups) in enumerate(framework, start=1):
        area.update(code=str(a), number=str(a), parent_code=None)
        nodes.append(area)
        for g, (group, members) in enumerate(groups, start=1):
            group.update(code=f"{a}.{g}", number=f"{a}.{g}", parent_code=str(a))
            nodes.append(group)
            for indicator in members:
                serial += 1
                indicator.update(code=str(serial), number=str(serial), parent_code=group["code"])
                nodes.append(indicator)
    return [dict(n) for n in nodes]


def simple_edition():
    return [
        node("1", "依法全面履行政府职能", level="area", parent=None, points=None),
        node("1.1", "深化行政审批制度改革", level="group", parent="1", points=None),
        node("1", "编制公布权责清单并动态调整", parent="1.1", description="按要求编制权责清单"),
        node("2", "推行证明事项告知承诺制", parent="1.1", description="全面推行告知承诺制"),
        node("1.2", "优化法治化营商环境", level="group", parent="1", points=None),
        node("3", "清理妨碍统一市场的规定", parent="1.2", description="定期清理相关文件"),
        node("4", "建立涉企政策听取意见机制", parent="1.2", description="听取企业意见"),
    ]


def by_title(diff, title):
    for entry in diff.entries:
        if title in ((entry.old or {}).get("title"), (entry.new or {}).get("title")):
            return entry
    raise AssertionError(f"no entry for {title}")


def test_identical_editions_have_no_entries():
    diff = diff_frameworks(simple_edition(), simple_edition())

    assert diff.entries == []
    assert diff.unchanged_count == 7


def test_an_inserted_indicator_is_added_and_later_ones_are_renumbered_not_replaced():
    old = simple_edition()
    new = simple_edition()
    new.insert(3, node("2", "全面实行行政许可事项清单管理", parent="1.1"))
    for indicator in new[4:]:
        if indicator["level"] == "indicator":
            indicator["code"] = indicator["number"] = str(int(indicator["code"]) + 1)

    diff = diff_frameworks(old, new)

    assert [e.new["title"] for e in diff.added] == ["全面实行行政许可事项清单管理"]
    assert diff.removed == []
    assert diff.changed == []
    assert [(e.old["code"], e.new["code"]) for e in diff.moved] == [
        ("2", "3"),
        ("3", "4"),
        ("4", "5"),
    ]
    assert all(e.moved and e.kind_label == "调整编号" for e in diff.moved)
    assert diff.summary()["unchanged"] == 4


def test_a_slightly_reworded_title_is_a_change_of_the_title():
    new = simple_edition()
    new[3]["title"] = "全面推行证明事项告知承诺制"

    diff = diff_frameworks(simple_edition(), new)

    [entry] = diff.entries
    assert entry.kind == "changed" and entry.kind_label == "修改"
    assert not entry.moved
    assert 0.6 < entry.similarity < 1
    [change] = entry.changes
    assert (change.field, change.label) == ("title", "标题")
    assert (change.old, change.new) == ("推行证明事项告知承诺制", "全面推行证明事项告知承诺制")


def test_changed_points_are_reported_and_equal_decimals_are_not():
    new = simple_edition()
    new[2]["points"] = Decimal("2.0")  # same value, other spelling
    new[3]["points"] = Decimal("3")

    diff = diff_frameworks(simple_edition(), new)

    [entry] = diff.entries
    assert entry.new["code"] == "2"
    assert [(c.label, c.old, c.new) for c in entry.changes] == [
        ("分值", Decimal("2"), Decimal("3"))
    ]


def test_an_indicator_moved_to_another_group_is_moved():
    old = simple_edition()
    new = simple_edition()
    moving = new.pop(3)
    moving["parent_code"] = "1.2"
    new.insert(5, moving)  # after indicator 3, keeps its code "2"

    diff = diff_frameworks(old, new)

    [entry] = diff.entries
    assert entry.kind == "moved" and entry.moved
    assert entry.changes == []
    assert (entry.old["parent_code"], entry.new["parent_code"]) == ("1.1", "1.2")


def test_a_removed_indicator_is_listed_where_it_was():
    new = simple_edition()
    del new[3]
    new[4]["title"] = "定期清理妨碍统一市场和公平竞争的规定"  # a later change, to check ordering

    diff = diff_frameworks(simple_edition(), new)

    assert [e.kind for e in diff.entries] == ["removed", "changed"]
    assert diff.entries[0].old["title"] == "推行证明事项告知承诺制"
    assert diff.entries[0].new is None


def test_a_changed_veto_flag_is_reported():
    new = simple_edition()
    new[5]["veto"] = True

    diff = diff_frameworks(simple_edition(), new)

    [entry] = diff.entries
    assert [(c.field, c.label, c.old, c.new) for c in entry.changes] == [
        ("veto", "否决项", False, True)
    ]


def test_a_reworded_and_renumbered_indicator_is_matched_by_content():
    rng = random.Random(3)
    old = [new_indicator(rng, i) for i in range(6)]
    for position, indicator in enumerate(old, start=1):
        indicator["code"] = str(position)
    new = copy.deepcopy(old)
    new.insert(0, new_indicator(rng, "inserted"))
    for position, indicator in enumerate(new, start=1):
        indicator["code"] = str(position)
    new[3]["title"] = "进一步" + new[3]["title"][:-1]  # was indicator 3, now 4

    diff = diff_frameworks(old, new)

    assert len(diff.added) == 1 and diff.removed == []
    entry = by_title(diff, new[3]["title"])
    assert entry.kind == "changed" and entry.moved
    assert (entry.old["code"], entry.new["code"]) == ("3", "4")
    assert [c.field for c in entry.changes] == ["title"]


def test_a_code_reused_for_a_different_indicator_is_removed_and_added():
    new = simple_edition()
    new[3].update(title="建立行政执法案卷评查制度", description="每年组织案卷评查")

    diff = diff_frameworks(simple_edition(), new)

    assert [e.kind for e in diff.entries] == ["removed", "added"]


def test_duplicate_titles_go_to_the_same_code_then_to_the_same_parent_title():
    old = [
        node("A", "执法监督", level="group", parent=None),
        node("A.1", "制度建设", level="item", parent="A", description="甲"),
        node("B", "复议应诉", level="group", parent=None),
        node("B.1", "制度建设", level="item", parent="B", description="乙"),
    ]
    new = copy.deepcopy(old)
    new[1]["code"], new[3]["code"] = "A.9", "B.9"  # both renumbered: parent title decides

    diff = diff_frameworks(old, new)

    assert {(e.old["description"], e.new["description"]) for e in diff.moved} == {
        ("甲", "甲"),
        ("乙", "乙"),
    }


def test_an_area_never_matches_an_indicator_of_the_same_title():
    old = [node("1", "严格规范公正文明执法", level="area", parent=None)]
    new = [node("1", "严格规范公正文明执法", level="indicator", parent=None)]

    diff = diff_frameworks(old, new)

    assert [e.kind for e in diff.entries] == ["removed", "added"]


def test_children_of_a_renumbered_group_are_not_reported_as_moved():
    old = simple_edition()
    new = simple_edition()
    new[4]["code"] = new[4]["number"] = "1.3"
    for indicator in new[5:]:
        indicator["parent_code"] = "1.3"

    diff = diff_frameworks(old, new)

    [entry] = diff.entries
    assert entry.kind == "moved"
    assert entry.new["title"] == "优化法治化营商环境"


def test_width_whitespace_and_list_order_differences_are_not_changes():
    old = simple_edition()
    old[2].update(description="按要求编制(一)权责清单", evaluation_methods=["查阅资料", "实地查看"])
    new = copy.deepcopy(old)
    new[2].update(
        description=" 按要求编制（一）\n权责清单 ", evaluation_methods=["实地查看", "查阅资料"]
    )
    new[2]["points"] = 2  # int against Decimal("2")

    assert diff_frameworks(old, new).entries == []


def test_fields_outside_the_compared_ones_are_ignored():
    new = simple_edition()
    new[2]["lead_unit"] = "发展改革委"
    new[2]["responsible_units"] = ["市场监管局"]

    assert diff_frameworks(simple_edition(), new).entries == []


def export(diff):
    stream = io.BytesIO()
    diff_to_xlsx(diff, stream, old_label="2019年版", new_label="2021年版")
    stream.seek(0)
    return load_workbook(stream)


def test_the_xlsx_export_opens_and_has_a_row_per_change():
    new = simple_edition()
    new[3]["points"] = Decimal("3")
    new.insert(3, node("9", "全面实行行政许可事项清单管理", parent="1.1", description="清单管理"))
    del new[6]
    diff = diff_frameworks(simple_edition(), new)

    workbook = export(diff)

    assert workbook.sheetnames == ["概览", "变化明细"]
    overview = {row[0]: row[1] for row in workbook["概览"].iter_rows(values_only=True)}
    assert overview["原版本"] == "2019年版" and overview["新版本"] == "2021年版"
    assert (overview["新增"], overview["删除"], overview["修改"]) == (1, 1, 1)
    detail = workbook["变化明细"]
    rows = list(detail.iter_rows(values_only=True))
    assert rows[0] == (
        "类型",
        "旧编号",
        "新编号",
        "层级",
        "旧标题",
        "新标题",
        "变化字段",
        "原内容",
        "新内容",
    )
    assert len(rows) == 1 + len(diff.entries)
    assert detail.freeze_panes == "A2"
    assert detail["A1"].font.bold and detail["E2"].alignment.wrap_text
    assert detail.column_dimensions["H"].width == 60
    changed = next(row for row in rows if row[0] == "修改")
    assert changed[1:4] == ("2", "2", "三级指标")
    assert "分值" in changed[6] and "分值：2" in changed[7] and "分值：3" in changed[8]
    added = next(row for row in rows if row[0] == "新增")
    assert added[5] == "全面实行行政许可事项清单管理" and "内涵：清单管理" in added[8]


def test_formula_like_text_is_written_as_inert_text():
    new = simple_edition()
    new[2]["title"] = '=HYPERLINK("http://evil.example","点击")'
    new[3]["description"] = "@SUM(A1:A9)"
    new[5]["title"] = "-1+1"
    diff = diff_frameworks(simple_edition(), new)

    detail = export(diff)["变化明细"]
    cells = [cell for row in detail.iter_rows(min_row=2) for cell in row if cell.value]

    assert all(cell.data_type == "s" for cell in cells)
    values = [cell.value for cell in cells]
    assert '\'=HYPERLINK("http://evil.example","点击")' in values
    assert "'-1+1" in values
    assert "内涵：@SUM(A1:A9)" in values
    assert not any(value.startswith(("=", "+", "-", "@")) for value in values)


def test_cell_text_is_neutralised_and_cleaned():
    assert safe_cell("+86 10 12345") == "'+86 10 12345"
    assert safe_cell("@cmd") == "'@cmd"
    assert safe_cell("依法行政-1") == "依法行政-1"
    assert safe_cell("内涵\x07说明") == "内涵说明"
    assert safe_cell(Decimal("10.0")) == "10"
    assert safe_cell(["查阅资料", "实地查看"]) == "查阅资料、实地查看"


def test_a_revised_104_indicator_framework_gives_the_right_counts():
    rng = random.Random(2021)
    framework = tree(rng)
    old = flatten(framework)
    revised = copy.deepcopy(framework)
    groups = [members for _area, area_groups in revised for _group, members in area_groups]
    indicators = [indicator for members in groups for indicator in members]
    picked = iter(rng.sample(indicators, 40))
    changed_ids = set()
    for _ in range(10):  # reworded titles
        indicator = next(picked)
        indicator["title"] = "进一步" + indicator["title"]
        changed_ids.add(indicator["_id"])
    for _ in range(8):
        indicator = next(picked)
        indicator["points"] += 1
        changed_ids.add(indicator["_id"])
    for _ in range(5):
        indicator = next(picked)
        indicator["veto"] = True
        changed_ids.add(indicator["_id"])
    for _ in range(6):  # description revised
        indicator = next(picked)
        indicator["description"] += "并向社会公开"
        changed_ids.add(indicator["_id"])
    for _ in range(4):
        indicator = next(picked)
        indicator["evaluation_methods"] = ["查阅资料", "问卷调查"]
        changed_ids.add(indicator["_id"])
    for _ in range(4):
        indicator = next(picked)
        next(members for members in groups if indicator in members).remove(indicator)
    for _ in range(3):  # moved to another group, keeps its content
        indicator = next(picked)
        next(members for members in groups if indicator in members).remove(indicator)
        rng.choice(groups).insert(0, indicator)
    for serial in range(6):
        members = rng.choice(groups)
        members.insert(rng.randint(0, len(members)), new_indicator(rng, f"new-{serial}"))
    new = flatten(revised)

    diff = diff_frameworks(old, new)

    old_by_id = {n["_id"]: n for n in old if "_id" in n}
    new_by_id = {n["_id"]: n for n in new if "_id" in n}
    expected = {"added": 6, "removed": 4, "changed": len(changed_ids), "moved": 0}
    for identity in old_by_id.keys() & new_by_id.keys() - changed_ids:
        before, after = old_by_id[identity], new_by_id[identity]
        if (before["code"], before["parent_code"]) != (after["code"], after["parent_code"]):
            expected["moved"] += 1
    summary = diff.summary()
    assert {kind: summary[kind] for kind in expected} == expected
    assert expected["moved"] > 20  # insertions renumber much of the framework
    assert summary["unchanged"] == len(new) - 6 - expected["changed"] - expected["moved"]
    assert {e.new["_id"] for e in diff.changed} == changed_ids
    assert all(e.old["_id"] == e.new["_id"] for e in diff.entries if e.old and e.new)
    assert {e.new["_id"] for e in diff.added} == {f"new-{serial}" for serial in range(6)}
    new_order = [e.new["_id"] for e in diff.entries if e.new]
    assert new_order == [n["_id"] for n in new if any(e.new is n for e in diff.entries)]


def test_the_lcs_bound_never_undercuts_difflib_ratio():
    rng = random.Random(7)
    for _ in range(300):
        a = phrase_text(rng, rng.randint(1, 60))
        b = phrase_text(rng, rng.randint(1, 60))
        bound = 2 * _lcs_length(a, _char_masks(b), len(b)) / (len(a) + len(b))
        assert bound >= difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def test_a_thousand_unmatched_nodes_a_side_are_compared_within_seconds():
    rng = random.Random(1000)
    old = [new_indicator(rng, f"old-{i}") for i in range(1000)]
    for position, indicator in enumerate(old):
        indicator["code"] = f"o{position}"
    new = [new_indicator(rng, f"fresh-{i}") for i in range(700)]
    for indicator in rng.sample(old, 300):  # reworded and renumbered: only content can tell
        edited = dict(indicator, title=indicator["title"][2:] + "工作", _id=indicator["_id"])
        edited["description"] = "全面" + edited["description"]
        new.append(edited)
    rng.shuffle(new)
    for position, indicator in enumerate(new):
        indicator["code"] = f"n{position}"

    # CPU time of this process, not the wall clock: a busy machine must not fail the test, while
    # a pairing gone quadratic-in-the-wrong-way still does (it took ~2 s of CPU when written).
    started = time.process_time()
    diff = diff_frameworks(old, new)
    cpu = time.process_time() - started

    assert cpu < 10
    assert len(diff.changed) == 300
    assert all(e.old["_id"] == e.new["_id"] for e in diff.changed)
    assert (len(diff.added), len(diff.removed)) == (700, 700)
