"""NPS, CSAT and CES maths: pure functions over counts, no database. DESIGN.md gives the formulas.

Margins of error are half-widths of 95% confidence intervals by the normal approximation; a margin
needs at least one answer (CES: two, for a standard deviation)."""

import math
from dataclasses import dataclass

Z_95 = 1.96
# A change between two periods is called significant at this level, two-sided...
ALPHA = 0.05
# ...and only when each period has at least this many NPS answers: below it the normal approximation
# behind the test is too rough to trust (and a handful of answers swings the score by tens of points).
MIN_SAMPLE = 30


def nps(promoters: int, passives: int, detractors: int) -> float | None:
    """%promoters − %detractors, from −100 to 100; None without answers."""
    n = promoters + passives + detractors
    if n == 0:
        return None
    return (promoters - detractors) * 100 / n


def nps_margin(promoters: int, passives: int, detractors: int, z: float = Z_95) -> float | None:
    """Half-width of the confidence interval of the NPS, in NPS points (95% by default)."""
    n = promoters + passives + detractors
    if n == 0:
        return None
    p, d = promoters / n, detractors / n
    variance = p + d - (p - d) ** 2
    return z * math.sqrt(variance / n) * 100


def nps_variance(promoters: int, passives: int, detractors: int) -> float | None:
    """Variance of one answer's NPS contribution (+1, 0, −1), in share units: p + d − (p − d)²."""
    n = promoters + passives + detractors
    if n == 0:
        return None
    p, d = promoters / n, detractors / n
    return max(0.0, p + d - (p - d) ** 2)


def csat(satisfied: int, answered: int) -> float | None:
    """Share of 4–5 answers on the 1–5 scale, in percent."""
    return satisfied * 100 / answered if answered else None


def csat_margin(satisfied: int, answered: int, z: float = Z_95) -> float | None:
    """Half-width of the CSAT interval in percentage points: z·√(p(1−p)/n)·100."""
    if not answered:
        return None
    p = satisfied / answered
    return z * math.sqrt(p * (1 - p) / answered) * 100


def ces(total: float, answered: int) -> float | None:
    """Mean effort on the 1–7 scale."""
    return total / answered if answered else None


def ces_margin(total: float, squares: float, answered: int, z: float = Z_95) -> float | None:
    """Half-width of the CES interval, z·s/√n, with the sample standard deviation s computed from the
    sum and the sum of squares of the answers (so SQL can add them up); None below two answers."""
    if answered < 2:
        return None
    variance = max(0.0, (squares - total * total / answered) / (answered - 1))
    return z * math.sqrt(variance / answered)


def two_sided_p_value(z: float) -> float:
    """P(|Z| ≥ |z|) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2))


@dataclass(frozen=True)
class Change:
    """The change of a score between two periods and whether it is more than noise."""

    delta: float | None
    z: float | None
    p_value: float | None
    significant: bool

    @property
    def direction(self) -> str:
        """Up, down, or an empty string when there is no change or nothing to compare."""
        if not self.delta:
            return ""
        return "up" if self.delta > 0 else "down"


NO_CHANGE = Change(delta=None, z=None, p_value=None, significant=False)


def pearson(n: int, sum_x: float, sum_y: float, sum_xy: float, sum_xx: float, sum_yy: float) -> float | None:
    """Pearson's r from the sums SQL can compute; None when either variable does not vary."""
    if n < 2:
        return None
    covariance = n * sum_xy - sum_x * sum_y
    spread_x = n * sum_xx - sum_x * sum_x
    spread_y = n * sum_yy - sum_y * sum_y
    if spread_x <= 0 or spread_y <= 0:
        return None
    return max(-1.0, min(1.0, covariance / math.sqrt(spread_x * spread_y)))


def correlation_p_value(r: float | None, n: int) -> float | None:
    """Two-sided p-value of "no correlation", by Fisher's z = atanh(r)·√(n − 3); None below 4 pairs."""
    if r is None or n < 4:
        return None
    if abs(r) >= 1:
        return 0.0
    return two_sided_p_value(math.atanh(r) * math.sqrt(n - 3))


@dataclass(frozen=True)
class ScoreSummary:
    """What a card or a tile shows for a slice of responses."""

    responses: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    csat_satisfied: int = 0
    csat_answers: int = 0
    ces_total: float = 0
    ces_answers: int = 0
    # Σ CES²: only the CES margin needs it; sources that do not add it up leave the margin unknown.
    ces_squares: float = 0

    @property
    def nps_answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> float | None:
        return nps(self.promoters, self.passives, self.detractors)

    @property
    def nps_margin(self) -> float | None:
        return nps_margin(self.promoters, self.passives, self.detractors)

    @property
    def csat(self) -> float | None:
        return csat(self.csat_satisfied, self.csat_answers)

    @property
    def ces(self) -> float | None:
        return ces(self.ces_total, self.ces_answers)

    @property
    def csat_margin(self) -> float | None:
        return csat_margin(self.csat_satisfied, self.csat_answers)

    @property
    def ces_margin(self) -> float | None:
        if self.ces_answers and not self.ces_squares:
            return None
        return ces_margin(self.ces_total, self.ces_squares, self.ces_answers)

    @property
    def nps_variance(self) -> float | None:
        return nps_variance(self.promoters, self.passives, self.detractors)


def nps_change(before: ScoreSummary, after: ScoreSummary, *, alpha: float = ALPHA,
               min_sample: int = MIN_SAMPLE) -> Change:
    """The NPS change from `before` to `after` with a two-proportion z test:
    z = (NPS₂ − NPS₁) / √(Var₁/n₁ + Var₂/n₂), Var = p + d − (p − d)² in share units.

    Significant when the two-sided p-value is below `alpha` and both periods have `min_sample` answers.
    Two periods without spread (every answer a promoter, say) have no standard error: the same score is
    no change (z = 0), different scores are a certain one (z = ±∞, p = 0)."""
    n1, n2 = before.nps_answers, after.nps_answers
    if n1 == 0 or n2 == 0:
        return NO_CHANGE
    delta = after.nps - before.nps
    standard_error = math.sqrt(before.nps_variance / n1 + after.nps_variance / n2)
    if standard_error > 0:
        z = (delta / 100) / standard_error
    elif delta == 0:
        z = 0.0
    else:
        z = math.copysign(math.inf, delta)
    p_value = two_sided_p_value(z)
    return Change(delta=delta, z=z, p_value=p_value,
                  significant=p_value < alpha and n1 >= min_sample and n2 >= min_sample)


@dataclass(frozen=True)
class Gap:
    """How a part of the responses (a touchpoint) moves the whole NPS.

    gap: the part's NPS minus the NPS of all other responses; share: the part's share of NPS answers;
    impact = share × gap, which is exactly how many points the whole NPS is above (or below) what it
    would be without the part: NPS_all = share·NPS_part + (1 − share)·NPS_rest."""

    gap: float
    share: float
    impact: float


def nps_gap(part: ScoreSummary, whole: ScoreSummary) -> Gap | None:
    """The part's NPS gap against the rest of the whole, weighted by volume; None when either side is empty."""
    n_part, n_whole = part.nps_answers, whole.nps_answers
    rest = nps(whole.promoters - part.promoters, whole.passives - part.passives, whole.detractors - part.detractors)
    if n_part == 0 or rest is None:
        return None
    gap = part.nps - rest
    share = n_part / n_whole
    return Gap(gap=gap, share=share, impact=share * gap)
