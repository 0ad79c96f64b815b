from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fazhi.accounts.models import AuditEntry
from fazhi.campaigns import selectors, services
from fazhi.campaigns.deadlines import parse_deadline
from fazhi.campaigns.models import Assignment, Campaign, Item, ItemStatus, Stage
from fazhi.conftest import make_user


def lead_and_responsible(item):
    assignments = Assignment.objects.filter(item=item).select_related("unit")
    lead = [a.unit.name for a in assignments if a.role == "lead"]
    return lead, sorted(a.unit.name for a in assignments if a.role == "responsible")


def test_a_campaign_gets_one_item_per_indicator_and_the_five_stages(campaign):
    assert list(campaign.items.values_list("code", flat=True)) == [
        "1.1.1",
        "1.1.2",
        "2.1.3",
        "2.1.4",
    ]
    assert [s.get_kind_display() for s in Stage.objects.filter(campaign=campaign)] == [
        "准备",
        "自查",
        "申报",
        "评估",
        "命名",
    ]
    first = campaign.items.get(code="1.1.1")
    assert first.points == Decimal(10)
    assert first.required_evidence == "复议决定书、工作报告"
    assert AuditEntry.objects.filter(action="campaign.create").count() == 1


def test_units_named_in_the_framework_table_become_assignments(campaign):
    assert lead_and_responsible(campaign.items.get(code="1.1.1")) == (
        ["市中区司法局"],
        ["市中区市场监督管理局"],
    )


def test_a_group_value_expands_to_the_matching_units(campaign):
    lead, responsible = lead_and_responsible(campaign.items.get(code="1.1.2"))
    assert lead == ["市中区市场监督管理局"]
    assert responsible == ["中心街街道办事处"]


def test_a_name_that_matches_no_unit_waits_for_the_user(campaign, people, tree):
    item = campaign.items.get(code="2.1.3")
    assert [e["text"] for e in item.unresolved_units] == ["区气象局"]
    services.item_resolve_unit(
        acting_user=people.szq_lead, item=item, text="区气象局", units=[tree.units.szq_scjg]
    )
    item.refresh_from_db()
    assert item.unresolved_units == []
    assert "市中区市场监督管理局" in lead_and_responsible(item)[1]


def test_deadlines_written_as_text_become_dates(campaign):
    assert campaign.items.get(code="1.1.1").deadline == date(2025, 6, 30)
    assert campaign.items.get(code="1.1.2").deadline is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年6月底前", date(2024, 6, 30)),
        ("2024年12月31日", date(2024, 12, 31)),
        ("2024-03-15", date(2024, 3, 15)),
        ("9月底", date(2025, 9, 30)),
        ("2024年底前", date(2024, 12, 31)),
        ("2月", date(2025, 2, 28)),
        ("长期坚持", None),
        ("", None),
    ],
)
def test_parse_deadline_reads_the_ways_tables_write_dates(text, expected):
    assert parse_deadline(text, default_year=2025) == expected


def test_another_county_cannot_create_a_campaign_for_this_one(campaign, people, tree):
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            acting_user=people.xc_lead,
            framework=campaign.framework,
            region=tree.szq,
            name="越权",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
        )


def test_a_period_that_ends_before_it_starts_is_refused(campaign, people, tree):
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        services.campaign_create(
            acting_user=people.szq_lead,
            framework=campaign.framework,
            region=tree.szq,
            name="倒序",
            period_start=date(2025, 1, 1),
            period_end=date(2024, 1, 1),
        )


def test_refined_items_take_the_parents_units_and_the_parent_adds_up_their_status(campaign, people):
    parent = campaign.items.get(code="1.1.1")
    child = services.item_refine(
        acting_user=people.szq_lead, parent=parent, title="复议决定书公开", points=Decimal(5)
    )
    assert child.code == "1.1.1.1"
    assert child.is_refined and child.deadline == parent.deadline
    assert lead_and_responsible(child) == lead_and_responsible(parent)
    second = services.item_refine(acting_user=people.szq_lead, parent=parent, title="案件办理")
    assert second.code == "1.1.1.2"
    assert list(parent.children.values_list("sort_key", flat=True)) == sorted(
        parent.children.values_list("sort_key", flat=True)
    )


