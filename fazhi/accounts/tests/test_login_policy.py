"""The login policy a government security review (等保) checks: strong passwords, lockout after
repeated failures, an idle timeout, and a forced password change for accounts an administrator
created. Everything goes through the real login page."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from fazhi.accounts import services
from fazhi.accounts.middleware import REFRESHED_KEY, SESSION_REFRESH_SECONDS
from fazhi.accounts.models import AuditEntry, User
from fazhi.accounts.passwords import CharacterClassValidator
from fazhi.conftest import PASSWORD

LOGIN_URL = "/accounts/login/"
HOME_URL = "/"
WRONG = "Wrong@2026pass"


def attempt(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_times(client, username, times):
    for _ in range(times):
        attempt(client, username, WRONG)


def audit_actions_for(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(user.pk), action__startswith="login")
        .order_by("id")
        .values_list("action", flat=True)
    )


# -- password strength -------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["alllowercase1", "ALLUPPER123", "lower+symbols!", "Abcdefgh"])
def test_a_password_with_fewer_than_three_character_classes_is_refused_in_chinese(password):
    with pytest.raises(ValidationError) as refused:
        CharacterClassValidator().validate(password)
    assert "密码须至少包含大写字母、小写字母、数字、符号中的 3 类" in refused.value.messages[0]


def test_a_password_with_three_character_classes_passes_every_configured_validator(db):
    password_validation.validate_password("Qingdao#river")  # upper, lower, symbol
    password_validation.validate_password("Qingdao2river")  # upper, lower, digit


def test_the_password_change_page_refuses_a_too_simple_password_and_keeps_the_old_one(
    people, login
):
    client = login(people.szq_liaison)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password": "onlylowercase",
            "new_password_again": "onlylowercase",
        },
    )
    assert response.status_code == 200
    assert "密码须至少包含大写字母、小写字母、数字、符号中的 3 类" in response.text
    people.szq_liaison.refresh_from_db()
    assert people.szq_liaison.check_password(PASSWORD)


# -- lockout -----------------------------------------------------------------------------------


def test_the_right_password_logs_in_and_lands_on_the_home_page(people, client):
    response = attempt(client, "szq_liaison", PASSWORD)
    assert response.status_code == 302
    assert response.url == "/"
    assert is_logged_in(client)


def test_a_wrong_password_is_refused_with_a_message_that_warns_of_the_lockout(people, client):
    response = attempt(client, "szq_liaison", WRONG)
    assert response.status_code == 200
    assert "用户名或密码错误" in response.text
    assert not is_logged_in(client)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(people, client):
    assert settings.FAZHI_LOGIN_MAX_FAILURES == 5
    assert settings.FAZHI_LOGIN_LOCKOUT_MINUTES == 15
    fail_times(client, "szq_liaison", 4)
    people.szq_liaison.refresh_from_db()
    assert people.szq_liaison.locked_until is None
    assert people.szq_liaison.failed_login_count == 4

    response = attempt(client, "szq_liaison", WRONG)

    assert "账号已锁定" in response.text
    people.szq_liaison.refresh_from_db()
    remaining = people.szq_liaison.locked_until - timezone.now()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)


def test_a_locked_account_refuses_even_the_right_password_and_says_it_is_locked(people, client):
    fail_times(client, "szq_liaison", 5)

    response = attempt(client, "szq_liaison", PASSWORD)

    assert response.status_code == 200
    assert "账号已锁定" in response.text
    assert not is_logged_in(client)


def test_after_the_lockout_has_passed_the_right_password_works_and_the_counter_is_reset(
    people, client
):
    fail_times(client, "szq_liaison", 5)
    User.objects.filter(pk=people.szq_liaison.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1), failed_login_count=3
    )

    response = attempt(client, "szq_liaison", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)
    people.szq_liaison.refresh_from_db()
    assert people.szq_liaison.failed_login_count == 0
    assert people.szq_liaison.locked_until is None


def test_a_successful_login_resets_the_failure_counter_so_failures_must_be_in_a_row(people, client):
    fail_times(client, "szq_liaison", 4)
    attempt(client, "szq_liaison", PASSWORD)
    client.logout()
    fail_times(client, "szq_liaison", 4)

    people.szq_liaison.refresh_from_db()
    assert people.szq_liaison.failed_login_count == 4
    assert people.szq_liaison.locked_until is None
    attempt(client, "szq_liaison", PASSWORD)
    assert is_logged_in(client)


def test_an_unknown_username_gets_the_same_message_as_a_wrong_password(people, client):
    wrong_password = attempt(client, "szq_liaison", WRONG)
    unknown_user = attempt(client, "no_such_person", WRONG)
    message = services._failure_message()
    assert message in wrong_password.text
    assert message in unknown_user.text


def test_every_login_attempt_is_written_to_the_audit_log(people, client):
    attempt(client, "szq_liaison", PASSWORD)
    client.logout()
    fail_times(client, "szq_liaison", 5)
    attempt(client, "szq_liaison", PASSWORD)
    attempt(client, "no_such_person", WRONG)

    assert audit_actions_for(people.szq_liaison) == [
        "login",
        "login.failed",
        "login.failed",
        "login.failed",
        "login.failed",
        "login.lockout",
        "login.locked",
    ]
    unknown = AuditEntry.objects.get(actor_name="no_such_person")
    assert unknown.action == "login.failed"
    assert unknown.ip_address == "127.0.0.1"


def test_a_login_from_the_neighbouring_county_is_logged_in_that_countys_audit_region(
    people, client
):
    attempt(client, "xc_liaison", PASSWORD)
    entry = AuditEntry.objects.get(action="login", actor=people.xc_liaison)
    assert entry.region == people.xc_liaison.region


def test_a_deactivated_account_cannot_log_in_even_with_the_right_password(people, client):
    User.objects.filter(pk=people.szq_liaison.pk).update(is_active=False)
    response = attempt(client, "szq_liaison", PASSWORD)
    assert "用户名或密码错误" in response.text
    assert not is_logged_in(client)


def test_after_login_the_user_returns_to_the_page_they_asked_for(people, client):
    response = client.post(
        f"{LOGIN_URL}?next=/accounts/profile/", {"username": "szq_liaison", "password": PASSWORD}
    )
    assert response.url == "/accounts/profile/"


def test_a_next_address_on_another_site_is_ignored(people, client):
    response = client.post(
        f"{LOGIN_URL}?next=https://evil.example/", {"username": "szq_liaison", "password": PASSWORD}
    )
    assert response.url == "/"


def test_logging_out_ends_the_session(people, client):
    attempt(client, "szq_liaison", PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405  # a link cannot log anyone out
    response = client.post("/accounts/logout/")
    assert response.url == LOGIN_URL
    assert not is_logged_in(client)


# -- idle timeout ------------------------------------------------------------------------------


def test_the_session_expires_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def last_refreshed_a_while_ago(client) -> None:
    session = client.session
    session[REFRESHED_KEY] -= SESSION_REFRESH_SECONDS
    session.save()


def test_activity_pushes_the_session_expiry_forward(people, client):
    attempt(client, "szq_liaison", PASSWORD)
    last_refreshed_a_while_ago(client)
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))

    assert client.get(HOME_URL).status_code == 200

    session.refresh_from_db()
    assert session.expire_date > timezone.now() + timedelta(minutes=25)


def test_requests_within_a_minute_do_not_rewrite_the_session(people, client):
    attempt(client, "szq_liaison", PASSWORD)
    soon = timezone.now() + timedelta(minutes=10)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=soon)

    assert client.get(HOME_URL).status_code == 200

    assert Session.objects.get(session_key=client.session.session_key).expire_date == soon


def test_an_idle_session_past_its_expiry_is_sent_back_to_the_login_page(people, client):
    attempt(client, "szq_liaison", PASSWORD)
    assert client.get(HOME_URL).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(HOME_URL)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


# -- forced password change --------------------------------------------------------------------


NEW_PASSWORD = "Shizhong@2026new"


@pytest.fixture
def newcomer(people, tree):
    return services.user_create(
        acting_user=people.szq_lead,
        username="newcomer",
        display_name="新同事",
        password="Initial@2026pw",
        unit=tree.units.szq_scjg,
        roles=["liaison"],
    )


def test_an_account_created_by_an_administrator_must_change_its_password(newcomer):
    assert newcomer.must_change_password


def test_an_account_created_on_the_new_user_page_must_change_its_password(people, tree, login):
    login(people.szq_lead).post(
        "/accounts/users/new/",
        {
            "username": "from_page",
            "display_name": "页面新建",
            "unit": tree.units.szq_scjg.pk,
            "roles": ["liaison"],
            "password": "Initial@2026pw",
        },
    )
    assert User.objects.get(username="from_page").must_change_password


@pytest.mark.parametrize("path", ["/", "/accounts/profile/", "/orgs/units/", "/accounts/users/"])
def test_until_the_password_is_changed_every_page_redirects_to_the_password_page(
    newcomer, client, path
):
    attempt(client, "newcomer", "Initial@2026pw")
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == "/accounts/password/"


def test_the_first_login_of_a_new_account_lands_on_the_password_page(newcomer, client):
    response = client.post(
        LOGIN_URL, {"username": "newcomer", "password": "Initial@2026pw"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/password/"
    assert "请先设置您自己的密码" in response.text


def test_after_changing_the_password_pages_open_and_the_session_survives(newcomer, client):
    attempt(client, "newcomer", "Initial@2026pw")

    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Initial@2026pw",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/accounts/profile/").status_code == 200
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password
    assert newcomer.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="user.change_password", actor=newcomer).exists()


def test_the_password_page_refuses_a_wrong_current_password(newcomer, client):
    attempt(client, "newcomer", "Initial@2026pw")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Not@2026mine",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert "当前密码不正确" in response.text
    newcomer.refresh_from_db()
    assert newcomer.must_change_password
