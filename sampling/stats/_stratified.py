"""A finite-population interval for a stratified sample whose stratum populations N_h are known.

Stratum cell h holds N_h cases, n_h of them sampled (a simple random sample without
replacement within the cell) and x_h of those "yes". The population's yes count is
T = Σ_h (x_h + U_h), U_h the yes count among the cell's M_h = N_h − n_h unseen cases. Under
the Pólya posterior (Ghosh & Meeden 1997, ch. 2; Lo 1988) the unseen cases of each cell are
drawn from an urn seeded with the cell's sampled cases, independently across cells, so

    U_h ~ BetaBinomial(M_h, x_h + a, n_h − x_h + a),

with a = 0 (``posterior="polya"``, the urn itself) or a = ½ (``"jeffreys"``, a Beta(½, ½)
prior on each cell's rate; Brown, Cai & DasGupta 2001 for the binomial analogue). With a = 0
its mean is Σ_h N_h x_h / n_h, the design-weighted (stratified) estimate of the count: it is
the distribution the Monte Carlo urn of :mod:`sampling.estimation._posterior` samples, here
computed *exactly* by convolving the per-cell distributions
(:func:`stratified_count_distribution`).

**Matched to the design variance** (``"matched"``, the default). The Pólya posterior of a
cell's unseen count U has variance M p̂(1 − p̂)(n + M)/(n + 1), p̂ = x/n, while the
design-based variance of the cell's estimated count N p̂ is N(N − n) S²/n (Cochran 1977,
§5.2): the urn's is n/(n + 1) of it with the plug-in S² = p̂(1 − p̂), and (n − 1)/(n + 1)
with the unbiased S² = n p̂(1 − p̂)/(n − 1) — half in a cell of three sampled cases — which is
why the plain urn undercovers when cells are small. The matched posterior keeps the urn's beta-binomial form
and mean, BetaBinomial(M, p̂ s, (1 − p̂) s), its concentration s chosen so that its variance
M p̂(1 − p̂)(s + M)/(s + 1) equals the design-based one:

* ``"matched"``: S² = p̂(1 − p̂) (the plug-in, as the Wald and Wilson intervals take
  p̂(1 − p̂)/n), s = n − 1 − n/M (about n − 1 when M is large);
* ``"matched-unbiased"``: S² = n p̂(1 − p̂)/(n − 1) (the unbiased estimate, R ``survey``'s),
  s = (n(M − 1) − 2M)/(M + 1) (about n − 2).

s is at least 1, so a cell of one or two cases stays a proper distribution (with M = 1 the
count is Bernoulli(p̂) whatever s). The total is still the exact convolution, so its variance
is the stratified estimator's, Σ_h N_h(N_h − n_h) S_h²/n_h, and its shape the discrete,
skewed, bounded one of the cells' unseen counts: Korn & Graubard's moment matching (a
binomial whose variance is the design's), on the finite-population count. The choice between
them and the plain urn is the simulation's (``benchmarks/stratified_fpc.py``; the statistics
guide).

Cells where the urn is certain (x_h = 0 or x_h = n_h, with a = 0 or matched: the design
variance is zero) would put every unseen case of the cell on one side; there the Jeffreys
a = ½ is used for that cell, as the aggregate posterior does. A census cell (M_h = 0)
contributes its count and no uncertainty.
The limits are then widened, where needed, to hold the stratified estimate Σ N_h x_h/n_h and,
while any case is unseen, to at least one count (no false certainty): the interval has zero
width only for a census of every cell.

The convolution is exact (each cell's beta-binomial probabilities by the ratio of successive
terms, in logarithms, numpy only; products of cells by direct convolution, or by FFT for long
supports); tails below 1e-15 are trimmed before convolving. Its cost grows with the unseen
cases Σ_h (N_h − n_h): about 3 ms for 16 cells of N = 808, 5 ms at N = 11,500, 0.3 s at
N = 800,000.

References
----------
.. [1] Ghosh, M. & Meeden, G. (1997). *Bayesian Methods for Finite Population Sampling*,
   ch. 2 (the Pólya posterior) and §2.6 (stratified populations). Chapman & Hall.
.. [2] Lo, A. Y. (1988). A Bayesian bootstrap for a finite population. *Annals of
   Statistics* 16, 1684–1695.
.. [3] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
   proportion. *Statistical Science* 16(2), 101–133 (the Jeffreys interval).
.. [4] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.2 (the variance of the
   stratified estimate). Wiley.
.. [5] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
   expected number of positive counts estimated from survey data. *Survey Methodology* 24,
   193–201.
.. [6] Lancaster, H. O. (1961). Significance tests in discrete distributions. *JASA* 56,
   223–234.
.. [7] Agresti, A. & Gottard, A. (2007). Nonconservative exact small-sample inference for
   discrete data. *Computational Statistics & Data Analysis* 51, 6447–6458.
"""
from __future__ import annotations

