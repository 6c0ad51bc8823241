"""The few distribution functions the analysis needs, without ``scipy.stats``.

``import scipy.stats`` costs more than half a second (its whole distribution machinery), and
even ``scipy.special`` a fifth of one; the analysis of a workbook needs only a handful of
quantiles and CDFs. The normal quantile and CDF are computed here in numpy (Wichura's AS241;
the C library's erf/erfc), agreeing with ``scipy.special`` to within a few units in the last
place; every other function is the same ``scipy.special`` ufunc that ``scipy.stats`` calls
underneath, with the same handling of the ends of the support, so the numbers are identical
(``tests/test_imports.py`` checks them against ``scipy.stats`` and statsmodels over a grid).
``scipy.special`` is imported on first use.
"""
from __future__ import annotations

import functools
import math

import numpy as np

__all__ = ["norm_ppf", "norm_cdf", "norm_isf", "binom_cdf", "binom_skew",
           "hypergeom_cdf", "hypergeom_skew", "binom_pmf", "hypergeom_pmf", "binom_pmf_table", "hypergeom_pmf_table",
           "chisquare", "chisquare_pvalue", "proportion_confint"]


def _special():
    from scipy import special

    return special


def _ufuncs():
    import scipy.special._ufuncs as scu  # the Boost-backed ufuncs scipy.stats calls

    return scu


def _horner(coef, r):
    out = np.full_like(r, coef[0])
    for c in coef[1:]:
        out = out * r + c
    return out


# Wichura (1988), AS241 PPND16: numerator and denominator of its three rational approximations,
# highest power first (the published table; CPython's ``statistics.NormalDist`` uses the same)
_AS241_CENTRAL = (
    (2.5090809287301226727e+3, 3.3430575583588128105e+4, 6.7265770927008700853e+4,
     4.5921953931549871457e+4, 1.3731693765509461125e+4, 1.9715909503065514427e+3,
     1.3314166789178437745e+2, 3.3871328727963666080e+0),
    (5.2264952788528545610e+3, 2.8729085735721942674e+4, 3.9307895800092710610e+4,
     2.1213794301586595867e+4, 5.3941960214247511077e+3, 6.8718700749205790830e+2,
     4.2313330701600911252e+1, 1.0),
)
_AS241_INTERMEDIATE = (
    (7.7454501427834140764e-4, 2.2723844989269184583e-2, 2.4178072517745061177e-1,
     1.2704582524523683826e+0, 3.6478483247632046050e+0, 5.7694972214606914055e+0,
     4.6303378461565452959e+0, 1.4234371107496835773e+0),
    (1.05075007164441684324e-9, 5.4759380849953449460e-4, 1.5198666563616457197e-2,
     1.4810397642748007459e-1, 6.8976733498510000455e-1, 1.6763848301838038494e+0,
     2.0531916266377588219e+0, 1.0),
)
_AS241_TAIL = (
    (2.0103343992922881327e-7, 2.7115555687434875782e-5, 1.2426609473880784386e-3,
     2.6532189526576123093e-2, 2.9656057182850489123e-1, 1.7848265399172913358e+0,
     5.4637849111641143699e+0, 6.6579046435011037772e+0),
    (2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5,
     7.8686913114561329059e-4, 1.4875361290850614853e-2, 1.3692988092273580531e-1,
     5.9983220655588793769e-1, 1.0),
)


def norm_ppf(q):
    """The standard normal quantile Φ⁻¹(q) (``scipy.special.ndtri``), in numpy.

    Wichura's algorithm AS241 (PPND16) [1]_: a rational approximation in q − ½ for
    |q − ½| ≤ 0.425, otherwise in r = √(−log min(q, 1 − q)) (two pieces, split at r = 5);
    relative error about 1e-16 over the whole range. Agrees with ``scipy.special.ndtri``
    (Cephes) to within 2e-15 relative (``tests/test_imports.py``). −inf at 0, +inf at 1,
    NaN outside [0, 1] and at NaN.

    Parameters
    ----------
    q : array_like
        Probabilities.

    Returns
    -------
    numpy.ndarray or numpy.float64
        The quantiles, shaped as ``q`` (a numpy scalar for a scalar).

    References
    ----------
    .. [1] Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the normal
       distribution. *Journal of the Royal Statistical Society, Series C (Applied
       Statistics)* 37(3), 477–484. doi:10.2307/2347330.
    """
    p = np.asarray(q, dtype=float)
    if p.ndim == 0 and p == p:  # one probability (a critical value): computed once per value
        return _norm_ppf_one(float(p))
    return _norm_ppf(p)


@functools.lru_cache(maxsize=256)
def _norm_ppf_one(q: float) -> np.float64:
    return _norm_ppf(np.asarray(q))


def _norm_ppf(p: np.ndarray):
    with np.errstate(divide="ignore", invalid="ignore"):
        d = p - 0.5
        r = 0.180625 - d * d
        central = d * _horner(_AS241_CENTRAL[0], r) / _horner(_AS241_CENTRAL[1], r)
        t = np.sqrt(-np.log(np.where(d <= 0.0, p, 1.0 - p)))
        t1, t2 = t - 1.6, t - 5.0
        tail = np.where(t <= 5.0, _horner(_AS241_INTERMEDIATE[0], t1) / _horner(_AS241_INTERMEDIATE[1], t1),
                        _horner(_AS241_TAIL[0], t2) / _horner(_AS241_TAIL[1], t2))
        x = np.where(np.abs(d) <= 0.425, central, np.where(d < 0.0, -tail, tail))
    x = np.where(p == 0.0, -np.inf, np.where(p == 1.0, np.inf, x))
    return np.where((p < 0.0) | (p > 1.0), np.nan, x)[()]


