"""The allocation rules other than the proportional default (see :func:`sampling.allocate`):
Neyman and equal allocation, a minimum per cell, cells capped at N_h with the excess
re-allocated, and the anticipated proportions a Neyman allocation needs.

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.5 (optimum allocation),
   §5.9 (n_h > N_h), §5.12 (proportions), §5A.3 (more than one item). Wiley.
.. [2] SAS Institute. *SAS/STAT User's Guide: The SURVEYSELECT Procedure*, ``ALLOC=`` option.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ArgumentError, DataError

__all__ = ["ALLOCATIONS", "RULE_WORDS", "check_allocation", "check_min_per_cell", "bounded_targets", "bounded_round",
           "resolve_anticipated"]

#: the allocation rules (SAS SURVEYSELECT ALLOC=PROP | NEYMAN, and equal sizes)
ALLOCATIONS = ("proportional", "neyman", "equal")
#: each allocation rule in words: how the cases are shared between the stratum cells
RULE_WORDS = {"proportional": "in proportion to each stratum cell's size",
              "neyman": "by Neyman allocation (more cases where answers are anticipated to vary most)",
              "equal": "equally between the stratum cells (the same number in every cell)"}


def _resolve_strata(columns: Sequence[Any] | pd.Index, strata: Sequence[str]) -> tuple[str, ...]:
    lower: dict[str, Any] = {}
    for c in columns:
        lower.setdefault(str(c).strip().lower(), c)
    return tuple(s if s in columns else lower.get(s.lower(), s) for s in strata)


def check_allocation(rule: Any, name: str = "allocation") -> str:
    """One of :data:`ALLOCATIONS` (case-insensitive)."""
    text = rule.strip().lower() if isinstance(rule, str) else rule
    if text not in ALLOCATIONS:
        raise ArgumentError(name, rule, "must be one of " + ", ".join(ALLOCATIONS))
    return text


def check_min_per_cell(k: Any, n: int | None = None, N_h: np.ndarray | None = None,
                       name: str = "min_per_cell") -> int:
    """A whole number ≥ 0; with ``n`` and ``N_h``, Σ_h min(k, N_h) must fit in n."""
    if k is None:
        return 0
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ArgumentError(name, k, "must be a whole number of cases, 0 or more")
    k = int(k)
    if n is not None and N_h is not None and k:
        need = int(np.minimum(k, np.asarray(N_h, dtype=np.int64)).sum())
        if need > n:
            raise ArgumentError(name, k, f"is too large for a sample of {n}: {len(N_h)} cells at {k} each "
                                f"need {need} cases")
    return k


def bounded_targets(a_h: np.ndarray, lower: np.ndarray, upper: np.ndarray, n: int) -> np.ndarray:
    """t_h = clip(λ·a_h, lower_h, upper_h) with Σ t_h = n: the allocation proportional to a_h
    among the cells not held at a bound (cells over N_h take N_h and the remainder is
    re-allocated over the others, Cochran 1977 §5.9; cells under their minimum take it).

    Cells with a_h = 0 take their lower bound; if the others cannot absorb n even at N_h, the
    rest goes to those cells in proportion to their room.
    """
    a = np.asarray(a_h, dtype=float)
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    pos = a > 0
    if not pos.any() or float(np.where(pos, hi, lo).sum()) < n:  # the a_h = 0 cells must take some
        t = np.where(pos, hi, lo)
        room = np.where(pos, 0.0, hi - lo)
        return t + (n - t.sum()) * room / room.sum()

    def total(lam: float) -> float:
        return float(np.clip(lam * a, lo, hi).sum())

    low_l, high_l = 0.0, 1.0
    while total(high_l) < n:
        high_l *= 2.0
    for _ in range(200):
        mid = (low_l + high_l) / 2
        if total(mid) < n:
            low_l = mid
        else:
            high_l = mid
    lam = high_l
    raw = lam * a
    fixed = (raw <= lo) | (raw >= hi) | ~pos
    t = np.clip(raw, lo, hi)
    free = ~fixed
    if free.any():  # exact on the free cells: the rest of n in proportion to a_h
        t[free] = (n - t[fixed].sum()) * a[free] / a[free].sum()
    return t


def bounded_round(t: np.ndarray, lower: np.ndarray, upper: np.ndarray, n: int) -> np.ndarray:
    """Largest-remainder rounding of targets t (Σ t = n) within integer bounds; ties to the
    earlier (canonical) cell."""
    t = np.clip(t, lower, upper)
    base = np.clip(np.floor(t + 1e-9), lower, upper).astype(np.int64)
    left = n - int(base.sum())
    rem = np.where(base < upper, t - base, -np.inf)
    order = np.lexsort((np.arange(len(t)), -rem))
    if left > 0:
        base[order[:left]] += 1
    elif left < 0:  # pragma: no cover - floating error only
        down = np.lexsort((np.arange(len(t)), rem))
        lowered = [i for i in down if base[i] > lower[i]][:-left]
        base[lowered] -= 1
    return base


def _cell_keys(cells: pd.DataFrame, strata: Sequence[str]) -> list[tuple]:
    return [tuple(str(v).strip().casefold() for v in row)
            for row in cells[list(strata)].astype(str).itertuples(index=False)] if strata else [()]


def _p_column(table: pd.DataFrame) -> tuple[Any, float]:
    lower = {str(c).strip().lower(): c for c in table.columns}
    for key, scale in (("p", 1.0), ("anticipated", 1.0), ("proportion", 1.0), ("percent_yes", 100.0),
                       ("% yes", 100.0), ("percent", 100.0)):
        if key in lower:
            return lower[key], scale
    raise DataError("the anticipated values need a column p (a proportion 0-1) or percent_yes (0-100)",
                    values=[str(c) for c in table.columns])


def resolve_anticipated(cells: pd.DataFrame, labels: Sequence[str], strata: Sequence[str],
                        anticipated: Any) -> np.ndarray:
    """Anticipated proportion yes of every cell, in the cells' order.

    ``anticipated`` is one number (every cell), a mapping ``{cell label: p}`` (labels as in
    the allocation, "male / licence / high"), or a table of the strata columns and ``p``
    (0-1) or ``percent_yes`` (0-100). A table may hold several rows per cell (one per key
    question): the cell's variance P_hQ_h is then the questions' average, and the p returned
    is the one with that variance (≤ 0.5), rounded to six decimals.

    Raises
    ------
    DataError
        A cell of the frame without an anticipated value, or a value outside 0-1.
    """
    def bad(values):
        raise DataError("an anticipated proportion must be between 0 and 1 (or 0-100 as percent_yes)",
                        values=list(values))

    if isinstance(anticipated, (int, float, np.number)) and not isinstance(anticipated, bool):
        p = float(anticipated)
        if not 0.0 <= p <= 1.0:
            bad([anticipated])
        return np.full(len(cells), p)
    if isinstance(anticipated, pd.DataFrame):
        table = anticipated
        cols = _resolve_strata(table.columns, strata)
        missing = [s for s in cols if s not in table.columns]
        if missing:
            raise DataError("the anticipated values lack stratification column(s)", values=missing,
                            hint="Give one row per cell: the strata columns and p (or percent_yes).")
        pcol, scale = _p_column(table)
        p = pd.to_numeric(table[pcol], errors="coerce") / scale
        if (~np.isfinite(p.to_numpy(float)) | (p < 0) | (p > 1)).any():
            bad(table.loc[~((p >= 0) & (p <= 1)), pcol].tolist())
        keyed = pd.DataFrame({"key": _cell_keys(table, cols), "pq": (p * (1 - p)).to_numpy(float)})
        pq = keyed.groupby("key", sort=False)["pq"].mean().to_dict()
        keys = _cell_keys(cells, strata)
        absent = [lab for lab, k in zip(labels, keys) if k not in pq]
        if absent:
            raise DataError(f"the anticipated values miss {len(absent)} cell(s) of the frame", values=absent,
                            hint="Give an anticipated proportion for every cell (or one value for all).")
        v = np.array([pq[k] for k in keys], dtype=float)
        return np.round((1 - np.sqrt(np.clip(1 - 4 * v, 0.0, 1.0))) / 2, 6)
    if isinstance(anticipated, Mapping):
        got = {str(k).strip().casefold(): v for k, v in anticipated.items()}
        absent = [lab for lab in labels if str(lab).strip().casefold() not in got]
        if absent:
            raise DataError(f"the anticipated values miss {len(absent)} cell(s) of the frame", values=absent,
                            hint="Give an anticipated proportion for every cell (or one value for all).")
        out = np.array([got[str(lab).strip().casefold()] for lab in labels], dtype=object)
        try:
            values = out.astype(float)
        except (TypeError, ValueError):
            bad(out.tolist())
        if (~np.isfinite(values) | (values < 0) | (values > 1)).any():
            bad(values[~((values >= 0) & (values <= 1))].tolist())
        return values
    raise ArgumentError("anticipated", type(anticipated).__name__,
                        "must be a proportion, a {cell: proportion} mapping or a table of the strata and p")