import numpy as np

from .._utils._checks import MAX_CASES, check_confidence_level
from .._utils._types import ArrayLike
from ..errors import ArgumentError

__all__ = ["stratified_count_distribution", "stratified_count_interval", "stratified_proportion_interval",
           "POSTERIORS", "count_limits", "checked_cells", "matched_concentration", "betabinom_pmf"]

#: The per-cell posteriors: matched to the design variance (plug-in, the default, or unbiased),
#: the Pólya urn (a = 0) or Jeffreys (a = ½ added to each side).
POSTERIORS = ("matched", "matched-unbiased", "polya", "jeffreys")
_TRIM = 1e-15
_FFT_AT = 200_000  # length product above which two supports are convolved by FFT


def checked_cells(yes, n, population):
    """Integer per-cell arrays (x, n, N), checked (typed errors)."""
    try:
        x, m, N = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (yes, n, population))
    except (TypeError, ValueError):
        raise ArgumentError("yes", yes, "must be numbers, one per stratum cell") from None
    if not (x.ndim == m.ndim == N.ndim == 1) or not (len(x) == len(m) == len(N)):
        raise ArgumentError("population", np.shape(population),
                            f"must give one N_h per stratum cell, as yes and n do (shapes {np.shape(yes)}, "
                            f"{np.shape(n)})")
    if len(x) == 0:
        raise ArgumentError("n", n, "must list at least one stratum cell")
    if (~np.isfinite(N) | (N != np.round(N)) | (N < 0)).any() or (N > MAX_CASES).any():
        raise ArgumentError("population", population, f"must be whole numbers N_h ≥ 0 (at most {MAX_CASES:,})")
    if (~np.isfinite(m) | (m != np.round(m)) | (m < 0)).any():
        raise ArgumentError("n", n, "must be whole numbers n_h ≥ 0")
    if (m > N).any():
        raise ArgumentError("n", n, "must not exceed the cell's population (n_h ≤ N_h)")
    if ((m == 0) & (N > 0)).any():
        raise ArgumentError("n", n, "must be ≥ 1 in every cell with cases (N_h > 0): a cell without a "
                                    "sampled case says nothing about its unseen cases")
    if (~np.isfinite(x) | (x != np.round(x)) | (x < 0) | (x > m)).any():
        raise ArgumentError("yes", yes, "must be whole numbers between 0 and the cell's n_h")
    if N.sum() < 1:
        raise ArgumentError("population", population, "must hold at least one case (Σ N_h ≥ 1)")
    return x.astype(np.int64), m.astype(np.int64), N.astype(np.int64)


def _posterior(posterior) -> str:
    key = posterior.strip().casefold() if isinstance(posterior, str) else posterior
    if key not in POSTERIORS:
        raise ArgumentError("posterior", posterior, f"must be one of: {', '.join(POSTERIORS)}")
    return key


def matched_concentration(n: int, M: int, unbiased: bool = False) -> float:
    """The concentration s of a cell's design-matched beta-binomial (n sampled, M unseen):
    n − 1 − n/M for the plug-in variance, (n(M − 1) − 2M)/(M + 1) with ``unbiased``; at least
    1 (n for M ≤ 1, where it does not matter).

    >>> matched_concentration(10, 50), round(matched_concentration(10, 50, unbiased=True), 3)
    (8.8, 7.647)
    """
    if M <= 1:
        return float(n)
    s = (n * (M - 1) - 2 * M) / (M + 1) if unbiased else n - 1 - n / M
    return float(max(s, 1.0))


def betabinom_pmf(M: int, alpha: float, beta: float) -> np.ndarray:
    """P(U = 0…M), U ~ BetaBinomial(M, α, β), α, β > 0, from the ratio of successive terms
    p(k+1)/p(k) = (M − k)(k + α) / ((k + 1)(M − k − 1 + β)), summed in logarithms and
    normalised (numpy only; agrees with ``scipy.stats.betabinom`` to rounding)."""
    if M == 0:
        return np.ones(1)
    k = np.arange(M, dtype=float)
    logr = np.log(M - k) + np.log(k + alpha) - np.log(k + 1) - np.log(M - k - 1 + beta)
    logp = np.concatenate([[0.0], np.cumsum(logr)])
    p = np.exp(logp - logp.max())
    return p / p.sum()


