"""Statistical periods as people write them: 2025Q2, 2025年第二季度, 2025年二季度, 2025年度."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError

CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CODE = re.compile(r"^\s*(\d{4})\s*[-\s]?[Qq]\s*(\d+)\s*$")
_YEAR_ONLY = re.compile(r"^\s*(\d{4})\s*(?:年度?)?\s*$")
_QUARTER_TEXT = re.compile(r"(\d{4})\s*年\s*(?:第\s*)?([一二三四五六七八九\d]+)\s*季度")
_YEAR_TEXT = re.compile(r"(\d{4})\s*年度")


def parse_period(text: str) -> str:
    """The period code of `text` ("2025Q2" or "2025"); ValidationError saying what is wrong."""
    text = str(text or "").strip()
    if match := _CODE.match(text):
        return _quarter(int(match[1]), int(match[2]), text)
    if match := _YEAR_ONLY.match(text):
        return _year(int(match[1]), text)
    if match := _QUARTER_TEXT.search(text):
        number = match[2]
        quarter = int(number) if number.isdigit() else CHINESE_DIGITS.get(number, 0)
        return _quarter(int(match[1]), quarter, text)
    raise ValidationError(f"统计期“{text}”无法识别，请写成 2025Q2（季度）或 2025（年度）")


def period_in_title(text: str) -> str | None:
    """The period a table's title names ("2025年第二季度……统计表"), or None; a wrong quarter
    (第五季度) is a ValidationError rather than no period."""
    text = str(text or "")
    if match := _QUARTER_TEXT.search(text):
        return parse_period(match[0])
    if match := _CODE.search(text) or re.search(r"(\d{4})\s*[Qq]\s*(\d+)", text):
        return _quarter(int(match[1]), int(match[2]), match[0])
    if match := _YEAR_TEXT.search(text):
        return _year(int(match[1]), match[0])
    return None


def _quarter(year: int, quarter: int, text: str) -> str:
    _year(year, text)
    if not 1 <= quarter <= 4:
        raise ValidationError(f"统计期“{text}”不正确：季度只能是 1 至 4")
    return f"{year}Q{quarter}"


def _year(year: int, text: str) -> str:
    if not 2000 <= year <= 2100:
        raise ValidationError(f"统计期“{text}”的年份不正确")
    return str(year)


def is_quarter(period: str) -> bool:
    return "Q" in period


def year_of(period: str) -> int:
    return int(period[:4])


def quarters_of(period: str) -> list[str]:
    """The quarters a period covers: itself, or the four of a year."""
    return [period] if is_quarter(period) else [f"{period}Q{q}" for q in range(1, 5)]


def label(period: str) -> str:
    if is_quarter(period):
        return f"{period[:4]}年第{'一二三四'[int(period[-1]) - 1]}季度"
    return f"{period}年度"


def previous_quarters(period: str, count: int) -> list[str]:
    """`count` quarters ending with `period` (a quarter), oldest first."""
    year, quarter = year_of(period), int(period[-1])
    found = []
    for _ in range(count):
        found.append(f"{year}Q{quarter}")
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return found[::-1]


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def last_closed_quarter(today: date) -> str:
    """The latest quarter that has ended: the one figures are being reported for."""
    return previous_quarters(quarter_of(today), 2)[0]


def quarters_between(start: date, end: date) -> list[str]:
    found, current = [], quarter_of(start)
    last = quarter_of(end)
    while current <= last:
        found.append(current)
        year, quarter = year_of(current), int(current[-1]) + 1
        current = f"{year + (quarter > 4)}Q{1 if quarter > 4 else quarter}"
    return found