def test_only_refined_items_without_material_can_be_deleted(campaign, people):
    indicator = campaign.items.get(code="2.1.4")
    with pytest.raises(ValidationError, match="不能删除"):
        services.item_delete(acting_user=people.szq_lead, item=indicator)
    child = services.item_refine(acting_user=people.szq_lead, parent=indicator, title="细化")
    services.item_delete(acting_user=people.szq_lead, item=child)
    assert not Item.objects.filter(pk=child.pk).exists()


def test_a_liaison_cannot_refine_or_assign(campaign, people, tree):
    item = campaign.items.get(code="1.1.1")
    with pytest.raises(PermissionDenied):
        services.item_refine(acting_user=people.szq_liaison, parent=item, title="x")
    with pytest.raises(PermissionDenied):
        services.items_assign(
            acting_user=people.szq_liaison,
            campaign=campaign,
            items=[item],
            lead_unit=tree.units.szq_scjg,
        )


def test_bulk_assignment_sets_lead_adds_units_and_deadline(campaign, people, tree):
    items = list(campaign.items.filter(code__in=["2.1.3", "2.1.4"]))
    changed = services.items_assign(
        acting_user=people.szq_lead,
        campaign=campaign,
        items=items,
        lead_unit=tree.units.szq_scjg,
        add_units=[tree.units.szq_town],
        deadline=date(2025, 9, 30),
    )
    assert changed == 2
    for item in items:
        item.refresh_from_db()
        lead, responsible = lead_and_responsible(item)
        assert lead == ["市中区市场监督管理局"]
        assert "市中区司法局" in responsible  # the former lead stays, as a responsible unit
        assert "中心街街道办事处" in responsible
        assert item.deadline == date(2025, 9, 30)


def test_units_of_another_county_cannot_be_assigned(campaign, people, tree):
    with pytest.raises(ValidationError, match="不属于"):
        services.items_assign(
            acting_user=people.szq_lead,
            campaign=campaign,
            items=list(campaign.items.all()),
            add_units=[tree.units.xc_sfj],
        )


def test_a_liaison_sees_only_the_campaigns_and_items_of_its_unit(campaign, people):
    assert Campaign.objects.visible_to(people.szq_liaison).get() == campaign
    assert set(Item.objects.visible_to(people.scjg_liaison).values_list("code", flat=True)) == {
        "1.1.1",
        "1.1.2",
    }
    assert not Campaign.objects.visible_to(people.xc_liaison).exists()
    assert not Campaign.objects.visible_to(people.xc_lead).exists()
    assert Campaign.objects.visible_to(people.city_inspector).exists()


def test_a_unit_with_no_item_sees_no_campaign(campaign, tree):
    from fazhi.orgs.models import Unit

    idle = Unit.objects.create(region=tree.szq, code="370402-idle", name="市中区档案馆")
    assert not Campaign.objects.visible_to(make_user("idle", "liaison", unit=idle)).exists()


def test_my_tasks_lists_the_units_items_soonest_first(campaign, people):
    codes = [item.code for item in selectors.my_tasks(user=people.szq_liaison)]
    assert codes[0] == "1.1.1"  # the only one with a deadline
    assert set(codes) == {"1.1.1", "2.1.3", "2.1.4"}


def test_submission_needs_material_and_the_lead_unit(campaign, people):
    item = campaign.items.get(code="1.1.1")
    with pytest.raises(ValidationError, match="没有任何材料"):
        services.item_submit(acting_user=people.szq_liaison, item=item)
    with pytest.raises(PermissionDenied):
        services.item_submit(acting_user=people.scjg_liaison, item=item)


def test_return_needs_a_reason_and_approval_needs_a_submission(campaign, people):
    item = campaign.items.get(code="1.1.1")
    item.status = ItemStatus.SUBMITTED
    item.save()
    with pytest.raises(ValidationError, match="原因"):
        services.item_return(acting_user=people.szq_reviewer, item=item, reason=" ")
    services.item_return(acting_user=people.szq_reviewer, item=item, reason="缺少复议决定书")
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED and item.return_reason == "缺少复议决定书"
    with pytest.raises(ValidationError, match="不是“已提交”"):
        services.item_approve(acting_user=people.szq_reviewer, item=item)
    with pytest.raises(PermissionDenied):
        services.item_return(acting_user=people.szq_liaison, item=item, reason="x")


def test_status_counts_cover_every_state(campaign, people):
    counts = selectors.status_counts(campaign.items.all())
    assert counts == {
        "not_started": 4,
        "in_progress": 0,
        "submitted": 0,
        "returned": 0,
        "approved": 0,
    }
