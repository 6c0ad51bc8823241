"""Growth of the joint bootstrap engine in cases and replicates, beside its peers (a script,
not a test).

    python benchmarks/bench_engine.py [--repeats 3] [--quick]

Data: the national aggregate of the engine issue — n cases answering the 12
case-supervision key questions, answers correlated through a latent case quality, the three
relevant-sub-sample questions not applicable to low-RoSH cases (so many distinct answer
patterns: 1,692 among 2,772 cases), and a gender × disposal × RoSH design for the stratified
runs. Sizes: 2,772 cases (21 inspections × 132), 27,720 and 277,200; B = 1,000, 10,000 and
100,000.

Ours is the full ``rate()`` (intervals, bands, flags, rating probabilities), default Wilson
intervals and BCa, unstratified and stratified. Beside it, in the same run and on the same
answers: ``scipy.stats.bootstrap`` BCa once per key question, scipy percentile once per key
question, scipy BCa in one vectorised call (``np.nanmean`` over the questions × cases
matrix), and a plain numpy case bootstrap (``integers``, gather, ``nanmean``). A peer whose
run would take longer than ``--budget`` seconds is timed at a smaller B and scaled linearly
in B (its cost is linear in B), and marked so; scipy's BCa is not run past 2,772 cases,
where its jackknife (n leave-one-out means of n − 1 cases, per question) is quadratic in n.
The fitted exponents are least-squares slopes of log time against log n and log B.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

import bench_intervals  # noqa: E402
from sampling.rating._ratings import rate  # noqa: E402
from sampling.results._results import load_results  # noqa: E402

SIZES = (2_772, 27_720, 277_200)
REPLICATES = (1_000, 10_000, 100_000)
STRATA = ["gender", "disposal", "rosh"]


def national(n_cases: int, seed: int = 0):
    """(unstratified results, stratified results, answers (n, 12) with NaN for N/A)."""
    df = bench_intervals.synthetic_cases(n_cases, seed)
    df["disposal"] = np.random.default_rng(seed + 1).choice(["community", "suspended"], n_cases, p=[0.6, 0.4])
    flat = load_results(df)
    strat = load_results(df, strata={"case_supervision": STRATA})
    return flat, strat, flat.answers[list(flat.summary["key_question"])].to_numpy(dtype=float)


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(statistics.median(times))


def scipy_per_question(A: np.ndarray, B: int, method: str) -> None:
    for j in range(A.shape[1]):
        x = A[:, j][~np.isnan(A[:, j])]
        stats.bootstrap((x,), np.mean, n_resamples=B, method=method, confidence_level=0.8,
                        vectorized=True, rng=j)


def scipy_vectorised(A: np.ndarray, B: int) -> None:
    X = A.T
    batch = max(1, int(2e8 // (8 * X.size)))
    stats.bootstrap((X,), np.nanmean, axis=-1, vectorized=True, method="BCa", n_resamples=B,
                    confidence_level=0.8, batch=batch, rng=1)


def plain_numpy(A: np.ndarray, B: int) -> np.ndarray:
    """The textbook joint case bootstrap: draw n row indices, gather, nan-mean, in chunks."""
    rng = np.random.default_rng(1)
    n = A.shape[0]
    chunk = max(1, int(2.5e7 // A.size))
    out = []
    for b0 in range(0, B, chunk):
        idx = rng.integers(0, n, size=(min(chunk, B - b0), n))
        out.append(np.nanmean(A[idx], axis=1))
    return np.concatenate(out)


def _peer(fn, A, B: int, repeats: int, budget: float, per_cell_s: float) -> tuple[float, str]:
    """Median seconds at B, or, when the estimated run (``per_cell_s`` per case and
    replicate) exceeds the budget, one run at B/10^k scaled linearly; (seconds, note)."""
    b = B
    while per_cell_s * A.shape[0] * b > budget and b > 100:
        b //= 10
    once = per_cell_s * A.shape[0] * b > 5
    t = _median(lambda: fn(A, b), 1 if once else repeats)
    return t * B / b, ("" if b == B else f"scaled from B = {b:,}")


def run(repeats: int = 3, budget: float = 20.0, sizes=SIZES, replicates=REPLICATES) -> dict:
    rows = []
    for n in sizes:
        flat, strat, A = national(n)
        rate(flat, n_resamples=100, rng=0, partial=True)  # warm imports
        for B in (replicates if n == sizes[0] else (10_000,)):
            row = {"cases": n, "B": B, "patterns": int(np.unique(np.nan_to_num(A, nan=2), axis=0).shape[0])}
            for design, res in (("unstratified", flat), ("stratified", strat)):
                for method in ("wilson", "bootstrap-bca"):
                    row[f"ours_{design}_{method}"] = _median(
                        lambda: rate(res, method=method, n_resamples=B, rng=1, partial=True), repeats)
            row["numpy_s"], row["numpy_note"] = _peer(plain_numpy, A, B, repeats, budget, 8e-8)
            row["scipy_pct_s"], row["scipy_pct_note"] = _peer(
                lambda a, b: scipy_per_question(a, b, "percentile"), A, B, repeats, budget, 1e-7)
            if n <= 2_772:
                row["scipy_bca_s"], row["scipy_bca_note"] = _peer(
                    lambda a, b: scipy_per_question(a, b, "BCa"), A, B, repeats, budget, 1.1e-7)
                row["scipy_vec_s"], row["scipy_vec_note"] = _peer(scipy_vectorised, A, B, repeats, budget, 1.2e-7)
            rows.append(row)
    return {"rows": rows, "exponents": exponents(rows, sizes, replicates)}


def _slope(x, y) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def exponents(rows: list[dict], sizes, replicates) -> dict:
    """Fitted exponents of time against n (B = 10,000) and against B (n = the first size)."""
    keys = [k for k in rows[0] if k.startswith("ours_")] + ["numpy_s", "scipy_pct_s"]
    by_n = [r for r in rows if r["B"] == 10_000]
    by_b = [r for r in rows if r["cases"] == sizes[0]]
    out = {}
    for k in keys:
        if len(by_n) > 1:
            out[f"{k}_vs_n"] = _slope([r["cases"] for r in by_n], [r[k] for r in by_n])
        if len(by_b) > 1:
            out[f"{k}_vs_B"] = _slope([r["B"] for r in by_b], [r[k] for r in by_b])
    return out


def _t(s: float) -> str:
    return f"{1000 * s:,.0f} ms" if s < 10 else f"{s:,.1f} s"


def report(result: dict) -> list[str]:
    lines = ["## The joint bootstrap engine: growth in cases and replicates", "",
             "National aggregate (12 case-supervision key questions, correlated answers, N/A "
             "sub-samples; `benchmarks/bench_engine.py`). Ours is the full `rate()`; the ratio "
             "is scipy BCa per question ÷ ours. *Scaled*: timed at a smaller B and scaled "
             "linearly in B; — : not run (scipy's BCa jackknife is quadratic in n).", "",
             "| cases | distinct patterns | B | ours Wilson, unstratified | ours BCa, unstratified "
             "| ours Wilson, stratified | ours BCa, stratified | scipy BCa per question "
             "| scipy BCa vectorised | scipy percentile per question | plain numpy | scipy BCa ÷ ours (slowest) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        ours = [r[f"ours_{d}_{m}"] for d in ("unstratified", "stratified") for m in ("wilson", "bootstrap-bca")]
        peer = [(r.get(f"{k}_s"), r.get(f"{k}_note", "")) for k in ("scipy_bca", "scipy_vec", "scipy_pct", "numpy")]
        cells = [("—" if s is None else _t(s) + (" *scaled*" if note else "")) for s, note in peer]
        ratio = f"{r['scipy_bca_s'] / max(ours):.1f}×" if "scipy_bca_s" in r else "—"
        lines.append(f"| {r['cases']:,} | {r['patterns']:,} | {r['B']:,} | "
                     + " | ".join(_t(x) for x in ours) + " | " + " | ".join(cells) + f" | {ratio} |")
    e = result["exponents"]
    lines += ["", "Fitted exponents (time ∝ n^a at B = 10,000 over 2,772–277,200 cases; time ∝ B^b at "
              "2,772 cases over B = 1,000–100,000):", "",
              "| | a (cases) | b (replicates) |", "|---|---|---|"]
    names = {"ours_unstratified_wilson": "ours, Wilson, unstratified", "ours_unstratified_bootstrap-bca":
             "ours, BCa, unstratified", "ours_stratified_wilson": "ours, Wilson, stratified",
             "ours_stratified_bootstrap-bca": "ours, BCa, stratified", "numpy_s": "plain numpy",
             "scipy_pct_s": "scipy percentile per question"}
    for k, label in names.items():
        a, b = e.get(f"{k}_vs_n"), e.get(f"{k}_vs_B")
        lines.append(f"| {label} | {'—' if a is None else f'{a:.2f}'} | {'—' if b is None else f'{b:.2f}'} |")
    return lines + [""]


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--budget", type=float, default=20.0, help="seconds a peer may run before it is scaled")
    ap.add_argument("--quick", action="store_true", help="2,772 and 27,720 cases, B up to 10,000")
    args = ap.parse_args(argv)
    sizes, reps = (SIZES[:2], REPLICATES[:2]) if args.quick else (SIZES, REPLICATES)
    result = run(args.repeats, args.budget, sizes, reps)
    print("\n".join(report(result)))
    return result


if __name__ == "__main__":
    main()
