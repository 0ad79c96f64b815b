"""`fazhi inspection` and `fazhi finding`: the contract's output on standard output, messages
on standard error, refusals as one clear line and a non-zero exit with nothing stored."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fazhi.inspections.models import Finding, FindingStatus, Inspection
from fazhi.inspections.tests.conftest import TODAY
from fazhi.inspections.tests.test_import import _xlsx

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_id_alone_on_standard_output(tree, people):
    out, err = run(
        "inspection",
        "--as",
        "city_inspector",
        "create",
        "--region",
        "370400",
        "--name",
        "专项督察",
        "--kind",
        "专项督察",
        "--start",
        "2025-04-01",
        "--end",
        "2025-04-03",
    )
    inspection = Inspection.objects.get(pk=int(out.strip()))
    assert (inspection.kind, inspection.region) == ("special", tree.city)
    assert "已新建督察" in err
    with pytest.raises(CommandError, match="无权"):
        run("inspection", "--as", "szq_liaison", "create", "--region", "370400", "--name", "x")
    with pytest.raises(CommandError, match="结束日期不能早于开始日期"):
        run(
            "inspection",
            "create",
            "--region",
            "370400",
            "--name",
            "y",
            "--start",
            "2025-04-03",
            "--end",
            "2025-04-01",
        )


def test_import_findings_stores_all_or_names_the_rows(tmp_path, tree, inspection):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx([["序号", "问题描述", "责任单位"], ["1", None, "市中区司法局"]]))
    with pytest.raises(CommandError, match="1 处问题，未导入"):
        run("inspection", "import-findings", str(inspection.pk), str(bad))
    assert not Finding.objects.exists()
    good = tmp_path / "good.xlsx"
    good.write_bytes(
        _xlsx(
            [
                ["序号", "问题描述", "责任单位", "整改时限"],
                ["1", "审查不到位", "市中区司法局", "2025年3月底前"],
                ["2", "无人认领", "区气象局", "长期坚持"],
            ]
        )
    )
    out, err = run("inspection", "import-findings", str(inspection.pk), str(good), "--json")
    assert json.loads(out) == {"findings": 2, "unresolved": 1}
    assert "区气象局" in err


def test_report_and_findings_speak_the_contract(people, inspection, findings):
    Finding.objects.filter(pk=findings.sfj.pk).update(status=FindingStatus.CLOSED)
    out, _ = run("inspection", "report", str(inspection.pk), "--date", TODAY.isoformat(), "--json")
    report = json.loads(out)
    assert report["total"] == 3 and report["overdue"] == 1
    assert report["by_status"] == {"open": 2, "in_progress": 0, "close_requested": 0, "closed": 1}
    assert report["by_unit"][0] == {"unit": "市中区司法局", "total": 2, "closed": 1, "overdue": 0}
    assert {"unit": "市中区市场监督管理局", "total": 1, "closed": 0, "overdue": 1} in report[
        "by_unit"
    ]
    out, _ = run("inspection", "--as", "scjg_liaison", "findings", inspection.name, "--json")
    (only,) = json.loads(out)
    assert {k: only[k] for k in ("number", "unit", "responsible_unit", "deadline", "status")} == {
        "number": "2",
        "unit": "市中区市场监督管理局",
        "responsible_unit": "市中区市场监督管理局",
        "deadline": "2025-05-31",
        "status": "open",
    }
    assert only["description"] == "问题 2"


def test_the_unit_asks_and_only_the_inspecting_side_closes(people, findings):
    pk = str(findings.sfj.pk)
    with pytest.raises(CommandError, match="没有找到问题"):  # another unit's finding
        run("finding", "--as", "scjg_liaison", "request-close", pk, "--note", "代报")
    with pytest.raises(CommandError, match="只有责任单位"):
        run("finding", "--as", "city_inspector", "request-close", pk, "--note", "代报")
    run("finding", "--as", "szq_liaison", "request-close", pk, "--note", "已整改")
    with pytest.raises(CommandError, match="不能为本单位的问题销号"):
        run("finding", "--as", "szq_liaison", "verify", pk, "--accept", "--note", "自己销号")
    with pytest.raises(CommandError, match="退回时请写明理由"):
        run("finding", "--as", "city_inspector", "verify", pk, "--reject")
    out, _ = run("finding", "--as", "city_inspector", "verify", pk, "--accept", "--note", "到位")
    assert "已销号" in out
    findings.sfj.refresh_from_db()
    assert findings.sfj.status == FindingStatus.CLOSED
