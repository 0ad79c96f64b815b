"""Checks on the built-in illustrative framework (fazhi/frameworks/data/demo_framework.yaml).

Plain PyYAML, no Django: run with ``pytest <this file> -p no:django``.
"""

import re
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "data" / "demo_framework.yaml"
ORGS = Path(__file__).resolve().parents[2] / "orgs" / "data" / "demo_orgs.yaml"

METHODS = {"材料评审", "实地核查", "满意度测评", "法治能力测试", "案卷评查", "监测数据"}
# Collective values allowed in responsible_units besides unit short names.
GROUP_VALUES = {"区政府各部门", "各镇街", "各行政执法部门"}
CN_DIGITS = "一二三四五六七八九十"

AREA_KEYS = {"code", "number", "title", "points", "children"}
GROUP_KEYS = AREA_KEYS
INDICATOR_KEYS = {
    "code",
    "number",
    "title",
    "description",
    "points",
    "scoring_rules",
    "evaluation_methods",
    "required_evidence",
    "veto",
    "lead_unit",
    "responsible_units",
    "deadline",
}

# Numbering such as 一、 （一） (一) 1. 1、 １． at the start, or a points note such as （10分） anywhere.
NUMBERING = re.compile(
    r"^\s*([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[、.．])"
)
POINTS_NOTE = re.compile(r"\d+(\.\d+)?\s*分")


def cn(n):
    assert 1 <= n <= 10
    return CN_DIGITS[n - 1]


@pytest.fixture(scope="module")
def fw():
    with DATA.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def areas(fw):
    return fw["nodes"]


@pytest.fixture(scope="module")
def groups(areas):
    return [g for a in areas for g in a["children"]]


@pytest.fixture(scope="module")
def indicators(groups):
    return [i for g in groups for i in g["children"]]


def pts(node):
    p = node["points"]
    assert isinstance(p, (int, float)) and not isinstance(p, bool), node["code"]
    f = Fraction(p).limit_denominator(2)
    assert f == Fraction(p) and f.denominator in (1, 2), (
        f"{node['code']}: points must be integer or .5, got {p}"
    )
    assert f > 0, node["code"]
    return f


def test_header(fw):
    assert fw["name"] == "市县法治政府建设示范指标体系（示例）"
    assert fw["edition"] == "2025 示例版"
    assert fw["illustrative"] is True
    assert "不是官方文本" in fw["description"]
    assert fw["aggregation"] == "sum"
    assert set(fw) == {"name", "edition", "illustrative", "description", "aggregation", "nodes"}


def test_counts(areas, groups, indicators):
    assert len(areas) == 10
    assert len(groups) == 34
    assert len(indicators) == 104
    assert all(a["children"] for a in areas)
    assert all(g["children"] for g in groups)
    assert all("children" not in i for i in indicators)


def test_keys(areas, groups, indicators):
    for a in areas:
        assert set(a) == AREA_KEYS, a["code"]
    for g in groups:
        assert set(g) == GROUP_KEYS, g["code"]
    for i in indicators:
        assert set(i) == INDICATOR_KEYS, i["code"]


def test_points_total_and_sums(areas, groups):
    assert sum(pts(a) for a in areas) == 1000
    for node in list(areas) + list(groups):
        assert pts(node) == sum(pts(c) for c in node["children"]), node["code"]


def test_codes_and_numbers(areas):
    seen = set()
    running = 0
    for ai, a in enumerate(areas, 1):
        assert a["code"] == str(ai)
        assert a["number"] == cn(ai)
        for gi, g in enumerate(a["children"], 1):
            assert g["code"] == f"{ai}.{gi}"
            assert g["number"] == f"（{cn(gi)}）"
            for i in g["children"]:
                running += 1
                assert i["code"] == f"{ai}.{gi}.{running}"
                assert i["number"] == str(running)
                assert re.fullmatch(r"\d+\.\d+\.\d+", i["code"])
        for node in [a, *a["children"], *[i for g in a["children"] for i in g["children"]]]:
            assert isinstance(node["code"], str) and isinstance(node["number"], str)
            assert node["code"] not in seen, node["code"]
            seen.add(node["code"])
    assert running == 104


