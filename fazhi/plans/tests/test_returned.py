"""A returned item tells the liaisons of its units at once, in the app."""

from fazhi.campaigns import services as campaign_services
from fazhi.plans.models import Notification, NotificationKind
from fazhi.plans.services import notify_item_returned
from fazhi.plans.tests.conftest import submitted


def test_a_returned_item_notifies_the_liaisons_of_its_lead_and_responsible_units(campaign, people):
    item = submitted(campaign, "1.1.1")
    campaign_services.item_return(
        acting_user=people.szq_reviewer, item=item, reason="缺少复议决定书"
    )
    notes = Notification.objects.filter(kind=NotificationKind.RETURNED, item=item)
    assert {n.user for n in notes} == {people.szq_liaison, people.scjg_liaison}
    note = notes.get(user=people.szq_liaison)
    assert "1.1.1" in note.text and "缺少复议决定书" in note.text
    assert note.campaign == campaign and note.read_at is None


def test_a_liaison_of_another_county_or_a_non_liaison_hears_nothing(campaign, people):
    item = submitted(campaign, "1.1.1")
    campaign_services.item_return(acting_user=people.szq_reviewer, item=item, reason="补充")
    for outsider in (people.xc_liaison, people.szq_lead, people.szq_reviewer, people.szq_leader):
        assert not Notification.objects.filter(user=outsider).exists()


def test_a_return_sends_no_email_by_itself(campaign, emails, mailoutbox):
    item = submitted(campaign, "1.1.1")
    campaign_services.item_return(acting_user=emails.szq_reviewer, item=item, reason="补充")
    assert mailoutbox == []


def test_the_same_return_is_notified_once_and_a_second_return_again(campaign, people):
    item = submitted(campaign, "2.1.4")
    campaign_services.item_return(acting_user=people.szq_reviewer, item=item, reason="第一次")
    notify_item_returned(item=item, reason="第一次", acting_user=people.szq_reviewer)
    assert Notification.objects.filter(user=people.szq_liaison).count() == 1
    item = submitted(campaign, "2.1.4")
    campaign_services.item_return(acting_user=people.szq_reviewer, item=item, reason="第二次")
    texts = Notification.objects.filter(user=people.szq_liaison).values_list("text", flat=True)
    assert sorted(t[-3:] for t in texts) == ["第一次", "第二次"]
