"""Intervals for key-question percentages: analytic and bootstrap, finite-population aware.

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
  — one matrix product for all questions. Counts are drawn as a multinomial over distinct
  patterns when they are few, else by drawing case indices and counting them (whichever is
  cheaper; the distribution is identical).
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
* **aggregate level** — the parametric equivalent, independently per key question:
  yes* ~ Binomial(n, p̂), or Hypergeometric(N_j, M̂ = round(p̂ N_j), n) with N known. A
  binomial draw is exactly the case bootstrap of n yes/no answers. BCa is implemented there
  too: z₀ from the replicates and the acceleration a = γ/6, γ the skewness of the
  (binomial or hypergeometric) yes count — Efron's (1987, §10) one-parameter-family value;
  for the binomial it equals the jackknife acceleration of the reconstructed 0/1 data,
  (1 − 2p̂)/(6√(n p̂(1 − p̂))).

A key question whose answers are all yes or all no, or whose n is under
:data:`MIN_BOOTSTRAP_N`, has a degenerate or unreliable bootstrap distribution; its interval
falls back to Clopper–Pearson (with the finite-population correction if N is known) and the
``note`` says so.

For a question answered on part of a sample (a relevant sub-sample), the finite population it
was drawn from is estimated as N_j = N · n_j / n_sample (domain estimation, Lohr §4.2): its
sampling fraction is the sample's.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtr, ndtri

from ._checks import check_confidence_level, check_count, check_population, check_populations, check_rng
from ._methods import ANALYTIC, BOOTSTRAP, INTERVAL_METHODS as METHODS, check_method as _check_method
from ._proportion import as_counts as _as_counts, fpc_factor, population_array as _population_array, proportion_interval
from ._display import TableResult
from .errors import ArgumentError, DataError

__all__ = [
    "ANALYTIC",
    "BOOTSTRAP",
    "METHODS",
    "MIN_BOOTSTRAP_N",
    "proportion_interval",
    "fpc_factor",
    "intervals",
    "bootstrap",
    "bootstrap_replicates",
    "Intervals",
    "Replicates",
]

MIN_BOOTSTRAP_N = 10

# replicates × case draws per chunk: small enough to stay in cache (~2 MB of int64)
_CHUNK_CELLS = 250_000
# a per-category binomial costs about as much as drawing and counting 8 case indices
_MULTINOMIAL_ADVANTAGE = 8


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

    ``table``: key_question, standard, sample, yes, n, percent, low, high, margin
    ((high − low)/2, in points), method (as used for that row: a fallback shows here),
    finite_population (bool), population (N used for the row, NaN if none), note.
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
        return f"Intervals: {self.method}, {self.confidence_level:.0%} confidence{extra}"

    def _notes(self) -> list[str]:
        return [f"replicates: {self.replicates.kind}"] if self.replicates is not None else []


# --------------------------------------------------------------------------- populations
def _resolve_populations(results, population, finite_population) -> dict[str, int]:
    sizes = results.sample_sizes
    pops = check_populations(population, sizes, base=results.populations)
    if finite_population is None:
        return pops
    if not isinstance(finite_population, (bool, np.bool_)):
        raise ArgumentError("finite_population", finite_population, "must be None, True or False")
    if not finite_population:
        return {}
    missing = [s for s in sizes if s not in pops]
    if missing:
        raise DataError("finite_population=True but the population N is unknown for some samples",
                        values=missing, hint="Give population=N or {sample: N}.")
    return pops


def _question_populations(summary: pd.DataFrame, pops: Mapping[str, int], sizes: Mapping[str, int]):
    """N_j per key question: N for a question on the whole sample, N·n_j/n_sample (rounded,
    at least n_j) for one answered on part of it."""
    out = np.full(len(summary), np.nan)
    for i, (s, n) in enumerate(zip(summary["sample"], summary["n"])):
        if s in pops:
            N, ns = pops[s], sizes[s]
            out[i] = N if n >= ns else max(n, np.floor(N * n / ns + 0.5))
    return out


# --------------------------------------------------------------------------- bootstrap engine
@dataclass
class _Boot:
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


def _stratum_codes(cases: pd.DataFrame, columns: tuple) -> np.ndarray:
    code = np.zeros(len(cases), dtype=np.int64)
    for c in columns:
        codes, uniques = pd.factorize(cases[c].map(str), sort=True)
        code = code * len(uniques) + codes
    return code


def _collapse_small_strata(code: np.ndarray) -> tuple[np.ndarray, int]:
    """Collapsed strata (Wolter 2007, *Introduction to Variance Estimation*, 2nd ed., §2.5;
    Rust & Kalton 1987, *J. Official Statistics* 3:69–80): a stratum with a single sampled
    case has no within-stratum variation to resample, so it would add none to the bootstrap
    variance. All such strata are pooled into one; if that pool still holds a single case it
    joins the smallest stratum that has two or more. Returns the new codes and how many
    strata were pooled."""
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


def _case_boot(results, pops: Mapping[str, int], stratified: bool, B: int, rng) -> _Boot:
    summary = results.summary
    kqs = list(summary["key_question"])
    k = len(kqs)
    yes_b = np.empty((B, k))
    n_b = np.empty((B, k))
    accel = np.zeros(k)
    finite = np.zeros(k, dtype=bool)
    exact = np.ones(k, dtype=bool)
    any_strata = False
    any_rescaled = False
    pooled = 0
    samples = list(dict.fromkeys(summary["sample"]))
    for s in samples:
        cols = np.flatnonzero(summary["sample"].to_numpy() == s)
        in_s = (results.cases["sample"] == s).to_numpy()
        A = results.answers.loc[in_s, [kqs[c] for c in cols]].to_numpy(dtype=float)
        n_s = A.shape[0]
        strata_cols = tuple(results.strata.get(s, ())) if stratified else ()
        any_strata |= bool(strata_cols)
        h_code = _stratum_codes(results.cases.loc[in_s], strata_cols)
        if strata_cols:
            h_code, lonely = _collapse_small_strata(h_code)
            pooled += lonely
        code = np.where(np.isnan(A), 2, A).astype(np.int8)
        patterns, inverse, counts = np.unique(np.column_stack([h_code, code]), axis=0,
                                              return_inverse=True, return_counts=True)
        inverse = inverse.ravel()
        Yp = (patterns[:, 1:] == 1).astype(float)
        Qp = (patterns[:, 1:] != 2).astype(float)
        yes_tot, n_tot = counts @ Yp, counts @ Qp
        accel[cols] = _jackknife_accel(Yp, Qp, counts, yes_tot, n_tot)
        # Rao–Wu rescaling (m_h = n_h − 1) with f = n/N in every stratum when N is known, and
        # with f = 0 for a stratified design without N: the plain with-replacement bootstrap
        # of n_h cases understates a stratum's variance by (n_h − 1)/n_h, which matters when
        # the joint cells are small (Rao & Wu 1988, §3; McCarthy & Snowden 1985).
        N = pops.get(s)
        fin = N is not None
        f = n_s / N if fin else 0.0
        rescale = fin or len(np.unique(patterns[:, 0])) > 1
        any_rescaled |= rescale and not fin
        finite[cols] = fin
        exact[cols] = not rescale or f >= 1.0
        # units: distinct patterns (multinomial) or individual cases (index draws), per stratum
        multi, unit_Y, unit_Q = [], [], []
        by_pattern = np.argsort(inverse, kind="stable")
        scale, offset = [], []           # per unit: weight = offset + scale * draws
        draws, n_draws = [], 0           # index draws: (columns d0:d1, unit block lo:hi)
        start = 0
        for h in np.unique(patterns[:, 0]):
            p_idx = np.flatnonzero(patterns[:, 0] == h)
            n_h = int(counts[p_idx].sum())
            m_h = n_h - 1 if rescale else n_h
            if rescale:
                lam = np.sqrt(m_h * (1 - f) / (n_h - 1)) if n_h > 1 else 0.0
                if m_h == 0 or lam == 0.0:
                    m_h = 0  # a census stratum (or a single case): fixed weights, no variance
            else:
                lam = 1.0
            if len(p_idx) * _MULTINOMIAL_ADVANTAGE <= n_h:
                mult = counts[p_idx].astype(float)
                unit_Y.append(Yp[p_idx]); unit_Q.append(Qp[p_idx])
                multi.append((start, start + len(p_idx), m_h, mult / n_h))
            else:
                members = by_pattern[np.isin(inverse[by_pattern], p_idx)]
                mult = np.ones(n_h)
                unit_Y.append(Yp[inverse[members]]); unit_Q.append(Qp[inverse[members]])
                if m_h:
                    draws.append((n_draws, n_draws + m_h, start, start + n_h))
                    n_draws += m_h
            width = len(mult)
            scale.append(np.full(width, lam * n_h / m_h if rescale and m_h else (0.0 if rescale else 1.0)))
            offset.append(mult * (1.0 - lam) if rescale and m_h else (mult if rescale else np.zeros(width)))
            start += width
        U = start
        scale, offset = np.concatenate(scale), np.concatenate(offset)
        # Rao–Wu weights are w = offset + scale·r, so W @ M = offset @ M + r @ (scale·M): the
        # per-unit scale folds into M once and each replicate block is a product of raw counts.
        # float32 is exact enough for counts times weights ≤ 2 summed over ≤ 10⁵ units, except
        # with N known, where the finer weights get float64.
        dtype = np.float64 if fin else np.float32
        M = np.hstack([np.vstack(unit_Y), np.vstack(unit_Q)])
        base = offset @ M if rescale else None
        M = (scale[:, None] * M if rescale else M).astype(dtype)
        kk = len(cols)
        chunk = int(max(1, min(B, _CHUNK_CELLS // max(U, n_draws, 1))))
        if draws:
            # one row per case drawn: its stratum block's first unit and width, so a single
            # broadcast call of rng.integers draws every stratum's case indices at once
            row_lo = np.concatenate([np.full(d1 - d0, lo, dtype=np.int64) for d0, d1, lo, hi in draws])
            row_w = np.concatenate([np.full(d1 - d0, hi - lo, dtype=np.float64)
                                    for d0, d1, lo, hi in draws])[:, None]
        for b0 in range(0, B, chunk):
            c = min(chunk, B - b0)
            if draws:
                # ⌊u·w⌋ with u uniform on [0, 1) in steps of 2⁻⁵³: each of the w cases of a
                # stratum is drawn with probability 1/w to within w·2⁻⁵³ (one broadcast
                # rng.integers call per stratum was 6× slower)
                idx = (rng.random((n_draws, c)) * row_w).astype(np.int64)
                idx += row_lo[:, None] + (np.arange(c, dtype=np.int64) * U)[None, :]
                r = np.bincount(idx.ravel(), minlength=c * U).reshape(c, U)
            else:
                r = np.zeros((c, U), dtype=np.int64)
            for a_, z_, m_h, probs in multi:
                if m_h:
                    r[:, a_:z_] = rng.multinomial(m_h, probs, size=c)
            out = r.astype(dtype) @ M
            if base is not None:
                out += base
            yes_b[b0:b0 + c, cols] = out[:, :kk]
            n_b[b0:b0 + c, cols] = out[:, kk:]
    yes = summary["yes"].to_numpy(dtype=float)
    n = summary["n"].to_numpy(dtype=float)
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
    return _Boot(yes_b, n_b, yes, n, accel, finite, exact, f"joint case bootstrap ({scheme}, {fp})")


def _jackknife_accel(Yp, Qp, counts, yes_tot, n_tot) -> np.ndarray:
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


def _aggregate_boot(results, pops: Mapping[str, int], B: int, rng) -> _Boot:
    summary = results.summary
    yes = summary["yes"].to_numpy(dtype=float)
    n = summary["n"].to_numpy(dtype=float)
    Nj = _question_populations(summary, pops, results.sample_sizes)
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
            cdf = stats.hypergeom.cdf(support[j], Nq, good, ni[j])
        else:
            cdf = stats.binom.cdf(support[j], ni[j], p[j])
        cdf[-1] = 1.0  # the whole support: no draw can fall past it through rounding
        yes_b[:, j] = np.searchsorted(cdf, u[:, j], side="right")
    # acceleration a = skewness / 6 of the parametric yes count (Efron 1987)
    skew = np.zeros(k)
    with np.errstate(invalid="ignore", divide="ignore"):
        if (~finite).any():
            c = ~finite
            skew[c] = stats.binom.stats(ni[c], p[c], moments="s")
        if finite.any():
            c = finite
            Nc = Nj[c].astype(np.int64)
            good = np.clip(np.floor(p[c] * Nc + 0.5).astype(np.int64), 0, Nc)
            skew[c] = stats.hypergeom.stats(Nc, good, ni[c], moments="s")
    accel = np.where(np.isfinite(skew), skew / 6.0, 0.0)
    n_b = np.broadcast_to(n, (B, k)).copy()
    if finite.all():
        kind = "independent parametric (hypergeometric)"
    elif finite.any():
        kind = "independent parametric (hypergeometric where N is known, binomial elsewhere)"
    else:
        kind = "independent parametric (binomial)"
    return _Boot(yes_b, n_b, yes, n, accel, finite, np.ones(k, dtype=bool), kind)


def _boot(results, pops, stratified, B, rng) -> _Boot:
    if results.level == "case":
        return _case_boot(results, pops, stratified, B, rng)
    return _aggregate_boot(results, pops, B, rng)


def _quantiles(values: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Column-wise linear-interpolation quantiles (numpy's default, "type 7") at a different
    probability per column, ignoring NaN. ``values`` (B, k), ``q`` (m, k) → (m, k).
    Uses a partial sort (``np.partition``) at the few ranks needed."""
    B, k = values.shape
    out = np.full(q.shape, np.nan)
    for j in range(k):
        col = values[:, j]
        nan = np.isnan(col)
        if nan.any():
            col = col[~nan]
        m = col.size
        if m == 0:
            continue
        pos = np.clip(q[:, j], 0.0, 1.0) * (m - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, m - 1)
        part = np.partition(col, np.unique(np.concatenate([lo, hi])))
        out[:, j] = part[lo] + (part[hi] - part[lo]) * (pos - lo)
    return out


