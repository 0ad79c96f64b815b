"""Hardening asked for by a security review: HTTPS-only cookies and HSTS, the API's map only for
people signed in, tokens that obey the login policy, login throttling per source address, and
passwords that are not the site's own name with a year."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

from fazhi.accounts import services
from fazhi.accounts.models import AuditEntry, LoginThrottle, User
from fazhi.accounts.passwords import SiteWordsValidator
from fazhi.conftest import PASSWORD

LOGIN_URL = "/accounts/login/"
WRONG = "Wrong@2026pass"


def attempt(client, username, password, ip="127.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# -- HTTPS: Secure cookies and HSTS ------------------------------------------------------------

SECURITY_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
]


def settings_under(tmp_path, **env) -> dict:
    """The security settings a fresh process reads from this environment, as a deployment
    starts: settings are read once, at start-up."""
    script = (
        "import json, fazhi.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {SECURITY_SETTINGS!r}}}))"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FAZHI_SECURE", "FAZHI_HSTS", "FAZHI_BEHIND"))
    }
    environment.update(FAZHI_DATA_DIR=str(tmp_path), **env)
    output = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_without_secure_cookies_plain_http_keeps_working_without_hsts(tmp_path):
    found = settings_under(tmp_path)
    assert found["SESSION_COOKIE_SECURE"] is False
    assert found["SECURE_HSTS_SECONDS"] == 0  # HSTS on a plain-HTTP install would lock it out


def test_secure_cookies_also_turn_on_a_year_of_hsts(tmp_path):
    found = settings_under(tmp_path, FAZHI_SECURE_COOKIES="1")
    assert found["SESSION_COOKIE_SECURE"] is True
    assert found["CSRF_COOKIE_SECURE"] is True
    assert found["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert found["SECURE_PROXY_SSL_HEADER"] is None


def test_behind_a_tls_proxy_its_forwarded_protocol_is_believed(tmp_path):
    found = settings_under(
        tmp_path, FAZHI_SECURE_COOKIES="1", FAZHI_BEHIND_TLS_PROXY="1", FAZHI_HSTS_SECONDS="600"
    )
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["SECURE_HSTS_SECONDS"] == 600


@pytest.fixture
def https_behind_proxy(settings, tmp_path):
    """The settings a deployment with FAZHI_SECURE_COOKIES=1 behind a TLS proxy runs with."""
    found = settings_under(tmp_path, FAZHI_SECURE_COOKIES="1", FAZHI_BEHIND_TLS_PROXY="1")
    for name, value in found.items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)


def test_over_https_the_login_sets_secure_cookies_and_the_page_sends_hsts(
    https_behind_proxy, people, client
):
    response = client.post(
        LOGIN_URL,
        {"username": "szq_liaison", "password": PASSWORD},
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["csrftoken"]["secure"] is True
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_is_not_sent_over_plain_http_even_when_configured(https_behind_proxy, people, client):
    assert "Strict-Transport-Security" not in client.get(LOGIN_URL).headers


# -- the API's schema and docs -----------------------------------------------------------------


def test_a_stranger_gets_no_openapi_schema(db, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 401
    assert "登录" in response.json()["detail"]
    assert "/api/frameworks/import" not in response.text


def test_a_stranger_is_sent_to_the_login_page_from_the_api_docs(db, client):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next=/api/docs"


def test_a_signed_in_user_reads_the_schema_and_the_docs(people, login):
    client = login(people.szq_liaison)
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/frameworks/import" in schema.json()["paths"]
    assert client.get("/api/docs").status_code == 200


def test_a_program_with_a_valid_token_reads_the_schema(people, client, bearer):
    response = client.get("/api/openapi.json", **bearer(people.szq_liaison))
    assert response.status_code == 200
    refused = client.get("/api/openapi.json", HTTP_AUTHORIZATION="Bearer fz_not-a-key")
    assert refused.status_code == 401


# -- tokens obey the login policy --------------------------------------------------------------


def test_the_token_of_a_locked_account_is_refused_until_the_lockout_passes(people, client, bearer):
    headers = bearer(people.szq_liaison)
    assert client.get("/api/orgs/me", **headers).status_code == 200

    User.objects.filter(pk=people.szq_liaison.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10)
    )
    assert client.get("/api/orgs/me", **headers).status_code == 401

    User.objects.filter(pk=people.szq_liaison.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert client.get("/api/orgs/me", **headers).status_code == 200


def test_five_wrong_passwords_on_the_page_also_stop_the_accounts_token(people, client, bearer):
    headers = bearer(people.szq_liaison)
    for _ in range(5):
        attempt(client, "szq_liaison", WRONG)
    assert client.get("/api/orgs/me", **headers).status_code == 401


# -- login throttling per source address -------------------------------------------------------

SPRAYER = "203.0.113.7"
COLLEAGUE = "198.51.100.20"


@pytest.fixture
def many_accounts(people):
    """Thirty liaisons: enough usernames to spray one password across without any of them
    reaching the account lockout."""
    return [
        User.objects.create_user(username=f"spray{n:02d}", password=PASSWORD) for n in range(30)
    ]


def spray(client, usernames, ip=SPRAYER):
    return [attempt(client, name, "Fazhi@2026", ip) for name in usernames]


def test_one_password_sprayed_across_many_usernames_gets_the_address_throttled(
    settings, many_accounts, client
):
    assert settings.FAZHI_LOGIN_MAX_FAILURES_PER_IP == 20
    assert settings.FAZHI_LOGIN_IP_WINDOW_MINUTES == 15
    names = [user.username for user in many_accounts]

    answers = spray(client, names[:19])
    assert all("用户名或密码错误" in answer.text for answer in answers)
    assert not User.objects.filter(locked_until__isnull=False).exists()

    twentieth = spray(client, names[19:20])[0]
    assert "本网络地址登录失败次数过多" in twentieth.text

    # From now on this address may not try anyone, not even with the right password.
    refused = attempt(client, "szq_liaison", PASSWORD, SPRAYER)
    assert refused.status_code == 200
    assert "本网络地址登录失败次数过多，已暂停从该地址登录至" in refused.text
    assert not is_logged_in(client)


def test_while_an_address_is_throttled_other_addresses_log_in_as_usual(
    many_accounts, people, client
):
    spray(client, [user.username for user in many_accounts[:20]])

    response = attempt(client, "szq_liaison", PASSWORD, COLLEAGUE)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_throttle_lifts_after_the_window_and_counts_afresh(many_accounts, people, client):
    spray(client, [user.username for user in many_accounts[:20]])
    LoginThrottle.objects.filter(ip_address=SPRAYER).update(
        blocked_until=timezone.now() - timedelta(seconds=1),
        window_started=timezone.now() - timedelta(minutes=16),
    )

    assert attempt(client, "szq_liaison", PASSWORD, SPRAYER).status_code == 302
    client.logout()
    answer = attempt(client, "spray00", WRONG, SPRAYER)
    assert "用户名或密码错误" in answer.text
    assert LoginThrottle.objects.get(ip_address=SPRAYER).failure_count == 1


def test_failures_spread_beyond_the_window_do_not_add_up(many_accounts, client):
    names = [user.username for user in many_accounts]
    spray(client, names[:19])
    LoginThrottle.objects.filter(ip_address=SPRAYER).update(
        window_started=timezone.now() - timedelta(minutes=15, seconds=1)
    )

    answer = spray(client, names[19:20])[0]

    assert "用户名或密码错误" in answer.text
    assert LoginThrottle.objects.get(ip_address=SPRAYER).blocked_until is None


def test_a_successful_login_does_not_buy_the_address_more_guesses(many_accounts, people, client):
    names = [user.username for user in many_accounts]
    spray(client, names[:19])
    attempt(client, "szq_liaison", PASSWORD, SPRAYER)
    client.logout()

    assert "本网络地址登录失败次数过多" in spray(client, names[19:20])[0].text


def test_unknown_usernames_count_towards_the_address_limit(db, client):
    answers = spray(client, [f"guess{n}" for n in range(20)])
    assert "本网络地址登录失败次数过多" in answers[-1].text


def test_throttling_an_address_is_audited_once_and_each_refused_attempt_too(
    many_accounts, people, client
):
    spray(client, [user.username for user in many_accounts[:20]])
    attempt(client, "szq_liaison", PASSWORD, SPRAYER)
    attempt(client, "szq_lead", PASSWORD, SPRAYER)

    lockout = AuditEntry.objects.get(action="login.ip_lockout")
    assert lockout.ip_address == SPRAYER
    assert "15 分钟内失败 20 次" in lockout.summary
    refused = AuditEntry.objects.filter(action="login.ip_locked").order_by("id")
    assert [entry.actor_name for entry in refused] == ["szq_liaison", "szq_lead"]
    assert {entry.ip_address for entry in refused} == {SPRAYER}


def test_the_limit_per_address_is_configurable(settings, db, client):
    settings.FAZHI_LOGIN_MAX_FAILURES_PER_IP = 3
    answers = spray(client, ["a", "b", "c"])
    assert "本网络地址登录失败次数过多" in answers[-1].text


def test_the_account_lockout_still_applies_below_the_address_limit(people, client):
    for _ in range(5):
        attempt(client, "szq_liaison", WRONG)
    assert "账号已锁定" in attempt(client, "szq_liaison", PASSWORD).text
    assert LoginThrottle.objects.get(ip_address="127.0.0.1").blocked_until is None


# -- passwords made of the site's own words ----------------------------------------------------


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("Fazhi2026", "newcomer"),
        ("Fazhi@2026", "newcomer"),
        ("fazhi_2026!", "newcomer"),
        ("FaZhi#2025", "newcomer"),
        ("Admin123!", "newcomer"),
        ("FazhiAdmin#1", "newcomer"),
        ("Fzzf@2026", "newcomer"),
        ("szq_admin2026", "szq_admin"),
        ("Szq_Liaison2026", "szq_liaison"),
        ("Szq@Admin2026", "szq_liaison"),
        ("Password1!", "newcomer"),
    ],
)
def test_a_password_made_of_site_words_or_the_username_and_digits_is_refused(
    db, password, username
):
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, User(username=username))
    assert any("平台名称" in message for message in refused.value.messages)


@pytest.mark.parametrize(
    "password",
    ["Qingdao#river", "Shizhong@2026new", "Initial@2026pw", "Huanghe$2026bank", "Fazhi&Taishan9"],
)
def test_a_password_with_a_word_of_its_own_passes(db, password):
    password_validation.validate_password(password, User(username="szq_admin"))


def test_the_common_password_list_and_the_username_check_are_in_force(db):
    with pytest.raises(ValidationError):
        password_validation.validate_password("Password123", User(username="newcomer"))
    with pytest.raises(ValidationError):
        password_validation.validate_password("Zhangwei.li8", User(username="zhangwei.li"))


def test_the_password_page_refuses_fazhi2026_with_a_message_in_chinese(people, login):
    client = login(people.szq_liaison)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password": "Fazhi@2026",
            "new_password_again": "Fazhi@2026",
        },
    )
    assert response.status_code == 200
    assert "密码不能只由平台名称" in response.text
    people.szq_liaison.refresh_from_db()
    assert people.szq_liaison.check_password(PASSWORD)


def test_an_administrator_cannot_give_a_new_account_the_sites_name_as_password(people, tree):
    with pytest.raises(ValidationError):
        services.user_create(
            acting_user=people.szq_lead,
            username="newcomer",
            display_name="新同事",
            password="Fazhi2026!",
            unit=tree.units.szq_scjg,
            roles=["liaison"],
        )
    assert not User.objects.filter(username="newcomer").exists()


def test_the_rule_is_explained_next_to_the_password_field(people, login):
    html = login(people.szq_liaison).get("/accounts/password/").text
    assert SiteWordsValidator().get_help_text() in html
