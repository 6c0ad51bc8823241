"""The bootstrap intervals where the population N is known: finite-population (Pólya urn)
resampling of the unobserved cases.

With N known, ``bootstrap-percentile`` and ``bootstrap-bca`` do not resample the sample with
replacement (nor rescale it, Rao–Wu): they complete it. Each draw fills in the N − n cases
not sampled from a Pólya urn seeded with the sampled cases — a case drawn is put back with one
more like it — within each stratum (each stratum cell's N_h − n_h where the N_h are known),
whole cases at a time so key questions stay jointly distributed. The draws are
:func:`~sampling.estimation._posterior.posterior_draws`, the same that give the rating
probabilities, and a draw's percentage is a draw of the population's. This is the
without-replacement bootstrap population of Booth, Butler & Hall (1994) in its Bayesian
(Pólya) form (Lo 1988): for one key question of a simple random sample the population count
is x + BetaBinomial(N − n, x, n − x).

* **percentile** — the α and 1 − α quantiles of the draws. Exact enumeration over every true
  count (``benchmarks/fpc_enumeration.py``, B → ∞ from the beta-binomial quantiles) gives mean
  coverage 82.8–95.8% of an 80% interval at N = 20–150 with no truth under 75%, where the mid-p
  default has 15.7% of truths under 75% at N = 56; from N = 668 the two agree.
* **BCa** — the quantile levels Φ(z_α / (1 − a z_α)): Efron's (1987) BCa with the acceleration
  a from the delete-one jackknife over cases and the bias correction z₀ fixed at 0. The urn is
  centred on the sample's % by construction (its mean is the sample's %, or the weighted % with
  N_h known), so there is no bias to correct; the z₀ estimated from the draws
  (share below the sample's %) measures only the draws' lumpiness and skew, and the
  enumeration shows estimating it costs coverage at small N (minimum 52.6% at N = 20, 71.1% at
  N = 79, against 88.9% and 79.5% with z₀ = 0); with z₀ = 0 the minimum coverage is at or
  above the percentile's and the mid-p default's at every N enumerated.
* **fallbacks** — where the urn cannot be trusted the row takes the analytic default (mid-p
  hypergeometric; the stratified finite-population interval for a design-weighted row) and its note says
  why: answers all one way (the urn is certain: a zero-width interval short of a census), n
  under :data:`~sampling.estimation._bootstrap_limits.MIN_BOOTSTRAP_N`, fewer than
  :data:`MIN_URN_MINORITY` answers on the rarer side (10 for the percentile, 3 for BCa: the
  urn, seeded with no prior cases, undercovers the extreme truths there at large N), draws
  that all agree, or a stratum (cell) with unobserved cases but fewer than 10 sampled cases
  (:func:`small_groups`: the urn within it is too sure).

References
----------
.. [1] Booth, J. G., Butler, R. W. & Hall, P. (1994). Bootstrap methods for finite
   populations. *JASA* 89, 1282–1289.
.. [2] Lo, A. Y. (1988). A Bayesian bootstrap for a finite population. *Annals of
   Statistics* 16, 1684–1695.
.. [3] Efron, B. (1987). Better bootstrap confidence intervals. *JASA* 82, 171–185.
.. [4] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 14
   (eq. 14.15, the jackknife acceleration). Chapman & Hall.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._utils._methods import AUTO, HYPERGEOMETRIC, method_name, resolve_method
from ..results._design import SurveyDesign
from ..stats._dist import norm_cdf as ndtr
from ..stats._dist import norm_ppf as ndtri
from ..stats._proportion import interval_by_method
from ._bootstrap_limits import MIN_BOOTSTRAP_N, MIN_MINORITY, bootstrap_or_fallback, quantiles
from ._posterior import Posterior, posterior_draws, unit_populations
from ._resampling import jackknife_accel, resample, sample_accel

__all__ = ["URN_KIND", "URN_HOW", "MIN_URN_MINORITY", "UrnLimits", "BootstrapRows", "urn_accel", "urn_estimates",
           "urn_kind", "urn_limits", "urn_or_fallback", "bootstrap_rows", "small_groups"]

#: how the draws of a bootstrap method with N known were made (``Replicates.kind``)
URN_KIND = "finite-population (Pólya urn) resampling of the unobserved cases"
#: how a row's note names it (then ", N=…")
URN_HOW = "finite-population (Pólya urn) resampling"
#: fewer answers than this on a question's rarer side (yes or no): the analytic default instead,
#: per method (``benchmarks/fpc_enumeration.py``): the percentile interval of the urn undercovers
#: the extreme truths at N ≥ 668 unless it gives way below 10 (the case bootstrap's
#: :data:`~sampling.estimation._bootstrap_limits.MIN_MINORITY`); the accelerated one holds down to 3
MIN_URN_MINORITY = {"bootstrap-percentile": MIN_MINORITY, "bootstrap-bca": 3}


@dataclass(frozen=True)
class UrnLimits:
    """Limits (percentages) of the rows resampled by the urn, their methods and notes."""

    low: np.ndarray
    high: np.ndarray
    methods: np.ndarray
    notes: list[list[str]]


def urn_accel(design: SurveyDesign) -> np.ndarray:
    """(k,) jackknife acceleration of every key question: over the cases of each sample (the
    design weights N_h/n_h in the totals), or of the 0/1 answers a published count stands for
    (aggregate results)."""
    k = len(design.summary)
    accel = np.zeros(k)
    if design.results.level == "case":
        for pt in design.units:
            accel[pt.columns] = sample_accel(pt)[2]
        return accel
    yes, n = design.summary["yes"].to_numpy(float), design.summary["n"].to_numpy(float)
    for j in range(k):
        accel[j] = jackknife_accel(np.array([[1.0], [0.0]]), np.ones((2, 1)), np.array([yes[j], n[j] - yes[j]]),
                                   yes[j:j + 1], n[j:j + 1])[0]
    return accel


def urn_estimates(design: SurveyDesign) -> np.ndarray:
    """(k,) the percentage the urn is centred on: the sample's own, or its design-weighted %
    for a sample with N_h known."""
    s = design.summary
    est = 100.0 * s["yes"].to_numpy(float) / s["n"].to_numpy(float)
    for pt in design.units:
        if pt.weighted:
            yes, n, _ = sample_accel(pt)
            with np.errstate(invalid="ignore", divide="ignore"):
                est[pt.columns] = 100.0 * yes / n
    return est


def urn_kind(design: SurveyDesign) -> str:
    """``URN_KIND`` with how the urn ran: over whole cases (stratified, design-weighted) or
    per key question (aggregate results)."""
    if design.results.level != "case":
        return URN_KIND + " (each key question on its own: beta-binomial)"
    units = [u for u in design.units if u.finite]
    parts = ["whole cases, key questions jointly"]
    parts += ["stratified"] if any(u.stratified for u in units) else []
    parts += ["design-weighted: each stratum's N_h − n_h"] if any(u.weighted for u in units) else []
    return f"{URN_KIND} ({'; '.join(parts)})"


def urn_limits(values: np.ndarray, method: str, cl: float, accel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Percentile or BCa (z₀ = 0) limits of the (B, k) draws, in the draws' units."""
    alpha = (1.0 - cl) / 2.0
    k = values.shape[1]
    if method == "bootstrap-percentile":
        q = np.vstack([np.full(k, alpha), np.full(k, 1.0 - alpha)])
    else:
        za, zb = ndtri(alpha), ndtri(1.0 - alpha)
        with np.errstate(invalid="ignore", divide="ignore"):
            q = np.vstack([ndtr(za / (1.0 - accel * za)), ndtr(zb / (1.0 - accel * zb))])
        q = np.where(np.isfinite(q), q, np.array([[alpha], [1.0 - alpha]]))
    lim = quantiles(values, q)
    return lim[0], lim[1]


