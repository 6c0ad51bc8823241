"""Exact sample sizes: the smallest n whose exact interval (hypergeometric for a finite
population, Clopper–Pearson otherwise) has half-width within the margin for every outcome.

References
----------
.. [1] Buonaccorsi, J. P. (1987). A note on confidence intervals for proportions in finite
   populations. *The American Statistician* 41, 215–218.
.. [2] Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits
   illustrated in the case of the binomial. *Biometrika* 26, 404–413.
"""
from __future__ import annotations

import math

import numpy as np

from ._core import cochran_size, z_value
from ..errors import ArgumentError

__all__ = ['EXACT_MAX_N', 'EXACT_MAX_N_FINITE', 'BOOST_MAX_N', 'hypergeom_cdf', 'hypergeom_upper', 'exact_halfwidth', 'exact_n', 'exact_window']

BOOST_MAX_N = 3000
#: the exact search is refused up front beyond these sample sizes (Cochran's n as the guide):
#: its cost grows with n² (n outcomes × n terms per hypergeometric CDF), so n = 2,000 takes a
#: few seconds with N known and n = 10,000 minutes; at such n Cochran's formula is within
#: about 5% of the exact answer (1,006 against 1,052 at N = 50,000, ±2 points)
EXACT_MAX_N_FINITE = 2_000
EXACT_MAX_N = 30_000


def hypergeom_cdf(x: np.ndarray, N: int, M: np.ndarray, n: int) -> np.ndarray:
    """P(X ≤ x) for X ~ Hypergeometric(N, M, n), elementwise over x and M.

    Sums the probability mass function written with log-gamma functions. This is the same
    quantity as ``scipy.stats.hypergeom.cdf(x, N, M, n)`` (against which the tests check
    it) but many times faster for large N, where scipy's Boost implementation is slow.
    """
    x = np.asarray(x, dtype=float)[:, None]
    M = np.asarray(M, dtype=float)[:, None]
    k = np.arange(n + 1, dtype=float)[None, :]
    valid = (k <= M) & (n - k <= N - M) & (k <= x)
    kk = np.where(valid, k, 0.0)
    log_pmf = (_log_choose(M, kk) + _log_choose(N - M, n - kk) - _log_choose(float(N), float(n)))
    return np.minimum(np.where(valid, np.exp(log_pmf), 0.0).sum(axis=1), 1.0)


def _log_choose(a, b):
    from scipy.special import gammaln

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    bb = np.clip(b, 0.0, np.maximum(a, 0.0))
    return gammaln(a + 1) - gammaln(bb + 1) - gammaln(a - bb + 1)


def hypergeom_upper(x: np.ndarray, n: int, N: int, alpha: float) -> np.ndarray:
    """Upper exact bound for the population count M, for each observed count x.

    The largest M (x ≤ M ≤ N − n + x) not rejected by the one-sided test
    P(X ≤ x | M) ≤ α/2, X ~ Hypergeometric(N, M, n) (Buonaccorsi 1987; Wendell & Schmee
    2001). P(X ≤ x | M) falls as M grows, so a vectorised bisection over M finds it.
    """
    from scipy import stats  # here, not at import: scipy.stats takes half a second to load
    lo = x.astype(np.int64)  # P(X ≤ x | M = x) = 1: always accepted
    hi = (N - n + x).astype(np.int64)
    while True:
        open_ = hi > lo
        if not open_.any():
            return lo
        mid = (lo + hi + 1) // 2
        if N <= BOOST_MAX_N:  # scipy's hypergeom(M=total, n=successes, N=draws)
            cdf = stats.hypergeom.cdf(x, N, mid, n)
        else:
            cdf = hypergeom_cdf(x, N, mid, n)
        ok = cdf > alpha / 2
        lo = np.where(open_ & ok, mid, lo)
        hi = np.where(open_ & ~ok, mid - 1, hi)


def _outcomes(n: int, p: float) -> np.ndarray:
    """The observed counts x over which the exact method takes its worst case.

    Every x whose proportion x/n is at least as far from 1/2 as the planning value p. With
    the default p = 0.5 this is every x = 0…n (the fully worst case); a planning value
    p ≠ 0.5 says "we expect a proportion about this far from 50%", as in Cochran's
    formula, and the worst case is then taken over outcomes no less extreme than p.
    """
    x = np.arange(n + 1)
    dist = np.abs(x / n - 0.5)
    return x[dist >= abs(p - 0.5) - 1e-12]


