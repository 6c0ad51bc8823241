"""Plan: how many cases to inspect, what margin a sample gives, and how likely a rating is
to be wrong.

All functions are pure (they never modify their arguments) and validate their input with
:mod:`sampling._checks`, raising :class:`~sampling.errors.ArgumentError` on bad values.

Conventions
-----------
* ``population`` is the number ``N`` of eligible cases; ``None`` means an infinite (or
  very large) population, i.e. no finite population correction.
* ``confidence_level`` is two-sided (HMI Probation uses 0.80); ``margin`` is a fraction of
  one (0.05 = five percentage points); ``p`` is the planning value of the proportion
  (0.5 is the worst case and the inspectorate's choice).
* Two methods: ``"cochran"`` (the normal approximation with the finite population
  correction, as the inspectorate uses) and ``"exact"`` (exact hypergeometric /
  Clopper–Pearson intervals, worst case over the outcomes).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import check_confidence_level, check_count, check_fraction, check_population
from ._display import TableResult
from .errors import ArgumentError
from ._methods import ROUNDINGS

__all__ = [
    "METHODS",
    "sample_size",
    "achieved_margin",
    "implied_population",
    "ImpliedPopulation",
    "subsample_plan",
    "SubsamplePlan",
    "misrating_risk",
    "band_probabilities",
    "plan_table",
    "Plan",
]

METHODS = ("cochran", "exact")

#: Values within this distance of a whole number are treated as that whole number before
#: rounding up, so that a float such as 132.00000000000003 (an exact 132 computed with
#: rounding error) does not become 133.
_CEIL_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- checks
def _check_method(method: Any) -> str:
    if method not in METHODS:
        raise ArgumentError("method", method, f"must be one of {', '.join(METHODS)}")
    return method


def _check_margin(margin: Any) -> float:
    return check_fraction(margin, "margin")


def _check_p(p: Any) -> float:
    return check_fraction(p, "p", low_open=False, high_open=False)


def _check_n(n: Any, population: int | None, name: str = "n") -> int:
    n = check_count(n, name, minimum=1)
    if population is not None and n > population:
        raise ArgumentError(name, n, f"must be at most the population ({population})")
    return n


def _z(confidence_level: float) -> float:
    """Two-sided normal quantile z = Φ⁻¹(1 − α/2)."""
    return float(stats.norm.ppf(0.5 + confidence_level / 2))


def _ceil(x: float) -> int:
    """Round up once, treating values within ``_CEIL_TOLERANCE`` of an integer as it."""
    return int(math.ceil(x - _CEIL_TOLERANCE))


# --------------------------------------------------------------------------- Cochran
def _cochran_n0(z: float, p: float, margin: float) -> float:
    """n₀ = z²pq/e² (Cochran 1977, eq. 4.2), unrounded."""
    return z * z * p * (1 - p) / (margin * margin)


def _cochran_fpc(n0: float, population: float | None) -> float:
    """n = n₀ / (1 + (n₀ − 1)/N) (Cochran 1977, eq. 4.4), unrounded; N may be a float."""
    if population is None or math.isinf(population):
        return n0
    return n0 / (1 + (n0 - 1) / population)


def _cochran_size(z: float, p: float, margin: float, population: float | None) -> int:
    """Cochran's n rounded up once, at least 1 and at most the population (N may be a
    float, e.g. a sub-population r·N, in which case the cap is max(1, ⌈N⌉))."""
    n = max(1, _ceil(_cochran_fpc(_cochran_n0(z, p, margin), population)))
    if population is None:
        return n
    cap = population if isinstance(population, numbers.Integral) else max(1, _ceil(population))
    return min(n, cap)


def _cochran_margin(n: float, population: float | None, z: float, p: float) -> float:
    """e = z·sqrt(pq/n · (N − n)/(N − 1)), the inverse of Cochran's formula."""
    fpc = 1.0
    if population is not None and not math.isinf(population):
        fpc = 0.0 if population <= 1 else max(population - n, 0.0) / (population - 1)
    return z * math.sqrt(p * (1 - p) / n * fpc)


