"""The few distribution functions the analysis needs, from ``scipy.special`` alone.

``import scipy.stats`` costs more than half a second (its whole distribution machinery); the
analysis of a workbook needs only a handful of quantiles and CDFs. Each function here is the
same ufunc that ``scipy.stats`` calls underneath, with the same handling of the ends of the
support, so the numbers are identical (``tests/test_imports.py`` checks them against
``scipy.stats`` and statsmodels over a grid). ``scipy.special`` is imported on first use.
"""
from __future__ import annotations

import numpy as np

__all__ = ["norm_ppf", "norm_isf", "poisson_cdf", "poisson_ppf", "binom_cdf", "binom_skew",
           "hypergeom_cdf", "hypergeom_skew", "binom_pmf", "hypergeom_pmf", "chisquare", "chisquare_pvalue", "proportion_confint"]


def _special():
    from scipy import special

    return special


def _ufuncs():
    import scipy.special._ufuncs as scu  # the Boost-backed ufuncs scipy.stats calls

    return scu


def norm_ppf(q):
    """``scipy.stats.norm.ppf``: the standard normal quantile."""
    return _special().ndtri(q)


def norm_isf(q):
    """``scipy.stats.norm.isf``."""
    return -_special().ndtri(q)


def poisson_cdf(k, mu):
    """``scipy.stats.poisson.cdf`` for means mu ≥ 0."""
    k = np.floor(np.asarray(k, dtype=float))
    mu = np.asarray(mu, dtype=float)
    out = np.clip(_special().pdtr(np.maximum(k, 0), mu), 0.0, 1.0)
    return np.where(k < 0, 0.0, out)


def poisson_ppf(q, mu):
    """``scipy.stats.poisson.ppf`` for 0 < q < 1 and means mu ≥ 0."""
    sp = _special()
    q, mu = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(mu, dtype=float))
    vals = np.ceil(sp.pdtrik(q, mu))
    vals1 = np.maximum(vals - 1, 0)
    temp = sp.pdtr(vals1, mu)
    return np.where(temp >= q, vals1, vals)


def binom_cdf(k, n, p):
    """``scipy.stats.binom.cdf`` for whole n ≥ 0 and 0 ≤ p ≤ 1."""
    k = np.floor(np.asarray(k, dtype=float))
    n = np.asarray(n, dtype=float)
    out = np.clip(_ufuncs()._binom_cdf(k, n, p), 0.0, 1.0)
    return np.where(k >= n, 1.0, np.where(k < 0, 0.0, out))


def binom_skew(n, p):
    """``scipy.stats.binom.stats(n, p, moments="s")``."""
    n, p = np.asarray(n, dtype=float), np.asarray(p, dtype=float)
    npq_sqrt = np.sqrt(n * (p - np.square(p)))
    return np.reciprocal(npq_sqrt) - (2.0 * p) / npq_sqrt


def hypergeom_cdf(k, M, n, N):
    """``scipy.stats.hypergeom.cdf(k, M, n, N)`` (population M, n successes, N draws),
    valid whole arguments."""
    k = np.floor(np.asarray(k, dtype=float))
    M, n, N = (np.asarray(a, dtype=float) for a in (M, n, N))
    lo, hi = np.maximum(N - (M - n), 0), np.minimum(n, N)
    out = np.clip(_ufuncs()._hypergeom_cdf(k, n, N, M), 0.0, 1.0)
    return np.where(k >= hi, 1.0, np.where(k < lo, 0.0, out))


def hypergeom_skew(M, n, N):
    """``scipy.stats.hypergeom.stats(M, n, N, moments="s")``."""
    return _ufuncs()._hypergeom_skewness(1.0 * np.asarray(n), 1.0 * np.asarray(N), 1.0 * np.asarray(M))


