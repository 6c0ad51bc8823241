"""Coverage study: do our 80% intervals cover the true percentage 80% of the time?

Design-based simulation (the finite-population view of Cochran 1977, ch. 1-5): for each
eligible-population size N and true percentage, build one finite population whose
number of "yes" cases M is fixed, so the true percentage 100·M/N is known exactly; then
repeat the inspection's design many times - draw the planned stratified sample
(n = ``sample_size(N)``, proportional allocation over gender × disposal × RoSH) with our
own :func:`sampling.draw._draw.draw_sample` - and compute the 80% interval of every method we
offer on every sample. Coverage = share of samples whose interval contains 100·M/N.

Populations: :func:`sampling.examples.synthetic_frame` gives the strata (a CRC caseload);
"yes" is assigned to exactly M cases, chosen with probability proportional to a
stratum-dependent odds (Gumbel top-M, i.e. successive sampling without replacement;
Efraimidis & Spirakis 2006), so the strata really differ (e.g. licence and high-RoSH cases
score lower) while the total is exact.

Reported per (N, true %, method): coverage with its Monte Carlo standard error
sqrt(c(1 − c)/R), the mean width, how often a band edge lies inside the interval (the
rating flag), the flag rate among samples whose rating is right and among those whose
rating is wrong, and the misrating rate (band of the sample % ≠ band of the true %).
For the analytic methods the exact coverage is also given: with a fixed population and a
fixed allocation the sample count of "yes" is a sum of independent hypergeometric counts,
one per stratum, whose distribution is an exact convolution - a check on the simulation.

Run ``python benchmarks/coverage.py`` (the full study: its outputs in benchmarks/ are the
evidence the README quotes) or ``python benchmarks/coverage.py --quick`` (a small grid in
well under a minute; written to a temporary folder unless ``--out`` is given).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from anywhere in a source checkout
    sys.path.insert(0, str(HERE.parent))

from sampling._utils._io import atomic_path, atomic_write, ensure_writable_dir, escape_formulas  # noqa: E402
from sampling.draw._allocate import allocate_cells, cell_index  # noqa: E402
from sampling.examples import synthetic_frame  # noqa: E402
from sampling.design._framework import load_rules  # noqa: E402
from sampling.plan._plan import sample_size  # noqa: E402

CONFIDENCE = 0.80
STRATA = ("gender", "disposal", "rosh")
KEY_QUESTION = "2.1.1"           # any case-supervision key question; the study uses one
SAMPLE_NAME = "case_supervision"

#: The study grid: the seed's implied populations (56, 79, 668), a whole CRC caseload
#: (8,600) and true percentages from 5 to 95.
FULL_POPULATIONS = (56, 79, 668, 8600)
FULL_PERCENTS = tuple(range(5, 100, 5))
FULL_REPS = 1000                 # samples per (N, true %), each drawn with draw_sample
FULL_BOOT_REPS = 200             # of those, how many also get every bootstrap interval
FULL_RESAMPLES = 1000            # bootstrap B in the study

QUICK_POPULATIONS = (56, 668)
QUICK_PERCENTS = (20, 50, 65, 80)
QUICK_REPS = 200
QUICK_BOOT_REPS = 20
QUICK_RESAMPLES = 400

#: Log-odds shifts that make the strata matter (relative to male / community order / medium).
EFFECTS = {
    "gender": {"female": 0.5},
    "disposal": {"suspended sentence order": 0.3, "licence": -0.6, "post-sentence supervision": -0.9},
    "rosh": {"low": 0.4, "high": -0.8, "very high": -1.0},
}

#: Near an edge: the true % lies within this many points of a band's effective start.
NEAR_EDGE = 5.0

DEFAULT_METHOD = "wilson+fpc"


# --------------------------------------------------------------------------- methods
@dataclass(frozen=True)
class Method:
    """One interval method of the study.

    ``family`` is "analytic" (vectorised over every sample at once) or "bootstrap" (one
    call per sample). ``func`` overrides the library call (used by the tests to feed a
    deliberately broken method through the same checker).
    """

    name: str
    family: str
    method: str
    finite_population: bool
    stratified: bool = False
    func: Callable | None = field(default=None, compare=False)


def analytic_methods() -> list[Method]:
    from sampling.estimation._intervals import ANALYTIC

    out = []
    for m in ANALYTIC:
        out.append(Method(f"{m}+fpc", "analytic", m, True))
        out.append(Method(m, "analytic", m, False))
    return out


def bootstrap_methods() -> list[Method]:
    return [
        Method("percentile", "bootstrap", "bootstrap-percentile", False, stratified=False),
        Method("percentile/strat", "bootstrap", "bootstrap-percentile", False, stratified=True),
        Method("bca/strat", "bootstrap", "bootstrap-bca", False, stratified=True),
        Method("percentile/strat+fpc", "bootstrap", "bootstrap-percentile", True, stratified=True),
        Method("bca/strat+fpc", "bootstrap", "bootstrap-bca", True, stratified=True),
    ]


def analytic_interval(method: Method, yes: np.ndarray, n: int, N: int) -> tuple[np.ndarray, np.ndarray]:
    """Low and high (in %) of ``method`` for every count in ``yes`` (vectorised)."""
    if method.func is not None:
        return method.func(yes, n, N)
    from sampling.estimation._intervals import proportion_interval

    low, high = proportion_interval(np.asarray(yes), n, method=method.method, confidence_level=CONFIDENCE,
                                    population=N if method.finite_population else None)
    return 100 * np.asarray(low, float), 100 * np.asarray(high, float)


def shrunk(method: Method, factor: float) -> Method:
    """``method`` with each side's distance from the sample % scaled by ``factor``."""

    def func(yes, n, N):
        low, high = analytic_interval(replace(method, func=None), yes, n, N)
        p = 100 * np.asarray(yes, float) / n
        return p - factor * (p - low), p + factor * (high - p)

    return replace(method, name=f"{method.name}×{factor:g}", func=func)


