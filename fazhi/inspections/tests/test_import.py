"""问题清单 in the layouts inspections circulate: a two-row header with the inspected unit merged
down its findings; category heading rows merged across the table with descriptions carried on
into unnumbered rows; a flat sheet without numbers. Bad tables are refused naming the row and
column, and nothing is stored."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from openpyxl import Workbook

from fazhi.core.spreadsheets import read_workbook
from fazhi.inspections import importing
from fazhi.inspections.findingtables import read_findings_table
from fazhi.inspections.models import Finding, FindingImport

HEADER_TWO_ROWS = [
    ["2025年全市法治督察反馈问题清单"],
    ["序号", "问题类别", "问题描述", "被督察单位", "整改责任", None, None, "整改要求", "整改时限"],
    [None, None, None, None, "责任单位", "责任领导", "责任人", None, None],
]


def _xlsx(rows, merges=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "问题清单"
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    from io import BytesIO

    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _read(tmp_path, rows, merges=(), year=2025):
    path = tmp_path / "问题清单.xlsx"
    path.write_bytes(_xlsx(rows, merges))
    return read_findings_table(read_workbook(path, row_cap=5000), year=year)


def test_two_row_header_with_the_inspected_unit_merged_down(tmp_path):
    reading = _read(
        tmp_path,
        [
            *HEADER_TWO_ROWS,
            [
                1,
                "依法决策",
                "重大行政决策未经合法性审查\n程序不完整",
                "区司法局",
                "区司法局",
                "王副局长",
                "李科长",
                "建立审查台账",
                "2025年6月底前",
            ],
            [
                2,
                "执法规范",
                "执法案卷文书不规范",
                None,
                "区市场监管局",
                "赵副局长",
                None,
                "开展案卷评查",
                datetime(2025, 9, 30),
            ],
            [
                3,
                "制度建设",
                "规范性文件清理不及时",
                None,
                "区司法局",
                None,
                None,
                "定期清理",
                "长期坚持",
            ],
        ],
        merges=["A1:I1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:G2", "H2:H3", "I2:I3", "D4:D6"],
    )
    assert reading.problems == []
    first, second, third = reading.rows
    assert first.description == "重大行政决策未经合法性审查\n程序不完整"
    assert (first.responsible, first.leader, first.person) == ("区司法局", "王副局长", "李科长")
    assert first.deadline == date(2025, 6, 30)
    assert (second.inspected, second.responsible) == ("区司法局", "区市场监管局")
    assert second.deadline == date(2025, 9, 30)
    assert (third.long_term, third.deadline, third.category) == (True, None, "制度建设")


def test_category_headings_and_descriptions_carried_into_unnumbered_rows(tmp_path):
    reading = _read(
        tmp_path,
        [
            ["序号", "存在问题", "责任单位", "整改措施", "完成时限"],
            ["一、依法决策方面（2个）"],
            ["1", "合法性审查机制不健全", "区司法局", "健全机制", "9月底前"],
            [None, "部分文件未经审查即印发", None, "补充审查", None],
            ["2", "法律顾问作用发挥不充分", "中心街街道", "落实顾问制度", "2025年12月31日"],
            ["二、政务公开方面"],
            ["3", "执法信息公示不及时", "区市场监管局", "及时公示", "立行立改"],
            ["注：各单位于每月5日前报送整改进展。"],
        ],
        merges=["A2:E2", "A6:E6", "A8:E8"],
    )
    assert reading.problems == []
    assert [(r.number, r.category) for r in reading.rows] == [
        ("1", "依法决策"),
        ("2", "依法决策"),
        ("3", "政务公开"),
    ]
    first = reading.rows[0]
    assert first.description == "合法性审查机制不健全\n部分文件未经审查即印发"
    assert first.requirement == "健全机制\n补充审查"
    assert first.deadline == date(2025, 9, 30)
    assert reading.rows[2].deadline is None and reading.rows[2].deadline_text == "立行立改"


def test_a_flat_sheet_without_numbers_is_numbered_in_order(tmp_path):
    reading = _read(
        tmp_path,
        [
            ["督察对象", "问题表现", "整改期限"],
            ["区司法局", "复议决定书送达不规范", "2025.8.31"],
            ["区市场监管局", "处罚决定未公示", "2025年10月"],
        ],
    )
    assert reading.problems == []
    assert [(r.number, r.responsible, r.deadline) for r in reading.rows] == [
        ("1", "区司法局", date(2025, 8, 31)),
        ("2", "区市场监管局", date(2025, 10, 31)),
    ]


def test_bad_rows_are_named_by_row_and_column(tmp_path):
    reading = _read(
        tmp_path,
        [
            ["序号", "问题描述", "责任单位", "整改时限"],
            ["1", "缺少台账", "区司法局", "2025年2月30日"],
            ["1", "重复编号", "区司法局", "2025年6月底前"],
            ["2", None, "区司法局", "2025年13月底前"],
            ["3", "没有单位", None, "年底前完成好"],
        ],
    )
    assert [str(p) for p in reading.problems] == [
        "第 2 行 D 列：整改时限“2025年2月30日”中的日期不存在",
        "第 3 行 A 列：序号 1 与第 2 行重复",
        "第 4 行 D 列：整改时限“2025年13月底前”中的月份 13 不存在",
        "第 4 行 B 列：问题描述为空",
        "第 5 行 D 列：无法识别整改时限“年底前完成好”，请写成“2025年6月底前”或“长期坚持”",
        "第 5 行 C 列：没有填写责任单位",
    ]


def test_a_sheet_without_a_findings_header_is_refused(tmp_path):
    reading = _read(tmp_path, [["姓名", "电话"], ["张三", "123"]])
    assert reading.rows == []
    assert "没有找到问题清单的表头" in str(reading.problems[0])


# -- storing ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_keeps_uncertain_units_and_the_confirmation_stores_all(
    tree, people, inspection
):
    body = _xlsx(
        [
            ["序号", "问题类别", "问题描述", "责任单位", "整改时限"],
            ["1", "依法决策", "合法性审查不到位", "市中区市场监管局", "2025年6月底前"],
            ["2", "新类别", "执法不规范", "区司法局", "2025年9月底前"],
            ["3", "其他", "无人认领", "区气象局", "长期坚持"],
        ]
    )
    draft = importing.findings_import_preview(
        acting_user=people.city_inspector,
        inspection=inspection,
        uploaded_file=ContentFile(body, name="问题清单.xlsx"),
    )
    assert draft.result["problems"] == []
    sure, twice, nobody = draft.result["rows"]
    assert sure["responsible_id"] == tree.units.szq_scjg.pk
    # The city has a 区司法局 in each county: kept and asked about, not guessed.
    assert twice["responsible_id"] is None
    assert {pk for pk, _ in twice["responsible_candidates"]} >= {
        tree.units.szq_sfj.pk,
        tree.units.xc_sfj.pk,
    }
    assert nobody["responsible_id"] is None
    assert not Finding.objects.exists()  # nothing before the confirmation
    importing.findings_import_commit(
        acting_user=people.city_inspector,
        draft=draft,
        choices={twice["row"]: tree.units.szq_sfj.pk},
    )
    stored = {f.number: f for f in Finding.objects.select_related("category")}
    assert stored["1"].responsible_unit == tree.units.szq_scjg
    assert stored["2"].responsible_unit == tree.units.szq_sfj
    assert stored["2"].category.name == "新类别"
    assert (stored["3"].responsible_unit, stored["3"].responsible_text) == (None, "区气象局")
    assert stored["3"].long_term and stored["1"].deadline == date(2025, 6, 30)
    draft.refresh_from_db()
    assert draft.status == FindingImport.Status.COMMITTED
    with pytest.raises(ValidationError, match="已经导入"):
        importing.findings_import_commit(acting_user=people.city_inspector, draft=draft, choices={})


@pytest.mark.django_db
def test_numbers_already_used_refuse_the_whole_table(people, inspection, findings):
    body = _xlsx(
        [["序号", "问题描述", "责任单位"], ["9", "新问题", "区司法局"], ["1", "撞号", "区司法局"]]
    )
    draft = importing.findings_import_preview(
        acting_user=people.city_inspector,
        inspection=inspection,
        uploaded_file=ContentFile(body, name="问题清单.xlsx"),
    )
    assert draft.result["problems"] == ["第 3 行 A 列：序号 1 在本次督察中已存在"]
    with pytest.raises(ValidationError):
        importing.findings_import_commit(acting_user=people.city_inspector, draft=draft, choices={})
    assert Finding.objects.count() == 3
