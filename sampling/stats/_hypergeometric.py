"""Finite-population intervals: the hypergeometric distribution itself, for a known N.

A simple random sample of n cases without replacement from N eligible cases, K of them "yes",
gives X ~ Hypergeometric(N, K, n) yes answers. Inverting its distribution over every
possible population count K = 0…N gives an interval for K, and so for the population
proportion K/N — the interval the finite population correction of a binomial interval only
approximates, and which is poor when n/N is large (42 of 56, 54 of 79).

* **exact, equal-tailed** (:func:`hypergeometric_exact_interval`): the lower limit is the
  smallest K with P(X ≥ x; K) > α/2, the upper the largest with P(X ≤ x; K) > α/2 (Wright
  1991; the US Office of Inspector General's RAT-STATS attribute appraisal). Its coverage is
  at least 1 − α for every K (Buonaccorsi 1987).
* **mid-p** (:func:`hypergeometric_midp_interval`): the same with half the probability of the
  observed x counted in each tail (Lancaster 1961; Agresti & Gottard 2007). Coverage is near
  1 − α on average but not guaranteed for every K.

Both are vectorised over rows: P(X ≥ x; K) increases with K (the hypergeometric family is
stochastically ordered in K), so each limit is found by an integer bisection over K that
evaluates ``scipy.stats.hypergeom`` for every row at once (about log₂ N steps). The upper
limit is the lower limit of the "no" answers, N − K_L(n − x). With n = N (a census) both
limits are the observed count: the interval is the point. Short of a census the interval
keeps at least one count's width (no false certainty) and holds p̂ = x/n.

References
----------
.. [1] Wright, T. (1991). Exact confidence bounds when sampling from small finite universes.
   *Lecture Notes in Statistics* 66. Springer.
.. [2] Buonaccorsi, J. P. (1987). A note on confidence intervals for proportions in finite
   populations. *The American Statistician* 41(3), 215–218.
.. [3] Office of Inspector General, US Department of Health and Human Services (2020).
   *RAT-STATS 2019 User Guide*, attribute appraisal (unrestricted).
.. [4] Lancaster, H. O. (1961). Significance tests in discrete distributions. *JASA* 56,
   223–234.
.. [5] Agresti, A. & Gottard, A. (2007). Nonconservative exact small-sample inference for
   discrete data. *Computational Statistics & Data Analysis* 51, 6447–6458.
"""
from __future__ import annotations

import numpy as np

from .._utils._checks import MAX_CASES, check_confidence_level
from .._utils._types import ArrayLike, Limits
from ..errors import ArgumentError

__all__ = ["hypergeometric_exact_interval", "hypergeometric_midp_interval", "hypergeometric_count_limits"]


def _upper_tail(x, N, K, n, midp: bool) -> np.ndarray:
    """P(X ≥ x; K), or P(X > x) + ½P(X = x) with ``midp``."""
    from scipy.stats import hypergeom

    tail = hypergeom.sf(x - 1, N, K, n)
    if midp:
        tail = tail - 0.5 * hypergeom.pmf(x, N, K, n)
    return tail


def _lower_count(x, n, N, alpha: float, midp: bool) -> np.ndarray:
    """The smallest K in 0…N whose upper tail at x exceeds α/2, per row (integer bisection)."""
    lo = np.zeros_like(N)
    hi = N.copy()  # at K = N every case is yes: the tail is 1 (or ½ mid-p with x = n) > α/2
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        ok = _upper_tail(x, N, mid, n, midp) > alpha / 2
        hi = np.where(ok & (lo < hi), mid, hi)
        lo = np.where(~ok & (lo < hi), mid + 1, lo)
    return lo


def _counts(yes, n, population):
    """Integer arrays (x, n, N), checked, and whether the input was scalar."""
    scalar = np.ndim(yes) == 0 and np.ndim(n) == 0 and np.ndim(population) == 0
    try:
        x, m, N = (np.array(a, dtype=float) for a in np.broadcast_arrays(
            np.asarray(yes, float), np.asarray(n, float), np.asarray(population, float)))
    except ValueError:
        raise ArgumentError("population", np.shape(population),
                            f"must broadcast with yes and n of shapes {np.shape(yes)} and {np.shape(n)}") from None
    if (~np.isfinite(N)).any():
        raise ArgumentError("population", population,
                            "must be known (a whole number ≥ n) for a hypergeometric interval")
    if (N > MAX_CASES).any():
        raise ArgumentError("population", population, f"must be at most {MAX_CASES:,} (a larger N is a typo)")
    if ((N != np.round(N)) | (N < m)).any():
        raise ArgumentError("population", population, "must be whole numbers ≥ the sample's n")
    if ((m != np.round(m)) | (m < 1) | (x != np.round(x)) | (x < 0) | (x > m)).any():
        raise ArgumentError("yes", yes, "must be whole numbers between 0 and n (n ≥ 1)")
    return x.astype(np.int64), m.astype(np.int64), N.astype(np.int64), scalar


def hypergeometric_count_limits(yes, n, population, *, confidence_level: float = 0.8, midp: bool = False):
    """The limits (K_L, K_U) on the population's count of "yes", as integer arrays.

    Parameters
    ----------
    yes, n, population : int or array
        Observed yes x, sample size n and population N (broadcast together; N ≥ n).
    confidence_level : float
        Two-sided, in (0, 1).
    midp : bool
        Mid-p tails instead of the exact ones.

    Returns
    -------
    (K_L, K_U) : integer arrays (or ints for scalar input)

    References
    ----------
    .. [1] Wright, T. (1991). Exact confidence bounds when sampling from small finite
       universes. *Lecture Notes in Statistics* 66. Springer.

    >>> hypergeometric_count_limits(3, 5, 6)
    (3, 4)
    """
    alpha = 1 - check_confidence_level(confidence_level)
    x, m, N, scalar = _counts(yes, n, population)
    low = _lower_count(x, m, N, alpha, midp)
    high = N - _lower_count(m - x, m, N, alpha, midp)
    if scalar:
        return int(low), int(high)
    return low, high


