"""Compare study: does ``sampling.compare`` mean what it says? (a script, not a test)

Two parts, both with known truth.

1. **Coverage of the difference interval** (Newcombe's hybrid score interval with each
   side's finite-population-corrected Wilson limits). Both inspections draw n cases without
   replacement from an eligible population of N holding exactly K = round(p·N) "yes" cases
   (so yes ~ Hypergeometric(N, K, n), drawn vectorised with numpy), N = 79 (n = 54) and
   N = 668 (n = 132), the sizes ``sampling.sample_size`` gives, and N = 56 (n = 42). The true difference is
   K_b/N − K_a/N; true differences near 0 (0, ±2 points) and near ±15 points, from several
   starting percentages. Printed: the coverage at 80% of the hybrid built on Wilson limits
   with the correction (what ``compare`` uses; the issue asks 78–85%), on each side's mid-p
   hypergeometric limits (``proportion_interval(..., method="hypergeometric-midp")``, what
   ``analyse`` shows where N is known: the same MOVER rule, Zou & Donner 2008) and on Wilson
   without the correction (the statsmodels Newcombe interval, conservative for these
   sampling fractions); the mean widths; per design the spread over the fixed truths.

2. **What P(differ) means.** Pairs of inspections of domain two of the adult framework
   (12 key questions in four standards, aggregate results, N = 668, n = 132, relevant
   sub-samples of 80): the first inspection's true percentages drawn uniformly from 35–95%;
   the second's the same (no change, half the pairs) or shifted by one common
   Normal(0, 10 points) shift plus Normal(0, 3) per question. The true rating of a standard
   is what a census gives (the rules applied to the true percentages). Each pair goes
   through ``load_results`` and ``compare``; the reported P(differ) of every standard is
   binned against the share of standards whose true rating changed.

    python benchmarks/compare_study.py [--coverage-reps 20000] [--pairs 1000] [--resamples 1000] [--seed 2026] [--coverage-only]

References
----------
.. [1] Newcombe, R. G. (1998). Interval estimation for the difference between independent
   proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890.
.. [2] Zou, G. Y. & Donner, A. (2008). Construction of confidence limits about effect measures: a
   general approach. *Statistics in Medicine* 27, 1693–1702.
.. [3] Spiegelhalter, D. J. (1986). Probabilistic prediction in patient management and
   clinical trials. *Statistics in Medicine* 5, 421–433 (calibration of stated probabilities).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from sampling import load_framework, load_results, proportion_interval  # noqa: E402
from sampling.comparison._compare import compare, difference_interval  # noqa: E402

DESIGNS = ((56, 42), (79, 54), (668, 132))
#: (first %, second %) pairs: differences near 0 and near ±15 points
SCENARIOS = ((50, 50), (65, 65), (80, 80), (35, 35), (60, 62), (72, 70), (90, 90),
             (50, 65), (65, 80), (35, 50), (70, 85), (65, 50), (80, 65), (50, 35), (85, 70))
BINS = [0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001]


# --------------------------------------------------------------------------- coverage
def midp_mover(y_a, y_b, n: int, N: int, confidence_level: float = 0.8):
    """The MOVER (Newcombe's hybrid rule, Zou & Donner 2008) difference b − a built from each
    side's mid-p hypergeometric limits (``proportion_interval(..., method="hypergeometric-midp",
    population=N)``), the per-side default of ``analyse`` where N is known. The limits are
    worked out once for the n + 1 possible counts and looked up."""
    counts = np.arange(n + 1)
    lo, hi = proportion_interval(counts, n, method="hypergeometric-midp", confidence_level=confidence_level,
                                 population=N)
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    pa, pb = y_a / n, y_b / n
    la, ha, lb, hb = lo[y_a], hi[y_a], lo[y_b], hi[y_b]
    d = pb - pa
    return d, d - np.sqrt((pb - lb) ** 2 + (ha - pa) ** 2), d + np.sqrt((hb - pb) ** 2 + (pa - la) ** 2)


def _limits(kind: str, y_a, y_b, n: int, N: int, confidence_level: float):
    """(low, high) of the difference interval of one kind: "fpc" (Wilson + FPC), "no_fpc", "midp"."""
    if kind == "midp":
        return midp_mover(y_a, y_b, n, N, confidence_level)[1:]
    pop = N if kind == "fpc" else None
    return difference_interval(y_a, n, y_b, n, confidence_level=confidence_level, population_a=pop,
                               population_b=pop)[1:]


KINDS = ("fpc", "midp", "no_fpc")


def coverage(p_a: float, p_b: float, N: int, n: int, reps: int, rng: np.random.Generator,
             confidence_level: float = 0.8) -> dict:
    """Coverage of the difference interval with and without the correction, one scenario."""
    K_a, K_b = int(round(p_a / 100 * N)), int(round(p_b / 100 * N))
    truth = (K_b - K_a) / N
    y_a = rng.hypergeometric(K_a, N - K_a, n, size=reps)
    y_b = rng.hypergeometric(K_b, N - K_b, n, size=reps)
    out = {"N": N, "n": n, "true_a": 100 * K_a / N, "true_b": 100 * K_b / N, "true_difference": 100 * truth}
    for name in KINDS:
        lo, hi = _limits(name, y_a, y_b, n, N, confidence_level)
        out[f"coverage_{name}"] = float(np.mean((lo <= truth + 1e-12) & (truth - 1e-12 <= hi)))
        out[f"width_{name}"] = float(100 * np.mean(hi - lo))
    return out


def coverage_table(reps: int, rng: np.random.Generator) -> pd.DataFrame:
    """Fixed truths: one row per design and scenario (shows the discreteness of small N)."""
    return pd.DataFrame([coverage(pa, pb, N, n, reps, rng) for N, n in DESIGNS for pa, pb in SCENARIOS])


def grouped_coverage(N: int, n: int, difference: tuple[float, float], reps: int, rng: np.random.Generator,
                     confidence_level: float = 0.8, kind: str = "fpc") -> float:
    """Coverage over truths spread around a difference: each replicate draws its own first
    true % uniformly from 30–85 and its own true difference uniformly from ``difference``
    (points), so the result is not one lattice point's luck."""
    p_a = rng.uniform(30, 85, reps)
    p_b = np.clip(p_a + rng.uniform(*difference, reps), 5, 95)
    K_a, K_b = np.round(p_a / 100 * N).astype(int), np.round(p_b / 100 * N).astype(int)
    y_a, y_b = rng.hypergeometric(K_a, N - K_a, n), rng.hypergeometric(K_b, N - K_b, n)
    lo, hi = _limits(kind, y_a, y_b, n, N, confidence_level)
    truth = (K_b - K_a) / N
    return float(np.mean((lo <= truth + 1e-12) & (truth - 1e-12 <= hi)))


