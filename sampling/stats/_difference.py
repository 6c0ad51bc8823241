"""The difference of two proportions from independent samples: Newcombe's hybrid score
interval, with each side's finite-population correction when its population is known.

Shared by subgroup breakdowns (:mod:`sampling._breakdown`) and comparisons of inspections.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._proportion import as_counts, proportion_interval

__all__ = ["newcombe_difference", "bonferroni_level"]


def newcombe_difference(yes1: Any, n1: Any, yes2: Any, n2: Any, *, confidence_level: float = 0.8,
                        population1: Any = None, population2: Any = None):
    """Newcombe's hybrid score interval for p₁ − p₂, vectorised; ``(diff, low, high)`` as
    fractions.

    Each side's Wilson limits (l_i, u_i) are combined as
    ``L = d − √((p₁ − l₁)² + (u₂ − p₂)²)``, ``U = d + √((u₁ − p₁)² + (p₂ − l₂)²)`` (Newcombe
    1998, method 10). With a side's eligible population N_i known, its Wilson limits carry the
    finite-population correction of :func:`~sampling.proportion_interval` (each side's distance
    from p̂ shrunk by √((N − n)/(N − 1))), so the interval narrows as the samples exhaust their
    populations. Without populations it equals statsmodels'
    ``confint_proportions_2indep(..., method="newcomb", compare="diff")``.

    Parameters
    ----------
    yes1, n1, yes2, n2 : int or array
        Yes counts and sizes of the two samples (broadcast together; n ≥ 1).
    confidence_level : float
        Two-sided, in (0, 1).
    population1, population2 : int, array or None
        Eligible populations (NaN or None: unknown, no correction).

    Returns
    -------
    (diff, low, high)
        Floats for scalar input, else arrays.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference between independent
       proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890.
    .. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §3.3. Wiley.

    >>> d, lo, hi = newcombe_difference(58, 100, 40, 100)
    >>> round(100 * d, 1), round(100 * lo, 1), round(100 * hi, 1)
    (18.0, 9.0, 26.6)
    >>> d, lo, hi = newcombe_difference(58, 100, 40, 100, population1=150, population2=150)
    >>> round(100 * lo, 1), round(100 * hi, 1)
    (12.8, 23.0)
    """
    y1, m1 = as_counts(yes1, n1)
    y2, m2 = as_counts(yes2, n2)
    scalar = all(np.ndim(v) == 0 for v in (yes1, n1, yes2, n2, population1, population2))
    l1, u1 = proportion_interval(y1, m1, method="wilson", confidence_level=confidence_level, population=population1)
    l2, u2 = proportion_interval(y2, m2, method="wilson", confidence_level=confidence_level, population=population2)
    p1, p2 = y1 / m1, y2 / m2
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    if scalar:
        return float(d), float(low), float(high)
    return np.asarray(d, dtype=float), np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def bonferroni_level(confidence_level: float, comparisons: int) -> float:
    """Each interval's confidence level so that ``comparisons`` intervals hold together with
    at least ``confidence_level`` (Bonferroni: 1 − (1 − level)/m).

    References
    ----------
    .. [1] Dunn, O. J. (1961). Multiple comparisons among means. *JASA* 56, 52–64.

    >>> bonferroni_level(0.8, 4)
    0.95
    """
    m = max(int(comparisons), 1)
    return round(1.0 - (1.0 - float(confidence_level)) / m, 12)
