"""Side-by-side speed benchmarks, in one run, on the same data and the same B.

* **Draw**: ``draw_sample`` on a 260,000-case synthetic frame vs pandas
  ``groupby().sample`` with the same per-cell counts (``bench_draw.run``).
* **Bootstrap**: our case bootstrap vs ``scipy.stats.bootstrap`` (percentile and BCa),
  B = 10,000, on a synthetic 132-case and a 2,772-case (21 providers × 132) sample of the 12
  case-supervision key questions: scipy once per key question (``bench_intervals.run``), and
  scipy vectorised - one call over all questions, a joint case bootstrap with ``np.nanmean``,
  the exact like-for-like of ours with ``stratified=False``.
* **Analytic intervals**: ``proportion_interval`` vs statsmodels ``proportion_confint`` on
  100,000 key questions (``bench_intervals.run``).
* **Full analysis**: ``rate`` (intervals, bands, flags, rating probabilities from B = 10,000
  replicates) of the seed inspection (target < 0.5 s) and of a synthetic national sample
  (21 providers × 132 case-supervision cases = 2,772, plus unpaid work and Through the Gate).
* **Engine growth** (``bench_engine.run``): ``rate`` on the national aggregate with many
  answer patterns, unstratified and stratified, at 2,772 / 27,720 / 277,200 cases and
  B = 1,000 / 10,000 / 100,000, beside scipy per question, scipy vectorised and a plain
  numpy bootstrap, with the fitted exponents of time against n and B.

Run ``python benchmarks/speed.py`` (medians of 7 repeats; the engine growth 3) or ``--quick``
(3 repeats; engine growth up to 27,720 cases and B = 10,000). Writes
``benchmarks/RESULTS.md`` (``--out`` to write elsewhere) with the machine's core count and
the Python, numpy, scipy, pandas and statsmodels versions.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
for p in (str(HERE), str(HERE.parent)):  # sibling bench_*.py, and the package in a checkout
    if p not in sys.path:
        sys.path.insert(0, p)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
import statsmodels  # noqa: E402
from scipy import stats  # noqa: E402

import bench_draw  # noqa: E402
import bench_engine  # noqa: E402
import bench_intervals  # noqa: E402
from sampling._utils._io import atomic_write  # noqa: E402

B = 10_000
SEED_TARGET_S = 0.5


def _timed(fn, repeats: int) -> tuple[float, object]:
    """(median seconds of ``repeats`` calls of ``fn()``, the last call's result)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return float(statistics.median(times)), result


def _median_s(fn, repeats: int) -> float:
    return _timed(fn, repeats)[0]


# --------------------------------------------------------------------------- vectorised scipy
def bench_vectorised(n_cases: int, repeats: int) -> dict:
    """Joint, unstratified case bootstrap of every key question at once: ours
    (``intervals(..., stratified=False)``) vs one ``scipy.stats.bootstrap`` call on the
    (questions × cases) matrix with ``np.nanmean`` (scipy resamples the cases - the last axis -
    with the same indices for every question; not-applicable answers are NaN)."""
    from sampling.estimation._intervals import intervals
    from sampling.results._results import load_results

    res = load_results(bench_intervals.synthetic_cases(n_cases))
    X = res.answers[list(res.summary["key_question"])].to_numpy(dtype=float).T  # (k, n)
    batch = max(1, int(2e8 // (8 * X.size)))  # keep scipy's resample array near 200 MB

    def scipy_all(method):
        return stats.bootstrap((X,), np.nanmean, axis=-1, vectorized=True, method=method, n_resamples=B,
                               confidence_level=0.8, batch=batch, rng=1)

    def ours(method):
        return intervals(res, method=method, n_resamples=B, stratified=False, rng=1)

    out = {"cases": n_cases, "questions": X.shape[0], "B": B}
    for label, m_ours, m_scipy in (("percentile", "bootstrap-percentile", "percentile"),
                                   ("bca", "bootstrap-bca", "BCa")):
        out[f"ours_{label}_s"], a = _timed(lambda: ours(m_ours), repeats)
        out[f"scipy_{label}_s"], b = _timed(lambda: scipy_all(m_scipy), repeats)
        out[f"speedup_{label}"] = out[f"scipy_{label}_s"] / out[f"ours_{label}_s"]
        # same estimator, different random draws: the limits agree to Monte Carlo error
        a, ci = a.table, b.confidence_interval
        diff = np.maximum(np.abs(a["low"].to_numpy() - 100 * ci.low), np.abs(a["high"].to_numpy() - 100 * ci.high))
        out[f"max_limit_difference_{label}_pts"] = float(np.nanmax(diff))
    return out


# --------------------------------------------------------------------------- full analysis
def bench_rate(repeats: int) -> dict:
    from sampling.examples import seed_inspection, synthetic_results
    from sampling.rating._ratings import rate

    seed = seed_inspection()
    seed_implied = seed_inspection(population="implied")
    national = synthetic_results(2019, providers=21)
    rate(seed, n_resamples=100, rng=0)  # warm imports
    out = {"B": B}
    out["seed_s"] = _median_s(lambda: rate(seed, n_resamples=B, rng=1), repeats)
    out["seed_implied_N_s"] = _median_s(lambda: rate(seed_implied, n_resamples=B, rng=1), repeats)
    out["national_s"], national_rated = _timed(lambda: rate(national, n_resamples=B, rng=1), repeats)
    out["national_cases"] = int(len(national.cases))
    sizes = national.cases["sample"].value_counts()
    out["national_samples"] = ", ".join(f"{s} {int(c):,}" for s, c in sizes.items())
    out["national_kind"] = national_rated.probability_source
    # The yardstick: scipy.stats.bootstrap BCa, one call per key question, on the same
    # data (the seed's counts as 0/1 answers; the national sample's applicable answers).
    scipy_repeats = max(1, min(repeats, 3))
    out["seed_scipy_bca_s"] = _median_s(lambda: _scipy_per_question(_seed_answers(seed)), scipy_repeats)
    out["national_scipy_bca_s"] = _median_s(lambda: _scipy_per_question(_case_answers(national)),
                                            scipy_repeats)
    return out


def _seed_answers(results) -> list[np.ndarray]:
    rows = results.summary
    return [np.r_[np.ones(int(y)), np.zeros(int(n - y))] for y, n in zip(rows["yes"], rows["n"])]


def _case_answers(results) -> list[np.ndarray]:
    A = results.answers.to_numpy(dtype=float)
    return [col[~np.isnan(col)] for col in A.T]


def _scipy_per_question(columns: list[np.ndarray]) -> None:
    for k, x in enumerate(columns):
        stats.bootstrap((x,), np.mean, n_resamples=B, method="BCa", confidence_level=0.8,
                        vectorized=True, random_state=k)


# --------------------------------------------------------------------------- report
def machine() -> dict:
    return {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "cpu_count": os.cpu_count(),
            "platform": platform.platform(), "processor": platform.machine(),
            "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "pandas": pd.__version__, "statsmodels": statsmodels.__version__}


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report(results: dict, repeats: int, command: str) -> str:
    m, d, iv, v, r = (results[k] for k in ("machine", "draw", "intervals", "vectorised", "rate"))
    rows = []

    def row(task, ours, base_name, base, note=""):
        ratio = f"{base / ours:.1f}× faster" if base >= ours else f"{ours / base:.1f}× slower"
        rows.append(f"| {task} | {_ms(ours)} | {base_name} | {_ms(base)} | {ratio} | {note} |")

    row(f"draw {d['n']} of {d['size']:,} cases (end to end)", d["ours_s"], "pandas `groupby().sample`",
        d["baseline_s"], "ours includes frame checks, allocation, reserves, balance, manifest")
    for key in ("case_132", "case_2772"):
        c = iv[key]
        row(f"bootstrap percentile, {c['cases']:,} cases × {c['questions']} questions, B={c['B']:,}",
            c["ours_percentile_ms"] / 1000, "scipy, per question", c["scipy_percentile_ms"] / 1000,
            "ours stratified (gender × RoSH), joint over questions")
        row(f"bootstrap BCa, {c['cases']:,} cases × {c['questions']} questions, B={c['B']:,}",
            c["ours_bca_ms"] / 1000, "scipy, per question", c["scipy_bca_ms"] / 1000,
            "ours stratified (gender × RoSH), joint over questions")
    for c in v:
        for label, name in (("percentile", "percentile"), ("bca", "BCa")):
            row(f"bootstrap {name}, {c['cases']:,} cases × {c['questions']} questions, B={c['B']:,}",
                c[f"ours_{label}_s"], "scipy, vectorised (one call, `nanmean`)", c[f"scipy_{label}_s"],
                f"both unstratified joint case bootstrap; limits agree within "
                f"{c[f'max_limit_difference_{label}_pts']:.2f} pts (one case is {100 / c['cases']:.2f} pts)")
    a = iv["analytic_100k"]
    row(f"Wilson interval, {a['questions']:,} questions", a["ours_ms"] / 1000,
        "statsmodels `proportion_confint`", a["statsmodels_ms"] / 1000,
        f"ours = statsmodels + input checks; with FPC {a['ours_fpc_ms']:.1f} ms")
    target = "meets" if r["seed_s"] < SEED_TARGET_S else "MISSES"
    lines = [
        "# Speed benchmarks",
        "",
        f"Reproduce: `{command}` (from the repository root, after the README's set-up). "
        f"Medians of {repeats} repeats, in one run.",
        "",
        f"Machine: {m['cpu_count']} cores ({m['processor']}, {m['platform']}); Python {m['python']}, "
        f"numpy {m['numpy']}, scipy {m['scipy']}, pandas {m['pandas']}, statsmodels {m['statsmodels']}; "
        f"{m['date']}.",
        "",
        "## Ours against the standard tools (same data, same B)",
        "",
        "| task | ours | baseline | baseline time | ours vs baseline | note |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "## Full analysis: `rate()` (intervals, bands, flags, rating probabilities)",
        "",
        "| data | B | median |",
        "|---|---|---|",
        f"| seed inspection (aggregate, 19 key questions, N unknown) | {r['B']:,} | {_ms(r['seed_s'])} |",
        f"| seed inspection with implied N (668, 79, 56) | {r['B']:,} | {_ms(r['seed_implied_N_s'])} |",
        f"| synthetic national sample, 21 providers ({r['national_samples']}; {r['national_cases']:,} cases) "
        f"| {r['B']:,} | {_ms(r['national_s'])} |",
        "",
        "Against the issue's yardstick, `scipy.stats.bootstrap(method=\"BCa\")` called once per key "
        "question on the same data (it computes the intervals only; ours also bands, flags and gives "
        "the probability of every rating from joint replicates):",
        "",
        "| data | ours, full analysis | scipy, BCa per question | ours vs scipy |",
        "|---|---|---|---|",
        f"| seed inspection (19 questions) | {_ms(r['seed_s'])} | {_ms(r['seed_scipy_bca_s'])} | "
        f"{r['seed_scipy_bca_s'] / r['seed_s']:.1f}× faster |",
        f"| national sample ({r['national_cases']:,} cases, 19 questions) | {_ms(r['national_s'])} | "
        f"{_ms(r['national_scipy_bca_s'])} | {r['national_scipy_bca_s'] / r['national_s']:.1f}× faster |",
        "",
        f"Target for the seed inspection: under {SEED_TARGET_S} s with B = 10,000 — {target} it "
        f"({_ms(r['seed_s'])}). Rating probabilities for the national sample: {r['national_kind']}.",
        "",
        *bench_engine.report(results["engine"]),
        "Sources: `benchmarks/bench_draw.py` (`run`), `benchmarks/bench_intervals.py` (`run`), "
        "`benchmarks/bench_engine.py` (`run`) and `benchmarks/speed.py` (vectorised scipy and `rate`).",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    t0 = time.perf_counter()
    results = {"machine": machine()}
    steps = [("draw", lambda: bench_draw.run(repeats)),
             ("intervals", lambda: bench_intervals.run(repeats)),
             ("vectorised", lambda: [bench_vectorised(132, repeats), bench_vectorised(2772, repeats)]),
             ("rate", lambda: bench_rate(repeats)),
             ("engine", lambda: bench_engine.run(min(repeats, 3), sizes=bench_engine.SIZES[:2 if args.quick else 3],
                                                 replicates=bench_engine.REPLICATES[:2 if args.quick else 3]))]
    for name, fn in steps:
        sys.stderr.write(f"speed: {name} ...\n")
        sys.stderr.flush()
        results[name] = fn()
    command = "python benchmarks/speed.py" + (" --quick" if args.quick else "")
    if args.repeats:
        command += f" --repeats {args.repeats}"
    text = report(results, repeats, command)
    atomic_write(args.out, lambda p: Path(p).write_text(text, encoding="utf-8"))
    print(text)
    print(f"wrote {args.out} ({time.perf_counter() - t0:.0f} s)")
    return results


if __name__ == "__main__":
    main()