def _bias_correction(boot: _Boot) -> np.ndarray:
    """z₀ = Φ⁻¹(share of replicates below θ̂), ties counted half (mid-rank, as scipy)."""
    diff = boot.yes_b * boot.n[None, :] - boot.yes[None, :] * boot.n_b
    tol = np.where(boot.exact_ties, 0.5, 1e-9 * boot.n[None, :] * np.abs(boot.n_b))
    tol = np.broadcast_to(tol, diff.shape)
    valid = boot.n_b > 0
    below = np.sum(valid & (diff < -tol), axis=0)
    ties = np.sum(valid & (np.abs(diff) <= tol), axis=0)
    total = np.sum(valid, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ndtri((below + 0.5 * ties) / total)


def _bootstrap_limits(boot: _Boot, method: str, cl: float):
    values = boot.values
    alpha = (1.0 - cl) / 2.0
    k = values.shape[1]
    if method == "bootstrap-percentile":
        q = np.vstack([np.full(k, alpha), np.full(k, 1 - alpha)])
        ok = np.ones(k, dtype=bool)
    else:
        z0 = _bias_correction(boot)
        a = boot.accel
        za, zb = ndtri(alpha), ndtri(1 - alpha)
        with np.errstate(invalid="ignore", divide="ignore"):
            q1 = ndtr(z0 + (z0 + za) / (1 - a * (z0 + za)))
            q2 = ndtr(z0 + (z0 + zb) / (1 - a * (z0 + zb)))
        ok = np.isfinite(q1) & np.isfinite(q2)
        q = np.vstack([np.where(ok, q1, alpha), np.where(ok, q2, 1 - alpha)])
    lim = _quantiles(values, q)
    return lim[0], lim[1], ok


# --------------------------------------------------------------------------- public API
def _check_bootstrap_args(n_resamples, rng, stratified):
    """(B, generator) after checking the bootstrap arguments shared by the public functions."""
    B = check_count(n_resamples, "n_resamples", minimum=1)
    gen = check_rng(rng)
    if not isinstance(stratified, (bool, np.bool_)):
        raise ArgumentError("stratified", stratified, "must be True or False")
    return B, gen


def _replicates(boot: _Boot, summary: pd.DataFrame) -> Replicates:
    return Replicates(values=boot.values, key_questions=tuple(summary["key_question"]),
                      kind=boot.kind, samples=tuple(summary["sample"]),
                      estimate=100.0 * boot.yes / boot.n, finite_population=tuple(bool(x) for x in boot.finite))


def bootstrap_replicates(results, *, n_resamples: int = 10_000, population=None, finite_population=None,
                         stratified: bool = True, rng=None) -> Replicates:
    """B × k bootstrap replicates of every key question's percentage (0–100).

    Case level: a joint case bootstrap — cases resampled with all their answers, within the
    design's strata (``results.strata``) when ``stratified``, separately per sample; with N
    known (``population`` / ``results.populations``, unless ``finite_population=False``) the
    Rao–Wu (1988) rescaling bootstrap. Aggregate level: independent parametric draws per key
    question, Binomial(n, p̂) or Hypergeometric(N_j, round(p̂N_j), n). ``kind`` says which.
    Reproducible with an int seed ``rng``.
    """
    B, gen = _check_bootstrap_args(n_resamples, rng, stratified)
    pops = _resolve_populations(results, population, finite_population)
    return _replicates(_boot(results, pops, bool(stratified), B, gen), results.summary)


def intervals(results, *, method: str = "wilson", confidence_level: float = 0.8, population=None,
              finite_population=None, n_resamples: int = 10_000, stratified: bool = True,
              rng=None) -> Intervals:
    """An interval for every key question of ``results``, with its own n.

    Parameters
    ----------
    results : Results
        From :func:`~sampling.results.load_results`.
    method : str
        One of :data:`ANALYTIC` (statsmodels ``proportion_confint``) or :data:`BOOTSTRAP`
        (case resampling at case level, parametric at aggregate level; see the module notes).
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
    stratified : bool
        Case-level bootstrap: resample within ``results.strata`` of each sample.
    rng : int or numpy Generator
        Seed for the bootstrap.

    Returns
    -------
    Intervals
        ``table`` with one row per key question (low/high/margin in points, 0–100), the
        replicates (bootstrap methods) and the settings. A row whose bootstrap would collapse
        (0 or n yes, n < MIN_BOOTSTRAP_N) uses Clopper–Pearson instead, as its method and note
        say.
    """
    method = _check_method(method)
    cl = check_confidence_level(confidence_level)
    if method in BOOTSTRAP:
        B, gen = _check_bootstrap_args(n_resamples, rng, stratified)
    pops = _resolve_populations(results, population, finite_population)
    summary = results.summary
    sizes = results.sample_sizes
    yes = summary["yes"].to_numpy(dtype=float)
    n = summary["n"].to_numpy(dtype=float)
    Nj = _question_populations(summary, pops, sizes)
    k = len(yes)
    notes = [[] for _ in range(k)]
    methods = np.full(k, method, dtype=object)
    for i, (s, N) in enumerate(zip(summary["sample"], Nj)):
        if not np.isnan(N):
            if N == pops[s]:
                notes[i].append(f"finite-population correction, N={int(N)}")
            else:
                notes[i].append(f"finite-population correction, N≈{int(N)} (the sample's N={pops[s]} "
                                f"× n/{sizes[s]}: this question's sub-population)")
    for i, known in enumerate(summary["n_known"].to_numpy(dtype=bool)):
        if not known:
            notes[i].append(f"n={int(n[i])} inferred, not published (see the results note)")
    replicates = None
    if method in ANALYTIC:
        low, high = proportion_interval(yes, n, method=method, confidence_level=cl, population=Nj)
        low, high = 100 * low, 100 * high
    else:
        boot = _boot(results, pops, bool(stratified), B, gen)
        replicates = _replicates(boot, summary)
        low, high, ok = _bootstrap_limits(boot, method, cl)
        undefined = np.sum(boot.n_b <= 0, axis=0)
        fallback = (yes == 0) | (yes == n) | (n < MIN_BOOTSTRAP_N) | ~ok | ~np.isfinite(low) | ~np.isfinite(high)
        if method == "bootstrap-bca":
            fallback |= ~np.isfinite(boot.accel)
        if fallback.any():
            cp_low, cp_high = proportion_interval(yes[fallback], n[fallback], method="clopper-pearson",
                                                  confidence_level=cl, population=Nj[fallback])
            low[fallback], high[fallback] = 100 * cp_low, 100 * cp_high
        for i in range(k):
            if fallback[i]:
                methods[i] = "clopper-pearson"
                why = ("all answers yes" if yes[i] == n[i] else "no answer yes" if yes[i] == 0
                       else f"n={int(n[i])} < {MIN_BOOTSTRAP_N}" if n[i] < MIN_BOOTSTRAP_N
                       else "bootstrap distribution degenerate")
                notes[i].insert(0, f"{why}: the bootstrap interval would collapse, so Clopper–Pearson "
                                   "(exact) is used")
            elif undefined[i]:
                notes[i].append(f"{undefined[i]} of {B} resamples had no applicable case; left out")
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
    return Intervals(table=table, method=method, confidence_level=cl,
                     n_resamples=B if method in BOOTSTRAP else None, replicates=replicates)


def bootstrap(results, *, method: str = "bootstrap-bca", **kwargs) -> Intervals:
    """Bootstrap intervals: :func:`intervals` with a bootstrap method (BCa by default)."""
    method = _check_method(method, BOOTSTRAP)
    return intervals(results, method=method, **kwargs)
