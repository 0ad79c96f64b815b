"""The annual report's deadlines remind, once: departments before 3月1日, governments before
4月1日; a report registered as done stops them; overdue ones are pressed as overdue."""

import json
from datetime import date

import pytest

from fazhi.monitoring import services
from fazhi.monitoring.reminders import notify_annual_reports
from fazhi.plans.models import Notification

pytestmark = pytest.mark.django_db


def texts(user):
    return [n.text for n in Notification.objects.filter(user=user)]


def test_departments_are_reminded_before_1_march_until_they_report(tree, people):
    notify_annual_reports(today=date(2026, 2, 24), days=7)
    [text] = texts(people.scjg_liaison)
    assert "市中区市场监督管理局2025年度法治政府建设情况报告" in text and "2026-03-01" in text
    assert texts(people.szq_lead) == []  # publishing is not due yet
    notify_annual_reports(today=date(2026, 2, 25), days=7)
    assert len(texts(people.scjg_liaison)) == 1  # once per fact
    services.annual_report_save(
        acting_user=people.szq_liaison,
        region=tree.szq,
        unit=tree.units.szq_sfj,
        year=2025,
        submitted_on=date(2026, 2, 26),
        secrecy_reviewed_on=None,
        published_on=None,
        published_url="",
    )
    notify_annual_reports(today=date(2026, 3, 3), days=7)
    assert len(texts(people.szq_liaison)) == 1  # reported: no overdue notice
    overdue = texts(people.scjg_liaison)
    assert len(overdue) == 2 and any("已逾期" in t for t in overdue)


def test_governments_are_reminded_to_publish_by_1_april(tree, people):
    notify_annual_reports(today=date(2026, 3, 28), days=7)
    assert any("市中区2025年度" in t and "公开" in t for t in texts(people.szq_lead))
    assert any("枣庄市2025年度" in t for t in texts(people.city_lead))
    assert notify_annual_reports(today=date(2026, 9, 1), days=7) == 0  # long past: left alone


def test_the_command_reminds_and_says_how_many(tree, people):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("annual_report", "remind", "--date", "2026-02-24", stdout=out)
    assert json.loads(out.getvalue()) == {"date": "2026-02-24", "notified": 3}


def test_the_daily_reminder_run_mails_the_annual_report_owed(tree, people):
    from django.core import mail

    from fazhi.plans.services import send_daily_digest

    people.scjg_liaison.email = "scjg@szq.example.gov.cn"
    people.scjg_liaison.save(update_fields=["email"])
    send_daily_digest(today=date(2026, 2, 24), days=7)
    [message] = [m for m in mail.outbox if m.to == ["scjg@szq.example.gov.cn"]]
    assert "市中区市场监督管理局2025年度法治政府建设情况报告" in message.body
    assert "/monitoring/annual/?year=2025" in message.body
