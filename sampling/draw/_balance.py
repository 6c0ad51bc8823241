"""Balance of a drawn sample: population against sample shares of each stratification
variable, with a goodness-of-fit p-value per variable.

References
----------
.. [1] Cochran, W. G. (1954). Some methods for strengthening the common χ² tests.
   *Biometrics* 10, 417–451 (expected counts of at least 5 for the chi-square test).
.. [2] Read, T. R. C. & Cressie, N. A. C. (1988). *Goodness-of-Fit Statistics for Discrete
   Multivariate Data*, ch. 2 (exact multinomial test). Springer.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["BALANCE_COLUMNS", "EXACT_LIMIT", "gof_pvalue", "balance_table"]


BALANCE_COLUMNS = ["variable", "category", "population_n", "population_pct", "sample_n",
                   "sample_pct", "difference_pts", "p_value"]

#: Largest number of outcomes the exact multinomial test enumerates.
EXACT_LIMIT = 2_000_000


# --------------------------------------------------------------------------- reserves


# --------------------------------------------------------------------------- balance
def _compositions(n: int, k: int) -> np.ndarray:
    """Every vector of k non-negative integers summing to n (one per row)."""
    cur = np.zeros((1, 0), dtype=np.int64)
    used = np.zeros(1, dtype=np.int64)
    for _ in range(k - 1):
        reps = n - used + 1
        idx = np.repeat(np.arange(len(cur)), reps)
        starts = np.repeat(np.cumsum(reps) - reps, reps)
        offs = np.arange(int(reps.sum())) - starts
        cur = np.column_stack([cur[idx], offs])
        used = used[idx] + offs
    return np.column_stack([cur, n - used])


def gof_pvalue(observed: Sequence[int] | np.ndarray, probs: Sequence[float] | np.ndarray) -> tuple[float, str]:
    """Goodness-of-fit p-value of counts against population shares, and the method used.

    * every expected count ≥ 5: Pearson's chi-square (``scipy.stats.chisquare``; the
      usual rule of thumb, Cochran 1954, Biometrics 10:417–451);
    * otherwise, two categories: exact binomial test (``scipy.stats.binomtest``);
    * otherwise: exact multinomial test - the total probability of every outcome no more
      likely than the one observed (the probability-ordering exact test; Read & Cressie
      1988, *Goodness-of-fit statistics for discrete multivariate data*), enumerated
      when there are at most two million outcomes, else chi-square.

    A proportionally allocated sample should give p-values near 1: the test shows that
    the sample's mix matches the population's, not that anything is wrong.
    """
    from scipy.special import gammaln

    from ..stats._dist import chisquare_pvalue

    obs = np.asarray(observed, dtype=np.int64)
    p = np.asarray(probs, dtype=float)
    keep = p > 0
    if (obs[~keep] > 0).any():
        return 0.0, "exact"
    obs, p = obs[keep], p[keep] / p[keep].sum()
    n = int(obs.sum())
    k = len(obs)
    if k <= 1 or n == 0:
        return 1.0, "trivial"
    expected = n * p
    if expected.min() >= 5:
        return chisquare_pvalue(obs, expected), "chi-square"
    if k == 2:
        from scipy import stats  # the exact binomial test: small expected counts only

        return float(stats.binomtest(int(obs[0]), n, float(p[0])).pvalue), "exact binomial"
    if math.comb(n + k - 1, k - 1) > EXACT_LIMIT:
        return chisquare_pvalue(obs, expected), "chi-square (approximate: small expected counts)"
    outcomes = _compositions(n, k)
    logp = gammaln(n + 1) - gammaln(outcomes + 1).sum(axis=1) + outcomes @ np.log(p)
    observed_logp = gammaln(n + 1) - gammaln(obs + 1).sum() + obs @ np.log(p)
    pvalue = float(np.exp(logp[logp <= observed_logp + 1e-7]).sum())
    return min(1.0, pvalue), "exact multinomial"


def balance_table(marginals: pd.DataFrame, strata: Sequence[str],
                   *, methods: dict | None = None) -> pd.DataFrame:
    """Population and sample mix per variable and category, with a p-value per variable.

    Built from the allocation's ``marginals`` (``variable, category, N, allocated``): every
    cell's sample is exactly its n_h, and a substitute comes from the same cell, so a
    category's sample count is its ``allocated``. Columns: :data:`BALANCE_COLUMNS`;
    ``difference_pts`` = sample_pct − population_pct; the p-value (one per variable,
    repeated on its rows) is :func:`gof_pvalue` of the sample's counts against the
    population shares. Categories in the marginals' (canonical) order; categories with no
    case in the population are left out. If ``methods`` is a dict, the test used for each
    variable is stored in it.
    """
    rows = []
    for s in strata:
        part = marginals[marginals["variable"] == s]
        popn = part["N"].to_numpy(dtype=np.int64)
        samp = part["allocated"].to_numpy(dtype=np.int64)
        pvalue, method = gof_pvalue(samp, popn / popn.sum())
        if methods is not None:
            methods[s] = method
        ppct = 100.0 * popn / popn.sum()
        spct = 100.0 * samp / samp.sum() if samp.sum() else np.full(len(popn), np.nan)
        for j, c in enumerate(part["category"]):
            rows.append((s, str(c), int(popn[j]), float(ppct[j]), int(samp[j]), float(spct[j]),
                         float(spct[j] - ppct[j]), pvalue))
    return pd.DataFrame(rows, columns=BALANCE_COLUMNS)


# --------------------------------------------------------------------------- sample