def exact_halfwidth(n: int, population: int | None, confidence_level: float, p: float,
                     *, nearest: int | None = None) -> float:
    """Worst-case half-width (proportion units) of the exact interval at sample size n.

    With a population N: the exact hypergeometric interval [M_L, M_U]/N for the population
    proportion (test inversion, Buonaccorsi 1987); M_L(x) = N − M_U(n − x) by symmetry.
    Without: the Clopper–Pearson interval (Clopper & Pearson 1934), via statsmodels
    ``proportion_confint(method="beta")``. Half-width = (upper − lower)/2, maximised over
    the outcomes of :func:`_outcomes` (only the ``nearest`` ones to 50% if given: a quick
    lower bound on the worst case).
    """
    alpha = 1 - confidence_level
    x = _outcomes(n, p)
    if nearest is not None and x.size > nearest:
        x = x[np.argsort(np.abs(x / n - 0.5), kind="stable")[:nearest]]
    if population is None:
        from ..stats._proportion import proportion_interval

        lower, upper = proportion_interval(x, n, method="clopper-pearson",
                                           confidence_level=confidence_level)
        return float(np.max(upper - lower) / 2)
    if n >= population:
        return 0.0
    need = np.union1d(x, n - x)
    upper_need = hypergeom_upper(need, n, population, alpha)
    upper_of = dict(zip(need.tolist(), upper_need.tolist()))
    upper = np.array([upper_of[v] for v in x.tolist()])
    lower = population - np.array([upper_of[v] for v in (n - x).tolist()])
    return float(np.max(upper - lower) / (2 * population))


def exact_n(population: int | None, confidence_level: float, margin: float, p: float) -> int:
    """Smallest n whose worst-case exact half-width is ≤ margin, by bisection.

    Bisection finds where the worst-case half-width crosses the margin. It falls as n grows
    in the main, but discreteness makes it wobble: for a few N it dips below the margin a
    few cases before the crossing (a full scan of N = 2…250 found 4 such N — 95, 109, 175,
    241 — with dips of 2–4 cases). So the search also checks the max(16, 10%) values of n
    below the crossing and returns the smallest that meets the margin; the tests compare
    it with a brute-force scan.
    """
    def ok(n: int) -> bool:
        # the outcomes nearest 50% usually decide; check them first (a quick fail)
        if exact_halfwidth(n, population, confidence_level, p, nearest=4) > margin + 1e-12:
            return False
        return exact_halfwidth(n, population, confidence_level, p) <= margin + 1e-12

    z = z_value(confidence_level)
    guess = cochran_size(z, p, margin, population)
    limit = EXACT_MAX_N if population is None else EXACT_MAX_N_FINITE
    if guess > limit:
        raise ArgumentError("method", "exact", f"the exact search at n ≈ {guess:,} (above {limit:,}"
                            f"{'' if population is None else ' with N known'}) would take minutes to hours, "
                            "its cost growing with n²; use method 'cochran' (about 5% below the exact n at "
                            "this size: add 5% for the exact method's caution) or a larger margin")
    # bracket the answer: lo fails (0 counts as failing), hi passes; start from Cochran's n
    step = max(1, guess // 16)
    if ok(guess):
        hi, lo = guess, max(guess - step, 0)
        while lo > 0 and ok(lo):
            hi, step = lo, step * 2
            lo = max(lo - step, 0)
    else:
        lo, hi = guess, guess + step
        if population is not None:
            hi = min(hi, population)  # ok(N) always holds: the interval is a point
        while not ok(hi):
            lo, step = hi, step * 2
            hi = hi + step if population is None else min(hi + step, population)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    # the worst-case half-width can dip below the margin a few cases before the
    # bisection's crossing point (discreteness); scan a window below it for a smaller n
    best = hi
    for cand in range(hi - 1, max(hi - exact_window(hi), 0), -1):
        if ok(cand):
            best = cand
    return best


def exact_window(n: int) -> int:
    """Cases below the bisection answer that the exact search also checks."""
    return max(16, math.ceil(0.1 * n))
