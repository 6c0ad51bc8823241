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
from typing import Any, Iterable, cast

import numpy as np
import pandas as pd

from .._utils._checks import check_confidence_level, check_count, check_fraction, check_population
from .._utils._display import TableResult
from ..errors import ArgumentError
from ._core import METHODS, ceil_whole, check_margin, check_n, check_p, check_plan_method, cochran_margin, cochran_n0, cochran_size, z_value
from ._sizes import achieved_margin, sample_size
from ._risk import misrating_risk, band_probabilities

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
        if self.low is None or not isinstance(population, numbers.Integral):  # empty, or not a count
            return False
        return int(population) >= self.low and (self.high is None or int(population) <= self.high)

    def as_range(self) -> range:
        """``range(low, high + 1)``; empty when no N gives n. Raises if unbounded."""
        if self.low is None:  # empty
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

    Parameters
    ----------
    n : int
        A published sample size.
    confidence_level : float
        Two-sided confidence level in (0, 1) (default 0.8, the inspectorate's).
    margin : float
        Margin of error as a fraction (0.05 = five percentage points).
    p : float
        Planning value of the proportion (0.5, the worst case, by default).
    method : {"cochran"}
        Only Cochran's size is monotone in N.

    Returns
    -------
    ImpliedPopulation
        ``low``, ``high`` (None: unbounded), ``empty``, and a message.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4. Wiley.

    >>> r = implied_population(132); (r.low, r.high)
    (644, 668)

    Examples
    --------
    >>> import sampling
    >>> implied = sampling.implied_population(132)
    >>> implied.low, implied.high
    (644, 668)
    """
    n = check_count(n, "n", minimum=1)
    confidence_level = check_confidence_level(confidence_level)
    margin = check_margin(margin)
    p = check_p(p)
    method = check_plan_method(method)
    if method != "cochran":
        raise ArgumentError("method", method, (
            "implied_population supports only 'cochran': the exact sample size is not "
            "monotone in N (N=79 needs 58 cases, N=80 only 55), so the N giving n need not "
            "form a range"))
    kw: dict[str, Any] = dict(confidence_level=confidence_level, margin=margin, p=p, method=method)

    def size(N: int | None) -> int:
        return sample_size(N, **kw)

    n_inf = size(None)
    common: dict[str, Any] = dict(n=n, confidence_level=confidence_level, margin=margin, p=p, method=method)
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
               f"(n₀ = {cochran_n0(z_value(confidence_level), p, margin):.2f})")
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

    Parameters
    ----------
    n : int, optional
        Cases drawn (default: ``sample_size(population)``).
    population : int or None
        Eligible population N.
    share : float
        Share r in (0, 1] of cases the key questions apply to.
    confidence_level : float
        Two-sided confidence level in (0, 1) (default 0.8, the inspectorate's).
    margin : float
        Margin of error as a fraction (0.05 = five percentage points).
    p : float
        Planning value of the proportion (0.5, the worst case, by default).

    Returns
    -------
    SubsamplePlan

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §2.12–2.13 (domains), §4.4. Wiley.

    Examples
    --------
    >>> import sampling
    >>> plan = sampling.subsample_plan(132, 668, share=0.5)
    >>> plan.to_frame().columns.tolist()[:4]
    ['population', 'n', 'share', 'expected_subsample']
    """
    population = check_population(population)
    share = check_fraction(share, "share", high_open=False)
    confidence_level = check_confidence_level(confidence_level)
    margin = check_margin(margin)
    p = check_p(p)
    if n is None:
        n = sample_size(population, confidence_level=confidence_level, margin=margin, p=p)
    n = check_n(n, population)
    z = z_value(confidence_level)
    m = share * n
    sub_pop = None if population is None else share * population
    sub_margin = cochran_margin(m, sub_pop, z, p) if m > 0 else math.inf
    m_needed = cochran_size(z, p, margin, sub_pop)
    n_needed = max(1, ceil_whole(m_needed / share))
    if population is not None:
        n_needed = min(n_needed, population)
    return SubsamplePlan(n=n, population=population, share=share,
                         confidence_level=confidence_level, margin=margin, p=p,
                         expected_subsample=m, subpopulation=sub_pop,
                         subsample_margin=sub_margin, subsample_needed=m_needed,
                         n_needed=n_needed)


# --------------------------------------------------------------------------- table
@dataclass(frozen=True, repr=False)
class Plan(TableResult):
    """Sample sizes for a list of populations; see :func:`plan_table`.

    Attributes
    ----------
    table : DataFrame
        One row per population: population (<NA> = infinite), n0 (Cochran's
        infinite-population n₀, unrounded), n, achieved_margin (percentage points, at that n
        and N), sampling_fraction (n/N), method.
    confidence_level : float
        The planning confidence level, e.g. 0.8.
    margin : float
        The planned margin, a fraction (0.05 = five points).
    p : float
        The planning proportion (0.5, the worst case, by default).
    method : str
        ``"cochran"`` (normal approximation with the finite population correction) or
        ``"exact"``.
    formula : str
        The formula used, in words, for the methodology annex.
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
    gives and what it achieves (Cochran 1977, §4.4; or the exact method).

    Parameters
    ----------
    populations : int, None or iterable of them
        One row per population N (None: infinite).
    confidence_level : float
        Two-sided confidence level in (0, 1) (default 0.8, the inspectorate's).
    margin : float
        Margin of error as a fraction (0.05 = five percentage points).
    p : float
        Planning value of the proportion (0.5, the worst case, by default).
    method : {"cochran", "exact"}
        Cochran's normal approximation with the finite population correction, or exact intervals.

    Returns
    -------
    Plan
        ``to_frame()``: population, n0, n, achieved_margin, sampling_fraction, method.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4. Wiley.

    Examples
    --------
    >>> import sampling
    >>> sampling.plan_table([None, 668, 79, 56]).to_frame()["n"].tolist()
    [165, 132, 54, 42]
    """
    one = populations is None or isinstance(populations, numbers.Number)
    # not one number: an iterable of them
    pops = [check_population(N) for N in ([populations] if one else cast("Iterable[int | None]", populations))]
    confidence_level = check_confidence_level(confidence_level)
    margin = check_margin(margin)
    p = check_p(p)
    method = check_plan_method(method)
    z = z_value(confidence_level)
    n0 = cochran_n0(z, p, margin)
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
