"""Which items a liaison is reminded of, and that a fact is notified once."""

from datetime import date, timedelta

from fazhi.campaigns import services as campaign_services
from fazhi.campaigns.models import ItemStatus
from fazhi.conftest import make_user
from fazhi.plans.models import Notification, NotificationKind
from fazhi.plans.selectors import reminder_facts
from fazhi.plans.services import reminders_collect
from fazhi.plans.tests.conftest import TODAY, set_item, submitted


def kinds_for(user, *, today=TODAY, days=3) -> dict[str, str]:
    return {
        fact.item.code: fact.kind
        for fact in reminder_facts(today=today, days=days)
        if fact.user == user
    }


def test_an_item_due_within_the_days_is_due_soon_and_one_further_off_is_not(campaign, people):
    set_item(campaign, "1.1.1", deadline=TODAY + timedelta(days=3))
    set_item(campaign, "2.1.3", deadline=TODAY + timedelta(days=4))
    set_item(campaign, "2.1.4", deadline=TODAY)
    assert kinds_for(people.szq_liaison) == {"1.1.1": "due_soon", "2.1.4": "due_soon"}
    assert kinds_for(people.szq_liaison, days=4)["2.1.3"] == "due_soon"


def test_an_item_past_its_deadline_is_overdue_unless_submitted_or_approved(campaign, people):
    yesterday = TODAY - timedelta(days=1)
    set_item(campaign, "1.1.1", deadline=yesterday)
    set_item(campaign, "2.1.3", deadline=yesterday, status=ItemStatus.SUBMITTED)
    set_item(campaign, "2.1.4", deadline=yesterday, status=ItemStatus.APPROVED)
    assert kinds_for(people.szq_liaison) == {"1.1.1": "overdue"}


def test_the_responsible_units_liaison_is_reminded_too_but_not_another_county(campaign, people):
    set_item(campaign, "1.1.1", deadline=TODAY + timedelta(days=1))
    assert kinds_for(people.scjg_liaison) == {"1.1.1": "due_soon"}
    assert kinds_for(people.xc_liaison) == {}


def test_an_item_with_refined_items_is_left_to_its_refined_items(campaign, people):
    parent = set_item(campaign, "2.1.4", deadline=TODAY)
    child = campaign_services.item_refine(
        acting_user=people.szq_lead, parent=parent, title="细化", deadline=TODAY
    )
    assert kinds_for(people.szq_liaison) == {child.code: "due_soon"}


def test_a_returned_item_is_reminded_as_returned(campaign, people):
    set_item(campaign, "2.1.3", status=ItemStatus.RETURNED, return_reason="补充材料")
    assert kinds_for(people.szq_liaison) == {"2.1.3": "returned"}


def test_collecting_twice_notifies_each_fact_once(campaign, people):
    set_item(campaign, "1.1.1", deadline=TODAY + timedelta(days=2))
    reminders_collect(today=TODAY, days=3)
    reminders_collect(today=TODAY + timedelta(days=1), days=3)
    notes = Notification.objects.filter(user=people.szq_liaison)
    assert [(n.kind, n.due_on) for n in notes] == [
        (NotificationKind.DUE_SOON, TODAY + timedelta(days=2))
    ]


def test_a_due_soon_item_becomes_an_overdue_notice_and_a_moved_deadline_a_new_one(campaign, people):
    item = set_item(campaign, "2.1.4", deadline=date(2025, 6, 30))
    reminders_collect(today=date(2025, 6, 28), days=3)
    reminders_collect(today=date(2025, 7, 1), days=3)
    item.deadline = date(2025, 7, 3)
    item.save()
    reminders_collect(today=date(2025, 7, 1), days=3)
    notes = Notification.objects.filter(user=people.szq_liaison, item=item).order_by("id")
    assert [(n.kind, n.due_on) for n in notes] == [
        ("due_soon", date(2025, 6, 30)),
        ("overdue", date(2025, 6, 30)),
        ("due_soon", date(2025, 7, 3)),
    ]


def test_a_return_already_notified_is_not_notified_again_by_the_daily_run(campaign, people):
    item = submitted(campaign, "2.1.4")
    campaign_services.item_return(acting_user=people.szq_reviewer, item=item, reason="补充")
    reminders_collect(today=TODAY, days=3)
    assert Notification.objects.filter(user=people.szq_liaison, item=item).count() == 1


def test_inactive_liaisons_and_liaisons_without_a_unit_are_not_reminded(campaign, people, tree):
    set_item(campaign, "2.1.4", deadline=TODAY)
    people.szq_liaison.is_active = False
    people.szq_liaison.save()
    floating = make_user("floating", "liaison", region=tree.szq)
    users = {fact.user for fact in reminder_facts(today=TODAY, days=3)}
    assert people.szq_liaison not in users and floating not in users
