"""A live campaign moved to a revised edition of its framework (issue 22, point 1): carried
items keep their pk and everything attached, changed ones are marked for a score re-check, new
indicators become items with the units their table names, withdrawn ones are archived."""

import copy
import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from fazhi.accounts.models import AuditEntry
from fazhi.accounts.system import SYSTEM
from fazhi.campaigns import editions, services
from fazhi.campaigns.models import Assignment, Item, ItemStatus
from fazhi.conftest import campaign_rows
from fazhi.evidence.models import Evidence
from fazhi.evidence.services import evidence_upload
from fazhi.frameworks.models import Node
from fazhi.frameworks.services import framework_create
from fazhi.reviews.models import Assessment, Review, RoundReviewer, RoundScope
from fazhi.reviews.services import ReviewerSeat, round_open


def revised_rows() -> list[dict]:
    """The 2026 revision of the test framework, as provinces revise: a new indicator inserted
    as 1.1.2 (so the old 1.1.2 becomes 1.1.3), 1.1.1's points cut from 10 to 8, 2.1.4 (备案审查)
    withdrawn, a new 2.1.5 naming 区市场监管局 as its lead unit."""
    rows = copy.deepcopy(campaign_rows())
    by_code = {row["code"]: row for row in rows}
    by_code["1.1.1"]["points"] = Decimal(8)
    by_code["1.1.2"].update(code="1.1.3", number="3")
    inserted = {
        "code": "1.1.2",
        "number": "2",
        "title": "重大行政决策事项目录编制公开",
        "level": 3,
        "parent_code": "1.1",
        "points": Decimal(2),
        "lead_unit": "区司法局",
    }
    rows.insert(rows.index(by_code["1.1.1"]) + 1, inserted)
    rows.remove(by_code["2.1.4"])
    rows.append(
        {
            "code": "2.1.5",
            "number": "5",
            "title": "公平竞争审查制度落实",
            "level": 3,
            "parent_code": "2.1",
            "points": Decimal(8),
            "lead_unit": "区市场监管局",
            "responsible_units": ["区司法局"],
        }
    )
    return rows


def upload(user, item, name="材料.txt"):
    return evidence_upload(acting_user=user, item=item, file=ContentFile(name.encode(), name=name))


@pytest.fixture
def revised(campaign):
    return framework_create(
        acting_user=SYSTEM, name=campaign.framework.name, edition="2026", rows=revised_rows()
    )


@pytest.fixture
def worked(campaign, people):
    """The campaign half-way: 1.1.2 refined with a material on its refined item, materials and a
    self score on 1.1.1, a material on the soon withdrawn 2.1.4, a review round open."""
    items = {item.code: item for item in campaign.items.all()}
    refined = services.item_refine(acting_user=people.szq_lead, parent=items["1.1.2"], title="公示")
    upload(people.szq_lead, refined)
    upload(people.szq_lead, items["1.1.1"])
    upload(people.szq_lead, items["2.1.4"], "备案.txt")
    Assessment.objects.create(
        item=items["1.1.1"], side="self", score=Decimal(9), max_points=Decimal(10)
    )
    area = Node.objects.get(framework=campaign.framework, code="1")
    round_open(
        acting_user=people.szq_lead,
        campaign=campaign,
        name="内部审核",
        scope=RoundScope.ALL,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        reviewers=[ReviewerSeat(user=people.szq_reviewer, areas=(area,))],
    )
    return items, refined


def test_the_plan_sorts_every_item_and_every_new_indicator(campaign, revised, worked):
    plan = editions.plan_migration(campaign=campaign, target=revised)
    assert plan.counts() == {"carried": 2, "changed": 1, "new": 2, "withdrawn": 1}
    by_kind = {kind: [e.code for e in plan.of_kind(kind)] for kind in editions.KINDS}
    assert by_kind == {
        "carried": ["1.1.3", "2.1.3"],
        "changed": ["1.1.1"],
        "new": ["1.1.2", "2.1.5"],
        "withdrawn": ["2.1.4"],
    }
    moved = plan.of_kind("carried")[0]
    assert moved.item.code == "1.1.2" and moved.renumbered
    assert moved.attached.refined == 1 and moved.attached.evidence == 1
    changed = plan.of_kind("changed")[0]
    assert changed.recheck_note == "分值由“10”改为“8”"
    assert changed.attached.scores == 1 and changed.attached.reviews == 1
    # Nothing is written by a plan.
    assert campaign.items.count() == 5 and not Item.with_archived.filter(archived_at__isnull=False)


