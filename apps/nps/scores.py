"""NPS, CSAT and CES maths: pure functions over counts, no database. DESIGN.md gives the formulas."""

import math
from dataclasses import dataclass

Z_95 = 1.96


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


def csat(satisfied: int, answered: int) -> float | None:
    """Share of 4–5 answers on the 1–5 scale, in percent."""
    return satisfied * 100 / answered if answered else None


def ces(total: float, answered: int) -> float | None:
    """Mean effort on the 1–7 scale."""
    return total / answered if answered else None


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
