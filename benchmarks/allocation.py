"""Allocation choice (issue 22): planned margin and simulated 80% coverage of each allocation.

A realistic synthetic frame of 2,000 cases stratified on office (3) × disposal (3) × RoSH (4):
36 cells of very uneven sizes (from over 200 cases down to a handful), the true % yes varying
by cell (RoSH, disposal and office each shift it). One fixed finite population of yes/no answers
is realised on it. For each allocation the package's draw (:func:`sampling.draw_sample`) gives
n_h (n = Cochran's size for N = 2,000 at 80% and ±5 points) and its planned margin (Cochran
1977, §5.12, at p = 0.5 and at the anticipated p_h); then ``--runs`` stratified simple random
samples without replacement of those n_h are drawn and analysed through the package
(``load_results(..., stratum_populations=)`` and ``intervals``: ``--method``, by default
``auto``, the stratified finite-population interval since issue 26; ``--method wilson`` the
design-weighted Wilson interval on the Korn–Graubard effective n with each cell's fpc, the
default before), against the population's true percentage.

Neyman's anticipated p_h are the model's cell rates (what a previous inspection would
suggest), not the realised population's.

Usage: ``python benchmarks/allocation.py [--runs 1000] [--seed 22] [--method auto]`` (about two minutes at
1,000 runs on one core).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import sampling  # noqa: E402
from sampling.plan._stratified import stratified_margin  # noqa: E402

KQ = "2.1.1"
STRATA = ["office", "disposal", "rosh"]
OFFICES = {"Office A": (0.5, 0.0), "Office B": (0.3, -0.1), "Office C": (0.2, 0.05)}
DISPOSALS = {"community order": (0.55, 0.0), "suspended sentence order": (0.25, 0.05), "licence": (0.2, -0.1)}
ROSH = {"low": (0.3, 0.85), "medium": (0.5, 0.7), "high": (0.15, 0.5), "very high": (0.05, 0.4)}
ALLOCATIONS = {
    "proportional": {},
    "proportional, min 1": {"min_per_cell": 1},
    "neyman": {"allocation": "neyman"},
    "neyman, min 1": {"allocation": "neyman", "min_per_cell": 1},
    "equal": {"allocation": "equal"},
}


def frame_and_population(seed: int, size: int = 2000):
    """The frame (one row per case) and the realised yes (1) / no (0) of every case."""
    rng = np.random.default_rng(seed)
    cells = [(o, d, r, wo * wd * wr, min(0.97, pr + so + sd))
             for o, (wo, so) in OFFICES.items() for d, (wd, sd) in DISPOSALS.items()
             for r, (wr, pr) in ROSH.items()]
    counts = rng.multinomial(size, [c[3] for c in cells])
    rows, p = [], []
    for (o, d, r, _, rate), k in zip(cells, counts):
        rows += [(o, d, r)] * int(k)
        p += [rate] * int(k)
    frame = pd.DataFrame(rows, columns=STRATA)
    frame.insert(0, "case_id", [f"C{i:05d}" for i in range(1, len(frame) + 1)])
    frame.insert(1, "gender", np.where(rng.random(len(frame)) < 0.85, "male", "female"))
    y = (rng.random(len(frame)) < np.asarray(p)).astype(int)
    anticipated = frame[STRATA].assign(p=p).drop_duplicates(STRATA).reset_index(drop=True)
    return frame, y, anticipated


def one_run(cells_code, y, n_h, N_h, labels, rng, method="auto"):
    pick = []
    for h, n in enumerate(n_h):
        if n:
            pick.append(rng.choice(np.flatnonzero(cells_code == h), int(n), replace=False))
    idx = np.concatenate(pick)
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(len(idx))], "h": labels[cells_code[idx]],
                          KQ: np.where(y[idx] == 1, "yes", "no")})
    pops = pd.DataFrame({"h": labels, "population": N_h})
    r = sampling.load_results(cases, sample="case_supervision", stratum_populations=pops)
    return sampling.intervals(r, method=method).table.iloc[0]


def run(runs: int, seed: int, method: str = "auto") -> pd.DataFrame:
    data, y, anticipated = frame_and_population(seed)
    frame = sampling.load_frame(data)
    N = len(data)
    n = int(sampling.sample_size(N))
    truth = 100 * y.mean()
    rng = np.random.default_rng(seed + 1)
    rows = []
    for name, kw in ALLOCATIONS.items():
        extra = {"anticipated": anticipated}  # every rule: its planned margin at the anticipated p_h too
        s = sampling.draw_sample(frame, n, strata=STRATA, rng=seed, **kw, **extra)
        a = s.allocation
        labels = a["cell"].to_numpy(dtype=object)
        key = data[STRATA].astype(str).agg(" / ".join, axis=1).to_numpy()
        code = pd.Series(range(len(labels)), index=labels).reindex(key).to_numpy()
        N_h, n_h = a["N_h"].to_numpy(), a["n_h"].to_numpy()
        p_h = a["anticipated_p"].to_numpy(float)
        t0 = time.perf_counter()
        got = pd.DataFrame([one_run(code, y, n_h, N_h, labels, rng, method) for _ in range(runs)])
        est = got["weighted_percent"]
        cover = ((got["low"] <= truth) & (truth <= got["high"])).to_numpy(float)
        rows.append({"allocation": name, "n": n, "cells empty": int((n_h == 0).sum()),
                     "smallest n_h": int(n_h.min()),
                     "planned margin p=0.5": 100 * stratified_margin(N_h, n_h),
                     "planned margin at p_h": 100 * stratified_margin(N_h, n_h, p_h),
                     "mean half-width": ((got["high"] - got["low"]) / 2).mean(),
                     "bias (points)": est.mean() - truth,
                     "bias MC s.e.": est.std(ddof=1) / np.sqrt(runs),
                     "coverage 80%": cover.mean(),
                     "coverage MC s.e.": cover.std(ddof=1) / np.sqrt(runs),
                     "seconds": time.perf_counter() - t0})
    out = pd.DataFrame(rows)
    out.attrs["truth"], out.attrs["N"], out.attrs["cells"] = truth, N, len(anticipated)
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=22)
    ap.add_argument("--method", default="auto", help="interval method (default auto: since issue 26 the "
                    "stratified finite-population interval; wilson: the design-weighted Wilson interval)")
    a = ap.parse_args()
    table = run(a.runs, a.seed, a.method)
    print(f"frame: N = {table.attrs['N']:,} cases in {table.attrs['cells']} cells (office x disposal x RoSH); "
          f"true % yes {table.attrs['truth']:.2f}; {a.runs:,} draws per allocation, seed {a.seed}")
    with pd.option_context("display.width", 200, "display.precision", 3, "display.max_columns", 20):
        print(table.drop(columns=["seconds"]).to_string(index=False))
