"""Posterior draws of every key question's *population* percentage: the rating probabilities.

A rating probability asks how likely the rating a census would give is each band, given the
sample. :func:`posterior_draws` answers it with the finite-population Bayesian bootstrap
(Pólya urn posterior; Lo 1988, Ghosh & Meeden 1997): the N − n cases not sampled are drawn
from an urn seeded with the sampled cases — each draw puts back the case drawn and one more
like it — so every posterior draw is a whole population, and its percentage per key question
is a draw of the population's true percentage. Whole cases are drawn (all their answers
together), so key questions answered on the same cases stay jointly distributed, and a
question asked only of a relevant sub-sample is counted over the drawn cases it applies to
(its domain size is uncertain too, as it is in the population).

Drawing the urn ball by ball is not needed: the urn's unseen counts per distinct answer
pattern are Dirichlet-multinomial, DirMult(N − n; c_1, …, c_P) with c_p the sampled cases of
pattern p, drawn for all B draws at once in one of two exact ways per sample, whichever is
expected to be cheaper (the choice changes the random stream, never the distribution):

* **compositions** — over the n sampled *cases* the unseen counts are DirMult(N − n; 1, …, 1),
  uniform over the compositions of N − n into n parts, drawn as a uniform random subset of
  bar positions (stars and bars, Floyd's algorithm; :mod:`sampling.stats._polya`): one
  uniform integer per case and draw. The usual route for an inspection sample.
* **Gamma and multinomial** — Dirichlet(c) weights over the patterns (Gamma draws
  normalised), then one multinomial per draw: one binomial per pattern and draw, cheaper
  when many cases share few answer patterns.

For one key question the unseen yes count is then BetaBinomial(N − n, x, n − x), the closed
form ``tests/test_calibration.py`` and ``tests/test_polya.py`` check.

* **strata** — the urn runs within each resampling stratum (and, for a design-weighted
  sample, each stratum cell), whose unseen cases are the cell's N_h − n_h (weights known),
  else the sample's N − n apportioned in proportion to the cases sampled (the proportional
  allocation the Rao–Wu replicates assume).
* **N unknown** — the limit N → ∞: the population's pattern shares are the Dirichlet
  weights themselves (Rubin's 1981 Bayesian bootstrap).
* **aggregate data** (published figures only) — each key question on its own: unseen yes
  count BetaBinomial(N_j − n_j, x, n − x), or p ~ Beta(x, n − x) with N unknown; a question
  whose answers are all one way (x = 0 or n, where the urn is certain) takes the Jeffreys
  Beta(x + ½, n − x + ½) instead. Key questions are independent there: aggregate data hold no
  case-level correlation.
* **census** (n = N) — every draw is the sample itself: certainty.

The urn is seeded with the sampled cases alone (no prior pseudo-cases). A flat prior on each
question — two pseudo-cases, one all yes and one all no, making one question's unseen count
BetaBinomial(N − n, x + 1, n − x + 1) — was tried in the calibration study and calibrated no
better, so it is not used.

Why not the case bootstrap's replicates: the bootstrap distribution of the sample's rating
is not the distribution of the true rating given the sample. ``benchmarks/calibration_study.py``
compares the two on the same simulated samples at N = 56, 79 and 668 (its output,
``benchmarks/calibration_study_results.txt``, has the tables and a verdict per size). In the
recorded run the bootstrap's P(rule rating) was off by more than 3 points in bins of
hundreds of standards at N = 56 and 79; the posterior's P(each rating) was within 3 points
in every such bin at all three sizes, and its P(rule rating) too except below 0.6 at
N = 79, where it over-states how often the rule rating is right (the rule rating is then
not the posterior's favourite, or barely; the grade is "could go either way" either way).
``benchmarks/calibration_gap_79.txt`` traces that gap to the questions' order: with correlated
answers the sample's lowest question is truly lower than its own urn marginal says, which no
change of the urn's variance mends.

References
----------
.. [1] Rubin, D. B. (1981). The Bayesian bootstrap. *Annals of Statistics* 9, 130–134.
.. [2] Lo, A. Y. (1988). A Bayesian bootstrap for a finite population. *Annals of
   Statistics* 16, 1684–1695.
.. [3] Ghosh, M. & Meeden, G. (1997). *Bayesian Methods for Finite Population Sampling*,
   ch. 2 (the Pólya posterior). Chapman & Hall.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._utils._threads import one_blas_thread
from ..results._design import SampleUnits, SurveyDesign
from ..stats._polya import compositions_pay, draws_per_chunk, uniform_compositions

__all__ = ["Posterior", "posterior_draws", "unit_populations", "POSTERIOR_KIND"]

POSTERIOR_KIND = "finite-population posterior (Pólya urn over whole cases, key questions jointly)"

#: draws × units per chunk (bounds the Gamma and multinomial arrays; the compositions hold
#: three draws × cases arrays of 4–8 bytes, so they take twice the draws)
_CHUNK_CELLS = 1_000_000


@dataclass(frozen=True)
class Posterior:
    """Posterior draws of the population percentage of every key question.

    Attributes
    ----------
    values : ndarray, shape (B, k)
        Percentages (0–100), columns in summary order; NaN where a draw's population holds no
        case the question applies to.
    kind : str
        How they were drawn.
    """

    values: np.ndarray
    kind: str

    @property
    def n_draws(self) -> int:
        return int(self.values.shape[0])


def unit_populations(pt: SampleUnits) -> tuple[np.ndarray, np.ndarray, bool]:
    """The urn groups of one sample and their sizes.

    Returns ``(group, size, finite)``: each unit's group index (its resampling stratum, or
    stratum cell of a weighted sample), and per group the number of *unseen* cases (finite)
    or the group's population mass (N unknown: the Bayesian bootstrap's stratum weight).
    """
    key = pt.patterns[:, 0]
    _, group = np.unique(key, return_inverse=True)
    n_g = np.bincount(group, weights=pt.counts).astype(float)
    if pt.weighted:
        # N_h / n_h per unit; a group lies in one cell, so its population is n_g N_h / n_h
        w_g = np.bincount(group, weights=pt.weight * pt.counts) / n_g
        mass = n_g * w_g
        if not pt.finite:
            return group, mass, False
        pop = np.round(mass).astype(np.int64)
        return group, np.maximum(pop - n_g.astype(np.int64), 0), True
    if not pt.finite:
        return group, n_g, False
    unseen = max(int(pt.population or 0) - int(n_g.sum()), 0)
    if unseen <= 0:
        return group, np.zeros(len(n_g), dtype=np.int64), True
    from ..draw._allocate import largest_remainder

    return group, largest_remainder(n_g.astype(np.int64), unseen), True


def _gammas(c: np.ndarray, m: int, rng: np.random.Generator) -> np.ndarray:
    """(m, P) Gamma(c_p) draws: Exp(1) where c_p = 1 (most units: a case with an answer
    pattern of its own), the sum of two Exp(1) where c_p = 2 (Gamma(2), at about a third of the
    cost of numpy's Gamma sampler), that sampler for the rest."""
    g = rng.standard_exponential((m, len(c)))
    two = np.flatnonzero(c == 2)
    if two.size:
        g[:, two] = rng.standard_exponential((2, m, two.size)).sum(axis=0)
    big = np.flatnonzero((c != 1) & (c != 2))
    if big.size:
        g[:, big] = rng.standard_gamma(c[big], size=(m, big.size))
    return g


def _sample_totals(pt: SampleUnits, B: int, rng: np.random.Generator) -> np.ndarray:
    """(B, 2k) population yes and applicable totals of one sample's posterior draws.

    Finite N: the unseen cases of every urn group are drawn case by case as uniform
    compositions (:mod:`sampling.stats._polya`) where that pays, else from Dirichlet weights
    (one Gamma draw per unit, normalised within its group) and one multinomial per group and
    draw. N unknown: each group's mass times its Dirichlet weights."""
    group, size, finite = unit_populations(pt)
    order = np.argsort(group, kind="stable")
    c, grp = pt.counts[order].astype(float), group[order]
    M = np.hstack([pt.Yp, pt.Qp])[order]
    starts = np.flatnonzero(np.r_[True, grp[1:] != grp[:-1]])
    bounds = np.r_[starts, len(grp)]
    if finite:
        cases = np.add.reduceat(c, starts).astype(np.int64)
        live = size > 0
        if compositions_pay(size, cases, int(np.diff(bounds)[live].sum()), B):
            return _urn_totals(c, M, size, cases, B, rng)
    out = np.empty((B, M.shape[1]))
    chunk = int(max(1, min(B, _CHUNK_CELLS // max(len(c), 1))))
    for b0 in range(0, B, chunk):
        m = min(chunk, B - b0)
        g = _gammas(c, m, rng)
        out[b0:b0 + m] = (_multinomial_counts(g, c, size, bounds, rng) @ M if finite
                          else _weighted_totals(g, M, size, bounds))
    return out


def _urn_totals(c: np.ndarray, M: np.ndarray, size: np.ndarray, cases: np.ndarray, B: int,
                rng: np.random.Generator) -> np.ndarray:
    """(B, 2k) totals from uniform compositions of each group's unseen cases over its
    sampled cases (units in group order, ``c`` cases each)."""
    per_case = np.repeat(M, c.astype(np.int64), axis=0)
    seen = c @ M
    out = np.empty((B, M.shape[1]))
    chunk = int(max(1, min(B, 2 * _CHUNK_CELLS // max(len(per_case), 1), draws_per_chunk(size, cases))))
    for b0 in range(0, B, chunk):
        m = min(chunk, B - b0)
        out[b0:b0 + m] = uniform_compositions(size, cases, m, rng, weights=per_case)
    out += seen
    return out


def _multinomial_counts(g: np.ndarray, c: np.ndarray, size: np.ndarray, bounds: np.ndarray,
                        rng: np.random.Generator) -> np.ndarray:
    """(m, P) population counts: the sampled ``c`` plus, per group, a multinomial draw of its
    unseen cases over its units' Dirichlet weights (Gamma draws ``g`` normalised)."""
    counts = np.repeat(c[None, :], len(g), axis=0)
    for h in np.flatnonzero(size > 0):
        p0, p1 = bounds[h], bounds[h + 1]
        if p1 - p0 > 1:
            w = g[:, p0:p1]
            counts[:, p0:p1] += rng.multinomial(int(size[h]), w / w.sum(axis=1, keepdims=True))
        else:
            counts[:, p0] += size[h]
    return counts


def _weighted_totals(g: np.ndarray, M: np.ndarray, size: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """(m, 2k) totals of the Bayesian bootstrap: per group, its mass times the Dirichlet
    weights (Gamma draws ``g`` over their sum) applied to its units' answers."""
    out = np.zeros((len(g), M.shape[1]))
    for h in range(len(bounds) - 1):
        p0, p1 = bounds[h], bounds[h + 1]
        gh = g[:, p0:p1]
        out += (gh @ M[p0:p1]) * (size[h] / gh.sum(axis=1))[:, None]
    return out


def _case_draws(design: SurveyDesign, B: int, rng: np.random.Generator) -> np.ndarray:
    k = len(design.summary)
    yes_b, n_b = np.zeros((B, k)), np.zeros((B, k))
    for pt in design.units:
        out = _sample_totals(pt, B, rng)
        yes_b[:, pt.columns], n_b[:, pt.columns] = out[:, :len(pt.columns)], out[:, len(pt.columns):]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_b > 0, 100.0 * yes_b / np.where(n_b > 0, n_b, 1), np.nan)


def _aggregate_draws(design: SurveyDesign, B: int, rng: np.random.Generator) -> np.ndarray:
    s = design.summary
    yes, n = s["yes"].to_numpy(float), s["n"].to_numpy(float)
    Nj = design.question_population
    out = np.empty((B, len(yes)))
    for j in range(len(yes)):
        x, m = yes[j], n[j]
        if not m > 0:
            out[:, j] = np.nan
            continue
        a, b = (x + 0.5, m - x + 0.5) if x in (0, m) else (x, m - x)
        p = rng.beta(a, b, B)
        if np.isnan(Nj[j]):
            out[:, j] = 100.0 * p
            continue
        unseen = max(int(round(Nj[j])) - int(m), 0)
        out[:, j] = 100.0 * (x + rng.binomial(unseen, p)) / (m + unseen)
    return out


def _describe(design: SurveyDesign) -> str:
    if design.results.level != "case":
        finite = ~np.isnan(design.question_population)
        how = ("beta-binomial, finite population" if finite.all() else "beta; N unknown" if not finite.any()
               else "beta-binomial where N is known, beta elsewhere")
        return f"posterior of each key question's population % on its own ({how})"
    units = design.units
    finite = [u.finite for u in units]
    if any(finite):
        head = POSTERIOR_KIND[:-1] + ("" if all(finite) else "; Bayesian bootstrap where N is unknown")
    else:
        head = "posterior (Bayesian bootstrap over whole cases, key questions jointly; N unknown"
    parts = [p for p in ("stratified" if any(u.stratified for u in units) else "",
                         "design-weighted by N_h" if any(u.weighted for u in units) else "") if p]
    return head + "".join("; " + p for p in parts) + ")"


def posterior_draws(design: SurveyDesign, B: int, rng: np.random.Generator) -> Posterior:
    """``B`` posterior draws of every key question's population percentage (0–100).

    Parameters
    ----------
    design : SurveyDesign
        From :func:`sampling.survey_design`: case-level results get the Pólya urn over whole
        cases within each stratum (the Bayesian bootstrap where N is unknown), aggregate ones
        a beta-binomial per key question (see the module docstring).
    B : int
        Number of draws.
    rng : numpy.random.Generator

    Returns
    -------
    Posterior
        ``values`` (B, k) and ``kind``.

    Examples
    --------
    >>> import numpy as np, sampling
    >>> from sampling.results._design import as_design
    >>> design = as_design(sampling.seed_inspection(), None, None)
    >>> draws = posterior_draws(design, 200, np.random.default_rng(1))
    >>> draws.values.shape == (200, len(design.summary))
    True
    """
    if design.results.level == "case":
        with one_blas_thread():  # small products: BLAS threads only cost (see _utils._threads)
            values = _case_draws(design, B, rng)
    else:
        values = _aggregate_draws(design, B, rng)
    return Posterior(values, _describe(design))
