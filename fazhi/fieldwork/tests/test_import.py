"""Importing field and survey scores from the evaluators' table: the header found by its names
under a title, all rows stored or none, every problem named by row and column."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fazhi.accounts.models import AuditEntry
from fazhi.conftest import make_region
from fazhi.fieldwork import services
from fazhi.fieldwork.models import Applicant

from .conftest import set_scores, xlsx_upload

TITLE = "2025年度全省法治政府建设示范创建实地评估及满意度测评得分汇总表"


def scores(evaluation) -> dict[str, tuple]:
    return {
        a.campaign.region.name: (a.field_score, a.survey_score)
        for a in evaluation.applicants.select_related("campaign__region")
    }


def test_scores_are_imported_from_a_table_with_a_title_and_columns_in_any_order(
    evaluation, province
):
    upload = xlsx_upload(
        [
            [TITLE],
            ["填报单位：省依法治省办", None, None, None],
            ["序号", "满意度测评得分", "地区", "实地评估得分（满分100分）"],
            [1, 93.2, "枣庄市市中区", 88],
            [2, "90分", "薛城区", None],
            [None, None, None, None],
            ["注：满分均为100分。"],
        ],
        merges=["A1:D1"],
    )
    changed = services.applicant_scores_import(
        acting_user=province.reviewer, evaluation=evaluation, upload=upload
    )
    assert changed == 2
    assert scores(evaluation) == {
        "市中区": (Decimal("88.00"), Decimal("93.20")),
        "薛城区": (None, Decimal("90.00")),
    }
    applicant = evaluation.applicants.get(campaign__region__name="市中区")
    assert applicant.version == 1 and applicant.updated_by == province.reviewer
    entry = AuditEntry.objects.get(action="evaluation.scores_import")
    assert "更新 2 个申报对象" in entry.summary


def test_a_header_merged_over_two_rows_is_understood(evaluation, province):
    upload = xlsx_upload(
        [
            ["申报单位", "得分", None],
            [None, "实地评估", "满意度测评"],
            ["市中区创建全国法治政府建设示范区", 80, 85],
        ],
        merges=["A1:A2", "B1:C1"],
    )
    services.applicant_scores_import(
        acting_user=province.lead, evaluation=evaluation, upload=upload
    )
    assert scores(evaluation)["市中区"] == (Decimal("80.00"), Decimal("85.00"))


def test_a_bad_row_stores_nothing_and_every_problem_names_its_row_and_column(evaluation, province):
    set_scores(province.lead, evaluation.applicants.get(campaign__region__name="薛城区"), "70", "")
    upload_rows = [
        [TITLE],
        ["地区", "实地评估得分", "满意度测评得分"],
        ["枣庄市市中区", 90, 95],
        ["薛城区", 80, "九十"],
        ["市中区", 105, 80],
        ["峄城区", 70, 70],
        ["", 80, None],
    ]
    upload = xlsx_upload(upload_rows)
    with pytest.raises(ValidationError) as refused:
        services.applicant_scores_import(
            acting_user=province.lead, evaluation=evaluation, upload=upload
        )
    assert refused.value.messages == [
        "第4行“满意度测评得分”：“九十”不是数字",
        "第5行“地区”：“市中区”与第3行是同一申报对象。",
        "第6行“地区”：“峄城区”不是本次评估的申报对象（请填写地区名称、地区全称或申报活动名称）。",
        "第7行“地区”：没有填写，无法对应到申报对象。",
    ]
    assert scores(evaluation) == {"市中区": (None, None), "薛城区": (Decimal("70.00"), None)}
    assert not AuditEntry.objects.filter(action="evaluation.scores_import").exists()


def test_a_score_out_of_bounds_is_named_with_its_row_and_column(evaluation, province):
    upload = xlsx_upload(
        [
            [TITLE],
            ["单位：分"],
            ["序号", "地区", "实地评估得分", "满意度测评得分"],
            [1, "市中区", 88, 90],
            [2, "薛城区", 105, -3],
        ]
    )
    with pytest.raises(ValidationError) as refused:
        services.applicant_scores_import(
            acting_user=province.lead, evaluation=evaluation, upload=upload
        )
    assert refused.value.messages == [
        "第5行“实地评估得分”：105 超出 0–100",
        "第5行“满意度测评得分”：-3 超出 0–100",
    ]
    assert Applicant.objects.filter(field_score__isnull=False).count() == 0


def test_a_name_shared_by_two_applicants_must_be_written_in_full(
    evaluation, province, tree, campaign
):
    from datetime import date

    from fazhi.campaigns.services import campaign_create

    jining = make_region("370800", "济宁市", "city", tree.province)
    other = make_region("370811", "市中区", "county", jining)
    services.applicants_add(
        acting_user=province.lead,
        evaluation=evaluation,
        campaigns=[
            campaign_create(
                acting_user=province.lead,
                framework=campaign.framework,
                region=other,
                name="济宁市市中区创建示范区",
                period_start=date(2024, 1, 1),
                period_end=date(2025, 12, 31),
            )
        ],
    )
    ambiguous = xlsx_upload([["地区", "实地评估得分"], ["市中区", 80]])
    with pytest.raises(ValidationError, match="对应多个申报对象"):
        services.applicant_scores_import(
            acting_user=province.lead, evaluation=evaluation, upload=ambiguous
        )
    full = xlsx_upload([["地区", "实地评估得分"], ["济宁市市中区", 80], ["枣庄市市中区", 70]])
    services.applicant_scores_import(acting_user=province.lead, evaluation=evaluation, upload=full)
    stored = dict(evaluation.applicants.values_list("campaign__region__code", "field_score"))
    assert stored == {"370402": Decimal("70.00"), "370403": None, "370811": Decimal("80.00")}


def test_a_table_without_the_named_columns_is_refused(evaluation, province):
    upload = xlsx_upload([["名单"], ["序号", "单位", "备注"], [1, "市中区", "良好"]])
    with pytest.raises(ValidationError) as refused:
        services.applicant_scores_import(
            acting_user=province.lead, evaluation=evaluation, upload=upload
        )
    assert "没有找到表头" in refused.value.messages[0]


def test_a_file_that_is_not_a_table_is_refused(evaluation, province):
    upload = SimpleUploadedFile("得分.xlsx", b"%PDF-1.4 not a table")
    with pytest.raises(ValidationError, match="PDF"):
        services.applicant_scores_import(
            acting_user=province.lead, evaluation=evaluation, upload=upload
        )


def test_a_csv_from_excel_in_gbk_is_read(evaluation, province):
    text = "地区,实地评估得分,满意度测评得分\r\n枣庄市市中区,77,88\r\n"
    upload = SimpleUploadedFile("得分.csv", text.encode("gb18030"))
    services.applicant_scores_import(
        acting_user=province.lead, evaluation=evaluation, upload=upload
    )
    assert scores(evaluation)["市中区"] == (Decimal("77.00"), Decimal("88.00"))


def test_only_those_who_enter_scores_may_import(evaluation, evaluator, province):
    services.evaluator_grant(acting_user=province.lead, evaluation=evaluation, user=evaluator)
    upload = xlsx_upload([["地区", "实地评估得分"], ["市中区", 80]])
    with pytest.raises(PermissionDenied):
        services.applicant_scores_import(
            acting_user=evaluator, evaluation=evaluation, upload=upload
        )
