"""Reminders about findings through the platform's notifications: the daily run tells the unit's
liaisons of an overdue finding once; an escalation and a rejection tell them as they happen."""

import pytest

from fazhi.inspections import services
from fazhi.inspections.tests.conftest import TODAY
from fazhi.plans.models import Notification, NotificationKind
from fazhi.plans.services import reminders_collect

pytestmark = pytest.mark.django_db


def test_the_daily_run_tells_the_unit_of_its_overdue_finding_once(people, findings):
    reminders_collect(today=TODAY, days=3)
    reminders_collect(today=TODAY, days=3)
    (note,) = Notification.objects.filter(kind=NotificationKind.OVERDUE)
    assert note.user == people.scjg_liaison
    assert "第 2 号" in note.text and "已逾期" in note.text


def test_an_escalation_and_a_rejection_reach_the_unit(people, findings):
    services.escalation_add(
        acting_user=people.city_inspector,
        finding=findings.scjg,
        step="interview",
        on=TODAY,
        note="约谈分管负责人",
        today=TODAY,
    )
    services.finding_request_close(
        acting_user=people.szq_liaison, finding=findings.sfj, note="完成"
    )
    services.finding_verify(
        acting_user=people.city_inspector, finding=findings.sfj, accept=False, note="缺少文件"
    )
    texts = dict(Notification.objects.values_list("user__username", "text"))
    assert "已约谈：约谈分管负责人" in texts["scjg_liaison"]
    assert "销号申请被退回：缺少文件" in texts["szq_liaison"]


def test_the_daily_email_lists_the_overdue_finding_with_a_link_to_it(people, findings):
    from django.core import mail

    from fazhi.plans.services import send_daily_digest

    people.scjg_liaison.email = "scjg@szq.example.gov.cn"
    people.scjg_liaison.save(update_fields=["email"])
    send_daily_digest(today=TODAY, days=3)
    (message,) = mail.outbox
    assert message.to == ["scjg@szq.example.gov.cn"]
    assert "【已逾期】1 项" in message.body and "第 2 号" in message.body
    assert f"/inspections/findings/{findings.scjg.pk}/" in message.body
    html, _ = message.alternatives[0]
    assert f'href="http://127.0.0.1:8000/inspections/findings/{findings.scjg.pk}/"' in html