# --------------------------------------------------------------------------- exact
#: Up to this population scipy's (Boost) hypergeometric cdf is the faster; above it, the
#: log-gamma sum of :func:`_hypergeom_cdf` (measured: 4 ms vs 1.4 ms per call at N = 10,000).
_BOOST_MAX_N = 3000


def _hypergeom_cdf(x: np.ndarray, N: int, M: np.ndarray, n: int) -> np.ndarray:
    """P(X ≤ x) for X ~ Hypergeometric(N, M, n), elementwise over x and M.

    Sums the probability mass function written with log-gamma functions. This is the same
    quantity as ``scipy.stats.hypergeom.cdf(x, N, M, n)`` (against which the tests check
    it) but many times faster for large N, where scipy's Boost implementation is slow.
    """
    x = np.asarray(x, dtype=float)[:, None]
    M = np.asarray(M, dtype=float)[:, None]
    k = np.arange(n + 1, dtype=float)[None, :]
    valid = (k <= M) & (n - k <= N - M) & (k <= x)
    kk = np.where(valid, k, 0.0)
    log_pmf = (_log_choose(M, kk) + _log_choose(N - M, n - kk) - _log_choose(float(N), float(n)))
    return np.minimum(np.where(valid, np.exp(log_pmf), 0.0).sum(axis=1), 1.0)


def _log_choose(a, b):
    from scipy.special import gammaln

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    bb = np.clip(b, 0.0, np.maximum(a, 0.0))
    return gammaln(a + 1) - gammaln(bb + 1) - gammaln(a - bb + 1)


def _hypergeom_upper(x: np.ndarray, n: int, N: int, alpha: float) -> np.ndarray:
    """Upper exact bound for the population count M, for each observed count x.

    The largest M (x ≤ M ≤ N − n + x) not rejected by the one-sided test
    P(X ≤ x | M) ≤ α/2, X ~ Hypergeometric(N, M, n) (Buonaccorsi 1987; Wendell & Schmee
    2001). P(X ≤ x | M) falls as M grows, so a vectorised bisection over M finds it.
    """
    lo = x.astype(np.int64)  # P(X ≤ x | M = x) = 1: always accepted
    hi = (N - n + x).astype(np.int64)
    while True:
        open_ = hi > lo
        if not open_.any():
            return lo
        mid = (lo + hi + 1) // 2
        if N <= _BOOST_MAX_N:  # scipy's hypergeom(M=total, n=successes, N=draws)
            cdf = stats.hypergeom.cdf(x, N, mid, n)
        else:
            cdf = _hypergeom_cdf(x, N, mid, n)
        ok = cdf > alpha / 2
        lo = np.where(open_ & ok, mid, lo)
        hi = np.where(open_ & ~ok, mid - 1, hi)


def _outcomes(n: int, p: float) -> np.ndarray:
    """The observed counts x over which the exact method takes its worst case.

    Every x whose proportion x/n is at least as far from 1/2 as the planning value p. With
    the default p = 0.5 this is every x = 0…n (the fully worst case); a planning value
    p ≠ 0.5 says "we expect a proportion about this far from 50%", as in Cochran's
    formula, and the worst case is then taken over outcomes no less extreme than p.
    """
    x = np.arange(n + 1)
    dist = np.abs(x / n - 0.5)
    return x[dist >= abs(p - 0.5) - 1e-12]


