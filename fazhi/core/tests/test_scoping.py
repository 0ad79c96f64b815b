"""The one scoping mechanism: a unit never sees another unit's rows, a county never sees
another county's, and guessing ids in URLs gets a 404, not the row."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from fazhi.accounts.models import User
from fazhi.core.scoping import can_write_at, get_editable_or_404, get_visible_or_404
from fazhi.frameworks.models import Framework
from fazhi.orgs.models import Region, Unit


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_a_liaison_sees_only_their_own_unit(people, tree):
    assert names(Unit.objects.visible_to(people.szq_liaison)) == {"市中区司法局"}


def test_a_county_lead_office_sees_its_county_and_towns_but_not_the_neighbouring_county(people):
    visible = names(Unit.objects.visible_to(people.szq_lead))
    assert visible == {"市中区司法局", "市中区市场监督管理局", "中心街街道办事处"}
    assert "薛城区司法局" not in visible


def test_a_city_lead_office_sees_every_county_below_it(people):
    assert names(Unit.objects.visible_to(people.city_lead)) == {
        "市中区司法局",
        "市中区市场监督管理局",
        "中心街街道办事处",
        "薛城区司法局",
    }


def test_an_account_without_roles_sees_nothing(people):
    assert not Unit.objects.visible_to(people.nobody).exists()
    assert not User.objects.visible_to(people.nobody).exists()


def test_ancestor_regions_are_visible_for_breadcrumbs_but_not_sibling_counties(people):
    regions = names(Region.objects.visible_to(people.szq_lead))
    assert {"山东省", "枣庄市", "市中区", "中心街街道"} <= regions
    assert "薛城区" not in regions


def test_a_national_framework_is_readable_by_everyone_and_writable_only_by_the_administrator(
    people, tree
):
    national = Framework.objects.create(name="全国", edition="1")
    assert Framework.objects.visible_to(people.xc_liaison).filter(pk=national.pk).exists()
    assert not Framework.objects.editable_by(people.szq_lead).filter(pk=national.pk).exists()
    assert Framework.objects.editable_by(people.admin).filter(pk=national.pk).exists()


def test_a_county_framework_is_invisible_to_the_neighbouring_county(people, tree):
    own = Framework.objects.create(name="市中区细则", edition="1", owner_region=tree.szq)
    assert Framework.objects.visible_to(people.szq_liaison).filter(pk=own.pk).exists()
    assert Framework.objects.visible_to(people.city_lead).filter(pk=own.pk).exists()
    assert not Framework.objects.visible_to(people.xc_lead).filter(pk=own.pk).exists()
    assert not Framework.objects.visible_to(people.xc_liaison).filter(pk=own.pk).exists()


def test_a_provincial_framework_is_readable_below_but_not_editable_by_a_county(people, tree):
    provincial = Framework.objects.create(
        name="山东省指标", edition="1", owner_region=tree.province
    )
    assert Framework.objects.visible_to(people.szq_lead).filter(pk=provincial.pk).exists()
    with pytest.raises(PermissionDenied):
        get_editable_or_404(Framework, people.szq_lead, pk=provincial.pk)


def test_loading_another_countys_row_by_id_is_a_404(people, tree):
    with pytest.raises(Http404):
        get_visible_or_404(Unit, people.szq_lead, pk=tree.units.xc_sfj.pk)
    assert get_visible_or_404(Unit, people.xc_lead, pk=tree.units.xc_sfj.pk) == tree.units.xc_sfj


def test_a_leader_may_look_but_not_change(people, tree):
    assert Unit.objects.visible_to(people.szq_leader).filter(pk=tree.units.szq_scjg.pk).exists()
    with pytest.raises(PermissionDenied):
        get_editable_or_404(Unit, people.szq_leader, pk=tree.units.szq_scjg.pk)


def test_creating_a_row_is_allowed_only_inside_the_users_subtree(people, tree):
    assert can_write_at(people.szq_lead, Unit, region=tree.town)
    assert not can_write_at(people.szq_lead, Unit, region=tree.xc)
    assert not can_write_at(people.szq_lead, Unit, region=tree.city)
    assert not can_write_at(people.szq_liaison, Unit, region=tree.szq)
    assert can_write_at(people.admin, Unit, region=tree.xc)


@pytest.mark.parametrize("url_name", ["orgs:unit_edit", "accounts:user_edit"])
def test_guessing_another_countys_ids_in_urls_gets_404(people, tree, login, url_name):
    from django.urls import reverse

    target = tree.units.xc_sfj.pk if url_name == "orgs:unit_edit" else people.xc_liaison.pk
    response = login(people.szq_lead).get(reverse(url_name, args=[target]))
    assert response.status_code == 404


def test_a_liaison_cannot_open_the_unit_or_user_pages_at_all(people, login):
    client = login(people.szq_liaison)
    assert client.get("/orgs/units/").status_code == 403
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/accounts/audit/").status_code == 403
