"""Coverage with an unpublished relevant sub-sample n (issue 26, item 5).

Exact (binomial sums, no Monte Carlo error): a sub-sample of n_true = share × 132 cases, the
true % from 10 to 90; the published % is the rounded observed %; the 80% Wilson interval is
what `load_results` + `intervals` give for that published % with the n unknown, under
(a) today's rule: the smallest plausible n (≥ 40% of the sample) that admits the %;
(b) the mixture over the plausible n (uniform over 40–100% of the sample): to first order the
    mixture of the intervals has the variance p(1−p)·E[1/n], i.e. the interval at the
    harmonic mean of the plausible n (0.655 × 132 = 86), taken as ``subsample_share``.
Also printed: the coverage any single assumed n would give (normal approximation), showing
why 78–86% at every share from 0.4 to 1.0 cannot be had from the published % alone.

    PYTHONPATH=. python benchmarks/subsample_coverage.py
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

import sampling

RULES = sampling.load_framework().rules
N_MAX = 132
H_SHARE = 0.6 / math.log(1 / 0.4)  # harmonic mean of U(0.4, 1): (1 − 0.4) / ln(1/0.4)


@lru_cache(maxsize=None)
def interval(published: float, share: float | None) -> tuple[float, float]:
    r = sampling.load_results(pd.DataFrame({"key_question": ["2.2.3"], "percent": [published]}),
                              sample_sizes={"case_supervision": N_MAX}, subsample_share=share)
    row = sampling.intervals(r).table.iloc[0]
    return float(row["low"]), float(row["high"])


def coverage(n_true: int, p: float, share: float | None) -> float:
    y = np.arange(n_true + 1)
    published = RULES.published_percent(100 * y / n_true)
    pmf = stats.binom.pmf(y, n_true, p / 100)
    return float(sum(w for x, w in zip(published, pmf)
                     if interval(float(x), share)[0] <= p <= interval(float(x), share)[1]))


def main() -> None:
    shares = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    print("| rule | " + " | ".join(f"{s:.1f}" for s in shares) + " |")
    print("|---|" + "---|" * len(shares))
    for name, share in (("smallest plausible n (today)", None), (f"mixture: harmonic-mean n ({H_SHARE:.3f})", H_SHARE)):
        covs = [np.mean([coverage(round(s * N_MAX), p, share) for p in range(10, 91)]) for s in shares]
        print(f"| {name} | " + " | ".join(f"{100 * c:.1f}" for c in covs) + " |")
    z = stats.norm.ppf(0.9)
    lo_need = stats.norm.ppf(0.5 + 0.78 / 2) / z  # sqrt(n_true/n_assumed) needed for 78% at share 0.4
    hi_need = stats.norm.ppf(0.5 + 0.86 / 2) / z  # … at most this for 86% at share 1.0
    print(f"\nNormal approximation: an assumed n covers 78% at share 0.4 only if n ≤ {0.4 * N_MAX / lo_need**2:.0f}, "
          f"and at most 86% at share 1.0 only if n ≥ {N_MAX / hi_need**2:.0f}: no single n (and no interval "
          "that depends on the published % alone) does both. True % 10–90 averaged; 80% Wilson intervals.")


if __name__ == "__main__":
    main()
