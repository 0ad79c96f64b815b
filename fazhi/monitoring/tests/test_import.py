"""Figures tables in both layouts read to the same counts; bad rows are named and nothing is
stored before confirmation."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fazhi.monitoring import importing
from fazhi.monitoring.models import Figure, FigureRevision, FigureStatus
from fazhi.monitoring.tests.conftest import workbook

pytestmark = pytest.mark.django_db


def upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes())


def preview(people, tree, path, period=None):
    return importing.figures_import_preview(
        acting_user=people.city_lead, region=tree.city, uploaded_file=upload(path), period=period
    )


def counts(rows):
    return sorted(
        (r["reporter"], r["metric"], r["period"], r["numerator"], r["denominator"]) for r in rows
    )


def test_long_and_wide_tables_read_to_the_same_counts(tree, people, long_table, wide_table):
    long = preview(people, tree, long_table).result
    wide = preview(people, tree, wide_table).result
    assert long["problems"] == [] and wide["problems"] == []
    assert long["layout"] == "long" and wide["layout"] == "wide"
    assert long["periods"] == ["2025Q2"] == wide["periods"]
    regions_only = [r for r in counts(long["rows"]) if r[0].endswith("（本级）")]
    assert regions_only == counts(wide["rows"])
    assert ("市中区司法局", "legality_review", "2025Q2", 4, 4) in counts(long["rows"])
    assert Figure.objects.count() == 0  # nothing stored before confirmation


def test_confirming_stores_every_row_once(tree, people, long_table):
    draft = preview(people, tree, long_table)
    assert importing.figures_import_commit(acting_user=people.city_lead, draft=draft) == (5, 0)
    assert Figure.objects.filter(status=FigureStatus.CONFIRMED).count() == 5
    with pytest.raises(ValidationError):
        importing.figures_import_commit(acting_user=people.city_lead, draft=draft)


def test_a_second_table_corrects_and_keeps_history(tree, people, long_table, tmp_path):
    importing.figures_import_commit(
        acting_user=people.city_lead, draft=preview(people, tree, long_table)
    )
    again = workbook(
        tmp_path / "fix.xlsx",
        {"2025Q2": [["区划代码", "指标", "分子", "分母"], ["370402", "出庭应诉率", 19, 20]]},
    )
    draft = preview(people, tree, again)
    assert draft.result["rows"][0]["previous"] == [18, 20]
    assert importing.figures_import_commit(acting_user=people.city_lead, draft=draft) == (1, 1)
    figure = Figure.objects.get(region=tree.szq, unit=None, metric_code="court_appearance")
    assert (figure.numerator, figure.version) == (19, 2)
    assert FigureRevision.objects.get(figure=figure).numerator == 18


def test_one_header_row_wide_table_with_codes(tree, people, tmp_path):
    path = workbook(
        tmp_path / "codes.xlsx",
        {
            "Sheet1": [
                [
                    "区划代码",
                    "名称",
                    "出庭应诉率（分子）",
                    "出庭应诉率（分母）",
                    "败诉率分子",
                    "败诉率分母",
                ],
                ["370402", "市中区", 1, 2, 0, 5],
                ["370403", "薛城区", "-", "-", 1, 4],
            ]
        },
    )
    result = preview(people, tree, path, period="2025Q3").result
    assert result["problems"] == []
    assert counts(result["rows"]) == [
        ("市中区（本级）", "court_appearance", "2025Q3", 1, 2),
        ("市中区（本级）", "litigation_loss", "2025Q3", 0, 5),
        ("薛城区（本级）", "litigation_loss", "2025Q3", 1, 4),
    ]


def test_bad_rows_are_named_and_the_draft_cannot_be_confirmed(tree, people, tmp_path):
    path = workbook(
        tmp_path / "bad.xlsx",
        {
            "Sheet1": [
                ["2025年第二季度监测数据"],
                ["地区", "指标", "分子", "分母"],
                ["市中区", "出庭应诉率", 21, 20],
                ["市中区", "复议履行率", -1, 20],
                ["薛城区", "出庭应诉率", 2.5, 4],
                ["薛城区", "幸福指数", 1, 2],
                ["临沂市", "出庭应诉率", 1, 2],
            ]
        },
    )
    draft = preview(people, tree, path)
    problems = "\n".join(draft.result["problems"])
    assert "第 3 行 C 列：分子 21 大于分母 20" in problems
    assert "第 4 行 C 列：分子 -1 是负数" in problems
    assert "第 5 行 C 列：分子 2.5 不是整数" in problems
    assert "第 6 行 B 列：指标“幸福指数”不在指标库中" in problems
    assert "第 7 行" in problems and "临沂市" in problems
    with pytest.raises(ValidationError):
        importing.figures_import_commit(acting_user=people.city_lead, draft=draft)
    assert Figure.objects.count() == 0


def test_a_fifth_quarter_and_mixed_layouts_are_refused(tree, people, tmp_path, long_table):
    fifth = workbook(
        tmp_path / "q5.xlsx",
        {
            "Sheet1": [
                ["2025年第五季度监测数据"],
                ["地区", "指标", "分子", "分母"],
                ["市中区", "出庭应诉率", 1, 2],
            ]
        },
    )
    assert "季度只能是 1 至 4" in "".join(preview(people, tree, fifth).result["problems"])
    mixed = workbook(
        tmp_path / "mixed.xlsx",
        {
            "长": [["地区", "指标", "分子", "分母"], ["市中区", "出庭应诉率", 1, 2]],
            "宽": [["地区", "出庭应诉率分子", "出庭应诉率分母"], ["薛城区", 1, 2]],
        },
    )
    problems = preview(people, tree, mixed, period="2025Q2").result["problems"]
    assert "混用" in problems[0]


def test_a_county_lead_cannot_import_for_the_city(tree, people, long_table):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        importing.figures_import_preview(
            acting_user=people.szq_lead, region=tree.city, uploaded_file=upload(long_table)
        )


def test_not_a_figures_table_says_what_is_missing(tree, people):
    junk = SimpleUploadedFile("figures.xlsx", BytesIO(b"not a zip").read())
    draft = importing.figures_import_preview(
        acting_user=people.city_lead, region=tree.city, uploaded_file=junk
    )
    assert "没有找到监测数据的表头" in "".join(draft.result["problems"])
