"""The NPS, CSAT and CES maths, against numbers worked out by hand."""

import math

import pytest

from apps.nps.scores import (
    NO_CHANGE,
    ScoreSummary,
    ces_margin,
    correlation_p_value,
    csat_margin,
    nps,
    nps_change,
    nps_gap,
    nps_margin,
    nps_variance,
    pearson,
    two_sided_p_value,
)


def summary(promoters: int, passives: int, detractors: int) -> ScoreSummary:
    return ScoreSummary(responses=promoters + passives + detractors, promoters=promoters, passives=passives,
                        detractors=detractors)


def test_nps_and_its_margin():
    # p = .5, d = .2: Var = .7 − .09 = .61; 1.96·√(.61/100)·100 = 15.308
    assert nps(50, 30, 20) == 30
    assert nps_variance(50, 30, 20) == pytest.approx(0.61)
    assert nps_margin(50, 30, 20) == pytest.approx(15.308, abs=1e-3)


def test_nps_without_answers_is_unknown():
    assert nps(0, 0, 0) is None
    assert nps_margin(0, 0, 0) is None
    assert nps_variance(0, 0, 0) is None


def test_all_promoters_have_no_spread():
    assert nps(40, 0, 0) == 100
    assert nps_margin(40, 0, 0) == 0


def test_csat_margin_is_the_normal_approximation_of_a_share():
    # 80 of 100 satisfied: 1.96·√(.8·.2/100)·100 = 7.84
    assert csat_margin(80, 100) == pytest.approx(7.84)
    assert csat_margin(0, 0) is None
    assert csat_margin(5, 5) == 0


def test_ces_margin_from_sum_and_sum_of_squares():
    # Answers 1, 3, 5, 7: Σx = 16, Σx² = 84, s² = (84 − 16²/4)/3 = 20/3; 1.96·√(20/3)/√4 = 2.5303
    assert ces_margin(16, 84, 4) == pytest.approx(2.5303, abs=1e-4)
    assert ces_margin(5, 25, 1) is None
    assert ces_margin(0, 0, 0) is None
    assert ces_margin(12, 48, 3) == 0  # 4, 4, 4


def test_summary_margins():
    scores = ScoreSummary(responses=4, promoters=2, detractors=2, csat_satisfied=3, csat_answers=4,
                          ces_total=16, ces_squares=84, ces_answers=4)
    assert scores.nps == 0
    assert scores.nps_margin == pytest.approx(1.96 * math.sqrt(1 / 4) * 100)
    assert scores.csat_margin == pytest.approx(1.96 * math.sqrt(0.75 * 0.25 / 4) * 100)
    assert scores.ces_margin == pytest.approx(2.5303, abs=1e-4)


def test_ces_margin_is_unknown_when_the_source_has_no_squares():
    assert ScoreSummary(ces_total=16, ces_answers=4).ces_margin is None


def test_two_sided_p_value():
    assert two_sided_p_value(0) == 1
    assert two_sided_p_value(1.96) == pytest.approx(0.05, abs=1e-4)
    assert two_sided_p_value(-1.96) == pytest.approx(0.05, abs=1e-4)


def test_a_large_rise_is_significant():
    # Before 40/30/30: NPS 10, Var .69. After 60/20/20: NPS 40, Var .64.
    # z = .30 / √(.69/100 + .64/100) = .30 / .115326 = 2.6013, p = .00929
    change = nps_change(summary(40, 30, 30), summary(60, 20, 20))
    assert change.delta == pytest.approx(30)
    assert change.z == pytest.approx(2.6013, abs=1e-4)
    assert change.p_value == pytest.approx(0.00929, abs=1e-4)
    assert change.significant
    assert change.direction == "up"


def test_a_small_change_is_noise():
    # 40/30/30 (NPS 10, Var .69) → 45/25/30 (NPS 15, Var .7275): z = .05 / .11906 = .42, p = .674
    change = nps_change(summary(40, 30, 30), summary(45, 25, 30))
    assert change.delta == pytest.approx(5)
    assert change.z == pytest.approx(0.42, abs=1e-3)
    assert change.p_value == pytest.approx(0.674, abs=1e-3)
    assert not change.significant


