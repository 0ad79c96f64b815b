"""`fazhi casereview`: the issue's contract — subcommands, flags and JSON keys — with refusals
as one clear line, a non-zero exit and nothing stored."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from fazhi.casereviews.models import Case, ScoreSheet, Standard
from fazhi.casereviews.tests import builders

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("casereview", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_the_whole_contract_from_standard_to_report(tmp_path, tree, people):
    source = write(tmp_path, "处罚标准.xlsx", builders.city_penalty())
    out, err = run(
        "--as",
        "city_lead",
        "import-standard",
        source,
        "--name",
        "处罚标准",
        "--case-type",
        "行政处罚",
        "--json",
    )
    imported = json.loads(out)
    assert (imported["sections"], imported["items"], imported["veto"]) == (3, 8, 2)
    assert len(imported["flagged"]) == 1 and "视情节酌情扣分" in err

    out, _ = run("--as", "city_lead", "export-standard", "处罚标准", "--format", "json")
    exported = json.loads(out)
    assert exported["name"] == "处罚标准" and exported["case_type"] == "penalty"
    items = {i["code"]: i for s in exported["sections"] for i in s["items"]}
    assert items["1"]["rule"] == {"kind": "per_occurrence", "per": 1, "cap": 4}
    assert items["4"]["rule"] == {"kind": "range", "min": 5, "max": 15}
    assert items["F1"]["veto"] is True and items["3"]["veto"] is False
    assert [s["points"] for s in exported["sections"]] == [0, 20, 80]
    target = tmp_path / "导出.xlsx"
    run("--as", "city_lead", "export-standard", "处罚标准", "--format", "xlsx", "-o", str(target))
    assert load_workbook(target).active["C3"].value == "执法主体不合法"
    # The export reads back in as the next version with the same items.
    run(
        "--as",
        "city_lead",
        "import-standard",
        str(target),
        "--name",
        "处罚标准",
        "--case-type",
        "penalty",
    )
    assert list(Standard.objects.values_list("version", flat=True)) == [2, 1]

    out, err = run(
        "--as",
        "city_lead",
        "create",
        "--region",
        "370400",
        "--name",
        "2025年处罚案卷评查",
        "--standard",
        "处罚标准",
        "--from",
        "2025-01-01",
        "--to",
        "2025-06-30",
    )
    review = out.strip()
    assert review.isdigit() and "已新建案卷评查" in err

    u = tree.units
    rows = builders.cases_for_units([u.szq_sfj, u.szq_scjg, u.xc_sfj], 5)
    rows.append(["LATE-1", "逾期结案", "行政处罚", "市中区司法局", "", "2025-08-01"])
    cases = write(tmp_path, "案件清单.xlsx", builders.case_list(rows))
    out, _ = run("--as", "city_lead", "import-cases", review, cases, "--json")
    result = json.loads(out)
    assert result["imported"] == 15 and "LATE-1" in result["skipped"][0]

    sample = ["--as", "city_lead", "sample", review, "--per-unit", "2", "--seed", "42", "--json"]
    first = json.loads(run(*sample)[0])
    assert json.loads(run(*sample)[0]) == first and len(first) == 6
    assert "LATE-1" not in first
    by_share = json.loads(
        run("--as", "city_lead", "sample", review, "--share", "20%", "--seed", "42", "--json")[0]
    )
    assert len(by_share) == 3  # one of five per unit

    case = Case.objects.filter(sampled=True, unit=u.xc_sfj).get()
    sheet = write(
        tmp_path,
        "sheet.json",
        json.dumps(
            {"deductions": [{"item": "1", "count": 9}, {"item": "4", "points": 10}], "veto": []}
        ).encode(),
    )
    out, _ = run("--as", "city_lead", "score", review, case.number, "--sheet", sheet, "--json")
    assert json.loads(out) == {"total": 86, "grade": "合格"}
    vetoed = write(tmp_path, "veto.json", b'{"deductions": [], "veto": ["F1"]}')
    other = Case.objects.filter(sampled=True, unit=u.szq_sfj).first()
    out, _ = run("--as", "city_lead", "score", review, other.number, "--sheet", vetoed, "--json")
    assert json.loads(out) == {"total": 0, "grade": "不合格"}

    report = json.loads(run("--as", "city_lead", "report", review, "--json")[0])
    assert report["overall"]["scored"] == 2 and report["overall"]["grades"]["不合格"] == 1
    assert {u["unit"] for u in report["units"]} == {
        "市中区司法局",
        "市中区市场监督管理局",
        "薛城区司法局",
    }
    assert report["common_problems"][0]["code"] in {"1", "4"}


def test_refusals_are_one_line_and_store_nothing(tmp_path, tree, people):
    bad = write(tmp_path, "不平.xlsx", builders.not_adding_up())
    with pytest.raises(CommandError, match="未导入"):
        run("--as", "city_lead", "import-standard", bad, "--name", "错", "--case-type", "处罚")
    assert not Standard.objects.exists()
    good = write(tmp_path, "标准.xlsx", builders.city_penalty())
    with pytest.raises(CommandError, match="案件类型“拆迁”不存在"):
        run("--as", "city_lead", "import-standard", good, "--name", "错", "--case-type", "拆迁")
    with pytest.raises(CommandError, match="只有依法治办"):
        run(
            "--as",
            "szq_liaison",
            "import-standard",
            good,
            "--name",
            "错",
            "--case-type",
            "处罚",
            "--region",
            "370400",
        )
    run("--as", "city_lead", "import-standard", good, "--name", "标准", "--case-type", "处罚")
    with pytest.raises(CommandError, match="截止日期不能早于起始日期"):
        run(
            "--as",
            "city_lead",
            "create",
            "--region",
            "370400",
            "--name",
            "x",
            "--standard",
            "标准",
            "--from",
            "2025-06-30",
            "--to",
            "2025-01-01",
        )
    out, _ = run(
        "--as",
        "city_lead",
        "create",
        "--region",
        "370400",
        "--name",
        "评查",
        "--standard",
        "标准",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
    )
    review = out.strip()
    rows = builders.cases_for_units([tree.units.szq_sfj], 2)
    run(
        "--as",
        "city_lead",
        "import-cases",
        review,
        write(tmp_path, "c.xlsx", builders.case_list(rows)),
    )
    number = json.loads(
        run("--as", "city_lead", "sample", review, "--per-unit", "1", "--seed", "1", "--json")[0]
    )[0]
    beyond = write(tmp_path, "s.json", b'{"deductions": [{"item": "4", "points": 20}]}')
    with pytest.raises(CommandError, match="不在该项的扣分区间 5–15 分之内"):
        run("--as", "city_lead", "score", review, number, "--sheet", beyond, "--json")
    assert not ScoreSheet.objects.filter(status="scored").exists()
    ok = write(tmp_path, "ok.json", b'{"deductions": []}')
    with pytest.raises(CommandError, match="不能评查本单位的案卷"):
        run("--as", "szq_liaison", "score", review, number, "--sheet", ok, "--json")
    with pytest.raises(CommandError, match="没有找到案卷评查"):
        run("--as", "xc_liaison", "report", review, "--json")
