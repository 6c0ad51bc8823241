"""The planned margin of a stratified sample of a proportion, for any allocation.

For a stratified simple random sample with n_h of the N_h cases of cell h, the variance of
the stratified estimate p_st = Σ W_h p_h (W_h = N_h/N) is (Cochran 1977, §5.12, eq. 5.51)

    V(p_st) = (1/N²) Σ_h N_h² · (N_h − n_h)/(N_h − 1) · P_h Q_h / n_h,

so the planned margin at confidence 1 − α is e = z·sqrt(V). With every P_h = 0.5 this is the
worst case the inspectorate plans at; anticipated P_h per cell (a previous inspection's) give
the margin expected under them. A cell with n_h = 0 has no estimate: it is left out and
reported (the estimate then describes only the sampled cells).

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.3 (variance of the
   stratified mean) and §5.12 (stratified sampling for proportions). Wiley.
"""
from __future__ import annotations

import numpy as np

from .._utils._types import ArrayLike
from ._core import z_value

__all__ = ["stratified_margin"]


def stratified_margin(N_h: ArrayLike, n_h: ArrayLike, p_h: ArrayLike = 0.5, *,
                      confidence_level: float = 0.8) -> float:
    """Planned margin (a fraction) of the stratified estimate of a proportion.

    Parameters
    ----------
    N_h, n_h : array of int
        Population and sample size of each cell.
    p_h : float or array
        Anticipated proportion in each cell (default 0.5, the widest).
    confidence_level : float
        Two-sided confidence level (default 0.8).

    Returns
    -------
    float
        z·sqrt(Σ_h W_h² (N_h − n_h)/(N_h − 1) P_hQ_h/n_h) over the cells with n_h ≥ 1
        (W_h = N_h/N, N the population of those cells).

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.12, eq. 5.51. Wiley.

    Examples
    --------
    >>> round(stratified_margin([500, 500], [50, 50]), 5)  # close to an SRS of 100 from 1,000 (0.06082)
    0.06085
    """
    N_h = np.asarray(N_h, dtype=float)
    n_h = np.asarray(n_h, dtype=float)
    p = np.broadcast_to(np.asarray(p_h, dtype=float), N_h.shape)
    keep = n_h > 0
    N_h, n_h, p = N_h[keep], n_h[keep], p[keep]
    N = N_h.sum()
    if N <= 0:
        return float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        fpc = np.where(N_h > 1, (N_h - n_h) / (N_h - 1), 0.0)
    v = float(np.sum((N_h / N) ** 2 * fpc * p * (1 - p) / n_h))
    return z_value(confidence_level) * float(np.sqrt(max(v, 0.0)))