def test_a_fall_has_a_negative_z():
    change = nps_change(summary(60, 20, 20), summary(40, 30, 30))
    assert change.z == pytest.approx(-2.6013, abs=1e-4)
    assert change.significant
    assert change.direction == "down"


def test_identical_periods_are_no_change():
    change = nps_change(summary(40, 30, 30), summary(40, 30, 30))
    assert change.delta == 0
    assert change.z == 0
    assert change.p_value == 1
    assert not change.significant
    assert change.direction == ""


def test_all_promoters_in_both_periods_is_no_change():
    change = nps_change(summary(50, 0, 0), summary(80, 0, 0))
    assert change.delta == 0
    assert change.z == 0
    assert not change.significant


def test_opposite_periods_without_spread_are_a_certain_change():
    change = nps_change(summary(50, 0, 0), summary(0, 0, 50))
    assert change.delta == -200
    assert change.z == -math.inf
    assert change.p_value == 0
    assert change.significant


def test_an_empty_period_cannot_be_compared():
    assert nps_change(summary(0, 0, 0), summary(10, 0, 0)) == NO_CHANGE
    assert nps_change(summary(10, 0, 0), ScoreSummary()) == NO_CHANGE
    assert NO_CHANGE.direction == ""


def test_the_minimum_sample_guard():
    # 20 answers a side: a huge change, p ≈ 0, but too few answers to call it.
    change = nps_change(summary(20, 0, 0), summary(0, 0, 20))
    assert change.p_value == 0
    assert not change.significant
    assert nps_change(summary(20, 0, 0), summary(0, 0, 20), min_sample=20).significant


def test_pearson_from_sums():
    # x = 1, 2, 3; y = 1, 3, 2: Σx = Σy = 6, Σxy = 13, Σx² = Σy² = 14 → r = (39 − 36)/√(6·6) = .5
    assert pearson(3, 6, 6, 13, 14, 14) == pytest.approx(0.5)
    xs, ys = [1, 2, 3, 4, 5], [2, 4, 6, 8, 10]

    def sums(x, y):
        return (len(x), sum(x), sum(y), sum(a * b for a, b in zip(x, y, strict=True)), sum(a * a for a in x),
                sum(b * b for b in y))

    assert pearson(*sums(xs, ys)) == pytest.approx(1)
    assert pearson(*sums(xs, ys[::-1])) == pytest.approx(-1)
    assert pearson(*sums(xs, [3] * 5)) is None
    assert pearson(1, 1, 1, 1, 1, 1) is None
    assert pearson(0, 0, 0, 0, 0, 0) is None


def test_correlation_p_value():
    # Fisher: atanh(.5)·√25 = 2.7465 → p = .00602
    assert correlation_p_value(0.5, 28) == pytest.approx(0.00602, abs=1e-4)
    assert correlation_p_value(0.0, 28) == 1
    assert correlation_p_value(1.0, 10) == 0
    assert correlation_p_value(0.9, 3) is None
    assert correlation_p_value(None, 100) is None


def test_nps_gap_against_the_rest():
    # Whole 50/30/20 (NPS 30); part 10/0/10 (NPS 0, n = 20); rest 40/30/10 (NPS 37.5).
    gap = nps_gap(summary(10, 0, 10), summary(50, 30, 20))
    assert gap.gap == pytest.approx(-37.5)
    assert gap.share == pytest.approx(0.2)
    assert gap.impact == pytest.approx(-7.5)
    # The identity behind "impact": the whole is the rest plus the impact.
    assert nps(50, 30, 20) == pytest.approx(37.5 + gap.impact)


def test_nps_gap_needs_both_sides():
    assert nps_gap(summary(0, 0, 0), summary(5, 0, 0)) is None
    assert nps_gap(summary(5, 0, 0), summary(5, 0, 0)) is None
