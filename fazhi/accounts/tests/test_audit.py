"""The audit log: what changed, who did it, who may read it, and that nobody can rewrite it."""

import io
from datetime import timedelta
from unittest import mock

import openpyxl
import pytest
from django.utils import timezone

from fazhi.accounts import services
from fazhi.accounts.audit import audit_record
from fazhi.accounts.models import AuditEntry, User


@pytest.fixture
def created(people, tree):
    return services.user_create(
        acting_user=people.szq_lead,
        username="wang",
        display_name="王五",
        password="Initial@2026pw",
        unit=tree.units.szq_scjg,
        roles=["liaison"],
        phone="0632-1234567",
    )


def last_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


# -- what is written ---------------------------------------------------------------------------


def test_creating_a_user_records_who_did_it_and_the_new_account(people, tree, created):
    entry = last_entry("user.create")
    assert entry.actor == people.szq_lead
    assert entry.actor_name == "szq_lead（szq_lead）"  # display name (username)
    assert entry.region == tree.szq
    assert entry.target_type == "accounts.user"
    assert entry.target_id == str(created.pk)
    assert entry.before is None
    assert entry.after == {
        "username": "wang",
        "display_name": "王五",
        "phone": "0632-1234567",
        "email": "",
        "region_id": tree.szq.pk,
        "unit_id": tree.units.szq_scjg.pk,
        "is_active": True,
        "roles": ["liaison"],
    }


def test_updating_a_user_records_only_the_fields_that_changed(people, tree, created):
    services.user_update(
        acting_user=people.szq_lead,
        user=created,
        roles=["liaison", "reviewer"],
        display_name="王五（已调岗）",
        phone="0632-1234567",
        unit=tree.units.szq_scjg,
    )
    entry = last_entry("user.update")
    assert entry.before == {"display_name": "王五", "roles": ["liaison"]}
    assert entry.after == {"display_name": "王五（已调岗）", "roles": ["liaison", "reviewer"]}


