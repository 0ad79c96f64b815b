"""The health check the scale deployment's load balancer asks: open to anyone, 200 only when
the database and the file storage both answer."""

from unittest import mock

from django.urls import reverse


def test_health_answers_ok_without_login(client, db):
    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_names_the_storage_when_it_does_not_answer(client, db):
    with mock.patch(
        "fazhi.core.health.default_storage.exists", side_effect=ConnectionError("refused")
    ):
        response = client.get(reverse("core:health"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "storage": "unavailable"}


def test_health_refuses_writes(client, db):
    assert client.post(reverse("core:health")).status_code == 405
