"""The documented rule, against computations done by hand."""

import pytest

from fazhi.surveys import results
from fazhi.surveys.scales import DEFAULT_SCALE, Scale, default_scale

SCALE = Scale.of(default_scale())


def rate(counts):
    return results.rate_of(counts, SCALE.scores, SCALE.satisfied)


def test_rate_leaves_out_unclear_answers_and_counts_three_satisfied_choices():
    # 满意 50, 较满意 20, 基本满意 10, 不满意 10, 不清楚 10: 80 of 90 counted answers.
    r = rate([50, 20, 10, 10, 10])
    assert r.n == 90 and r.satisfied == 80
    assert results.percent(r.rate) == 88.89
    # (50×100 + 20×80 + 10×60 + 10×0) / 90 = 7200 / 90
    assert results.two_decimals(r.score) == 80.00


def test_wilson_interval_matches_the_hand_computation():
    r = rate([50, 20, 10, 10, 10])
    # p = 8/9, n = 90, z = 1.96: centre 0.872968, half width 0.065549 (worked by hand).
    assert r.low == pytest.approx(0.807419, abs=1e-5)
    assert r.high == pytest.approx(0.938517, abs=1e-5)
    assert results.percent(r.moe) == 6.55


def test_all_satisfied_still_has_a_margin_below_one_hundred():
    r = rate([100, 0, 0, 0, 0])
    assert r.rate == 1.0 and r.high == pytest.approx(1.0)
    assert r.low == pytest.approx(100 / (100 + 1.96**2), abs=1e-9)


def test_nothing_counted_gives_no_rate():
    r = rate([0, 0, 0, 0, 7])
    assert (r.n, r.rate, r.score, r.moe) == (0, None, None, None)
    assert results.percent(r.rate) is None


def test_population_weighting_uses_each_stratums_own_rate():
    small = rate([9, 0, 0, 1, 0])  # 90 %, 10 answers, population 1,000
    large = rate([1, 0, 0, 1, 0])  # 50 %, 2 answers, population 3,000
    pooled = rate(results.add([[9, 0, 0, 1, 0], [1, 0, 0, 1, 0]], 5))
    assert results.percent(pooled.rate) == 83.33  # unweighted: 10 of 12
    weighted = results.weighted_rate([(small, 1000), (large, 3000)])
    assert results.percent(weighted.rate) == 60.00  # 0.25 × 90 % + 0.75 × 50 %
    assert results.two_decimals(weighted.score) == 60.00
    # Kish: variance 0.25²·0.09/10 + 0.75²·0.25/2 = 0.0705; n_eff = 0.24 / 0.0705 ≈ 3.4, so the
    # weighted margin is far wider than the pooled one.
    assert weighted.moe > pooled.moe


def test_weighting_needs_every_population():
    assert (
        results.weighted_rate([(rate([9, 0, 0, 1, 0]), 1000), (rate([1, 0, 0, 1, 0]), None)])
        is None
    )
    # A stratum without answers does not need one.
    assert results.weighted_rate([(rate([9, 0, 0, 1, 0]), 1000), (rate([0] * 5), None)]) is not None


def test_percent_rounds_half_up():
    assert results.percent(0.125) == 12.5
    assert results.percent(0.97534) == 97.53
    assert results.percent(0.999999) == 100.0


def test_weakest_groups_and_change():
    rates = [("a", rate([9, 0, 0, 1, 0])), ("b", rate([1, 0, 0, 1, 0])), ("c", rate([0] * 5))]
    assert [name for name, _ in results.weakest(rates, count=2)] == ["b", "a"]
    assert results.change(rate([9, 0, 0, 1, 0]), rate([1, 0, 0, 1, 0])) == 40.0
    assert results.change(rate([9, 0, 0, 1, 0]), None) is None


def test_scale_reads_the_issues_words_and_codes():
    words = {
        "满意": 0,
        "比较满意": 1,
        "较满意": 1,
        "一般": 2,
        "基本满意": 2,
        "不太满意": 3,
        "不满意": 3,
        "说不清": 4,
        "不清楚": 4,
        "": 4,
        None: 4,
        " 满 意 ": 0,
        1: 0,
        "5": 4,
        3.0: 2,
    }
    for word, choice in words.items():
        assert SCALE.choice_of(word) == choice, word
    assert SCALE.choice_of("还行") is None
    assert SCALE.choice_of("6") is None
    assert Scale.of(DEFAULT_SCALE, {"还行": "基本满意"}).choice_of("还行") == 2