def _no_false_certainty(low, high, x, m, N):
    """Count limits that hold the estimate N·x/n and have zero width only for a census.

    The limits are widened (never narrowed) to floor(N·x/n) … ceil(N·x/n) — a mid-p limit can
    otherwise stop one count short of p̂ when n is close to N — and, while any case is
    unobserved (n < N), to at least one count: the unobserved case could move the truth by
    1/N, so an interval claiming certainty would be false (at x = 0 the upper limit moves up,
    else the lower one down).
    """
    est = N * x / m
    low = np.minimum(low, np.floor(est + 1e-9)).astype(np.int64)
    high = np.maximum(high, np.ceil(est - 1e-9)).astype(np.int64)
    point = (low == high) & (m < N)
    up = point & (x == 0)
    return np.where(point & ~up, low - 1, low), np.where(up, high + 1, high)


def _interval(yes, n, population, confidence_level, midp):
    x, m, N, scalar = _counts(yes, n, population)
    low, high = hypergeometric_count_limits(x, m, N, confidence_level=confidence_level, midp=midp)
    low, high = _no_false_certainty(np.asarray(low), np.asarray(high), x, m, N)
    low, high = low / N, high / N
    if scalar:
        return float(low), float(high)
    return low, high


def hypergeometric_exact_interval(yes: ArrayLike, n: ArrayLike, population: ArrayLike, *,
                                  confidence_level: float = 0.8) -> Limits:
    """Exact equal-tailed interval for a population proportion K/N from a simple random sample
    without replacement: ``(low, high)`` in [0, 1].

    The lower limit is K_L/N, K_L the smallest count with P(X ≥ yes; K) > α/2; the upper K_U/N,
    K_U the largest with P(X ≤ yes; K) > α/2, X ~ Hypergeometric(N, K, n). Coverage is at least
    ``confidence_level`` for every possible K. The limits are then widened, where needed, to
    hold p̂ = yes/n and to at least one count (1/N) while any case is unobserved, so that the
    interval has zero width only for a census (n = N); this can only raise coverage.

    Parameters
    ----------
    yes, n : int or array
        Yes counts and sample sizes.
    population : int or array
        The eligible population N (≥ n; must be known).
    confidence_level : float
        Two-sided, in (0, 1); default 0.8.

    Returns
    -------
    (low, high)
        Floats for scalar input, else arrays.

    References
    ----------
    .. [1] Wright, T. (1991). Exact confidence bounds when sampling from small finite
       universes. *Lecture Notes in Statistics* 66. Springer.
    .. [2] Buonaccorsi, J. P. (1987). A note on confidence intervals for proportions in finite
       populations. *The American Statistician* 41(3), 215–218.
    .. [3] Office of Inspector General, US Department of Health and Human Services (2020).
       *RAT-STATS 2019 User Guide*, attribute appraisal.

    >>> lo, hi = hypergeometric_exact_interval(30, 42, 56); round(56 * lo), round(56 * hi)
    (37, 42)

    Examples
    --------
    >>> import sampling
    >>> [round(float(x), 4) for x in sampling.hypergeometric_exact_interval(30, 42, 56)]
    [0.6607, 0.75]
    """
    return _interval(yes, n, population, confidence_level, midp=False)


def hypergeometric_midp_interval(yes: ArrayLike, n: ArrayLike, population: ArrayLike, *,
                                 confidence_level: float = 0.8) -> Limits:
    """Mid-p hypergeometric interval for a population proportion K/N: ``(low, high)`` in [0, 1].

    As :func:`hypergeometric_exact_interval` with each tail counting half the probability of
    the observed count: K_L the smallest K with P(X > yes; K) + ½P(X = yes; K) > α/2, K_U by
    symmetry. Shorter than the exact interval; its coverage is close to ``confidence_level``
    on average over K but can fall below it for some K. Widened as the exact interval is to
    hold p̂ and to have zero width only for a census.

    Parameters
    ----------
    yes, n : int or array
        Yes counts and sample sizes.
    population : int or array
        The eligible population N (≥ n; must be known).
    confidence_level : float
        Two-sided, in (0, 1); default 0.8.

    Returns
    -------
    (low, high)
        Floats for scalar input, else arrays.

    References
    ----------
    .. [1] Lancaster, H. O. (1961). Significance tests in discrete distributions. *JASA* 56,
       223–234.
    .. [2] Agresti, A. & Gottard, A. (2007). Nonconservative exact small-sample inference for
       discrete data. *Computational Statistics & Data Analysis* 51, 6447–6458.
    .. [3] Wright, T. (1991). Exact confidence bounds when sampling from small finite
       universes. *Lecture Notes in Statistics* 66. Springer.

    >>> lo, hi = hypergeometric_midp_interval(30, 42, 56); round(56 * lo), round(56 * hi)
    (38, 42)

    Examples
    --------
    >>> import sampling
    >>> [round(float(x), 4) for x in sampling.hypergeometric_midp_interval(30, 42, 56)]
    [0.6786, 0.75]
    """
    return _interval(yes, n, population, confidence_level, midp=True)
