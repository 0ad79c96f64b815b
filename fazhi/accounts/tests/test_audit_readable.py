"""The audit log reads as Chinese: every action has a name, and a change reads as
"字段：旧值 → 新值" with the fields' names, choice labels, dates and the names of related rows,
on the page and in the Excel export."""

import ast
import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from fazhi.accounts import services
from fazhi.accounts.audit import audit_record, audit_update, snapshot
from fazhi.accounts.audit_display import ACTION_LABELS
from fazhi.campaigns.services import campaign_update
from fazhi.reviews.models import Side

SOURCE = Path(__file__).resolve().parents[2]
AUDIT_CALLS = {"audit_record", "audit_update"}
# Actions built at run time, spelled out: f"assessment.{side}" takes every scoring side.
DYNAMIC_ACTIONS = {"f'assessment.{side}'": [f"assessment.{side}" for side in Side.values]}


def written_actions() -> dict[str, list[str]]:
    """Every action an `audit_record`/`audit_update` call in the code base writes, with where."""
    found: dict[str, list[str]] = {}
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "audit.py":
            continue  # audit.py is the writer, passing on its callers' actions
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _name(node.func) not in AUDIT_CALLS:
                continue
            for keyword in node.keywords:
                if keyword.arg != "action":
                    continue
                where = f"{path.relative_to(SOURCE)}:{node.lineno}"
                if isinstance(keyword.value, ast.Constant):
                    codes = [keyword.value.value]
                else:
                    codes = DYNAMIC_ACTIONS.get(ast.unparse(keyword.value), [])
                    assert codes, f"{where}: action {ast.unparse(keyword.value)} is not spelled out"
                for code in codes:
                    found.setdefault(code, []).append(where)
    return found


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def test_every_action_the_code_base_writes_has_a_chinese_name():
    actions = written_actions()
    assert len(actions) > 40  # the scan finds the services' calls
    missing = {code: where for code, where in actions.items() if code not in ACTION_LABELS}
    assert not missing, f"audit actions without a name in ACTION_LABELS: {missing}"


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


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


def edit_on_the_page(client, user, tree, **changes):
    fields = {
        "username": user.username,
        "display_name": user.display_name,
        "region": tree.szq.pk,
        "unit": user.unit_id,
        "roles": user.role_codes(),
        "email": "",
        "phone": user.phone,
        "is_active": "on",
        **changes,
    }
    assert client.post(f"/accounts/users/{user.pk}/", fields).status_code == 302


def test_the_audit_page_shows_action_names_and_field_old_new(people, tree, created, login):
    client = login(people.szq_lead)
    edit_on_the_page(client, created, tree, phone="0632-7654321")

    text = visible_text(client.get("/accounts/audit/").text)

    assert "新建用户" in text and "修改用户" in text
    assert "user.update" not in text.replace('title="user.update"', "")
    assert "电话：0632-1234567 → 0632-7654321" in text
    assert "{'phone'" not in text and '"phone"' not in text


def test_related_rows_and_choices_read_as_their_names(people, tree, created, login):
    client = login(people.szq_lead)
    edit_on_the_page(
        client, created, tree, unit=tree.units.szq_sfj.pk, roles=["liaison", "reviewer"]
    )

    text = visible_text(client.get("/accounts/audit/").text)

    assert f"所属单位：{tree.units.szq_scjg} → {tree.units.szq_sfj}" in text
    assert "角色：联络员 → 联络员、审核员" in text
    # A new account lists what it was created with, by name.
    assert "用户名：wang" in text and f"所属区划：{tree.szq}" in text


def test_dates_and_choices_of_a_campaign_change_read_as_a_person_writes_them(
    people, campaign, login
):
    campaign_update(
        acting_user=people.szq_lead,
        campaign=campaign,
        name=campaign.name,
        level=campaign.level,
        description=campaign.description,
        period_start=date(2024, 1, 1),
        period_end=campaign.period_end,
    )

    text = visible_text(login(people.szq_lead).get("/accounts/audit/").text)

    assert "修改创建活动" in text
    assert "2023-01-01 → 2024-01-01" in text


def test_an_action_the_log_does_not_know_shows_its_code(people, tree, login):
    audit_record(acting_user=people.szq_lead, action="legacy.thing", after={"note": "旧数据"})
    text = visible_text(login(people.szq_lead).get("/accounts/audit/").text)
    assert "legacy.thing" in text and "note：旧数据" in text


def test_a_related_row_the_reader_may_not_see_shows_as_its_number(people, tree, login):
    user = people.szq_lead
    before = snapshot(user, ["unit_id"])
    user.unit = tree.units.xc_sfj  # 薛城区: outside 市中区's lead office's reach
    audit_update(acting_user=people.city_lead, action="user.update", target=user, before=before)
    user.refresh_from_db()

    text = visible_text(login(people.szq_lead).get("/accounts/audit/").text)

    assert f"编号 {tree.units.xc_sfj.pk}" in text
    assert str(tree.units.xc_sfj) not in text


def test_the_action_filter_and_the_keyword_search_use_the_chinese_names(people, created, login):
    client = login(people.szq_lead)
    response = client.get("/accounts/audit/")
    assert ("user.create", "新建用户") in response.context["actions"]
    assert ">新建用户</option>" in response.text

    page = client.get("/accounts/audit/", {"query": "新建用户"}).context["page"]
    assert [e.action for e in page] == ["user.create"]


def test_the_export_names_actions_and_changes_as_the_page_does(people, tree, created, login):
    client = login(people.szq_lead)
    edit_on_the_page(client, created, tree, phone="0632-7654321")

    response = client.get("/accounts/audit/export/")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)

    assert rows[0] == ("时间", "操作人", "操作", "对象", "说明", "修改内容", "IP 地址")
    update = next(r for r in rows if r[2] == "修改用户")
    assert update[5] == "电话：0632-1234567 → 0632-7654321"
    assert update[6] == "127.0.0.1"
    create = next(r for r in rows if r[2] == "新建用户")
    assert "姓名：王五" in create[5].splitlines()
    assert "角色：联络员" in create[5].splitlines()


def test_naming_related_rows_costs_the_same_queries_for_5_or_40_entries(
    people, tree, login, django_assert_max_num_queries
):
    user = people.szq_liaison
    units = [tree.units.szq_sfj, tree.units.szq_scjg]

    def move(count):
        for index in range(count):
            before = snapshot(user, ["unit_id", "region_id"])
            user.unit = units[index % 2]
            audit_update(
                acting_user=people.szq_lead, action="user.update", target=user, before=before
            )

    client = login(people.szq_lead)
    move(5)
    client.get("/accounts/audit/")  # warm caches (content types, session)
    with django_assert_max_num_queries(14) as few:
        client.get("/accounts/audit/")
    move(35)
    with django_assert_max_num_queries(14) as many:
        response = client.get("/accounts/audit/")

    assert len(many) == len(few)
    assert f"所属单位：{units[0]} → {units[1]}" in visible_text(response.text)


def test_a_count_reads_as_a_count_and_a_list_as_its_names(people, tree, login):
    audit_record(acting_user=people.szq_lead, action="round.open", after={"items": 111})
    audit_record(
        acting_user=people.szq_lead, action="items.assign", after={"items": ["1.1.1", "1.1.2"]}
    )
    text = visible_text(login(people.szq_lead).get("/accounts/audit/").text)
    assert "任务项数：111" in text
    assert "任务项：1.1.1、1.1.2" in text