def _exact_halfwidth(n: int, population: int | None, confidence_level: float, p: float,
                     *, nearest: int | None = None) -> float:
    """Worst-case half-width (proportion units) of the exact interval at sample size n.

    With a population N: the exact hypergeometric interval [M_L, M_U]/N for the population
    proportion (test inversion, Buonaccorsi 1987); M_L(x) = N − M_U(n − x) by symmetry.
    Without: the Clopper–Pearson interval (Clopper & Pearson 1934), via statsmodels
    ``proportion_confint(method="beta")``. Half-width = (upper − lower)/2, maximised over
    the outcomes of :func:`_outcomes` (only the ``nearest`` ones to 50% if given: a quick
    lower bound on the worst case).
    """
    alpha = 1 - confidence_level
    x = _outcomes(n, p)
    if nearest is not None and x.size > nearest:
        x = x[np.argsort(np.abs(x / n - 0.5), kind="stable")[:nearest]]
    if population is None:
        from ._proportion import proportion_interval

        lower, upper = proportion_interval(x, n, method="clopper-pearson",
                                           confidence_level=confidence_level)
        return float(np.max(upper - lower) / 2)
    if n >= population:
        return 0.0
    need = np.union1d(x, n - x)
    upper_need = _hypergeom_upper(need, n, population, alpha)
    upper_of = dict(zip(need.tolist(), upper_need.tolist()))
    upper = np.array([upper_of[v] for v in x.tolist()])
    lower = population - np.array([upper_of[v] for v in (n - x).tolist()])
    return float(np.max(upper - lower) / (2 * population))