def _trimmed(p: np.ndarray) -> tuple[int, np.ndarray]:
    """(offset, p[offset:end]) dropping tails whose total is below the trim level."""
    c = np.cumsum(p)
    lo = int(np.searchsorted(c, _TRIM / 2))
    hi = int(np.searchsorted(c, c[-1] - _TRIM / 2)) + 1
    return lo, p[lo:max(hi, lo + 1)]


def _convolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) * len(b) <= _FFT_AT or min(len(a), len(b)) < 64:
        return np.convolve(a, b)
    size = len(a) + len(b) - 1
    out = np.fft.irfft(np.fft.rfft(a, size) * np.fft.rfft(b, size), size)
    out = np.clip(out, 0.0, None)
    return out / out.sum()


def _cell_distribution(x: int, n: int, N: int, posterior: str) -> tuple[int, np.ndarray]:
    """(offset, pmf) of one cell's unseen yes count U_h (offset: the first value kept)."""
    M = N - n
    if M == 0:
        return 0, np.ones(1)
    if x in (0, n):  # a unanimous cell: the urn (and the design variance) is certain; Jeffreys there
        alpha, beta = x + 0.5, n - x + 0.5
    elif posterior.startswith("matched"):
        s = matched_concentration(n, M, unbiased=posterior == "matched-unbiased")
        alpha, beta = x * s / n, (n - x) * s / n
    else:
        a = 0.5 if posterior == "jeffreys" else 0.0
        alpha, beta = x + a, n - x + a
    return _trimmed(betabinom_pmf(M, alpha, beta))


def stratified_count_distribution(yes, n, population, *, posterior: str = "matched") -> tuple[int, np.ndarray]:
    """The posterior distribution of the population's yes count T = Σ_h (x_h + U_h).

    Parameters
    ----------
    yes, n, population : array of int, one per stratum cell
        x_h, n_h and N_h (0 ≤ x_h ≤ n_h ≤ N_h; n_h ≥ 1 where N_h ≥ 1).
    posterior : {"matched", "matched-unbiased", "polya", "jeffreys"}
        Each cell's unseen count: the beta-binomial matched to the design variance with the
        plug-in (default) or the unbiased variance estimate, the Pólya urn's
        BetaBinomial(M_h, x_h, n_h − x_h), or Jeffreys' with ½ added to each side; a
        unanimous cell takes Jeffreys' under the first three.

    Returns
    -------
    (start, pmf)
        P(T = start + i) = pmf[i]; values outside carry less than 1e-15 in all.

    References
    ----------
    .. [1] Ghosh, M. & Meeden, G. (1997). *Bayesian Methods for Finite Population Sampling*,
       ch. 2. Chapman & Hall.

    >>> start, pmf = stratified_count_distribution([3], [4], [6], posterior="polya")
    >>> start, [round(float(p), 4) for p in pmf]
    (3, [0.1, 0.3, 0.6])
    """
    x, m, N = checked_cells(yes, n, population)
    posterior = _posterior(posterior)
    start, pmf = int(x.sum()), np.ones(1)
    order = np.argsort(N - m)  # short supports first
    for h in order:
        off, p = _cell_distribution(int(x[h]), int(m[h]), int(N[h]), posterior)
        start += off
        pmf = _convolve(pmf, p)
        trim, pmf = _trimmed(pmf)
        start += trim
    return start, pmf / pmf.sum()


def _quantiles(start: int, pmf: np.ndarray, alpha: float, mid: bool) -> tuple[int, int]:
    """Equal-tailed: L = min{t : P(T ≤ t) ≥ α/2}, H = min{t : P(T ≤ t) ≥ 1 − α/2}. Mid: L the
    smallest t with P(T < t) + ½P(T = t) ≥ α/2, H the largest with P(T > t) + ½P(T = t) ≥ α/2
    (the same rule from each end; H ≥ L)."""
    c = np.cumsum(pmf)
    last = len(pmf) - 1
    if not mid:
        low = int(np.searchsorted(c, alpha / 2 - 1e-12))
        high = int(np.searchsorted(c, 1 - alpha / 2 - 1e-12))
        return start + min(low, last), start + min(high, last)
    f = c - pmf / 2
    low = min(int(np.searchsorted(f, alpha / 2 - 1e-12)), last)
    high = int(np.searchsorted(f, 1 - alpha / 2 + 1e-12, side="right")) - 1
    return start + low, start + max(high, low)


