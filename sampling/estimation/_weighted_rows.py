"""The rows of design-weighted samples in the intervals table (stratum populations N_h known).

:func:`sampling.intervals` computes every row as for a simple random sample, then
:func:`weighted_table` replaces the rows of samples with known N_h: the analytic rows (and a
bootstrap row that fell back to Clopper–Pearson) become the Korn–Graubard (1998) interval
around the weighted estimate with each stratum's own finite-population correction
(:func:`~sampling.results._weights.weighted_interval`); the stratified-finite rows come from
the stratum cells' counts (:func:`~sampling.results._weights.stratified_intervals`); bootstrap
rows already come from the urn's draws within each stratum cell. The table gains
``weighted_percent`` after ``percent`` (which stays the sample's own percentage), then
``design_effect`` and ``effective_n`` (n/deff).

References
----------
.. [1] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
   expected number of positive counts estimated from survey data. *Survey Methodology* 24,
   193–201.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._utils._methods import ANALYTIC, HYPERGEOMETRIC, STRATIFIED
from .._utils._tables import position
from ..results._design import SurveyDesign
from ..results._weights import (DEGENERATE_NOTE, STRATIFIED_DOMAIN_NOTE, cell_estimates, degenerate_rows,
                                stratified_intervals, weighted_interval)

__all__ = ["self_weighting", "unequal_weights", "weighted_table"]


_FINITE_NOTE = ("a hypergeometric interval assumes a simple random sample; this design-weighted row "
                "uses Clopper–Pearson on its effective sample instead")
_SELF_WEIGHTING_NOTE = ("self-weighting (every stratum's design weight N_h/n_h is the same): analysed as a "
                        "simple random sample of the sample's N")


def self_weighting(cells) -> bool:
    """Whether a stratified sample with known N_h is self-weighting: every sampled cell has
    the same design weight N_h/n_h (an exactly proportional allocation, every cell sampled).
    Its weighted estimate is then the sample's own percentage and the unstratified analysis
    applies. A proportional allocation *rounded* to whole cases has unequal weights and is
    not self-weighting: the rounding moves the sample's own % off the population's (about a
    point at N = 56 in ``benchmarks/weights_check.py``), which the weights correct.

    >>> from sampling.results._weights import SampleDesign
    >>> self_weighting(SampleDesign(np.zeros(42, int), np.array([46, 38]), np.array([23, 19])))
    True
    >>> self_weighting(SampleDesign(np.zeros(42, int), np.array([30, 26]), np.array([23, 19])))
    False
    """
    w = np.asarray(cells.N_h, dtype=float) / np.asarray(cells.n_h, dtype=float)
    return bool(cells.unsampled == 0 and np.allclose(w, w[0], rtol=1e-9, atol=0.0))


def unequal_weights(design: SurveyDesign) -> np.ndarray:
    """Per summary row: whether its sample is design-weighted with unequal weights (stratum
    populations known and not :func:`self_weighting`)."""
    samples = [u.sample for u in design.units if u.weighted and not self_weighting(u.cells)]
    return design.summary["sample"].isin(samples).to_numpy()


def _row_note(note: str, N: float, fpc: bool, method: str = "") -> str:
    kept = [x for x in str(note).split("; ")
            if x and not x.startswith(("finite-population correction", "hypergeometric", "stratified finite"))]
    what = (f"design-weighted by N_h: stratified finite-population interval (N≈{N:.0f})"
            if method == STRATIFIED else
            f"design-weighted by N_h, each stratum's own finite-population correction (N≈{N:.0f})" if fpc
            else "design-weighted by N_h, no finite-population correction")
    return "; ".join([what, *kept])


def _stratified_rows(out: pd.DataFrame, rows: np.ndarray, design: SurveyDesign, cl: float) -> None:
    """Fill ``out``'s design-weighted ``rows`` by the stratified finite-population interval
    from each stratum cell's counts (:func:`~sampling.results._weights.stratified_intervals`)."""
    si = stratified_intervals(design.results, cl, rows, cells=design.cells)
    out.loc[rows, "low"], out.loc[rows, "high"] = si.loc[rows, "low"], si.loc[rows, "high"]
    out.loc[rows, "population"] = si.loc[rows, "population"]
    part = rows & si["part"].to_numpy(bool)
    out.loc[part, "note"] = [f"{t}; {STRATIFIED_DOMAIN_NOTE}" for t in out.loc[part, "note"]]


