"""Validation of "how many more cases would settle it" (issue 26, item 3).

Populations of N cases with true % spread uniformly within ±W points of a band edge; a first
simple random sample of n without replacement; where the edge lies inside its 80% Wilson
interval (with the finite-population correction) the stated numbers are computed
(``cases_to_settle_one``: if the current % held, and with 80% assurance), then that many
further cases are drawn without replacement from the rest and the interval at n + m checked:
settled when it is clear of the edge. The rate for "if the current % held" is about one half
by construction; the assured number should settle about 80%.

    PYTHONPATH=. python benchmarks/settle_study.py [trials]
"""
from __future__ import annotations

import sys

import numpy as np

from sampling.rating._settle import cases_to_settle_one
from sampling.stats._proportion import proportion_interval


def study(N: int, n: int, edge: float = 65.0, width: float = 5.0, trials: int = 400, seed: int = 1,
          assurance: float = 0.8, level: float = 0.8) -> dict:
    rng = np.random.default_rng(seed)
    eff = edge - 0.5
    counts = {"flagged": 0, "held_feasible": 0, "held_settled": 0, "assured_feasible": 0, "assured_settled": 0}
    for _ in range(trials):
        p = rng.uniform(edge - width, edge + width) / 100
        pop = np.zeros(N, bool)
        pop[: int(round(N * p))] = True
        rng.shuffle(pop)
        yes = int(pop[:n].sum())
        lo, hi = proportion_interval(yes, n, confidence_level=level, population=N)
        if not (100 * lo <= eff <= 100 * hi):
            continue
        counts["flagged"] += 1
        for key, a in (("held", None), ("assured", assurance)):
            m = cases_to_settle_one(yes, n, eff, population=N, assurance=a, confidence_level=level)
            if m is None:
                continue
            counts[f"{key}_feasible"] += 1
            y2 = yes + int(pop[n:n + m].sum())
            lo2, hi2 = proportion_interval(y2, n + m, confidence_level=level, population=N)
            counts[f"{key}_settled"] += bool(eff < 100 * lo2 or eff > 100 * hi2)
    return counts


def _rate(k: int, of: int) -> str:
    if not of:
        return "–"
    r = k / of
    return f"{100 * r:.1f}% (±{100 * 1.96 * np.sqrt(r * (1 - r) / of):.1f})"


def main(trials: int = 400) -> None:
    print("| truth from edge | N | n | flagged | if the % held: settled | 80% assurance: settled |")
    print("|---|---|---|---|---|---|")
    for width in (15.0, 5.0):
      for N, n in ((300, 60), (668, 132), (2000, 132)):
        c = study(N, n, width=width, trials=trials)
        print(f"| ±{width:g} | {N} | {n} | {c['flagged']} | {_rate(c['held_settled'], c['held_feasible'])} "
              f"| {_rate(c['assured_settled'], c['assured_feasible'])} |")
    print(f"\nTrue % uniform within 15 or 5 points of the 65% edge; {trials} populations per row; "
          "80% Wilson intervals with the finite-population correction; rates among flagged samples "
          "with a feasible number (±: 95% Monte Carlo error).")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
