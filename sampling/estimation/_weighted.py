"""Intervals for design-weighted samples (stratum populations N_h known).

:func:`sampling.intervals` computes every row as for a simple random sample, then
:func:`weighted_table` replaces the rows of samples with known N_h: the analytic rows (and a
bootstrap row that fell back to Clopper–Pearson) become the Korn–Graubard interval around
the weighted estimate with each stratum's own finite-population correction
(:func:`sampling._weights.weighted_interval`); bootstrap rows already come from the
weighted Rao–Wu replicates. The table gains ``weighted_percent`` after ``percent``, which
stays the sample's own percentage, then ``design_effect`` and ``effective_n`` (n/deff).

References
----------
.. [1] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
   expected number of positive counts estimated from survey data. *Survey Methodology* 24,
   193–201.
.. [2] Lohr, S. L. (2022). *Sampling: Design and Analysis*, 3rd ed., §3.2 and ch. 4. CRC Press.
"""
from __future__ import annotations



import numpy as np
import pandas as pd

from .._utils._tables import position
from .._utils._methods import ANALYTIC, FINITE
from ..results._design import SurveyDesign
from ..results._weights import DEGENERATE_NOTE, cell_estimates, degenerate_rows, weighted_interval

__all__ = ["weighted_table"]


_FINITE_NOTE = ("a hypergeometric interval assumes a simple random sample; this design-weighted row "
                "uses Clopper–Pearson on its effective sample instead")


def _row_note(note: str, N: float, fpc: bool) -> str:
    kept = [x for x in str(note).split("; ")
            if x and not x.startswith(("finite-population correction", "hypergeometric"))]
    what = (f"design-weighted by N_h, each stratum's own finite-population correction (N≈{N:.0f})" if fpc
            else "design-weighted by N_h, no finite-population correction")
    return "; ".join([what, *kept])


def weighted_table(table: pd.DataFrame, design: SurveyDesign, confidence_level: float) -> pd.DataFrame:
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

    Returns
    -------
    DataFrame
    """
    est = cell_estimates(design.results, design.cells, fpc={s: True for s in design.populations})
    w = est["weighted"].to_numpy(bool)
    out = table.copy()
    out.insert(position(out, "percent") + 1, "weighted_percent", est["weighted_percent"].to_numpy())
    out.insert(position(out, "weighted_percent") + 1, "design_effect", est["design_effect"].to_numpy())
    out.insert(position(out, "design_effect") + 1, "effective_n", est["effective_n"].to_numpy())
    fpc = est["fpc"].to_numpy(bool)
    Nd = est["domain_population"].to_numpy(float)
    out.loc[w, "finite_population"] = fpc[w]
    out.loc[w, "population"] = np.where(fpc[w], np.round(Nd[w]), np.nan)
    finite = w & out["method"].isin(FINITE).to_numpy()
    out.loc[finite, "method"] = "clopper-pearson"
    out.loc[finite, "note"] = [_FINITE_NOTE + ("; " + t if t else "") for t in out.loc[finite, "note"]]
    redo = w & out["method"].isin(ANALYTIC).to_numpy()
    for method in out.loc[redo, "method"].unique():
        rows = redo & (out["method"] == method).to_numpy()
        low, high = weighted_interval(est[rows], out.loc[rows, "n"].to_numpy(float), method, confidence_level,
                                      yes=out.loc[rows, "yes"].to_numpy(float))
        out.loc[rows, "low"], out.loc[rows, "high"] = low, high
    out["margin"] = (out["high"] - out["low"]) / 2
    out.loc[w, "note"] = [_row_note(t, N, f) for t, N, f in zip(out.loc[w, "note"], Nd[w], fpc[w])]
    flat = redo & degenerate_rows(est, out["n"].to_numpy(float))
    out.loc[flat, "note"] = [f"{t}; {DEGENERATE_NOTE}" for t in out.loc[flat, "note"]]
    return out
