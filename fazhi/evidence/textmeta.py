"""Guessing a document's number (文号) and issuing date (成文日期) from its text, to fill the
fields a user left empty. Official documents print the number under the red header and the
date at the end, above the seal, in Arabic or Chinese numerals (二〇二三年五月十二日)."""

from __future__ import annotations

import re
from datetime import date

_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,15}\s*[〔\[［(（【]\s*((?:19|20)\d{2})\s*[〕\]］)）】]\s*第?\s*(\d{1,5})\s*号"
)
# OCR reads the hexagonal brackets 〔〕 as [ ] ( ) or misses one; either may be missing, not both.
_OCR_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,15})\s*([〔\[［(（【{]?)\s*((?:19|20)\d{2})\s*([〕\]］)）】}]?)"
    r"\s*第?\s*(\d{1,5})\s*号"
)
_ARABIC_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_CN_DATE = re.compile(
    r"([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)
TAIL_CHARS = 3000


def guess_doc_number(text: str, *, recognised: bool = False) -> str:
    """The first document number near the top. In text recognised by OCR the brackets are
    forgiven and written as they should be: 枣市监发(2025] 3号 → 枣市监发〔2025〕3号."""
    head = text[:5000]
    if recognised:
        for match in _OCR_DOC_NUMBER.finditer(head):
            prefix, opening, year, closing, number = match.groups()
            if opening or closing:
                return f"{prefix}〔{year}〕{int(number)}号"
        return ""
    match = _DOC_NUMBER.search(head)
    return re.sub(r"\s+", "", match.group(0)) if match else ""


def guess_issue_date(text: str) -> date | None:
    """The last complete date in the document's tail, where the issuing date is printed."""
    tail = text[-TAIL_CHARS:]
    found: list[tuple[int, date]] = []
    for match in _ARABIC_DATE.finditer(tail):
        found.append((match.start(), _date(int(match[1]), int(match[2]), int(match[3]))))
    for match in _CN_DATE.finditer(tail):
        year = int("".join(str(_CN_DIGITS[c]) for c in match[1]))
        found.append((match.start(), _date(year, _cn_number(match[2]), _cn_number(match[3]))))
    valid = [(position, day) for position, day in found if day is not None]
    return max(valid)[1] if valid else None


def _cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 三十一 → 31."""
    digits = "一二三四五六七八九"
    if "十" not in text:
        return digits.index(text) + 1 if text in digits else 0
    tens, _, ones = text.partition("十")
    return (digits.index(tens) + 1 if tens else 1) * 10 + (digits.index(ones) + 1 if ones else 0)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
