"""The daily digest: one e-mail per liaison and day at most, only when there is something to
report, never to users without an address."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from fazhi.accounts.models import AuditEntry
from fazhi.campaigns import services as campaign_services
from fazhi.plans.models import DigestLog, Notification
from fazhi.plans.services import Delivery, reminders_collect, send_daily_digest
from fazhi.plans.tests.conftest import TODAY, set_item, submitted


@pytest.fixture
def due(campaign):
    """1.1.1 (司法局 leads, 市场监管局 responsible) due in two days, 2.1.3 (司法局) overdue."""
    set_item(campaign, "1.1.1", deadline=TODAY + timedelta(days=2))
    set_item(campaign, "2.1.3", deadline=TODAY - timedelta(days=5))
    return campaign


def test_each_liaison_with_something_due_gets_one_mail(due, emails):
    run = send_daily_digest(today=TODAY, days=3)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "scjg@szq.example.gov.cn",
        "sfj@szq.example.gov.cn",
    ]
    sfj = next(m for m in mail.outbox if m.to == ["sfj@szq.example.gov.cn"])
    assert sfj.subject == "【法治创建平台】每日待办提醒（2项）"
    assert "市中区创建全国法治政府建设示范区" in sfj.body
    assert "1.1.1 行政复议案件依法办理" in sfj.body and str(TODAY + timedelta(days=2)) in sfj.body
    assert "【已逾期】" in sfj.body and "2.1.3 规范性文件合法性审查" in sfj.body
    item = due.items.get(code="1.1.1")
    assert f"http://127.0.0.1:8000/campaigns/items/{item.pk}/" in sfj.body
    html, mimetype = sfj.alternatives[0]
    assert mimetype == "text/html" and f"/campaigns/items/{item.pk}/" in html
    assert run.count(Delivery.SENT) == 2
    assert AuditEntry.objects.filter(action="reminders.digest").count() == 1


def test_a_second_run_the_same_day_sends_nothing(due, emails):
    send_daily_digest(today=TODAY, days=3)
    mail.outbox.clear()
    run = send_daily_digest(today=TODAY, days=3)
    assert mail.outbox == []
    assert DigestLog.objects.filter(date=TODAY).count() == 2
    assert run.deliveries == []  # what the first run mailed is not pending any more


def test_a_return_later_that_day_waits_for_the_next_days_digest(due, emails):
    send_daily_digest(today=TODAY, days=3)
    item = submitted(due, "2.1.4")
    campaign_services.item_return(acting_user=emails.szq_reviewer, item=item, reason="补充")
    mail.outbox.clear()
    run = send_daily_digest(today=TODAY, days=3)
    assert mail.outbox == []
    assert [(d.user, d.status) for d in run.deliveries] == [
        (emails.szq_liaison, Delivery.ALREADY_SENT)
    ]
    send_daily_digest(today=TODAY + timedelta(days=1), days=3)
    [message] = mail.outbox
    assert message.to == ["sfj@szq.example.gov.cn"]
    assert "【被退回】" in message.body and "2.1.4 备案审查" in message.body
    assert "退回原因：补充" in message.body
    assert "1.1.1" not in message.body  # already e-mailed yesterday


def test_nothing_is_sent_when_nothing_is_due(campaign, emails):
    run = send_daily_digest(today=TODAY, days=3)
    assert mail.outbox == [] and run.deliveries == []
    assert not DigestLog.objects.exists()
    assert not AuditEntry.objects.filter(action="reminders.digest").exists()


def test_users_without_an_address_get_only_the_in_app_notification(due, people):
    run = send_daily_digest(today=TODAY, days=3)
    assert mail.outbox == []
    assert {d.status for d in run.deliveries} == {Delivery.NO_EMAIL}
    assert Notification.objects.filter(user=people.szq_liaison).count() == 2
    assert not DigestLog.objects.exists()


def test_notifications_read_in_the_app_are_not_mailed(due, emails):
    send_daily_digest(today=TODAY, days=3, dry_run=True)  # nothing kept
    assert not Notification.objects.exists()
    reminders_collect(today=TODAY, days=3)
    Notification.objects.filter(user=emails.szq_liaison).update(read_at=timezone.now())
    send_daily_digest(today=TODAY, days=3)
    assert [m.to for m in mail.outbox] == [["scjg@szq.example.gov.cn"]]


def test_an_item_submitted_before_the_digest_is_left_out(due, emails):
    reminders_collect(today=TODAY, days=3)
    set_item(due, "2.1.3", status="submitted")
    send_daily_digest(today=TODAY, days=3)
    sfj = next(m for m in mail.outbox if m.to == ["sfj@szq.example.gov.cn"])
    assert "2.1.3" not in sfj.body and sfj.subject.endswith("（1项）")


def test_a_failed_send_is_retried_on_the_next_run(due, emails, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", refuse)
    run = send_daily_digest(today=TODAY, days=3)
    assert run.count(Delivery.FAILED) == 2 and not DigestLog.objects.exists()
    monkeypatch.undo()
    send_daily_digest(today=TODAY, days=3)
    assert len(mail.outbox) == 2


def test_a_long_section_lists_the_first_rows_and_counts_the_rest(due, emails, monkeypatch):
    from fazhi.plans import mails

    monkeypatch.setattr(mails, "ROWS_PER_SECTION", 1)
    set_item(due, "2.1.4", deadline=TODAY - timedelta(days=1))
    send_daily_digest(today=TODAY, days=3)
    sfj = next(m for m in mail.outbox if m.to == ["sfj@szq.example.gov.cn"])
    assert "【已逾期】2 项" in sfj.body and "另有 1 项" in sfj.body
    assert "2.1.3" in sfj.body and "2.1.4" not in sfj.body  # the longest overdue first
