"""Reminders about findings through the platform's notifications (plans): the responsible unit's
liaisons are told, once per fact, in the app, when a finding is overdue, escalated or sent back.
The daily reminder run (`plans.services.reminders_collect`) asks for the overdue ones; the
escalation and the rejection notify as they happen. Each notice opens the finding; the daily
e-mail digest lists them beside the campaign items."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from fazhi.inspections.models import Escalation, Finding
from fazhi.plans.models import NotificationKind
from fazhi.plans.selectors import liaisons
from fazhi.plans.services import notifications_create


def _label(finding: Finding) -> str:
    return f"督察问题「{finding.inspection.name} 第 {finding.number} 号」"


def _link(finding: Finding) -> str:
    return reverse("inspections:finding", args=[finding.pk])


def _unit_liaisons(finding: Finding):
    return liaisons().filter(unit_id=finding.responsible_unit_id)


def notify_overdue_findings(*, today: date) -> int:
    """Each overdue finding's liaisons, once per finding and deadline; how many were told."""
    from fazhi.inspections.selectors import overdue_q

    told = 0
    overdue = (
        Finding.objects.filter(overdue_q(today), responsible_unit__isnull=False)
        .select_related("inspection")
        .order_by("pk")
    )
    for finding in overdue.iterator(chunk_size=500):
        due = finding.due_on  # 长期坚持 falls behind on a stage of its plan
        what = "阶段目标时间节点" if finding.long_term else "整改时限"
        told += notifications_create(
            users=_unit_liaisons(finding),
            kind=NotificationKind.OVERDUE,
            event=f"finding{finding.pk}:{due.isoformat()}",
            due_on=due,
            link=_link(finding),
            text=f"{_label(finding)}已逾期（{what} {due:%Y-%m-%d}），请尽快整改并报送进展。",
        )
    return told


def notify_escalation(escalation: Escalation) -> int:
    finding = escalation.finding
    note = f"：{escalation.note}" if escalation.note else ""
    return notifications_create(
        users=_unit_liaisons(finding),
        kind=NotificationKind.OVERDUE,
        event=f"escalation{escalation.pk}",
        due_on=finding.due_on,
        link=_link(finding),
        text=f"{_label(finding)}逾期未整改，督察方已{escalation.get_step_display()}{note}",
    )


def notify_rejected(finding: Finding, reason: str) -> int:
    latest = finding.updates.order_by("-pk").values_list("pk", flat=True).first()
    return notifications_create(
        users=_unit_liaisons(finding),
        kind=NotificationKind.RETURNED,
        event=f"finding-rejected{latest}",
        link=_link(finding),
        text=f"{_label(finding)}的销号申请被退回：{reason.strip()}",
    )
