"""Bootstrap interval limits from replicates: percentile and BCa (Efron 1987; z₀ by mid-rank as
``scipy.stats.bootstrap``), and the analytic fallbacks where the bootstrap is known to fail —
Clopper–Pearson where it would collapse (all yes / all no, n under :data:`MIN_BOOTSTRAP_N`), and
Wilson where fewer than :data:`MIN_MINORITY` answers sit on one side (the coverage study
measured 55–76% there for the stratified bootstraps; ``benchmarks/coverage_extremes.py``).

References
----------
.. [1] Efron, B. (1987). Better bootstrap confidence intervals. *JASA* 82, 171–185.
.. [2] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 14.
"""
from __future__ import annotations

import numpy as np

from ..stats._dist import norm_cdf as ndtr
from ..stats._dist import norm_ppf as ndtri
from ..stats._proportion import checked_interval
from ._resampling import Boot

__all__ = ["MIN_BOOTSTRAP_N", "MIN_MINORITY", "quantiles", "bias_correction", "bootstrap_limits",
           "bootstrap_or_fallback"]

#: below this n a bootstrap interval is not trusted (Clopper–Pearson instead)
MIN_BOOTSTRAP_N = 10
#: a bootstrap interval needs at least this many answers on each side (yes and no); with fewer,
#: the stratified case bootstrap covers 55–76% at 80% (benchmarks/coverage_results.md, true 95%),
#: so the interval is Wilson's (with the finite-population correction), which covers there
MIN_MINORITY = 10


def quantiles(values: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Column-wise linear-interpolation quantiles (numpy's default, "type 7") at a different
    probability per column, ignoring NaN. ``values`` (B, k), ``q`` (m, k) → (m, k).
    Uses a partial sort (``np.partition``) at the few ranks needed."""
    B, k = values.shape
    out = np.full(q.shape, np.nan)
    for j in range(k):
        col = values[:, j]
        nan = np.isnan(col)
        if nan.any():
            col = col[~nan]
        m = col.size
        if m == 0:
            continue
        pos = np.clip(q[:, j], 0.0, 1.0) * (m - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, m - 1)
        part = np.partition(col, np.unique(np.concatenate([lo, hi])))
        out[:, j] = part[lo] + (part[hi] - part[lo]) * (pos - lo)
    return out


def bias_correction(boot: Boot) -> np.ndarray:
    """z₀ = Φ⁻¹(share of replicates below θ̂), ties counted half (mid-rank, as scipy)."""
    diff = boot.yes_b * boot.n[None, :] - boot.yes[None, :] * boot.n_b
    tol = np.where(boot.exact_ties, 0.5, 1e-9 * boot.n[None, :] * np.abs(boot.n_b))
    tol = np.broadcast_to(tol, diff.shape)
    valid = boot.n_b > 0
    below = np.sum(valid & (diff < -tol), axis=0)
    ties = np.sum(valid & (np.abs(diff) <= tol), axis=0)
    total = np.sum(valid, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ndtri((below + 0.5 * ties) / total)


def bootstrap_limits(boot: Boot, method: str, cl: float):
    values = boot.values
    alpha = (1.0 - cl) / 2.0
    k = values.shape[1]
    if method == "bootstrap-percentile":
        q = np.vstack([np.full(k, alpha), np.full(k, 1 - alpha)])
        ok = np.ones(k, dtype=bool)
    else:
        z0 = bias_correction(boot)
        a = boot.accel
        za, zb = ndtri(alpha), ndtri(1 - alpha)
        with np.errstate(invalid="ignore", divide="ignore"):
            q1 = ndtr(z0 + (z0 + za) / (1 - a * (z0 + za)))
            q2 = ndtr(z0 + (z0 + zb) / (1 - a * (z0 + zb)))
        ok = np.isfinite(q1) & np.isfinite(q2)
        q = np.vstack([np.where(ok, q1, alpha), np.where(ok, q2, 1 - alpha)])
    lim = quantiles(values, q)
    return lim[0], lim[1], ok


# --------------------------------------------------------------------------- public API
def bootstrap_or_fallback(boot: Boot, method: str, cl: float, yes, n, Nj, notes):
    """Bootstrap limits, with the analytic fallbacks where the bootstrap is known to fail:
    ``(low, high, methods, notes)``, the method of each row and each row's ``notes`` (a new
    list of lists) with the fallback's reason."""
    methods = np.full(len(yes), method, dtype=object)
    notes = [list(x) for x in notes]
    low, high, ok = bootstrap_limits(boot, method, cl)
    undefined = np.sum(boot.n_b <= 0, axis=0)
    collapse = (yes == 0) | (yes == n) | (n < MIN_BOOTSTRAP_N) | ~ok | ~np.isfinite(low) | ~np.isfinite(high)
    if method == "bootstrap-bca":
        collapse |= ~np.isfinite(boot.accel)
    sparse = ~collapse & (np.minimum(yes, n - yes) < MIN_MINORITY)
    for rows, name in ((collapse, "clopper-pearson"), (sparse, "wilson")):
        if rows.any():
            a, b = checked_interval(yes[rows], n[rows], name, cl, Nj[rows])
            low[rows], high[rows] = 100 * a, 100 * b
            methods[rows] = name
    B = boot.values.shape[0]
    for i in range(len(yes)):
        if collapse[i]:
            why = ("all answers yes" if yes[i] == n[i] else "no answer yes" if yes[i] == 0
                   else f"n={int(n[i])} < {MIN_BOOTSTRAP_N}" if n[i] < MIN_BOOTSTRAP_N
                   else "bootstrap distribution degenerate")
            notes[i].insert(0, f"{why}: the bootstrap interval would collapse, so Clopper–Pearson "
                               "(exact) is used")
        elif sparse[i]:
            few = min(int(yes[i]), int(n[i] - yes[i]))
            notes[i].insert(0, f"only {few} '{'yes' if yes[i] < n[i] - yes[i] else 'no'}' answer(s): the "
                               "case bootstrap undercovers at such extreme percentages, so Wilson is used")
        elif undefined[i]:
            notes[i].append(f"{undefined[i]} of {B} resamples had no applicable case; left out")
    return low, high, methods, notes
