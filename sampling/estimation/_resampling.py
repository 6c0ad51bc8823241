"""The resampling engine behind :mod:`sampling._intervals` (kept apart from the public
namespace, as scipy keeps ``stats/_resampling.py``).

* **case level** — resample *cases* (all their answers together), within the design's strata,
  separately per sample. The resample of n_h cases from a stratum is a multinomial count per
  case; cases with the same (stratum, answer pattern) are exchangeable, so a replicate's yes
  and n for every key question is ``counts @ pattern-yes`` and ``counts @ pattern-applicable``
  — one matrix product for all questions. The counts, Multinomial(m_h, c_p/n_h) over a
  stratum's patterns, come from :mod:`sampling._multinomial`: Poissonised counts topped up
  by index draws where patterns are few against cases, case-index draws elsewhere (whichever
  is cheaper; the distribution is the same), a chunk of replicates at a time, so the cost
  is linear in cases and replicates and the memory bounded. With N known, or with strata, the Rao–Wu
  rescaling bootstrap (m_h = n_h − 1, weights w = 1 − λ_h + λ_h (n_h/m_h) r,
  λ_h = √(m_h (1 − f_h)/(n_h − 1))) gives the finite-population variance; single-case strata
  are pooled (collapsed strata). With stratum populations N_h known
  (:mod:`sampling._weights`) each pattern's indicators carry the design weight N_h/n_h, so a
  replicate's totals are weighted (the replicate estimate is the weighted ratio), and each
  stratum takes its own f_h = n_h/N_h — the weights enter as one vector over patterns.
* **aggregate level** — the parametric equivalent, independently per key question:
  yes* ~ Binomial(n, p̂), or Hypergeometric(N_j, round(p̂ N_j), n) with N known, drawn by
  inverse transform from the exact CDF.

References
----------
.. [1] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 6 and 14
   (eq. 14.15, the jackknife acceleration). Chapman & Hall.
.. [2] Davison, A. C. & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*,
   §3.7 (stratified resampling). Cambridge University Press.
.. [3] Rao, J. N. K. & Wu, C. F. J. (1988). Resampling inference with complex survey data.
   *JASA* 83, 231–241; Rao, Wu & Yue (1992), *Survey Methodology* 18, 209–217.
.. [4] Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., §2.5
   (collapsed strata); Rust, K. & Kalton, G. (1987). *J. Official Statistics* 3, 69–80.
.. [5] Efron, B. (1987). Better bootstrap confidence intervals. *JASA* 82, 171–185.
.. [6] Devroye, L. (1986). *Non-Uniform Random Variate Generation*, §III.2. Springer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._utils._threads import one_blas_thread
from ..stats._dist import binom_cdf, binom_skew, hypergeom_cdf, hypergeom_skew
from ..stats._kernels import use_kernels
from ..stats._multinomial import CountPlan, Workspace, count_plan, draw_counts
from ..results._weights import SampleDesign, collapse_small_strata, sample_design

__all__ = ["Boot", "resample", "question_populations", "stratum_codes", "collapse_small_strata",
           "jackknife_accel", "CHUNK_CELLS"]

#: replicates × (units or draws) per chunk: its arrays (uint32 uniforms, float32 counts)
#: stay near the 1–2 MB of a core's cache
CHUNK_CELLS = 500_000


@dataclass
class Boot:
    """Replicate totals of every key question, and what BCa needs from them."""

    yes_b: np.ndarray     # (B, k) replicate yes totals (weighted for Rao–Wu)
    n_b: np.ndarray       # (B, k) replicate applicable totals
    yes: np.ndarray       # (k,)
    n: np.ndarray         # (k,)
    accel: np.ndarray     # (k,) BCa acceleration
    finite: np.ndarray    # (k,) bool
    exact_ties: np.ndarray  # (k,) bool: yes_b, n_b are integers (compare exactly)
    kind: str
    _values: np.ndarray | None = None

    @property
    def values(self) -> np.ndarray:
        if self._values is None:
            self._values = self._percentages()
        return self._values

    def _percentages(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n_b > 0, 100.0 * self.yes_b / np.where(self.n_b > 0, self.n_b, 1), np.nan)



def question_populations(summary: pd.DataFrame, pops: Mapping[str, int], sizes: Mapping[str, int]):
    """N_j per key question: N for a question on the whole sample, N·n_j/n_sample (rounded,
    at least n_j) for one answered on part of it."""
    out = np.full(len(summary), np.nan)
    for i, (s, n) in enumerate(zip(summary["sample"], summary["n"])):
        if s in pops:
            N, ns = pops[s], sizes[s]
            out[i] = N if n >= ns else max(n, np.floor(N * n / ns + 0.5))
    return out



def stratum_codes(cases: pd.DataFrame, columns: tuple) -> np.ndarray:
    """One integer code per case for the combination of its stratum columns."""
    code = np.zeros(len(cases), dtype=np.int64)
    for c in columns:
        codes, uniques = pd.factorize(cases[c].map(str), sort=True)
        code = code * len(uniques) + codes
    return code



def jackknife_accel(Yp, Qp, counts, yes_tot, n_tot) -> np.ndarray:
    """BCa acceleration from the delete-one jackknife over cases, computed per distinct
    pattern (Efron & Tibshirani 1993, eq. 14.15): a = Σ c_p u_p³ / (6 (Σ c_p u_p²)^{3/2}),
    u_p = θ̄ − θ̂_(p), θ̂_(p) the estimate without one case of pattern p."""
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = n_tot[None, :] - Qp
        theta = np.where(denom > 0, (yes_tot[None, :] - Yp) / np.where(denom > 0, denom, 1), np.nan)
    w = counts.astype(float)[:, None]
    total = counts.sum()
    theta_bar = np.nansum(w * theta, axis=0) / total
    u = theta_bar[None, :] - theta
    s2 = np.nansum(w * u ** 2, axis=0)
    s3 = np.nansum(w * u ** 3, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(s2 > 0, s3 / (6.0 * s2 ** 1.5), 0.0)
    return np.where(np.isnan(theta).any(axis=0), np.nan, a)



@dataclass
class _Patterns:
    """One sample's cases grouped into distinct (stratum, answer pattern) rows."""
    patterns: np.ndarray   # (P, 1 + k): stratum code, then 0/1/2 (no/yes/not applicable)
    inverse: np.ndarray    # (n_s,) pattern of each case
    counts: np.ndarray     # (P,) cases per pattern
    Yp: np.ndarray         # (P, k) 1 where the pattern answers yes
    Qp: np.ndarray         # (P, k) 1 where the question applies
    strata: bool           # whether the design has strata columns
    pooled: int            # single-case strata pooled
    block: np.ndarray | None = None    # (P,) resampling stratum of each pattern (None: patterns[:, 0])
    weight: np.ndarray | None = None   # (P,) design weight N_h/n_h of each pattern (None: unweighted)
    f: dict | None = None              # resampling stratum -> sampling fraction Σn_h/ΣN_h