def small_groups(design: SurveyDesign) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the fewest sampled cases in an urn group (resampling stratum, or stratum cell
    with N_h known) of its sample that has unobserved cases, and whether that is under
    :data:`~sampling.estimation._bootstrap_limits.MIN_BOOTSTRAP_N`. Such a group's urn is too
    sure (its variance (n_h − 1)/(n_h + 1) of the unbiased one, nil if it answered all one
    way): ``benchmarks/weights_check.py`` measured 78.5% and 75.3% for BCa with cells of 3–11
    cases, where the weighted default covers 83.0% and 81.7%."""
    k = len(design.summary)
    fewest, small = np.full(k, np.inf), np.zeros(k, dtype=bool)
    for pt in design.units:
        group, size, finite = unit_populations(pt)
        n_g = np.bincount(group, weights=pt.counts)
        open_ = np.asarray(size) > 0
        if finite and open_.any():
            fewest[pt.columns] = n_g[open_].min()
            small[pt.columns] = n_g[open_].min() < MIN_BOOTSTRAP_N
    return fewest, small


def _group_why(fewest: float, weighted: bool) -> str:
    where = "stratum cell" if weighted else "stratum"
    return (f"a {where} with unobserved cases has only {int(fewest)} sampled case(s) (under {MIN_BOOTSTRAP_N}): "
            "resampling within it would be too sure, so")


def _why(yes: float, n: float, flat: bool) -> str:
    """Why a row's urn draws are not used."""
    if yes == n or yes == 0:
        return (f"{'all answers yes' if yes == n else 'no answer yes'}: every resampled population would "
                "answer the same way (a zero-width interval), so")
    if n < MIN_BOOTSTRAP_N:
        return f"n={int(n)} < {MIN_BOOTSTRAP_N}: too few cases to resample, so"
    if flat:
        return "the resampled populations all had the same %, so"
    few = int(min(yes, n - yes))
    side = "yes" if yes < n - yes else "no"
    return (f"only {few} '{side}' answer(s): the finite-population resampling undercovers at such "
            "extreme percentages, so")


