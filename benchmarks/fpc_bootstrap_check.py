"""Monte Carlo check of the bootstrap intervals with N known, through the public API, against
the exact enumeration; and the Rao–Wu bootstrap they replaced, for comparison.

For each N in {56, 79, 668}, n = sampling.sample_size(N), and each true percentage in
{10, 30, 50, 65, 80, 95}, a population of N cases holds K = round(N·p) "yes". R simple random
samples without replacement (default 2,000) are analysed with
``sampling.intervals(results, method=..., population=N, n_resamples=B)`` (default B = 2,000),
for ``bootstrap-percentile`` and ``bootstrap-bca`` — the finite-population (Pólya urn)
resampling. To keep it quick, 100 samples share one Results as 100 key questions on the same
42–132 case rows (sample j's answers in column j): the urn draws whole cases, and each
question's draws are marginally those of its own sample (its unseen yes count
BetaBinomial(N − n, x, n − x)), so each column is one sample's interval; the 100 columns'
Monte Carlo errors are correlated through the shared urn weights, which leaves the coverage
unbiased. Coverage is the share of samples whose interval holds K/N (± its binomial standard
error), width the mean high − low; ``exact`` is the B → ∞ coverage at that K from
``benchmarks/fpc_enumeration.py`` (which the simulation should match within Monte Carlo error:
finite B moves limits by at most a case where a quantile sits on a jump).

``--rao-wu`` adds the bootstrap used before (the Rao–Wu rescaling bootstrap of the case
sample, with its Clopper–Pearson / Wilson fallbacks) at N = 56 and 79, by simulation
(default 1,000 samples, B = 1,000), through the internal engine that still draws it
(``estimation._resampling.resample`` and ``estimation._bootstrap_limits``).

Run:  OMP_NUM_THREADS=1 python benchmarks/fpc_bootstrap_check.py [--samples R] [--resamples B] [--rao-wu]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import sampling
from sampling.estimation._bootstrap_limits import bootstrap_or_fallback
from sampling.estimation._resampling import resample

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fpc_enumeration  # noqa: E402

POPULATIONS = (56, 79, 668)
TRUTHS = (0.10, 0.30, 0.50, 0.65, 0.80, 0.95)
METHODS = ("bootstrap-percentile", "bootstrap-bca")
COLUMNS = 100


_FRAMEWORK: list = []


def _framework():
    """A framework of one standard with ``COLUMNS`` key questions "1.1.1" … (one sample)."""
    if not _FRAMEWORK:
        lines = ['[[standards]]\nid = "1.1"\nname = "check"\ndomain = "1"\nsample = "s"\n']
        lines += [f'[[key_questions]]\nid = "1.1.{j + 1}"\nstandard = "1.1"\ntext = "q{j + 1}"\n'
                  f'relevant_subsample = false\nsample = "s"\n' for j in range(COLUMNS)]
        path = Path(tempfile.mkdtemp()) / "check.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        _FRAMEWORK.append(sampling.load_framework(path))
    return _FRAMEWORK[0]


def _results(answers: np.ndarray, N: int) -> sampling.Results:
    """A Results of n cases × m key questions (column j: sample j's yes/no answers)."""
    n, m = answers.shape
    df = pd.DataFrame({"case_id": [f"c{i}" for i in range(n)]})
    for j in range(m):
        df[f"1.1.{j + 1}"] = np.where(answers[:, j], "yes", "no")
    return sampling.load_results(df, framework=_framework(), population=N)


def _samples(N: int, n: int, K: int, R: int, rng: np.random.Generator) -> np.ndarray:
    """(n, R) yes/no answers of R simple random samples of n from a population with K yes."""
    pop = np.zeros(N, dtype=bool)
    pop[:K] = True
    return np.stack([rng.permutation(pop)[:n] for _ in range(R)], axis=1)


def _limits_api(answers: np.ndarray, N: int, method: str, B: int, seed: int):
    t = sampling.intervals(_results(answers, N), method=method, population=N, n_resamples=B, rng=seed).table
    return t["low"].to_numpy(), t["high"].to_numpy()


def _limits_rao_wu(answers: np.ndarray, N: int, method: str, B: int, seed: int):
    design = sampling.survey_design(_results(answers, N), population=N)
    s = design.summary
    yes, n = s["yes"].to_numpy(float), s["n"].to_numpy(float)
    boot = resample(design, B, np.random.default_rng(seed))
    low, high, _, _ = bootstrap_or_fallback(boot, method, 0.8, yes, n, design.question_population,
                                            [[] for _ in range(len(s))])
    return low, high


def cell(N: int, p: float, method: str, R: int, B: int, seed: int, limits=_limits_api):
    n = sampling.sample_size(N)
    K = int(round(N * p))
    rng = np.random.default_rng([seed, N, int(1000 * p)])
    answers = _samples(N, n, K, R, rng)
    covered, width = [], []
    for c0 in range(0, R, COLUMNS):
        low, high = limits(answers[:, c0:c0 + COLUMNS], N, method, B, seed + c0)
        t = 100 * K / N
        covered.append((low <= t + 1e-9) & (t - 1e-9 <= high))
        width.append(high - low)
    cov = np.concatenate(covered)
    return K, 100 * cov.mean(), 100 * np.sqrt(cov.mean() * (1 - cov.mean()) / R), np.concatenate(width).mean()


def exact(N: int, K: int, method: str) -> tuple[float, float]:
    """B → ∞ coverage and expected width at K (fpc_enumeration)."""
    n = sampling.sample_size(N)
    x = np.arange(n + 1)
    low, high = fpc_enumeration.urn_limits(N, n, method)
    from scipy.stats import hypergeom

    pmf = hypergeom.pmf(x, N, K, n)
    t = K / N
    return 100 * pmf[(low <= t + 1e-12) & (t - 1e-12 <= high)].sum(), 100 * pmf @ (high - low)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=2_000)
    ap.add_argument("--resamples", type=int, default=2_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--rao-wu", action="store_true", help="also the Rao–Wu bootstrap at N = 56, 79")
    ap.add_argument("--rao-wu-samples", type=int, default=1_000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    print(f"Pólya urn bootstrap through sampling.intervals: R = {args.samples:,} samples, B = {args.resamples:,}")
    print("| N (n) | true % | method | simulated coverage % (± s.e.) | exact (B → ∞) % | width sim / exact |")
    print("|---|---|---|---|---|---|")
    for N in POPULATIONS:
        for p in TRUTHS:
            for m in METHODS:
                K, cov, se, w = cell(N, p, m, args.samples, args.resamples, args.seed)
                ex, ew = exact(N, K, m)
                print(f"| {N} ({sampling.sample_size(N)}) | {100 * K / N:.1f} | {m} | {cov:.1f} ± {se:.1f} | "
                      f"{ex:.1f} | {w:.1f} / {ew:.1f} |", flush=True)
    if args.rao_wu:
        R, B = args.rao_wu_samples, 1_000
        print(f"\nRao–Wu rescaling bootstrap (the method before): R = {R:,} samples, B = {B:,}")
        print("| N (n) | method | mean coverage % | minimum % | truths below 75 % | mean width |")
        print("|---|---|---|---|---|---|")
        for N in (56, 79):
            for m in METHODS:
                res = [cell(N, p, m, R, B, args.seed, _limits_rao_wu) for p in TRUTHS]
                c = np.array([r[1] for r in res])
                print(f"| {N} ({sampling.sample_size(N)}) | {m} (Rao–Wu) | {c.mean():.1f} | {c.min():.1f} | "
                      f"{100 * (c < 75).mean():.0f} (of {len(c)}) | {np.mean([r[3] for r in res]):.1f} |",
                      " ".join(f"{v:.1f}" for v in c), flush=True)
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
