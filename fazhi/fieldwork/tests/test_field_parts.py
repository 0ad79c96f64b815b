"""The field evaluation in parts: the office sets parts and weights, part scores are typed or
fed, the field score is computed once every part has one and can no longer be typed."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from fazhi.fieldwork import parts, services
from fazhi.fieldwork.models import FieldPartScore

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(evaluation, campaign):
    return evaluation.applicants.get(campaign=campaign)


def test_the_weights_must_add_up_to_100_and_names_be_unique(evaluation, province):
    for rows, message in (
        ([("法治能力测试", 40), ("实地核查", 50)], "权重之和应为 100%，现在是 90%"),
        ([("实地核查", 50), ("实地核查", 50)], "第 2 行：“实地核查”重复"),
        ([("实地核查", "五十"), ("案卷评查", 50)], "权重“五十”应为 1–100 的整数"),
        ([("", 50), ("案卷评查", 50)], "第 1 行：请填写组成部分的名称"),
    ):
        with pytest.raises(ValidationError, match=message):
            parts.field_parts_save(acting_user=province.lead, evaluation=evaluation, parts=rows)
    assert not evaluation.field_parts.exists()


def test_the_field_score_is_computed_once_every_part_has_a_score(evaluation, province, applicant):
    services.applicant_scores_save(
        acting_user=province.lead, applicant=applicant, field_score="70", survey_score="", version=0
    )
    test, visit = parts.field_parts_save(
        acting_user=province.lead,
        evaluation=evaluation,
        parts=[("法治能力测试", 40), ("实地核查", 60), ("", "")],
    )
    applicant.refresh_from_db()
    assert applicant.field_score is None  # the typed 70 gives way to the parts
    parts.field_part_score_save(
        acting_user=province.reviewer, applicant=applicant, part=test, score="80"
    )
    applicant.refresh_from_db()
    assert applicant.field_score is None  # 实地核查 still missing
    parts.field_part_score_save(
        acting_user=province.reviewer, applicant=applicant, part=visit, score="91.5分"
    )
    applicant.refresh_from_db()
    assert applicant.field_score == Decimal("86.90")  # 0.4 × 80 + 0.6 × 91.5
    with pytest.raises(ValidationError, match="按权重计算，请分项录入"):
        services.applicant_scores_save(
            acting_user=province.lead,
            applicant=applicant,
            field_score="95",
            survey_score="",
            version=applicant.version,
        )
    # The survey score is still typed beside the computed field score.
    services.applicant_scores_save(
        acting_user=province.lead,
        applicant=applicant,
        field_score="",
        survey_score="88",
        version=applicant.version,
    )
    applicant.refresh_from_db()
    assert (applicant.field_score, applicant.survey_score) == (Decimal("86.90"), Decimal("88"))
    # Reweighting recomputes at once; dropping a part drops its scores.
    parts.field_parts_save(
        acting_user=province.lead, evaluation=evaluation, parts=[("法治能力测试", 100)]
    )
    applicant.refresh_from_db()
    assert applicant.field_score == Decimal("80.00")
    assert FieldPartScore.objects.count() == 1


def test_only_the_scorers_enter_part_scores(evaluation, province, applicant, people):
    (test,) = parts.field_parts_save(
        acting_user=province.lead, evaluation=evaluation, parts=[("法治能力测试", 100)]
    )
    with pytest.raises(PermissionDenied):
        parts.field_part_score_save(
            acting_user=people.szq_lead, applicant=applicant, part=test, score="100"
        )
    with pytest.raises(PermissionDenied):
        parts.field_parts_save(
            acting_user=province.reviewer, evaluation=evaluation, parts=[("实地核查", 100)]
        )
    with pytest.raises(ValidationError, match="超出 0–100"):
        parts.field_part_score_save(
            acting_user=province.lead, applicant=applicant, part=test, score="101"
        )


def test_an_import_cannot_type_a_computed_field_score(evaluation, province, applicant):
    parts.field_parts_save(
        acting_user=province.lead, evaluation=evaluation, parts=[("法治能力测试", 100)]
    )
    book = Workbook()
    book.active.append(["地区", "实地评估得分", "满意度测评得分"])
    book.active.append(["市中区", 90, 85])
    buffer = BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("得分.xlsx", buffer.getvalue())
    with pytest.raises(ValidationError, match="第 2 行：实地评估得分由各组成部分"):
        services.applicant_scores_import(
            acting_user=province.lead, evaluation=evaluation, upload=upload
        )
    applicant.refresh_from_db()
    assert applicant.survey_score is None  # nothing stored


def test_the_pages_set_parts_and_enter_a_part_score(evaluation, province, applicant, login):
    lead = login(province.lead)
    url = f"/fieldwork/{evaluation.pk}/field-parts/"
    refused = lead.post(url, {"name_0": "法治能力测试", "weight_0": "40"})
    assert "权重之和应为 100%，现在是 40%" in refused.content.decode()
    lead.post(
        url, {"name_0": "法治能力测试", "weight_0": "40", "name_1": "实地核查", "weight_1": "60"}
    )
    page = lead.get(f"/fieldwork/{evaluation.pk}/").content.decode()
    assert "法治能力测试 未录 · 实地核查 未录" in page and 'name="field_score"' not in page
    test = evaluation.field_parts.get(name="法治能力测试")
    reviewer = login(province.reviewer)
    field = f"/fieldwork/applicants/{applicant.pk}/field/"
    reviewer.post(field, {"part": test.pk, "score": "75"})
    shown = reviewer.get(field).content.decode()
    assert "75" in shown and "人工录入" in shown and "待各部分得分齐全" in shown
