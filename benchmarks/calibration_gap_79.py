"""Why the posterior's P(rule) over-states below 0.6 at N = 79 (issue 26, item 2): a diagnosis.

A script, not a test. It re-draws the calibration study's inspections (the same seeds, so
the same populations and samples as ``calibration_study.py``) and computes P(rule) from the
Pólya urn over whole cases directly — Dirichlet weights over the sampled cases, then one
multinomial of the N − n unseen cases per draw (Lo 1988 [1]_; the Gamma and multinomial path
of ``sampling.estimation._posterior``) — so that variants can be tried and every standard's
deciding question examined. Three parts (the findings are in ``calibration_gap_79.txt``):

* ``check`` — this re-implementation against ``sampling.rate`` on a few inspections;
* ``bins`` — P(rule) bins with the urn (Dirichlet concentration 1 per sampled case) and with
  the variance-matched urn (concentration s/n, s = n − 1 − n/N, whose variance for one
  question is the unbiased design variance; the "matched" posterior of
  ``sampling.stats._stratified``), and the 0.4–0.5 bin split by the deciding question's
  sampled yes count: its stated and observed chance of being at or above the rule band;
* ``rank`` — for every key question whose sample is exactly on the 50% edge (27 yes of 54),
  the share whose population is at or above the edge (40 or more yes of 79; the urn says
  one half for every such question), by the question's rank among its standard's sample
  percentages, with correlated and independent answers and several ranges of true percentages.

    python benchmarks/calibration_gap_79.py check|bins|rank [--size 79] [--standards 15000] [--draws 1000]

References
----------
.. [1] Lo, A. Y. (1988). A Bayesian bootstrap for a finite population. *Annals of
   Statistics* 16, 1684–1695.
.. [2] Spiegelhalter, D. J. (1986). Probabilistic prediction in patient management and
   clinical trials. *Statistics in Medicine* 5, 421–433 (calibration of stated probabilities).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import calibration_study as cs  # noqa: E402


def urn_draws(answers: np.ndarray, N: int, B: int, rng: np.random.Generator, alpha: float = 1.0) -> np.ndarray:
    """(B, k) population percentages: Dirichlet(alpha, …, alpha) weights over the n sampled
    cases, the N − n unseen cases multinomial over them (alpha = 1: the Pólya urn)."""
    n = len(answers)
    yes, applies = np.nan_to_num(answers), (~np.isnan(answers)).astype(float)
    g = rng.standard_gamma(alpha, size=(B, n))
    counts = rng.multinomial(N - n, g / g.sum(axis=1, keepdims=True)) + 1.0
    return 100.0 * (counts @ yes) / (counts @ applies)


def inspection(N: int, i: int, truth_range=cs.TRUTH_RANGE, correlated: bool = True):
    """(framework questions, sampled answers, true percentages) of the study's inspection i."""
    n, sample = cs.CONFIGS[N]
    fw, kqs = cs.framework_parts(sample)
    rng = np.random.default_rng(1 + 1_000_000 * N + i)
    answers, truth = cs.population(N, rng.uniform(*truth_range, len(kqs)), kqs, rng, correlated)
    return fw, kqs, answers[rng.choice(N, n, replace=False)], truth


def standards_of(N: int, i: int, B: int, alphas: dict[str, float]) -> list[dict]:
    fw, kqs, A, truth = inspection(N, i)
    rules = fw.rules
    pct = 100 * np.nansum(A, 0) / (~np.isnan(A)).sum(0)
    groups: dict[str, list[int]] = {}
    for j, k in enumerate(kqs):
        groups.setdefault(k.standard, []).append(j)
    draws = {name: rules.kq_band(urn_draws(A, N, B, np.random.default_rng(1 + 1_000_000 * N + i + 7), a))
             for name, a in alphas.items()}
    out = []
    for std, js in groups.items():
        sb, tb = rules.kq_band(pct[js]), rules.kq_band(truth[js])
        d = js[int(np.argmin(pct[js]))]
        row = {"standard": std, "hit": sb.min() == tb.min(), "deciding yes": int(np.nansum(A[:, d])),
               "deciding ok": bool(tb[js.index(d)] >= sb.min())}
        for name, db in draws.items():
            row[f"P(rule) {name}"] = float((db[:, js].min(axis=1) == sb.min()).mean())
            row[f"P(deciding ok) {name}"] = float((db[:, d] >= sb.min()).mean())
        out.append(row)
    return out


