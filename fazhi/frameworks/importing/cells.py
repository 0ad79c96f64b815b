"""Turn raw cell values into field values: text, points, veto flags, units, evaluation methods."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from fazhi.frameworks.tree import MAX_POINTS

from .model import EVALUATION_METHODS
from .numbering import FULLWIDTH_DIGITS

# Synonyms as written in circulated tables, checked by containment in each listed word.
METHOD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "材料评审": (
        "材料评审",
        "书面评审",
        "查阅资料",
        "资料审查",
        "材料审查",
        "查阅材料",
        "资料评审",
        "审查材料",
        "查看资料",
    ),
    "实地核查": (
        "实地核查",
        "实地查看",
        "现场检查",
        "实地检查",
        "现场核查",
        "现场查看",
        "实地考察",
        "实地评估",
    ),
    "满意度测评": ("满意度", "问卷调查", "问卷"),
    "法治能力测试": ("法治能力测试", "能力测试", "考试", "测试", "抽考"),
    "案卷评查": ("案卷评查", "案卷评审", "卷宗评查", "案卷"),
    "监测数据": ("数据监测", "统计数据", "监测"),
}
assert set(METHOD_SYNONYMS) == set(EVALUATION_METHODS)

VETO_YES = {
    "是",
    "√",
    "✓",
    "✔",
    "☑",
    "●",
    "y",
    "yes",
    "1",
    "true",
    "一票否决",
    "否决",
    "否决项",
    "是否决项",
}
VETO_NO = {"否", "×", "✗", "n", "no", "0", "false", "不是", "无", "-", "—", "/", "／"}
VETO_MARK = re.compile(r"[（(【\[]?\s*(一票否决项?|否决项)\s*[)）】\]]?")
NO_POINTS = {"-", "—", "——", "/", "／", "无", "不计分"}

_UNIT_SEPARATORS = re.compile(r"[、，,；;/／\n\r]+")
_METHOD_SEPARATORS = re.compile(r"[、，,；;/／\n\r+＋\s]+|和|及|与|或")
_POINTS_TEXT = re.compile(r"^(-?\d+(?:\.\d+)?)\s*分?$")


def cell_text(value) -> str:
    """Cell value as text: integral floats lose their ".0", dates become 2024-06-30."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def one_line(text: str) -> str:
    """Titles carry line breaks only because the cell was too narrow."""
    return re.sub(r"\s*\n\s*", "", text).strip()


OUT_OF_RANGE = f"不是有效分值（应为 0–{MAX_POINTS} 之间的数）"


def parse_points(value) -> tuple[Decimal | None, str | None]:
    """(points, problem): problem is a short Chinese reason when the value is not usable."""
    if value is None or isinstance(value, bool):
        return None, None if value is None else "不是数字"
    if isinstance(value, float):
        points = Decimal(str(round(value, 6)))  # 0.1 + 0.2 computed in Excel is still 0.3 points
    elif isinstance(value, int | Decimal):
        points = Decimal(value)
    else:
        text = cell_text(value).translate(FULLWIDTH_DIGITS).replace(" ", "")
        if not text or text in NO_POINTS:
            return None, None
        match = _POINTS_TEXT.match(text)
        if not match:
            return None, "不是数字"
        points = Decimal(match.group(1))
    if not points.is_finite():
        return None, OUT_OF_RANGE
    if points < 0:
        return None, "不能为负数"
    # 1e308 would overflow Decimal quantizing and the database column; no indicator is worth more.
    if points > MAX_POINTS:
        return None, OUT_OF_RANGE
    if points == points.to_integral_value():
        points = points.quantize(Decimal(1))
    return points, None


def parse_veto(value) -> tuple[bool, bool]:
    """(is veto, understood)."""
    text = cell_text(value).replace(" ", "").lower()
    if not text or text in VETO_NO:
        return False, True
    if text in VETO_YES or "否决" in text:
        return True, True
    return False, False


def has_veto_mark(text: str) -> bool:
    return "一票否决" in text or "否决项" in text


def strip_veto_mark(title: str) -> str:
    """ "依法决策（一票否决）" → "依法决策"; a title that is only the mark keeps it."""
    stripped = VETO_MARK.sub("", title).strip(" ：:，,")
    return stripped or title


def split_units(text: str) -> list[str]:
    units: list[str] = []
    for part in _UNIT_SEPARATORS.split(text):
        unit = part.strip(" \t\u3000。.")
        if unit and unit not in units:
            units.append(unit)
    return units


def map_evaluation_methods(text: str) -> tuple[list[str], list[str]]:
    """(canonical methods in table order, words not understood)."""
    methods: list[str] = []
    unknown: list[str] = []
    for word in _METHOD_SEPARATORS.split(text):
        word = (word or "").strip(" \t\u3000。.（）()")
        if not word:
            continue
        found = [
            name for name, synonyms in METHOD_SYNONYMS.items() if any(s in word for s in synonyms)
        ]
        if not found:
            unknown.append(word)
        for name in found:
            if name not in methods:
                methods.append(name)
    return methods, unknown
