"""Strata of a sample, for its survey design (:mod:`sampling.results._design`) and the
design-weighted estimators (:mod:`sampling.results._weights`), which both import this module:

* the stratum cells of a design-weighted sample — which cell each case is in, each sampled
  cell's population N_h and cases n_h (from the results' stratum populations);
* the resampling strata (single-case strata pooled: collapsed strata, Wolter 2007 §2.5) and
  the distinct (stratum, answer pattern) units the case bootstrap resamples.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = ["POPULATION", "SampleDesign", "SampleUnits", "cell_key", "collapse_small_strata", "sample_design",
           "sample_units", "stratum_codes", "unique_rows"]

#: the N_h column of a stratum-populations table
POPULATION = "population"


@dataclass(frozen=True)
class SampleDesign:
    """One sample's stratified design: the cell of each case, and each sampled cell's N_h, n_h.

    ``unsampled`` is the population of cells the table lists but the results hold no case of.
    """

    code: np.ndarray      # (n_s,) index of each case's cell into N_h, n_h
    N_h: np.ndarray       # (H,) population of each sampled cell
    n_h: np.ndarray       # (H,) cases of each cell in the results
    unsampled: int = 0

    @property
    def weights(self) -> np.ndarray:
        """w_i = N_h / n_h of each case."""
        return (self.N_h / self.n_h)[self.code]


def collapse_small_strata(code: np.ndarray) -> tuple[np.ndarray, int]:
    """Collapsed strata (Wolter 2007, *Introduction to Variance Estimation*, 2nd ed., §2.5;
    Rust & Kalton 1987, *J. Official Statistics* 3:69–80): a stratum with a single sampled
    case has no within-stratum variation to resample, so it would add none to the bootstrap
    variance. All such strata are pooled into one; if that pool still holds a single case it
    joins the smallest stratum that has two or more. Returns the new codes and how many
    strata were pooled.

    >>> collapse_small_strata(np.array([0, 0, 1, 2, 3, 3]))
    (array([0, 0, 1, 1, 3, 3]), 2)
    """
    uniq, inv, cnt = np.unique(code, return_inverse=True, return_counts=True)
    lonely = cnt < 2
    if not lonely.any():
        return code, 0
    new = code.copy()
    in_lonely = lonely[inv.ravel()]
    if in_lonely.sum() >= 2 or lonely.all():
        new[in_lonely] = uniq[lonely].min()
    else:
        big = np.flatnonzero(~lonely)
        new[in_lonely] = uniq[big[np.argmin(cnt[big])]]
    return new, int(lonely.sum())


def cell_key(values) -> tuple:
    return tuple(str(v).strip().casefold() for v in values)


def sample_design(results: Any, sample: str) -> SampleDesign | None:
    """The design of ``sample`` (None when its N_h are not known)."""
    table = (getattr(results, "stratum_populations", None) or {}).get(sample)
    if table is None:
        return None
    cols = [c for c in table.columns if c not in (POPULATION, "n")]
    sampled = table[table["n"] > 0].reset_index(drop=True)
    index = {cell_key(r): i for i, r in enumerate(sampled[cols].itertuples(index=False))}
    sub = results.cases.loc[results.cases["sample"] == sample, cols]
    code = np.array([index[cell_key(r)] for r in sub.itertuples(index=False)], dtype=np.int64)
    return SampleDesign(code, sampled[POPULATION].to_numpy(float), sampled["n"].to_numpy(float),
                        int(table.loc[table["n"] == 0, POPULATION].sum()))


def stratum_codes(cases: pd.DataFrame, columns: tuple) -> np.ndarray:
    """One integer code per case for the combination of its stratum columns."""
    code = np.zeros(len(cases), dtype=np.int64)
    for c in columns:
        codes, uniques = pd.factorize(cases[c].map(str), sort=True)
        code = code * len(uniques) + codes
    return code


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
        return (not self.rescale or (self.finite and self.cases >= self.population)) and not self.weighted


def _answer_codes(results: Any, sample: str, kqs: list[str]) -> np.ndarray:
    in_s = (results.cases["sample"] == sample).to_numpy()
    answers = results.answers.loc[in_s, kqs].to_numpy(dtype=float)
    return np.where(np.isnan(answers), 2, answers).astype(np.int8)


def _plain_units(results: Any, sample: str, code: np.ndarray, stratified: bool):
    """(patterns, counts, block, weight, fraction-less) of an unweighted sample."""
    in_s = (results.cases["sample"] == sample).to_numpy()
    strata_cols = tuple(results.strata.get(sample, ())) if stratified else ()
    h_code = stratum_codes(results.cases.loc[in_s], strata_cols)
    pooled = 0
    if strata_cols:
        h_code, pooled = collapse_small_strata(h_code)
    patterns, _, counts = unique_rows(np.column_stack([h_code, code]).astype(np.int64))
    return patterns, counts, patterns[:, 0], None, None, bool(strata_cols), pooled


def _weighted_units(design: SampleDesign, code: np.ndarray, finite: bool):
    """Units of a design-weighted sample: keyed by (resampling stratum, cell, answers), so a
    pooled stratum keeps each cell's own weight; each resampling stratum's fraction is
    Σ n_h / Σ N_h over its cells (0 without N)."""
    H = len(design.N_h)
    group, pooled = collapse_small_strata(design.code)
    patterns, _, counts = unique_rows(np.column_stack([group * H + design.code, code]).astype(np.int64))
    cell, block = patterns[:, 0] % H, patterns[:, 0] // H
    fraction = {}
    for b in np.unique(block):
        cells = np.unique(cell[block == b])
        fraction[int(b)] = float(design.n_h[cells].sum() / design.N_h[cells].sum()) if finite else 0.0
    return patterns, counts, block, design.N_h[cell] / design.n_h[cell], fraction, True, pooled


def sample_units(results: Any, sample: str, columns: np.ndarray, pops: Mapping[str, int],
                  stratified: bool) -> SampleUnits:
    kqs = [str(q) for q in results.summary["key_question"].to_numpy()[columns]]
    code = _answer_codes(results, sample, kqs)
    cells = sample_design(results, sample)
    N = pops.get(sample)
    if cells is not None:
        patterns, counts, block, weight, fraction, strat, pooled = _weighted_units(cells, code, N is not None)
    else:
        patterns, counts, block, weight, fraction, strat, pooled = _plain_units(results, sample, code, stratified)
        f = counts.sum() / N if N is not None else 0.0
        fraction = {int(b): float(f) for b in np.unique(block)}
    # Rao–Wu rescaling (m_h = n_h − 1) when N is known, with several strata, or with weights:
    # the plain with-replacement bootstrap of n_h cases understates a stratum's variance by
    # (n_h − 1)/n_h (Rao & Wu 1988, §3)
    rescale = N is not None or len(np.unique(block)) > 1 or cells is not None
    return SampleUnits(sample, columns, patterns, counts, (patterns[:, 1:] == 1).astype(float),
                       (patterns[:, 1:] != 2).astype(float), block, weight, fraction, N, strat, pooled, rescale,
                       cells)