def test_running_numbers_in_order(indicators):
    assert [int(i["number"]) for i in indicators] == list(range(1, 105))
    assert [int(i["code"].rsplit(".", 1)[1]) for i in indicators] == list(range(1, 105))


def test_titles_clean(areas, groups, indicators):
    titles = [n["title"] for n in [*areas, *groups, *indicators]]
    for t in titles:
        assert isinstance(t, str) and t.strip() == t and t, repr(t)
        assert not NUMBERING.match(t), t
        assert not POINTS_NOTE.search(t), t
    assert len({i["title"] for i in indicators}) == 104


def test_indicator_text_fields(indicators):
    for i in indicators:
        for key in ("description", "scoring_rules", "required_evidence", "lead_unit"):
            assert isinstance(i[key], str) and i[key].strip(), (i["code"], key)
        assert "扣" in i["scoring_rules"] or i["veto"], i["code"]
        assert isinstance(i["deadline"], str), i["code"]
        assert isinstance(i["veto"], bool), i["code"]


def test_evaluation_methods(indicators):
    used = set()
    for i in indicators:
        m = i["evaluation_methods"]
        assert isinstance(m, list) and m, i["code"]
        assert len(m) == len(set(m)), i["code"]
        assert set(m) <= METHODS, (i["code"], m)
        used |= set(m)
    assert used == METHODS  # a realistic mix uses every method somewhere


def test_method_fits_indicator(indicators):
    by_title = {i["title"]: i for i in indicators}
    assert "监测数据" in by_title["行政机关负责人出庭应诉"]["evaluation_methods"]
    assert "案卷评查" in by_title["行政执法案卷质量"]["evaluation_methods"]
    assert any(
        "满意度测评" in i["evaluation_methods"] for i in indicators if "满意度" in i["title"]
    )
    assert any(
        "法治能力测试" in i["evaluation_methods"]
        for i in indicators
        if "法治能力测试" in i["title"]
    )


def test_veto_items(indicators):
    vetoes = [i for i in indicators if i["veto"]]
    assert 3 <= len(vetoes) <= 5
    for i in vetoes:
        assert "否决" in i["scoring_rules"], i["code"]
        assert "0分" in i["scoring_rules"], i["code"]
    for i in indicators:
        if not i["veto"]:
            assert "否决" not in i["scoring_rules"], i["code"]


def test_responsible_units(indicators):
    for i in indicators:
        r = i["responsible_units"]
        assert isinstance(r, list) and r, i["code"]
        assert all(isinstance(u, str) and u for u in r), i["code"]
        assert len(r) == len(set(r)), i["code"]
        assert i["lead_unit"] not in r, i["code"]


def test_deadlines_mixed(indicators):
    with_deadline = [i for i in indicators if i["deadline"]]
    assert 0 < len(with_deadline) < len(indicators)
    for i in with_deadline:
        assert i["deadline"].endswith("前"), i["code"]


def test_units_match_demo_orgs(indicators):
    """Lead and responsible units name 市中区 units (by short name) so the demo can assign them."""
    if not ORGS.exists():
        pytest.skip("demo_orgs.yaml not present")
    with ORGS.open(encoding="utf-8") as fh:
        orgs = yaml.safe_load(fh)
    regions = {r["code"]: r for r in orgs["regions"]}

    def in_szq(code):
        while code:
            if code == "370402":
                return True
            code = regions[code]["parent"]
        return False

    short_names = {u["short_name"] for u in orgs["units"] if in_szq(u["region"])}
    for i in indicators:
        assert i["lead_unit"] in short_names, (i["code"], i["lead_unit"])
        for u in i["responsible_units"]:
            assert u in short_names or u in GROUP_VALUES, (i["code"], u)
