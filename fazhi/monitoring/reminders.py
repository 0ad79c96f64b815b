"""The annual report's deadline chain as reminders, in the app, once per fact: departments
report to their government by 3月1日 (their liaisons), governments publish by 4月1日 and
demonstration regions report up by the end of January (the region's lead office). A reminder
comes `days` before the deadline and, while the report is still not registered as done, as
overdue after it. The daily `fazhi reminders` run sends them with the rest (in the app and in
the day's e-mail); `fazhi annual-report remind` sends these alone."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from fazhi.accounts.models import RoleCode, User
from fazhi.campaigns.models import Campaign
from fazhi.monitoring.annual import deadlines
from fazhi.monitoring.models import AnnualReport
from fazhi.orgs.models import UnitKind
from fazhi.plans.models import NotificationKind
from fazhi.plans.selectors import liaisons
from fazhi.plans.services import notifications_create

LATE_WINDOW = timedelta(days=60)  # overdue reports are pressed for two months, then left


def notify_annual_reports(*, today: date, days: int = 7) -> int:
    year = today.year - 1
    up, departments, publish = deadlines(year)
    told = 0
    if _in_window(today, up[0], days):
        told += _regions(today, year, up, _demonstration_region_ids(), "submitted_on", "报送")
    if _in_window(today, departments[0], days):
        told += _departments(today, year, departments)
    if _in_window(today, publish[0], days):
        told += _regions(today, year, publish, None, "published_on", "公开")
    return told


def _in_window(today: date, due: date, days: int) -> bool:
    return due - timedelta(days=days) <= today <= due + LATE_WINDOW


def _kind_and_words(today: date, due: date) -> tuple[str, str]:
    if today > due:
        return NotificationKind.OVERDUE, f"已逾期（应于 {due:%Y-%m-%d} 前完成）"
    return NotificationKind.DUE_SOON, f"请于 {due:%Y-%m-%d} 前完成"


def _link(year: int) -> str:
    return f"{reverse('monitoring:annual')}?year={year}"


def _demonstration_region_ids() -> set[int]:
    return set(Campaign.objects.values_list("region_id", flat=True))


def _regions(today, year, deadline, only: set[int] | None, done_field: str, verb: str) -> int:
    due, what = deadline
    leads = User.objects.filter(
        is_active=True, roles__code=RoleCode.LEAD_ADMIN, region__isnull=False
    ).select_related("region")
    if only is not None:
        leads = leads.filter(region_id__in=only)
    done = set(
        AnnualReport.objects.filter(
            year=year, unit__isnull=True, **{f"{done_field}__isnull": False}
        ).values_list("region_id", flat=True)
    )
    by_region: dict[int, list[User]] = {}
    for lead in leads.distinct():
        if lead.region_id not in done:
            by_region.setdefault(lead.region_id, []).append(lead)
    kind, words = _kind_and_words(today, due)
    told = 0
    for region_id, users in by_region.items():
        told += notifications_create(
            users=users,
            kind=kind,
            event=f"annual{year}:{verb}:r{region_id}",
            due_on=due,
            text=f"{users[0].region.name}{year}年度法治政府建设情况报告{verb}：{what}，{words}。",
            link=_link(year),
        )
    return told


def _departments(today, year, deadline) -> int:
    due, what = deadline
    done = set(
        AnnualReport.objects.filter(
            year=year, unit__isnull=False, submitted_on__isnull=False
        ).values_list("unit_id", flat=True)
    )
    people = liaisons().filter(unit__kind=UnitKind.DEPARTMENT).select_related("unit")
    by_unit: dict[int, list[User]] = {}
    for person in people:
        if person.unit_id not in done:
            by_unit.setdefault(person.unit_id, []).append(person)
    kind, words = _kind_and_words(today, due)
    told = 0
    for unit_id, users in by_unit.items():
        told += notifications_create(
            users=users,
            kind=kind,
            event=f"annual{year}:dept:u{unit_id}",
            due_on=due,
            text=f"{users[0].unit.name}{year}年度法治政府建设情况报告：{what}，{words}。",
            link=_link(year),
        )
    return told
