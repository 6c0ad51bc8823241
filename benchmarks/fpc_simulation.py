"""Simulated coverage of the default interval and of Wilson + FPC, unstratified and stratified.

For each N in {56, 79, 668, 8600}, n = sampling.sample_size(N) and each true percentage in
{10, 30, 50, 65, 80, 95}, a population of N cases holds exactly K = round(N·p) "yes". Each
cell draws R simple random samples without replacement (default R = 10,000; at least 2,000)
and computes two 80% intervals per sample:

* **default** — ``method="auto"``: what ``sampling.intervals`` / ``sampling analyse`` give
  when nothing is asked for (mid-p hypergeometric here, as N is known);
* **Wilson + FPC** — ``method="wilson"``: the default before issue 26.

Two designs:

* **unstratified** — one simple random sample of n from N;
* **stratified** — two strata, N₁ = round(0.6·N) and N₂ = N − N₁, with different yes rates
  (stratum 1 at p − δ, stratum 2 holding the rest of the K yes, so about p + δ·N₁/N₂;
  δ = min(``--spread``, p/2, (1 − p)·N₂/(2N₁)), default spread 0.10: 40% and 65% at p = 50%), sampled
  by proportional allocation (n₁ = round(n·N₁/N), n₂ = n − n₁), a simple random sample
  without replacement in each; analysed with the design's strata two ways:

  - *strata and N* (``load_results(..., strata=, population=N)``, no N_h): the default is
    mid-p on the sample's count, against Wilson + FPC;
  - *strata and N_h* (``stratum_populations=``, as a draw workbook gives): the design-weighted
    Korn–Graubard Wilson interval with each stratum's finite-population correction,
    ``method="wilson"`` (one column; the default for such rows before the stratified
    finite-population interval, which ``benchmarks/stratified_fpc.py`` studies).

The intervals come from the project's own functions, vectorised over the distinct outcomes of
a cell: ``sampling.proportion_interval`` (unstratified, and the default of the self-weighting
design) and the design-weighted path of ``sampling.intervals`` (``results._weights``'s
linearised estimates and ``weighted_interval``). For a few outcomes per cell the figures are
checked against ``sampling.intervals`` on a real case-level Results with strata and N_h,
which also confirms the method the default chose. Coverage is the share of samples whose
interval holds K/N; width is the mean of high − low in points. With R = 10,000 the Monte Carlo
standard error of a coverage near 80% is 0.4 points; the unstratified table also gives the
default's exact coverage at that K (the hypergeometric sum, as benchmarks/fpc_enumeration.py),
which the simulation should match to within that error. Seeded: the same command prints the
same table.

Run:  OMP_NUM_THREADS=1 python benchmarks/fpc_simulation.py [--samples R] [--seed S] [--spread D]
(writes benchmarks/fpc_simulation_results.txt)
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from scipy.stats import hypergeom

import sampling
from sampling._utils._methods import method_name, used_method
from sampling.results._weights import SampleDesign, _linearised, weighted_interval

POPULATIONS = (56, 79, 668, 8600)
TRUE_PERCENTS = (10, 30, 50, 65, 80, 95)
CONFIDENCE = 0.8
SHARE_1 = 0.6          # stratum 1's share of the population
SPREAD = 0.10          # stratum 1's yes rate is p − δ, δ at most this
CHECKS_PER_CELL = 3    # outcomes per cell checked against sampling.intervals
OUT = Path(__file__).with_name("fpc_simulation_results.txt")


def srswor_counts(population: np.ndarray, n: int, R: int, rng: np.random.Generator, chunk: int = 500) -> np.ndarray:
    """Yes counts of R simple random samples without replacement of n cases from ``population``
    (a 0/1 array): each sample is the n cases with the smallest of N uniform keys."""
    out = np.empty(R, dtype=np.int64)
    N = len(population)
    for start in range(0, R, chunk):
        m = min(chunk, R - start)
        if n == N:
            out[start:start + m] = population.sum()
            continue
        idx = np.argpartition(rng.random((m, N)), n - 1, axis=1)[:, :n]
        out[start:start + m] = population[idx].sum(axis=1)
    return out


def _population(N: int, K: int) -> np.ndarray:
    return np.r_[np.ones(K, dtype=np.int8), np.zeros(N - K, dtype=np.int8)]


def _summary(low, high, truth, counts=None):
    """(coverage %, mean width in points) over the samples (``counts``: weights of outcomes)."""
    inside = (low <= truth + 1e-12) & (truth - 1e-12 <= high)
    w = np.ones(len(low)) if counts is None else counts
    return 100 * np.sum(w * inside) / w.sum(), 100 * np.sum(w * (high - low)) / w.sum()


# --------------------------------------------------------------------------- unstratified
def _aggregate(x: int, n: int, N: int):
    return sampling.load_results(pd.DataFrame({"key_question": ["2.1.1"], "yes": [x], "n": [n]}), population=N)


def unstratified_cell(N: int, pct: int, R: int, rng: np.random.Generator) -> dict:
    n = sampling.sample_size(N)
    K = int(round(N * pct / 100))
    x = srswor_counts(_population(N, K), n, R, rng)
    xs, counts = np.unique(x, return_counts=True)
    row = dict(design="unstratified", N=N, n=n, pct=pct, K=K)
    every = np.arange(n + 1)
    low, high = sampling.proportion_interval(every, np.full(n + 1, n), confidence_level=CONFIDENCE, population=N,
                                             method="auto")
    row["default_exact"] = _summary(low, high, K / N, hypergeom.pmf(every, N, K, n))[0]
    for label, method in (("default", "auto"), ("wilson", "wilson")):
        low, high = sampling.proportion_interval(xs, np.full(len(xs), n), method=method,
                                                 confidence_level=CONFIDENCE, population=N)
        for i in range(min(CHECKS_PER_CELL, len(xs))):  # the same as the analysis gives
            iv = sampling.intervals(_aggregate(int(xs[i]), n, N), method=method, confidence_level=CONFIDENCE)
            t = iv.table.iloc[0]
            assert np.isclose(t["low"], 100 * low[i]) and np.isclose(t["high"], 100 * high[i]), (N, pct, method)
            row[f"{label}_method"] = iv.method
        row[f"{label}_coverage"], row[f"{label}_width"] = _summary(low, high, K / N, counts)
    return row


# --------------------------------------------------------------------------- stratified
def strata_of(N: int, n: int, pct: int, spread: float = SPREAD):
    """(N_h, K_h, n_h) of the two strata."""
    p = pct / 100
    N1 = int(round(SHARE_1 * N))
    N2 = N - N1
    K = int(round(N * p))
    K1 = int(round(N1 * (p - min(spread, p / 2, (1 - p) * N2 / (2 * N1)))))
    K2 = K - K1
    if not (0 <= K1 <= N1 and 0 <= K2 <= N2):
        raise ValueError(f"no such strata for N={N}, p={p}")
    n1 = int(round(n * N1 / N))
    return (N1, N2), (K1, K2), (n1, n - n1)


def _case_results(x1: int, x2: int, N_h, n_h, cells: bool):
    """A case-level Results of one stratified sample: x_h yes of n_h cases in stratum h, with
    the strata and N, and with ``cells`` the stratum populations N_h too."""
    n1, n2 = n_h
    answers = ["yes"] * x1 + ["no"] * (n1 - x1) + ["yes"] * x2 + ["no"] * (n2 - x2)
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(n1 + n2)], "stratum": ["a"] * n1 + ["b"] * n2,
                          "2.1.1": answers})
    table = pd.DataFrame({"stratum": ["a", "b"], "population": list(N_h)}) if cells else None
    return sampling.load_results(cases, sample="case_supervision", strata=["stratum"], stratum_populations=table,
                                 population=int(sum(N_h)))


def _weighted_wilson(x1: np.ndarray, x2: np.ndarray, N_h, n_h):
    """The design-weighted Wilson interval (0–1) of every outcome (x1, x2): the project's
    linearised estimate with stratum FPC and ``weighted_interval``, one column per outcome."""
    n1, n2 = n_h
    code = np.r_[np.zeros(n1, dtype=np.int64), np.ones(n2, dtype=np.int64)]
    design = SampleDesign(code, np.asarray(N_h, dtype=float), np.asarray(n_h, dtype=float))
    rank = np.r_[np.arange(n1), np.arange(n2)][:, None]
    y = np.where(code[:, None] == 0, rank < x1[None, :], rank < x2[None, :]).astype(float)
    p, v, v_wr, Nd = _linearised(y, np.ones_like(y), design, True)
    est = pd.DataFrame({"weighted_percent": 100 * p, "variance": v, "variance_wr": v_wr, "domain_population": Nd,
                        "fpc": True})
    n = np.full(len(p), float(n1 + n2))
    low, high = weighted_interval(est, n, "wilson", CONFIDENCE, yes=(x1 + x2).astype(float))
    return low / 100, high / 100


def stratified_cell(N: int, pct: int, R: int, rng: np.random.Generator, spread: float = SPREAD) -> dict:
    n = sampling.sample_size(N)
    N_h, K_h, n_h = strata_of(N, n, pct, spread)
    x1 = srswor_counts(_population(N_h[0], K_h[0]), n_h[0], R, rng)
    x2 = srswor_counts(_population(N_h[1], K_h[1]), n_h[1], R, rng)
    pairs, counts = np.unique(np.c_[x1, x2], axis=0, return_counts=True)
    K = sum(K_h)
    row = dict(design="stratified", N=N, n=n, pct=pct, K=K, strata=f"{N_h[0]}+{N_h[1]}", n_h=f"{n_h[0]}+{n_h[1]}",
               rates=f"{100 * K_h[0] / N_h[0]:.0f}/{100 * K_h[1] / N_h[1]:.0f}")
    x = pairs.sum(axis=1)
    m = np.full(len(x), n)
    computed = {  # label: (method, with N_h, (low, high))
        "default": ("auto", False, sampling.proportion_interval(x, m, method="auto", confidence_level=CONFIDENCE,
                                                                population=N)),
        "wilson": ("wilson", False, sampling.proportion_interval(x, m, method="wilson",
                                                                 confidence_level=CONFIDENCE, population=N)),
        "weighted": ("wilson", True, _weighted_wilson(pairs[:, 0], pairs[:, 1], N_h, n_h))}
    for label, (method, cells, (low, high)) in computed.items():
        for i in np.linspace(0, len(pairs) - 1, min(CHECKS_PER_CELL, len(pairs))).astype(int):
            iv = sampling.intervals(_case_results(int(pairs[i, 0]), int(pairs[i, 1]), N_h, n_h, cells),
                                    method=method, confidence_level=CONFIDENCE)
            t = iv.table.iloc[0]
            assert np.isclose(t["low"], 100 * low[i]) and np.isclose(t["high"], 100 * high[i]), (N, pct, method, t)
            row[f"{label}_method"] = iv.method
        row[f"{label}_coverage"], row[f"{label}_width"] = _summary(low, high, K / N, counts)
    return row


# --------------------------------------------------------------------------- output
def markdown(rows: list[dict]) -> str:
    out = []
    for design in ("unstratified", "stratified"):
        rs = [r for r in rows if r["design"] == design]
        if not rs:
            continue
        default = method_name(used_method(r["default_method"] for r in rs))
        strat = design == "stratified"
        extra = " | strata N₁+N₂ (n₁+n₂), yes % per stratum" if strat else " | default exact %"
        if strat:
            weighted = method_name(used_method(r["weighted_method"] for r in rs))
            out += [f"**stratified** — with strata and N: default = {default}, against Wilson + FPC "
                    f"(`method=\"wilson\"`); with strata and N_h: design-weighted {weighted} "
                    "(Korn–Graubard, each stratum's FPC; `method=\"wilson\"`, the default before issue 26's "
                    "stratified finite-population interval: see benchmarks/stratified_fpc.py)", "",
                    f"| N (n) | true % (K){extra} | default (strata, N) coverage % | width | Wilson + FPC "
                    "(strata, N) coverage % | width | weighted Wilson (strata, N_h) coverage % | width |",
                    "|---|---|---|---|---|---|---|---|---|"]
        else:
            out += [f"**unstratified** — default = {default}; Wilson + FPC = `method=\"wilson\"`", "",
                    f"| N (n) | true % (K){extra} | default coverage % | default width | Wilson + FPC coverage % | "
                    "Wilson + FPC width |",
                    "|---|---|---|---|---|---|---|"]
        for r in rs:
            cells = f" | {r['strata']} ({r['n_h']}), {r['rates']}" if strat else f" | {r['default_exact']:.1f}"
            tail = f" | {r['weighted_coverage']:.1f} | {r['weighted_width']:.1f}" if strat else ""
            out.append(f"| {r['N']} ({r['n']}) | {r['pct']} ({r['K']}){cells} | {r['default_coverage']:.1f} | "
                       f"{r['default_width']:.1f} | {r['wilson_coverage']:.1f} | {r['wilson_width']:.1f}{tail} |")
        out.append("")
    return "\n".join(out)


def verdict(rows: list[dict]) -> str:
    """Issue 26's targets, read off the simulation."""
    lines = []
    for design in ("unstratified", "stratified"):
        for N in POPULATIONS:
            rs = [r for r in rows if r["design"] == design and r["N"] == N]
            if not rs:
                continue
            cov = np.array([r["default_coverage"] for r in rs])
            w_cov = np.array([r["wilson_coverage"] for r in rs])
            lines.append(f"{design:12s} N={N:5d}: default {cov.min():.1f}–{cov.max():.1f}% (mean {cov.mean():.1f}), "
                         f"Wilson + FPC {w_cov.min():.1f}–{w_cov.max():.1f}% (mean {w_cov.mean():.1f}); default width "
                         f"{np.mean([r['default_width'] for r in rs]):.1f} vs {np.mean([r['wilson_width'] for r in rs]):.1f}")
            if design == "stratified":
                c = np.array([r["weighted_coverage"] for r in rs])
                lines.append(f"{'':12s}          with N_h: design-weighted Wilson {c.min():.1f}–{c.max():.1f}% "
                             f"(mean {c.mean():.1f}), width {np.mean([r['weighted_width'] for r in rs]):.1f}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000, help="samples per cell (at least 2000; default 10000)")
    ap.add_argument("--spread", type=float, default=SPREAD, help="stratified: the most stratum 1's yes rate lies "
                    f"below p (default {SPREAD})")
    ap.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    ap.add_argument("--no-write", action="store_true", help=f"do not write {OUT.name}")
    args = ap.parse_args()
    if args.samples < 2000:
        ap.error("--samples must be at least 2000")
    t = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    rows = []
    for N in POPULATIONS:
        for pct in TRUE_PERCENTS:
            rows.append(unstratified_cell(N, pct, args.samples, rng))
    for N in POPULATIONS:
        for pct in TRUE_PERCENTS:
            rows.append(stratified_cell(N, pct, args.samples, rng, args.spread))
    text = (f"# fpc_simulation: {args.samples:,} samples per cell, seed {args.seed}, spread {args.spread:g}, "
            f"{CONFIDENCE:.0%} intervals\n\n"
            + markdown(rows) + "\n" + verdict(rows) + f"\n\n({time.perf_counter() - t:.1f} s)\n")
    print(text)
    if not args.no_write:
        OUT.write_text(text)


if __name__ == "__main__":
    main()
