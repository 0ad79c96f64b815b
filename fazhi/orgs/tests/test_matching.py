"""Matching the unit names written in framework tables to the org's units (fazhi/orgs/matching.py).

Pure: unsaved Unit instances and stand-ins, no database."""

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from fazhi.orgs.matching import Confidence, UnitMatcher, split_unit_text
from fazhi.orgs.models import Unit

DATA = Path(__file__).resolve().parents[2]
SZQ_REGIONS = ("山东省", "枣庄市", "市中区")


def unit(name: str, short_name: str = "", kind: str = "department", **extra) -> Unit:
    return Unit(name=name, short_name=short_name, kind=kind, **extra)


@pytest.fixture(scope="module")
def county():
    """A district's units written the way real lists write them: full names, some with short
    names, a court, party organs, towns named …镇人民政府 and …街道办事处, one inactive unit."""
    units = [
        unit(
            "中共枣庄市市中区委员会全面依法治区委员会办公室",
            "区委依法治区办",
            "office",
        ),
        unit("中共枣庄市市中区委办公室", "区委办", "office"),
        unit("枣庄市市中区人民政府办公室", "", "office"),
        unit("中共枣庄市市中区委组织部"),
        unit("枣庄市市中区人民法院"),
        unit("枣庄市市中区人民检察院"),
        unit("市中区司法局", "区司法局"),
        unit("枣庄市市中区市场监督管理局"),
        unit("枣庄市市中区人力资源和社会保障局"),
        unit("枣庄市市中区教育和体育局"),
        unit("枣庄市市中区住房和城乡建设局"),
        unit("枣庄市公安局市中分局"),
        unit("枣庄市市中区档案局", is_active=False),
        unit("市中区税郭镇人民政府", "", "town"),
        unit("市中区孟庄镇人民政府", "", "town"),
        unit("市中区中心街街道办事处", "", "town"),
        unit("市中区矿区街道办事处", "", "town"),
    ]
    return {u.name: u for u in units}, UnitMatcher(units, region_names=SZQ_REGIONS)


def names(found) -> set[str]:
    return {u.name for u in found.units}


# --- splitting ---------------------------------------------------------------------------------


def test_a_cell_is_split_on_chinese_and_latin_separators_and_role_notes_are_dropped():
    assert split_unit_text("区委办、区政府办，区司法局（牵头）") == [
        "区委办",
        "区政府办",
        "区司法局",
    ]
    assert split_unit_text("区法院;区检察院；区公安分局/区财政局\n区审计局 区统计局") == [
        "区法院",
        "区检察院",
        "区公安分局",
        "区财政局",
        "区审计局",
        "区统计局",
    ]


def test_conjunctions_split_two_names_but_not_the_and_inside_a_name():
    assert split_unit_text("区人力资源和社会保障局和区住房和城乡建设局") == [
        "区人力资源和社会保障局",
        "区住房和城乡建设局",
    ]
    assert split_unit_text("区法院及区检察院与区司法局") == ["区法院", "区检察院", "区司法局"]


def test_a_space_inside_a_name_does_not_split_it():
    assert split_unit_text("区 司法局") == ["区 司法局"]


def test_separators_inside_brackets_do_not_split_and_town_groups_stay_whole():
    assert split_unit_text("各镇（街道）、区直各部门") == ["各镇（街道）", "区直各部门"]
    assert split_unit_text("各镇、街道") == ["各镇、街道"]


