"""Intervals for key-question percentages: analytic and bootstrap, finite-population aware.

The default method, ``"auto"`` (:data:`~sampling._utils._methods.AUTO`), is decided per key
question by :func:`~sampling._utils._methods.resolve_method`: the **mid-p hypergeometric**
interval where the population N is known, **Wilson** where it is not. The choice follows an
exact enumeration over every true count (``benchmarks/fpc_enumeration.py``; the statistics
page): at N = 56 and 79 Wilson with the finite-population correction under-covers (mean 78.4%
at N = 56, 27% of truths under 75%) where mid-p keeps 81.6–82.0% and is narrower; from
N = 668 up they agree. A design-weighted row (stratum populations known, unequal weights —
a proportional allocation rounded to whole cases has them too) takes the **stratified
finite-population** interval (``"stratified-finite"``, :mod:`sampling.stats._stratified`):
mid-quantiles of the exact distribution of the population count, each stratum cell's unseen
cases beta-binomial with the design variance, from the cells' counts
(:func:`~sampling.results._weights.cell_counts`; a question asked of part of the cases has
each cell's domain population estimated as N_h·n_hj/a_hj in whole cases). In the simulation
of ``benchmarks/stratified_fpc.py`` it beats the Korn–Graubard Wilson interval
(``method="wilson"`` on such rows, the default before) on mean coverage, truths under 75% and
width. Only an exactly self-weighting sample (every N_h/n_h equal: :func:`~sampling.estimation._weighted_rows.self_weighting`) is
analysed as a simple random sample of its N (mid-p), with the weighted columns alongside.
Without N_h (strata only) the sample is analysed as a simple random sample, so the default is
mid-p wherever N is known.
``method="wilson"`` gives Wilson (with the correction; design-weighted rows on the
Korn–Graubard effective sample) everywhere, as before.

Analytic intervals (:data:`ANALYTIC`) are statsmodels' ``proportion_confint`` (Wilson,
Clopper–Pearson, Jeffreys, Agresti–Coull; see Brown, Cai & DasGupta 2001, *Statist. Sci.*
16:101–133), vectorised over key questions. When the eligible population N is known, a
finite-population correction shrinks each side's distance from p̂ by √((N−n)/(N−1)) and
clips to [0, 1] (Cochran 1977, *Sampling Techniques*, 3rd ed., §3.3; Lohr 2022, *Sampling:
Design and Analysis*, 3rd ed., §2.3).

Bootstrap intervals (:data:`BOOTSTRAP`):

* **case level** — resample *cases* (all their answers together), within the design's strata,
  separately per sample. The resample of n_h cases from a stratum is a multinomial count per
  case; cases with the same (stratum, answer pattern) are exchangeable, so a replicate's yes
  and n for every key question is ``counts @ pattern-yes`` and ``counts @ pattern-applicable``
  — one matrix product for all questions. Counts are drawn by Poissonisation over distinct
  patterns where they are few against cases, else by drawing case indices and counting them
  (whichever is cheaper; the distribution is the same; see ``sampling._multinomial``).
  Percentile and BCa intervals (Efron 1987, *JASA* 82:171–185; Efron & Tibshirani 1993,
  *An Introduction to the Bootstrap*, ch. 14): z₀ from the replicates (mid-rank for ties, as
  ``scipy.stats.bootstrap``), the acceleration from the delete-one jackknife over cases —
  computed over patterns, since deleting any case of a pattern gives the same estimate.
  With N known the **Rao–Wu rescaling bootstrap** (Rao & Wu 1988, *JASA* 83:231–241; as
  bootstrap weights, Rao, Wu & Yue 1992, *Survey Methodology* 18:209–217) replaces it:
  m_h = n_h − 1 cases drawn with replacement per stratum, weights
  w = 1 − λ_h + λ_h (n_h/m_h) r, λ_h = √(m_h (1 − f_h)/(n_h − 1)), so the replicate variance of a
  mean is (1 − f) s²/n — the finite-population variance. Only N per sample is known, so
  every stratum takes the sample's fraction f = n/N (proportional allocation).
* **N known** — the *intervals* of both bootstrap methods come instead from the
  finite-population (Pólya urn) resampling of the unobserved cases
  (:mod:`sampling.estimation._fp_bootstrap`; the draws of
  :func:`~sampling.estimation._posterior.posterior_draws`, which then serve the rating
  probabilities too): percentile, and BCa with z₀ = 0, with the mid-p default as fallback.
  The exact enumeration chose it (``benchmarks/fpc_enumeration.py``): at N = 56 BCa on the urn
  covers 87.6% on average and never under 78.5%, where the Rao–Wu intervals, simulated, covered
  78% with 2 of 6 true percentages under 75% (``benchmarks/fpc_bootstrap_check.py``). :func:`bootstrap_replicates` still gives the Rao–Wu
  replicates below.
* **aggregate level** — the parametric equivalent, independently per key question:
  yes* ~ Binomial(n, p̂), or Hypergeometric(N_j, M̂ = round(p̂ N_j), n) with N known. A
  binomial draw is exactly the case bootstrap of n yes/no answers. BCa is implemented there
  too: z₀ from the replicates and the acceleration a = γ/6, γ the skewness of the
  (binomial or hypergeometric) yes count — Efron's (1987, §10) one-parameter-family value;
  for the binomial it equals the jackknife acceleration of the reconstructed 0/1 data,
  (1 − 2p̂)/(6√(n p̂(1 − p̂))).

A key question whose answers are all yes or all no, or whose n is under
:data:`MIN_BOOTSTRAP_N`, has a degenerate or unreliable bootstrap distribution; its interval
falls back to Clopper–Pearson and the ``note`` says so. One with fewer than
:data:`MIN_MINORITY` answers on its rarer side (4 "no" of 132, say) has a lumpy bootstrap
distribution that undercovers — the coverage study measured 55–76% at a true 95% for the
stratified bootstraps — so its interval is Wilson's, and the note says so. With N known (the
urn) the fallback is the analytic default instead, mid-p hypergeometric (Wilson on the
effective sample for a design-weighted row), below 10 answers on a side for the percentile
and below 3 for BCa (:data:`~sampling.estimation._fp_bootstrap.MIN_URN_MINORITY`).

For a question answered on part of a sample (a relevant sub-sample), the finite population it
was drawn from is estimated as N_j = N · n_j / n_sample (domain estimation, Lohr §4.2): its
sampling fraction is the sample's.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .._utils._checks import check_confidence_level, check_count, check_memory, check_rng
from .._utils._methods import (ANALYTIC, AUTO, BOOTSTRAP, DEFAULT_METHOD, FINITE, HYPERGEOMETRIC,
                               INTERVAL_METHODS as METHODS, STRATIFIED, check_method as _check_method,
                               method_name, resolve_method, used_method)
from ..stats._options import IntervalOptions
from ..stats._proportion import fpc_factor, interval_by_method, proportion_interval
from .._utils._display import TableResult
from .._utils._types import PopulationLike, SeedLike
from ._posterior import Posterior, posterior_draws
from ..results._design import SurveyDesign, as_design
from ._weighted_rows import unequal_weights, weighted_table
from ..results._results import Results
from ..errors import ArgumentError, DataError

if TYPE_CHECKING:
    from ._resampling import Boot

__all__ = [
    "ANALYTIC",
    "BOOTSTRAP",
    "FINITE",
    "METHODS",
    "MIN_BOOTSTRAP_N",
    "MIN_MINORITY",
    "proportion_interval",
    "fpc_factor",
    "intervals",
    "bootstrap",
    "bootstrap_replicates",
    "Intervals",
    "Replicates",
]


def __getattr__(name: str) -> Any:
    """The bootstrap's limits (``MIN_BOOTSTRAP_N``, ``MIN_MINORITY``), their module loaded only
    when asked for: analytic intervals and posterior draws do not need the resampling engine."""
    if name in ("MIN_BOOTSTRAP_N", "MIN_MINORITY"):
        from . import _bootstrap_limits

        return getattr(_bootstrap_limits, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _urn_how() -> str:
    """How a row of the Pólya-urn bootstrap was computed (its module loaded only by a
    bootstrap method)."""
    from ._fp_bootstrap import URN_HOW

    return URN_HOW


def _resample(design: SurveyDesign, B: int, gen: np.random.Generator) -> Boot:
    """:func:`sampling.estimation._resampling.resample`, the engine imported when first used."""
    from ._resampling import resample as engine

    return engine(design, B, gen)



# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Replicates:
    """Bootstrap replicates of every key question's percentage.

    Attributes
    ----------
    values : ndarray, shape (B, k)
        Percentages (0–100) per replicate and key question, columns in ``key_questions``
        order. At case level a row is one joint resample of cases (questions on the same cases
        stay correlated); NaN where a resample held no applicable case for that question.
    key_questions : tuple of str
    kind : str
        How they were drawn, e.g. ``"joint case bootstrap (stratified, with-replacement)"``.
    samples : tuple of str
        The sample of each column.
    estimate : ndarray, shape (k,)
        The observed percentages.
    finite_population : tuple of bool
        Whether each column's draws account for a finite population.
    """

    values: np.ndarray
    key_questions: tuple[str, ...]
    kind: str
    samples: tuple[str, ...] = ()
    estimate: np.ndarray | None = None
    finite_population: tuple[bool, ...] = ()

    @property
    def n_resamples(self) -> int:
        return int(self.values.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """The replicates as a DataFrame, one column per key question."""
        return pd.DataFrame(self.values, columns=list(self.key_questions))

    def __repr__(self) -> str:
        return (f"Replicates({self.values.shape[0]} × {self.values.shape[1]} key questions, "
                f"{self.kind})")


TABLE_COLUMNS = ["key_question", "standard", "sample", "yes", "n", "percent", "low", "high", "margin",
                 "method", "finite_population", "population", "note"]


@dataclass(frozen=True, repr=False)
class Intervals(TableResult):
    """An interval for every key question (see :func:`intervals`).

    Attributes
    ----------
    table : DataFrame
        key_question, standard, sample, yes, n, percent, low, high, margin ((high − low)/2,
        in points), method (as used for that row: a fallback shows here), finite_population
        (bool), population (N used for the row, NaN if none), note.
    method : str
        The interval method asked for, e.g. ``"wilson"`` or ``"bootstrap-bca"``; for the
        default ``"auto"`` the method used (``"hypergeometric-midp"`` with N known,
        ``"stratified-finite"`` for design-weighted rows, ``"wilson"`` without N,
        ``"hypergeometric-midp+wilson"`` when rows differ).
    confidence_level : float
        Two-sided, e.g. 0.8.
    n_resamples : int or None
        Bootstrap replicates (bootstrap methods only).
    replicates : Replicates or None
        The draws the bootstrap intervals came from (bootstrap methods only): case-bootstrap
        replicates, or with N known the Pólya-urn draws of the population % (``kind`` says).
    """

    table: pd.DataFrame
    method: str
    confidence_level: float
    n_resamples: int | None = None
    replicates: Replicates | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _title(self) -> str:
        extra = f", B={self.n_resamples:,}" if self.n_resamples else ""
        return f"Intervals: {method_name(self.method)}, {self.confidence_level:.0%} confidence{extra}"

    def _notes(self) -> list[str]:
        return [f"replicates: {self.replicates.kind}"] if self.replicates is not None else []


# --------------------------------------------------------------------------- populations
def _finite_populations(Nj: np.ndarray, n: np.ndarray, summary: pd.DataFrame, method: str) -> np.ndarray:
    """Whole-number populations for the hypergeometric methods, which need N for every row:
    a sub-population N_j = N·n_j/n is rounded (and kept ≥ n_j)."""
    missing = list(dict.fromkeys(summary.loc[np.isnan(Nj), "sample"]))
    if missing:
        raise DataError(f"the {method} interval needs the eligible population N, unknown for some samples",
                        column="population", values=missing,
                        hint="Give population=N or {sample: N}, or use method='wilson'.",
                        cli_hint="Give --population N or SAMPLE=N,…, or use --method wilson.")
    return np.maximum(np.round(Nj), n)


def _row_notes(summary: pd.DataFrame, Nj: np.ndarray, pops, sizes, what: str | list[str]) -> list[list[str]]:
    """Each row's notes: the population it was corrected for (``what``: how, one text or one
    per row) and an inferred n."""
    notes: list[list[str]] = [[] for _ in range(len(summary))]
    whats = [what] * len(summary) if isinstance(what, str) else list(what)
    for i, (s, N, what) in enumerate(zip(summary["sample"], Nj, whats)):
        if not np.isnan(N):
            if N == pops[s]:
                notes[i].append(f"{what}, N={int(N)}")
            else:
                notes[i].append(f"{what}, N≈{int(N)} (the sample's N={pops[s]} "
                                f"× n/{sizes[s]}: this question's sub-population)")
    n = summary["n"].to_numpy(dtype=float)
    for i, known in enumerate(summary["n_known"].to_numpy(dtype=bool)):
        if not known:
            notes[i].append(f"n={int(n[i])} inferred, not published (see the results note)")
    return notes


def _check_results(results: Any) -> None:
    if not isinstance(results, (Results, SurveyDesign)):
        raise ArgumentError("results", type(results).__name__,
                            "must be a Results object (see sampling.load_results) or a survey design "
                            "(sampling.survey_design)")


def _check_bootstrap_args(n_resamples, rng, k: int):
    """(B, generator) after checking the bootstrap arguments shared by the public functions;
    a B whose replicate tables (about ten B × k float arrays) would not fit in memory is
    refused before any work."""
    B = check_count(n_resamples, "n_resamples", minimum=1)
    check_memory(10.0 * 8 * B * max(k, 1), f"{B:,} replicates of {k} key questions", "n_resamples", B)
    gen = check_rng(rng)
    return B, gen


def _replicates(boot: Boot, summary: pd.DataFrame) -> Replicates:
    return Replicates(values=boot.values, key_questions=tuple(summary["key_question"]),
                      kind=boot.kind, samples=tuple(summary["sample"]),
                      estimate=100.0 * boot.yes / boot.n, finite_population=tuple(bool(x) for x in boot.finite))


def bootstrap_replicates(results: Results | SurveyDesign, *, n_resamples: int = 10_000,
                         population: PopulationLike = None, finite_population: bool | None = None,
                         stratified: bool | None = None, rng: SeedLike = None) -> Replicates:
    """B × k bootstrap replicates of every key question's percentage (0–100).

    Case level: a joint case bootstrap — cases resampled with all their answers, within the
    design's strata (``results.strata``) when ``stratified``, separately per sample; with N
    known (``population`` / ``results.populations``, unless ``finite_population=False``) the
    Rao–Wu (1988) rescaling bootstrap. Aggregate level: independent parametric draws per key
    question, Binomial(n, p̂) or Hypergeometric(N_j, round(p̂N_j), n). ``kind`` says which.
    Reproducible with an int seed ``rng``.

    Parameters
    ----------
    results : Results or SurveyDesign
        Case-level or aggregate results, or their design (:func:`sampling.survey_design`,
        which then holds ``population``, ``finite_population`` and ``stratified``).
    n_resamples : int
        Replicates B.
    population : int or {sample: N}, optional
        Eligible population(s), over those the results carry.
    finite_population : bool or None
        None: finite-population resampling wherever N is known; False: never; True: require N.
    stratified : bool or None
        Resample within the design's strata (None: yes).
    rng : int, Generator or None
        Seed.

    Returns
    -------
    Replicates
        ``values`` (B, k) percentages, ``key_questions``, ``kind``.

    References
    ----------
    .. [1] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 6.
    .. [2] Rao, J. N. K. & Wu, C. F. J. (1988). Resampling inference with complex survey data.
       *JASA* 83, 231–241.

    Examples
    --------
    >>> import sampling
    >>> replicates = sampling.bootstrap_replicates(sampling.synthetic_results(rng=1, n=60), n_resamples=500, rng=3)
    >>> replicates.to_frame().shape[0] > 0
    True
    """
    _check_results(results)
    B, gen = _check_bootstrap_args(n_resamples, rng, len(results.summary))
    design = as_design(results, population, finite_population, stratified)
    return _replicates(_resample(design, B, gen), design.summary)


def intervals(results: Results | SurveyDesign, *, method: str = DEFAULT_METHOD, confidence_level: float = 0.8,
              population: PopulationLike = None, finite_population: bool | None = None,
              n_resamples: int = 10_000, stratified: bool | None = None, rng: SeedLike = None) -> Intervals:
    """An interval for every key question of ``results``, with its own n.

    Parameters
    ----------
    results : Results or SurveyDesign
        From :func:`~sampling.load_results`, or its design (:func:`sampling.survey_design`,
        which then holds ``population``, ``finite_population`` and ``stratified``: leave
        them unset here).
    method : str
        ``"auto"`` (default): mid-p hypergeometric where the population N is known, the
        stratified finite-population interval for design-weighted rows (stratum populations
        N_h known, unequal weights), else Wilson; the table's ``method`` column and
        ``Intervals.method`` name the method used. Or one of :data:`ANALYTIC` (statsmodels
        ``proportion_confint``; ``"wilson"`` for Wilson with the finite-population correction
        everywhere, design-weighted rows on the Korn–Graubard effective sample), :data:`FINITE`
        (the hypergeometric intervals, exact or mid-p, and ``"stratified-finite"``, for a
        known N: every sample's population must be known, else :class:`DataError`; a
        hypergeometric method on a design-weighted row becomes Clopper–Pearson on its
        effective sample, ``"stratified-finite"`` on a sample without N_h treats it as one
        cell) or :data:`BOOTSTRAP` (with N known, finite-population Pólya-urn resampling of
        the unobserved cases; without it, case resampling at case level, parametric at
        aggregate level; see the module notes).
    confidence_level : float
        Two-sided, default 0.8 (the inspectorate's).
    population : None, int or {sample: int}
        Eligible population N: None uses ``results.populations``; an int applies to every
        sample; a mapping sets some samples. N must be ≥ the sample's n.
    finite_population : None, bool
        None: correct for the finite population wherever N is known; False: never; True:
        always (N must then be known for every sample).
    n_resamples : int
        Bootstrap replicates B (default 10,000).
    stratified : bool or None
        Case-level bootstrap: resample within ``results.strata`` of each sample (None: yes).
    rng : int or numpy Generator
        Seed for the bootstrap.

    Returns
    -------
    Intervals
        ``table`` with one row per key question (low/high/margin in points, 0–100), the
        replicates (bootstrap methods) and the settings. A row whose bootstrap would collapse
        (0 or n yes, n < MIN_BOOTSTRAP_N) uses Clopper–Pearson instead (with N known, the
        mid-p default), as its method and note say.

    Examples
    --------
    >>> import sampling
    >>> table = sampling.intervals(sampling.seed_inspection(), method="wilson").to_frame()
    >>> table.loc[table["key_question"] == "2.1.1", ["yes", "n", "low", "high"]].round(2)
        yes      n    low  high
    0  99.0  132.0  69.88  79.5
    """
    _check_results(results)
    method = _check_method(method)
    cl = check_confidence_level(confidence_level)
    B, gen = (_check_bootstrap_args(n_resamples, rng, len(results.summary)) if method in BOOTSTRAP
              else (None, None))
    return _intervals_of(as_design(results, population, finite_population, stratified), method, cl, B, gen)


def _intervals_of(design: SurveyDesign, method: str, cl: float, B: int | None, gen) -> Intervals:
    """The intervals of a design, its options checked."""
    return _intervals_and_urn(design, method, cl, B, gen)[0]


def _intervals_and_urn(design: SurveyDesign, method: str, cl: float, B: int | None,
                       gen) -> tuple[Intervals, Posterior | None]:
    """The intervals of a design, and the urn draws a bootstrap method with N known took them
    from (:mod:`sampling.estimation._fp_bootstrap`; None otherwise)."""
    pops, summary, sizes = design.populations, design.summary, design.results.sample_sizes
    yes = summary["yes"].to_numpy(dtype=float)
    n = summary["n"].to_numpy(dtype=float)
    Nj = design.question_population
    methods = resolve_method(method, ~np.isnan(Nj), unequal_weights(design))
    finite = np.isin(methods, FINITE)
    if method in FINITE:
        Nj = _finite_populations(Nj, n, summary, method)
    elif finite.any():  # "auto": whole-number populations for its hypergeometric rows
        Nj = np.where(finite, np.maximum(np.round(Nj), n), Nj)
    how = np.where(methods == STRATIFIED, "stratified finite-population interval, one cell",
                   np.where(finite, "hypergeometric", _urn_how() if method in BOOTSTRAP
                            else "finite-population correction")).tolist()
    notes = _row_notes(summary, Nj, pops, sizes, how)
    replicates, urn = None, None
    if method not in BOOTSTRAP:
        low, high = interval_by_method(yes, n, methods, cl, Nj)
        low, high = 100 * low, 100 * high
    else:  # a bootstrap method: B was checked
        from ._fp_bootstrap import bootstrap_rows

        rows = bootstrap_rows(design, method, cl, cast(int, B), gen, notes, unequal_weights(design))
        low, high, methods, notes, urn = rows.low, rows.high, rows.methods, rows.notes, rows.posterior
        replicates = Replicates(values=rows.values, key_questions=tuple(summary["key_question"]), kind=rows.kind,
                                samples=tuple(summary["sample"]), estimate=rows.estimate,
                                finite_population=tuple(bool(x) for x in rows.finite))
    pct = 100 * yes / n
    fin = ~np.isnan(Nj)
    table = pd.DataFrame({
        "key_question": summary["key_question"].to_numpy(dtype=object),
        "standard": summary["standard"].to_numpy(dtype=object),
        "sample": summary["sample"].to_numpy(dtype=object),
        "yes": yes, "n": n, "percent": pct, "low": low, "high": high, "margin": (high - low) / 2,
        "method": methods, "finite_population": fin, "population": Nj,
        "note": ["; ".join(x) for x in notes],
    }, columns=TABLE_COLUMNS)
    if design.weighted:  # N_h known: weighted rows (weighted_table above); "auto" (and a bootstrap's
        # fallback to it) keeps its mid-p rows
        srs = np.isin(table["method"], HYPERGEOMETRIC) if method == AUTO or method in BOOTSTRAP else None
        table = weighted_table(table, design, cl, srs=srs)
    return Intervals(table=table, method=used_method(table["method"]) if method == AUTO else method,
                     confidence_level=cl,
                     n_resamples=B if method in BOOTSTRAP else None, replicates=replicates), urn


def intervals_and_replicates(design: SurveyDesign, options: IntervalOptions) -> tuple[Intervals, Replicates]:
    """A design's intervals and the bootstrap replicates of its percentages (for the rating
    probabilities), from one generator: a case bootstrap interval method's own replicates, else
    (analytic intervals, or a bootstrap's urn draws with N known) replicates drawn after them."""
    B, gen = _check_bootstrap_args(options.n_resamples, options.generator(), len(design.summary))
    iv, urn = _intervals_and_urn(design, options.method, options.confidence_level, B, gen)
    if iv.replicates is not None and urn is None:
        return iv, iv.replicates
    return iv, _replicates(_resample(design, B, gen), design.summary)


def intervals_and_posterior(design: SurveyDesign, options: IntervalOptions) -> tuple[Intervals, Posterior]:
    """A design's intervals and posterior draws of its population percentages (for the rating
    probabilities; :mod:`sampling.estimation._posterior`), from one generator: the intervals
    first, then ``n_resamples`` draws — except that a bootstrap method with N known already
    drew them (its intervals come from the urn), and those same draws serve both."""
    B, gen = _check_bootstrap_args(options.n_resamples, options.generator(), len(design.summary))
    iv, urn = _intervals_and_urn(design, options.method, options.confidence_level, B, gen)
    return iv, urn if urn is not None else posterior_draws(design, B, gen)


def bootstrap(results: Results, *, method: str = "bootstrap-bca", **kwargs: Any) -> Intervals:
    """Bootstrap intervals: :func:`intervals` with a bootstrap method (BCa by default).

    Parameters
    ----------
    results : Results
        Case-level or aggregate results.
    method : {"bootstrap-bca", "bootstrap-percentile"}
        The bootstrap interval.
    **kwargs
        As for :func:`intervals` (confidence_level, population, n_resamples, rng, …).

    Returns
    -------
    Intervals

    References
    ----------
    .. [1] Efron, B. (1987). Better bootstrap confidence intervals. *JASA* 82, 171–185.

    Examples
    --------
    >>> import sampling
    >>> results = sampling.synthetic_results(rng=1, n=60)
    >>> table = sampling.bootstrap(results, n_resamples=2000, rng=3).to_frame()
    >>> bool(((table["low"] <= table["percent"]) & (table["percent"] <= table["high"])).all())
    True
    """
    method = _check_method(method, BOOTSTRAP)
    return intervals(results, method=method, **kwargs)
