"""The province's writes: weights that add up, applicants only from below the office, outside
evaluators granted every applicant, score entry within bounds and against lost updates."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fazhi.accounts.models import AuditEntry
from fazhi.campaigns.models import Campaign
from fazhi.campaigns.services import campaign_create
from fazhi.conftest import make_region, make_user
from fazhi.fieldwork import services
from fazhi.fieldwork.models import Applicant, Evaluation, Evaluator
from fazhi.reviews.models import CampaignGrant, GrantPurpose
from fazhi.reviews.services import ConflictError, may_give_written

from .conftest import set_scores


def test_the_weights_must_add_up_to_100(tree, province):
    with pytest.raises(ValidationError) as refused:
        services.evaluation_create(
            acting_user=province.lead,
            region=tree.province,
            name="全省评估",
            written_weight=50,
            field_weight=30,
            survey_weight=30,
        )
    assert "三项权重之和应为 100%，现在是 110%" in refused.value.message_dict["written_weight"][0]
    assert not Evaluation.objects.exists()


def test_the_database_refuses_weights_that_do_not_add_up(evaluation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(survey_weight=25)


def test_changing_the_weights_is_audited(evaluation, province):
    services.evaluation_update(
        acting_user=province.lead,
        evaluation=evaluation,
        name=evaluation.name,
        written_weight=40,
        field_weight=40,
        survey_weight=20,
    )
    entry = AuditEntry.objects.get(action="evaluation.update")
    assert entry.before == {"written_weight": 50, "field_weight": 30}
    assert entry.after == {"written_weight": 40, "field_weight": 40}


def test_a_county_does_not_organise_an_evaluation(tree, people):
    with pytest.raises(ValidationError, match="省、市两级"):
        services.evaluation_create(acting_user=people.szq_lead, region=tree.szq, name="区评估")


def test_a_city_office_cannot_organise_for_the_province(tree, people):
    with pytest.raises(PermissionDenied):
        services.evaluation_create(acting_user=people.city_lead, region=tree.province, name="x")


def test_an_applicant_outside_the_evaluation_region_is_refused(tree, people, campaign, province):
    jinan = make_region("370100", "济南市", "city", tree.province)
    lixia = make_region("370102", "历下区", "county", jinan)
    outside = campaign_create(
        acting_user=province.lead,
        framework=campaign.framework,
        region=lixia,
        name="历下区创建示范区",
        period_start=date(2024, 1, 1),
        period_end=date(2025, 12, 31),
    )
    own = campaign_create(
        acting_user=people.city_lead,
        framework=campaign.framework,
        region=tree.city,
        name="枣庄市创建示范市",
        period_start=date(2024, 1, 1),
        period_end=date(2025, 12, 31),
    )
    city_evaluation = services.evaluation_create(
        acting_user=people.city_lead, region=tree.city, name="枣庄市市级示范评估"
    )
    for refused in (outside, own):
        with pytest.raises(ValidationError) as error:
            services.applicants_add(
                acting_user=people.city_lead, evaluation=city_evaluation, campaigns=[refused]
            )
        assert f"不在本评估的范围（{tree.city}以下）内" in str(error.value)
    assert not Applicant.objects.filter(evaluation=city_evaluation).exists()
    services.applicants_add(
        acting_user=people.city_lead, evaluation=city_evaluation, campaigns=[campaign]
    )
    assert city_evaluation.applicants.get().campaign == campaign


def test_adding_a_campaign_twice_keeps_one_applicant(evaluation, province, campaign):
    assert (
        services.applicants_add(
            acting_user=province.lead, evaluation=evaluation, campaigns=[campaign]
        )
        == []
    )
    assert evaluation.applicants.count() == 2


def test_only_the_lead_office_changes_the_applicant_list(evaluation, province, campaign):
    with pytest.raises(PermissionDenied):
        services.applicants_add(
            acting_user=province.reviewer, evaluation=evaluation, campaigns=[campaign]
        )


def test_an_evaluator_is_granted_every_applicant_now_and_later(
    evaluation, province, evaluator, campaign, xc_campaign, tree, people
):
    assert not may_give_written(evaluator, campaign)
    services.evaluator_grant(acting_user=province.lead, evaluation=evaluation, user=evaluator)
    granted = CampaignGrant.objects.filter(user=evaluator, purpose=GrantPurpose.EVALUATION)
    assert set(granted.values_list("campaign_id", flat=True)) == {campaign.pk, xc_campaign.pk}
    assert set(Campaign.objects.visible_to(evaluator)) == {campaign, xc_campaign}
    assert may_give_written(evaluator, campaign)

    county = make_region("370404", "峄城区", "county", tree.city)
    later = campaign_create(
        acting_user=people.city_lead,
        framework=campaign.framework,
        region=county,
        name="峄城区创建示范区",
        period_start=date(2024, 1, 1),
        period_end=date(2025, 12, 31),
    )
    services.applicants_add(acting_user=province.lead, evaluation=evaluation, campaigns=[later])
    assert may_give_written(evaluator, later)
    assert Evaluator.objects.filter(evaluation=evaluation, user=evaluator).count() == 1


def test_only_expert_accounts_are_taken_on_as_evaluators(evaluation, province, people):
    with pytest.raises(ValidationError, match="不是评审专家账号"):
        services.evaluator_grant(
            acting_user=province.lead, evaluation=evaluation, user=people.szq_reviewer
        )


def test_an_evaluator_reads_the_evaluation_but_enters_no_scores(evaluation, province, evaluator):
    assert not Evaluation.objects.visible_to(evaluator).exists()
    services.evaluator_grant(acting_user=province.lead, evaluation=evaluation, user=evaluator)
    assert Evaluation.objects.visible_to(evaluator).get() == evaluation
    assert not Evaluation.objects.editable_by(evaluator).exists()
    applicant = evaluation.applicants.first()
    with pytest.raises(PermissionDenied):
        set_scores(evaluator, applicant, "80", "90")


def test_the_province_reviewer_enters_scores(evaluation, province):
    applicant = set_scores(province.reviewer, evaluation.applicants.first(), "88.5", " 91分 ")
    assert applicant.field_score == Decimal("88.50")
    assert applicant.survey_score == Decimal("91.00")
    assert applicant.version == 1 and applicant.updated_by == province.reviewer
    entry = AuditEntry.objects.get(action="evaluation.scores")
    assert entry.after == {"field_score": "88.50", "survey_score": "91.00"}


def test_scores_stay_within_0_to_100(evaluation, province):
    applicant = evaluation.applicants.first()
    with pytest.raises(ValidationError) as refused:
        set_scores(province.lead, applicant, "105", "abc")
    assert refused.value.message_dict == {
        "field_score": ["“实地评估得分”：105 超出 0–100"],
        "survey_score": ["“满意度测评得分”：“abc”不是数字"],
    }
    applicant.refresh_from_db()
    assert applicant.field_score is None and applicant.version == 0


def test_the_database_refuses_a_score_above_100(evaluation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Applicant.objects.filter(evaluation=evaluation).update(field_score=Decimal("100.5"))


def test_an_empty_score_clears_it(evaluation, province):
    applicant = set_scores(province.lead, evaluation.applicants.first(), "80", "90")
    applicant = set_scores(province.lead, applicant, "", "90")
    assert applicant.field_score is None and applicant.survey_score == 90


def test_two_people_entering_scores_at_once_do_not_overwrite_each_other(evaluation, province):
    applicant = evaluation.applicants.first()
    seen = applicant.version
    services.applicant_scores_save(
        acting_user=province.reviewer,
        applicant=applicant,
        field_score="85",
        survey_score="",
        version=seen,
    )
    with pytest.raises(ConflictError) as lost:
        services.applicant_scores_save(
            acting_user=province.lead,
            applicant=applicant,
            field_score="70",
            survey_score="60",
            version=seen,
        )
    message = lost.value.messages[0]
    assert "已由 province_reviewer 于" in message
    assert "实地评估 85、满意度测评 未填" in message and "您的修改没有保存" in message
    applicant.refresh_from_db()
    assert applicant.field_score == 85 and applicant.survey_score is None


def test_removing_an_applicant_needs_the_lead_office(evaluation, province):
    applicant = evaluation.applicants.first()
    with pytest.raises(PermissionDenied):
        services.applicant_remove(acting_user=province.reviewer, applicant=applicant)
    services.applicant_remove(acting_user=province.lead, applicant=applicant)
    assert evaluation.applicants.count() == 1


def test_a_city_office_does_not_see_the_province_evaluation(evaluation, people, another_province):
    for outsider in (people.city_lead, people.szq_lead, another_province.lead):
        assert not Evaluation.objects.visible_to(outsider).exists()
        assert not Applicant.objects.visible_to(outsider).exists()
    province_reader = make_user("province_leader", "leader", region=evaluation.region)
    assert Evaluation.objects.visible_to(province_reader).get() == evaluation
    assert not Applicant.objects.editable_by(province_reader).exists()


def test_removing_an_applicant_takes_the_campaign_back_from_its_evaluators(
    evaluation, province, evaluator, campaign, xc_campaign
):
    services.evaluator_grant(acting_user=province.lead, evaluation=evaluation, user=evaluator)
    services.applicant_remove(
        acting_user=province.lead, applicant=evaluation.applicants.get(campaign=campaign)
    )
    assert set(Campaign.objects.visible_to(evaluator)) == {xc_campaign}
    assert not may_give_written(evaluator, campaign)