def _sample_patterns(results: Any, sample: str, columns: list[str], stratified: bool,
                     design: SampleDesign | None = None) -> _Patterns:
    in_s = (results.cases["sample"] == sample).to_numpy()
    answers = results.answers.loc[in_s, columns].to_numpy(dtype=float)
    code = np.where(np.isnan(answers), 2, answers).astype(np.int8)
    if design is not None:
        return _weighted_patterns(design, code)
    strata_cols = tuple(results.strata.get(sample, ())) if stratified else ()
    h_code = stratum_codes(results.cases.loc[in_s], strata_cols)
    pooled = 0
    if strata_cols:
        h_code, pooled = collapse_small_strata(h_code)
    patterns, inverse, counts = _unique_rows(np.column_stack([h_code, code]).astype(np.int64))
    return _Patterns(patterns, inverse.ravel(), counts, (patterns[:, 1:] == 1).astype(float),
                     (patterns[:, 1:] != 2).astype(float), bool(strata_cols), pooled)


def _weighted_patterns(design: SampleDesign, code: np.ndarray) -> _Patterns:
    """Patterns of a design-weighted sample: keyed by (resampling stratum, cell, answers), so
    a pooled stratum keeps each cell's own weight; each resampling stratum's fraction is
    Σ n_h / Σ N_h over its cells."""
    H = len(design.N_h)
    group, pooled = collapse_small_strata(design.code)
    key = group * H + design.code
    patterns, inverse, counts = _unique_rows(np.column_stack([key, code]).astype(np.int64))
    cell = patterns[:, 0] % H
    block = patterns[:, 0] // H
    f = {}
    for b in np.unique(block):
        cells = np.unique(cell[block == b])
        f[int(b)] = float(design.n_h[cells].sum() / design.N_h[cells].sum())
    return _Patterns(patterns, inverse.ravel(), counts, (patterns[:, 1:] == 1).astype(float),
                     (patterns[:, 1:] != 2).astype(float), True, pooled, block,
                     design.N_h[cell] / design.n_h[cell], f)


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(rows, axis=0, return_inverse=True, return_counts=True)`` for rows of a
    stratum code and 0/1/2 answers: each row packed into one base-3 integer where it fits
    (the same lexicographic order, several times faster), else the row-wise unique."""
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


@dataclass
class _Layout:
    """How one sample's replicates are drawn: the count plan over its units (distinct
    (stratum, answer pattern) rows) and the Rao–Wu weight w = offset + scale·r folded in."""
    plan: CountPlan
    M: np.ndarray          # (U, 2k) units' yes and applicable indicators, scaled, in plan order
    base: np.ndarray | None  # offset @ M (Rao–Wu), else None
    fast: bool = False     # every count by compiled index draws (``stats._kernels``)


def _stratum_weights(n_h: int, rescale: bool, f: float) -> tuple[int, float]:
    """Cases drawn per replicate m_h and the Rao–Wu λ_h (a census stratum draws none)."""
    if not rescale:
        return n_h, 1.0
    m_h = n_h - 1
    lam = np.sqrt(m_h * (1 - f) / (n_h - 1)) if n_h > 1 else 0.0
    return (0 if m_h == 0 or lam == 0.0 else m_h), lam


def _stratum_blocks(pt: _Patterns) -> list[tuple[int, int, int]]:
    """Per stratum: its patterns ``[p0, p1)`` (patterns are sorted with the stratum first,
    so they are contiguous) and its number of cases."""
    h = pt.patterns[:, 0] if pt.block is None else pt.block
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    bounds = np.r_[starts, len(h)]
    return [(int(bounds[i]), int(bounds[i + 1]), int(pt.counts[bounds[i]:bounds[i + 1]].sum()))
            for i in range(len(starts))]


def _layout(pt: _Patterns, rescale: bool, f: float, dtype, B: int = 0) -> _Layout:
    """The count plan and scaled indicators; ``f`` is the sample's fraction, or each
    stratum's (``pt.f``) for a design-weighted sample, whose indicators carry the design
    weight N_h/n_h (so a replicate's totals are weighted)."""
    blocks = _stratum_blocks(pt)
    draws, scale, offset = [], [], []
    for p0, p1, n_h in blocks:
        f_h = f if pt.f is None else pt.f[int(pt.block[p0])]
        m_h, lam = _stratum_weights(n_h, rescale, f_h)
        draws.append(m_h)
        c_u = pt.counts[p0:p1].astype(float)
        scale.append(np.full(p1 - p0, lam * n_h / m_h if rescale and m_h else (0.0 if rescale else 1.0)))
        offset.append(c_u * (1.0 - lam) if rescale and m_h else (c_u if rescale else np.zeros(p1 - p0)))
    # with numba (the ``fast`` extra) and B·m large, every case is drawn by index in compiled
    # code: a different random stream from the numpy path's, the same distribution
    fast = use_kernels(B * int(sum(draws)))
    plan = count_plan(pt.counts, [(p0, p1) for p0, p1, _ in blocks], draws, poisson=not fast)
    # Rao–Wu weights are w = offset + scale·r, so W @ M = offset @ M + r @ (scale·M): the
    # per-unit scale folds into M once and each replicate block is a product of raw counts.
    scale, offset = np.concatenate(scale), np.concatenate(offset)
    M = np.hstack([pt.Yp, pt.Qp])
    if pt.weight is not None:
        M = pt.weight[:, None] * M
    base = offset @ M if rescale else None
    return _Layout(plan, (scale[:, None] * M if rescale else M)[plan.order].astype(dtype), base, fast)


def _replicate_totals(lay: _Layout, B: int, rng: np.random.Generator) -> np.ndarray:
    """(B, 2k) replicate yes and applicable totals of one sample, drawn in chunks into one
    reused workspace."""
    plan = lay.plan
    out = np.empty((B, lay.M.shape[1]))
    chunk = int(max(1, min(B, CHUNK_CELLS // max(plan.units, plan.draws_per_replicate, 1))))
    work = Workspace(plan, chunk)
    fast = lay.fast
    for b0 in range(0, B, chunk):
        c = min(chunk, B - b0)
        out[b0:b0 + c] = draw_counts(plan, c, rng, work, fast).astype(lay.M.dtype, copy=False) @ lay.M
    if lay.base is not None:
        out += lay.base
    return out


def _describe(any_strata: bool, finite: np.ndarray, any_rescaled: bool, pooled: int) -> str:
    scheme = "stratified" if any_strata else "unstratified"
    if finite.all():
        fp = "finite-population (Rao-Wu rescaling)"
    elif finite.any():
        fp = ("finite-population (Rao-Wu rescaling) where N is known, "
              + ("Rao-Wu rescaling without FPC" if any_rescaled else "with-replacement") + " elsewhere")
    elif any_rescaled:
        fp = "Rao-Wu rescaling (m_h = n_h - 1), no FPC"
    else:
        fp = "with-replacement"
    if pooled:
        fp += f"; {pooled} single-case strata pooled"
    return f"joint case bootstrap ({scheme}, {fp})"


def _case_bootstrap(results: Any, pops: Mapping[str, int], stratified: bool, B: int,
                    rng: np.random.Generator) -> Boot:
    """The joint case bootstrap, sample by sample (see the module docstring)."""
    summary = results.summary
    kqs = list(summary["key_question"])
    k = len(kqs)
    yes_b, n_b = np.empty((B, k)), np.empty((B, k))
    yes, n = summary["yes"].to_numpy(dtype=float, copy=True), summary["n"].to_numpy(dtype=float, copy=True)
    accel, finite, exact = np.zeros(k), np.zeros(k, dtype=bool), np.ones(k, dtype=bool)
    any_strata = any_rescaled = any_weighted = False
    pooled = 0
    for s in dict.fromkeys(summary["sample"]):
        cols = np.flatnonzero(summary["sample"].to_numpy() == s)
        design = sample_design(results, s)
        pt = _sample_patterns(results, s, [kqs[c] for c in cols], stratified, design)
        any_strata |= pt.strata
        pooled += pt.pooled
        # Rao–Wu rescaling (m_h = n_h − 1) with f = n/N in every stratum when N is known, and
        # with f = 0 for a stratified design without N: the plain with-replacement bootstrap
        # of n_h cases understates a stratum's variance by (n_h − 1)/n_h (Rao & Wu 1988, §3).
        # With N_h known (a design), each stratum's own f_h = n_h/N_h and weights N_h/n_h.
        N = pops.get(s)
        fin = N is not None
        f = len(pt.inverse) / N if fin else 0.0
        rescale = fin or len(np.unique(pt.patterns[:, 0])) > 1 or design is not None
        any_rescaled |= rescale and not fin
        finite[cols], exact[cols] = fin, (not rescale or f >= 1.0) and design is None
        if design is not None:
            any_weighted = True
            if not fin:
                pt.f = dict.fromkeys(pt.f, 0.0)
            Yw, Qw = pt.weight[:, None] * pt.Yp, pt.weight[:, None] * pt.Qp
            yes[cols], n[cols] = pt.counts @ Yw, pt.counts @ Qw
            accel[cols] = jackknife_accel(Yw, Qw, pt.counts, yes[cols], n[cols])
        else:
            accel[cols] = jackknife_accel(pt.Yp, pt.Qp, pt.counts, pt.counts @ pt.Yp, pt.counts @ pt.Qp)
        # float32 is exact enough for counts times weights ≤ 2 summed over ≤ 10⁵ units, except
        # with N known, where the finer weights get float64.
        lay = _layout(pt, rescale, f, np.float64 if fin or design is not None else np.float32, B)
        out = _replicate_totals(lay, B, rng)
        yes_b[:, cols], n_b[:, cols] = out[:, :len(cols)], out[:, len(cols):]
    kind = _describe(any_strata, finite, any_rescaled, pooled)
    if any_weighted:
        kind = kind[:-1] + "; design-weighted by N_h, each stratum's own fraction n_h/N_h)"
    return Boot(yes_b, n_b, yes, n, accel, finite, exact, kind)


def _aggregate_bootstrap(results, pops: Mapping[str, int], B: int, rng) -> Boot:
    summary = results.summary
    yes = summary["yes"].to_numpy(dtype=float)
    n = summary["n"].to_numpy(dtype=float)
    Nj = question_populations(summary, pops, results.sample_sizes)
    finite = ~np.isnan(Nj)
    p = yes / n
    k = len(yes)
    yes_b = np.empty((B, k))
    ni = n.astype(np.int64)
    # Inverse-transform sampling from each question's exact CDF table (scipy's binomial or
    # hypergeometric, n + 1 entries): one uniform and one binary search per draw, several
    # times faster than numpy's samplers, same distribution (Devroye 1986, §III.2).
    u = rng.random((B, k))
    support = [np.arange(m + 1) for m in ni]
    for j in range(k):
        if finite[j]:
            Nq = int(Nj[j])
            good = int(np.clip(np.floor(p[j] * Nq + 0.5), 0, Nq))
            cdf = hypergeom_cdf(support[j], Nq, good, ni[j])
        else:
            cdf = binom_cdf(support[j], ni[j], p[j])
        cdf[-1] = 1.0  # the whole support: no draw can fall past it through rounding
        yes_b[:, j] = np.searchsorted(cdf, u[:, j], side="right")
    # acceleration a = skewness / 6 of the parametric yes count (Efron 1987)
    skew = np.zeros(k)
    with np.errstate(invalid="ignore", divide="ignore"):
        if (~finite).any():
            c = ~finite
            skew[c] = binom_skew(ni[c], p[c])
        if finite.any():
            c = finite
            Nc = Nj[c].astype(np.int64)
            good = np.clip(np.floor(p[c] * Nc + 0.5).astype(np.int64), 0, Nc)
            skew[c] = hypergeom_skew(Nc, good, ni[c])
    accel = np.where(np.isfinite(skew), skew / 6.0, 0.0)
    n_b = np.broadcast_to(n, (B, k)).copy()
    if finite.all():
        kind = "independent parametric (hypergeometric)"
    elif finite.any():
        kind = "independent parametric (hypergeometric where N is known, binomial elsewhere)"
    else:
        kind = "independent parametric (binomial)"
    return Boot(yes_b, n_b, yes, n, accel, finite, np.ones(k, dtype=bool), kind)


def resample(results: Any, pops: Mapping[str, int], stratified: bool, B: int,
             rng: np.random.Generator) -> Boot:
    """``B`` bootstrap replicates of every key question of ``results``.

    Parameters
    ----------
    results : Results
        Case-level results get the joint case bootstrap; aggregate ones the independent
        parametric bootstrap.
    pops : mapping
        Eligible population N per sample (finite-population resampling where known).
    stratified : bool
        Resample within the design's strata (case level).
    B : int
        Number of replicates.
    rng : numpy.random.Generator

    Returns
    -------
    Boot
    """
    if results.level == "case":
        with one_blas_thread():  # small products: BLAS threads only cost (see _utils._threads)
            return _case_bootstrap(results, pops, stratified, B, rng)
    return _aggregate_bootstrap(results, pops, B, rng)
