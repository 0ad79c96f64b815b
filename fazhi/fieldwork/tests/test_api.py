"""The ranking through the REST API: the same rows as the page, scoped the same way."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.fieldwork import services

from .conftest import give_written, set_scores
from .test_ranking import grow


def ranking_url(evaluation) -> str:
    return f"/api/fieldwork/evaluations/{evaluation.pk}/ranking"


def test_the_ranking_is_served_as_json(client, evaluation, province, campaign, bearer):
    give_written(province.lead, campaign, {"1.1.1": "4"})
    set_scores(province.lead, evaluation.applicants.get(campaign=campaign), "80", "70")
    response = client.get(ranking_url(evaluation), **bearer(province.reviewer))
    assert response.status_code == 200
    body = response.json()
    assert body["evaluation"]["weights"] == {"written": 50, "field": 30, "survey": 20}
    assert body["evaluation"]["applicants"] == 2
    first, second = body["rows"]
    assert first["rank"] == 1 and first["region"] == "枣庄市市中区"
    assert (first["written"], first["field"], first["survey"]) == (90.0, 80.0, 70.0)
    assert first["composite"] == 83.0 and first["missing"] == []
    assert (first["written_scored"], first["indicators"]) == (4, 4)
    assert second["rank"] is None and second["composite"] is None
    assert second["missing"] == ["书面评审", "实地评估", "满意度测评"]


def test_the_evaluations_are_listed(client, evaluation, province, bearer):
    body = client.get("/api/fieldwork/evaluations", **bearer(province.lead)).json()
    assert [(e["id"], e["applicants"], e["region"]) for e in body] == [(evaluation.pk, 2, "370000")]


def test_other_offices_get_404_and_an_evaluator_reads(
    client, evaluation, people, another_province, province, evaluator, bearer
):
    for outsider in (people.city_lead, another_province.lead, evaluator):
        assert client.get(ranking_url(evaluation), **bearer(outsider)).status_code == 404
    services.evaluator_grant(acting_user=province.lead, evaluation=evaluation, user=evaluator)
    assert client.get(ranking_url(evaluation), **bearer(evaluator)).status_code == 200
    assert client.get(ranking_url(evaluation)).status_code == 401


def test_the_ranking_endpoint_runs_a_fixed_number_of_queries(
    client, evaluation, province, people, tree, campaign, bearer
):
    auth = bearer(province.lead)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ranking_url(evaluation), **auth).status_code == 200
        return len(captured)

    queries()  # the token's first use is recorded; later calls within the minute are not
    before = queries()
    grow(evaluation, province, people, tree, campaign)
    assert queries() == before
