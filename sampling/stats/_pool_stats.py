"""The arithmetic of the national picture, on arrays (providers along the last axis), so that
:func:`sampling.pool` and the coverage study (``benchmarks/pool_study.py``) share one code path.

Each provider is a stratum of a stratified design, sampled by simple random sampling without
replacement from its eligible population N_i (Cochran 1977, §5.3):

* weights W_i = N_i / Σ N_j; national proportion P = Σ W_i p_i;
* within-provider variance s_i² = n_i p_i (1 − p_i)/(n_i − 1), so
  V_i = (1 − f_i) s_i²/n_i with f_i = n_i/N_i, and v(P) = Σ W_i² V_i;
* the interval is Wilson's score interval at the effective sample size
  n_eff = P(1 − P)/v(P) (Korn & Graubard 1998): the design's variance, expressed as the
  binomial sample that would have it, so the interval keeps Wilson's good behaviour near 0 and
  100% and never leaves [0, 1]. ``method="normal"`` gives P ± z·√v for comparison;
* a provider against the pool: d_i = p_i − P, and because P contains p_i,
  var(d_i) = (1 − W_i)² V_i + Σ_{j≠i} W_j² V_j (normal interval);
* funnel-plot control limits: the binomial quantiles of a provider of size n whose true
  proportion is the national one (Spiegelhalter 2005).

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.3 (stratified random
   sampling: the variance of the estimated proportion). Wiley.
.. [2] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
   expected number of positive counts estimated from survey data. *Survey Methodology* 24(2),
   193–201.
.. [3] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. *JASA* 22, 209–212.
.. [4] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
   *Statistics in Medicine* 24, 1185–1202.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .._utils._checks import check_count
from .._utils._types import ArrayLike
from ._dist import norm_ppf as ndtri

__all__ = ["POOL_METHODS", "stratified_proportion", "pooled_interval", "difference_variance",
           "funnel_limits", "z_value"]

#: Interval methods of the pooled proportion.
POOL_METHODS = ("wilson", "normal")


def z_value(confidence_level: float) -> float:
    """The two-sided normal quantile: 1.2816 at 0.8, 1.96 at 0.95."""
    return float(ndtri(0.5 + confidence_level / 2))


def stratified_proportion(yes, n, N, p=None, V=None):
    """Stratified estimate of a proportion, providers along the last axis.

    Parameters
    ----------
    yes, n, N : array_like
        Yes answers, answered cases and eligible population per provider (broadcast together).
    p, V : array_like, optional
        A provider's own design-based proportion and its variance where it has one (a
        provider whose stratum populations N_h are known: its N_h-weighted estimate and
        stratified variance); NaN (or None) elsewhere, where p = yes/n and V is the simple
        random sample's.

    Returns
    -------
    P, v, W, V : ndarray
        National proportion (0–1) and its variance (last axis summed away); each provider's
        weight and the variance of its own proportion, (1 − f) s²/n.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.3. Wiley.

    >>> P, v, W, V = stratified_proportion([60, 30], [100, 50], [400, 200])
    >>> round(float(P), 3), [round(float(w), 3) for w in W]
    (0.6, [0.667, 0.333])
    """
    yes, n, N = (np.asarray(a, dtype=float) for a in (yes, n, N))
    srs = yes / n
    W = N / N.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = np.where(n > 1, n * srs * (1 - srs) / (n - 1), 0.0)
    V_srs = (1 - n / N) * s2 / n
    p = srs if p is None else np.where(np.isnan(np.asarray(p, dtype=float)), srs, np.asarray(p, dtype=float))
    V = V_srs if V is None else np.where(np.isnan(np.asarray(V, dtype=float)), V_srs, np.asarray(V, dtype=float))
    return (W * p).sum(axis=-1), (W ** 2 * V).sum(axis=-1), W, V


def pooled_interval(P, v, n_total, confidence_level: float, method: str = "wilson"):
    """Interval (low, high, n_eff) for the pooled proportion P with variance v.

    Wilson's interval at n_eff = P(1 − P)/v (Korn & Graubard 1998); when P is 0 or 1 the
    design effect cannot be estimated and n_eff is the number of cases (their convention);
    a census (v = 0 with 0 < P < 1) has n_eff = ∞ and a zero-width interval.

    References
    ----------
    .. [1] Korn, E. L. & Graubard, B. I. (1998). *Survey Methodology* 24(2), 193–201.
    .. [2] Wilson, E. B. (1927). *JASA* 22, 209–212.

    >>> low, high, m = pooled_interval(0.5, 0.0025, 200, 0.95)
    >>> round(float(low), 4), round(float(high), 4), float(m)
    (0.4038, 0.5962, 100.0)
    """
    P, v, n_total = (np.asarray(a, dtype=float) for a in (P, v, n_total))
    z = z_value(confidence_level)
    pq = P * (1 - P)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(pq > 0, np.where(v > 0, pq / v, np.inf), n_total)
        if method == "normal":
            half = z * np.sqrt(v)
            return np.clip(P - half, 0, 1), np.clip(P + half, 0, 1), m
        z2m = np.where(np.isinf(m), 0.0, z * z / m)
        centre = (P + z2m / 2) / (1 + z2m)
        half = np.sqrt(z2m * pq + z2m ** 2 / 4) / (1 + z2m)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1), m


def difference_variance(W, V):
    """var(p_i − P) per provider, with P = Σ W_j p_j containing p_i:
    (1 − W_i)² V_i + Σ_{j≠i} W_j² V_j.

    >>> [round(float(x), 4) for x in difference_variance(np.array([0.5, 0.5]), np.array([0.01, 0.03]))]
    [0.01, 0.01]
    """
    W, V = np.asarray(W, dtype=float), np.asarray(V, dtype=float)
    total = (W ** 2 * V).sum(axis=-1, keepdims=True)
    return (1 - W) ** 2 * V + total - W ** 2 * V


def funnel_limits(national_percent: float, n: ArrayLike, *, levels: Sequence[float] = (0.8, 0.95)) -> pd.DataFrame:
    """Funnel-plot control limits for providers of size ``n`` around ``national_percent``.

    For each n and level the limits are the binomial quantiles of a provider whose true
    proportion is the national one, ``binom.ppf(q, n, P) / n * 100`` at q = (1 − level)/2 and
    (1 + level)/2 (Spiegelhalter 2005, exact binomial limits without interpolation).

    Parameters
    ----------
    national_percent : float
        The national % (0–100).
    n : int or array_like of int
        Provider sample sizes (each at least 1).
    levels : sequence of float
        Two-sided levels of the limits.

    Returns
    -------
    DataFrame
        ``n`` and, per level, ``low_<L>`` and ``high_<L>`` (L = 80, 95) in %.

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
       *Statistics in Medicine* 24, 1185–1202.

    >>> funnel_limits(60.0, [10, 100]).round(1).to_dict("list")["low_95"]
    [30.0, 50.0]

    Examples
    --------
    >>> import sampling
    >>> sampling.funnel_limits(70.0, [50, 100]).round(2)
         n  low_80  high_80  low_95  high_95
    0   50    62.0     78.0    56.0     82.0
    1  100    64.0     76.0    61.0     79.0
    """
    from scipy.stats import binom

    n = np.atleast_1d(np.asarray([check_count(v, "n", minimum=0) for v in np.atleast_1d(np.asarray(n, dtype=object))],
                                 dtype=np.int64))
    p = min(max(float(national_percent) / 100, 0.0), 1.0)
    out = {"n": n}
    for level in levels:
        tag = f"{100 * level:g}"
        out[f"low_{tag}"] = binom.ppf((1 - level) / 2, n, p) / n * 100
        out[f"high_{tag}"] = binom.ppf((1 + level) / 2, n, p) / n * 100
    return pd.DataFrame(out)