def _beta_ppf(q, a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = (a > 0) & (b > 0)
    return np.where(ok, _ufuncs()._beta_ppf(q, np.where(ok, a, 1.0), np.where(ok, b, 1.0)), np.nan)


def _beta_isf(q, a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = (a > 0) & (b > 0)
    return np.where(ok, _special().betainccinv(np.where(ok, a, 1.0), np.where(ok, b, 1.0), q), np.nan)


def proportion_confint(count, nobs, alpha, method):
    """statsmodels' ``proportion_confint`` (two-sided) for ``method`` one of wilson, beta
    (Clopper–Pearson), jeffreys, agresti_coull: the same formulas, term for term."""
    count_a = np.asarray(count)
    nobs_a = np.asarray(nobs)
    q_ = count_a / nobs_a
    alpha = alpha / 2.0
    if method == "beta":
        ci_low = np.asarray(_beta_ppf(alpha, count_a, nobs_a - count_a + 1), dtype=float)
        ci_upp = np.asarray(_beta_isf(alpha, count_a + 1, nobs_a - count_a), dtype=float)
        ci_low = np.where(q_ == 0, 0.0, ci_low)
        ci_upp = np.where(q_ == 1, 1.0, ci_upp)
    elif method == "agresti_coull":
        crit = norm_isf(alpha)
        nobs_c = nobs_a + crit**2
        q_c = (count_a + crit**2 / 2.0) / nobs_c
        std_c = np.sqrt(q_c * (1.0 - q_c) / nobs_c)
        dist = crit * std_c
        ci_low = q_c - dist
        ci_upp = q_c + dist
    elif method == "wilson":
        crit = norm_isf(alpha)
        crit2 = crit**2
        denom = 1 + crit2 / nobs_a
        center = (q_ + crit2 / (2 * nobs_a)) / denom
        dist = crit * np.sqrt(q_ * (1.0 - q_) / nobs_a + crit2 / (4.0 * nobs_a**2))
        dist /= denom
        ci_low = center - dist
        ci_upp = center + dist
    elif method == "jeffreys":
        ci_low = _beta_ppf(alpha, count_a + 0.5, nobs_a - count_a + 0.5)
        ci_upp = _beta_isf(alpha, count_a + 0.5, nobs_a - count_a + 0.5)
    else:  # the callers check the method; a new one must be added here first
        raise ValueError(f"no proportion interval method {method!r} (wilson, agresti_coull, beta, jeffreys)")
    if method in ("agresti_coull", "wilson"):
        ci_low = np.clip(ci_low, 0, 1)
        ci_upp = np.clip(ci_upp, 0, 1)
    return ci_low, ci_upp


def binom_pmf(k, n, p):
    """``scipy.stats.binom.pmf`` for whole n ≥ 0 and 0 ≤ p ≤ 1."""
    k, n, p = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float), np.asarray(p, dtype=float))
    inside = (k >= 0) & (k <= n) & (np.floor(k) == k)
    return np.where(inside, np.clip(_ufuncs()._binom_pmf(k, n, p), 0.0, 1.0), 0.0)


def hypergeom_pmf(k, M, n, N):
    """``scipy.stats.hypergeom.pmf(k, M, n, N)`` for valid whole arguments."""
    k, M, n, N = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (k, M, n, N)))
    inside = (k >= np.maximum(N - (M - n), 0)) & (k <= np.minimum(n, N)) & (np.floor(k) == k)
    return np.where(inside, np.clip(_ufuncs()._hypergeom_pmf(k, n, N, M), 0.0, 1.0), 0.0)


def chisquare(observed, expected) -> tuple[float, float]:
    """``scipy.stats.chisquare(observed, expected)``: (Pearson's statistic, its p-value against
    chi-square with k − 1 degrees of freedom), expected summing to the observed total."""
    obs = np.asarray(observed).astype(np.float64)
    exp = np.asarray(expected, dtype=np.float64)
    stat = ((obs - exp) ** 2 / exp).sum()
    return float(stat), float(_special().chdtrc(obs.size - 1, stat))


def chisquare_pvalue(observed, expected) -> float:
    """``scipy.stats.chisquare(observed, expected).pvalue``."""
    return chisquare(observed, expected)[1]
