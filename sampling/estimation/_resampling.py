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

import numpy as np

from .._utils._threads import one_blas_thread
from ..stats._dist import binom_cdf, binom_skew, hypergeom_cdf, hypergeom_skew
from ..stats._kernels import use_kernels
from ..stats._multinomial import CountPlan, Workspace, count_plan, draw_counts
from ..results._design import SurveyDesign
from ..results._design import SampleUnits

__all__ = ["Boot", "resample", "jackknife_accel", "sample_accel", "CHUNK_CELLS"]

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



def sample_accel(pt: SampleUnits) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One sample's yes and applicable totals (weighted by N_h/n_h for a design-weighted
    sample) and the jackknife acceleration of each of its key questions
    (:func:`jackknife_accel`)."""
    Y, Q = (pt.Yp, pt.Qp) if pt.weight is None else (pt.weight[:, None] * pt.Yp, pt.weight[:, None] * pt.Qp)
    yes, n = pt.counts @ Y, pt.counts @ Q
    return yes, n, jackknife_accel(Y, Q, pt.counts, yes, n)


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


def _stratum_blocks(pt: SampleUnits) -> list[tuple[int, int, int]]:
    """Per stratum: its units ``[p0, p1)`` (units are sorted with the stratum first, so
    they are contiguous) and its number of cases."""
    h = pt.block
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    bounds = np.r_[starts, len(h)]
    return [(int(bounds[i]), int(bounds[i + 1]), int(pt.counts[bounds[i]:bounds[i + 1]].sum()))
            for i in range(len(starts))]


def _layout(pt: SampleUnits, dtype, B: int = 0) -> _Layout:
    """The count plan and scaled indicators; each resampling stratum has its own fraction
    (``pt.fraction``), and a design-weighted sample's indicators carry the design weight
    N_h/n_h (so a replicate's totals are weighted)."""
    blocks = _stratum_blocks(pt)
    rescale = pt.rescale
    draws: list[int] = []
    scale_parts: list[np.ndarray] = []
    offset_parts: list[np.ndarray] = []
    for p0, p1, n_h in blocks:
        m_h, lam = _stratum_weights(n_h, rescale, pt.fraction[int(pt.block[p0])])
        draws.append(m_h)
        c_u = pt.counts[p0:p1].astype(float)
        scale_parts.append(np.full(p1 - p0, lam * n_h / m_h if rescale and m_h else (0.0 if rescale else 1.0)))
        offset_parts.append(c_u * (1.0 - lam) if rescale and m_h else (c_u if rescale else np.zeros(p1 - p0)))
    # with numba (the ``fast`` extra) and B·m large, every case is drawn by index in compiled
    # code: a different random stream from the numpy path's, the same distribution
    fast = use_kernels(B * int(sum(draws)))
    plan = count_plan(pt.counts, [(p0, p1) for p0, p1, _ in blocks], draws, poisson=not fast)
    # Rao–Wu weights are w = offset + scale·r, so W @ M = offset @ M + r @ (scale·M): the
    # per-unit scale folds into M once and each replicate block is a product of raw counts.
    scale, offset = np.concatenate(scale_parts), np.concatenate(offset_parts)
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


def _case_bootstrap(design: SurveyDesign, B: int, rng: np.random.Generator) -> Boot:
    """The joint case bootstrap, sample by sample over the design's units (see the module
    docstring)."""
    summary = design.summary
    k = len(summary)
    yes_b, n_b = np.empty((B, k)), np.empty((B, k))
    yes, n = summary["yes"].to_numpy(dtype=float, copy=True), summary["n"].to_numpy(dtype=float, copy=True)
    accel, finite, exact = np.zeros(k), np.zeros(k, dtype=bool), np.ones(k, dtype=bool)
    for pt in design.units:
        cols = pt.columns
        finite[cols], exact[cols] = pt.finite, pt.exact
        if pt.weight is not None:  # pt.weighted: the weighted totals
            yes[cols], n[cols], accel[cols] = sample_accel(pt)
        else:
            accel[cols] = sample_accel(pt)[2]
        # float32 is exact enough for counts times weights ≤ 2 summed over ≤ 10⁵ units, except
        # with N known, where the finer weights get float64.
        lay = _layout(pt, np.float64 if pt.finite or pt.weighted else np.float32, B)
        out = _replicate_totals(lay, B, rng)
        yes_b[:, cols], n_b[:, cols] = out[:, :len(cols)], out[:, len(cols):]
    units = design.units
    kind = _describe(any(u.stratified for u in units), finite,
                     any(u.rescale and not u.finite for u in units), sum(u.pooled for u in units))
    if any(u.weighted for u in units):
        kind = kind[:-1] + "; design-weighted by N_h, each stratum's own fraction n_h/N_h)"
    return Boot(yes_b, n_b, yes, n, accel, finite, exact, kind)


def _aggregate_bootstrap(design: SurveyDesign, B: int, rng) -> Boot:
    summary = design.summary
    yes = summary["yes"].to_numpy(dtype=float)
    n = summary["n"].to_numpy(dtype=float)
    Nj = design.question_population
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


def resample(design: SurveyDesign, B: int, rng: np.random.Generator) -> Boot:
    """``B`` bootstrap replicates of every key question of a design's results.

    Parameters
    ----------
    design : SurveyDesign
        From :func:`sampling.survey_design`: case-level results get the joint case bootstrap
        over its units, aggregate ones the independent parametric bootstrap; finite-population
        resampling wherever the design knows N.
    B : int
        Number of replicates.
    rng : numpy.random.Generator

    Returns
    -------
    Boot
    """
    if design.results.level == "case":
        with one_blas_thread():  # small products: BLAS threads only cost (see _utils._threads)
            return _case_bootstrap(design, B, rng)
    return _aggregate_bootstrap(design, B, rng)