def test_role_labels_numbering_and_etc_are_removed():
    assert split_unit_text("牵头单位：区司法局；配合单位：区财政局等") == ["区司法局", "区财政局"]
    assert split_unit_text("1、区人社局牵头 2、区财政局（配合）") == ["区人社局", "区财政局"]
    assert split_unit_text("区司法局等相关部门") == ["区司法局", "相关部门"]
    assert split_unit_text("") == [] and split_unit_text("、，") == []


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("区司法局", "市中区司法局"),
        ("区法院", "枣庄市市中区人民法院"),
        ("区检察院", "枣庄市市中区人民检察院"),
        ("区市场监管局", "枣庄市市中区市场监督管理局"),
        ("区人社局（牵头）", "枣庄市市中区人力资源和社会保障局"),
        ("区住建局", "枣庄市市中区住房和城乡建设局"),
        ("区政府办", "枣庄市市中区人民政府办公室"),
        ("区委办", "中共枣庄市市中区委办公室"),
        ("区委依法治区办", "中共枣庄市市中区委员会全面依法治区委员会办公室"),
        ("中共市中区委全面依法治区委员会办公室", "中共枣庄市市中区委员会全面依法治区委员会办公室"),
        ("区公安分局", "枣庄市公安局市中分局"),
        ("市中区市场监督管理局", "枣庄市市中区市场监督管理局"),
        ("枣庄市市中区司法局", "市中区司法局"),
        ("税郭镇", "市中区税郭镇人民政府"),
        ("中心街街道", "市中区中心街街道办事处"),
    ],
)
def test_names_that_mean_the_same_unit_match_exactly(county, text, expected):
    by_name, matcher = county
    found = matcher.match(text)
    assert found.confidence == Confidence.EXACT, found.note
    assert found.units == (by_name[expected],)
    assert found.candidates[0] == (by_name[expected], 1.0)
    assert not found.is_group and found.text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("区教育局", "枣庄市市中区教育和体育局"),
        ("区公安局", "枣庄市公安局市中分局"),
        ("依法治区办", "中共枣庄市市中区委员会全面依法治区委员会办公室"),
    ],
)
def test_abbreviations_outside_the_table_are_likely_matches(county, text, expected):
    by_name, matcher = county
    found = matcher.match(text)
    assert found.confidence == Confidence.LIKELY, found.note
    assert found.units == (by_name[expected],)
    assert 0.8 <= found.candidates[0][1] < 1


def test_a_unit_the_list_does_not_have_matches_nothing(county):
    _, matcher = county
    found = matcher.match("区气象局")
    assert found.confidence == Confidence.NONE
    assert found.units == () and found.note == "未找到名称相近的单位"


def test_an_inactive_unit_is_never_matched(county):
    _, matcher = county
    assert matcher.match("区档案局").confidence == Confidence.NONE


def test_a_unit_of_another_level_is_only_proposed(county):
    by_name, matcher = county
    found = matcher.match("市司法局")
    assert found.confidence == Confidence.UNCERTAIN
    assert found.units == () and found.candidates[0][0] is by_name["市中区司法局"]


def test_two_units_that_normalise_the_same_are_never_chosen_between():
    units = [unit("枣庄市市中区司法局"), unit("枣庄市薛城区司法局")]
    matcher = UnitMatcher(units, region_names=("枣庄市", "市中区", "薛城区"))
    found = matcher.match("区司法局")
    assert found.confidence == Confidence.UNCERTAIN and found.units == ()
    assert {u.name for u, _ in found.candidates} == {u.name for u in units}
    assert "2 个单位名称相同" in found.note
    named = matcher.match("薛城区司法局")
    assert named.confidence == Confidence.EXACT and named.units == (units[1],)


def test_two_close_candidates_make_the_match_uncertain():
    units = [unit("市中区城市管理局"), unit("市中区城市管理综合执法局")]
    found = UnitMatcher(units, region_names=SZQ_REGIONS).match("区城管执法局")
    assert found.confidence == Confidence.UNCERTAIN and found.units == ()
    assert len(found.candidates) == 2


def test_any_object_with_the_unit_attributes_can_be_matched():
    @dataclass
    class Stub:
        pk: int
        name: str
        short_name: str = ""
        kind: str = "department"
        is_active: bool = True

    units = [Stub(1, "某县人民法院"), Stub(2, "某县司法局", "县司法局")]
    found = UnitMatcher(units, region_names=("某县",)).match("县法院")
    assert found.confidence == Confidence.EXACT and found.units[0].pk == 1


# --- groups ------------------------------------------------------------------------------------


def test_government_departments_leave_out_offices_party_organs_courts_and_inactive_units(county):
    by_name, matcher = county
    found = matcher.match("区政府各部门")
    assert found.is_group and found.confidence == Confidence.LIKELY
    assert names(found) == {
        "市中区司法局",
        "枣庄市市中区市场监督管理局",
        "枣庄市市中区人力资源和社会保障局",
        "枣庄市市中区教育和体育局",
        "枣庄市市中区住房和城乡建设局",
        "枣庄市公安局市中分局",
    }
    assert found.note == (
        "按“区政府各部门”展开为 6 个政府部门（不含党委部门、法院、检察院和群团组织）"
    )


