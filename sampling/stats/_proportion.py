"""Proportion intervals, the base both planning and analysis use.

:func:`proportion_interval` is statsmodels' ``proportion_confint`` (Wilson, Clopper–Pearson,
Jeffreys, Agresti–Coull), vectorised, with the finite population correction applied to each
side's distance from p̂ when the eligible population N is known.

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §3.3. Wiley.
.. [2] Lohr, S. L. (2010). *Sampling: Design and Analysis*, 2nd ed., §2.3. Brooks/Cole.
.. [3] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
   proportion. *Statistical Science* 16(2), 101–133.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._utils._checks import check_confidence_level, check_population
from .._utils._methods import ANALYTIC, AUTO, FINITE, STRATIFIED, check_method, resolve_method
from .._utils._types import ArrayLike, Limits
from ..errors import ArgumentError, DataError

__all__ = ["proportion_interval", "checked_interval", "interval_by_method", "fpc_factor", "as_counts", "population_array", "effective_interval"]

_STATSMODELS = {"wilson": "wilson", "clopper-pearson": "beta", "jeffreys": "jeffreys",
                "agresti-coull": "agresti_coull"}


def fpc_factor(n, population) -> np.ndarray:
    """√((N − n)/(N − 1)): the finite-population correction of a standard error
    (Cochran 1977, §3.3). 1 where N is NaN (unknown); 0 for a census (N = n)."""
    n = np.asarray(n, dtype=float)
    N = np.asarray(population, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.sqrt(np.clip((N - n) / (N - 1), 0.0, 1.0))
    f = np.where(N <= n, 0.0, f)
    return np.where(np.isnan(N), 1.0, f)


def as_counts(yes, n):
    y = np.asarray(yes, dtype=float)
    m = np.asarray(n, dtype=float)
    try:
        # copies: statsmodels writes into its inputs' views, which numpy ≥ 2.4 warns about
        y, m = (np.array(a) for a in np.broadcast_arrays(y, m))
    except ValueError:
        raise ArgumentError("yes", np.shape(yes), f"must broadcast with n of shape {np.shape(n)}") from None
    bad = ~np.isfinite(m) | (m < 1) | (m != np.round(m))
    if bad.any():
        raise DataError("n must be a whole number ≥ 1", column="n", rows=tuple(np.argwhere(bad)[:, -1] if m.ndim else ()),
                        values=tuple(m[bad].tolist()))
    bad = ~np.isfinite(y) | (y < 0) | (y > m) | (y != np.round(y))
    if bad.any():
        raise DataError("yes must be a whole number between 0 and n", column="yes",
                        rows=tuple(np.argwhere(bad)[:, -1] if y.ndim else ()), values=tuple(y[bad].tolist()))
    return y, m


def population_array(population, n) -> np.ndarray:
    if population is None:
        return np.full(np.shape(n), np.nan)
    if isinstance(population, numbers.Real) and not isinstance(population, bool) \
            and not np.isnan(population):  # type: ignore[call-overload]  # any real scalar; the stub lacks numbers.Real
        check_population(population)
    N = np.broadcast_to(np.asarray(population, dtype=float), np.shape(n)).copy()
    known = ~np.isnan(N)
    bad = known & ((N < 1) | (N != np.round(N)) | ~np.isfinite(N))
    if bad.any():
        raise ArgumentError("population", population, "must be whole numbers ≥ 1 (NaN = unknown)")
    small = known & (N < n)
    if small.any():
        raise DataError("population N is smaller than n", column="population",
                        values=[f"N={a:g} < n={b:g}" for a, b in zip(N[small], np.asarray(n)[small])],
                        hint="N is the eligible population the sample was drawn from; it must be ≥ n.")
    return N


def proportion_interval(yes: ArrayLike, n: ArrayLike, *, method: str = "wilson", confidence_level: float = 0.8,
                        population: ArrayLike | None = None) -> Limits:
    """Two-sided interval for a proportion, vectorised: ``(low, high)`` in [0, 1].

    ``statsmodels.stats.proportion.proportion_confint`` underneath (``method`` one of
    :data:`ANALYTIC`). With ``population`` (N, scalar or array; NaN = unknown) each side's
    distance from p̂ = yes/n is multiplied by √((N−n)/(N−1)) and the ends clipped to [0, 1]
    (Cochran 1977, §3.3; Lohr, *Sampling: Design and Analysis*, §2.3).

    Parameters
    ----------
    yes, n : int or array
        Yes counts and sample sizes (broadcast together).
    method : {"wilson", "clopper-pearson", "jeffreys", "agresti-coull", "hypergeometric", "hypergeometric-midp", "stratified-finite", "auto"}
        The interval (aliases such as "exact" and "beta" accepted). The two hypergeometric
        methods (:func:`~sampling.hypergeometric_exact_interval`,
        :func:`~sampling.hypergeometric_midp_interval`) and ``"stratified-finite"`` (here one
        stratum cell: :func:`~sampling.stratified_proportion_interval`) need N known for every
        row and apply no correction: they are finite-population intervals already. ``"auto"`` (the default
        of :func:`~sampling.intervals` and :func:`~sampling.rate`) is mid-p hypergeometric
        for the rows whose N is known, Wilson for the others. This low-level function keeps
        Wilson as its own default, so its figures are the formula's.
    confidence_level : float
        Two-sided, in (0, 1).
    population : int, array or None
        Eligible population N (NaN or None: unknown, no correction).

    Returns
    -------
    (low, high)
        Floats for scalar input, else arrays.

    References
    ----------
    .. [1] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
       proportion. *Statistical Science* 16, 101–133.
    .. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §3.3. Wiley.

    >>> lo, hi = proportion_interval(65, 132); round(100 * lo, 1), round(100 * hi, 1)
    (43.7, 54.8)

    Examples
    --------
    >>> import sampling
    >>> [round(float(x), 4) for x in sampling.proportion_interval(93, 132)]
    [0.6514, 0.7527]
    >>> [round(float(x), 4) for x in sampling.proportion_interval(93, 132, population=668)]
    [0.6569, 0.7477]
    """
    method = check_method(method, (AUTO,) + ANALYTIC + FINITE)
    cl = check_confidence_level(confidence_level)
    if method == AUTO:
        scalar = np.ndim(yes) == 0 and np.ndim(n) == 0 and (population is None or np.ndim(population) == 0)
        y, m = as_counts(yes, n)
        N = population_array(population, m)
        low, high = interval_by_method(y, m, resolve_method(AUTO, ~np.isnan(N)), cl, N)
        return (float(low), float(high)) if scalar else (low, high)
    return checked_interval(yes, n, method, cl, population)


def interval_by_method(yes, n, methods, cl: float, population=None):
    """Arrays (low, high) in [0, 1] with each row's own canonical method (``methods``, an array
    of :data:`ANALYTIC` or :data:`FINITE` names, e.g. from
    :func:`~sampling._utils._methods.resolve_method`): :func:`checked_interval` per method."""
    y, m = as_counts(yes, n)
    N = population_array(population, m)
    methods = np.broadcast_to(np.asarray(methods, dtype=object), y.shape)
    low, high = np.full(y.shape, np.nan), np.full(y.shape, np.nan)
    for method in dict.fromkeys(methods.ravel().tolist()):
        rows = methods == method
        low[rows], high[rows] = checked_interval(y[rows], m[rows], method, cl, N[rows])
    return low, high


def checked_interval(yes, n, method: str, cl: float, population=None):
    """:func:`proportion_interval` for a canonical ``method`` name and a checked confidence
    level ``cl`` (the estimators validate their options once, then call this)."""
    scalar = np.ndim(yes) == 0 and np.ndim(n) == 0 and np.ndim(population) == 0
    y, m = as_counts(yes, n)
    if method in FINITE:
        return _finite(y, m, method, cl, population, scalar)
    from ._dist import proportion_confint

    low, high = proportion_confint(y, m, alpha=1 - cl, method=_STATSMODELS[method])
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if population is not None:
        N = population_array(population, m)
        f = fpc_factor(m, N)
        p = y / m
        low = np.clip(p - (p - low) * f, 0.0, 1.0)
        high = np.clip(p + (high - p) * f, 0.0, 1.0)
    if scalar:
        return float(low), float(high)
    return low, high


def _finite(y, m, method, cl, population, scalar):
    from ._hypergeometric import hypergeometric_exact_interval, hypergeometric_midp_interval

    N = population_array(population, m)
    if np.isnan(N).any():
        raise ArgumentError("method", method, "needs the eligible population N (population=N); "
                            "without it use wilson or clopper-pearson")
    if method == STRATIFIED:  # one cell: the sample is a simple random sample of its N
        from ._stratified import stratified_proportion_interval

        limits = [stratified_proportion_interval([a], [b], [c], confidence_level=cl)
                  for a, b, c in zip(np.ravel(y), np.ravel(m), np.ravel(N))]
        low, high = (np.array([t[i] for t in limits], dtype=float).reshape(np.shape(y)) for i in (0, 1))
    else:
        f = hypergeometric_midp_interval if method == "hypergeometric-midp" else hypergeometric_exact_interval
        low, high = f(y, m, N, confidence_level=cl)
    if scalar:
        return float(low), float(high)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def effective_interval(yes, n, *, method: str = "wilson", confidence_level: float = 0.8):
    """``proportion_interval`` on *effective* counts, which need not be whole: the
    Korn & Graubard (1998) form for a weighted estimate p̂ with effective sample size
    n_eff (``yes`` = p̂·n_eff, ``n`` = n_eff ≥ 1). No finite-population correction.

    References
    ----------
    .. [1] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with
       small expected number of positive counts estimated from survey data. *Survey
       Methodology* 24, 193–201.

    >>> lo, hi = effective_interval(32.5, 50.0); round(100 * float(lo), 1), round(100 * float(hi), 1)
    (56.0, 73.0)
    """
    method = check_method(method, ANALYTIC)
    cl = check_confidence_level(confidence_level)
    y, m = (np.array(a, dtype=float) for a in np.broadcast_arrays(np.asarray(yes, float), np.asarray(n, float)))
    if (~np.isfinite(m) | (m < 1)).any() or (~np.isfinite(y) | (y < 0) | (y > m)).any():
        raise DataError("effective counts must satisfy 0 ≤ yes ≤ n and n ≥ 1", column="n")
    from ._dist import proportion_confint

    low, high = proportion_confint(y, m, alpha=1 - cl, method=_STATSMODELS[method])
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)