def weighted_table(table: pd.DataFrame, design: SurveyDesign, confidence_level: float,
                   srs: np.ndarray | None = None) -> pd.DataFrame:
    """``table`` (an :class:`~sampling.Intervals` table) with the rows of design-weighted
    samples recomputed and ``weighted_percent``, ``design_effect`` and ``effective_n``
    columns (R ``svymean(..., deff=TRUE)``; see :func:`sampling.results._weights.design_effect`).

    Parameters
    ----------
    table : DataFrame
        The intervals table, row for row with the design's summary.
    design : SurveyDesign
        With weighted estimates (stratum populations N_h known); a sample whose N is not in
        use gets no finite-population correction.
    confidence_level : float
        Two-sided.
    srs : bool array, optional
        Rows kept as computed, as for a simple random sample (the default method's mid-p rows
        of a self-weighting sample); they gain the weighted columns and a note only.

    Returns
    -------
    DataFrame
    """
    est = cell_estimates(design.results, design.cells, fpc={s: True for s in design.populations})
    keep = np.zeros(len(table), dtype=bool) if srs is None else np.asarray(srs, dtype=bool)
    w = est["weighted"].to_numpy(bool) & ~keep
    out = table.copy()
    out.insert(position(out, "percent") + 1, "weighted_percent", est["weighted_percent"].to_numpy())
    out.insert(position(out, "weighted_percent") + 1, "design_effect", est["design_effect"].to_numpy())
    out.insert(position(out, "design_effect") + 1, "effective_n", est["effective_n"].to_numpy())
    fpc = est["fpc"].to_numpy(bool)
    Nd = est["domain_population"].to_numpy(float)
    out.loc[w, "finite_population"] = fpc[w]
    out.loc[w, "population"] = np.where(fpc[w], np.round(Nd[w]), np.nan)
    finite = w & out["method"].isin(HYPERGEOMETRIC).to_numpy()
    out.loc[finite, "method"] = "clopper-pearson"
    out.loc[finite, "note"] = [_FINITE_NOTE + ("; " + t if t else "") for t in out.loc[finite, "note"]]
    redo = w & out["method"].isin(ANALYTIC).to_numpy()
    for method in out.loc[redo, "method"].unique():
        rows = redo & (out["method"] == method).to_numpy()
        low, high = weighted_interval(est[rows], out.loc[rows, "n"].to_numpy(float), method, confidence_level,
                                      yes=out.loc[rows, "yes"].to_numpy(float))
        out.loc[rows, "low"], out.loc[rows, "high"] = low, high
    out.loc[w, "note"] = [_row_note(t, N, f, m) for t, N, f, m in
                          zip(out.loc[w, "note"], Nd[w], fpc[w], out.loc[w, "method"])]
    strat = w & (out["method"] == STRATIFIED).to_numpy()
    if strat.any():
        _stratified_rows(out, strat, design, confidence_level)
    out["margin"] = (out["high"] - out["low"]) / 2
    flat = redo & degenerate_rows(est, out["n"].to_numpy(float))
    out.loc[flat, "note"] = [f"{t}; {DEGENERATE_NOTE}" for t in out.loc[flat, "note"]]
    kept = keep & est["weighted"].to_numpy(bool)
    out.loc[kept, "note"] = ["; ".join([_SELF_WEIGHTING_NOTE, t] if t else [_SELF_WEIGHTING_NOTE])
                             for t in out.loc[kept, "note"]]
    return out