def bins(t: pd.DataFrame, col: str) -> pd.DataFrame:
    g = t.groupby(pd.cut(t[col], cs.BINS, right=False), observed=True).agg(
        count=("hit", "size"), stated=(col, "mean"), observed=("hit", "mean"))
    g["MC se"] = 100 * np.sqrt(g["observed"] * (1 - g["observed"]) / g["count"])
    g[["stated", "observed"]] *= 100
    g["gap"] = g["observed"] - g["stated"]
    return g.round(1)


def run_bins(N: int, standards: int, B: int) -> None:
    n = cs.CONFIGS[N][0]
    alphas = {"urn": 1.0, "matched": (n - 1 - n / N) / n}
    per = 4 if cs.CONFIGS[N][1] == "case_supervision" else 1  # standards per inspection
    t = pd.DataFrame([r for i in range(-(-standards // per)) for r in standards_of(N, i, B, alphas)])
    print(f"N = {N}, {len(t):,} standards, {B} draws; matched concentration {alphas['matched']:.4f}")
    for name in alphas:
        print(f"\n-- P(rule), {name} --\n{bins(t, f'P(rule) {name}').to_string()}")
    low = t[(t["P(rule) urn"] >= 0.4) & (t["P(rule) urn"] < 0.5)]
    split = low.groupby("deciding yes").agg(
        count=("hit", "size"), stated=("P(rule) urn", "mean"), observed=("hit", "mean"),
        deciding_stated=("P(deciding ok) urn", "mean"), deciding_observed=("deciding ok", "mean"))
    print("\n-- urn bin 0.4-0.5 by the deciding question's yes count: P(rule) and P(deciding question "
          "at or above the rule band), stated vs observed --")
    print(split[split["count"] >= 5].round(3).to_string())


def run_rank(inspections: int) -> None:
    N, (n, _) = 79, cs.CONFIGS[79]
    for lo, hi in ((35, 95), (20, 99), (45, 55)):
        for correlated in (True, False):
            rows = []
            for i in range(inspections):
                _, _, A, truth = inspection(N, i, (lo, hi), correlated)
                x, M = A.sum(0).astype(int), np.round(truth * N / 100).astype(int)
                rows += [(int((x < 27).sum()), M[j] >= 40) for j in np.flatnonzero(x == 27)]
            t = pd.DataFrame(rows, columns=["rank", "ok"])
            g = t.groupby("rank")["ok"].agg(["size", "mean"])
            g["MC se"] = np.sqrt(g["mean"] * (1 - g["mean"]) / g["size"])
            print(f"\ntruths {lo}-{hi}%, {'correlated' if correlated else 'independent'}: "
                  f"all {len(t):,} questions at 27 of 54: {t['ok'].mean():.3f} at or above the edge; by rank "
                  f"(0 = lowest of its standard's four)\n{g.round(3).T.to_string()}")


def run_check(B: int) -> None:
    for i in range(6):
        mine = standards_of(79, i, 20 * B, {"urn": 1.0})[0]["P(rule) urn"]
        study = cs.one_inspection((79, 1 + 1_000_000 * 79 + i, 4 * B, True))[0]["posterior:p_rule"]
        print(f"inspection {i}: P(rule) here {mine:.3f} ({20 * B} draws), rate() {study:.3f} ({4 * B} draws)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("part", choices=("check", "bins", "rank"))
    ap.add_argument("--size", type=int, default=79, choices=tuple(cs.CONFIGS))
    ap.add_argument("--standards", type=int, default=15000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--inspections", type=int, default=40000, help="for rank")
    a = ap.parse_args()
    if a.part == "check":
        run_check(a.draws)
    elif a.part == "bins":
        run_bins(a.size, a.standards, a.draws)
    else:
        run_rank(a.inspections)


if __name__ == "__main__":
    main()
