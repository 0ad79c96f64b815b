"""One rule for overdue and due soon (campaigns.deadlines), and every place that shows it agrees:
the liaison's task list, the workbench, the campaign's checks, the dashboards and the reminders.
An item 671 days late is overdue everywhere, never "临近"."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fazhi.campaigns.deadlines import DeadlineState, days_overdue, deadline_state
from fazhi.campaigns.models import ItemStatus
from fazhi.dashboards.selectors import dashboard_facts, headline, headlines
from fazhi.plans.selectors import reminder_facts

TODAY = date(2026, 5, 20)


@pytest.mark.parametrize(
    ("deadline", "status", "expected"),
    [
        (TODAY - timedelta(days=671), ItemStatus.NOT_STARTED, DeadlineState.OVERDUE),
        (TODAY - timedelta(days=1), ItemStatus.SUBMITTED, DeadlineState.OVERDUE),  # not done
        (TODAY - timedelta(days=1), ItemStatus.RETURNED, DeadlineState.OVERDUE),
        (TODAY - timedelta(days=1), ItemStatus.APPROVED, ""),  # done
        (TODAY, ItemStatus.IN_PROGRESS, DeadlineState.DUE_SOON),  # due today: not yet late
        (TODAY + timedelta(days=3), ItemStatus.NOT_STARTED, DeadlineState.DUE_SOON),
        (TODAY + timedelta(days=4), ItemStatus.NOT_STARTED, ""),  # beyond the 3 days
        (TODAY + timedelta(days=1), ItemStatus.APPROVED, ""),
        (None, ItemStatus.NOT_STARTED, ""),  # 长期坚持
    ],
)
def test_the_rule(settings, deadline, status, expected):
    settings.FAZHI_REMINDER_DAYS = 3
    assert deadline_state(deadline=deadline, status=status, today=TODAY) == expected


def test_due_soon_follows_the_reminder_days_setting(settings):
    settings.FAZHI_REMINDER_DAYS = 10
    later = TODAY + timedelta(days=10)
    assert deadline_state(deadline=later, status="not_started", today=TODAY) == "due_soon"
    assert days_overdue(deadline=later, status="not_started", today=TODAY) == 0
    late = TODAY - timedelta(days=671)
    assert days_overdue(deadline=late, status="not_started", today=TODAY) == 671


@pytest.fixture
def dated(campaign, settings):
    """市中区司法局's three items: 1.1.1 671 days late, 2.1.3 due in two days, 2.1.4 late but
    approved; 1.1.2 (市场监管局) late and submitted."""
    settings.FAZHI_REMINDER_DAYS = 3
    today = timezone.localdate()
    rows = {
        "1.1.1": (today - timedelta(days=671), ItemStatus.NOT_STARTED),
        "2.1.3": (today + timedelta(days=2), ItemStatus.IN_PROGRESS),
        "2.1.4": (today - timedelta(days=5), ItemStatus.APPROVED),
        "1.1.2": (today - timedelta(days=3), ItemStatus.SUBMITTED),
    }
    for code, (deadline, status) in rows.items():
        campaign.items.filter(code=code).update(deadline=deadline, status=status)
    return campaign


def row_of(page: str, code: str) -> str:
    match = re.search(rf'<td class="code">{re.escape(code)}</td>.*?</tr>', page, re.S)
    assert match, code
    return match.group(0)


def test_my_tasks_badges_an_item_671_days_late_as_overdue_not_due_soon(dated, people, login):
    page = login(people.szq_liaison).get(reverse("campaigns:my_tasks")).content.decode()
    late = row_of(page, "1.1.1")
    assert "已逾期" in late and "临近" not in late
    assert "临近截止" in row_of(page, "2.1.3")
    approved = row_of(page, "2.1.4")
    assert "已逾期" not in approved and "临近" not in approved


def test_the_workbench_the_dashboard_and_the_reminders_count_the_same_overdue_items(
    dated, people, login
):
    today = timezone.localdate()
    page = login(people.szq_liaison).get(reverse("core:home")).content.decode()
    cards = {
        label.strip(): int(number)
        for number, label in re.findall(r"<strong>(\d+)</strong><span>([^<（]+)", page)
    }
    assert cards["已逾期"] == 1  # 1.1.1; the approved 2.1.4 is done
    assert cards["临近截止"] == 1  # 2.1.3
    assert "临近时限仍无材料" not in page
    # The campaign's dashboard counts 1.1.1 and the submitted 1.1.2 (not yet approved).
    facts = dashboard_facts(campaign=dated, user=people.szq_lead)
    assert headline(facts).overdue == 2
    assert headlines(campaigns=[dated], user=people.szq_lead)[dated.pk].overdue == 2
    # Seen through 司法局 only, as its liaison's workbench sees it: the same one item.
    unit = people.szq_liaison.unit
    assert headline(dashboard_facts(campaign=dated, user=people.szq_lead, unit=unit)).overdue == 1
    kinds = {
        fact.item.code: fact.kind
        for fact in reminder_facts(today=today, days=3)
        if fact.user == people.szq_liaison
    }
    assert kinds == {"1.1.1": "overdue", "2.1.3": "due_soon"}


def test_the_checks_page_splits_overdue_from_due_soon_items_without_material(dated, people, login):
    client = login(people.szq_lead)
    checks = client.get(reverse("campaigns:checks", args=[dated.pk])).content.decode()
    section = checks[checks.index("仍无材料") :]
    late = re.search(r"<td>1\.1\.1</td>.*?</tr>", section, re.S).group(0)
    soon = re.search(r"<td>2\.1\.3</td>.*?</tr>", section, re.S).group(0)
    assert "已逾期" in late and "临近截止" in soon
    assert "2.1.4" not in section  # approved: neither
    detail = client.get(reverse("campaigns:detail", args=[dated.pk])).content.decode()
    assert "已逾期 2 个" in detail and "临近截止 1 个" in detail


def test_a_digest_does_not_call_an_item_due_soon_once_it_is_overdue(
    campaign, people, annual_reports_filed
):
    from fazhi.plans.services import reminders_collect

    day = date(2025, 3, 3)
    campaign.items.filter(code="2.1.3").update(deadline=day + timedelta(days=1))
    first = reminders_collect(today=day, days=3)
    assert [n.kind for d in first if d.user == people.szq_liaison for n in d.notifications] == [
        "due_soon"
    ]
    later = reminders_collect(today=day + timedelta(days=2), days=3)
    kinds = [n.kind for d in later if d.user == people.szq_liaison for n in d.notifications]
    assert kinds == ["overdue"]  # not also the day-old "将于…到期"
