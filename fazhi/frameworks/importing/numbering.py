"""Numbering (一、 （一） 1. (1) ①) and point annotations (（10分）) in indicator titles.

Government tables number by hand and mix half- and full-width punctuation freely, so the
patterns accept every variant seen in circulated tables and normalise what they return.
"""

from __future__ import annotations

import re
from decimal import Decimal

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_CN = "零〇一二三四五六七八九十两"
_SEP = r"[、.．,，:：]"
_PATTERNS = (
    ("paren_cn", re.compile(rf"^[（(]\s*([{_CN}]{{1,3}})\s*[)）]\s*{_SEP}?\s*")),
    ("paren_arabic", re.compile(rf"^[（(]\s*(\d{{1,3}})\s*[)）]\s*{_SEP}?\s*")),
    ("circled", re.compile(rf"^([{CIRCLED}])\s*{_SEP}?\s*")),
    # "1.1" / "1.2.3": the number of segments is the depth, so the kind carries it.
    (
        "dotted",
        re.compile(
            r"^(\d{1,3}(?:[.．]\d{1,3})+)(?:[.．、]\s*|\s+|$|(?=[^\d.．%％倍万亿元个分年月日项次]))"
        ),
    ),
    # A separator is required after 一/1 so that "一票否决" or "10分" are not numbering;
    # "1.5倍" is a number, not "1." followed by text.
    ("cn", re.compile(rf"^([{_CN}]{{1,3}})(?:\s*[、.．,，]\s*|\s*$)")),
    ("arabic", re.compile(r"^(\d{1,3})(?:\s*[.．、,，](?!\d)\s*|\s*$)")),
)

_NUMBER = r"(\d+(?:\.\d+)?)"
_PAREN_POINTS = re.compile(rf"[（(]\s*(?:共|满分|总分|计)?\s*{_NUMBER}\s*分\s*[)）]")
# A bare "10分" at the end counts only when it is not a rule such as "扣1分" or "低于60分".
_TRAILING_POINTS = re.compile(
    rf"(?:(?:共|满分|总分)\s*|(?<![扣加减得于过足达为每]))(?<![\d.]){_NUMBER}\s*分\s*$"
)
_TRAILING_PUNCT = " \t\r\n:：,，;；、"


def cn_to_int(text: str) -> int | None:
    """Chinese numerals up to 九十九: 一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 九十九 → 99."""
    if not text or any(ch not in CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return CN_DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    value = (CN_DIGITS[tens] if tens else 1) * 10
    return value + (CN_DIGITS[units] if units else 0)


def split_numbering(text: str) -> tuple[str | None, str | None, str]:
    """Split leading numbering: "（二）依法决策" → ("paren_cn", "（二）", "依法决策").

    Returns (kind, normalised number, rest); kind and number are None when there is none.
    Kinds: cn, paren_cn, arabic, dotted, paren_arabic, circled.
    """
    stripped = (text or "").strip()
    probe = stripped.translate(FULLWIDTH_DIGITS)
    for kind, pattern in _PATTERNS:
        match = pattern.match(probe)
        if not match:
            continue
        raw = match.group(1)
        if kind in ("cn", "paren_cn") and cn_to_int(raw) is None:
            continue
        number = _normalise_number(kind, raw)
        return kind, number, stripped[match.end() :].strip()
    return None, None, stripped


def _normalise_number(kind: str, raw: str) -> str:
    if kind == "paren_cn":
        return f"（{raw}）"
    if kind == "paren_arabic":
        return f"({int(raw)})"
    if kind == "dotted":
        return ".".join(str(int(part)) for part in re.split(r"[.．]", raw))
    if kind == "arabic":
        return str(int(raw))
    return raw


def numbering_depth(kind: str | None, number: str | None) -> str | None:
    """A kind that tells depth apart: dotted numbers of 2 and 3 segments are different levels."""
    if kind == "dotted" and number:
        return f"dotted{number.count('.') + 1}"
    return kind


def number_value(kind: str | None, number: str | None) -> str | None:
    """The code segment for a number: "（二）" → "2", "37" → "37", "③" → "3", "1.2" → "2"."""
    if not kind or not number:
        return None
    if kind in ("cn", "paren_cn"):
        return str(cn_to_int(number.strip("（）")))
    if kind == "paren_arabic":
        return number.strip("()")
    if kind == "circled":
        return str(CIRCLED.index(number) + 1)
    if kind == "dotted":
        return number.rsplit(".", 1)[-1]
    return number


def extract_points(text: str) -> tuple[Decimal | None, str]:
    """ "依法决策（10分）" → (Decimal("10"), "依法决策"); text without points comes back stripped."""
    text = (text or "").strip()
    probe = text.translate(FULLWIDTH_DIGITS)
    match = _PAREN_POINTS.search(probe) or _TRAILING_POINTS.search(probe)
    if not match:
        return None, text
    points = Decimal(match.group(1))
    rest = (text[: match.start()] + text[match.end() :]).strip(_TRAILING_PUNCT)
    return points, rest