def test_editing_a_user_on_the_page_records_only_the_fields_that_changed(
    people, tree, created, login
):
    response = login(people.szq_lead).post(
        f"/accounts/users/{created.pk}/",
        {
            "username": "wang",
            "display_name": "王五",
            "region": tree.szq.pk,
            "unit": tree.units.szq_scjg.pk,
            "roles": ["liaison"],
            "email": "",
            "phone": "0632-7654321",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    entry = last_entry("user.update")
    assert entry.before == {"phone": "0632-1234567"}
    assert entry.after == {"phone": "0632-7654321"}


# -- append-only -------------------------------------------------------------------------------


def test_an_existing_audit_row_cannot_be_saved_again(created):
    entry = last_entry("user.create")
    entry.summary = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    assert last_entry("user.create").summary == ""


def test_an_audit_row_cannot_be_deleted(created):
    entry = last_entry("user.create")
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_log_refuses_bulk_updates_and_deletes(created):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(action="user.create").update(summary="篡改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(summary="篡改")
    assert AuditEntry.objects.filter(action="user.create").count() == 1


# -- the audit page ----------------------------------------------------------------------------


def test_the_audit_page_lists_entries(people, created, login):
    response = login(people.szq_lead).get("/accounts/audit/")
    assert response.status_code == 200
    assert "新建用户" in response.text
    assert "王五" in response.text


def test_the_audit_page_filters_by_action(people, created, client):
    client.post("/accounts/login/", {"username": "szq_lead", "password": "Wrong@2026pass"})
    client.force_login(people.szq_lead)

    page = client.get("/accounts/audit/", {"action": "login"}).context["page"]

    assert {e.action for e in page} == {"login.failed"}


def test_the_audit_page_filters_by_keyword_in_actor_target_or_summary(people, tree, login):
    audit_record(acting_user=people.szq_lead, action="demo.one", summary="整改通知书")
    audit_record(acting_user=people.szq_lead, action="demo.two", summary="年度报告")
    client = login(people.szq_lead)

    page = client.get("/accounts/audit/", {"query": "整改"}).context["page"]

    assert [e.action for e in page] == ["demo.one"]


def test_the_audit_page_filters_by_date(people, tree, login):
    ten_days_ago = timezone.now() - timedelta(days=10)
    with mock.patch("django.utils.timezone.now", return_value=ten_days_ago):
        audit_record(acting_user=people.szq_lead, action="demo.old")
    audit_record(acting_user=people.szq_lead, action="demo.new")
    client = login(people.szq_lead)
    today = timezone.localdate()
    old_day = timezone.localtime(ten_days_ago).date()

    def actions(**filters):
        page = client.get("/accounts/audit/", {"action": "demo", **filters}).context["page"]
        return [e.action for e in page]

    assert actions(date_from=today.isoformat()) == ["demo.new"]
    assert actions(date_to=(today - timedelta(days=1)).isoformat()) == ["demo.old"]
    assert actions(date_from=old_day.isoformat(), date_to=old_day.isoformat()) == ["demo.old"]
    assert actions() == ["demo.new", "demo.old"]


def test_a_malformed_date_filter_is_ignored_rather_than_an_error(people, created, login):
    response = login(people.szq_lead).get("/accounts/audit/", {"date_from": "2026-13-45"})
    assert response.status_code == 200
    assert len(response.context["page"]) == AuditEntry.objects.visible_to(people.szq_lead).count()


# -- who reads what ----------------------------------------------------------------------------


def test_a_county_lead_sees_its_own_countys_audit_rows_but_not_the_neighbours(
    people, tree, created, login
):
    services.user_create(
        acting_user=people.xc_lead,
        username="xc_new",
        display_name="薛城新人",
        password="Initial@2026pw",
        unit=tree.units.xc_sfj,
        roles=["liaison"],
    )
    audit_record(acting_user=people.xc_lead, action="demo.xc", summary="薛城区的操作")

    page = login(people.szq_lead).get("/accounts/audit/").context["page"]

    actors = {e.actor_id for e in page}
    assert people.szq_lead.pk in actors
    assert people.xc_lead.pk not in actors
    assert "xc_new" not in {e.target_repr for e in page}


def test_the_city_lead_sees_both_counties_audit_rows(people, tree, created, login):
    audit_record(acting_user=people.xc_lead, action="demo.xc")
    page = login(people.city_lead).get("/accounts/audit/").context["page"]
    actors = {e.actor_id for e in page}
    assert {people.szq_lead.pk, people.xc_lead.pk} <= actors


def test_the_action_filter_offers_only_actions_the_reader_may_see(people, tree, login):
    audit_record(acting_user=people.xc_lead, action="demo.only_in_xc")
    response = login(people.szq_lead).get("/accounts/audit/")
    assert "demo.only_in_xc" not in response.context["actions"]


@pytest.mark.parametrize("path", ["/accounts/audit/", "/accounts/audit/export/"])
def test_a_liaison_may_not_open_the_audit_log(people, login, path):
    assert login(people.szq_liaison).get(path).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(db, client):
    response = client.get("/accounts/audit/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# -- the Excel export --------------------------------------------------------------------------


def read_export(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


def test_the_export_is_an_excel_file_with_one_row_per_visible_entry(people, created, login):
    rows = read_export(login(people.szq_lead).get("/accounts/audit/export/"))
    assert rows[0] == ("时间", "操作人", "操作", "对象", "说明", "修改内容", "IP 地址")
    assert len(rows) - 1 == AuditEntry.objects.visible_to(people.szq_lead).count()
    create_row = next(r for r in rows if r[2] == "新建用户")
    assert create_row[1] == "szq_lead（szq_lead）"
    assert create_row[3] == "王五"
    assert "姓名：王五" in create_row[5].splitlines()


def test_the_export_uses_the_same_filters_as_the_page(people, created, login):
    client = login(people.szq_lead)
    rows = read_export(client.get("/accounts/audit/export/", {"action": "user.create"}))
    assert [r[2] for r in rows[1:]] == ["新建用户"]


def test_the_export_names_the_file_in_chinese_for_every_browser(people, login):
    response = login(people.szq_lead).get("/accounts/audit/export/")
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert "%E5%AE%A1%E8%AE%A1" in response["Content-Disposition"]  # 审计


def test_a_value_that_excel_would_run_as_a_formula_is_exported_as_plain_text(people, tree, login):
    services.user_create(
        acting_user=people.szq_lead,
        username="formula",
        display_name='=HYPERLINK("http://evil.example","点我")',
        password="Initial@2026pw",
        unit=tree.units.szq_scjg,
        roles=["liaison"],
    )
    audit_record(acting_user=people.szq_lead, action="demo.formula", summary="+1+2")

    rows = read_export(login(people.szq_lead).get("/accounts/audit/export/"))

    create_row = next(r for r in rows if r[2] == "新建用户")
    assert create_row[3] == """'=HYPERLINK("http://evil.example","点我")"""
    formula_row = next(r for r in rows if r[2] == "demo.formula")
    assert formula_row[4] == "'+1+2"


def test_the_export_of_a_county_lead_leaves_out_the_neighbouring_countys_rows(
    people, created, login
):
    audit_record(acting_user=people.xc_lead, action="demo.xc", summary="薛城区的操作")
    rows = read_export(login(people.szq_lead).get("/accounts/audit/export/"))
    assert "demo.xc" not in {r[2] for r in rows}
    assert not any(r[1].startswith("xc_lead") for r in rows[1:])


# -- query counts ------------------------------------------------------------------------------


# Baselines with a little headroom: 11 queries for the page, 8 for the export today.
PAGE_QUERY_BUDGET = 12
EXPORT_QUERY_BUDGET = 10


def make_entries(actor, count: int) -> None:
    for index in range(count):
        audit_record(acting_user=actor, action="demo.bulk", target=actor, summary=f"第 {index} 条")


def test_the_audit_page_runs_the_same_number_of_queries_for_5_or_40_entries(
    people, login, django_assert_max_num_queries
):
    client = login(people.szq_lead)
    make_entries(people.szq_lead, 5)
    client.get("/accounts/audit/")  # warm caches (content types, session)
    with django_assert_max_num_queries(PAGE_QUERY_BUDGET) as few:
        client.get("/accounts/audit/")

    make_entries(people.szq_lead, 35)
    with django_assert_max_num_queries(PAGE_QUERY_BUDGET) as many:
        response = client.get("/accounts/audit/")

    assert len(response.context["page"]) == 40
    assert len(many) == len(few)


def test_the_audit_export_runs_the_same_number_of_queries_for_5_or_40_entries(
    people, login, django_assert_max_num_queries
):
    client = login(people.szq_lead)
    make_entries(people.szq_lead, 5)
    client.get("/accounts/audit/export/")
    with django_assert_max_num_queries(EXPORT_QUERY_BUDGET) as few:
        client.get("/accounts/audit/export/")

    make_entries(people.szq_lead, 35)
    with django_assert_max_num_queries(EXPORT_QUERY_BUDGET) as many:
        rows = read_export(client.get("/accounts/audit/export/"))

    assert len(rows) == 41
    assert len(many) == len(few)


def test_deleting_an_account_keeps_its_audit_rows_with_the_name_of_who_acted(people, created):
    entry_pk = last_entry("user.create").pk
    User.objects.filter(pk=created.pk).delete()
    entry = AuditEntry.objects.get(pk=entry_pk)
    assert entry.target_repr == "王五"
