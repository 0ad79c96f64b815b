"""How a framework's scores add up, set on its page by the office that owns it."""

from django.urls import reverse

from fazhi.accounts.system import SYSTEM
from fazhi.conftest import campaign_rows
from fazhi.frameworks.services import framework_create


def test_the_owner_sets_how_scores_add_up(people, login):
    framework = framework_create(
        acting_user=SYSTEM,
        name="本市评分表",
        edition="2025",
        rows=campaign_rows(),
        owner_region=people.city_lead.region,
    )
    url = reverse("frameworks:scoring", args=[framework.pk])
    choice = {"aggregation": "weighted", "veto_effect": "area"}
    assert login(people.szq_lead).post(url, choice).status_code == 403  # a county below
    framework.refresh_from_db()
    assert (framework.aggregation, framework.veto_effect) == ("sum", "total")
    login(people.city_lead).post(url, choice)
    framework.refresh_from_db()
    assert (framework.aggregation, framework.veto_effect) == ("weighted", "area")
