"""Design weights at small N (issue 14): bias and 80% coverage, unweighted against N_h-weighted.

Two fixed finite populations (N = 56 in four strata, N = 79 in five), each stratum with its
own true yes rate; proportional allocation rounded to whole cases (n = 25 and 34), so some
strata are over- and some under-represented. Each run draws a stratified simple random
sample without replacement and computes, through the package:

* unweighted — ``load_results(..., strata=, population=N)`` then Wilson with the fpc
  (``method="wilson"``), and the mid-p hypergeometric interval (``method="auto"``, the
  default without N_h since issue 26);
* weighted — ``load_results(..., stratum_populations=)`` then Wilson on the Korn–Graubard
  effective n with each stratum's fpc (``method="wilson"``, the default with N_h before
  issue 26), the stratified finite-population interval (``method="auto"``, the default with
  N_h since: the rounded allocation has unequal weights) and the weighted BCa bootstrap
  (with N_h known: the Pólya urn within each stratum cell, issue 26; the Rao–Wu bootstrap
  before);

against the population's true percentage. Usage: ``python benchmarks/weights_check.py
[--runs 1000] [--seed 14]`` (about a minute at 1,000 runs).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import sampling  # noqa: E402

DESIGNS = {"N=56": ([20, 17, 11, 8], [9, 8, 5, 3], [0.9, 0.7, 0.5, 0.2]),
           "N=79": ([25, 19, 15, 12, 8], [11, 8, 6, 5, 4], [0.9, 0.75, 0.6, 0.4, 0.2])}
KQ = "2.1.1"


def population(N_h, rates, rng):
    return [rng.permutation(np.r_[np.ones(round(r * N)), np.zeros(N - round(r * N))]) for N, r in zip(N_h, rates)]


def one_run(pop, N_h, n_h, rng, boot: bool):
    h, y = [], []
    for i, (units, n) in enumerate(zip(pop, n_h)):
        h += [f"h{i}"] * n
        y += list(rng.choice(units, n, replace=False))
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(len(h))], "h": h,
                          KQ: np.where(np.array(y) == 1, "yes", "no")})
    cells = pd.DataFrame({"h": [f"h{i}" for i in range(len(N_h))], "population": N_h})
    un = sampling.load_results(cases, sample="case_supervision", strata=["h"], population=sum(N_h))
    wt = sampling.load_results(cases, sample="case_supervision", stratum_populations=cells)
    out = {"unweighted": sampling.intervals(un, method="wilson").table.iloc[0],
           "unweighted mid-p": sampling.intervals(un, method="auto").table.iloc[0],
           "weighted": sampling.intervals(wt, method="wilson").table.iloc[0],
           "weighted default": sampling.intervals(wt, method="auto").table.iloc[0]}
    if boot:
        out["weighted BCa"] = sampling.intervals(wt, method="bootstrap-bca", n_resamples=1000,
                                                 rng=int(rng.integers(2 ** 31))).table.iloc[0]
    return out


def run(runs: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for name, (N_h, n_h, rates) in DESIGNS.items():
        pop = population(N_h, rates, rng)
        truth = 100 * sum(u.sum() for u in pop) / sum(N_h)
        got = [one_run(pop, N_h, n_h, rng, boot=i < runs // 4) for i in range(runs)]
        for kind in ("unweighted", "unweighted mid-p", "weighted", "weighted default", "weighted BCa"):
            t = pd.DataFrame([g[kind] for g in got if kind in g])
            est = t["weighted_percent"] if "weighted_percent" in t else t["percent"]
            rows.append({"design": name, "estimator": kind, "runs": len(t), "truth": truth,
                         "bias (points)": est.mean() - truth,
                         "coverage 80%": ((t["low"] <= truth) & (truth <= t["high"])).mean(),
                         "mean margin": t["margin"].mean()})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=14)
    a = ap.parse_args()
    with pd.option_context("display.width", 160, "display.precision", 3):
        print(run(a.runs, a.seed).to_string(index=False))