# --------------------------------------------------------------------------- populations
@dataclass(frozen=True)
class Population:
    """A finite eligible population with a known number of "yes" cases."""

    frame: pd.DataFrame          # synthetic frame + boolean column "yes"
    N: int
    M: int
    cell: np.ndarray             # joint stratum cell of each case (allocation order)
    N_h: np.ndarray
    M_h: np.ndarray
    n_h: np.ndarray

    @property
    def true_percent(self) -> float:
        return 100.0 * self.M / self.N

    @property
    def n(self) -> int:
        return int(self.n_h.sum())


def true_count(N: int, percent: float) -> int:
    """M = round-half-up(percent·N/100), kept within 1 … N − 1."""
    M = int(math.floor(percent * N / 100 + 0.5))
    return min(max(M, 1), N - 1)


def make_population(N: int, percent: float, rng, *, n: int | None = None) -> Population:
    """A synthetic frame of N cases with exactly ``true_count(N, percent)`` "yes" cases.

    Cases get log-odds ``EFFECTS`` by stratum; the M "yes" cases are the M largest keys
    log-odds + Gumbel noise (successive sampling proportional to the odds).
    """
    gen = np.random.default_rng(rng)
    frame = synthetic_frame(N, gen)
    eta = np.zeros(N)
    for column, shifts in EFFECTS.items():
        values = frame[column].to_numpy(dtype=object)
        for category, shift in shifts.items():
            eta += shift * (values == category)
    M = true_count(N, percent)
    keys = eta + gen.gumbel(size=N)
    yes = np.zeros(N, dtype=bool)
    yes[np.argpartition(-keys, M - 1)[:M]] = True
    frame = frame.assign(yes=yes)
    n = sample_size(N) if n is None else n
    cell, cells = cell_index(frame, STRATA)
    alloc = allocate_cells(cells, n, STRATA)
    N_h = cells["N_h"].to_numpy(np.int64)
    M_h = np.bincount(cell, weights=yes, minlength=len(N_h)).astype(np.int64)
    return Population(frame, N, M, cell, N_h, M_h, alloc.table["n_h"].to_numpy(np.int64))


def exact_count_pmf(pop: Population) -> np.ndarray:
    """P(sample count of yes = y), y = 0 … n, under stratified SRSWOR: a convolution of
    hypergeometric pmfs, one per stratum (exact)."""
    pmf = np.ones(1)
    for Nh, Mh, nh in zip(pop.N_h, pop.M_h, pop.n_h):
        if nh == 0:
            continue
        k = np.arange(nh + 1)
        pmf = np.convolve(pmf, stats.hypergeom.pmf(k, Nh, Mh, nh))
    return pmf


# --------------------------------------------------------------------------- samplers
def draw_counts(pop: Population, reps: int, rng, *, keep: int = 0):
    """Draw ``reps`` samples with :func:`sampling.draw._draw.draw_sample`.

    Returns the yes count of each sample and, for the first ``keep`` samples, the drawn
    cases (stratum columns and yes) for the bootstrap methods.
    """
    from sampling.draw._draw import draw_sample
    from sampling.draw._frame import load_frame

    gen = np.random.default_rng(rng)
    frame = load_frame(pop.frame)
    counts = np.empty(reps, dtype=np.int64)
    kept = []
    for r in range(reps):
        sample = draw_sample(frame, pop.n, strata=STRATA, rng=gen, reserves=0)
        counts[r] = int(sample.cases["yes"].to_numpy().sum())
        if r < keep:
            kept.append(sample.cases[list(STRATA) + ["yes"]])
    return counts, kept


def hypergeometric_counts(pop: Population, reps: int, rng) -> np.ndarray:
    """``reps`` yes counts of the same design, drawn directly as a sum of per-stratum
    hypergeometric counts (numpy); equivalent to :func:`draw_counts` in distribution."""
    gen = np.random.default_rng(rng)
    live = pop.n_h > 0
    draws = gen.hypergeometric(pop.M_h[live], pop.N_h[live] - pop.M_h[live], pop.n_h[live],
                               size=(reps, int(live.sum())))
    return draws.sum(axis=1)


# --------------------------------------------------------------------------- bootstrap
def case_results(cases: pd.DataFrame, N: int):
    """The drawn cases as case-level :class:`~sampling.results._results.Results` (one key question,
    the design's strata recorded, population N)."""
    from sampling.results._results import load_results

    frame = pd.DataFrame({
        "case_id": [f"C{i:05d}" for i in range(len(cases))],
        "sample": SAMPLE_NAME,
        KEY_QUESTION: np.where(cases["yes"].to_numpy(), "yes", "no"),
        **{s: cases[s].astype(str).to_numpy() for s in STRATA},
    })
    return load_results(frame, level="case", population={SAMPLE_NAME: N}, strata={SAMPLE_NAME: STRATA})