def _exact_n(population: int | None, confidence_level: float, margin: float, p: float) -> int:
    """Smallest n whose worst-case exact half-width is ≤ margin, by bisection.

    Bisection finds where the worst-case half-width crosses the margin. It falls as n grows
    in the main, but discreteness makes it wobble: for a few N it dips below the margin a
    few cases before the crossing (a full scan of N = 2…250 found 4 such N — 95, 109, 175,
    241 — with dips of 2–4 cases). So the search also checks the max(16, 10%) values of n
    below the crossing and returns the smallest that meets the margin; the tests compare
    it with a brute-force scan.
    """
    def ok(n: int) -> bool:
        # the outcomes nearest 50% usually decide; check them first (a quick fail)
        if _exact_halfwidth(n, population, confidence_level, p, nearest=4) > margin + 1e-12:
            return False
        return _exact_halfwidth(n, population, confidence_level, p) <= margin + 1e-12

    z = _z(confidence_level)
    guess = _cochran_size(z, p, margin, population)
    # bracket the answer: lo fails (0 counts as failing), hi passes; start from Cochran's n
    step = max(1, guess // 16)
    if ok(guess):
        hi, lo = guess, max(guess - step, 0)
        while lo > 0 and ok(lo):
            hi, step = lo, step * 2
            lo = max(lo - step, 0)
    else:
        lo, hi = guess, guess + step
        if population is not None:
            hi = min(hi, population)  # ok(N) always holds: the interval is a point
        while not ok(hi):
            lo, step = hi, step * 2
            hi = hi + step if population is None else min(hi + step, population)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    # the worst-case half-width can dip below the margin a few cases before the
    # bisection's crossing point (discreteness); scan a window below it for a smaller n
    best = hi
    for cand in range(hi - 1, max(hi - _exact_window(hi), 0), -1):
        if ok(cand):
            best = cand
    return best


def _exact_window(n: int) -> int:
    """Cases below the bisection answer that the exact search also checks."""
    return max(16, math.ceil(0.1 * n))


# --------------------------------------------------------------------------- public
def sample_size(
    population: int | None = None,
    *,
    confidence_level: float = 0.8,
    margin: float = 0.05,
    p: float = 0.5,
    method: str = "cochran",
) -> int:
    """Number of cases to inspect for a proportion to within ``±margin``.

    ``method="cochran"`` (Cochran, W. G. (1977) *Sampling Techniques*, 3rd ed., Wiley,
    §4.4): with z = Φ⁻¹(1 − α/2) and q = 1 − p,

        n₀ = z²pq / e²,    n = n₀ / (1 + (n₀ − 1)/N) = N·z²pq / ((N − 1)e² + z²pq),

    rounded up **once**, at the end. (Rounding n₀ up first, as some calculators do, gives
    125 instead of 124 at N = 500 and 133 instead of 132 at N = 668.) Values within 1e-9 of
    a whole number are taken as that number before rounding up, so floating-point error
    in an exact integer never adds a case. ``population=None`` means infinite (n = ⌈n₀⌉).

    ``method="exact"``: the smallest n for which the exact confidence interval has
    half-width (upper − lower)/2 ≤ margin for the worst-case outcome. With a population,
    the exact hypergeometric interval for the population count M, by test inversion with
    ``scipy.stats.hypergeom`` (Buonaccorsi, J. P. (1987) "A note on confidence intervals
    for proportions in finite populations", *The American Statistician* 41:215–218;
    Wendell, J. P. & Schmee, J. (2001) *JASA* 96:775–783); without, the Clopper–Pearson
    interval (statsmodels ``proportion_confint(method="beta")``). The worst case is over
    every outcome x = 0…n when p = 0.5 (the default); with another planning value p, over
    the outcomes x/n at least as far from 50% as p (see ``_outcomes``). Exact intervals are
    conservative, so this n is normally at least Cochran's (146 against 132 at N = 668);
    for a few tiny populations (N = 10–13 and 60 at the seed settings) it is one or two
    cases fewer, because the interval for the count moves in whole cases. Discreteness
    also makes the exact n wobble with N (N = 79 needs 58, N = 80 only 55).

    The result is at least 1 and never more than N.

    Examples
    --------
    >>> sample_size(), sample_size(668), sample_size(79), sample_size(56)
    (165, 132, 54, 42)
    """
    population = check_population(population)
    confidence_level = check_confidence_level(confidence_level)
    margin = _check_margin(margin)
    p = _check_p(p)
    method = _check_method(method)
    if method == "exact":
        return _exact_n(population, confidence_level, margin, p)
    return _cochran_size(_z(confidence_level), p, margin, population)


def achieved_margin(
    n: int,
    population: int | None = None,
    *,
    confidence_level: float = 0.8,
    p: float = 0.5,
    method: str = "cochran",
) -> float:
    """The margin of error (a fraction; 0.05 = five points) a sample of ``n`` delivers.

    ``"cochran"``: e = z·sqrt(pq/n · (N − n)/(N − 1)), the inverse of Cochran's formula
    (Cochran 1977, §4.4; the factor (N − n)/(N − 1) is dropped when N is infinite).
    ``"exact"``: the worst-case half-width of the exact hypergeometric (Buonaccorsi 1987)
    or Clopper–Pearson interval, as in :func:`sample_size`.

    >>> round(achieved_margin(132, 668), 4)
    0.05
    """
    population = check_population(population)
    n = _check_n(n, population)
    confidence_level = check_confidence_level(confidence_level)
    p = _check_p(p)
    method = _check_method(method)
    if method == "exact":
        return _exact_halfwidth(n, population, confidence_level, p)
    return _cochran_margin(n, population, _z(confidence_level), p)


@dataclass(frozen=True, repr=False)
class ImpliedPopulation(TableResult):
    """The populations N for which :func:`sample_size` gives exactly ``n``.

    ``low``…``high`` inclusive. ``high`` is None when every N ≥ ``low`` (and an infinite
    population) gives n; ``low`` and ``high`` are both None when no N gives n (``message``
    says why). ``N in result`` tests membership; ``as_range()`` gives a ``range``.
    """

    n: int
    low: int | None
    high: int | None
    confidence_level: float
    margin: float
    p: float
    method: str
    message: str

    @property
    def empty(self) -> bool:
        return self.low is None

    @property
    def unbounded(self) -> bool:
        return self.low is not None and self.high is None

    def __bool__(self) -> bool:
        return not self.empty

    def __contains__(self, population: object) -> bool:
        if self.empty or not isinstance(population, numbers.Integral):
            return False
        return population >= self.low and (self.high is None or population <= self.high)

    def as_range(self) -> range:
        """``range(low, high + 1)``; empty when no N gives n. Raises if unbounded."""
        if self.empty:
            return range(0)
        if self.high is None:
            raise ArgumentError("n", self.n, f"gives an unbounded range of N (N ≥ {self.low})")
        return range(self.low, self.high + 1)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "n": [self.n],
            "population_low": pd.array([self.low], dtype="Int64"),
            "population_high": pd.array([self.high], dtype="Int64"),
            "method": [self.method],
        })

    def _title(self) -> str:
        return (f"ImpliedPopulation: N giving n={self.n} at {self.confidence_level:.0%} "
                f"confidence, ±{100 * self.margin:g} points")

    def _notes(self) -> list[str]:
        return [self.message]