def test_migrating_keeps_every_item_and_everything_attached(campaign, revised, worked, people):
    items, refined = worked
    evidence_before = set(Evidence.objects.values_list("pk", "item_id"))
    services.campaign_migrate(acting_user=people.szq_lead, campaign=campaign, framework=revised)
    campaign.refresh_from_db()
    assert campaign.framework == revised
    current = {item.code: item for item in campaign.items.all()}
    assert sorted(current) == ["1.1.1", "1.1.2", "1.1.3", "1.1.3.1", "2.1.3", "2.1.5"]
    # The renumbered indicator is the same row, its refined item follows it.
    assert current["1.1.3"].pk == items["1.1.2"].pk
    assert current["1.1.3.1"].pk == refined.pk
    assert current["1.1.3.1"].sort_key.startswith(current["1.1.3"].sort_key + ".")
    assert current["1.1.3"].node.framework == revised
    # Points changed: texts follow the new edition, the score waits for a re-check.
    assert current["1.1.1"].points == Decimal(8)
    assert current["1.1.1"].recheck_note == "分值由“10”改为“8”"
    assert Assessment.objects.get(item=current["1.1.1"]).score == Decimal(9)
    # New indicators start 未开始 with the units their table names.
    new = current["2.1.5"]
    assert new.status == ItemStatus.NOT_STARTED
    assert {(a.unit.name, a.role) for a in new.assignments.select_related("unit")} == {
        ("市中区市场监督管理局", "lead"),
        ("市中区司法局", "responsible"),
    }
    # Withdrawn: archived with its material, still readable, gone from lists.
    withdrawn = Item.with_archived.get(pk=items["2.1.4"].pk)
    assert withdrawn.archived_at is not None and "2026" in withdrawn.archive_note
    assert withdrawn.evidence.count() == 1
    assert not campaign.items.filter(pk=withdrawn.pk).exists()
    # Nothing lost: every material on the same item as before, every review kept.
    assert set(Evidence.objects.values_list("pk", "item_id")) == evidence_before
    assert Review.objects.filter(item_id=withdrawn.pk).count() == 1
    # The reviewer judging area 1 still judges area 1, now the new edition's.
    seat = RoundReviewer.objects.get()
    assert [(n.framework_id, n.code) for n in seat.areas.all()] == [(revised.pk, "1")]
    entry = AuditEntry.objects.get(action="campaign.migrate")
    assert "撤销 1" in entry.summary


def test_a_withdrawn_items_material_and_review_leave_the_live_lists(
    campaign, revised, worked, people
):
    from fazhi.evidence.selectors import LedgerFilters, evidence_ledger, search_evidence
    from fazhi.reviews.selectors import round_queue_counts, round_reviews

    items, _ = worked
    withdrawn = items["2.1.4"]
    withdrawn.status = ItemStatus.SUBMITTED  # it waits in the open round
    withdrawn.save(update_fields=["status"])
    round_ = campaign.rounds.get()
    assert round_queue_counts(round_)["waiting"] == 1
    lead = people.szq_lead
    assert [e.title for e in search_evidence(campaign=campaign, user=lead, query="备案")] == [
        "备案"
    ]
    services.campaign_migrate(acting_user=lead, campaign=campaign, framework=revised)
    assert round_queue_counts(round_)["waiting"] == 0
    assert withdrawn.pk not in {r.item_id for r in round_reviews(round_=round_, user=lead)}
    assert not search_evidence(campaign=campaign, user=lead, query="备案").exists()
    ledger = evidence_ledger(campaign=campaign, user=lead, filters=LedgerFilters())
    assert withdrawn.pk not in set(ledger.values_list("item_id", flat=True))
    # Still there, read on the withdrawn item: its material and its review.
    assert withdrawn.evidence.count() == 1 and Review.objects.filter(item=withdrawn).exists()


