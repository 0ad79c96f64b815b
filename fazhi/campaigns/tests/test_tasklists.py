"""The two lists (两张清单): exporting the task list and the responsibility list within the
user's scope, and importing an edited task list through preview and confirmation."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fazhi.accounts.models import AuditEntry
from fazhi.accounts.system import SYSTEM
from fazhi.campaigns import services
from fazhi.campaigns.models import Assignment, Item, TaskListImport
from fazhi.campaigns.tasklists_import import tasklist_import_commit, tasklist_import_preview
from fazhi.campaigns.tests.tasklist_builders import (
    HEADER,
    extra_units,
    make_campaign,
    open_sheet,
    save_rows,
    sheet_values,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def units(tree):
    return extra_units(tree)


@pytest.fixture
def campaign(tree, units):
    return make_campaign(tree)


def item(campaign, code) -> Item:
    return campaign.items.get(code=code)


def units_of(campaign, code) -> dict[str, str]:
    return {
        a.unit.name: a.role
        for a in Assignment.objects.filter(item__campaign=campaign, item__code=code)
    }


def state(campaign) -> list[tuple]:
    """Everything an import may change, to compare before and after."""
    items = campaign.items.order_by("sort_key")
    return [
        (i.code, i.title, i.points, i.deadline, sorted(units_of(campaign, i.code).items()))
        for i in items
    ]


def preview(campaign, user, path) -> TaskListImport:
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return tasklist_import_preview(acting_user=user, campaign=campaign, uploaded_file=upload)


def export(client, name, campaign) -> bytes:
    response = client.get(reverse(f"campaigns:{name}", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    return response.content


# -- exports ---------------------------------------------------------------------------------


def test_the_task_list_has_a_title_row_a_frozen_header_and_one_row_per_item(
    campaign, people, login
):
    content = export(login(people.szq_lead), "export_tasks", campaign)
    sheet = open_sheet(content)
    rows = sheet_values(content)
    assert campaign.name in rows[0][0]
    assert sheet.freeze_panes == "A3"
    assert rows[1] == [
        "编码",
        "一级指标",
        "二级指标",
        "指标/细化指标内容",
        "分值",
        "牵头单位",
        "责任单位",
        "完成时限",
        "状态",
        "材料数",
    ]
    assert rows[2] == [
        "1.1.1",
        "依法全面履行政府职能",
        "推进政府机构职能优化",
        "权责清单动态调整",
        10,
        "市中区司法局",
        "市中区市场监督管理局",
        "2025-06-30",
        "未开始",
        0,
    ]
    assert [row[0] for row in rows[2:]] == ["1.1.1", "1.1.2", "2.1.3"]
    assert rows[4][6] == "中心街街道办事处、光明路街道办事处", "各镇街 expands to the towns"


def test_refined_items_follow_their_indicator_in_the_task_list(campaign, people, login):
    services.item_refine(
        acting_user=SYSTEM, parent=item(campaign, "1.1.1"), title="修订权责清单", points=2
    )
    rows = sheet_values(export(login(people.szq_lead), "export_tasks", campaign))
    assert [row[0] for row in rows[2:]] == ["1.1.1", "1.1.1.1", "1.1.2", "2.1.3"]
    assert rows[3][1:5] == ["依法全面履行政府职能", "推进政府机构职能优化", "修订权责清单", 2]


def test_exported_text_that_looks_like_a_formula_stays_plain_text(campaign, people, login):
    services.item_refine(acting_user=SYSTEM, parent=item(campaign, "1.1.2"), title="=1+1")
    rows = sheet_values(export(login(people.szq_lead), "export_tasks", campaign))
    assert rows[4][3] == "'=1+1"


def test_a_liaison_downloads_only_the_items_of_their_own_unit(campaign, people, login):
    rows = sheet_values(export(login(people.scjg_liaison), "export_tasks", campaign))
    assert [row[0] for row in rows[2:]] == ["1.1.1", "1.1.2"]


def test_the_responsibility_list_gives_each_unit_its_led_and_shared_items(
    campaign, tree, people, login
):
    rows = sheet_values(export(login(people.szq_lead), "export_units", campaign))
    assert rows[1] == ["单位", "职责", "编码", "内容", "完成时限", "状态"]
    body = [tuple(row[:3]) for row in rows[2:]]
    assert body.index(("市中区司法局", "牵头", "1.1.1")) + 1 == body.index(
        ("市中区司法局", "牵头", "2.1.3")
    )
    assert ("市中区市场监督管理局", "牵头", "1.1.2") in body
    assert ("市中区市场监督管理局", "责任", "1.1.1") in body
    assert body[-1] == ("光明路街道办事处", "责任", "2.1.3"), "units in their sort order"
    led = rows[2 + body.index(("市中区司法局", "牵头", "1.1.1"))]
    assert led[3:] == ["权责清单动态调整", "2025-06-30", "未开始"]


def test_a_liaison_responsibility_list_holds_only_their_own_unit(campaign, people, login):
    rows = sheet_values(export(login(people.scjg_liaison), "export_units", campaign))
    assert {row[0] for row in rows[2:]} == {"市中区市场监督管理局"}
    assert len(rows) == 4


def test_another_regions_users_cannot_download_the_lists(campaign, people, login):
    client = login(people.xc_lead)
    for name in ("export_tasks", "export_units"):
        assert client.get(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code == 404


def test_the_task_list_export_costs_the_same_queries_for_more_items(
    campaign, people, login, django_assert_max_num_queries
):
    client = login(people.szq_lead)
    url = reverse("campaigns:export_tasks", args=[campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for position in range(5):
        services.item_refine(
            acting_user=SYSTEM, parent=item(campaign, "1.1.2"), title=f"细化{position}"
        )
    with django_assert_max_num_queries(20) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


# -- import: the rules -----------------------------------------------------------------------


def test_an_edited_row_replaces_the_units_and_deadline_of_its_item(
    campaign, tree, units, people, tmp_path
):
    path = save_rows(
        tmp_path / "任务清单.xlsx",
        [
            HEADER,
            ["1.1.1", "权责清单动态调整", 10, "区市场监管局", "区教体局、中心街街道", "2025-09-30"],
        ],
    )
    draft = preview(campaign, people.szq_lead, path)
    assert draft.result["counts"] | {} == {
        "updated": 1,
        "created": 0,
        "unchanged": 0,
        "errors": 0,
        "names": 0,
    }
    assert item(campaign, "1.1.1").deadline == date(2025, 6, 30), "nothing before confirmation"

    outcome = tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    assert outcome.message == "已导入任务清单：更新 1 项，新增细化指标 0 项"
    assert units_of(campaign, "1.1.1") == {
        "市中区市场监督管理局": "lead",
        "市中区教育和体育局": "responsible",
        "中心街街道办事处": "responsible",
    }
    assert item(campaign, "1.1.1").deadline == date(2025, 9, 30)
    assert AuditEntry.objects.filter(action="campaign.tasklist_import").count() == 1
    draft.refresh_from_db()
    assert draft.status == TaskListImport.Status.COMMITTED


def test_blank_cells_leave_the_item_as_it_was(campaign, people, tmp_path):
    before = state(campaign)
    path = save_rows(tmp_path / "t.xlsx", [HEADER, ["1.1.1", "", None, None, None, None]])
    draft = preview(campaign, people.szq_lead, path)
    assert draft.result["counts"]["unchanged"] == 1
    tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    assert state(campaign) == before


def test_indicator_titles_and_points_come_from_the_framework(campaign, people, tmp_path):
    path = save_rows(tmp_path / "t.xlsx", [HEADER, ["1.1.2", "改过的标题", 99, None, None, None]])
    draft = preview(campaign, people.szq_lead, path)
    assert "分值以指标体系为准" in draft.result["warnings"][0]["message"]
    tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    indicator = item(campaign, "1.1.2")
    assert (indicator.title, indicator.points) == ("市场准入负面清单", Decimal(10))


def test_a_new_code_under_an_item_adds_a_refined_item_with_that_code(campaign, people, tmp_path):
    path = save_rows(
        tmp_path / "细化清单.xlsx",
        [
            HEADER,
            ["1.1.1.1", "修订权责清单", 2, "区教体局", None, None],
            ["1.1.2.3", "清理准入壁垒", "1.5", None, "区司法局", "2025年10月底前"],
            ["1.1.2.3.1", "梳理现有规定", None, None, None, None],
        ],
    )
    draft = preview(campaign, people.szq_lead, path)
    assert draft.result["counts"]["created"] == 3
    outcome = tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    assert outcome.created == 3

    first = item(campaign, "1.1.1.1")
    assert first.is_refined and first.parent.code == "1.1.1"
    assert (first.title, first.points, first.deadline) == ("修订权责清单", 2, date(2025, 6, 30))
    assert units_of(campaign, "1.1.1.1") == {
        "市中区教育和体育局": "lead",
        "市中区司法局": "responsible",
        "市中区市场监督管理局": "responsible",
    }
    gap = item(campaign, "1.1.2.3")
    assert gap.points == Decimal("1.5") and gap.deadline == date(2025, 10, 31)
    assert units_of(campaign, "1.1.2.3") == {
        "市中区市场监督管理局": "lead",
        "市中区司法局": "responsible",
    }
    assert item(campaign, "1.1.2.3.1").parent == gap
    codes = list(campaign.items.order_by("sort_key").values_list("code", flat=True))
    assert codes.index("1.1.2.3") + 1 == codes.index("1.1.2.3.1") < codes.index("2.1.3")


def test_a_refined_item_added_under_an_edited_parent_starts_from_its_new_units(
    campaign, people, tmp_path
):
    path = save_rows(
        tmp_path / "t.xlsx",
        [
            HEADER,
            ["1.1.2", None, None, "区教体局", None, "2025-07-31"],
            ["1.1.2.1", "细化", None, None, None, None],
        ],
    )
    tasklist_import_commit(
        acting_user=people.szq_lead, draft=preview(campaign, people.szq_lead, path), answers={}
    )
    assert units_of(campaign, "1.1.2.1") == units_of(campaign, "1.1.2")
    assert units_of(campaign, "1.1.2.1")["市中区教育和体育局"] == "lead"
    assert item(campaign, "1.1.2.1").deadline == date(2025, 7, 31)


def test_a_refined_items_title_and_points_are_updated(campaign, people, tmp_path):
    refined = services.item_refine(
        acting_user=SYSTEM, parent=item(campaign, "1.1.1"), title="旧标题", points=1
    )
    path = save_rows(tmp_path / "t.xlsx", [HEADER, [refined.code, "新标题", 3, None, None, None]])
    draft = preview(campaign, people.szq_lead, path)
    tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    refined.refresh_from_db()
    assert (refined.title, refined.points) == ("新标题", 3)


def test_unknown_codes_are_errors_naming_the_row_and_column_and_block_the_import(
    campaign, people, tmp_path
):
    before = state(campaign)
    path = save_rows(
        tmp_path / "t.xlsx",
        [
            HEADER,
            ["1.1.1", None, None, None, None, "2025-12-31"],
            ["9.9.99", "不存在", None, "区司法局", None, None],
            ["1.1.1.x", "编码不对", None, None, None, None],
            ["1.1.2.1", "", None, None, None, None],
            ["1.1.2", None, None, None, None, "2025-13-45"],
        ],
    )
    draft = preview(campaign, people.szq_lead, path)
    messages = [e["message"] for e in draft.result["errors"]]
    assert messages == [
        "第 4 行 A 列：编码 9.9.99 不在本活动的指标中",
        "第 5 行 A 列：新增细化指标的编码 1.1.1.x 应为上级编码后加序号，如 1.1.1.1",
        "第 6 行 B 列：新增细化指标 1.1.2.1 缺少内容",
        "第 7 行 F 列：完成时限 “2025-13-45” 不是有效的日期",
    ]
    assert draft.result["counts"]["errors"] == 4
    with pytest.raises(ValidationError, match="还有错误"):
        tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    assert state(campaign) == before


def test_uncertain_unit_names_must_each_be_confirmed_or_dropped(campaign, tree, people, tmp_path):
    path = save_rows(
        tmp_path / "t.xlsx",
        [
            HEADER,
            ["1.1.1", None, None, "区司法所", "区审计局", None],
            ["1.1.2", None, None, None, "区审计局、区教体局", None],
        ],
    )
    draft = preview(campaign, people.szq_lead, path)
    names = {n["text"]: n for n in draft.result["names"]}
    assert set(names) == {"区司法所", "区审计局"}
    assert names["区审计局"]["rows"] == [3, 4], "one question for a name on several rows"
    assert names["区司法所"]["candidates"][0][1] == "市中区司法局"
    assert draft.result["counts"]["names"] == 2

    with pytest.raises(ValidationError, match="还有 1 个单位名称没有确认：“区审计局”"):
        tasklist_import_commit(
            acting_user=people.szq_lead,
            draft=draft,
            answers={names["区司法所"]["key"]: str(tree.units.szq_sfj.pk)},
        )
    tasklist_import_commit(
        acting_user=people.szq_lead,
        draft=draft,
        answers={
            names["区司法所"]["key"]: str(tree.units.szq_sfj.pk),
            names["区审计局"]["key"]: "drop",
        },
    )
    assert units_of(campaign, "1.1.1")["市中区司法局"] == "lead"
    assert units_of(campaign, "1.1.2") == {
        "市中区市场监督管理局": "lead",
        "市中区教育和体育局": "responsible",
    }


def test_an_answer_outside_the_campaigns_region_is_not_an_answer(campaign, tree, people, tmp_path):
    path = save_rows(tmp_path / "t.xlsx", [HEADER, ["1.1.1", None, None, "区司法所", None, None]])
    draft = preview(campaign, people.szq_lead, path)
    key = draft.result["names"][0]["key"]
    with pytest.raises(ValidationError, match="没有确认"):
        tasklist_import_commit(
            acting_user=people.szq_lead, draft=draft, answers={key: str(tree.units.xc_sfj.pk)}
        )


def test_a_group_value_is_expanded_to_its_units(campaign, people, tmp_path):
    path = save_rows(tmp_path / "t.xlsx", [HEADER, ["1.1.2", None, None, None, "各镇街", None]])
    draft = preview(campaign, people.szq_lead, path)
    entry = draft.result["records"][0]["responsible"][0]
    assert entry["is_group"] and len(entry["units"]) == 2
    tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    assert set(units_of(campaign, "1.1.2")) == {
        "市中区市场监督管理局",
        "中心街街道办事处",
        "光明路街道办事处",
    }


def test_a_confirm_that_fails_half_way_changes_nothing(campaign, tree, units, people, tmp_path):
    path = save_rows(
        tmp_path / "t.xlsx",
        [
            HEADER,
            ["1.1.1", None, None, None, None, "2025-11-30"],
            ["1.1.2", None, None, "区教体局", None, None],
        ],
    )
    draft = preview(campaign, people.szq_lead, path)
    before = state(campaign)
    units.jiaoti.region = tree.xc  # moved away between preview and confirmation
    units.jiaoti.save()
    with pytest.raises(ValidationError, match="不属于"):
        tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    assert state(campaign) == before
    assert item(campaign, "1.1.1").deadline == date(2025, 6, 30)
    draft.refresh_from_db()
    assert draft.status == TaskListImport.Status.PREVIEW
    assert not AuditEntry.objects.filter(action="campaign.tasklist_import").exists()


def test_a_committed_import_cannot_be_confirmed_again(campaign, people, tmp_path):
    path = save_rows(tmp_path / "t.xlsx", [HEADER, ["1.1.1.1", "细化", None, None, None, None]])
    draft = preview(campaign, people.szq_lead, path)
    tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    with pytest.raises(ValidationError, match="已经确认或取消"):
        tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    assert campaign.items.filter(code__startswith="1.1.1.").count() == 1


# -- import: reading government tables -------------------------------------------------------


def test_a_two_row_header_merged_cells_headings_and_notes_are_understood(
    campaign, people, tmp_path
):
    rows = [
        ["序号", "任务", "责任分工", None, "时限"],
        [None, None, "牵头部门", "配合单位", None],
        ["一", "依法全面履行政府职能", None, None, None],
        [None, "（一）推进政府机构职能优化", None, None, None],
        ["1.1.1", "权责清单动态调整", "区司法局", "区市场监管局", "2025年9月底前"],
        [None, None, None, "区教体局", None],
        ["1.1.2", "市场准入负面清单", "区市场监管局", "区教体局", None],
        ["1.1.2", None, None, "光明路街道", None],
        ["注：本表由区司法局汇总。", None, None, None, None],
    ]
    merges = ("C2:D2", "A2:A3", "B2:B3", "E2:E3", "A8:A9", "B8:B9", "C8:C9", "A10:E10")
    path = save_rows(tmp_path / "政府表格.xlsx", rows, merges=merges)
    draft = preview(campaign, people.szq_lead, path)
    result = draft.result
    assert result["errors"] == []
    assert result["header_rows"] == [2, 3]
    assert result["columns"] == {
        "code": "A",
        "lead": "C",
        "responsible": "D",
        "deadline": "E",
        "title": "B",
    }
    assert [(r["code"], r["rows"]) for r in result["records"]] == [
        ("1.1.1", [6, 7]),
        ("1.1.2", [8, 9]),
    ]
    tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    assert units_of(campaign, "1.1.1") == {
        "市中区司法局": "lead",
        "市中区市场监督管理局": "responsible",
        "市中区教育和体育局": "responsible",
    }
    assert item(campaign, "1.1.1").deadline == date(2025, 9, 30)
    assert set(units_of(campaign, "1.1.2")) == {
        "市中区市场监督管理局",
        "市中区教育和体育局",
        "光明路街道办事处",
    }


def test_a_gbk_csv_with_other_header_names_is_read(campaign, people, tmp_path):
    path = tmp_path / "清单.csv"
    text = "序号,任务,牵头部门,配合单位,时限\n1.1.2,市场准入负面清单,区教体局,,2025年8月底前\n"
    path.write_bytes(text.encode("gbk"))
    draft = preview(campaign, people.szq_lead, path)
    assert draft.result["columns"] == {
        "code": "A",
        "title": "B",
        "lead": "C",
        "responsible": "D",
        "deadline": "E",
    }
    tasklist_import_commit(acting_user=people.szq_lead, draft=draft, answers={})
    assert units_of(campaign, "1.1.2") == {
        "市中区教育和体育局": "lead",
        "市中区市场监督管理局": "responsible",
    }
    assert item(campaign, "1.1.2").deadline == date(2025, 8, 31)


def test_a_code_less_row_with_its_own_content_is_an_error_not_a_merge(campaign, people, tmp_path):
    path = save_rows(
        tmp_path / "t.xlsx",
        [
            HEADER,
            ["1.1.1", "权责清单动态调整", None, None, None, None],
            [None, "另一项任务", None, "区司法局", None, None],
        ],
    )
    draft = preview(campaign, people.szq_lead, path)
    assert draft.result["errors"][0]["message"].startswith("第 4 行 A 列：没有单独的编码")
    assert "1.1.1.1" in draft.result["errors"][0]["message"]


def test_a_file_without_a_task_list_header_is_refused(campaign, people, tmp_path):
    path = save_rows(tmp_path / "t.xlsx", [["姓名", "电话"], ["张三", "123"]])
    with pytest.raises(ValidationError, match="没有找到任务清单的表头"):
        preview(campaign, people.szq_lead, path)
    assert not TaskListImport.objects.exists()


def test_a_responsibility_list_is_not_taken_for_a_task_list(campaign, people, login, tmp_path):
    content = export(login(people.szq_lead), "export_units", campaign)
    path = tmp_path / "责任清单.xlsx"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match="责任清单"):
        preview(campaign, people.szq_lead, path)


def test_a_sheet_longer_than_the_row_limit_is_refused(campaign, people, tmp_path, settings):
    settings.FAZHI_IMPORT_MAX_ROWS = 5
    rows = [HEADER] + [["1.1.1", None, None, None, None, None]] * 10
    with pytest.raises(ValidationError, match="超过 5 行"):
        preview(campaign, people.szq_lead, save_rows(tmp_path / "t.xlsx", rows))


# -- round trip ------------------------------------------------------------------------------


def test_exporting_the_task_list_and_importing_it_back_changes_nothing(
    campaign, people, login, tmp_path
):
    services.item_refine(
        acting_user=SYSTEM, parent=item(campaign, "1.1.1"), title="=细化 一", points=Decimal("2.5")
    )
    services.item_refine(acting_user=SYSTEM, parent=item(campaign, "1.1.1"), title="细化二")
    client = login(people.szq_lead)
    before = state(campaign)
    content = export(client, "export_tasks", campaign)

    upload = SimpleUploadedFile("任务清单.xlsx", content)
    response = client.post(reverse("campaigns:import", args=[campaign.pk]), {"file": upload})
    draft = TaskListImport.objects.get()
    assert response.status_code == 302
    assert draft.result["counts"] == {
        "updated": 0,
        "created": 0,
        "unchanged": 5,
        "errors": 0,
        "names": 0,
    }
    assert draft.result["warnings"] == []
    page = client.get(response.url).content.decode()
    assert page.count("无变化") >= 5

    response = client.post(reverse("campaigns:import_confirm", args=[campaign.pk, draft.pk]))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "已导入任务清单：更新 0 项，新增细化指标 0 项"
    ]
    assert state(campaign) == before


# -- the wizard's pages ----------------------------------------------------------------------


def upload(client, campaign, path):
    with open(path, "rb") as handle:
        return client.post(reverse("campaigns:import", args=[campaign.pk]), {"file": handle})


def test_the_wizard_previews_then_applies_on_confirmation(campaign, people, login, tmp_path):
    client = login(people.szq_lead)
    assert client.get(reverse("campaigns:import", args=[campaign.pk])).status_code == 200
    path = save_rows(
        tmp_path / "t.xlsx",
        [
            HEADER,
            ["1.1.1", None, None, "区司法所", "区政府各部门", None],
            ["1.1.1.1", "新的细化指标", 1, None, None, None],
        ],
    )
    response = upload(client, campaign, path)
    draft = TaskListImport.objects.get()
    assert response.url == reverse("campaigns:import_preview", args=[campaign.pk, draft.pk])
    page = client.get(response.url).content.decode()
    assert "区司法所" in page and "不分配" in page and 'id="confirm-import"' in page
    assert "区政府各部门（展开为 3 个单位）" in page
    assert not campaign.items.filter(code="1.1.1.1").exists()

    confirm = reverse("campaigns:import_confirm", args=[campaign.pk, draft.pk])
    key = draft.result["names"][0]["key"]
    refused = client.post(confirm, {})
    assert refused.status_code == 200 and "没有确认" in refused.content.decode()
    assert not campaign.items.filter(code="1.1.1.1").exists()

    response = client.post(confirm, {f"name-{key}": "drop"})
    assert response.status_code == 302
    assert response.url == reverse("campaigns:detail", args=[campaign.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "已导入任务清单：更新 1 项，新增细化指标 1 项"
    ]
    assert campaign.items.filter(code="1.1.1.1").exists()


def test_a_refused_confirmation_keeps_the_answers_already_chosen(
    campaign, tree, people, login, tmp_path
):
    client = login(people.szq_lead)
    path = save_rows(
        tmp_path / "t.xlsx", [HEADER, ["1.1.1", None, None, "区司法所", "区审计局", None]]
    )
    upload(client, campaign, path)
    draft = TaskListImport.objects.get()
    first = draft.result["names"][0]["key"]
    page = client.post(
        reverse("campaigns:import_confirm", args=[campaign.pk, draft.pk]),
        {f"name-{first}": str(tree.units.szq_sfj.pk)},
    ).content.decode()
    assert f'<option value="{tree.units.szq_sfj.pk}" selected>' in page


def test_cancelling_an_import_changes_nothing(campaign, people, login, tmp_path):
    client = login(people.szq_lead)
    before = state(campaign)
    upload(
        client,
        campaign,
        save_rows(tmp_path / "t.xlsx", [HEADER, ["1.1.1.1", "x", 1, None, None, None]]),
    )
    draft = TaskListImport.objects.get()
    response = client.post(reverse("campaigns:import_cancel", args=[campaign.pk, draft.pk]))
    assert response.url == reverse("campaigns:detail", args=[campaign.pk])
    draft.refresh_from_db()
    assert draft.status == TaskListImport.Status.CANCELLED
    client.post(reverse("campaigns:import_confirm", args=[campaign.pk, draft.pk]))
    assert state(campaign) == before, "a cancelled import cannot be confirmed later"


def test_another_regions_lead_office_gets_404_on_the_import_pages(
    campaign, people, login, tmp_path
):
    draft = preview(
        campaign,
        people.szq_lead,
        save_rows(tmp_path / "t.xlsx", [HEADER, ["1.1.1", None, None, None, None, None]]),
    )
    client = login(people.xc_lead)
    assert client.get(reverse("campaigns:import", args=[campaign.pk])).status_code == 404
    args = [campaign.pk, draft.pk]
    assert client.get(reverse("campaigns:import_preview", args=args)).status_code == 404
    assert client.post(reverse("campaigns:import_confirm", args=args)).status_code == 404
    assert client.post(reverse("campaigns:import_cancel", args=args)).status_code == 404


def test_a_liaison_gets_403_on_the_import(campaign, people, login, tmp_path):
    client = login(people.scjg_liaison)
    assert client.get(reverse("campaigns:import", args=[campaign.pk])).status_code == 403
    path = save_rows(tmp_path / "t.xlsx", [HEADER, ["1.1.2", None, None, "区教体局", None, None]])
    assert upload(client, campaign, path).status_code == 403
    assert not TaskListImport.objects.exists()


def test_a_reviewer_of_the_region_may_not_import_either(campaign, people, login):
    client = login(people.szq_reviewer)
    assert client.get(reverse("campaigns:import", args=[campaign.pk])).status_code == 403


def test_a_file_over_the_size_limit_is_refused_without_a_draft(
    campaign, people, login, tmp_path, settings
):
    settings.FAZHI_IMPORT_MAX_BYTES = 1024
    rows = [HEADER] + [["1.1.1", "很长的内容" * 50, None, None, None, None]] * 20
    path = save_rows(tmp_path / "大文件.xlsx", rows)
    assert path.stat().st_size > 1024
    response = upload(login(people.szq_lead), campaign, path)
    assert response.status_code == 200
    assert "超过" in response.content.decode()
    assert not TaskListImport.objects.exists()
