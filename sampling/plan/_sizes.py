"""How many cases to inspect (:func:`sample_size`) and what margin a sample gives
(:func:`achieved_margin`): Cochran's formula with the finite population correction, or
exact intervals.

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4. Wiley.
.. [2] Buonaccorsi, J. P. (1987). A note on confidence intervals for proportions in finite
   populations. *The American Statistician* 41, 215–218.
"""
from __future__ import annotations



from .._utils._checks import check_confidence_level, check_population
from ._core import check_margin, check_n, check_p, check_plan_method, cochran_margin, cochran_size, z_value
from ._exact import exact_halfwidth, exact_n

__all__ = ["sample_size", "achieved_margin"]


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

    Parameters
    ----------
    population : int or None
        Eligible population N (None: infinite).
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
    int
        The number of cases to inspect, 1 ≤ n ≤ N.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4. Wiley.
    .. [2] Buonaccorsi, J. P. (1987). A note on confidence intervals for proportions in finite
       populations. *The American Statistician* 41, 215–218.
    .. [3] Wendell, J. P. & Schmee, J. (2001). Likelihood confidence intervals for proportions in
       finite populations. *JASA* 96, 775–783.

    Examples
    --------
    >>> sample_size(), sample_size(668), sample_size(79), sample_size(56)
    (165, 132, 54, 42)
    """
    population = check_population(population)
    confidence_level = check_confidence_level(confidence_level)
    margin = check_margin(margin)
    p = check_p(p)
    method = check_plan_method(method)
    if method == "exact":
        return exact_n(population, confidence_level, margin, p)
    return cochran_size(z_value(confidence_level), p, margin, population)



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

    Parameters
    ----------
    n : int
        Cases inspected.
    population : int or None
        Eligible population N (None: infinite).
    confidence_level : float
        Two-sided confidence level in (0, 1) (default 0.8, the inspectorate's).
    p : float
        Planning value of the proportion (0.5, the worst case, by default).
    method : {"cochran", "exact"}
        Cochran's normal approximation with the finite population correction, or exact intervals.

    Returns
    -------
    float
        The margin as a fraction.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4. Wiley.
    .. [2] Buonaccorsi, J. P. (1987). A note on confidence intervals for proportions in finite
       populations. *The American Statistician* 41, 215–218.

    Examples
    --------
    >>> import sampling
    >>> round(sampling.achieved_margin(132, 668), 4)
    0.05
    >>> round(sampling.achieved_margin(132), 4)
    0.0558
    """
    population = check_population(population)
    n = check_n(n, population)
    confidence_level = check_confidence_level(confidence_level)
    p = check_p(p)
    method = check_plan_method(method)
    if method == "exact":
        return exact_halfwidth(n, population, confidence_level, p)
    return cochran_margin(n, population, z_value(confidence_level), p)

