"""Deadlines: reading one written by hand in a framework table ("2024年6月底前", "6月30日",
"长期坚持"), and the one rule that says whether an item is overdue or due soon."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.campaigns.models import ItemStatus

_FULL = re.compile(
    r"(?P<y>20\d{2})\s*[年./-]\s*(?P<m>\d{1,2})\s*(?:[月./-]\s*(?P<d>\d{1,2}|底|末))?"
)
_MONTH = re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2}|底|末)?")
_YEAR_END = re.compile(r"(?P<y>20\d{2})\s*年(?:底|末|年底)")


def parse_deadline(text: str, *, default_year: int) -> date | None:
    """The date a deadline text names, or None when it names none ("长期坚持", "持续推进").
    A month without a day means the month's last day; a year end means 31 December."""
    text = (text or "").strip()
    if not text:
        return None
    if match := _YEAR_END.search(text):
        return date(int(match["y"]), 12, 31)
    if match := _FULL.search(text):
        return _make(int(match["y"]), int(match["m"]), match["d"])
    if match := _MONTH.search(text):
        return _make(default_year, int(match["m"]), match["d"])
    return None


def _make(year: int, month: int, day: str | None) -> date | None:
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    if day is None or day in {"底", "末"}:
        return date(year, month, last)
    return date(year, month, min(int(day), last))


# -- where an item stands against its deadline ------------------------------------------------
#
# One rule for every page, the reminders, the dashboards and the reports:
# - done means approved (已通过): an item submitted but not yet reviewed is not done;
# - overdue (已逾期): a deadline before today and not done;
# - due soon (临近截止): a deadline from today to FAZHI_REMINDER_DAYS days ahead, not done.
# An item due today is due soon, not overdue. Items without a deadline ("长期坚持") are neither.


class DeadlineState(models.TextChoices):
    OVERDUE = "overdue", "已逾期"
    DUE_SOON = "due_soon", "临近截止"


DONE_STATES = (ItemStatus.APPROVED,)


def reminder_days() -> int:
    """How many days ahead a deadline counts as due soon (FAZHI_REMINDER_DAYS)."""
    return settings.FAZHI_REMINDER_DAYS


def deadline_state(
    *, deadline: date | None, status: str, today: date, days: int | None = None
) -> str:
    """DeadlineState.OVERDUE, DeadlineState.DUE_SOON, or "" for an item on time or done."""
    if deadline is None or status in DONE_STATES:
        return ""
    if deadline < today:
        return DeadlineState.OVERDUE
    if deadline <= today + timedelta(days=reminder_days() if days is None else days):
        return DeadlineState.DUE_SOON
    return ""


def days_overdue(*, deadline: date | None, status: str, today: date) -> int:
    """Days past the deadline of an overdue item; 0 for any other."""
    if deadline_state(deadline=deadline, status=status, today=today) != DeadlineState.OVERDUE:
        return 0
    return (today - deadline).days


def overdue_q(today: date, *, prefix: str = "") -> Q:
    """The overdue rule as a filter; `prefix` reaches the item from another model ("item__")."""
    return Q(**{f"{prefix}deadline__lt": today}) & ~Q(**{f"{prefix}status__in": DONE_STATES})


def due_soon_q(today: date, *, days: int | None = None, prefix: str = "") -> Q:
    """The due-soon rule as a filter (see `overdue_q` for `prefix`)."""
    horizon = today + timedelta(days=reminder_days() if days is None else days)
    return Q(**{f"{prefix}deadline__gte": today, f"{prefix}deadline__lte": horizon}) & ~Q(
        **{f"{prefix}status__in": DONE_STATES}
    )
