"""Standards in the shapes offices write them import with every item, rule and veto right;
unreadable rules are kept as text and flagged; points that do not add up refuse the file; the
export reads back in."""

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from fazhi.casereviews import exports, standards
from fazhi.casereviews.models import Standard, StandardImport
from fazhi.casereviews.tests import builders

pytestmark = pytest.mark.django_db


def read(data: bytes, name="标准.xlsx"):
    reading, _ = standards.read_upload(ContentFile(data, name=name))
    return reading


def items_of(reading) -> dict:
    return {i.code: i for s in reading.sections for i in s.items}


def test_a_city_standard_with_merged_sections_and_a_veto_section():
    reading = read(builders.city_penalty())
    assert reading.problems == []
    assert [(s.title, s.points) for s in reading.sections] == [
        ("否决项", 0),
        ("卷面评查", 20),
        ("案卷内容", 80),
    ]
    items = items_of(reading)
    assert items["F1"].veto and items["F2"].veto and not items["1"].veto
    assert items["1"].rule.as_json() == {"kind": "per_occurrence", "per": 1, "cap": 4}
    assert items["2"].rule.as_json() == {"kind": "whole"}
    assert items["3"].rule.as_json() == {"kind": "fixed", "per": 2}
    assert items["4"].rule.as_json() == {"kind": "range", "min": 5, "max": 15}
    assert items["5"].rule.as_json() == {"kind": "per_occurrence", "per": 2, "cap": 30}
    assert items["6"].rule.kind == "unread" and items["6"].rule_text == "视情节酌情扣分"
    assert len(reading.flags) == 1 and "第 10 行 E 列" in reading.flags[0]


def test_a_county_standard_with_heading_rows_and_a_veto_column():
    reading = read(builders.county_license())
    assert reading.problems == [] and reading.flags == []
    assert [(s.title, s.points, len(s.items)) for s in reading.sections] == [
        ("卷面质量", 20, 2),
        ("许可程序", 80, 3),
    ]
    items = items_of(reading)
    assert items["1.1"].rule.as_json() == {"kind": "per_occurrence", "per": 2, "cap": 10}
    assert items["1.2"].rule.as_json() == {"kind": "range", "min": 3, "max": 6}
    assert items["2.1"].rule.kind == "whole"
    assert items["2.2"].rule.as_json() == {"kind": "per_occurrence", "per": 5, "cap": 20}
    assert items["2.3"].veto and not items["2.2"].veto


def test_section_points_in_their_own_column_and_veto_written_in_the_rule():
    reading = read(builders.two_points_columns())
    assert reading.problems == []
    assert [(s.title, s.points) for s in reading.sections] == [("卷面", 30), ("实体", 70)]
    items = items_of(reading)
    assert items["A2"].rule.as_json() == {"kind": "range", "min": 1, "max": 5}
    assert items["B1"].rule.as_json() == {"kind": "range", "min": 10, "max": 20}
    assert items["B2"].rule.kind == "whole"
    assert items["B3"].veto and not items["B2"].veto


def test_a_plain_csv_without_sections():
    reading = read(builders.plain_csv(), name="标准.csv")
    assert reading.problems == []
    items = items_of(reading)
    assert items["1"].rule.as_json() == {"kind": "fixed", "per": 5}
    assert items["4"].veto
    assert reading.sections[0].points == 100


def test_points_that_do_not_add_up_refuse_the_file_with_every_place_named(tree, people):
    reading = read(builders.not_adding_up())
    text = "\n".join(reading.problems)
    assert "“卷面评查”标明 20 分，其下各项分值合计 15 分" in text
    assert "第 3 行 E 列：第 2 项扣分（12 分）超过该项分值 10 分" in text
    assert "“案卷内容”标明 80 分，其下各项分值合计 70 分" in text
    with pytest.raises(ValidationError):
        standards.standard_create(
            acting_user=people.city_lead,
            region=tree.city,
            name="坏标准",
            case_type="行政处罚",
            reading=reading.as_json(),
        )
    assert not Standard.objects.exists()


def test_preview_then_confirm_stores_once_and_a_second_import_is_the_next_version(tree, people):
    upload = ContentFile(builders.city_penalty(), name="处罚标准.xlsx")
    draft = standards.standard_import_preview(
        acting_user=people.city_lead,
        region=tree.city,
        name="处罚标准",
        case_type="处罚",
        uploaded_file=upload,
    )
    assert not Standard.objects.exists()
    assert draft.case_type == "penalty" and draft.result["flags"]
    first = standards.standard_import_commit(acting_user=people.city_lead, draft=draft)
    with pytest.raises(ValidationError, match="已经导入"):
        standards.standard_import_commit(acting_user=people.city_lead, draft=draft)
    again = standards.standard_import_preview(
        acting_user=people.city_lead,
        region=tree.city,
        name="处罚标准",
        case_type="penalty",
        uploaded_file=ContentFile(builders.city_penalty(), name="处罚标准.xlsx"),
    )
    second = standards.standard_import_commit(acting_user=people.city_lead, draft=again)
    assert (first.version, second.version) == (1, 2)
    assert StandardImport.objects.filter(status="committed").count() == 2


def test_only_the_lead_office_imports_a_standard(tree, people):
    upload = ContentFile(builders.city_penalty(), name="处罚标准.xlsx")
    for person in (people.szq_liaison, people.city_inspector, people.szq_lead):
        with pytest.raises(PermissionDenied):
            standards.standard_import_preview(
                acting_user=person,
                region=tree.city,
                name="x",
                case_type="处罚",
                uploaded_file=upload,
            )


def test_unknown_case_type_is_named(tree, people):
    with pytest.raises(ValidationError, match="案件类型“行政奖励”不存在"):
        standards.case_type_of("行政奖励")


def test_export_json_has_the_contract_and_xlsx_reads_back_the_same(standard):
    data = standards.standard_as_json(standard)
    assert set(data) >= {"name", "case_type", "sections"}
    assert data["case_type"] == "penalty"
    item = data["sections"][1]["items"][0]
    assert item == {
        "code": "1",
        "title": "案卷封面、目录填写完整",
        "points": 5,
        "rule": {"kind": "per_occurrence", "per": 1, "cap": 4},
        "veto": False,
        "text": "每处扣1分，最多扣4分",
    }
    unread = data["sections"][2]["items"][2]
    assert unread["rule"] == {"kind": None} and unread["text"] == "视情节酌情扣分"
    stream = io.BytesIO()
    exports.write_standard(stream, standard)
    back = read(stream.getvalue())
    assert back.problems == []
    original = read(builders.city_penalty())
    shape = lambda r: [  # noqa: E731
        (s.title, s.points, [(i.code, i.points, i.rule, i.veto) for i in s.items])
        for s in r.sections
    ]
    assert shape(back) == shape(original)
    from_json = standards.reading_from_json(json.loads(json.dumps(data)))
    assert from_json.problems == [] and shape(from_json) == shape(original)


def test_thresholds_are_checked(standard, people):
    with pytest.raises(ValidationError):
        standards.standard_set_thresholds(
            acting_user=people.city_lead, standard=standard, excellent="50", passing="60"
        )
    standards.standard_set_thresholds(
        acting_user=people.city_lead, standard=standard, excellent="85", passing="60"
    )
    standard.refresh_from_db()
    assert standard.excellent_from == Decimal(85)
