"""Case lists, the sample draw, cross-review assignment, score sheets, the 通报 and the
整改通知单: the rules users rely on."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from fazhi.casereviews import selectors, services
from fazhi.casereviews.models import Case, ScoreSheet
from fazhi.casereviews.tests import builders
from fazhi.conftest import make_user
from fazhi.inspections.models import Finding

pytestmark = pytest.mark.django_db


def preview(people, review, rows):
    upload = ContentFile(builders.case_list(rows), name="案件清单.xlsx")
    return services.cases_import_preview(
        acting_user=people.city_lead, review=review, uploaded_file=upload
    )


def test_case_list_import_skips_cases_outside_the_window_and_refuses_unknown_units(
    tree, people, review
):
    u = tree.units
    rows = [
        ["A-1", "无照经营案", "行政处罚", "市中区司法局", "李四", date(2025, 3, 1)],
        ["A-2", "超范围经营案", "处罚", "市中区市场监督管理局", "", "2025年7月2日"],
        ["A-3", "许可案", "行政许可", "薛城区司法局", "", "2025/2/3"],
    ]
    draft = preview(people, review, rows)
    assert draft.result["problems"] == []
    assert [r["number"] for r in draft.result["rows"]] == ["A-1"]
    skipped = "\n".join(draft.result["skipped"])
    assert "第 4 行（A-2）：结案日期 2025-07-02 不在 2025-01-01 至 2025-06-30 之内" in skipped
    assert "第 5 行（A-3）：本次评查不含行政许可案卷" in skipped
    bad = preview(people, review, [["B-1", "案", "行政处罚", "某某局", "", date(2025, 3, 1)]])
    assert "第 3 行 E 列：执法单位“某某局”" in bad.result["problems"][0]
    with pytest.raises(ValidationError):
        services.cases_import_commit(acting_user=people.city_lead, draft=bad)
    assert not Case.objects.exists()
    services.cases_import_commit(acting_user=people.city_lead, draft=draft)
    assert Case.objects.get().unit == u.szq_sfj


def test_the_same_seed_draws_the_same_sample_per_unit(people, review, cases):
    first = services.sample_draw(acting_user=people.city_lead, review=review, per_unit=2, seed=7)
    again = services.sample_draw(acting_user=people.city_lead, review=review, per_unit=2, seed=7)
    assert first.numbers == again.numbers and len(first.numbers) == 6
    units = [n.rsplit("-", 1)[0] for n in first.numbers]
    assert {u: units.count(u) for u in units} == {
        "370402-sfj": 2,
        "370402-scjg": 2,
        "370403-sfj": 2,
    }
    other = [
        services.sample_draw(
            acting_user=people.city_lead, review=review, per_unit=2, seed=s
        ).numbers
        for s in range(1, 6)
    ]
    assert any(o != first.numbers for o in other)
    share = services.sample_draw(acting_user=people.city_lead, review=review, share="25%", seed=1)
    assert len(share.numbers) == 3  # one of four per unit
    assert Case.objects.filter(sampled=True).count() == 3


def test_a_draw_is_refused_with_a_clear_message(people, review, cases):
    with pytest.raises(ValidationError, match="二选一"):
        services.sample_draw(acting_user=people.city_lead, review=review, seed=1)
    with pytest.raises(ValidationError, match="抽取比例"):
        services.sample_draw(acting_user=people.city_lead, review=review, share="abc", seed=1)
    with pytest.raises(PermissionDenied):
        services.sample_draw(acting_user=people.szq_lead, review=review, per_unit=1, seed=1)


@pytest.fixture
def drawn(people, review, cases):
    services.sample_draw(acting_user=people.city_lead, review=review, per_unit=1, seed=3)
    return {
        c.unit.code: c for c in Case.objects.filter(sampled=True).select_related("unit", "review")
    }


def test_a_reviewer_is_never_given_their_own_units_files(tree, people, review, drawn):
    own = drawn["370402-sfj"]
    with pytest.raises(ValidationError, match="不能评查本单位的案卷"):
        services.case_assign(acting_user=people.city_lead, case=own, reviewer=people.szq_reviewer)
    assert not ScoreSheet.objects.exists()
    services.review_set_reviewers(
        acting_user=people.city_lead, review=review, reviewers=[people.szq_reviewer, people.xc_lead]
    )
    assert services.assign_evenly(acting_user=people.city_lead, review=review) == 3
    for sheet in ScoreSheet.objects.select_related("case", "reviewer"):
        assert sheet.reviewer.unit_id != sheet.case.unit_id
    unsampled = Case.objects.filter(sampled=False).first()
    with pytest.raises(ValidationError, match="未被抽中"):
        services.case_assign(acting_user=people.city_lead, case=unsampled, reviewer=people.xc_lead)


def score(user, case, deductions=(), vetoes=(), **extra):
    return services.sheet_score(
        acting_user=user, case=case, deductions=list(deductions), vetoes=list(vetoes), **extra
    )


def test_the_service_computes_total_and_grade_with_caps_and_ranges(people, drawn):
    case = drawn["370403-sfj"]
    services.case_assign(acting_user=people.city_lead, case=case, reviewer=people.szq_reviewer)
    sheet = score(
        people.szq_reviewer,
        case,
        [
            {"item": "1", "count": 6, "reason": "封面缺填 6 处", "page": 1},  # capped at 4
            {"item": "4", "points": 8, "reason": "证据不足", "page": 12},
            {"item": "2", "count": 1},  # whole item: 5
        ],
    )
    assert (sheet.total, sheet.grade) == (83, "合格")
    assert sorted(sheet.deductions.values_list("points", flat=True)) == [4, 5, 8]
    for bad, message in (
        ({"item": "4", "points": 20}, "不在该项的扣分区间 5–15 分之内"),
        ({"item": "1", "points": 5}, "超过该项最多扣 4 分的上限"),
        ({"item": "4", "count": 1}, "区间扣分"),
        ({"item": "9", "count": 1}, "没有编号为 9 的项目"),
        ({"item": "F1", "count": 1}, "否决项"),
        ({"item": "3", "count": 0}, "正整数"),
        ({"item": "3", "points": 3}, "每处扣 2 分"),
    ):
        with pytest.raises(ValidationError, match=message):
            score(people.szq_reviewer, case, [bad])
    sheet.refresh_from_db()
    assert sheet.total == 83 and sheet.deductions.count() == 3  # nothing half-stored


def test_a_veto_makes_the_file_zero_and_fail_and_calls_for_a_second_review(people, drawn):
    case = drawn["370403-sfj"]
    services.case_assign(acting_user=people.city_lead, case=case, reviewer=people.szq_reviewer)
    sheet = score(people.szq_reviewer, case, vetoes=["F2"])
    assert (sheet.total, sheet.grade, sheet.vetoes) == (0, "不合格", ["F2"])
    assert services.needs_second_review(sheet)
    with pytest.raises(ValidationError, match="复核应由初评以外的人员"):
        services.case_assign(
            acting_user=people.city_lead, case=case, reviewer=people.szq_reviewer, round=2
        )
    services.case_assign(
        acting_user=people.city_lead, case=case, reviewer=people.city_lead, round=2
    )
    with pytest.raises(PermissionDenied):
        score(people.szq_reviewer, case)
    second = score(people.city_lead, case, [{"item": "3", "count": 1}])
    assert (second.round, second.total, second.grade) == (2, 98, "优秀")
    report = selectors.review_report(user=people.city_lead, review=case.review)
    unit = next(u for u in report["units"] if u["unit"] == "薛城区司法局")
    assert unit["grades"]["优秀"] == 1


def test_nobody_grades_their_own_units_file_whatever_their_role(tree, people, drawn):
    own = drawn["370402-sfj"]
    with pytest.raises(PermissionDenied, match="不能评查本单位的案卷"):
        score(people.szq_lead, own)
    boss = make_user("sfj_admin", "admin", unit=tree.units.szq_sfj)
    with pytest.raises(PermissionDenied, match="不能评查本单位的案卷"):
        score(boss, own)


def test_a_stale_version_loses_with_a_message(people, drawn):
    case = drawn["370402-scjg"]
    services.case_assign(acting_user=people.city_lead, case=case, reviewer=people.xc_lead)
    seen = ScoreSheet.objects.get(case=case).version
    score(people.xc_lead, case, [{"item": "3", "count": 1}], version=seen)
    with pytest.raises(ValidationError, match="已被他人修改"):
        score(people.xc_lead, case, [{"item": "3", "count": 2}], version=seen)
    assert ScoreSheet.objects.get(case=case).total == 98


def test_report_is_per_unit_and_a_unit_sees_only_its_own(people, review, drawn):
    grades = {"370402-sfj": [{"item": "4", "points": 15}], "370402-scjg": [], "370403-sfj": []}
    for code, case in drawn.items():
        reviewer = people.xc_lead if code.startswith("370402") else people.szq_reviewer
        services.case_assign(acting_user=people.city_lead, case=case, reviewer=reviewer)
        score(reviewer, case, grades[code] + [{"item": "1", "count": 1, "reason": "封面缺填"}])
    report = selectors.review_report(user=people.city_lead, review=review)
    assert report["overall"]["scored"] == 3 and report["overall"]["grades"]["优秀"] == 2
    assert report["overall"]["grades"]["合格"] == 1
    assert report["overall"]["shares"]["优秀"] == 66.7
    assert (
        report["common_problems"][0]["code"] == "1" and report["common_problems"][0]["files"] == 3
    )
    own = selectors.review_report(user=people.scjg_liaison, review=review)
    assert [u["unit"] for u in own["units"]] == ["市中区市场监督管理局"]
    assert selectors.review_report(user=people.xc_liaison, review=review)["overall"]["files"] == 1
    findings = services.rectification_open(
        acting_user=people.city_lead, review=review, deadline=date(2025, 12, 31)
    )
    assert len(findings) == 3
    assert set(Finding.objects.values_list("source", flat=True)) == {"case_review"}
    assert "封面缺填" in Finding.objects.get(responsible_unit__code="370402-sfj").description
    with pytest.raises(ValidationError, match="已经下发"):
        services.rectification_open(acting_user=people.city_lead, review=review)


def test_scoping_a_county_never_sees_another_countys_review(tree, people, standard):
    services.review_create(
        acting_user=people.szq_lead,
        region=tree.szq,
        name="市中区评查",
        standards=[standard],
        closed_from=date(2025, 1, 1),
        closed_to=date(2025, 12, 31),
    )
    assert [r.name for r in selectors.review_list(user=people.xc_lead)] == []
    assert [r.name for r in selectors.review_list(user=people.szq_lead)] == ["市中区评查"]
    with pytest.raises(PermissionDenied):
        services.review_create(
            acting_user=people.xc_lead,
            region=tree.szq,
            name="越权",
            standards=[standard],
            closed_from=date(2025, 1, 1),
            closed_to=date(2025, 12, 31),
        )


def test_the_report_goes_to_the_campaigns_enforcement_item_as_evidence(
    people, review, drawn, campaign
):
    from fazhi.evidence.models import Evidence

    item = campaign.items.get(code="1.1.2")  # 行政执法公示制度全面推行
    assert list(services.evidence_items(people.city_lead, review)) == [item]
    with pytest.raises(ValidationError, match="还没有评查完成的案卷"):
        services.report_as_evidence(acting_user=people.city_lead, review=review, item=item)
    case = drawn["370403-sfj"]
    services.case_assign(acting_user=people.city_lead, case=case, reviewer=people.szq_reviewer)
    score(people.szq_reviewer, case, [{"item": "3", "count": 1}])
    evidence = services.report_as_evidence(acting_user=people.city_lead, review=review, item=item)
    assert Evidence.objects.get() == evidence and evidence.title.endswith("评查结果通报")
    assert "优秀 1 件" in evidence.description
    other = campaign.items.get(code="2.1.4")
    with pytest.raises(ValidationError, match="不是本地区创建活动中与案卷评查相关的任务项"):
        services.report_as_evidence(acting_user=people.city_lead, review=review, item=other)
    with pytest.raises(PermissionDenied):
        services.report_as_evidence(acting_user=people.szq_lead, review=review, item=item)


def test_the_review_feeds_its_part_of_an_evaluations_field_score(
    tree, people, campaign, review, drawn
):
    from fazhi.casereviews import feeds
    from fazhi.fieldwork import parts
    from fazhi.fieldwork import services as fieldwork

    evaluation = fieldwork.evaluation_create(
        acting_user=people.city_lead, region=tree.city, name="市级评估"
    )
    (applicant,) = fieldwork.applicants_add(
        acting_user=people.city_lead, evaluation=evaluation, campaigns=[campaign]
    )
    with pytest.raises(ValidationError, match="还没有已评分的抽中案卷"):
        feeds.evaluation_score_feed(
            acting_user=people.city_lead, review=review, applicant=applicant
        )
    scored = {"370402-sfj": [{"item": "4", "points": 8}], "370402-scjg": [], "370403-sfj": []}
    for code, deductions in scored.items():  # cross-review: 薛城区 scores 市中区 and back
        reviewer = people.szq_reviewer if code.startswith("370403") else people.xc_lead
        services.case_assign(acting_user=people.city_lead, case=drawn[code], reviewer=reviewer)
        score(reviewer, drawn[code], deductions)
    assert feeds.region_mean_percent(review, tree.szq) == (Decimal("96.00"), 2)  # 92 and 100
    test, files = parts.field_parts_save(
        acting_user=people.city_lead,
        evaluation=evaluation,
        parts=[("法治能力测试", 40), ("案卷评查", 60)],
    )
    with pytest.raises(ValidationError, match="请选择计入哪一部分"):
        feeds.evaluation_score_feed(
            acting_user=people.city_lead, review=review, applicant=applicant
        )
    feeds.evaluation_score_feed(
        acting_user=people.city_lead, review=review, applicant=applicant, part=files
    )
    entered = applicant.part_scores.get(part=files)
    assert entered.score == Decimal("96.00") and "2 件案卷平均分" in entered.source
    parts.field_part_score_save(
        acting_user=people.city_lead, applicant=applicant, part=test, score="80"
    )
    applicant.refresh_from_db()
    assert applicant.field_score == Decimal("89.60")  # 0.4 × 80 + 0.6 × 96
    with pytest.raises(PermissionDenied):  # the county does not score the city's evaluation
        feeds.evaluation_score_feed(
            acting_user=people.szq_lead, review=review, applicant=applicant, part=files
        )
