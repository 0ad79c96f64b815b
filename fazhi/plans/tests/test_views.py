"""The bell in the top bar and the notifications page: one's own notifications only."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fazhi.plans.models import Notification, NotificationKind
from fazhi.plans.services import notifications_create


def notify(user, campaign, text="通知", *, event="1", code="1.1.1", kind="due_soon"):
    item = campaign.items.get(code=code)
    notifications_create(users=[user], kind=kind, item=item, event=event, text=text)
    return Notification.objects.get(user=user, key=f"{kind}:{item.pk}:{event}")


def test_the_bell_shows_the_unread_count(campaign, people, login):
    notify(people.szq_liaison, campaign, event="1")
    notify(people.szq_liaison, campaign, event="2")
    read = notify(people.szq_liaison, campaign, event="3")
    read.read_at = timezone.now()
    read.save()
    page = login(people.szq_liaison).get("/").content.decode()
    assert 'aria-label="未读通知">2</span>' in page
    assert reverse("plans:notifications") in page


def test_the_bell_has_no_count_without_unread_notifications(campaign, people, login):
    page = login(people.szq_lead).get("/").content.decode()
    assert "未读通知" not in page and reverse("plans:notifications") in page


def test_the_bell_costs_one_query(campaign, people, login):
    client = login(people.szq_liaison)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert sum("plans_notification" in q["sql"] for q in queries) == 1


def test_the_page_lists_only_the_users_own_notifications_newest_first(campaign, people, login):
    notify(people.szq_liaison, campaign, "较早的提醒", event="1")
    notify(people.szq_liaison, campaign, "较新的提醒", event="2")
    notify(people.xc_liaison, campaign, "别人的提醒", event="1")
    page = login(people.szq_liaison).get(reverse("plans:notifications")).content.decode()
    assert page.index("较新的提醒") < page.index("较早的提醒")
    assert "别人的提醒" not in page


def test_the_unread_filter_leaves_out_read_ones(campaign, people, login):
    notify(people.szq_liaison, campaign, "还没读", event="1")
    read = notify(people.szq_liaison, campaign, "读过了", event="2")
    read.read_at = timezone.now()
    read.save()
    client = login(people.szq_liaison)
    unread = client.get(reverse("plans:notifications"), {"show": "unread"}).content.decode()
    assert "还没读" in unread and "读过了" not in unread
    assert "读过了" in client.get(reverse("plans:notifications")).content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_the_item(campaign, people, login):
    note = notify(people.szq_liaison, campaign)
    response = login(people.szq_liaison).get(reverse("plans:notification_open", args=[note.pk]))
    assert response.url == reverse("campaigns:item", args=[note.item_id])
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_users_notification_is_not_found(campaign, people, login):
    note = notify(people.xc_liaison, campaign)
    for user in (people.szq_liaison, people.admin):
        response = login(user).get(reverse("plans:notification_open", args=[note.pk]))
        assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_marks_only_ones_own(campaign, people, login):
    notify(people.szq_liaison, campaign, event="1")
    notify(people.szq_liaison, campaign, event="2")
    other = notify(people.scjg_liaison, campaign, event="1")
    client = login(people.szq_liaison)
    assert client.get(reverse("plans:notifications_read_all")).status_code == 405
    response = client.post(reverse("plans:notifications_read_all"), follow=True)
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(user=people.szq_liaison, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_the_pages_need_a_login(client):
    response = client.get(reverse("plans:notifications"))
    assert response.status_code == 302 and "login" in response.url


def test_the_page_makes_the_same_number_of_queries_for_more_notifications(campaign, people, login):
    client = login(people.szq_liaison)
    notify(people.szq_liaison, campaign, event="0")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("plans:notifications"))
    for number in range(1, 30):
        kind = [NotificationKind.DUE_SOON, NotificationKind.RETURNED][number % 2]
        notify(people.szq_liaison, campaign, event=str(number), kind=kind, code="2.1.3")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("plans:notifications"))
    assert len(many) == len(few)
    assert "共 30 条" in page.content.decode()
