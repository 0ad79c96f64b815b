"""`fazhi framework import|export|diff` as scripts and people call it."""

import json
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from fazhi.frameworks.demo import load_demo_framework
from fazhi.frameworks.models import Framework
from fazhi.frameworks.tests.excel_builders import national_table, save_table, save_xlsx


def run(*args) -> str:
    out = StringIO()
    call_command("framework", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_prints_id_areas_indicators_and_total_points(db, tmp_path):
    path = save_xlsx(tmp_path / "指标.xlsx", national_table())
    output = run("import", str(path), "--name", "XX市指标体系", "--edition", "2025")
    framework = Framework.objects.get()
    assert f"id={framework.pk}" in output
    assert "一级指标 2 个" in output and "末级指标 5 个" in output and "总分 20" in output


def test_import_of_a_bad_table_fails_with_row_and_cell_and_stores_nothing(db, tmp_path):
    path = save_table(
        tmp_path / "bad.xlsx",
        [["一级指标", "三级指标", "分值"], ["一、依法行政", "1.制度建设", "十分"]],
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "framework",
            "import",
            str(path),
            "--name",
            "坏表",
            "--edition",
            "1",
            stdout=StringIO(),
            stderr=err,
        )
    assert "第 2 行 C 列" in err.getvalue()
    assert not Framework.objects.exists()


def test_import_of_a_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="文件不存在"):
        run("import", "/nonexistent.xlsx", "--name", "x", "--edition", "1")


def test_export_by_name_to_stdout_as_yaml_and_json(db):
    framework = load_demo_framework()
    document = yaml.safe_load(run("export", framework.name, "--format", "yaml"))
    assert len(document["nodes"]) == 10
    tree = json.loads(run("export", str(framework.pk), "--format", "json"))
    assert tree["name"] == framework.name and len(tree["nodes"]) == 10


def test_export_to_an_excel_file(db, tmp_path):
    framework = load_demo_framework()
    target = tmp_path / "out.xlsx"
    run("export", str(framework.pk), "--format", "xlsx", "-o", str(target))
    assert target.read_bytes()[:2] == b"PK"


def test_export_of_an_unknown_framework_fails(db):
    with pytest.raises(CommandError, match="找不到"):
        run("export", "不存在的体系")


def test_diff_finds_a_renumbered_and_a_reworded_indicator(db, tmp_path):
    old_table = national_table()
    save_xlsx(tmp_path / "old.xlsx", old_table)
    new_rows = [list(row) for row in old_table.rows]
    new_rows[4][3] = "2.权责清单动态调整和公开"
    new_rows[7][4] = 8
    save_xlsx(tmp_path / "new.xlsx", type(old_table)(old_table.name, new_rows, old_table.merges))
    run("import", str(tmp_path / "old.xlsx"), "--name", "体系", "--edition", "2021")
    run("import", str(tmp_path / "new.xlsx"), "--name", "体系", "--edition", "2025")
    report = json.loads(run("diff", "体系@2021", "体系@2025", "--json"))
    assert report["summary"]["changed"] == 2
    fields = sorted(change["field"] for entry in report["entries"] for change in entry["changes"])
    assert fields == ["points", "title"]


def test_import_without_an_edition_takes_this_years_and_says_so(db, tmp_path):
    path = save_xlsx(tmp_path / "指标.xlsx", national_table())
    output = run("import", str(path), "--name", "XX市指标体系")
    edition = f"{timezone.localdate().year}版"
    framework = Framework.objects.get()
    assert framework.edition == edition
    assert f"未指定 --edition，版本按今年记为 “{edition}”" in output
    assert f"“XX市指标体系（{edition}）”" in output


def test_import_without_a_name_asks_for_one(db, tmp_path):
    path = save_xlsx(tmp_path / "指标.xlsx", national_table())
    with pytest.raises(CommandError, match="--name"):
        run("import", str(path), "--edition", "2025版")
    assert not Framework.objects.exists()