def test_the_campaign_can_move_back_and_codes_freed_by_withdrawal_are_reused(
    campaign, revised, people
):
    original = campaign.framework
    services.campaign_migrate(acting_user=people.szq_lead, campaign=campaign, framework=revised)
    campaign.refresh_from_db()
    services.campaign_migrate(acting_user=people.szq_lead, campaign=campaign, framework=original)
    codes = sorted(campaign.items.values_list("code", flat=True))
    assert codes == ["1.1.1", "1.1.2", "2.1.3", "2.1.4"]
    # 2.1.4 came back as a new item; the archived one keeps its history beside it.
    assert Item.with_archived.filter(campaign=campaign, code="2.1.4").count() == 2


def test_two_indicators_swapping_codes_do_not_collide(campaign, people):
    rows = copy.deepcopy(campaign_rows())
    by_code = {row["code"]: row for row in rows}
    by_code["1.1.1"].update(code="1.1.2", number="2")
    by_code["1.1.2"].update(code="1.1.1", number="1")
    a, b = rows.index(by_code["1.1.1"]), rows.index(by_code["1.1.2"])
    rows[a], rows[b] = rows[b], rows[a]
    swapped = framework_create(
        acting_user=SYSTEM, name=campaign.framework.name, edition="对调", rows=rows
    )
    first = campaign.items.get(code="1.1.1")
    plan = services.campaign_migrate(
        acting_user=people.szq_lead, campaign=campaign, framework=swapped
    )
    assert plan.counts() == {"carried": 4, "changed": 0, "new": 0, "withdrawn": 0}
    first.refresh_from_db()
    assert (first.code, first.title) == ("1.1.2", "行政复议案件依法办理")


