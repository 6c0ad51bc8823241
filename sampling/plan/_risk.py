"""Misrating risk: the exact probability that a sample puts a key question in each rating
band (binomial, or hypergeometric with a finite population).

References
----------
.. [1] Johnson, N. L., Kemp, A. W. & Kotz, S. (2005). *Univariate Discrete Distributions*,
   3rd ed., ch. 3 (binomial) and ch. 6 (hypergeometric). Wiley.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._utils._checks import check_population
from ..stats._dist import binom_pmf_table, hypergeom_pmf_table
from .._utils._methods import ROUNDINGS
from ..errors import ArgumentError
from ._core import check_n

__all__ = ['check_bands', 'check_percent', 'observed_percent', 'misrating_risk', 'band_probabilities']

def check_bands(bands: Any) -> np.ndarray:
    try:
        edges = np.asarray(bands, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError("bands", bands, "must be increasing numbers in (0, 100]") from None
    if (edges.ndim != 1 or edges.size == 0 or not np.all(np.isfinite(edges))
            or np.any(np.diff(edges) <= 0) or edges[0] <= 0 or edges[-1] > 100):
        raise ArgumentError("bands", bands, "must be increasing numbers in (0, 100]")
    return edges


def check_percent(true_percent: Any) -> np.ndarray:
    try:
        arr = np.asarray(true_percent, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError("true_percent", true_percent, "must be numbers in [0, 100]") from None
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 100)
    if bad.any() or isinstance(true_percent, bool):
        value = true_percent if arr.ndim == 0 else arr[bad].tolist()
        raise ArgumentError("true_percent", value, "must be numbers in [0, 100]")
    return arr


def observed_percent(x: np.ndarray, n: int, rounding: str) -> np.ndarray:
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
    n = check_n(n, population)
    edges = check_bands(bands)
    if rounding not in ROUNDINGS:
        raise ArgumentError("rounding", rounding, f"must be one of {', '.join(ROUNDINGS)}")
    pct = check_percent(true_percent)
    flat = pct.reshape(-1)
    x = np.arange(n + 1)
    # the pmf over x = 0..n from log factorials in numpy (to ~1e-12 of scipy's; no scipy import)
    if population is None:
        pmf = binom_pmf_table(n, flat / 100)
    else:
        M = np.floor(flat / 100 * population + 0.5).astype(np.int64)  # half up
        pmf = hypergeom_pmf_table(population, M, n)
    obs_band = np.searchsorted(edges, observed_percent(x, n, rounding), side="right")
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

    Parameters
    ----------
    true_percent : float or array
        True population % yes (0–100).
    n : int
        Sample size.
    population : int or None
        Eligible population N (None: binomial, sampling with replacement).
    bands : sequence of float
        Lower edges of the bands after the first (default 50, 65, 80).
    rounding : {"half_up", "half_even", "none"}
        How the observed percentage is rounded before banding.

    Returns
    -------
    float or ndarray
        The probability of the wrong band, shaped like ``true_percent``.

    References
    ----------
    .. [1] Johnson, N. L., Kemp, A. W. & Kotz, S. (2005). *Univariate Discrete Distributions*,
       3rd ed., ch. 3 and 6 (binomial and hypergeometric). Wiley.

    Examples
    --------
    >>> import sampling
    >>> round(float(sampling.misrating_risk(67.0, 132, 668)), 3)
    0.265
    >>> round(float(sampling.misrating_risk(90.0, 132, 668)), 3)
    0.0
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

    Parameters
    ----------
    true_percent : float or array
        True population % yes (0–100).
    n : int
        Sample size.
    population : int or None
        Eligible population N (None: binomial, sampling with replacement).
    bands : sequence of float
        Lower edges of the bands after the first (default 50, 65, 80).
    rounding : {"half_up", "half_even", "none"}
        How the observed percentage is rounded before banding.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import sampling
    >>> table = sampling.band_probabilities(67.0, 132, 668)
    >>> table.round(3)
       true_percent  true_band  [0,50)  [50,65)  [65,80)  [80,100]  misrating_risk
    0          67.0          2     0.0    0.264    0.735       0.0           0.265
    """
    pct, true_band, edges, probs = _band_matrix(true_percent, n, population, bands, rounding)
    frame = pd.DataFrame({"true_percent": pct.reshape(-1), "true_band": true_band})
    for label, col in zip(_band_labels(edges), probs.T):
        frame[label] = col
    frame["misrating_risk"] = np.clip(1 - probs[np.arange(len(frame)), true_band], 0.0, 1.0)
    return frame


# --------------------------------------------------------------------------- plan table
