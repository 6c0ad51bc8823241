"""Exact coverage of the analytic interval methods for a known population N, by enumeration.

For each N in {20, 56, 79, 150, 668, 8600} with n = sample_size(N) (the planned sample), every
true population count K with 5% ≤ K/N ≤ 95% is taken in turn. A simple random sample without
replacement gives X ~ Hypergeometric(N, K, n) yes answers; each method's interval is computed
for every possible X once, and its coverage at K is Σ_x P(X = x; K)·[low(x) ≤ K/N ≤ high(x)] —
exact, no simulation. Reported per method: the mean coverage over the truths, the minimum,
the share of truths covered under 75%, and the mean expected width (points). 80% intervals.
This table chose the default (issue 26): mid-p hypergeometric where N is known.

Run:  OMP_NUM_THREADS=1 python benchmarks/fpc_enumeration.py [--markdown]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.stats import hypergeom

import sampling

POPULATIONS = (20, 56, 79, 150, 668, 8600)
METHODS = ("wilson", "clopper-pearson", "hypergeometric", "hypergeometric-midp")
LABELS = {"wilson": "Wilson + FPC (`wilson`; the default before issue 26)", "clopper-pearson": "Clopper–Pearson + FPC",
          "hypergeometric": "hypergeometric exact", "hypergeometric-midp": "hypergeometric mid-p (the default, N known)"}
CONFIDENCE = 0.8


def coverage(N: int, n: int, method: str, confidence_level: float = CONFIDENCE):
    """(coverage per truth, expected width per truth in points, truths K)."""
    x = np.arange(n + 1)
    low, high = sampling.proportion_interval(x, np.full(n + 1, n), method=method,
                                             confidence_level=confidence_level, population=N)
    K = np.arange(int(np.ceil(0.05 * N - 1e-9)), int(np.floor(0.95 * N + 1e-9)) + 1)
    pmf = hypergeom.pmf(x[None, :], N, K[:, None], n)            # (truths, outcomes)
    truth = (K / N)[:, None]
    inside = (low[None, :] <= truth + 1e-12) & (truth - 1e-12 <= high[None, :])
    return (pmf * inside).sum(axis=1), 100 * pmf @ (high - low), K


def table(populations=POPULATIONS, methods=METHODS):
    rows = []
    for N in populations:
        n = sampling.sample_size(N)
        for m in methods:
            cov, width, K = coverage(N, n, m)
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
    args = ap.parse_args()
    t = time.perf_counter()
    rows = table()
    if args.markdown:
        print(markdown(rows))
    else:
        for r in rows:
            print(f"N={r['N']:5d} n={r['n']:4d} {r['method']:20s} truths={r['truths']:5d} mean={r['mean']:5.1f} "
                  f"min={r['minimum']:5.1f} below75={r['below75']:5.1f}% width={r['width']:5.1f}")
    print(f"\n({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