def implied_population(
    n: int,
    *,
    confidence_level: float = 0.8,
    margin: float = 0.05,
    p: float = 0.5,
    method: str = "cochran",
) -> ImpliedPopulation:
    """The range of populations N for which ``sample_size(N) == n`` — working back from a
    published sample size to the size of the eligible population it implies.

    Cochran's n(N) = n₀N/(N + n₀ − 1) rises with N (Cochran 1977, §4.4), so the N giving n
    form one interval, found by bisection: low = the smallest N with sample_size(N) ≥ n,
    high = the smallest N with sample_size(N) ≥ n + 1, less one. When n equals the
    infinite-population size ⌈n₀⌉ the range has no upper end; when n exceeds it no N gives
    n.

    Only ``method="cochran"`` is accepted: the exact sample size is not monotone in N (at
    the seed settings N = 79 needs 58 cases but N = 80 only 55), so the N giving an exact n
    need not form a range, and ``method="exact"`` raises :class:`ArgumentError`.

    >>> r = implied_population(132); (r.low, r.high)
    (644, 668)
    """
    n = check_count(n, "n", minimum=1)
    confidence_level = check_confidence_level(confidence_level)
    margin = _check_margin(margin)
    p = _check_p(p)
    method = _check_method(method)
    if method != "cochran":
        raise ArgumentError("method", method, (
            "implied_population supports only 'cochran': the exact sample size is not "
            "monotone in N (N=79 needs 58 cases, N=80 only 55), so the N giving n need not "
            "form a range"))
    kw = dict(confidence_level=confidence_level, margin=margin, p=p, method=method)

    def size(N: int | None) -> int:
        return sample_size(N, **kw)

    n_inf = size(None)
    common = dict(n=n, confidence_level=confidence_level, margin=margin, p=p, method=method)
    if n > n_inf:
        return ImpliedPopulation(low=None, high=None, message=(
            f"no population gives n={n}: even an infinite population needs only {n_inf} "
            f"cases at {confidence_level:.0%} confidence and ±{100 * margin:g} points"), **common)

    def first_at_least(target: int) -> int | None:
        """Smallest N with size(N) ≥ target (size(N) ≤ N, so N ≥ target)."""
        lo, hi = target, target
        while size(hi) < target:
            lo, hi = hi, hi * 2
            if hi > 10**12:
                return None
        while lo < hi:
            mid = (lo + hi) // 2
            if size(mid) >= target:
                hi = mid
            else:
                lo = mid + 1
        return lo

    low = first_at_least(n)
    if low is None or size(low) != n:
        return ImpliedPopulation(low=None, high=None, message=(
            f"no population gives exactly n={n} (the sample size jumps past it)"), **common)
    if n == n_inf:
        nxt = None
    else:
        nxt = first_at_least(n + 1)
    high = None if nxt is None else nxt - 1
    if high is None:
        msg = (f"n={n} is the infinite-population size: every N ≥ {low} gives it "
               f"(n₀ = {_cochran_n0(_z(confidence_level), p, margin):.2f})")
    else:
        msg = f"N = {low}…{high} give n={n} ({method})"
    return ImpliedPopulation(low=low, high=high, message=msg, **common)


