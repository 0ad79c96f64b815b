"""`fazhi survey create|import|report` as the issue's contract says."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from fazhi.surveys.models import Respondent, Wave
from fazhi.surveys.tests import tables


def run(*args) -> str:
    out = io.StringIO()
    call_command("survey", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_import_report(tree, towns, tmp_path):
    wave_id = run(
        "create",
        "--region",
        "370402",
        "--name",
        "2025年测评",
        "--year",
        "2025",
        "--per-stratum",
        "3",
    ).strip()
    wave = Wave.objects.get(pk=int(wave_id))
    assert sorted(wave.strata.values_list("name", "target")) == sorted((name, 3) for name in towns)
    path = tmp_path / "结果.xlsx"
    path.write_bytes(tables.respondents_titled())
    summary = json.loads(run("import", wave_id, str(path), "--json"))
    assert summary["imported"] is True and summary["respondents"] == 6
    report = json.loads(run("report", wave_id, "--json"))
    assert list(report) == ["overall", "strata", "items"]
    assert set(report["overall"]) == {"n", "satisfaction_rate", "score", "moe"}
    assert report["overall"]["n"] == 6
    assert report["overall"]["satisfaction_rate"] == 75.0
    assert report["overall"]["score"] == 70.0
    # Wilson over 12 satisfied of 16 counted answers, half its width in percentage points:
    # 1.96 × √(0.75·0.25/16 + 1.96²/(4·16²)) / (1 + 1.96²/16) = 0.243785 / 1.2401 = 19.66 %.
    assert report["overall"]["moe"] == 19.66
    assert report["strata"][0] == {
        "name": "中心街街道",
        "n": 4,
        "satisfaction_rate": 80.0,
        "score": 72.0,
    }
    assert report["items"][1] == {
        "title": "行政执法",
        "n": 6,
        "satisfaction_rate": 66.67,
        "score": 63.33,
    }


def test_import_with_row_errors_exits_non_zero_and_stores_nothing(tree, towns, tmp_path):
    wave_id = run("create", "--region", "370402", "--name", "测评", "--year", "2025").strip()
    path = tmp_path / "结果.csv"
    path.write_text("镇街,政务服务\n中心街街道,满意\n火星镇,满意\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 处问题，未导入"):
        call_command("survey", "import", wave_id, str(path), "--json", stdout=out)
    problems = json.loads(out.getvalue())["problems"]
    assert problems == ["第 3 行 A 列：“火星镇”在市中区的组织机构中找不到对应的镇街或单位"]
    assert Respondent.objects.count() == 0


def test_a_wave_out_of_the_users_scope_is_not_found(tree, people, towns):
    wave_id = run("create", "--region", "370402", "--name", "测评", "--year", "2025").strip()
    with pytest.raises(CommandError, match="没有找到"):
        run("--as", "xc_lead", "report", wave_id, "--json")
    with pytest.raises(CommandError, match="依法治办管理员"):
        run("--as", "xc_lead", "create", "--region", "370402", "--name", "另一个", "--year", "2025")


def test_import_maps_words_given_on_the_command_line(tree, towns, tmp_path):
    wave_id = run("create", "--region", "370402", "--name", "测评", "--year", "2025").strip()
    path = tmp_path / "结果.csv"
    path.write_text("镇街,政务服务\n中心街街道,还行\n孟庄镇,满意\n", encoding="utf-8")
    with pytest.raises(CommandError):
        run("import", wave_id, str(path))
    summary = json.loads(run("import", wave_id, str(path), "--json", "--map", "还行=基本满意"))
    assert summary["respondents"] == 2
    assert Wave.objects.get(pk=wave_id).aliases == {"还行": "基本满意"}
