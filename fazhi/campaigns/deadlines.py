"""Reading a deadline written by hand in a framework table ("2024年6月底前", "6月30日", "长期坚持")."""

from __future__ import annotations

import calendar
import re
from datetime import date

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