def urn_or_fallback(post: Posterior, design: SurveyDesign, rows: np.ndarray, method: str, cl: float,
                    weighted: np.ndarray, notes: list[list[str]]) -> UrnLimits:
    """The urn limits of the rows ``rows`` (N known), with the analytic default where the urn
    cannot be trusted; other rows are NaN and their notes unchanged.

    Parameters
    ----------
    post : Posterior
        The urn draws (percentages) of every key question.
    design : SurveyDesign
    rows : bool array
        The rows whose population N is known.
    method : {"bootstrap-percentile", "bootstrap-bca"}
    cl : float
        Two-sided confidence level.
    weighted : bool array
        Rows of design-weighted samples with unequal weights (their default is the stratified
        finite-population interval, recomputed from the cells by the weighted table).
    notes : list of list of str
        Each row's notes (copied, not changed).

    Returns
    -------
    UrnLimits
    """
    s = design.summary
    yes, n = s["yes"].to_numpy(float), s["n"].to_numpy(float)
    Nj = np.maximum(np.round(design.question_population), n)
    k = len(yes)
    low, high = np.full(k, np.nan), np.full(k, np.nan)
    a, b = urn_limits(post.values, method, cl, urn_accel(design) if method == "bootstrap-bca" else np.zeros(k))
    low[rows], high[rows] = a[rows], b[rows]
    census = rows & (n >= Nj)
    flat = rows & ~census & ~(high - low > 1e-9)
    degenerate = (yes == 0) | (yes == n) | (n < MIN_BOOTSTRAP_N)
    sparse = np.minimum(yes, n - yes) < MIN_URN_MINORITY[method]
    fewest, small = small_groups(design)
    fall = rows & ~census & (degenerate | sparse | flat | small | ~np.isfinite(low) | ~np.isfinite(high))
    methods = np.full(k, method, dtype=object)
    default = resolve_method(AUTO, np.ones(k, dtype=bool), weighted)
    out = [list(x) for x in notes]
    if fall.any():
        lo, hi = interval_by_method(yes[fall], n[fall], default[fall], cl, Nj[fall])
        low[fall], high[fall], methods[fall] = 100 * lo, 100 * hi, default[fall]
        for i in np.flatnonzero(fall):
            how = "hypergeometric" if default[i] in HYPERGEOMETRIC else "finite-population correction"
            out[i] = [how + t[len(URN_HOW):] if t.startswith(URN_HOW) else t for t in out[i]]
            what = f"{method_name(default[i])} interval (the default{' for a design-weighted row' if weighted[i] else ''})"
            why = (_group_why(fewest[i], bool(weighted[i])) if small[i] and not degenerate[i]
                   else _why(yes[i], n[i], bool(flat[i])))
            out[i].insert(0, f"{why} the {what} is used")
    return UrnLimits(low, high, methods, out)


@dataclass(frozen=True)
class BootstrapRows:
    """A bootstrap method's limits (percentages), methods and notes per row, and the draws
    they came from: ``values`` (B, k), ``kind``, ``finite`` and ``estimate`` per column, and
    the urn draws themselves (``posterior``; None where no N is known)."""

    low: np.ndarray
    high: np.ndarray
    methods: np.ndarray
    notes: list[list[str]]
    values: np.ndarray
    kind: str
    finite: np.ndarray
    estimate: np.ndarray
    posterior: Posterior | None


def bootstrap_rows(design: SurveyDesign, method: str, cl: float, B: int, rng: np.random.Generator,
                   notes: list[list[str]], weighted: np.ndarray) -> BootstrapRows:
    """Every row of a bootstrap method: the urn (:func:`urn_or_fallback`) where N is known,
    the case or parametric bootstrap (:func:`~sampling.estimation._resampling.resample`, with
    :func:`~sampling.estimation._bootstrap_limits.bootstrap_or_fallback`) elsewhere. The case
    bootstrap draws first, so rows without N take the same figures as before the urn."""
    s = design.summary
    yes, n = s["yes"].to_numpy(float), s["n"].to_numpy(float)
    Nj = design.question_population
    urn = ~np.isnan(Nj)
    if not urn.all():
        boot = resample(design, B, rng)
        low, high, methods, boot_notes = bootstrap_or_fallback(boot, method, cl, yes, n, Nj, notes)
        if not urn.any():
            return BootstrapRows(low, high, methods, boot_notes, boot.values, boot.kind, boot.finite,
                                 100.0 * boot.yes / boot.n, None)
        values, estimate = boot.values.copy(), 100.0 * boot.yes / boot.n
        other = "the joint case bootstrap" if design.results.level == "case" else "the parametric (binomial) bootstrap"
        kind = f"{urn_kind(design)} where N is known; {other} elsewhere"
    post = posterior_draws(design, B, rng)
    u = urn_or_fallback(post, design, urn, method, cl, weighted, notes)
    if urn.all():
        return BootstrapRows(u.low, u.high, u.methods, u.notes, post.values, urn_kind(design), urn,
                             urn_estimates(design), post)
    low, high, methods = np.where(urn, u.low, low), np.where(urn, u.high, high), np.where(urn, u.methods, methods)
    values[:, urn], estimate[urn] = post.values[:, urn], urn_estimates(design)[urn]
    merged = [a if f else b for a, b, f in zip(u.notes, boot_notes, urn)]
    return BootstrapRows(low, high, methods, merged, values, kind, urn, estimate, post)
