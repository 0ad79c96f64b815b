"""The command line's promises: import with no preview (non-zero with row errors, nothing
stored), the report's JSON shape, and the annual report's draft with its five parts."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from fazhi.monitoring.annual import PARTS
from fazhi.monitoring.models import Figure
from fazhi.monitoring.tests.conftest import workbook

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_then_report_gives_the_hand_computed_rates(tree, long_table):
    out, _ = run("monitoring", "import", str(long_table), "--json")
    assert json.loads(out) == {
        "figures": 5,
        "corrected": 0,
        "layout": "long",
        "periods": ["2025Q2"],
        "problems": [],
    }
    out, _ = run("monitoring", "report", "--region", "370400", "--period", "2025Q2", "--json")
    report = json.loads(out)
    assert (report["region"], report["period"]) == ("370400", "2025Q2")
    own = {m["code"]: m for m in report["metrics"]}
    # 市中区 18/20 and 薛城区 5/10: 23/30, not the mean of 90% and 50%
    assert own["court_appearance"] == {
        "code": "court_appearance",
        "name": "行政机关负责人出庭应诉率",
        "numerator": 23,
        "denominator": 30,
        "rate": 76.67,
    }
    assert own["legality_review"]["rate"] == 100.0  # 市中区司法局's 4/4, rolled up
    assert own["disclosure_on_time"]["rate"] is None
    children = {c["region"]: {m["code"]: m for m in c["metrics"]} for c in report["children"]}
    assert children["370403"]["reconsideration_compliance"]["rate"] == 75.0


def test_the_period_given_is_used_for_a_table_without_one(tree, tmp_path):
    path = workbook(
        tmp_path / "no-title.xlsx",
        {"Sheet1": [["地区", "出庭应诉率分子", "出庭应诉率分母"], ["薛城区", 3, 4]]},
    )
    with pytest.raises(CommandError):
        run("monitoring", "import", str(path))
    run("monitoring", "import", str(path), "--period", "2025Q3")
    assert Figure.objects.get().period == "2025Q3"


def test_row_errors_exit_non_zero_and_store_nothing(tree, tmp_path):
    path = workbook(
        tmp_path / "bad.xlsx",
        {
            "Sheet1": [
                ["2025年第二季度"],
                ["地区", "指标", "分子", "分母"],
                ["市中区", "出庭应诉率", 1, 2],
                ["薛城区", "出庭应诉率", 3, 2],
            ]
        },
    )
    with pytest.raises(CommandError, match="1 处问题"):
        run("monitoring", "import", str(path))
    assert Figure.objects.count() == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (("--period", "2025Q5"), "季度只能是 1 至 4"),
        (("--region", "999999"), "不存在"),
    ],
)
def test_bad_arguments_are_clear_errors(tree, long_table, args, message):
    base = {"--region": "370400", "--period": "2025Q2"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for pair in base.items() for x in pair]
    with pytest.raises(CommandError, match=message):
        run("monitoring", "report", *flat, "--json")
    if args[0] == "--period":
        with pytest.raises(CommandError, match=message):
            run("monitoring", "import", str(long_table), "--period", "2025Q5")


def test_a_county_user_cannot_report_on_its_neighbour(tree, people):
    with pytest.raises(CommandError):
        run("monitoring", "--as", "szq_leader", "report", "--region", "370403", "--period", "2025")


def test_annual_report_draft_has_five_parts_and_real_figures(tree, long_table, tmp_path):
    run("monitoring", "import", str(long_table))
    target = tmp_path / "年度报告.docx"
    run("annual_report", "draft", "--region", "370400", "--year", "2025", "-o", str(target))
    document = Document(target)
    texts = [p.text for p in document.paragraphs]
    for part in PARTS:
        assert part in texts
    assert "枣庄市2025年度法治政府建设情况报告" in texts[0]
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert ["行政机关负责人出庭应诉率", "23", "30", "76.67%", "100.00%"] in cells
    assert not any("{{" in t or "{%" in t for t in texts)