def test_a_two_level_edition_with_reworded_rules(tree, people):
    """Areas and indicators only (no groups), the rules of one indicator reworded."""

    def rows(rules):
        return [
            {"code": "一", "title": "制度建设", "level": 1, "parent_code": None, "points": None},
            {
                "code": "一.1",
                "title": "规章清理",
                "level": 2,
                "parent_code": "一",
                "points": Decimal(5),
                "scoring_rules": rules,
                "lead_unit": "区司法局",
            },
            {
                "code": "一.2",
                "title": "规范性文件备案",
                "level": 2,
                "parent_code": "一",
                "points": Decimal(5),
            },
        ]

    old = framework_create(
        acting_user=SYSTEM, name="两级体系", edition="一", rows=rows("未清理扣5分")
    )
    new = framework_create(
        acting_user=SYSTEM, name="两级体系", edition="二", rows=rows("未按期清理的，每件扣1分")
    )
    campaign = services.campaign_create(
        acting_user=people.szq_lead,
        framework=old,
        region=tree.szq,
        name="两级",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    plan = editions.plan_migration(campaign=campaign, target=new)
    assert plan.counts() == {"carried": 1, "changed": 1, "new": 0, "withdrawn": 0}
    assert plan.of_kind("changed")[0].area == "制度建设"
    services.campaign_migrate(acting_user=people.szq_lead, campaign=campaign, framework=new)
    item = campaign.items.get(code="一.1")
    assert item.scoring_rules == "未按期清理的，每件扣1分"
    assert item.recheck_note.startswith("评分标准由")


def test_the_same_edition_or_another_framework_is_refused_and_nothing_changes(campaign, people):
    other = framework_create(
        acting_user=SYSTEM, name="另一个指标体系", edition="2026", rows=campaign_rows()
    )
    before = list(campaign.items.values_list("pk", "code", "node_id"))
    with pytest.raises(ValidationError, match="已在使用"):
        services.campaign_migrate(
            acting_user=people.szq_lead, campaign=campaign, framework=campaign.framework
        )
    with pytest.raises(ValidationError, match="不是本活动指标体系"):
        services.campaign_migrate(acting_user=people.szq_lead, campaign=campaign, framework=other)
    assert list(campaign.items.values_list("pk", "code", "node_id")) == before
    assert not AuditEntry.objects.filter(action="campaign.migrate").exists()


def test_only_the_campaigns_lead_office_may_migrate(campaign, revised, people):
    for user in (people.szq_liaison, people.xc_lead, people.szq_reviewer):
        with pytest.raises(PermissionDenied):
            services.campaign_migrate(acting_user=user, campaign=campaign, framework=revised)
    assert campaign.items.filter(node__framework=revised).count() == 0


def test_a_failure_half_way_leaves_the_campaign_as_it_was(campaign, revised, people, monkeypatch):
    before = sorted(Item.with_archived.values_list("pk", "code", "archived_at"))

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(services, "_move_reviewer_areas", broken)
    with pytest.raises(RuntimeError):
        services.campaign_migrate(acting_user=people.szq_lead, campaign=campaign, framework=revised)
    assert sorted(Item.with_archived.values_list("pk", "code", "archived_at")) == before
    assert Assignment.objects.filter(item__node__framework=revised).count() == 0


def test_recheck_mark_comes_off_when_the_lead_office_says_so(campaign, revised, people):
    services.campaign_migrate(acting_user=people.szq_lead, campaign=campaign, framework=revised)
    item = campaign.items.get(code="1.1.1")
    services.item_recheck_done(acting_user=people.szq_lead, item=item)
    item.refresh_from_db()
    assert item.recheck_note == ""
    with pytest.raises(ValidationError, match="没有待复核"):
        services.item_recheck_done(acting_user=people.szq_lead, item=item)


def test_cli_dry_run_prints_the_promised_json_and_changes_nothing(campaign, revised, worked):
    out = StringIO()
    call_command(
        "campaign",
        "--as",
        "szq_lead",
        "migrate",
        str(campaign.pk),
        "--framework",
        f"{revised.name}@{revised.edition}",
        "--dry-run",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["applied"] is False
    assert data["counts"] == {"carried": 2, "changed": 1, "new": 2, "withdrawn": 1}
    assert set(data) >= {"campaign", "from", "to", "carried", "changed", "new", "withdrawn"}
    assert data["changed"][0]["recheck"] == "分值由“10”改为“8”"
    assert data["carried"][0]["old_code"] == "1.1.2" and data["carried"][0]["new_code"] == "1.1.3"
    assert data["new"][1]["lead_unit"] == "区市场监管局"
    assert data["withdrawn"][0]["attached"]["evidence"] == 1
    campaign.refresh_from_db()
    assert campaign.framework_id != revised.pk


def test_cli_applies_and_refuses_bad_targets_in_one_line(campaign, revised):
    out = StringIO()
    call_command(
        "campaign", "migrate", str(campaign.pk), "--framework", str(revised.pk), stdout=out
    )
    assert "已迁移" in out.getvalue() and "撤销\t2.1.4" in out.getvalue()
    with pytest.raises(CommandError, match="已在使用"):
        call_command("campaign", "migrate", str(campaign.pk), "--framework", str(revised.pk))
    with pytest.raises(CommandError, match="找不到指标体系"):
        call_command("campaign", "migrate", str(campaign.pk), "--framework", "99999")


def test_the_demo_revision_moves_a_campaign_on_the_demo_framework(tree, people):
    from fazhi.campaigns.demo import load_demo_revision
    from fazhi.frameworks.demo import load_demo_framework

    framework = load_demo_framework()
    revision = load_demo_revision(framework)
    assert load_demo_revision(framework) == revision  # loaded once
    assert revision.total_points == framework.total_points
    campaign = services.campaign_create(
        acting_user=people.szq_lead,
        framework=framework,
        region=tree.szq,
        name="演示",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    plan = services.campaign_migrate(
        acting_user=people.szq_lead, campaign=campaign, framework=revision
    )
    counts = plan.counts()
    assert (counts["changed"], counts["new"], counts["withdrawn"]) == (1, 1, 1)
    assert counts["carried"] == framework.leaf_count - 2
    new = campaign.items.get(title="行政规范性文件合法性审核机制全面落实")
    assert new.assignments.get(role="lead").unit.name == "市中区司法局"
