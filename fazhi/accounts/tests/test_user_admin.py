"""User administration by a lead office: within its own county, never beyond it, never handing
out the system administrator role."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fazhi.accounts import services
from fazhi.accounts.models import AuditEntry, User
from fazhi.conftest import PASSWORD, make_user

NEW_URL = "/accounts/users/new/"
LIST_URL = "/accounts/users/"
INITIAL = "Initial@2026pw"


def new_user_form(**overrides) -> dict:
    return {
        "username": "li_si",
        "display_name": "李四",
        "roles": ["liaison"],
        "password": INITIAL,
        "email": "",
        "phone": "",
        **overrides,
    }


def edit_form(user, **overrides) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "region": user.region_id or "",
        "unit": user.unit_id or "",
        "roles": user.role_codes(),
        "email": user.email,
        "phone": user.phone,
        **overrides,
    }


# -- creating ----------------------------------------------------------------------------------


def test_a_county_lead_creates_a_liaison_in_a_unit_of_its_county(people, tree, login):
    response = login(people.szq_lead).post(NEW_URL, new_user_form(unit=tree.units.szq_scjg.pk))

    assert response.status_code == 302
    assert response.url == LIST_URL
    created = User.objects.get(username="li_si")
    assert created.unit == tree.units.szq_scjg
    assert created.region == tree.szq
    assert created.role_codes() == ["liaison"]
    assert created.check_password(INITIAL)
    assert AuditEntry.objects.filter(action="user.create", target_id=str(created.pk)).exists()


def test_a_county_lead_may_place_an_account_in_a_town_below_its_county(people, tree, login):
    login(people.szq_lead).post(NEW_URL, new_user_form(unit=tree.units.szq_town.pk))
    assert User.objects.get(username="li_si").region == tree.town


def test_the_new_user_form_offers_only_units_and_regions_of_the_leads_county(people, login):
    form = login(people.szq_lead).get(NEW_URL).context["form"]
    units = {u.name for u in form.fields["unit"].queryset}
    regions = {r.name for r in form.fields["region"].queryset}
    assert units == {"市中区司法局", "市中区市场监督管理局", "中心街街道办事处"}
    assert regions == {"市中区", "中心街街道"}


def test_a_county_lead_cannot_create_a_user_in_the_neighbouring_county(people, tree, login):
    client = login(people.szq_lead)

    by_unit = client.post(NEW_URL, new_user_form(unit=tree.units.xc_sfj.pk))
    by_region = client.post(NEW_URL, new_user_form(region=tree.xc.pk, roles=["reviewer"]))

    assert by_unit.status_code == 200
    assert by_unit.context["form"].errors["unit"]
    assert by_region.status_code == 200
    assert by_region.context["form"].errors["region"]
    assert not User.objects.filter(username="li_si").exists()


def test_the_service_refuses_a_county_lead_creating_a_user_in_the_neighbouring_county(people, tree):
    with pytest.raises(PermissionDenied):
        services.user_create(
            acting_user=people.szq_lead,
            username="li_si",
            display_name="李四",
            password=INITIAL,
            unit=tree.units.xc_sfj,
            roles=["liaison"],
        )
    assert not User.objects.filter(username="li_si").exists()


def test_a_county_lead_cannot_create_a_user_at_the_city_above_it(people, tree):
    with pytest.raises(PermissionDenied):
        services.user_create(
            acting_user=people.szq_lead,
            username="li_si",
            display_name="李四",
            password=INITIAL,
            region=tree.city,
            roles=["reviewer"],
        )


def test_a_county_lead_is_not_offered_and_cannot_grant_the_administrator_role(people, tree, login):
    client = login(people.szq_lead)
    offered = dict(client.get(NEW_URL).context["form"].fields["roles"].choices)
    assert "admin" not in offered

    response = client.post(NEW_URL, new_user_form(unit=tree.units.szq_sfj.pk, roles=["admin"]))

    assert response.context["form"].errors["roles"]
    assert not User.objects.filter(username="li_si").exists()


def test_the_service_refuses_the_administrator_role_from_a_county_lead(people, tree):
    with pytest.raises(PermissionDenied):
        services.user_create(
            acting_user=people.szq_lead,
            username="li_si",
            display_name="李四",
            password=INITIAL,
            unit=tree.units.szq_sfj,
            roles=["admin"],
        )
    with pytest.raises(PermissionDenied):
        services.user_update(
            acting_user=people.szq_lead, user=people.szq_liaison, roles=["liaison", "admin"]
        )
    assert people.szq_liaison.role_codes() == ["liaison"]


def test_the_system_administrator_may_grant_the_administrator_role(people, tree):
    created = services.user_create(
        acting_user=people.admin,
        username="second_admin",
        display_name="第二管理员",
        password=INITIAL,
        region=tree.province,
        roles=["admin"],
    )
    assert created.role_codes() == ["admin"]


def test_a_liaison_must_belong_to_a_unit(people, tree, login):
    response = login(people.szq_lead).post(NEW_URL, new_user_form(region=tree.szq.pk))
    assert "联络员必须属于一个单位" in response.text
    assert not User.objects.filter(username="li_si").exists()


def test_a_unit_outside_the_chosen_region_is_refused(people, tree, login):
    response = login(people.szq_lead).post(
        NEW_URL, new_user_form(region=tree.town.pk, unit=tree.units.szq_sfj.pk)
    )
    assert "所选单位不属于所选区划" in response.text
    assert not User.objects.filter(username="li_si").exists()


def test_a_taken_username_is_refused_on_the_form(people, tree, login):
    response = login(people.szq_lead).post(
        NEW_URL, new_user_form(username="szq_liaison", unit=tree.units.szq_sfj.pk)
    )
    assert "已被使用" in response.text
    assert User.objects.filter(username="szq_liaison").count() == 1


def test_a_too_simple_initial_password_is_refused(people, tree, login):
    response = login(people.szq_lead).post(
        NEW_URL, new_user_form(unit=tree.units.szq_sfj.pk, password="simplepassword")
    )
    assert "密码须至少包含" in response.text
    assert not User.objects.filter(username="li_si").exists()


# -- editing -----------------------------------------------------------------------------------


def test_a_county_lead_edits_a_user_of_its_county(people, tree, login):
    target = people.szq_liaison
    response = login(people.szq_lead).post(
        f"/accounts/users/{target.pk}/", edit_form(target, display_name="张三（改）")
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.display_name == "张三（改）"


def test_choosing_only_a_unit_when_editing_places_the_user_in_that_units_region(
    people, tree, login
):
    """The same rule as when creating: the unit's region is implied."""
    target = people.szq_liaison
    response = login(people.szq_lead).post(
        f"/accounts/users/{target.pk}/",
        edit_form(target, region="", unit=tree.units.szq_town.pk),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.unit == tree.units.szq_town
    assert target.region == tree.town


@pytest.mark.parametrize("suffix", ["", "reset-password/"])
def test_a_user_of_the_neighbouring_county_is_a_404_by_url(people, login, suffix):
    client = login(people.szq_lead)
    url = f"/accounts/users/{people.xc_liaison.pk}/{suffix}"
    if not suffix:
        assert client.get(url).status_code == 404
    response = client.post(url, {"password": "Reset@2026pw", **edit_form(people.xc_liaison)})
    assert response.status_code == 404
    people.xc_liaison.refresh_from_db()
    assert people.xc_liaison.check_password(PASSWORD)


def test_the_service_refuses_moving_a_user_of_the_neighbouring_county_into_ones_own(people, tree):
    with pytest.raises(PermissionDenied):
        services.user_update(
            acting_user=people.szq_lead,
            user=people.xc_liaison,
            roles=["liaison"],
            unit=tree.units.szq_sfj,
            region=tree.szq,
        )
    people.xc_liaison.refresh_from_db()
    assert people.xc_liaison.unit == tree.units.xc_sfj


def test_a_county_lead_cannot_move_one_of_its_users_to_the_neighbouring_county(people, tree, login):
    target = people.szq_liaison
    response = login(people.szq_lead).post(
        f"/accounts/users/{target.pk}/",
        edit_form(target, region=tree.xc.pk, unit=tree.units.xc_sfj.pk),
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.unit == tree.units.szq_sfj


# -- the list ----------------------------------------------------------------------------------


def listed(client, **params) -> set[str]:
    return {u.username for u in client.get(LIST_URL, params).context["page"]}


def test_the_user_list_of_a_county_lead_shows_only_its_county(people, login):
    assert listed(login(people.szq_lead)) == {
        "szq_lead",
        "szq_liaison",
        "scjg_liaison",
        "szq_reviewer",
        "szq_leader",
        "nobody",
    }


def test_the_user_list_of_the_city_lead_shows_both_counties(people, login):
    usernames = listed(login(people.city_lead))
    assert {"szq_liaison", "xc_liaison", "xc_lead", "city_inspector"} <= usernames
    assert "admin" not in usernames  # the province sits above the city


def test_the_user_list_filters_by_name_and_role(people, login):
    client = login(people.szq_lead)
    assert listed(client, query="liaison") == {"szq_liaison", "scjg_liaison"}
    assert listed(client, role="reviewer") == {"szq_reviewer"}


@pytest.mark.parametrize("persona", ["szq_liaison", "szq_reviewer", "szq_leader", "nobody"])
def test_only_administrators_and_lead_offices_open_user_administration(people, login, persona):
    client = login(getattr(people, persona))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(NEW_URL).status_code == 403


def test_the_user_list_marks_a_locked_account(people, login):
    User.objects.filter(pk=people.szq_liaison.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10)
    )
    response = login(people.szq_lead).get(LIST_URL, {"query": "szq_liaison"})
    assert "锁定" in response.text


QUERY_BUDGET = 12  # 11 today, with a little headroom


def test_the_user_list_runs_the_same_number_of_queries_for_5_or_40_users(
    people, tree, login, django_assert_max_num_queries
):
    client = login(people.szq_lead)
    units = [tree.units.szq_sfj, tree.units.szq_scjg, tree.units.szq_town]

    def add_users(start, stop):
        for index in range(start, stop):
            make_user(f"bulk{index:02d}", "liaison", "reviewer", unit=units[index % 3])

    add_users(0, 5)
    client.get(LIST_URL)  # warm caches (content types, session)
    with django_assert_max_num_queries(QUERY_BUDGET) as few:
        client.get(LIST_URL)

    add_users(5, 40)
    with django_assert_max_num_queries(QUERY_BUDGET) as many:
        response = client.get(LIST_URL)

    assert len(response.context["page"]) == 25  # a full page
    assert len(many) == len(few)


# -- password reset ----------------------------------------------------------------------------


def test_a_password_reset_by_the_lead_unlocks_the_account_and_forces_a_change(
    people, login, client
):
    target = people.szq_liaison
    for _ in range(5):
        client.post("/accounts/login/", {"username": target.username, "password": "Wrong@2026x"})
    target.refresh_from_db()
    assert target.locked_until is not None

    response = login(people.szq_lead).post(
        f"/accounts/users/{target.pk}/reset-password/", {"password": "Reset@2026pw"}
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.locked_until is None
    assert target.failed_login_count == 0
    assert target.must_change_password
    assert AuditEntry.objects.filter(action="user.reset_password", target_id=str(target.pk))

    client.logout()
    response = client.post(
        "/accounts/login/", {"username": target.username, "password": "Reset@2026pw"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/password/"


def test_a_too_simple_reset_password_is_refused_and_nothing_changes(people, login):
    target = people.szq_liaison
    response = login(people.szq_lead).post(
        f"/accounts/users/{target.pk}/reset-password/", {"password": "simple"}, follow=True
    )
    assert "密码须至少包含" in response.text
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    assert not target.must_change_password


def test_a_lead_office_can_deactivate_an_account_which_then_cannot_log_in(people, login):
    from django.test import Client
    from django.urls import reverse

    target = people.scjg_liaison
    data = {
        "display_name": target.display_name,
        "unit": target.unit.pk,
        "region": target.region.pk,
        "roles": ["liaison"],
        "email": "",
        "phone": "",
    }
    login(people.szq_lead).post(reverse("accounts:user_edit", args=[target.pk]), data)
    target.refresh_from_db()
    assert not target.is_active
    response = Client().post(
        reverse("accounts:login"), {"username": target.username, "password": PASSWORD}
    )
    assert response.status_code == 200
