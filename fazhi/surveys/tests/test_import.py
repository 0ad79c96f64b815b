"""Third-party tables in several layouts give the hand-computed rates; bad tables are refused
with row and column, and nothing is stored."""

import pytest
from django.core.exceptions import PermissionDenied

from fazhi.accounts.models import AuditEntry
from fazhi.core.spreadsheets import ImportFailure
from fazhi.surveys import selectors, services
from fazhi.surveys.models import AnswerCount, Respondent, Stratum
from fazhi.surveys.tests import tables


def _file(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _import(wave, user, path):
    return services.survey_import(acting_user=user, wave=wave, path=path, filename=path.name)


def _assert_expected(wave):
    data = selectors.report_json(selectors.wave_report(wave))
    overall = {k: data["overall"][k] for k in ("n", "satisfaction_rate", "score")}
    assert overall == tables.EXPECTED["overall"]
    strata = {
        row["name"]: (row["n"], row["satisfaction_rate"], row["score"]) for row in data["strata"]
    }
    for name, expected in tables.EXPECTED["strata"].items():
        assert strata[name] == expected, name
    items = {
        row["title"]: (row["n"], row["satisfaction_rate"], row["score"]) for row in data["items"]
    }
    assert items == tables.EXPECTED["items"]
    # Towns nobody answered in are listed with nothing counted, flagged below their target.
    assert strata["齐村镇"] == (0, None, None)


@pytest.mark.parametrize("name", list(tables.LAYOUTS))
def test_every_layout_gives_the_hand_computed_rates(name, wave, people, tmp_path):
    path = _file(tmp_path, name, tables.LAYOUTS[name]())
    check = services.survey_import_check(acting_user=people.szq_lead, wave=wave, path=path)
    assert check.all_problems() == []
    assert check.layout == ("respondents" if name.startswith("respondents") else "counts")
    assert Respondent.objects.count() == AnswerCount.objects.count() == 0  # checked, not stored
    imported = _import(wave, people.szq_lead, path)
    assert imported.respondents == 6
    _assert_expected(wave)
    assert AuditEntry.objects.filter(action="survey.import").count() == 1


def test_a_wave_without_items_takes_the_tables_items(tree, people, towns, tmp_path):
    wave = services.wave_create(
        acting_user=people.szq_lead, region=tree.szq, name="测评", year=2025
    )
    _import(wave, people.szq_lead, _file(tmp_path, "a.xlsx", tables.respondents_titled()))
    assert [item.title for item in wave.items.all()] == tables.ITEMS
    _assert_expected(wave)


def test_respondents_and_counts_in_one_wave_add_up(wave, people, tmp_path):
    _import(wave, people.szq_lead, _file(tmp_path, "a.xlsx", tables.respondents_titled()))
    _import(wave, people.szq_lead, _file(tmp_path, "b.csv", tables.counts_longest_csv()))
    overall = selectors.report_json(selectors.wave_report(wave))["overall"]
    assert (overall["n"], overall["satisfaction_rate"], overall["score"]) == (12, 75.0, 70.0)


def _refused(wave, user, path) -> list[str]:
    check = services.survey_import_check(acting_user=user, wave=wave, path=path)
    with pytest.raises(ImportFailure):
        _import(wave, user, path)
    assert Respondent.objects.count() == 0 and AnswerCount.objects.count() == 0
    return check.all_problems()


def test_unmapped_word_is_listed_with_its_rows_until_mapped(wave, people, tmp_path):
    rows = [("中心街街道", "还行", "满意", "满意"), ("孟庄镇", "满意", "还行", "满意")]
    path = _file(tmp_path, "a.csv", _csv(["镇街", *tables.ITEMS], rows))
    problems = _refused(wave, people.szq_lead, path)
    assert len(problems) == 1
    assert "“还行”" in problems[0] and "第 2、3 行" in problems[0]
    services.aliases_add(acting_user=people.szq_lead, wave=wave, mapping={"还行": "基本满意"})
    assert _import(wave, people.szq_lead, path).respondents == 2


def test_row_problems_name_row_and_column(wave, people, tmp_path):
    rows = [
        ("S1", "中心街街道", "满意", "满意", "满意"),
        ("S2", "不存在镇", "满意", "满意", "满意"),
        ("S3", "孟庄镇", None, None, None),
        ("S1", "孟庄镇", "满意", "满意", "满意"),
        ("S5", None, "满意", "满意", "满意"),
    ]
    path = _file(tmp_path, "a.csv", _csv(["样本编号", "镇街", *tables.ITEMS], rows))
    problems = _refused(wave, people.szq_lead, path)
    assert problems == [
        "第 3 行 B 列：“不存在镇”在市中区的组织机构中找不到对应的镇街或单位",
        "第 4 行：这一行没有任何回答",
        "第 5 行 A 列：样本编号“S1”与第 2 行重复",
        "第 6 行 B 列：没有填写镇街（样本单元）",
    ]


def test_a_town_matched_in_the_org_tree_becomes_a_stratum(tree, people, towns, tmp_path):
    wave = services.wave_create(
        acting_user=people.szq_lead, region=tree.szq, name="测评", year=2025
    )
    Stratum.objects.filter(wave=wave, name="孟庄镇").delete()
    path = _file(tmp_path, "a.xlsx", tables.respondents_titled())
    check = services.survey_import_check(acting_user=people.szq_lead, wave=wave, path=path)
    assert [place.name for place in check.new_strata] == ["孟庄镇"]
    _import(wave, people.szq_lead, path)
    stratum = wave.strata.get(name="孟庄镇")
    assert stratum.unit == towns["孟庄镇"] and stratum.target == 100


def test_a_table_that_is_not_a_survey_is_refused(wave, people, tmp_path):
    path = _file(tmp_path, "a.csv", _csv(["姓名", "电话"], [("张三", "123")]))
    with pytest.raises(ImportFailure, match="没有找到测评结果的表头"):
        services.survey_import_check(acting_user=people.szq_lead, wave=wave, path=path)


def test_counts_must_be_whole_numbers(wave, people, tmp_path):
    path = _file(
        tmp_path,
        "a.csv",
        _csv(["镇街", "题目", "评价", "人数"], [("孟庄镇", "政务服务", "满意", "2.5")]),
    )
    assert _refused(wave, people.szq_lead, path) == ["第 2 行 D 列：人数应为非负整数，这里是“2.5”"]


def test_only_the_regions_lead_office_imports(wave, people, tmp_path):
    path = _file(tmp_path, "a.xlsx", tables.respondents_titled())
    for user in (people.xc_lead, people.szq_liaison, people.szq_leader):
        with pytest.raises(PermissionDenied):
            _import(wave, user, path)


def _csv(header, rows) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_bad_row_after_stored_batches_leaves_nothing(tree, people, towns, tmp_path, monkeypatch):
    """One pass stores while it checks: a problem found after batches were written rolls them
    back with the items, strata and import record made on the way."""
    monkeypatch.setattr(services, "BATCH", 2)
    wave = services.wave_create(
        acting_user=people.szq_lead, region=tree.szq, name="测评", year=2025
    )
    wave.strata.filter(name="孟庄镇").delete()
    rows = [(town, *answers) for town, *answers in tables.ROWS] + [
        ("火星镇", "满意", "满意", "满意")
    ]
    path = _file(tmp_path, "a.csv", _csv(["镇街", *tables.ITEMS], rows))
    with pytest.raises(services.ImportRefused) as refused:
        _import(wave, people.szq_lead, path)
    assert refused.value.problems == [
        "第 8 行 A 列：“火星镇”在市中区的组织机构中找不到对应的镇街或单位"
    ]
    assert Respondent.objects.count() == 0
    assert wave.items.count() == 0 and not wave.strata.filter(name="孟庄镇").exists()
    assert not wave.imports.exists()
