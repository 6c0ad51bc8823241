"""Speed of sampling.intervals against scipy and statsmodels (a script, not a test).

    python benchmarks/bench_intervals.py [--repeats 5]

Measures, in the same run and on the same data:

* a case-level bootstrap (B = 10,000, percentile and BCa, every key question at once) on
  (a) a synthetic 132-case, 12-question sample and (b) a synthetic 2,772-case sample
  (21 providers × 132), stratified on gender × RoSH, vs ``scipy.stats.bootstrap`` run per key
  question (``vectorized=True``, the mean statistic, same B) with ``method="BCa"`` and
  ``method="percentile"``;
* the analytic Wilson interval on 100,000 key questions: ours (with input checks, and with a
  finite-population correction) vs ``statsmodels.stats.proportion.proportion_confint``.

Prints medians (ms, wall clock and this process's CPU time) and ratios; ``run()`` returns
them as a dict. BLAS is held to one thread (``OPENBLAS_NUM_THREADS=1`` etc., unless already
set) so both sides run on one core: scipy's per-question path is single-threaded, and on a
busy machine OpenBLAS's threads make a small matrix product several times slower.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import time

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from sampling.design._framework import load_framework
from sampling.estimation._intervals import intervals, proportion_interval
from sampling.results._results import load_results

B = 10_000


def synthetic_cases(n_cases: int, seed: int = 0) -> pd.DataFrame:
    """n cases answering the 12 case-supervision key questions; answers correlated through a
    latent case quality; the three relevant-sub-sample questions apply to medium/high RoSH."""
    fw = load_framework()
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=n_cases)
    rosh = rng.choice(["low", "medium", "high"], n_cases, p=[0.3, 0.5, 0.2])
    data = {"case_id": [f"case{i:05d}" for i in range(n_cases)],
            "provider": [f"P{i // 132:02d}" for i in range(n_cases)],
            "gender": rng.choice(["male", "female"], n_cases, p=[0.85, 0.15]), "rosh": rosh}
    for kq in fw.key_questions:
        if kq.sample != "case_supervision":
            continue
        p = 1 / (1 + np.exp(-(0.2 + quality + 0.8 * rng.normal(size=n_cases))))
        a = np.where(rng.random(n_cases) < p, "yes", "no").astype(object)
        if kq.relevant_subsample:
            a[rosh == "low"] = "not applicable"
        data[kq.id] = a
    return pd.DataFrame(data)


_CPU: dict[int, float] = {}


def _median_ms(fn, repeats: int) -> float:
    """Median wall-clock ms of ``fn()``; the median CPU ms is kept in ``_CPU[id(fn)]``."""
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    _CPU["last"] = 1e3 * float(np.median(cpu))
    return 1e3 * float(np.median(times))


def _bench_case(n_cases: int, repeats: int) -> dict:
    res = load_results(synthetic_cases(n_cases), strata=["gender", "rosh"])
    columns = [res.answers[k].dropna().to_numpy() for k in res.key_questions]

    def ours(method):
        return lambda: intervals(res, method=method, n_resamples=B, rng=1)

    def scipy_all(method):
        def run():
            for x in columns:
                stats.bootstrap((x,), np.mean, vectorized=True, method=method, n_resamples=B,
                                confidence_level=0.8, rng=1)
        return run

    out = {"cases": n_cases, "questions": len(columns), "B": B}
    for name, fn in (("ours_percentile", ours("bootstrap-percentile")), ("ours_bca", ours("bootstrap-bca")),
                     ("scipy_percentile", scipy_all("percentile")), ("scipy_bca", scipy_all("BCa"))):
        out[f"{name}_ms"] = _median_ms(fn, repeats)
        out[f"{name}_cpu_ms"] = _CPU["last"]
    for m in ("percentile", "bca"):
        out[f"speedup_{m}"] = out[f"scipy_{m}_ms"] / out[f"ours_{m}_ms"]
        out[f"speedup_{m}_cpu"] = out[f"scipy_{m}_cpu_ms"] / out[f"ours_{m}_cpu_ms"]
    return out


def _bench_analytic(repeats: int, k: int = 100_000) -> dict:
    rng = np.random.default_rng(0)
    n = rng.integers(20, 400, k)
    yes = rng.binomial(n, rng.uniform(0.05, 0.95, k))
    N = n + rng.integers(0, 1000, k)
    out = {"questions": k}
    out["statsmodels_ms"] = _median_ms(lambda: proportion_confint(yes, n, alpha=0.2, method="wilson"), repeats)
    out["ours_ms"] = _median_ms(lambda: proportion_interval(yes, n, method="wilson"), repeats)
    out["ours_fpc_ms"] = _median_ms(lambda: proportion_interval(yes, n, method="wilson", population=N), repeats)
    out["ratio_statsmodels_over_ours"] = out["statsmodels_ms"] / out["ours_ms"]
    return out


def run(repeats: int = 5) -> dict:
    """Run every benchmark; medians in ms and speed-ups (scipy time / ours)."""
    return {"case_132": _bench_case(132, repeats), "case_2772": _bench_case(2772, repeats),
            "analytic_100k": _bench_analytic(repeats)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    result = run(args.repeats)
    for name in ("case_132", "case_2772"):
        r = result[name]
        print(f"case bootstrap, {r['cases']} cases × {r['questions']} questions, B={r['B']:,} "
              f"(median of {args.repeats}):")
        for m, label in (("percentile", "percentile"), ("bca", "BCa")):
            print(f"  {label:<10}  ours {r[f'ours_{m}_ms']:8.1f} ms   scipy per question "
                  f"{r[f'scipy_{m}_ms']:8.1f} ms   ×{r[f'speedup_{m}']:.1f}   "
                  f"(CPU: {r[f'ours_{m}_cpu_ms']:.1f} vs {r[f'scipy_{m}_cpu_ms']:.1f} ms, ×{r[f'speedup_{m}_cpu']:.1f})")
    a = result["analytic_100k"]
    print(f"Wilson on {a['questions']:,} questions: statsmodels {a['statsmodels_ms']:.1f} ms, ours "
          f"{a['ours_ms']:.1f} ms (×{a['ratio_statsmodels_over_ours']:.2f}), ours with FPC {a['ours_fpc_ms']:.1f} ms")
    return result


if __name__ == "__main__":
    main()
