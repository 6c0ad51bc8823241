"""Coverage study of the pooled national percentage (``sampling.pool``): does its 80% interval
cover the true national % 78–85% of the time? (issue 13: "its interval covers 78–85% in
simulation"). A script, not a test; ``tests/test_pool.py`` runs a small seeded version.

Each configuration is a set of providers (5 or 21), each with an eligible population N_i
(log-uniform over 56–900, or all small, 56–150, where the finite population correction
matters most) and a true % drawn per provider uniformly from a range within 40–95 (so
providers differ). Provider i's sample is n_i = ``sampling.sample_size(N_i)`` cases drawn
without replacement: its yes count is hypergeometric (numpy, vectorised over replicates) from
K_i = round(p_i N_i) yes cases among N_i. The true national % is Σ K_i / Σ N_i. Every
configuration is repeated over ``--truths`` independent draws of (N_i, p_i), each with
``--reps`` samples.

Reported per configuration: coverage of the national interval by the Wilson-at-n_eff method
(the default) and the normal interval, mean width, and coverage of the provider-minus-pool
difference intervals (all providers pooled).

    python benchmarks/pool_study.py [--reps 10000] [--truths 10] [--seed 2019] [--confidence 0.8]
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sampling import sample_size  # noqa: E402
from sampling.stats._pool_stats import (difference_variance, pooled_interval, stratified_proportion,  # noqa: E402
                                  z_value)

PROVIDERS = (5, 21)
SIZES = {"N 56-900": (56, 900), "N 56-150": (56, 150)}
TRUE_PERCENT = {"40-60": (40, 60), "55-80": (55, 80), "70-95": (70, 95), "40-95": (40, 95), "85-95": (85, 95)}


def draw_truth(rng: np.random.Generator, m: int, sizes: tuple, percent: tuple):
    """N_i (log-uniform), n_i = sample_size(N_i) and K_i = round(p_i N_i) for m providers."""
    N = np.exp(rng.uniform(np.log(sizes[0]), np.log(sizes[1]), m)).round().astype(np.int64)
    n = np.array([sample_size(int(x)) for x in N], dtype=np.int64)
    K = np.round(rng.uniform(percent[0], percent[1], m) / 100 * N).astype(np.int64)
    return N, n, K


def simulate(rng: np.random.Generator, N, n, K, reps: int, confidence_level: float = 0.8) -> dict:
    """Coverage counts over ``reps`` stratified samples of one truth (vectorised)."""
    yes = rng.hypergeometric(K, N - K, n, size=(reps, len(N)))
    P, v, W, V = stratified_proportion(yes, n, N)
    true_P = K.sum() / N.sum()
    out = {}
    for method in ("wilson", "normal"):
        low, high, _ = pooled_interval(P, v, n.sum(), confidence_level, method)
        out[f"{method}_cover"] = int(((low <= true_P) & (true_P <= high)).sum())
        out[f"{method}_width"] = float(100 * (high - low).sum())
    d = yes / n - P[:, None]
    half = z_value(confidence_level) * np.sqrt(difference_variance(W, V))
    true_d = K / N - true_P
    out["diff_cover"] = int((np.abs(d - true_d) <= half).sum())
    out["diff_total"] = int(d.size)
    out["reps"] = reps
    return out


def study(reps: int = 4000, truths: int = 10, seed: int = 2019, confidence_level: float = 0.8,
          providers=PROVIDERS, sizes=SIZES, true_percent=TRUE_PERCENT) -> pd.DataFrame:
    """One row per configuration: coverage (%) of each method, mean width, difference coverage."""
    rng = np.random.default_rng(seed)
    rows = []
    for m, (size_name, size), (pct_name, pct) in itertools.product(providers, sizes.items(), true_percent.items()):
        acc: dict = {}
        for _ in range(truths):
            for k, val in simulate(rng, *draw_truth(rng, m, size, pct), reps, confidence_level).items():
                acc[k] = acc.get(k, 0) + val
        total = acc["reps"]
        rows.append({"providers": m, "sizes": size_name, "true %": pct_name, "samples": total,
                     "wilson %": 100 * acc["wilson_cover"] / total, "normal %": 100 * acc["normal_cover"] / total,
                     "wilson width": acc["wilson_width"] / total, "normal width": acc["normal_width"] / total,
                     "difference %": 100 * acc["diff_cover"] / acc["diff_total"]})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=10000)
    ap.add_argument("--truths", type=int, default=10)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--confidence", type=float, default=0.8)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    table = study(args.reps, args.truths, args.seed, args.confidence)
    with pd.option_context("display.width", 140, "display.float_format", "{:.2f}".format):
        print(table.to_string(index=False))
    se = 100 * np.sqrt(args.confidence * (1 - args.confidence) / table["samples"].min())
    print(f"\nWilson coverage {table['wilson %'].min():.2f}-{table['wilson %'].max():.2f}%, normal "
          f"{table['normal %'].min():.2f}-{table['normal %'].max():.2f}%, differences "
          f"{table['difference %'].min():.2f}-{table['difference %'].max():.2f}% at {args.confidence:.0%} "
          f"(Monte Carlo SE per cell about {se:.2f} points); {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
