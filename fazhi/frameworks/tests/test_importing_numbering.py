"""Hand-written numbering and point annotations are understood, not demanded."""

from decimal import Decimal

import pytest

from fazhi.frameworks.importing import extract_points, split_numbering


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一、依法全面履行政府职能", ("cn", "一", "依法全面履行政府职能")),
        ("一.依法决策", ("cn", "一", "依法决策")),
        ("一，依法决策", ("cn", "一", "依法决策")),
        ("十二、行政执法", ("cn", "十二", "行政执法")),
        ("九十九、兜底", ("cn", "九十九", "兜底")),
        ("（一）政府机构职能优化", ("paren_cn", "（一）", "政府机构职能优化")),
        ("(二) 深化放管服改革", ("paren_cn", "（二）", "深化放管服改革")),
        ("1.机构职能体系健全", ("arabic", "1", "机构职能体系健全")),
        ("37、推进政务公开", ("arabic", "37", "推进政务公开")),
        ("１．全角数字", ("arabic", "1", "全角数字")),
        ("(1)编制目录", ("paren_arabic", "(1)", "编制目录")),
        ("（12）全角括号", ("paren_arabic", "(12)", "全角括号")),
        ("①公布目录", ("circled", "①", "公布目录")),
        ("1.2.3 细化事项", ("dotted", "1.2.3", "细化事项")),
        ("37", ("arabic", "37", "")),
    ],
)
def test_numbering_styles_are_split_from_the_title(text, expected):
    assert split_numbering(text) == expected


@pytest.mark.parametrize(
    "text", ["一票否决事项", "10分", "1.5倍以上", "2024年底前完成", "依法决策", "百、超出范围"]
)
def test_text_that_only_starts_like_a_number_is_not_numbering(text):
    assert split_numbering(text) == (None, None, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("依法决策（10分）", (Decimal("10"), "依法决策")),
        ("依法决策(10分)", (Decimal("10"), "依法决策")),
        ("依法决策 10分", (Decimal("10"), "依法决策")),
        ("依法决策（共10分）", (Decimal("10"), "依法决策")),
        ("依法决策，满分10分", (Decimal("10"), "依法决策")),
        ("依法决策（2.5分）：", (Decimal("2.5"), "依法决策")),
        ("依法决策（１０分）", (Decimal("10"), "依法决策")),
    ],
)
def test_point_annotations_are_extracted_and_removed(text, expected):
    assert extract_points(text) == expected


@pytest.mark.parametrize("text", ["每发现一起扣1分", "得分低于60分", "依法决策"])
def test_scoring_phrases_are_not_mistaken_for_points(text):
    assert extract_points(text) == (None, text)
