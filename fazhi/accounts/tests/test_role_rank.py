"""Nobody below the system administrator manages an account holding a role at or above their own,
nor hands out such a role: a province's lead office once reset the system administrator's
password and logged in as them, because only the target's region was checked."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from fazhi.accounts import services
from fazhi.accounts.models import User
from fazhi.conftest import PASSWORD, make_user

NEW_PASSWORD = "Takeover@2026pw"
LIST_URL = "/accounts/users/"


@pytest.fixture
def province_lead(tree):
    """The province's lead office: the system administrator's account sits in its region."""
    return make_user("province_lead", "lead_admin", region=tree.province)


def edit_form(user, **overrides) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "region": user.region_id or "",
        "unit": user.unit_id or "",
        "roles": user.role_codes(),
        "email": user.email,
        "phone": user.phone,
        "is_active": "on" if user.is_active else "",
        **overrides,
    }


def can_log_in(username: str, password: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


# -- the takeover from the issue -------------------------------------------------------------


def test_a_province_lead_cannot_reset_the_system_administrators_password(
    people, province_lead, login
):
    response = login(province_lead).post(
        f"/accounts/users/{people.admin.pk}/reset-password/", {"password": NEW_PASSWORD}
    )

    assert response.status_code == 403
    people.admin.refresh_from_db()
    assert people.admin.check_password(PASSWORD)
    assert not can_log_in("admin", NEW_PASSWORD)


def test_a_province_lead_cannot_open_deactivate_or_re_role_the_administrator(
    people, province_lead, login
):
    client = login(province_lead)
    url = f"/accounts/users/{people.admin.pk}/"

    assert client.get(url).status_code == 403
    response = client.post(url, edit_form(people.admin, roles=["reviewer"], is_active=""))

    assert response.status_code == 403
    people.admin.refresh_from_db()
    assert people.admin.is_active
    assert people.admin.role_codes() == ["admin"]


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": False},
        {"display_name": "改名"},
    ],
    ids=["deactivate", "edit"],
)
def test_the_service_refuses_changing_an_account_at_or_above_the_actors_rank(
    people, province_lead, change
):
    for target in (people.admin, people.city_lead, people.szq_lead):
        with pytest.raises(PermissionDenied, match="同级或更高"):
            services.user_update(
                acting_user=province_lead, user=target, roles=target.role_codes(), **change
            )
        target.refresh_from_db()
        assert target.is_active
        assert target.display_name == target.username


def test_the_service_refuses_resetting_a_peer_lead_office_below_in_the_tree(people):
    """The city's lead office reaches 市中区 by region, but 市中区's lead office is its peer."""
    with pytest.raises(PermissionDenied, match="同级或更高"):
        services.user_reset_password(
            acting_user=people.city_lead, user=people.szq_lead, password=NEW_PASSWORD
        )
    people.szq_lead.refresh_from_db()
    assert people.szq_lead.check_password(PASSWORD)


def test_a_lead_office_cannot_move_a_peer_into_its_own_region(people, tree):
    with pytest.raises(PermissionDenied):
        services.user_update(
            acting_user=people.city_lead,
            user=people.szq_lead,
            roles=["lead_admin"],
            region=tree.city,
            unit=None,
        )
    people.szq_lead.refresh_from_db()
    assert people.szq_lead.region == tree.szq


def test_a_superuser_without_roles_is_as_protected_as_the_administrator(tree, province_lead):
    root = make_user("root", region=tree.province, is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.user_reset_password(acting_user=province_lead, user=root, password=NEW_PASSWORD)
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


# -- granting ----------------------------------------------------------------------------------


def test_a_lead_office_cannot_grant_the_lead_office_role(people, tree):
    with pytest.raises(PermissionDenied, match="依法治办管理员"):
        services.user_create(
            acting_user=people.city_lead,
            username="new_lead",
            display_name="新管理员",
            password=NEW_PASSWORD,
            region=tree.xc,
            roles=["lead_admin"],
        )
    with pytest.raises(PermissionDenied, match="依法治办管理员"):
        services.user_update(
            acting_user=people.szq_lead,
            user=people.szq_reviewer,
            roles=["reviewer", "lead_admin"],
        )
    assert not User.objects.filter(username="new_lead").exists()
    assert people.szq_reviewer.role_codes() == ["reviewer"]


def test_the_user_form_offers_a_lead_office_only_the_roles_below_its_own(people, login):
    offered = dict(
        login(people.city_lead).get("/accounts/users/new/").context["form"].fields["roles"].choices
    )
    assert "admin" not in offered
    assert "lead_admin" not in offered
    assert {"liaison", "reviewer", "expert", "leader", "inspector"} <= set(offered)


# -- what stays possible -----------------------------------------------------------------------


def test_a_lead_office_still_manages_the_accounts_below_its_rank(people, province_lead, login):
    target = people.city_inspector
    response = login(province_lead).post(
        f"/accounts/users/{target.pk}/reset-password/", {"password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)


def test_the_system_administrator_manages_lead_offices_and_other_administrators(people, tree):
    other_admin = make_user("admin2", "admin", region=tree.province)
    for target in (people.city_lead, other_admin):
        services.user_reset_password(acting_user=people.admin, user=target, password=NEW_PASSWORD)
        target.refresh_from_db()
        assert target.check_password(NEW_PASSWORD)
    services.user_update(acting_user=people.admin, user=people.city_lead, roles=["lead_admin"])


# -- the list ----------------------------------------------------------------------------------


def test_the_user_list_offers_no_edit_link_for_accounts_one_may_not_manage(people, login):
    response = login(people.city_lead).get(LIST_URL)
    html = response.text

    for peer in (people.city_lead, people.szq_lead, people.xc_lead):
        assert f'href="/accounts/users/{peer.pk}/"' not in html
        assert peer.username in html
    for below in (people.szq_liaison, people.city_inspector, people.szq_reviewer):
        assert f'href="/accounts/users/{below.pk}/"' in html
