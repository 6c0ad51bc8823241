"""Speed of the stratified draw: 132 cases from a 260,000-case synthetic frame.

Ours, end to end from a DataFrame: ``draw_sample(df, 132, rng=seed)`` - loading and
checking the frame (normalising spellings, unique case ids, canonical sort), the
controlled-rounding allocation (integer programme; its cache is cleared before every
repeat), the selection with reserves, the balance table with p-values and the manifest
with the frame's SHA-256.

Baseline, measured in the same run: pandas ``groupby(strata)`` + ``.sample(n=n_h)`` per
group with the same per-cell counts (given the allocation, sample each group) - no
checks, no reserves, no reproducibility record.

    python benchmarks/bench_draw.py            # prints both medians and the ratio
    from benchmarks.bench_draw import run       # run(repeats=5) -> dict
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from sampling.draw._allocate import allocate, milp_round_cached as _milp_round_cached  # noqa: E402
from sampling.draw._draw import draw_sample  # noqa: E402
from sampling.examples import synthetic_frame  # noqa: E402
from sampling.draw._frame import load_frame  # noqa: E402

STRATA = ["gender", "disposal", "rosh"]


def _baseline(df: pd.DataFrame, counts: dict, seed: int) -> pd.DataFrame:
    parts = [group.sample(n=counts[key], random_state=seed)
             for key, group in df.groupby(STRATA, sort=True) if counts.get(key, 0)]
    return pd.concat(parts)


def run(repeats: int = 5, size: int = 260_000, n: int = 132) -> dict:
    """Median seconds of ours and of the pandas baseline over ``repeats`` runs."""
    df = synthetic_frame(size, rng=2019)
    alloc = allocate(load_frame(df), n, strata=STRATA)
    counts = {tuple(r[s] for s in STRATA): int(r["n_h"]) for _, r in alloc.table.iterrows()}
    ours, base = [], []
    draw_sample(df.head(1000), 10, rng=0)  # warm imports (scipy.optimize, stats)
    for i in range(repeats):
        _milp_round_cached.cache_clear()
        t0 = time.perf_counter()
        sample = draw_sample(df, n, strata=STRATA, rng=i)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        picked = _baseline(df, counts, i)
        base.append(time.perf_counter() - t0)
        assert len(sample.cases) == len(picked) == n
    result = {"size": size, "n": n, "repeats": repeats,
              "ours_s": statistics.median(ours), "baseline_s": statistics.median(base)}
    result["ratio"] = result["ours_s"] / result["baseline_s"]
    return result


def main() -> None:
    r = run()
    print(f"draw {r['n']} of {r['size']:,} cases, median of {r['repeats']} repeats")
    print(f"  sampling.draw_sample (end to end) : {r['ours_s'] * 1000:7.1f} ms")
    print(f"  pandas groupby().sample baseline  : {r['baseline_s'] * 1000:7.1f} ms")
    print(f"  ratio                             : {r['ratio']:.2f}x")


if __name__ == "__main__":
    main()
