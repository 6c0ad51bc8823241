"""Exact coverage of the analytic interval methods for a known population N, by enumeration.

For each N in {20, 56, 79, 150, 668, 8600} with n = sample_size(N) (the planned sample), every
true population count K with 5% ≤ K/N ≤ 95% is taken in turn. A simple random sample without
replacement gives X ~ Hypergeometric(N, K, n) yes answers; each method's interval is computed
for every possible X once, and its coverage at K is Σ_x P(X = x; K)·[low(x) ≤ K/N ≤ high(x)] —
exact, no simulation. Reported per method: the mean coverage over the truths, the minimum,
the share of truths covered under 75%, and the mean expected width (points). 80% intervals.
This table chose the default (issue 26): mid-p hypergeometric where N is known.

The bootstrap methods with N known (``sampling.estimation._fp_bootstrap``) are enumerated in
their B → ∞ limit, exactly: the Pólya urn's population count is x + BetaBinomial(N − n, x, n − x),
the percentile limits are its α and 1 − α quantiles, BCa's are its quantiles at Φ(z_α/(1 − a z_α))
with a the jackknife acceleration of the x yes / n − x no sample (z₀ = 0), and the rows the
package hands to the mid-p default (x = 0 or n, fewer than MIN_URN_MINORITY answers on the rarer
side, draws that all agree) take the mid-p interval. ``--extremes`` adds the truths
0.5% ≤ K/N < 5%, where the urn's fallbacks matter.

Run:  OMP_NUM_THREADS=1 python benchmarks/fpc_enumeration.py [--markdown]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.stats import betabinom, hypergeom, norm

import sampling
from sampling.estimation._bootstrap_limits import MIN_BOOTSTRAP_N
from sampling.estimation._fp_bootstrap import MIN_URN_MINORITY
from sampling.estimation._resampling import jackknife_accel

POPULATIONS = (20, 56, 79, 150, 668, 8600)
METHODS = ("wilson", "clopper-pearson", "hypergeometric", "hypergeometric-midp", "bootstrap-percentile",
           "bootstrap-bca")
LABELS = {"wilson": "Wilson + FPC (`wilson`; the default before issue 26)", "clopper-pearson": "Clopper–Pearson + FPC",
          "hypergeometric": "hypergeometric exact", "hypergeometric-midp": "hypergeometric mid-p (the default, N known)",
          "bootstrap-percentile": "bootstrap percentile (Pólya urn, B → ∞)",
          "bootstrap-bca": "bootstrap BCa (Pólya urn, z₀ = 0, B → ∞)"}
CONFIDENCE = 0.8
#: the truths enumerated: 5–95% (the table), or the extremes 0.5% ≤ K/N < 5% (``--extremes``)
RANGES = {"main": (0.05, 0.95), "extremes": (0.005, 0.05)}


def urn_limits(N: int, n: int, method: str, confidence_level: float = CONFIDENCE):
    """The B → ∞ limits (proportions) of a bootstrap method with N known, for every x = 0 … n,
    with the package's fallbacks to the mid-p interval."""
    M, alpha = N - n, (1 - confidence_level) / 2
    x = np.arange(n + 1)
    low, high = sampling.proportion_interval(x, np.full(n + 1, n), method="hypergeometric-midp",
                                             confidence_level=confidence_level, population=N)
    za, zb = norm.ppf(alpha), norm.ppf(1 - alpha)
    fall = (np.minimum(x, n - x) < MIN_URN_MINORITY[method]) | (x == 0) | (x == n) | (n < MIN_BOOTSTRAP_N)
    for xi in np.flatnonzero(~fall):
        cdf = np.cumsum(betabinom.pmf(np.arange(M + 1), M, xi, n - xi))
        q = (alpha, 1 - alpha)
        if method == "bootstrap-bca":
            a = jackknife_accel(np.array([[1.0], [0.0]]), np.ones((2, 1)), np.array([xi, n - xi]),
                                np.array([float(xi)]), np.array([float(n)]))[0]
            q = (norm.cdf(za / (1 - a * za)), norm.cdf(zb / (1 - a * zb)))
        L, H = (min(int(np.searchsorted(cdf, v - 1e-12)), M) for v in q)
        if H > L or M == 0:  # draws that all agree (short of a census) fall back
            low[xi], high[xi] = (xi + L) / N, (xi + H) / N
    return low, high


def coverage(N: int, n: int, method: str, confidence_level: float = CONFIDENCE, truths: str = "main"):
    """(coverage per truth, expected width per truth in points, truths K)."""
    x = np.arange(n + 1)
    if method.startswith("bootstrap"):
        low, high = urn_limits(N, n, method, confidence_level)
    else:
        low, high = sampling.proportion_interval(x, np.full(n + 1, n), method=method,
                                                 confidence_level=confidence_level, population=N)
    lo_p, hi_p = RANGES[truths]
    top = np.floor(hi_p * N + 1e-9) if truths == "main" else np.ceil(hi_p * N - 1e-9) - 1
    K = np.arange(int(np.ceil(lo_p * N - 1e-9)), int(top) + 1)
    pmf = hypergeom.pmf(x[None, :], N, K[:, None], n)            # (truths, outcomes)
    truth = (K / N)[:, None]
    inside = (low[None, :] <= truth + 1e-12) & (truth - 1e-12 <= high[None, :])
    return (pmf * inside).sum(axis=1), 100 * pmf @ (high - low), K


def table(populations=POPULATIONS, methods=METHODS, truths: str = "main"):
    rows = []
    for N in populations:
        n = sampling.sample_size(N)
        for m in methods:
            cov, width, K = coverage(N, n, m, truths=truths)
            if not len(K):
                continue
            rows.append(dict(N=N, n=n, method=m, truths=len(K), mean=100 * cov.mean(), minimum=100 * cov.min(),
                             below75=100 * (cov < 0.75).mean(), width=width.mean()))
    return rows


def markdown(rows) -> str:
    out = ["| N (n) | method | mean coverage % | minimum % | truths below 75 % | mean width (points) |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['N']} ({r['n']}) | {LABELS[r['method']]} | {r['mean']:.1f} | {r['minimum']:.1f} | "
                   f"{r['below75']:.1f} | {r['width']:.1f} |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    ap.add_argument("--extremes", action="store_true", help="the truths 0.5%% ≤ K/N < 5%% instead of 5–95%%")
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS, help="methods to enumerate")
    args = ap.parse_args()
    t = time.perf_counter()
    rows = table(methods=tuple(args.methods), truths="extremes" if args.extremes else "main")
    if args.markdown:
        print(markdown(rows))
    else:
        for r in rows:
            print(f"N={r['N']:5d} n={r['n']:4d} {r['method']:20s} truths={r['truths']:5d} mean={r['mean']:5.1f} "
                  f"min={r['minimum']:5.1f} below75={r['below75']:5.1f}% width={r['width']:5.1f}")
    print(f"\n({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
