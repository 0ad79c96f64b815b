"""Reading a deduction rule as standards write it (扣分标准): "每处扣1分，最多扣4分",
"扣5–15分", "扣除该项全部分值", "扣2分", "否决项：…". A rule read with certainty becomes a kind
and its numbers; any other is kept as its text and flagged (`unread`), never guessed — a text
that names two different deductions ("缺少审批表扣2分；审批不及时扣1分") is one of those."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

NUMBER = r"(\d+(?:\.\d+)?)"
_DASHES = re.compile(r"\s*[-–—―－~～〜至到]+\s*")
_RANGE = re.compile(rf"扣(?:除|减)?\s*{NUMBER}\s*-\s*{NUMBER}\s*分")
_PER = re.compile(
    rf"(?:每|一)(?:发现|缺少?|少|有|出现)?(?:一)?(?:处|项|份|个|次|件|人|页|种|张|类)"
    rf"[^，,；;。]{{0,12}}?扣(?:除|减)?\s*{NUMBER}\s*分"
)
_CAP = re.compile(
    rf"(?:最多|最高|至多|累计|合计|上限|本项最多|此项最多|该项最多)[^0-9，,；;。]{{0,6}}{NUMBER}\s*分"
)
_TO_ZERO = re.compile(r"扣完为止|扣满为止|扣至0分|扣完该项分值为止")
_WHOLE = re.compile(
    r"(?:扣除|扣减|扣)(?:该|本|此)项(?:的)?(?:全部|所有)?(?:分值|分数|得分|分)"
    r"|(?:该|本|此)项(?:不得分|计0分|得0分|全部扣除|分值全扣)"
    r"|扣除全部分值|不得分"
)
_AMOUNT = re.compile(rf"扣(?:除|减)?\s*{NUMBER}\s*分")
_VETO = re.compile(r"否决")


@dataclass(frozen=True)
class Rule:
    kind: str  # fixed | per_occurrence | range | whole | unread
    per: Decimal | None = None
    cap: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    veto: bool = False

    def as_json(self) -> dict:
        data = {"kind": None if self.kind == "unread" else self.kind}
        for key, value in (
            ("per", self.per),
            ("cap", self.cap),
            ("min", self.low),
            ("max", self.high),
        ):
            if value is not None:
                data[key] = number_out(value)
        return data


def number_out(value: Decimal) -> int | float:
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def decimal_of(text) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"(?<=\d)" + _DASHES.pattern + r"(?=\d)", "-", text)
    return re.sub(r"\s+", "", text)


def has_veto(text: str) -> bool:
    return bool(_VETO.search(text or ""))


def parse_rule(text: str, points: Decimal | None) -> Rule:
    """The rule written in `text` for an item worth `points`."""
    t = normalise(text)
    veto = has_veto(t)
    amounts = _AMOUNT.findall(t)
    if match := _RANGE.search(t):
        rest = _RANGE.sub("", t, count=1)
        if _AMOUNT.search(rest) or _PER.search(rest):
            return Rule("unread", veto=veto)
        low, high = Decimal(match.group(1)), Decimal(match.group(2))
        if low > high:
            return Rule("unread", veto=veto)
        return Rule("range", low=low, high=high, veto=veto)
    if match := _PER.search(t):
        per = Decimal(match.group(1))
        rest = t[: match.start()] + t[match.end() :]
        cap = None
        if cap_match := _CAP.search(rest):
            cap = Decimal(cap_match.group(1))
            rest = rest[: cap_match.start()] + rest[cap_match.end() :]
        elif _TO_ZERO.search(rest) or points is not None:
            cap = points
        if _AMOUNT.search(rest) or _PER.search(rest) or cap is None:
            return Rule("unread", veto=veto)
        return Rule("per_occurrence", per=per, cap=cap, veto=veto)
    if _WHOLE.search(t) and not amounts:
        return Rule("whole", veto=veto)
    if len(amounts) == 1 and "每" not in t:
        return Rule("fixed", per=Decimal(amounts[0]), veto=veto)
    if veto and not amounts:
        return Rule("whole", veto=True)
    return Rule("unread", veto=veto)


def rule_problems(rule: Rule, points: Decimal) -> list[str]:
    """What in a rule read cannot be right for an item worth `points`."""
    problems = []
    biggest = max((v for v in (rule.per, rule.cap, rule.high) if v is not None), default=None)
    if biggest is not None and biggest > points:
        problems.append(f"扣分（{number_out(biggest)} 分）超过该项分值 {number_out(points)} 分")
    if rule.kind == "per_occurrence" and rule.per is not None and rule.per <= 0:
        problems.append("每处扣分应大于 0")
    return problems


def describe(kind: str, *, per=None, cap=None, low=None, high=None) -> str:
    """The rule in words, for pages and exports of a standard that was not imported."""
    if kind == "fixed":
        return f"扣{number_out(per)}分"
    if kind == "per_occurrence":
        return f"每处扣{number_out(per)}分，最多扣{number_out(cap)}分"
    if kind == "range":
        return f"扣{number_out(low)}–{number_out(high)}分"
    if kind == "whole":
        return "扣除该项全部分值"
    return ""