def norm_isf(q):
    """``scipy.stats.norm.isf``: −Φ⁻¹(q) (:func:`norm_ppf`)."""
    return -norm_ppf(q)


_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def norm_cdf(x):
    """The standard normal CDF Φ(x) (``scipy.special.ndtr``), from the C library's erf and erfc.

    Φ(x) = ½ + ½ erf(x/√2) for |x/√2| < 1 and ½ erfc(|x|/√2) (or its complement) beyond
    ([1]_, 7.1.2 and 26.2.29), the branches of Cephes' ``ndtr``, which scipy uses; ``math.erf``
    and ``math.erfc`` element by element (meant for the few values of an interval
    computation). Agrees with ``scipy.special.ndtr`` to within 3e-15 relative for |x| ≤ 8
    (``tests/test_imports.py``); further into the lower tail Cephes' own erfc error (up to
    about 1e-13) dominates. NaN at NaN.

    Parameters
    ----------
    x : array_like
        Points.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Φ(x), shaped as ``x`` (a numpy scalar for a scalar).

    References
    ----------
    .. [1] Abramowitz, M. & Stegun, I. A. (1964). *Handbook of Mathematical Functions*.
       National Bureau of Standards, Applied Mathematics Series 55.
    """
    s = np.asarray(x, dtype=float) * 0.7071067811865476  # x/√2 as Cephes: x · (1/√2)
    z = np.abs(s)
    body = 0.5 + 0.5 * np.asarray(_erf(s), dtype=float)
    half = 0.5 * np.asarray(_erfc(z), dtype=float)
    return np.where(z < 1.0, body, np.where(s > 0.0, 1.0 - half, half))[()]


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


def _log_factorials(n: int) -> np.ndarray:
    """log k! for k = 0, …, n (the C library's lgamma, each within a few units in the last place)."""
    return np.array([math.lgamma(k + 1.0) for k in range(int(n) + 1)])


def binom_pmf_table(n: int, p) -> np.ndarray:
    """The binomial pmf P(X = k), k = 0, …, n, for each success probability in ``p``:
    shape ``(len(p), n + 1)``, in numpy (no scipy import).

    P(X = k) = C(n, k) pᵏ (1 − p)ⁿ⁻ᵏ [1]_, computed as exp of log n! − log k! − log (n − k)!
    + k log p + (n − k) log1p(−p), exactly 0 or 1 at p = 0 and p = 1. Agrees with
    ``scipy.stats.binom.pmf`` to about 1e-12 relative for n in the thousands (each log
    factorial carries a relative error near 1e-16; ``tests/test_imports.py``), not to the
    last bit as :func:`binom_pmf` does: for sums of many probabilities (misrating risk),
    where scipy's import would cost more than the arithmetic.

    References
    ----------
    .. [1] Johnson, N. L., Kemp, A. W. & Kotz, S. (2005). *Univariate Discrete Distributions*,
       3rd ed., ch. 3. Wiley.
    """
    n = int(n)
    p = np.asarray(p, dtype=float).reshape(-1, 1)
    k = np.arange(n + 1, dtype=float)
    lf = _log_factorials(n)
    inner = (p > 0) & (p < 1)
    q = np.where(inner, p, 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        logpmf = lf[n] - lf - lf[::-1] + k * np.log(q) + (n - k) * np.log1p(-q)
    edge = np.where(p == 0, k == 0, k == n).astype(float)
    return np.where(inner, np.clip(np.exp(logpmf), 0.0, 1.0), edge)


def hypergeom_pmf_table(population: int, good, n: int) -> np.ndarray:
    """The hypergeometric pmf P(X = k), k = 0, …, n, of ``n`` draws without replacement
    from ``population`` items of which ``good`` (each entry of it) are successes: shape
    ``(len(good), n + 1)``, in numpy (no scipy import).

    P(X = k) = C(G, k) C(P − G, n − k) / C(P, n) on max(0, n − (P − G)) ≤ k ≤ min(n, G),
    zero elsewhere [1]_, computed from log factorials as :func:`binom_pmf_table` is, and as
    close to ``scipy.stats.hypergeom.pmf`` (about 1e-12 relative for populations in the
    thousands; ``tests/test_imports.py``).

    References
    ----------
    .. [1] Johnson, N. L., Kemp, A. W. & Kotz, S. (2005). *Univariate Discrete Distributions*,
       3rd ed., ch. 6. Wiley.
    """
    population, n = int(population), int(n)
    good = np.asarray(good, dtype=np.int64).reshape(-1, 1)
    k = np.arange(n + 1)
    lf = _log_factorials(population)
    bad = population - good
    inside = (k >= np.maximum(n - bad, 0)) & (k <= np.minimum(n, good))
    g, b, j = np.where(inside, good, 0), np.where(inside, bad, 0), np.where(inside, k, 0)
    j_bad = np.where(inside, n - k, 0)
    logpmf = (lf[g] - lf[j] - lf[np.maximum(g - j, 0)] + lf[b] - lf[j_bad] - lf[np.maximum(b - j_bad, 0)]
              - (lf[population] - lf[n] - lf[population - n]))
    return np.where(inside, np.clip(np.exp(logpmf), 0.0, 1.0), 0.0)


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