# --------------------------------------------------------------------------- sub-samples
@dataclass(frozen=True, repr=False)
class SubsamplePlan(TableResult):
    """What a key question asked of only a share of cases can deliver; see
    :func:`subsample_plan`."""

    n: int
    population: int | None
    share: float
    confidence_level: float
    margin: float
    p: float
    expected_subsample: float
    subpopulation: float | None
    subsample_margin: float
    subsample_needed: int
    n_needed: int

    @property
    def meets_margin(self) -> bool:
        return self.subsample_margin <= self.margin + 1e-12

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "population": pd.array([self.population], dtype="Int64"),
            "n": [self.n],
            "share": [self.share],
            "expected_subsample": [self.expected_subsample],
            "subsample_margin": [100 * self.subsample_margin],
            "subsample_needed": [self.subsample_needed],
            "n_needed": [self.n_needed],
        })

    def _title(self) -> str:
        return (f"SubsamplePlan: key questions asked of {self.share:.0%} of cases, "
                f"{self.confidence_level:.0%} confidence, ±{100 * self.margin:g} points")

    def _notes(self) -> list[str]:
        return ["subsample_margin in percentage points; FPC on the sub-population share·N; "
                "n_needed = ⌈subsample_needed/share⌉ (expected sub-sample meets the margin)"]


def subsample_plan(
    n: int | None = None,
    population: int | None = None,
    *,
    share: float,
    confidence_level: float = 0.8,
    margin: float = 0.05,
    p: float = 0.5,
) -> SubsamplePlan:
    """Plan for key questions that apply to only a share r of cases (e.g. the inspectorate's
    "relevant sub-sample" of cases where risk of serious harm issues apply).

    With n cases drawn (default: ``sample_size(population)``), the expected number of
    relevant cases is r·n, drawn from a relevant sub-population of r·N cases. Their margin
    is Cochran's inverse with the finite population correction applied to the
    sub-population (Cochran 1977, §2.12–2.13 on domains, §4.4):

        e_r = z·sqrt(pq/(r·n) · (r·N − r·n)/(r·N − 1)).

    The sub-sample alone needs m = ⌈n(r·N)⌉ cases (Cochran's n with the sub-population as
    N; infinite when N is), so the whole sample needs n_needed = ⌈m/r⌉ (capped at N) for the
    *expected* sub-sample to reach m. The realised sub-sample varies around r·n
    (hypergeometrically), so about half of such samples fall a little short; add a few
    cases if the sub-sample margin must be met with high probability.
    """
    population = check_population(population)
    share = check_fraction(share, "share", high_open=False)
    confidence_level = check_confidence_level(confidence_level)
    margin = _check_margin(margin)
    p = _check_p(p)
    if n is None:
        n = sample_size(population, confidence_level=confidence_level, margin=margin, p=p)
    n = _check_n(n, population)
    z = _z(confidence_level)
    m = share * n
    sub_pop = None if population is None else share * population
    sub_margin = _cochran_margin(m, sub_pop, z, p) if m > 0 else math.inf
    m_needed = _cochran_size(z, p, margin, sub_pop)
    n_needed = max(1, _ceil(m_needed / share))
    if population is not None:
        n_needed = min(n_needed, population)
    return SubsamplePlan(n=n, population=population, share=share,
                         confidence_level=confidence_level, margin=margin, p=p,
                         expected_subsample=m, subpopulation=sub_pop,
                         subsample_margin=sub_margin, subsample_needed=m_needed,
                         n_needed=n_needed)