def bootstrap_interval(method: Method, results, B: int, rng) -> tuple[float, float]:
    """One bootstrap interval (in %) from the library's :func:`sampling.estimation._intervals.intervals`."""
    from sampling.estimation._intervals import intervals

    out = intervals(results, method=method.method, confidence_level=CONFIDENCE,
                    finite_population=method.finite_population, n_resamples=B,
                    stratified=method.stratified, rng=rng)
    row = out.table.loc[out.table["key_question"] == KEY_QUESTION].iloc[0]
    return float(row["low"]), float(row["high"])


# --------------------------------------------------------------------------- scoring
def score(lows, highs, yes, n: int, truth: float, rules) -> dict:
    """Coverage, width, flag and misrating counts of a set of intervals (in %)."""
    lows, highs = np.asarray(lows, float), np.asarray(highs, float)
    p = 100 * np.asarray(yes, float) / n
    covered = (lows <= truth + 1e-9) & (truth - 1e-9 <= highs)
    eff = np.asarray(rules.effective_edges, float)
    flagged = ((lows[:, None] <= eff[None, :]) & (eff[None, :] <= highs[:, None])).any(axis=1)
    misrated = rules.kq_band(p) != rules.kq_band(np.array([truth]))[0]
    return {
        "reps": int(len(p)),
        "covered": int(covered.sum()),
        "width_sum": float(np.sum(highs - lows)),
        "flagged": int(flagged.sum()),
        "misrated": int(misrated.sum()),
        "flagged_misrated": int((flagged & misrated).sum()),
        "missed_misrated": int((~flagged & misrated).sum()),
        "flagged_correct": int((flagged & ~misrated).sum()),
    }


def exact_coverage(method: Method, pop: Population, pmf: np.ndarray) -> float:
    y = np.arange(len(pmf))
    low, high = analytic_interval(method, y, pop.n, pop.N)
    t = pop.true_percent
    return float(np.sum(pmf[(low <= t + 1e-9) & (t - 1e-9 <= high)]))


# --------------------------------------------------------------------------- one cell
@dataclass(frozen=True)
class CellSpec:
    N: int
    percent: float
    reps: int
    boot_reps: int
    n_resamples: int
    seed: tuple              # SeedSequence entropy + spawn key, so any worker reproduces it
    sampler: str = "draw"    # "draw" (draw_sample) or "hypergeometric" (fast, analytic only)


def run_cell(spec: CellSpec, methods: Sequence[Method] | None = None) -> list[dict]:
    """Simulate one (N, true %) cell; one row of counts per method."""
    rules = load_rules("hmip-adult")
    ss = np.random.SeedSequence(spec.seed[0], spawn_key=spec.seed[1])
    pop_seed, draw_seed, boot_seed = ss.spawn(3)
    pop = make_population(spec.N, spec.percent, pop_seed)
    if methods is None:
        methods = analytic_methods() + (bootstrap_methods() if spec.boot_reps else [])
    keep = spec.boot_reps if any(m.family == "bootstrap" for m in methods) else 0
    if spec.sampler == "draw":
        counts, kept = draw_counts(pop, spec.reps, draw_seed, keep=keep)
    elif spec.sampler == "hypergeometric":
        counts, kept = hypergeometric_counts(pop, spec.reps, draw_seed), []
    else:
        raise ValueError(f"unknown sampler {spec.sampler!r}")
    pmf = exact_count_pmf(pop)
    truth = pop.true_percent
    base = {"N": spec.N, "n": pop.n, "sampling_fraction": pop.n / spec.N, "nominal_percent": spec.percent,
            "true_count": pop.M, "true_percent": truth,
            "true_band": str(rules.label(rules.kq_band(np.array([truth]))[0])),
            "edge_distance": float(np.min(np.abs(np.asarray(rules.effective_edges) - truth))),
            "stratum_spread": _stratum_spread(pop)}
    rows = []
    boot_rng = np.random.default_rng(boot_seed)
    boot_methods = [m for m in methods if m.family == "bootstrap"]
    limits = {m.name: np.empty((len(kept), 2)) for m in boot_methods}
    for r, cases in enumerate(kept):
        res = case_results(cases, pop.N)
        for m in boot_methods:
            limits[m.name][r] = bootstrap_interval(m, res, spec.n_resamples, boot_rng)
    for m in methods:
        if m.family == "analytic":
            low, high = analytic_interval(m, counts, pop.n, pop.N)
            row = {**base, "method": m.name, "family": m.family, "B": np.nan,
                   **score(low, high, counts, pop.n, truth, rules),
                   "exact_coverage": exact_coverage(m, pop, pmf)}
        else:
            if not kept:
                continue
            lims = limits[m.name]
            row = {**base, "method": m.name, "family": m.family, "B": spec.n_resamples,
                   **score(lims[:, 0], lims[:, 1], counts[:len(kept)], pop.n, truth, rules),
                   "exact_coverage": np.nan}
        rows.append(row)
    # sanity: the simulated counts follow the exact design distribution
    y = np.arange(len(pmf))
    mean, var = float(pmf @ y), float(pmf @ (y - pmf @ y) ** 2)
    for row in rows:
        row["count_mean_z"] = (counts.mean() - mean) / math.sqrt(max(var, 1e-12) / len(counts))
    return rows


def _stratum_spread(pop: Population) -> float:
    """Range (points) of the stratum yes-percentages over strata with ≥ 10 cases."""
    big = pop.N_h >= 10
    if big.sum() < 2:
        return float("nan")
    rates = 100 * pop.M_h[big] / pop.N_h[big]
    return float(rates.max() - rates.min())