def stratified_count_interval(yes: ArrayLike, n: ArrayLike, population: ArrayLike, *,
                              confidence_level: float = 0.8, posterior: str = "matched",
                              midquantile: bool = True) -> tuple[int, int]:
    """Limits (T_L, T_U) on the population's yes count from a stratified sample with known N_h.

    Quantiles (mid-quantiles by default) of the stratified posterior of T = Σ_h (x_h + U_h),
    each cell's unseen count beta-binomial and matched to the design variance by default (see
    the module notes), widened where needed to hold the stratified estimate Σ_h N_h x_h / n_h
    and, while any case is unseen, to at least one count.

    Parameters
    ----------
    yes, n, population : array of int, one per stratum cell
        x_h yes of n_h sampled cases in each cell of N_h (a census cell has n_h = N_h).
    confidence_level : float
        Two-sided, in (0, 1); default 0.8.
    posterior : {"matched", "matched-unbiased", "polya", "jeffreys"}
        Each cell's posterior (see :func:`stratified_count_distribution`); default matched to
        the design variance.
    midquantile : bool
        Mid-quantile limits, each tail counting half the probability of the limit itself
        (mid-p-like; default), instead of the equal-tailed quantiles.

    Returns
    -------
    (low, high) : int

    References
    ----------
    .. [1] Ghosh, M. & Meeden, G. (1997). *Bayesian Methods for Finite Population Sampling*,
       ch. 2. Chapman & Hall.
    .. [2] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
       proportion. *Statistical Science* 16(2), 101–133.
    .. [3] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.2. Wiley.
    .. [4] Lancaster, H. O. (1961). Significance tests in discrete distributions. *JASA* 56,
       223–234.

    >>> stratified_count_interval([9, 5], [12, 10], [20, 30])
    (25, 35)

    Examples
    --------
    >>> import sampling
    >>> sampling.stratified_count_interval([9, 5, 3], [12, 10, 4], [20, 30, 12])
    (33, 45)
    >>> sampling.stratified_count_interval([9, 5, 3], [12, 10, 4], [20, 30, 12], posterior="polya")
    (34, 44)
    """
    alpha = 1 - check_confidence_level(confidence_level)
    x, m, N = checked_cells(yes, n, population)
    start, pmf = stratified_count_distribution(x, m, N, posterior=posterior)
    return count_limits(start, pmf, x, m, N, alpha, bool(midquantile))


def count_limits(start: int, pmf: np.ndarray, x: np.ndarray, m: np.ndarray, N: np.ndarray, alpha: float,
                 mid: bool) -> tuple[int, int]:
    """The limits of :func:`stratified_count_interval` from the distribution of T (checked
    cells x, m, N): its quantiles, widened to hold the estimate and one count."""
    low, high = _quantiles(start, pmf, alpha, mid)
    live = N > 0
    est = float(np.sum(N[live] * x[live] / m[live]))
    low, high = min(low, int(np.floor(est + 1e-9))), max(high, int(np.ceil(est - 1e-9)))
    lowest, highest = int(x.sum()), int(x.sum() + (N - m).sum())
    if low == high and highest > lowest:
        low, high = (low, high + 1) if high < highest else (low - 1, high)
    return low, high


def stratified_proportion_interval(yes: ArrayLike, n: ArrayLike, population: ArrayLike, *,
                                   confidence_level: float = 0.8, posterior: str = "matched",
                                   midquantile: bool = True) -> tuple[float, float]:
    """The population proportion's interval from a stratified sample with known N_h:
    (T_L/N, T_U/N), N = Σ N_h, the limits of :func:`stratified_count_interval`.

    Parameters
    ----------
    yes, n, population : array of int, one per stratum cell
        x_h yes of n_h sampled cases in each cell of N_h (a census cell has n_h = N_h).
    confidence_level : float
        Two-sided, in (0, 1); default 0.8.
    posterior : {"matched", "matched-unbiased", "polya", "jeffreys"}
        Each cell's posterior (see :func:`stratified_count_distribution`); default matched to
        the design variance.
    midquantile : bool
        Mid-quantile limits (default) instead of equal-tailed ones.

    Returns
    -------
    (low, high) : float
        In [0, 1].

    References
    ----------
    .. [1] Ghosh, M. & Meeden, G. (1997). *Bayesian Methods for Finite Population Sampling*,
       ch. 2. Chapman & Hall.

    Examples
    --------
    >>> import sampling
    >>> low, high = sampling.stratified_proportion_interval([9, 5], [12, 10], [20, 30])
    >>> round(low, 2), round(high, 2)
    (0.5, 0.7)
    """
    low, high = stratified_count_interval(yes, n, population, confidence_level=confidence_level, posterior=posterior,
                                          midquantile=midquantile)
    total = float(np.sum(np.atleast_1d(np.asarray(population, dtype=float))))
    return low / total, high / total
