"""fazhi exam import-bank|export-bank|paper, as the issue promises them."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fazhi.exams.models import Question
from fazhi.exams.tests import samples


def run(*args) -> str:
    out = StringIO()
    call_command("exam", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_bank_prints_counts_by_type_difficulty_and_category(tree, bank_file):
    path = bank_file("题库.docx", samples.word_sections)
    data = json.loads(run("import-bank", str(path), "--name", "省题库", "--json"))
    assert data["total"] == 10
    assert data["by_type"] == {"single": 3, "multiple": 2, "judge": 3, "blank": 1, "essay": 1}
    assert data["by_difficulty"] == {"easy": 4, "medium": 3, "hard": 3}
    assert data["by_category"]["行政处罚法"] == 3
    assert "单选 3" in run("import-bank", str(path), "--name", "省题库2")


def test_import_bank_refuses_a_broken_file_whole(tree, bank_file):
    path = bank_file("坏.xlsx", samples.excel_broken)
    with pytest.raises(CommandError, match="4 处问题"):
        run("import-bank", str(path), "--name", "题库")
    assert not Question.objects.exists()


def test_export_bank_json_round_trips_through_xlsx(tree, bank_file, tmp_path):
    run("import-bank", str(bank_file("a.xlsx", samples.excel_one_cell)), "--name", "甲")
    exported = json.loads(run("export-bank", "甲", "--format", "json"))
    assert exported[0].keys() == {
        "type",
        "stem",
        "options",
        "answer",
        "explanation",
        "basis",
        "category",
        "difficulty",
    }
    judge = next(q for q in exported if q["type"] == "judge")
    assert judge["answer"] in (["正确"], ["错误"]) and judge["options"] == []
    target = tmp_path / "导出.xlsx"
    run("export-bank", "甲", "--format", "xlsx", "-o", str(target))
    run("import-bank", str(target), "--name", "乙")
    again = json.loads(run("export-bank", "乙", "--format", "json"))
    assert again == exported


def test_paper_same_seed_same_composition_other_order(tree, bank_file):
    run("import-bank", str(bank_file("a.xlsx", samples.excel_columns)), "--name", "丙")
    args = ["paper", "丙", "--blueprint", "single:2,multiple:2,judge:2", "--seed", "42", "--json"]
    first = json.loads(run(*args, "--examinee", "张三"))["questions"]
    again = json.loads(run(*args, "--examinee", "张三"))["questions"]
    other = json.loads(run(*args, "--examinee", "李四"))["questions"]
    assert first == again
    assert [q["type"] for q in first] == ["single"] * 2 + ["multiple"] * 2 + ["judge"] * 2
    assert sorted(q["stem"] for q in first) == sorted(q["stem"] for q in other)
    assert sorted(map(sorted, (q["options"] for q in first))) == sorted(
        map(sorted, (q["options"] for q in other))
    )
    others = [json.loads(run(*args, "--examinee", f"考生{i}"))["questions"] for i in range(6)]
    assert any(o != first for o in others)
    assert first[0].keys() == {"stem", "type", "options"}


def test_paper_refuses_a_blueprint_the_bank_cannot_fill(tree, bank_file):
    run("import-bank", str(bank_file("a.xlsx", samples.excel_columns)), "--name", "丁")
    with pytest.raises(CommandError, match="只有 3 道"):
        run("paper", "丁", "--blueprint", "single:5", "--seed", "1", "--examinee", "x", "--json")
    with pytest.raises(CommandError, match="题型:数量"):
        run("paper", "丁", "--blueprint", "single", "--seed", "1", "--examinee", "x", "--json")
