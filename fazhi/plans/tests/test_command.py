"""`fazhi reminders`, the background task and the clock that runs it daily under `fazhi serve`."""

from datetime import datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from fazhi.plans.clock import DigestClock, digest_due
from fazhi.plans.models import DigestLog, Notification
from fazhi.plans.tasks import send_daily_digest_task
from fazhi.plans.tests.conftest import TODAY, set_item


def reminders(*args) -> str:
    out = StringIO()
    call_command("reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def due(campaign):
    set_item(campaign, "1.1.1", deadline=TODAY + timedelta(days=2))
    return campaign


def test_the_command_says_what_it_sent(due, emails):
    output = reminders("--date", TODAY.isoformat(), "--days", "3")
    assert "2025-03-03，截止前 3 天提醒" in output
    assert "已发送\tszq_liaison <sfj@szq.example.gov.cn>\t1 项（临近截止 1）" in output
    assert "已发送\tscjg_liaison <scjg@szq.example.gov.cn>" in output
    assert "共发送 2 封提醒邮件" in output
    assert len(mail.outbox) == 2
    assert "没有需要提醒的任务项" in reminders("--date", TODAY.isoformat())


def test_a_dry_run_keeps_and_sends_nothing(due, emails):
    output = reminders("--date", TODAY.isoformat(), "--dry-run")
    assert "试运行" in output and "将发送\tszq_liaison" in output and "将发送 2 封" in output
    assert mail.outbox == []
    assert not Notification.objects.exists() and not DigestLog.objects.exists()


def test_the_days_come_from_the_settings_by_default(due, emails, settings):
    settings.FAZHI_REMINDER_DAYS = 1
    assert "没有需要提醒的任务项" in reminders("--date", TODAY.isoformat())
    settings.FAZHI_REMINDER_DAYS = 2
    assert "共发送 2 封" in reminders("--date", TODAY.isoformat())


def test_users_without_an_address_are_listed_as_in_app_only(due, people):
    output = reminders("--date", TODAY.isoformat())
    assert "无邮箱，仅站内通知\tszq_liaison\t1 项" in output and "共发送 0 封" in output


def test_a_malformed_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reminders", "--date", "2025/3/3")


def test_the_task_sends_todays_digest(campaign, emails):
    from django.utils import timezone

    set_item(campaign, "1.1.1", deadline=None)
    set_item(campaign, "2.1.4", deadline=timezone.localdate())
    result = send_daily_digest_task.enqueue()
    assert result.return_value["sent"] == 1
    assert [m.to for m in mail.outbox] == [["sfj@szq.example.gov.cn"]]


def test_the_clock_asks_once_a_day_after_the_hour():
    assert not digest_due(datetime(2025, 3, 3, 7, 59), hour=8, last_run=None)
    assert digest_due(datetime(2025, 3, 3, 8, 0), hour=8, last_run=None)
    assert not digest_due(datetime(2025, 3, 3, 20, 0), hour=8, last_run=TODAY)
    assert digest_due(datetime(2025, 3, 4, 8, 30), hour=8, last_run=TODAY)


def test_the_clock_enqueues_the_task_once_per_day(db):
    clock = DigestClock(hour=0)
    with mock.patch("fazhi.plans.tasks.send_daily_digest_task") as task:
        assert clock.tick() is True
        assert clock.tick() is False
    task.enqueue.assert_called_once_with()
