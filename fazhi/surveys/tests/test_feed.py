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


def _imported(people, wave, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(tables.respondents_titled())
    services.survey_import(acting_user=people.szq_lead, wave=wave, path=path, filename="a.xlsx")


def test_the_city_office_enters_the_rate_from_the_wave_page(
    client, login, people, tree, campaign, wave, tmp_path
):
    from django.urls import reverse

    from fazhi.accounts.models import AuditEntry

    evaluation = fieldwork.evaluation_create(
        acting_user=people.city_lead, region=tree.city, name="枣庄市示范创建评估"
    )
    (applicant,) = fieldwork.applicants_add(
        acting_user=people.city_lead, evaluation=evaluation, campaigns=[campaign]
    )
    _imported(people, wave, tmp_path)
    url = reverse("surveys:feed", args=[wave.pk])
    # The county's own office reads the page but has no evaluation of its own to score.
    login(people.szq_lead)
    assert "没有可以计入的评估" in client.get(url).content.decode()
    refused = client.post(url, {"applicant": applicant.pk, "measure": "rate"}, follow=True)
    assert "没有可以计入的评估" in refused.content.decode()
    applicant.refresh_from_db()
    assert applicant.survey_score is None
    # The city's office chooses the evaluation and the measure.
    login(people.city_lead)
    page = client.get(url).content.decode()
    assert "枣庄市示范创建评估" in page and "75.00" in page and "70.00" in page
    done = client.post(url, {"applicant": applicant.pk, "measure": "score"})
    assert done.status_code == 302 and done["Location"].endswith(f"/fieldwork/{evaluation.pk}/")
    applicant.refresh_from_db()
    assert str(applicant.survey_score) == "70.00"
    entry = AuditEntry.objects.filter(action="survey.feed").get()
    assert "分值 70.00" in entry.summary


def test_the_county_office_files_the_report_on_the_satisfaction_indicator(
    client, login, people, campaign, wave, tmp_path
):
    from django.urls import reverse

    from fazhi.evidence.models import Evidence

    _imported(people, wave, tmp_path)
    satisfaction = campaign.items.filter(children__isnull=True).last()
    satisfaction.title = "人民群众对法治政府建设的满意度"
    satisfaction.save(update_fields=["title"])
    url = reverse("surveys:evidence", args=[wave.pk])
    login(people.szq_lead)
    page = client.get(url)
    assert page.context["form"].fields["item"].queryset.first() == satisfaction
    done = client.post(url, {"item": satisfaction.pk})
    assert done.status_code == 302
    evidence = Evidence.objects.get(item=satisfaction)
    assert evidence.title == f"{wave.name}结果报告"
    # Another county's item is not offered, and a forged choice stores nothing.
    login(people.xc_lead)
    assert client.get(url).status_code == 404
    login(people.szq_leader)
    client.post(url, {"item": satisfaction.pk})
    assert Evidence.objects.filter(item=satisfaction).count() == 1