def test_all_departments_include_party_departments_and_courts(county):
    _, matcher = county
    found = matcher.match("各部门")
    assert "中共枣庄市市中区委组织部" in names(found) and "枣庄市市中区人民法院" in names(found)
    assert not any(u.kind != "department" for u in found.units)


@pytest.mark.parametrize("text", ["区直各部门", "区直部门", "市直各部门", "区直单位"])
def test_directly_subordinate_units_include_the_offices(county, text):
    _, matcher = county
    found = matcher.match(text)
    assert found.confidence == Confidence.LIKELY and len(found.units) == 12
    assert "中共枣庄市市中区委办公室" in names(found)


@pytest.mark.parametrize(
    "text", ["各镇街", "各镇（街道）", "各镇、街道", "各乡镇（街道）", "镇街", "全区各镇街道"]
)
def test_town_groups_expand_to_every_town_and_street(county, text):
    _, matcher = county
    found = matcher.match(text)
    assert found.is_group and found.confidence == Confidence.EXACT
    assert len(found.units) == 4 and "展开为 4 个" in found.note


def test_streets_and_towns_can_be_asked_for_separately(county):
    _, matcher = county
    assert names(matcher.match("各街道")) == {"市中区中心街街道办事处", "市中区矿区街道办事处"}
    assert names(matcher.match("各镇")) == {"市中区税郭镇人民政府", "市中区孟庄镇人民政府"}


def test_a_group_with_nothing_in_it_matches_nothing(county):
    _, matcher = county
    found = matcher.match("各乡")
    assert found.is_group and found.confidence == Confidence.NONE and found.units == ()


@pytest.mark.parametrize(
    "text", ["相关部门", "各有关部门", "有关单位", "各行政执法部门", "相关镇街"]
)
def test_vague_groups_propose_a_set_for_the_user_to_confirm(county, text):
    _, matcher = county
    found = matcher.match(text)
    assert found.is_group and found.confidence == Confidence.UNCERTAIN
    assert found.units and "请确认" in found.note


def test_a_cell_is_matched_fragment_by_fragment_without_repeats(county):
    by_name, matcher = county
    found = matcher.match_all("区委办、区政府办，区司法局（牵头）、市中区司法局、各镇街、区委办")
    assert [m.text for m in found] == ["区委办", "区政府办", "区司法局", "各镇街"]
    assert found[2].units == (by_name["市中区司法局"],)
    assert found[3].is_group


# --- the demo data -----------------------------------------------------------------------------


def demo_units() -> list[Unit]:
    """The units of 市中区 and its towns from demo_orgs.yaml, unsaved."""
    document = yaml.safe_load((DATA / "orgs" / "data" / "demo_orgs.yaml").read_text("utf-8"))
    return [
        Unit(
            code=row["code"],
            name=row["name"],
            short_name=row.get("short_name", ""),
            kind=row["kind"],
            sort_order=row.get("sort", 0),
        )
        for row in document["units"]
        if row["region"].startswith("370402")
    ]


def demo_framework_unit_texts() -> set[str]:
    path = DATA / "frameworks" / "data" / "demo_framework.yaml"
    texts: set[str] = set()

    def walk(node):
        for child in node.get("children", []):
            walk(child)
        if node.get("lead_unit"):
            texts.add(node["lead_unit"])
        texts.update(node.get("responsible_units") or [])

    for node in yaml.safe_load(path.read_text("utf-8"))["nodes"]:
        walk(node)
    return texts


def test_every_unit_named_in_the_demo_framework_resolves_to_demo_units():
    units = demo_units()
    matcher = UnitMatcher(units, region_names=SZQ_REGIONS)
    texts = demo_framework_unit_texts()
    results = {text: matcher.match(text) for text in texts}
    unsure = {t for t, m in results.items() if m.confidence not in ("exact", "likely")}
    # "各行政执法部门": the unit list cannot tell which departments hold enforcement powers, so
    # the government departments are proposed for the user to confirm.
    assert unsure == {"各行政执法部门"}
    assert all(m.units for m in results.values())
    names_only = [m for m in results.values() if not m.is_group]
    assert all(m.confidence == Confidence.EXACT for m in names_only)
    assert len(results["各镇街"].units) == 11
    assert len(results["区政府各部门"].units) == 25
    assert len(names_only) == len(texts) - 3