# --------------------------------------------------------------------------- misrating
def _check_bands(bands: Any) -> np.ndarray:
    try:
        edges = np.asarray(bands, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError("bands", bands, "must be increasing numbers in (0, 100]") from None
    if (edges.ndim != 1 or edges.size == 0 or not np.all(np.isfinite(edges))
            or np.any(np.diff(edges) <= 0) or edges[0] <= 0 or edges[-1] > 100):
        raise ArgumentError("bands", bands, "must be increasing numbers in (0, 100]")
    return edges


def _check_percent(true_percent: Any) -> np.ndarray:
    try:
        arr = np.asarray(true_percent, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError("true_percent", true_percent, "must be numbers in [0, 100]") from None
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 100)
    if bad.any() or isinstance(true_percent, bool):
        value = true_percent if arr.ndim == 0 else arr[bad].tolist()
        raise ArgumentError("true_percent", value, "must be numbers in [0, 100]")
    return arr


def _observed_percent(x: np.ndarray, n: int, rounding: str) -> np.ndarray:
    """The published percentage 100·x/n, rounded to a whole number in exact integer
    arithmetic (no floating-point ties): half up (64.5 → 65), half to even, or unrounded."""
    x = np.asarray(x, dtype=np.int64)
    if rounding == "none":
        return 100.0 * x / n
    q, r = np.divmod(100 * x, n)
    up = 2 * r > n
    tie = 2 * r == n
    if rounding == "half_up":
        up = up | tie
    else:  # half_even
        up = up | (tie & (q % 2 == 1))
    return (q + up).astype(float)


def _band_matrix(true_percent: Any, n: int, population: int | None, bands: Any,
                 rounding: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(true percents, their bands, edges, P(observed band = b)) for each true percent."""
    population = check_population(population)
    n = _check_n(n, population)
    edges = _check_bands(bands)
    if rounding not in ROUNDINGS:
        raise ArgumentError("rounding", rounding, f"must be one of {', '.join(ROUNDINGS)}")
    pct = _check_percent(true_percent)
    flat = pct.reshape(-1)
    x = np.arange(n + 1)
    if population is None:
        pmf = stats.binom.pmf(x[None, :], n, flat[:, None] / 100)
    else:
        M = np.floor(flat / 100 * population + 0.5).astype(np.int64)  # half up
        pmf = stats.hypergeom.pmf(x[None, :], population, M[:, None], n)
    obs_band = np.searchsorted(edges, _observed_percent(x, n, rounding), side="right")
    probs = np.zeros((flat.size, edges.size + 1))
    for b in range(edges.size + 1):
        probs[:, b] = pmf[:, obs_band == b].sum(axis=1)
    true_band = np.searchsorted(edges, flat, side="right")
    return pct, true_band, edges, probs


def misrating_risk(
    true_percent: float | Sequence[float] | np.ndarray,
    n: int,
    population: int | None = None,
    *,
    bands: Sequence[float] = (50, 65, 80),
    rounding: str = "half_up",
) -> float | np.ndarray:
    """Exact probability that the sample's published percentage lands in a different band
    from the true percentage.

    The number of "yes" cases X is Hypergeometric(N, M, n) with M = round(true_percent/100·N)
    (half up) yes-cases in the population, or Binomial(n, true_percent/100) without a
    population (sampling without / with replacement). The observed percentage 100·X/n is
    rounded to a whole number (``rounding="half_up"``, as the inspectorate publishes: 35/54
    = 64.8% → 65 → Good; or ``"half_even"``, or ``"none"``) and banded; the true percentage
    is banded as given. ``bands`` are lower edges: with (50, 65, 80), < 50 → band 0, 50–64 →
    1, 65–79 → 2, ≥ 80 → 3. The risk is 1 − P(observed band = true band), summed exactly
    over the probability mass function (no simulation).

    Note: with a population, 100·M/N can sit just across an edge from ``true_percent``
    (e.g. N = 79, 65% → M = 51 = 64.6%); the band compared with is still that of
    ``true_percent``.

    A scalar ``true_percent`` gives a float; an array gives an array of the same shape.
    """
    pct, true_band, _, probs = _band_matrix(true_percent, n, population, bands, rounding)
    risk = 1 - probs[np.arange(probs.shape[0]), true_band]
    risk = np.clip(risk, 0.0, 1.0).reshape(pct.shape)
    return float(risk) if risk.ndim == 0 else risk


def _band_labels(edges: np.ndarray) -> list[str]:
    cuts = [0.0, *edges.tolist(), 100.0]
    labels = []
    for i in range(len(cuts) - 1):
        close = "]" if i == len(cuts) - 2 else ")"
        labels.append(f"[{cuts[i]:g},{cuts[i + 1]:g}{close}")
    return labels


def band_probabilities(
    true_percent: float | Sequence[float] | np.ndarray,
    n: int,
    population: int | None = None,
    *,
    bands: Sequence[float] = (50, 65, 80),
    rounding: str = "half_up",
) -> pd.DataFrame:
    """Probability of each observed band, one row per true percentage.

    Columns: ``true_percent``, ``true_band`` (0-based), one column per band labelled by
    its range (``[0,50)``, ``[50,65)``, ``[65,80)``, ``[80,100]``), and ``misrating_risk``.
    Same model as :func:`misrating_risk` (exact binomial or hypergeometric sums).
    """
    pct, true_band, edges, probs = _band_matrix(true_percent, n, population, bands, rounding)
    frame = pd.DataFrame({"true_percent": pct.reshape(-1), "true_band": true_band})
    for label, col in zip(_band_labels(edges), probs.T):
        frame[label] = col
    frame["misrating_risk"] = np.clip(1 - probs[np.arange(len(frame)), true_band], 0.0, 1.0)
    return frame


# --------------------------------------------------------------------------- plan table
@dataclass(frozen=True, repr=False)
class Plan(TableResult):
    """Sample sizes for a list of populations; see :func:`plan_table`.

    ``table`` columns: population (<NA> = infinite), n0 (Cochran's infinite-population n₀,
    unrounded), n, achieved_margin (percentage points, at that n and N),
    sampling_fraction (n/N), method.
    """

    table: pd.DataFrame
    confidence_level: float
    margin: float
    p: float
    method: str
    formula: str

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _title(self) -> str:
        return (f"Plan: {self.confidence_level:.0%} confidence, ±{100 * self.margin:g} "
                f"points, p = {self.p:g}, method = {self.method}")

    def _notes(self) -> list[str]:
        return [self.formula]


def _formula(method: str, z: float, p: float, margin: float) -> str:
    if method == "cochran":
        return (f"n = ⌈N·z²pq / ((N−1)e² + z²pq)⌉ with z = {z:.4f}, p = {p:g}, e = {margin:g}; "
                f"N infinite: n = ⌈n₀⌉, n₀ = z²pq/e² (Cochran 1977, §4.4)")
    return ("n = smallest n whose exact interval (hypergeometric for finite N, "
            "Clopper–Pearson otherwise) has half-width ≤ e for the worst-case outcome")


def plan_table(
    populations: int | None | Iterable[int | None] = (None,),
    *,
    confidence_level: float = 0.8,
    margin: float = 0.05,
    p: float = 0.5,
    method: str = "cochran",
) -> Plan:
    """One row per population N (None = infinite) with the sample size :func:`sample_size`
    gives and what it achieves (Cochran 1977, §4.4; or the exact method)."""
    if populations is None or isinstance(populations, numbers.Number):
        populations = [populations]
    pops = [check_population(N) for N in populations]
    confidence_level = check_confidence_level(confidence_level)
    margin = _check_margin(margin)
    p = _check_p(p)
    method = _check_method(method)
    z = _z(confidence_level)
    n0 = _cochran_n0(z, p, margin)
    rows = []
    for N in pops:
        n = sample_size(N, confidence_level=confidence_level, margin=margin, p=p, method=method)
        e = achieved_margin(n, N, confidence_level=confidence_level, p=p, method=method)
        rows.append({"population": N, "n0": n0, "n": n, "achieved_margin": 100 * e,
                     "sampling_fraction": (n / N) if N is not None else math.nan,
                     "method": method})
    table = pd.DataFrame(rows, columns=["population", "n0", "n", "achieved_margin",
                                        "sampling_fraction", "method"])
    table["population"] = pd.array(pops, dtype="Int64")
    table["n0"] = table["n0"].astype(float)
    table["n"] = table["n"].astype(np.int64)
    table["sampling_fraction"] = table["sampling_fraction"].astype(float)
    return Plan(table=table, confidence_level=confidence_level, margin=margin, p=p,
                method=method, formula=_formula(method, z, p, margin))
