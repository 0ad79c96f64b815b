"""A wave's result becomes the survey score of the county's applicant in an evaluation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fazhi.fieldwork import services as fieldwork
from fazhi.surveys import services
from fazhi.surveys.tests import tables


def test_the_rate_or_the_score_feeds_the_evaluation(people, tree, campaign, wave, tmp_path):
    evaluation = fieldwork.evaluation_create(
        acting_user=people.city_lead, region=tree.city, name="市级评估"
    )
    (applicant,) = fieldwork.applicants_add(
        acting_user=people.city_lead, evaluation=evaluation, campaigns=[campaign]
    )
    with pytest.raises(ValidationError, match="还没有有效回答"):
        services.evaluation_score_feed(acting_user=people.city_lead, wave=wave, applicant=applicant)
    path = tmp_path / "a.xlsx"
    path.write_bytes(tables.respondents_titled())
    services.survey_import(acting_user=people.szq_lead, wave=wave, path=path, filename="a.xlsx")
    fed = services.evaluation_score_feed(
        acting_user=people.city_lead, wave=wave, applicant=applicant
    )
    assert str(fed.survey_score) == "75.00"
    fed = services.evaluation_score_feed(
        acting_user=people.city_lead, wave=wave, applicant=fed, measure="score"
    )
    assert str(fed.survey_score) == "70.00"
    # The county's own lead office does not score itself in the city's evaluation.
    with pytest.raises(Exception, match="无权"):
        services.evaluation_score_feed(acting_user=people.szq_lead, wave=wave, applicant=fed)


def test_the_result_report_becomes_a_material_of_the_indicator(people, campaign, wave, tmp_path):
    item = campaign.items.filter(children__isnull=True).first()
    with pytest.raises(ValidationError, match="还没有有效回答"):
        services.evidence_attach(acting_user=people.szq_lead, wave=wave, item=item)
    path = tmp_path / "a.xlsx"
    path.write_bytes(tables.respondents_titled())
    services.survey_import(acting_user=people.szq_lead, wave=wave, path=path, filename="a.xlsx")
    evidence = services.evidence_attach(acting_user=people.szq_lead, wave=wave, item=item)
    assert evidence.item == item and evidence.title == f"{wave.name}结果报告"
    assert evidence.current.original_name == f"{wave.name}-结果报告.docx"
    # The county's own office files it; another county's cannot.
    with pytest.raises((PermissionDenied, Http404)):
        services.evidence_attach(acting_user=people.xc_lead, wave=wave, item=item)
