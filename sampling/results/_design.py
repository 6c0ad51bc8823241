"""The survey design of a set of results, made once and handed to every estimator.

As R's ``survey`` keeps ``svydesign`` apart from ``svymean``, :func:`survey_design` works out
everything an estimator needs to know about how the cases were sampled — each sample's
eligible population N, each key question's population N_j, the resampling strata (single-case
strata pooled), the stratum cells' N_h, n_h, design weights and sampling fractions, and the
distinct (stratum, answer pattern) units the case bootstrap resamples — and keeps it in one
frozen :class:`SurveyDesign`. :func:`sampling.intervals`, :func:`sampling.bootstrap_replicates`
and :func:`sampling.rate` take it in place of the results, so nothing is derived twice.

References
----------
.. [1] Lumley, T. (2004). Analysis of complex survey samples. *J. Statistical Software* 9(8),
   1–19 (``svydesign``: the design object kept apart from its estimators).
.. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., ch. 5. Wiley.
.. [3] Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., §2.5 (collapsed
   strata). Springer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, cast

import numpy as np
import pandas as pd

from .._utils._checks import check_bool, check_populations
from .._utils._display import TableResult
from ..errors import ArgumentError, DataError
from ._results import Results
from ._weights import SampleDesign, resampling_strata

if TYPE_CHECKING:
    from .._utils._types import PopulationLike


__all__ = ["SurveyDesign", "SampleUnits", "survey_design", "sample_units", "unique_rows", "question_populations", "resolve_populations",
           "check_weighted_populations", "as_design"]


# --------------------------------------------------------------------------- populations
def question_populations(summary: pd.DataFrame, pops: Mapping[str, int], sizes: Mapping[str, int]) -> np.ndarray:
    """N_j per key question: N for a question on the whole sample, N·n_j/n_sample (rounded,
    at least n_j) for one answered on part of it; NaN where N is unknown."""
    out = np.full(len(summary), np.nan)
    for i, (s, n) in enumerate(zip(summary["sample"], summary["n"])):
        if s in pops:
            N, ns = pops[s], sizes[s]
            out[i] = N if n >= ns else max(n, np.floor(N * n / ns + 0.5))
    return out


def resolve_populations(results: Results, population: Any, finite_population: Any) -> dict[str, int]:
    """{sample: N} in use: the results' own, overridden by ``population``; none with
    ``finite_population=False``; every sample's required with True."""
    sizes = results.sample_sizes
    pops = check_populations(population, sizes, base=results.populations)
    if check_bool(finite_population, "finite_population", allow_none=True) is None:
        return pops
    if not finite_population:
        return {}
    missing = [s for s in sizes if s not in pops]
    if missing:
        raise DataError("finite_population=True but the population N is unknown for some samples",
                        values=missing, hint="Give population=N or {sample: N}.",
                        cli_hint="Give --population N or SAMPLE=N,….")
    return pops


def check_weighted_populations(results: Results, pops: Mapping[str, int]) -> None:
    """A population N given for a sample with known N_h must be Σ_h N_h."""
    for s in getattr(results, "stratum_populations", {}) or {}:
        if s in pops and pops[s] != results.populations.get(s):
            raise DataError(f"sample {s!r}: population N={pops[s]} disagrees with its stratum populations "
                            f"(Σ N_h = {results.populations.get(s)})", column="population",
                            values=(pops[s], results.populations.get(s)))


