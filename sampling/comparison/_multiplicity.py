"""Multiplicity in a comparison: over k key questions some look "beyond noise" by chance
alone, about k × (1 − confidence) of them; Holm's or Bonferroni's adjustment controls the
chance of any such false alarm (the family-wise error rate).

Each key question's p-value is the interval's own: the smallest α at which the
(1 − α) Newcombe interval (design-weighted when the comparison is) of the difference excludes 0 (found by bisection; the intervals
are nested in α). Bonferroni flags a question when p ≤ α/k; Holm (1979) steps down through
the ordered p-values, p_(j) ≤ α/(k − j + 1).

References
----------
.. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
   *Scandinavian Journal of Statistics* 6, 65–70.
.. [2] Newcombe, R. G. (1998). Interval estimation for the difference between independent
   proportions. *Statistics in Medicine* 17, 873–890.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ._compare import mover_difference

__all__ = ["ADJUSTMENTS", "interval_p_values", "adjust_beyond_noise", "multiplicity_note"]

#: the adjustments ``compare --adjust`` offers
ADJUSTMENTS = ("none", "holm", "bonferroni")


def _excludes_zero(t: pd.DataFrame, alpha: np.ndarray) -> np.ndarray:
    """Whether each row's (1 − α) interval excludes 0: the comparison's own interval (design-
    weighted where it was), recomputed at that level."""
    out = np.zeros(len(t), dtype=bool)
    for i, a in enumerate(alpha):
        _, lo, hi = mover_difference(t.iloc[[i]], 1.0 - float(a))
        out[i] = bool(lo[0] > 0) or bool(hi[0] < 0)
    return out


def interval_p_values(key_questions: pd.DataFrame, iterations: int = 40) -> np.ndarray:
    """Per row of a comparison's key-question table, the smallest α whose (1 − α) interval
    of the difference excludes 0 (1 when none below 1 does), to about 1e-12 relative."""
    t = key_questions
    lo = np.full(len(t), 1e-15)
    hi = np.full(len(t), 1.0 - 1e-9)
    never = ~_excludes_zero(t, hi)
    for _ in range(iterations):          # bisection on log α: the interval widens as α falls
        mid = np.sqrt(lo * hi)
        ex = _excludes_zero(t, mid)
        hi = np.where(ex, mid, hi)
        lo = np.where(ex, lo, mid)
    return np.where(never, 1.0, hi)


def adjust_beyond_noise(comparison: Any, adjust: str = "holm") -> pd.DataFrame:
    """Which key questions stay beyond noise after adjusting for k comparisons.

    Returns
    -------
    DataFrame
        ``key_question``, ``p_value`` (interval-inverted) and ``beyond_noise_adjusted``.
    """
    if adjust not in ADJUSTMENTS:
        raise ArgumentError("adjust", adjust, "one of " + ", ".join(ADJUSTMENTS))
    t = comparison.key_questions
    alpha, k = 1.0 - float(comparison.confidence_level), len(t)
    if adjust == "none":
        return pd.DataFrame({"key_question": t["key_question"], "p_value": np.nan,
                             "beyond_noise_adjusted": t["changed_beyond_noise"].to_numpy()})
    p = interval_p_values(t)
    if adjust == "bonferroni":
        keep = p <= alpha / k
    else:
        order = np.argsort(p, kind="stable")
        ok = p[order] <= alpha / (k - np.arange(k))
        stop = int(np.argmin(ok)) if not ok.all() else k
        keep = np.zeros(k, dtype=bool)
        keep[order[:stop]] = True
    return pd.DataFrame({"key_question": t["key_question"].to_numpy(), "p_value": p, "beyond_noise_adjusted": keep})


def multiplicity_note(comparison: Any, adjust: str = "none", adjusted: pd.DataFrame | None = None) -> str:
    """The plain statement: how many of k key questions would look beyond noise by chance alone."""
    t = comparison.key_questions
    k, cl = len(t), float(comparison.confidence_level)
    flagged = int(t["changed_beyond_noise"].sum())
    text = (f"Multiplicity: at {cl:.0%} confidence about {k}×{1 - cl:.2g} = {k * (1 - cl):.1f} of {k} key "
            f"questions would look beyond noise by chance alone, even with no real change; {flagged} "
            f"{'does' if flagged == 1 else 'do'}.")
    if adjust == "none" or adjusted is None:
        return text + f" Not adjusted: Holm's or Bonferroni's adjustment keeps the chance of any false alarm at {1 - cl:.0%}."
    kept = int(adjusted["beyond_noise_adjusted"].sum())
    name = {"holm": "Holm's", "bonferroni": "Bonferroni's"}[adjust]
    return text + (f" With {name} adjustment over the {k} questions (chance of any false alarm "
                   f"{1 - cl:.0%}), {kept} {'stays' if kept == 1 else 'stay'} beyond noise.")
