"""Personal API tokens: shown once, stored only as a hash, and reaching exactly what their owner
reaches on the pages."""

import hashlib
import re
from datetime import timedelta

import pytest

from fazhi.accounts import services
from fazhi.accounts.models import ApiToken, AuditEntry, User

PROFILE_URL = "/accounts/profile/"


def create_on_profile(client, name="数据同步脚本") -> str:
    response = client.post(PROFILE_URL, {"name": name})
    assert response.status_code == 200
    match = re.search(r'<code id="new-token">([^<]+)</code>', response.text)
    assert match, "the new key is shown on the page"
    return match.group(1)


def api_get(client, path, key=None, **params):
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return client.get(f"/api{path}", params, headers=headers)


def token_for(user) -> str:
    return services.api_token_create(acting_user=user, name="测试")[1]


# -- creating ----------------------------------------------------------------------------------


def test_a_token_created_on_the_profile_page_is_shown_once_and_stored_only_as_a_hash(people, login):
    client = login(people.szq_liaison)

    key = create_on_profile(client)

    token = ApiToken.objects.get(user=people.szq_liaison)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.key_prefix == key[:8]
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(key in value for value in stored)
    assert key not in client.get(PROFILE_URL).text
    assert token.key_prefix in client.get(PROFILE_URL).text


def test_creating_a_token_is_audited_without_the_key(people, login):
    key = create_on_profile(login(people.szq_liaison))
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.actor == people.szq_liaison
    assert key not in f"{entry.target_repr} {entry.summary} {entry.before} {entry.after}"


def test_two_tokens_get_different_keys(people):
    assert token_for(people.szq_liaison) != token_for(people.szq_liaison)


# -- authenticating ----------------------------------------------------------------------------


def test_a_valid_token_reads_who_am_i(people, client):
    key = token_for(people.szq_liaison)

    response = api_get(client, "/orgs/me", key)

    assert response.status_code == 200
    assert response.json() == {
        "username": "szq_liaison",
        "display_name": "szq_liaison",
        "roles": ["liaison"],
        "region": "370402",
        "unit": "370402-sfj",
    }


def test_using_a_token_records_when_it_was_last_used(people, client):
    key = token_for(people.szq_liaison)
    api_get(client, "/orgs/me", key)
    first = ApiToken.objects.get(user=people.szq_liaison).last_used_at
    assert first is not None
    # To the minute: a call soon after writes nothing; one a minute later moves it.
    api_get(client, "/orgs/me", key)
    assert ApiToken.objects.get(user=people.szq_liaison).last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    api_get(client, "/orgs/me", key)
    assert ApiToken.objects.get(user=people.szq_liaison).last_used_at > first


def test_a_busy_database_does_not_fail_the_call_for_the_last_use_stamp(people, client, monkeypatch):
    """At a deadline rush SQLite's write lock can stay taken past its timeout: the stamp is
    bookkeeping, and the call goes on without it (it was a 500 in the rush benchmark)."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    key = token_for(people.szq_liaison)
    real_update = QuerySet.update

    def locked(queryset, **values):
        if queryset.model is ApiToken:
            raise OperationalError("database is locked")
        return real_update(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", locked)
    response = api_get(client, "/orgs/me", key)
    assert response.status_code == 200
    assert response.json()["username"] == people.szq_liaison.username
    assert ApiToken.objects.get(user=people.szq_liaison).last_used_at is None


@pytest.mark.parametrize("key", [None, "", "fz_not-a-real-key", "Basic abc"])
def test_without_a_valid_token_the_api_answers_401(people, client, key):
    token_for(people.szq_liaison)
    assert api_get(client, "/orgs/me", key).status_code == 401


def test_a_logged_in_browser_session_is_not_an_api_credential(people, login):
    assert api_get(login(people.szq_lead), "/orgs/me").status_code == 401


def test_a_revoked_token_stops_working(people, login):
    client = login(people.szq_liaison)
    key = create_on_profile(client)
    token = ApiToken.objects.get(user=people.szq_liaison)

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert api_get(client, "/orgs/me", key).status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke", actor=people.szq_liaison)


def test_nobody_can_revoke_someone_elses_token(people, login):
    key = token_for(people.szq_liaison)
    token = ApiToken.objects.get(user=people.szq_liaison)

    login(people.szq_lead).post(f"/accounts/tokens/{token.pk}/revoke/")

    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert api_get(login(people.szq_lead), "/orgs/me", key).status_code == 200


def test_the_token_of_a_deactivated_account_is_refused(people, client):
    key = token_for(people.szq_liaison)
    User.objects.filter(pk=people.szq_liaison.pk).update(is_active=False)
    assert api_get(client, "/orgs/me", key).status_code == 401


# -- scoping -----------------------------------------------------------------------------------


def unit_names(client, key) -> set[str]:
    response = api_get(client, "/orgs/units", key)
    assert response.status_code == 200
    return {u["name"] for u in response.json()}


def test_a_liaisons_token_lists_only_the_liaisons_own_unit(people, client):
    assert unit_names(client, token_for(people.szq_liaison)) == {"市中区司法局"}


def test_a_county_leads_token_lists_its_countys_units_but_not_the_neighbours(people, client):
    assert unit_names(client, token_for(people.szq_lead)) == {
        "市中区司法局",
        "市中区市场监督管理局",
        "中心街街道办事处",
    }


def test_the_neighbouring_countys_token_lists_only_its_own_units(people, client):
    assert unit_names(client, token_for(people.xc_lead)) == {"薛城区司法局"}


def test_a_token_reaches_no_further_when_asked_for_another_county_by_code(people, client):
    response = api_get(client, "/orgs/units", token_for(people.szq_lead), region_code="370403")
    assert response.json() == []