# --------------------------------------------------------------------------- units
def unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(rows, axis=0, return_inverse=True, return_counts=True)`` for rows of a
    stratum code and 0/1/2 answers: each row packed into one base-3 integer where it fits
    (the same lexicographic order, several times faster), else the row-wise unique.

    >>> unique_rows(np.array([[1, 0, 2], [0, 1, 1], [1, 0, 2]]))[2].tolist()
    [1, 2]
    """
    k = rows.shape[1] - 1
    top = int(rows[:, 0].max()) + 1 if len(rows) else 1
    if k * np.log2(3) + np.log2(top) >= 62:
        return np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    key = rows[:, 0].copy()
    for j in range(1, k + 1):
        key *= 3
        key += rows[:, j]
    first, inverse, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)[1:]
    return rows[first], inverse, counts


@dataclass(frozen=True)
class SampleUnits:
    """One sample of a case-level design: its cases grouped into distinct (resampling
    stratum, answer pattern) units, with everything the case bootstrap needs.

    Attributes
    ----------
    sample : str
    columns : ndarray
        The summary rows (key questions) of this sample.
    patterns : ndarray, shape (P, 1 + k)
        Unit key (stratum code, or resampling stratum × H + cell for a weighted sample), then
        the answers 0/1/2 (no/yes/not applicable).
    counts : ndarray, shape (P,)
        Cases per unit.
    Yp, Qp : ndarray, shape (P, k)
        1 where the unit answers yes / where the question applies.
    block : ndarray, shape (P,)
        The resampling stratum of each unit (contiguous).
    weight : ndarray or None
        Design weight N_h/n_h of each unit (None: unweighted).
    fraction : {resampling stratum: f}
        Sampling fraction of each resampling stratum (0 where N is unknown).
    population : int or None
        The sample's eligible N, if known.
    stratified, pooled, rescale
        Whether the design has strata columns; single-case strata pooled; whether the Rao–Wu
        rescaling applies (N known, several strata, or weights).
    cells : SampleDesign or None
        The stratum cells (each case's cell, N_h, n_h) of a design-weighted sample.
    """

    sample: str
    columns: np.ndarray
    patterns: np.ndarray
    counts: np.ndarray
    Yp: np.ndarray
    Qp: np.ndarray
    block: np.ndarray
    weight: np.ndarray | None
    fraction: Mapping[int, float]
    population: int | None
    stratified: bool
    pooled: int
    rescale: bool
    cells: SampleDesign | None = None

    @property
    def cases(self) -> int:
        return int(self.counts.sum())

    @property
    def finite(self) -> bool:
        return self.population is not None

    @property
    def weighted(self) -> bool:
        return self.weight is not None

    @property
    def exact(self) -> bool:
        """Whether replicate totals are whole numbers (compared exactly)."""
        return (not self.rescale or (self.population is not None and self.cases >= self.population)) and not self.weighted


def _answer_codes(results: Results, sample: str, kqs: list[str]) -> np.ndarray:
    # case-level results (the only ones with units) have both tables
    cases, answers_table = cast(pd.DataFrame, results.cases), cast(pd.DataFrame, results.answers)
    in_s = (cases["sample"] == sample).to_numpy()
    answers = answers_table.loc[in_s, kqs].to_numpy(dtype=float)
    return np.where(np.isnan(answers), 2, answers).astype(np.int8)


def _plain_units(group: np.ndarray, code: np.ndarray):
    """(patterns, counts, block, weight, fraction) of an unweighted sample."""
    patterns, _, counts = unique_rows(np.column_stack([group, code]).astype(np.int64))
    return patterns, counts, patterns[:, 0], None, None


def _weighted_units(design: SampleDesign, group: np.ndarray, code: np.ndarray, finite: bool):
    """Units of a design-weighted sample: keyed by (resampling stratum, cell, answers), so a
    pooled stratum keeps each cell's own weight; each resampling stratum's fraction is
    Σ n_h / Σ N_h over its cells (0 without N)."""
    H = len(design.N_h)
    patterns, _, counts = unique_rows(np.column_stack([group * H + design.code, code]).astype(np.int64))
    cell, block = patterns[:, 0] % H, patterns[:, 0] // H
    fraction = {}
    for b in np.unique(block):
        cells = np.unique(cell[block == b])
        fraction[int(b)] = float(design.n_h[cells].sum() / design.N_h[cells].sum()) if finite else 0.0
    return patterns, counts, block, design.N_h[cell] / design.n_h[cell], fraction


def sample_units(results: Results, sample: str, columns: np.ndarray, pops: Mapping[str, int],
                 stratified: bool) -> SampleUnits:
    """The resampling units of one sample (its summary rows ``columns``)."""
    kqs = [str(q) for q in results.summary["key_question"].to_numpy()[columns]]
    code = _answer_codes(results, sample, kqs)
    cells, group, pooled, strat = resampling_strata(results, sample, stratified)
    N = pops.get(sample)
    if cells is not None:
        patterns, counts, block, weight, fraction = _weighted_units(cells, group, code, N is not None)
    else:
        patterns, counts, block, weight, fraction = _plain_units(group, code)
        f = counts.sum() / N if N is not None else 0.0
        fraction = {int(b): float(f) for b in np.unique(block)}
    # Rao–Wu rescaling (m_h = n_h − 1) when N is known, with several strata, or with weights:
    # the plain with-replacement bootstrap of n_h cases understates a stratum's variance by
    # (n_h − 1)/n_h (Rao & Wu 1988, §3)
    rescale = N is not None or len(np.unique(block)) > 1 or cells is not None
    return SampleUnits(sample, columns, patterns, counts, (patterns[:, 1:] == 1).astype(float),
                       (patterns[:, 1:] != 2).astype(float), block, weight, fraction, N, strat, pooled, rescale,
                       cells)


# --------------------------------------------------------------------------- the design
@dataclass(frozen=True, repr=False)
class SurveyDesign(TableResult):
    """How a set of results was sampled, worked out once (see :func:`survey_design`).

    Attributes
    ----------
    results : Results
        The results the design describes.
    populations : dict
        {sample: N} in use (a sample absent here gets no finite-population correction).
    stratified : bool
        Whether the case bootstrap resamples within the design's strata.
    question_population : ndarray, shape (k,)
        N_j of each key question (summary row); NaN where N is unknown.
    units : tuple of SampleUnits
        Per sample, the resampling units (case-level results; empty for aggregate ones).
    """

    results: Results
    populations: Mapping[str, int]
    stratified: bool
    question_population: np.ndarray
    units: tuple[SampleUnits, ...] = ()

    @property
    def summary(self) -> pd.DataFrame:
        return self.results.summary

    @property
    def weighted(self) -> bool:
        """Whether some sample is design-weighted (stratum populations N_h known)."""
        return any(u.weighted for u in self.units)

    @property
    def cells(self) -> dict[str, SampleDesign]:
        """{sample: stratum cells} of the design-weighted samples."""
        return {u.sample: u.cells for u in self.units if u.cells is not None}

    def to_frame(self) -> pd.DataFrame:
        """One row per sample: cases, N, resampling strata, pooled strata, weighted, FPC."""
        rows = []
        for s, n in self.results.sample_sizes.items():
            u = next((x for x in self.units if x.sample == s), None)
            N = self.populations.get(s)
            rows.append({"sample": s, "cases": int(n), "population": N if N is not None else np.nan,
                         "strata": len(np.unique(u.block)) if u is not None else np.nan,
                         "pooled_strata": u.pooled if u is not None else 0,
                         "weighted": bool(u is not None and u.weighted), "finite_population": N is not None})
        return pd.DataFrame(rows)

    def _title(self) -> str:
        return f"Survey design: {len(self.results.sample_sizes)} sample(s), {self.results.level} level"

    def _notes(self) -> list[str]:
        return ["design-weighted by stratum populations N_h"] if self.weighted else []


def survey_design(results: Results, *, population: PopulationLike = None, finite_population: bool | None = None,
                  stratified: bool = True) -> SurveyDesign:
    """The survey design of ``results``, made once for every estimator (R's ``svydesign``).

    Parameters
    ----------
    results : Results
        From :func:`sampling.load_results` or :func:`sampling.read_fieldwork`.
    population : None, int or {sample: int}
        Eligible population N: None uses ``results.populations``; an int applies to every
        sample; a mapping sets some samples. N must be ≥ the sample's n.
    finite_population : None, bool
        None: correct for the finite population wherever N is known; False: never; True:
        always (N must then be known for every sample).
    stratified : bool
        Case-level bootstrap: resample within ``results.strata`` of each sample.

    Returns
    -------
    SurveyDesign
        Pass it to :func:`sampling.intervals`, :func:`sampling.bootstrap_replicates` or
        :func:`sampling.rate` in place of the results.

    References
    ----------
    .. [1] Lumley, T. (2004). Analysis of complex survey samples. *J. Statistical Software* 9(8).

    Examples
    --------
    >>> import sampling
    >>> design = sampling.survey_design(sampling.seed_inspection())
    >>> row = design.to_frame().iloc[0]
    >>> str(row["sample"]), int(row["cases"]), bool(row["finite_population"])
    ('case_supervision', 132, False)
    """
    if not isinstance(results, Results):
        raise ArgumentError("results", type(results).__name__,
                            "must be a Results object (see sampling.load_results)")
    pops = resolve_populations(results, population, finite_population)
    check_weighted_populations(results, pops)
    stratified = bool(check_bool(stratified, "stratified"))
    summary = results.summary
    Nj = question_populations(summary, pops, results.sample_sizes)
    units: tuple[SampleUnits, ...] = ()
    if results.level == "case":
        sample = summary["sample"].to_numpy()
        units = tuple(sample_units(results, s, np.flatnonzero(sample == s), pops, stratified)
                      for s in dict.fromkeys(sample))
    return SurveyDesign(results, dict(pops), stratified, Nj, units)


def as_design(data: Any, population: Any = None, finite_population: Any = None,
              stratified: Any = None) -> SurveyDesign:
    """``data`` if it is a :class:`SurveyDesign` (then the design options must be left
    unset: they are the design's), else the design of the results ``data``."""
    if isinstance(data, SurveyDesign):
        given = [(k, v) for k, v in (("population", population), ("finite_population", finite_population),
                                     ("stratified", stratified)) if v is not None]
        if given:
            raise ArgumentError(given[0][0], given[0][1],
                                "is the survey design's: give it to sampling.survey_design, not here")
        return data
    return survey_design(data, population=population, finite_population=finite_population,
                         stratified=True if stratified is None else stratified)