GROUPS = {"near 0 (-2 to +2)": (-2, 2), "near +15 (+13 to +17)": (13, 17), "near -15 (-17 to -13)": (-17, -13)}


def grouped_table(reps: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = [{"N": N, "n": n, "true difference": g,
             "Wilson+FPC": grouped_coverage(N, n, d, reps, rng),
             "mid-p": grouped_coverage(N, n, d, reps, rng, kind="midp"),
             "Wilson, no FPC": grouped_coverage(N, n, d, reps, rng, kind="no_fpc")}
            for N, n in DESIGNS for g, d in GROUPS.items()]
    return pd.DataFrame(rows)


def spread_table(cov: pd.DataFrame) -> pd.DataFrame:
    """Per design and interval kind: coverage at the fixed truths (mean, min, max, s.d.,
    truths under 0.75) and mean width (points)."""
    rows = []
    for (N, n), g in cov.groupby(["N", "n"]):
        for kind, label in zip(KINDS, ("Wilson+FPC", "mid-p", "Wilson, no FPC")):
            c = g[f"coverage_{kind}"]
            rows.append({"N": N, "n": n, "MOVER on": label, "mean": c.mean(), "min": c.min(), "max": c.max(),
                         "sd": c.std(), "under 0.75": int((c < 0.75).sum()), "mean width": g[f"width_{kind}"].mean()})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- calibration
def _domain_two():
    fw = load_framework("hmip-adult")
    kqs = [k for k in fw.key_questions if k.standard.startswith("2.")]
    return fw, kqs


def _band(rules, pct: np.ndarray) -> np.ndarray:
    return rules.kq_band(rules.published_percent(pct))


def _true_standard_bands(rules, kqs, pct: np.ndarray) -> dict:
    bands = _band(rules, pct)
    out = {}
    for sid in dict.fromkeys(k.standard for k in kqs):
        idx = [i for i, k in enumerate(kqs) if k.standard == sid]
        out[sid] = int(rules.standard_band(bands[idx]))
    return out


def _inspection(fw, kqs, pct: np.ndarray, rng, N=668, n=132, n_rel=80):
    ns = np.array([n_rel if k.relevant_subsample else n for k in kqs])
    Nj = np.where(ns < n, np.floor(N * ns / n + 0.5), N).astype(int)
    K = np.round(pct / 100 * Nj).astype(int)
    yes = rng.hypergeometric(K, Nj - K, ns)
    df = pd.DataFrame({"key_question": [k.id for k in kqs], "yes": yes, "n": ns, "sample": "case_supervision"})
    return load_results(df, framework=fw, population=N), 100 * K / Nj


def calibration(pairs: int, resamples: int, rng: np.random.Generator) -> pd.DataFrame:
    """One row per (pair, standard): reported P(differ), P(up), truth changed, rule ratings differ."""
    fw, kqs = _domain_two()
    rules = fw.rules
    rows = []
    for i in range(pairs):
        before = rng.uniform(35, 95, len(kqs))
        changed = rng.random() < 0.5
        after = np.clip(before + (rng.normal(0, 10) + rng.normal(0, 3, len(kqs)) if changed else 0), 1, 99)
        a, true_a = _inspection(fw, kqs, before, rng)
        b, true_b = _inspection(fw, kqs, after, rng)
        c = compare(a, b, n_resamples=resamples, rng=rng)
        ta, tb = _true_standard_bands(rules, kqs, true_a), _true_standard_bands(rules, kqs, true_b)
        for r in c.standards.to_dict("records"):
            sid = r["standard"]
            rows.append({"pair": i, "standard": sid, "p_differ": r["P(differ)"], "p_up": r["P(up)"],
                         "true_changed": ta[sid] != tb[sid], "true_up": tb[sid] > ta[sid],
                         "rule_changed": bool(r["rating_changed"])})
    return pd.DataFrame(rows)


def calibration_table(data: pd.DataFrame) -> pd.DataFrame:
    bins = pd.cut(data["p_differ"], BINS, right=False)
    g = data.groupby(bins, observed=True)
    return pd.DataFrame({"standards": g.size(), "mean reported P(differ)": g["p_differ"].mean(),
                         "share truly changed": g["true_changed"].mean(),
                         "share rule ratings differ": g["rule_changed"].mean()}).reset_index(names="P(differ) bin")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coverage-reps", type=int, default=20_000)
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--coverage-only", action="store_true", help="skip the P(differ) part")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    cov = coverage_table(args.coverage_reps, rng)
    grouped = grouped_table(args.coverage_reps, rng)
    with pd.option_context("display.width", 140, "display.max_columns", 20):
        print(f"Coverage of the 80% difference interval over truths near each difference, {args.coverage_reps:,} "
              "samples per row (first true % uniform on 30-85, each sample its own truth)")
        print(grouped.round(3).to_string(index=False))
        print()
        print(f"Coverage at fixed truths, {args.coverage_reps:,} samples per row "
              f"(Monte Carlo s.e. about {100 * np.sqrt(0.8 * 0.2 / args.coverage_reps):.1f} points)")
        print(cov.round(3).to_string(index=False))
        print()
        print(spread_table(cov).round(3).to_string(index=False))
        print(f"({time.perf_counter() - t0:.1f} s)\n")
        if args.coverage_only:
            return 0
        data = calibration(args.pairs, args.resamples, rng)
        print(f"P(differ) against true changes: {args.pairs:,} pairs x 4 standards, {args.resamples:,} "
              f"replicates per inspection (truth changed in {data['true_changed'].mean():.1%} of standards)")
        print(calibration_table(data).round(3).to_string(index=False))
        unchanged = data.loc[~data["true_changed"], "p_differ"]
        print(f"\nmean P(differ) where the truth did not change: {unchanged.mean():.3f}; where it did: "
              f"{data.loc[data['true_changed'], 'p_differ'].mean():.3f}; Brier score of P(differ) as a forecast "
              f"of a true change: {np.mean((data['p_differ'] - data['true_changed'].astype(float)) ** 2):.3f}; of the rule "
              f"ratings differing: {np.mean(data['rule_changed'] != data['true_changed']):.3f}  "
              f"({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
