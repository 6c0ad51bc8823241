"""Sample size to detect a change between two independent inspections, and the smallest
change a pair of samples could detect: the normal approximation for two proportions with
the finite population correction on each side.

References
----------
.. [1] Fleiss, J. L., Levin, B. & Paik, M. C. (2003). *Statistical Methods for Rates and
   Proportions*, 3rd ed., §4.2, eq. (4.14) (without the continuity correction). Wiley.
.. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4 (finite population
   correction). Wiley.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from .._utils._checks import check_confidence_level, check_fraction, check_population
from .._utils._display import TableResult
from ..errors import ArgumentError
from ..stats._dist import norm_ppf
from ._core import ceil_whole, check_p, cochran_fpc

__all__ = ["ChangePlan", "change_sample_size", "detectable_change"]


def _z_alpha(confidence_level: float, sides: int) -> float:
    if sides not in (1, 2):
        raise ArgumentError("sides", sides, "must be 1 (one-sided) or 2 (two-sided)")
    tail = (1 - confidence_level) / sides
    return float(norm_ppf(1 - tail))


def _fpc(n: float, population: int | None) -> float:
    if population is None:
        return 1.0
    return 0.0 if population <= 1 else max(population - n, 0.0) / (population - 1)


@dataclass(frozen=True, repr=False)
class ChangePlan(TableResult):
    """Cases per inspection to detect a change; see :func:`change_sample_size`.

    Attributes
    ----------
    change : float
        The change to detect, a fraction (0.15 = 15 points).
    population : int or None
        Each inspection's eligible population N (None: infinite).
    confidence_level : float
        The test's confidence level.
    power : float
        The chance of detecting the change.
    sides : int
        2 for any change, 1 for a change in a stated direction.
    p_before, p_after : float
        The planning proportions yes before and after the change.
    n0 : float
        The cases per inspection before the finite population correction (unrounded).
    n : int
        The cases per inspection, after the correction, rounded up.
    """

    change: float
    population: int | None
    confidence_level: float
    power: float
    sides: int
    p_before: float
    p_after: float
    n0: float
    n: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "population": pd.array([self.population], dtype="Int64"),
            "change": [100 * self.change],
            "from_pct": [100 * self.p_before],
            "to_pct": [100 * self.p_after],
            "power": [self.power],
            "n_per_inspection": [self.n],
        })

    def _title(self) -> str:
        side = "one-sided" if self.sides == 1 else "two-sided"
        return (f"ChangePlan: cases in each of two inspections to detect a change of "
                f"{100 * self.change:g} points, {self.confidence_level:.0%} confidence ({side}), "
                f"{self.power:.0%} power")

    def _notes(self) -> list[str]:
        return [self.formula]

    @property
    def formula(self) -> str:
        return ("n0 = (z_a·sqrt(2·p̄q̄) + z_b·sqrt(p1q1 + p2q2))² / d² (Fleiss, Levin & Paik 2003, "
                "eq. 4.14, no continuity correction), p1, p2 = p ∓ d/2; n = n0/(1 + (n0 − 1)/N) "
                f"on each inspection (Cochran 1977 §4.4); n0 = {self.n0:.2f}")


def _proportions(p: float, change: float) -> tuple[float, float]:
    """p ∓ d/2, shifted inside [0, 1] when p is too close to an end."""
    low = min(max(p - change / 2, 0.0), 1.0 - change)
    return low, low + change


def change_sample_size(
    change: float,
    population: int | None = None,
    *,
    confidence_level: float = 0.8,
    power: float = 0.8,
    p: float = 0.5,
    sides: int = 2,
) -> ChangePlan:
    """Cases to inspect in **each** of two independent inspections (equal n, each of an
    eligible population N) to detect a change of ``change`` in % yes.

    With p1 = p − d/2 and p2 = p + d/2 (moved inside [0, 1] when needed; at the default
    p = 0.5 this is the worst case), p̄ = (p1 + p2)/2, z_a = Φ⁻¹(1 − α/sides) and
    z_b = Φ⁻¹(power), Fleiss, Levin & Paik (2003, eq. 4.14, without the continuity
    correction) give the infinite-population size

        n₀ = (z_a·sqrt(2·p̄q̄) + z_b·sqrt(p1q1 + p2q2))² / d².

    Sampling without replacement multiplies each variance by (N − n)/(N − 1), so the n
    solving the same equation is n = n₀ / (1 + (n₀ − 1)/N) (Cochran 1977, §4.4), rounded up
    once and at most N.

    Parameters
    ----------
    change : float
        The change to detect, a fraction in (0, 1) (0.15 = fifteen points).
    population : int or None
        Eligible population of each inspection (None: infinite).
    confidence_level : float
        Confidence level of the test (default 0.8, the inspectorate's).
    power : float
        Probability of detecting a true change of that size (default 0.8).
    p : float
        Planning % yes around which the change is centred (default 0.5).
    sides : {1, 2}
        Two-sided test (a change either way, default) or one-sided (a change in a stated direction).

    Returns
    -------
    ChangePlan

    References
    ----------
    .. [1] Fleiss, J. L., Levin, B. & Paik, M. C. (2003). *Statistical Methods for Rates and
       Proportions*, 3rd ed., §4.2. Wiley.
    .. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4. Wiley.

    Examples
    --------
    >>> change_sample_size(0.15).n, change_sample_size(0.15, 668).n
    (100, 87)
    """
    change = check_fraction(change, "change")
    population = check_population(population)
    confidence_level = check_confidence_level(confidence_level)
    power = check_fraction(power, "power")
    p = check_p(p)
    za, zb = _z_alpha(confidence_level, sides), float(norm_ppf(power))
    p1, p2 = _proportions(p, change)
    pbar = (p1 + p2) / 2
    n0 = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / change ** 2
    n = max(1, ceil_whole(cochran_fpc(n0, population)))
    if population is not None:
        n = min(n, population)
    return ChangePlan(change=change, population=population, confidence_level=confidence_level,
                      power=power, sides=sides, p_before=p1, p_after=p2, n0=n0, n=n)


def detectable_change(
    n1: int, n2: int, population1: int | None = None, population2: int | None = None, *,
    p: float = 0.5, confidence_level: float = 0.8, power: float = 0.8, sides: int = 2,
    design_effects: Sequence[float] = (1.0, 1.0),  # two: sample 1's and sample 2's
) -> float:
    """The smallest change (a fraction) two samples of n1 and n2 cases detect with the given
    power: d = (z_a + z_b)·sqrt(p·q·(deff1·f1/n1 + deff2·f2/n2)), f = (N − n)/(N − 1), the
    normal approximation of Fleiss, Levin & Paik (2003, §4.2) with a common planning % yes p
    (use the pooled observed % yes) and Cochran's (1977, §4.4) finite population
    correction on each side. A stratified, design-weighted sample's variance is its design
    effect times that of a simple random sample of the same n (Kish 1965, §8.2): give each
    side's ``design_effects`` (default 1, a simple random sample). NaN when either sample is
    empty.

    Parameters
    ----------
    n1, n2 : int
        The two inspections' sample sizes.
    population1, population2 : int, optional
        Their eligible populations N (None: infinite, no finite population correction).
    p : float
        The planning proportion yes (0.5, the worst case, by default).
    confidence_level : float
        The test's confidence level (default 0.8, the inspectorate's).
    power : float
        The chance of detecting a change of the returned size (default 0.8).
    sides : {2, 1}
        A two-sided test (any change) or one-sided (a change in a stated direction).
    design_effects : (float, float)
        Each side's design effect (default 1, 1: simple random samples).

    Returns
    -------
    float
        The smallest detectable change, a fraction (0.1175 = 11.75 points).

    References
    ----------
    .. [1] Fleiss, J. L., Levin, B. & Paik, M. C. (2003). *Statistical Methods for Rates and
       Proportions*, 3rd ed., §4.2. Wiley.
    .. [2] Kish, L. (1965). *Survey Sampling*, §8.2. Wiley.

    >>> round(detectable_change(100, 100), 4)
    0.1501

    Examples
    --------
    >>> import sampling
    >>> round(sampling.detectable_change(132, 132, 668, 700), 4)
    0.1175
    >>> round(sampling.detectable_change(100, 100, design_effects=(2.0, 2.0)), 4)
    0.2123
    """
    if not n1 or not n2 or n1 < 1 or n2 < 1:
        return math.nan
    za, zb = _z_alpha(confidence_level, sides), float(norm_ppf(power))
    d1, d2 = (float(d) for d in design_effects)
    var = p * (1 - p) * (d1 * _fpc(n1, population1) / n1 + d2 * _fpc(n2, population2) / n2)
    return (za + zb) * math.sqrt(var)