# --------------------------------------------------------------------------- exact scan
def hypergeometric_exact(yes, n: int, N: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact 80% interval for M/N under simple random sampling without replacement, by
    test inversion (Buonaccorsi 1987), using the bound search of :mod:`sampling.plan`.
    Not a method the library offers for analysis: a candidate shown for comparison."""
    from sampling.plan._exact import hypergeom_upper as _hypergeom_upper

    y = np.asarray(yes, dtype=np.int64)
    need = np.union1d(y, n - y)
    upper = dict(zip(need.tolist(), _hypergeom_upper(need, n, N, 1 - CONFIDENCE).tolist()))
    hi = np.array([upper[v] for v in y.tolist()], float)
    lo = N - np.array([upper[v] for v in (n - y).tolist()], float)
    return 100 * lo / N, 100 * hi / N


def exact_scan(populations: Iterable[int], *, seed: int = 20190201, methods: Sequence[Method] | None = None,
               low: float = 5.0, high: float = 95.0, progress: bool = True) -> pd.DataFrame:
    """Exact coverage and expected width of the analytic methods at every true count M
    (N ≤ 100) or every whole true % (larger N) between ``low`` and ``high``.

    One synthetic population per (N, M), as in the simulation; the count distribution is the
    exact convolution of per-stratum hypergeometrics, so there is no Monte Carlo error.
    """
    if methods is None:
        methods = analytic_methods() + [Method("hypergeometric-exact (candidate)", "analytic", "exact", True,
                                               func=hypergeometric_exact)]
    rules = load_rules("hmip-adult")
    jobs = []
    for i, N in enumerate(populations):
        if N <= 100:
            counts = [M for M in range(1, N) if low <= 100 * M / N <= high]
        else:
            counts = sorted({true_count(N, pct) for pct in np.arange(low, high + 0.5, 1.0)})
        jobs.extend((i, int(N), M) for M in counts)
    bar = Progress(len(jobs), "exact scan") if progress else None
    rows = []
    for i, N, M in jobs:
        pop = make_population(N, 100 * M / N, np.random.SeedSequence(seed, spawn_key=(1000 + i, M)))
        pmf = exact_count_pmf(pop)
        y = np.arange(len(pmf))
        t = pop.true_percent
        p = 100 * y / pop.n
        misrated = float(pmf[rules.kq_band(p) != rules.kq_band(np.array([t]))[0]].sum())
        for m in methods:
            lo, hi = analytic_interval(m, y, pop.n, N)
            rows.append({"N": N, "n": pop.n, "true_count": M, "true_percent": t, "method": m.name,
                         "exact_coverage": 100 * float(pmf[(lo <= t + 1e-9) & (t - 1e-9 <= hi)].sum()),
                         "expected_width": float(pmf @ (hi - lo)), "misrating_probability": 100 * misrated})
        if bar:
            bar.update()
    if bar:
        bar.close()
    return pd.DataFrame(rows)


BANDS = ((10, 30), (30, 50), (50, 70), (70, 90))


def exact_summary(scan: pd.DataFrame) -> pd.DataFrame:
    """Mean (and lowest) exact coverage per N, method and band of true %."""
    out = []
    for (N, m), g in scan.groupby(["N", "method"], sort=False):
        row = {"N": N, "n": int(g["n"].iloc[0]), "method": m}
        for a, b in BANDS:
            sel = g[(g["true_percent"] >= a) & (g["true_percent"] <= b)]
            row[f"{a}–{b}"] = sel["exact_coverage"].mean()
            row[f"min {a}–{b}"] = sel["exact_coverage"].min()
        mid = g[g["true_percent"].between(10, 90)]
        row["mean 10–90"] = mid["exact_coverage"].mean()
        row["min 10–90"] = mid["exact_coverage"].min()
        row["width 10–90"] = mid["expected_width"].mean()
        out.append(row)
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- study
def every_count(N: int, low: float = 10.0, high: float = 90.0) -> list[float]:
    """True % of every whole count M with low ≤ 100·M/N ≤ high (N ≤ 100), else every whole %."""
    if N <= 100:
        return [100 * M / N for M in range(1, N) if low <= 100 * M / N <= high]
    return [float(x) for x in np.arange(math.ceil(low), math.floor(high) + 1)]


def cell_specs(populations: Iterable[int], percents: Iterable[float] | Callable[[int], Iterable[float]], *,
               reps: int, boot_reps: int, n_resamples: int, seed: int = 20190201,
               sampler: str = "draw") -> list[CellSpec]:
    """One cell per (N, true %); ``percents`` may be a function of N (e.g. :func:`every_count`)."""
    specs = []
    for i, N in enumerate(populations):
        for j, pct in enumerate(percents(N) if callable(percents) else percents):
            specs.append(CellSpec(int(N), float(pct), reps, boot_reps, n_resamples, (seed, (i, j)), sampler))
    return specs


class Progress:
    """A one-line progress bar on stderr (no dependencies)."""

    def __init__(self, total: int, label: str = "", stream=None, width: int = 30):
        self.total, self.label, self.width = total, label, width
        self.stream = sys.stderr if stream is None else stream
        self.done = 0
        self.start = time.perf_counter()

    def update(self, k: int = 1) -> None:
        self.done += k
        frac = self.done / self.total if self.total else 1.0
        elapsed = time.perf_counter() - self.start
        eta = elapsed / frac - elapsed if frac > 0 else float("nan")
        bar = "#" * int(round(self.width * frac))
        self.stream.write(f"\r{self.label} [{bar:<{self.width}}] {self.done}/{self.total} "
                          f"{elapsed:6.0f}s elapsed, ~{eta:5.0f}s left ")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def run_study(specs: Sequence[CellSpec], *, jobs: int = 1, methods: Sequence[Method] | None = None,
              progress: bool = True) -> pd.DataFrame:
    """Run every cell (in ``jobs`` processes) and return the per-cell, per-method table."""
    bar = Progress(len(specs), "coverage") if progress else None
    rows: list[dict] = []
    if jobs <= 1:
        for spec in specs:
            rows.extend(run_cell(spec, methods))
            if bar:
                bar.update()
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_cell, spec, methods) for spec in specs]
            for fut in as_completed(futures):
                rows.extend(fut.result())
                if bar:
                    bar.update()
    if bar:
        bar.close()
    return finish(pd.DataFrame(rows))


def finish(table: pd.DataFrame) -> pd.DataFrame:
    """Add rates (in %) and standard errors to the count table; sort it."""
    t = table.copy()
    order = {m: i for i, m in enumerate(dict.fromkeys(t["method"]))}
    t = t.sort_values(["N", "nominal_percent", "method"], key=lambda s: s.map(order) if s.name == "method" else s)
    c = t["covered"] / t["reps"]
    t["coverage"] = 100 * c
    t["coverage_se"] = 100 * np.sqrt(c * (1 - c) / t["reps"])
    t["exact_coverage"] = 100 * t["exact_coverage"]
    t["mean_width"] = t["width_sum"] / t["reps"]
    t["flag_rate"] = 100 * t["flagged"] / t["reps"]
    t["misrating_rate"] = 100 * t["misrated"] / t["reps"]
    t["flag_rate_if_misrated"] = 100 * t["flagged_misrated"] / t["misrated"].where(t["misrated"] > 0)
    correct = t["reps"] - t["misrated"]
    t["flag_rate_if_correct"] = 100 * t["flagged_correct"] / correct.where(correct > 0)
    return t.reset_index(drop=True)


def pooled(table: pd.DataFrame, *, by=("N", "method"), where=None) -> pd.DataFrame:
    """Pool cells (sum the counts) and recompute coverage and its MC standard error."""
    t = table if where is None else table[where(table)]
    g = t.groupby(list(by), sort=False)
    out = g[["reps", "covered", "width_sum", "flagged", "misrated", "flagged_misrated",
             "missed_misrated", "flagged_correct"]].sum()
    out["cells"] = g.size()
    out["n"] = g["n"].first()
    c = out["covered"] / out["reps"]
    out["coverage"] = 100 * c
    out["coverage_se"] = 100 * np.sqrt(c * (1 - c) / out["reps"])
    out["min_cell_coverage"] = g["coverage"].min()
    out["max_cell_coverage"] = g["coverage"].max()
    out["mean_width"] = out["width_sum"] / out["reps"]
    out["exact_coverage"] = g["exact_coverage"].mean()
    return out.reset_index()


def check_coverage(table: pd.DataFrame, method: str = DEFAULT_METHOD, *, low: float = 77.0,
                   high: float = 85.0, min_n: int = 40, percent_range=(10, 90), groups: int = 3,
                   min_se_gap: float = 3.0) -> list[str]:
    """Failures of ``method``'s coverage on pooled cells where n ≥ ``min_n`` and the true %
    is within ``percent_range``: cells are pooled per N into ``groups`` consecutive groups
    of true % (low, middle, high). A pooled coverage outside [low, high] is a failure; so
    is a pooled cell whose MC standard error is too large for the check to mean anything
    (the band must be at least ``min_se_gap`` standard errors from the nominal 80%)."""
    t = table[(table["method"] == method) & (table["n"] >= min_n)
              & table["true_percent"].between(*percent_range)]
    if t.empty:
        return [f"no cells for method {method!r}"]
    failures = []
    for N, cells in t.groupby("N"):
        pcts = np.sort(cells["nominal_percent"].unique())
        for part in np.array_split(pcts, min(groups, len(pcts))):
            sel = cells[cells["nominal_percent"].isin(part)]
            reps, cov = sel["reps"].sum(), sel["covered"].sum()
            c = cov / reps
            se = 100 * math.sqrt(c * (1 - c) / reps)
            se0 = 100 * math.sqrt(CONFIDENCE * (1 - CONFIDENCE) / reps)  # at the nominal level
            label = f"N={N:,} (n={sel['n'].iloc[0]}), true % {part.min():.0f}–{part.max():.0f}"
            if not low <= 100 * c <= high:
                failures.append(f"{label}: coverage {100 * c:.1f}% outside [{low:g}, {high:g}] "
                                f"(MC SE {se:.2f}, {reps} samples)")
            gap = min(100 * CONFIDENCE - low, high - 100 * CONFIDENCE) / se0
            if gap < min_se_gap:
                failures.append(f"{label}: too few samples ({reps}): band only {gap:.1f} SE from 80%")
    return failures


# --------------------------------------------------------------------------- outputs
def _md_table(frame: pd.DataFrame, floatfmt: str = ".1f") -> str:
    cols = list(frame.columns)

    def fmt(v):
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else format(v, floatfmt)
        return str(v)

    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(fmt(row[c]) for c in cols) + " |")
    return "\n".join(lines)


def _check_lines(table: pd.DataFrame, scan: pd.DataFrame | None) -> list[str]:
    lines = []
    failures = check_coverage(table)
    lines.append("* Simulated samples (this grid, three pooled groups of true % per N): "
                 + ("all within 77–85%." if not failures else "; ".join(failures) + "."))
    if scan is not None and len(scan):
        d = exact_summary(scan[scan["method"] == DEFAULT_METHOD])
        bad = []
        for _, r in d.iterrows():
            for a, b in BANDS:
                v = r[f"{a}–{b}"]
                if not 77 <= v <= 85:
                    bad.append(f"N={r['N']:,}, true % {a}–{b}: {v:.1f}%")
        lines.append("* Exact coverage averaged over every true count in each band (10–30, 30–50, 50–70, "
                     "70–90): " + ("all within 77–85%." if not bad else "outside 77–85%: " + "; ".join(bad) + "."))
    lines.append("* At N ≤ 100 (sampling fraction about 0.7) only a handful of sample counts are likely, so "
                 "coverage jumps from one true count to the next (the grey line in `coverage.png`); a grid "
                 "of true % in 5-point steps can land on unlucky counts. The exact average over every true "
                 "count is the fairer summary; tests/test_coverage.py checks it by simulation.")
    return lines


FPC_BOOTSTRAP = "bca/strat+fpc"


def coverage_by_true_percent(table: pd.DataFrame) -> pd.DataFrame:
    """Coverage (%) of the default method and the finite-population bootstrap at every
    nominal true %, one column per (method, N)."""
    keep = table[table["method"].isin([DEFAULT_METHOD, FPC_BOOTSTRAP])]
    wide = keep.pivot_table(index="nominal_percent", columns=["method", "N"], values="coverage", sort=True)
    wide.columns = [f"{m} N={N:,}" for m, N in wide.columns]
    return wide.round(1).reset_index().rename(columns={"nominal_percent": "true %"})


def markdown_report(table: pd.DataFrame, settings: dict, scan: pd.DataFrame | None = None) -> str:
    """The study's summary tables as Markdown."""
    mid = lambda t: t["true_percent"].between(10, 90)  # noqa: E731
    p = pooled(table, where=mid)
    methods = list(dict.fromkeys(table["method"]))
    Ns = sorted(table["N"].unique())
    ns = {N: int(table.loc[table["N"] == N, "n"].iloc[0]) for N in Ns}
    head = [f"N={N:,} (n={ns[N]})" for N in Ns]

    def wide(frame, fmt, names) -> pd.DataFrame:
        rows = []
        for m in names:
            r = {"method": m}
            for N, h in zip(Ns, head):
                sel = frame[(frame["method"] == m) & (frame["N"] == N)]
                r[h] = fmt(sel.iloc[0]) if len(sel) else ""
            rows.append(r)
        return pd.DataFrame(rows)

    cov = wide(p, lambda r: f"{r['coverage']:.1f} ± {r['coverage_se']:.1f} "
                            f"({r['min_cell_coverage']:.0f}–{r['max_cell_coverage']:.0f})", methods)
    width = wide(p, lambda r: f"{r['mean_width']:.1f}", methods)
    d = table[table["method"] == DEFAULT_METHOD]
    rating = (d.pivot_table(index="nominal_percent", columns="N", values="misrating_rate", sort=True)
              .rename(columns=lambda N: f"misrated N={N:,}").reset_index())
    flags = (d.pivot_table(index="nominal_percent", columns="N", values="flag_rate", sort=True)
             .rename(columns=lambda N: f"flagged N={N:,}").reset_index())
    rating = rating.merge(flags, on="nominal_percent").rename(columns={"nominal_percent": "true %"})
    per_true = coverage_by_true_percent(table)
    d = d.assign(zone=np.where(d["edge_distance"] <= NEAR_EDGE, f"≤ {NEAR_EDGE:g} pts from an edge",
                               f"> {NEAR_EDGE:g} pts from an edge"))
    g = d.groupby(["N", "zone"], sort=True)[["reps", "flagged", "misrated", "flagged_misrated", "missed_misrated",
                                  "flagged_correct"]].sum().reset_index()
    g["flag rate %"] = 100 * g["flagged"] / g["reps"]
    g["misrated %"] = 100 * g["misrated"] / g["reps"]
    g["flagged if misrated %"] = 100 * g["flagged_misrated"] / g["misrated"].where(g["misrated"] > 0)
    g["flagged if right %"] = 100 * g["flagged_correct"] / (g["reps"] - g["misrated"])
    g["misrated and unflagged %"] = 100 * g["missed_misrated"] / g["reps"]
    zone = g[["N", "zone", "reps", "flag rate %", "misrated %", "flagged if misrated %", "flagged if right %",
              "misrated and unflagged %"]]

    s = settings
    parts = [
        "# Interval coverage study",
        "",
        f"Generated by `{s['command']}` on {s['date']} ({s['elapsed']:.0f} s, {s['jobs']} process(es)).",
        f"Populations N = {', '.join(f'{N:,}' for N in Ns)}; true % = {', '.join(f'{x:g}' for x in s['percents'])} "
        f"(the true % of a population is 100·M/N for the whole count M nearest; see `true_percent` in the CSV); "
        f"{s['reps']:,} stratified samples per cell drawn with `draw_sample` (n = `sample_size(N)`, "
        f"strata gender × disposal × RoSH, proportional allocation); bootstrap methods on the first "
        f"{s['boot_reps']:,} of them with B = {s['n_resamples']:,}. Confidence level 80%. Seed {s['seed']}.",
        "",
        "Coverage is the share of samples whose interval contains the population's true %. "
        "`+fpc`: finite population correction (each side's distance from p̂ × √((N−n)/(N−1))); "
        "`percentile`: case bootstrap, with replacement, unstratified; `/strat`: within strata; "
        "`/strat+fpc`: the finite-population (Rao–Wu rescaling) stratified bootstrap.",
        "",
        f"## Check of the default method (`{DEFAULT_METHOD}`): coverage within 77–85% where n ≥ 40, true % 10–90",
        "",
        *_check_lines(table, scan),
        "",
        "## Coverage (%) pooled over true % 10–90",
        "",
        "Pooled coverage ± Monte Carlo standard error (lowest–highest single cell).",
        "",
        _md_table(cov),
        "",
    ]
    if scan is not None and len(scan):
        summ = exact_summary(scan)
        ex = wide(summ, lambda r: f"{r['mean 10–90']:.1f} (min {r['min 10–90']:.0f}; width {r['width 10–90']:.1f})",
                  list(dict.fromkeys(scan["method"])))
        bands = summ[summ["method"] == DEFAULT_METHOD][["N", "n", *[f"{a}–{b}" for a, b in BANDS],
                                                        *[f"min {a}–{b}" for a, b in BANDS]]]
        bands = bands.assign(N=bands["N"].map(lambda v: f"{int(v):,}"), n=bands["n"].astype(int).astype(str))
        counts = scan.groupby("N")["true_count"].nunique()
        parts += [
            "## Exact coverage at every true count (no Monte Carlo error)",
            "",
            "For the analytic methods the sample count of yes is a sum of independent hypergeometric "
            "counts, one per stratum; its exact distribution (a convolution) gives the exact coverage. "
            f"Every true count M with 5 ≤ 100·M/N ≤ 95 for N ≤ 100, every whole true % otherwise "
            f"({', '.join(f'{c} populations at N={N:,}' for N, c in counts.items())}). "
            "Cells: mean exact coverage over true % 10–90 (lowest at any single true count; mean expected width "
            "in points, averaged over the true counts). `hypergeometric-exact (candidate)` is the exact test-inversion interval for "
            "sampling without replacement (Buonaccorsi 1987), not offered for analysis: shown for comparison.",
            "",
            _md_table(ex),
            "",
            f"Default method `{DEFAULT_METHOD}`, mean and lowest exact coverage by band of true %:",
            "",
            _md_table(bands),
            "",
        ]
    parts += [
        "## Coverage (%) at each true percentage",
        "",
        "Pooled figures hide where coverage fails: here every true % of the grid, for the default "
        f"method and the finite-population bootstrap (`{FPC_BOOTSTRAP}`), ± Monte Carlo SE in the "
        "CSV. Small populations are lumpy (a handful of sample counts are likely), and every "
        "method undercovers outside 10–90%.",
        "",
        _md_table(per_true),
        "",
        "## Mean interval width (percentage points), true % 10–90",
        "",
        _md_table(width),
        "",
        f"## Rating errors and flags by true % (default method `{DEFAULT_METHOD}`)",
        "",
        "`misrated`: band of the sample % ≠ band of the true % (both rounded half up, as the rules do); "
        "`flagged`: a band edge lies inside the interval (both in % of samples).",
        "",
        _md_table(rating),
        "",
        f"## Flags near and away from a band edge (default method `{DEFAULT_METHOD}`)",
        "",
        "Edges at 49.5, 64.5 and 79.5 on the unrounded scale. `flagged if misrated`: of the samples whose "
        "rating is wrong, the share flagged (the flag's sensitivity); `flagged if right`: of the samples "
        "rated right, the share flagged; `misrated and unflagged`: wrong and not flagged, % of all samples.",
        "",
        _md_table(zone),
        "",
        "Per-cell figures (every N, true % and method): `coverage_results.csv`; figure: `coverage.png`.",
        "",
    ]
    return "\n".join(parts)


def figure(table: pd.DataFrame, path: Path, scan: pd.DataFrame | None = None) -> Path:
    """Coverage vs true % per method, one column per N (rows: analytic / bootstrap)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    Ns = sorted(table["N"].unique())
    families = [f for f in ("analytic", "bootstrap") if (table["family"] == f).any()]
    low_y = min(50.0, 5 * math.floor((table["coverage"].min() - 2) / 5))
    fig, axes = plt.subplots(len(families), len(Ns), figsize=(3.7 * len(Ns), 3.6 * len(families)),
                             sharex=True, sharey=True, squeeze=False)
    for i, fam in enumerate(families):
        for j, N in enumerate(Ns):
            ax = axes[i, j]
            sel = table[(table["family"] == fam) & (table["N"] == N)]
            reps = int(sel["reps"].median()) if len(sel) else 1
            band = 196 * math.sqrt(CONFIDENCE * (1 - CONFIDENCE) / reps)
            ax.axhspan(80 - band, 80 + band, color="0.85", zorder=0, label=f"80% ± 1.96 MC SE ({reps} samples)")
            ax.axhline(80, color="k", lw=1, zorder=1)
            if scan is not None and fam == "analytic":
                ex = scan[(scan["N"] == N) & (scan["method"] == DEFAULT_METHOD)]
                ax.plot(ex["true_percent"], ex["exact_coverage"], color="0.45", lw=0.7, zorder=2,
                        label=f"{DEFAULT_METHOD}, exact, every true count")
            for m, grp in sel.groupby("method", sort=False):
                style = dict(lw=2.2, color="crimson", zorder=5) if m == DEFAULT_METHOD else dict(lw=1, alpha=0.85)
                ls = "-" if ("fpc" in m or fam == "bootstrap") else "--"
                ax.plot(grp["true_percent"], grp["coverage"], ls, marker=".", ms=3, label=m, **style)
            n = int(sel["n"].iloc[0]) if len(sel) else 0
            ax.set_title(f"{fam}: N={N:,}, n={n} (f={n / N:.2f})", fontsize=9)
            ax.set_ylim(low_y, 101)
            ax.grid(alpha=0.3, lw=0.5)
            if i == len(families) - 1:
                ax.set_xlabel("true % yes in the population")
            if j == 0:
                ax.set_ylabel("coverage of the 80% interval (%)")
        axes[i, -1].legend(fontsize=6, loc="lower right", ncol=1)
    fig.suptitle("Coverage of 80% intervals by method, eligible population N and true % "
                 "(dashed: no finite population correction)", fontsize=10)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return path


CSV_COLUMNS = ["N", "n", "sampling_fraction", "nominal_percent", "true_count", "true_percent", "true_band",
               "edge_distance", "stratum_spread", "method", "family", "B", "reps", "covered", "coverage",
               "coverage_se", "exact_coverage", "mean_width", "flag_rate", "misrating_rate",
               "flag_rate_if_misrated", "flag_rate_if_correct", "flagged", "misrated", "flagged_misrated",
               "missed_misrated", "flagged_correct", "width_sum", "count_mean_z"]


def write_outputs(table: pd.DataFrame, settings: dict, out: Path, scan: pd.DataFrame | None = None) -> list[Path]:
    out = ensure_writable_dir(out)
    csv = out / "coverage_results.csv"
    atomic_write(csv, lambda p: escape_formulas(table[CSV_COLUMNS]).to_csv(p, index=False, float_format="%.4f"))
    md = out / "coverage_results.md"
    text = markdown_report(table, settings, scan)
    atomic_write(md, lambda p: Path(p).write_text(text, encoding="utf-8"))
    png = figure(table, out / "coverage.png", scan)
    return [csv, md, png]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small grid, well under a minute")
    ap.add_argument("--out", type=Path, default=None,
                    help="output folder (default: benchmarks/ for the full run, a temporary folder for --quick)")
    ap.add_argument("--jobs", type=int, default=None, help="processes (default: all cores)")
    ap.add_argument("--reps", type=int, default=None, help="samples per cell")
    ap.add_argument("--boot-reps", type=int, default=None, help="of those, how many get bootstrap intervals")
    ap.add_argument("--resamples", type=int, default=None, help="bootstrap B")
    ap.add_argument("--seed", type=int, default=20190201)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        Ns, pcts, reps, boot, B = QUICK_POPULATIONS, QUICK_PERCENTS, QUICK_REPS, QUICK_BOOT_REPS, QUICK_RESAMPLES
        out = args.out or Path(tempfile.gettempdir()) / "inspection-sampling-coverage-quick"
    else:
        Ns, pcts, reps, boot, B = FULL_POPULATIONS, FULL_PERCENTS, FULL_REPS, FULL_BOOT_REPS, FULL_RESAMPLES
        out = args.out or HERE
    reps = args.reps or reps
    boot = min(boot if args.boot_reps is None else args.boot_reps, reps)
    B = args.resamples or B
    jobs = max(1, args.jobs or os.cpu_count() or 1)
    specs = cell_specs(Ns, pcts, reps=reps, boot_reps=boot, n_resamples=B, seed=args.seed)
    specs.sort(key=lambda s: -s.N)  # biggest cells first, so the pool's last job is a short one
    t0 = time.perf_counter()
    table = run_study(specs, jobs=min(jobs, len(specs)), progress=not args.no_progress)
    scan = None if args.quick else exact_scan(Ns, seed=args.seed, progress=not args.no_progress)
    elapsed = time.perf_counter() - t0
    command = "python benchmarks/coverage.py" + (" --quick" if args.quick else "")
    extra = [f"--{k.replace('_', '-')} {v}" for k, v in (("reps", args.reps), ("boot_reps", args.boot_reps),
                                                          ("resamples", args.resamples)) if v is not None]
    if args.seed != 20190201:
        extra.append(f"--seed {args.seed}")
    settings = {"command": " ".join([command, *extra]), "date": time.strftime("%Y-%m-%d"), "elapsed": elapsed,
                "jobs": min(jobs, len(specs)), "percents": pcts, "reps": reps, "boot_reps": boot,
                "n_resamples": B, "seed": args.seed}
    paths = write_outputs(table, settings, Path(out), scan)
    mid = pooled(table, where=lambda t: t["true_percent"].between(10, 90))
    view = mid.pivot(index="method", columns="N", values="coverage").loc[list(dict.fromkeys(table["method"]))]
    print(f"Coverage of 80% intervals (%), pooled over true % 10-90: {reps} samples per cell "
          f"({boot} for bootstrap methods, B={B}); {elapsed:.0f} s")
    print(view.round(1).to_string())
    if args.quick:
        print("(quick run: too few samples per cell for the 77-85% check of the default method)")
    else:
        print("\n".join(_check_lines(table, scan)))
    for path in paths:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
