"""Reserves per cell: how many substitutes a draw keeps for each cell."""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .._utils._checks import MAX_CASES
from ..errors import ArgumentError

__all__ = ["reserve_counts", "reserves_rule"]


def reserve_counts(n_h: np.ndarray, reserves: Any) -> np.ndarray:
    """Reserves wanted per cell (before capping at the N_h − n_h cases left).

    ``None`` (default): max(2, ⌈n_h/2⌉) for every cell with n_h ≥ 1, none where n_h = 0;
    an int k ≥ 0: k per cell with n_h ≥ 1; a float f > 0: ⌈f·n_h⌉ per cell.
    """
    n_h = np.asarray(n_h, dtype=np.int64)
    if reserves is None:
        want = np.maximum(2, -(-n_h // 2))
    elif isinstance(reserves, numbers.Integral) and not isinstance(reserves, bool):
        if not 0 <= int(reserves) <= MAX_CASES:
            raise ArgumentError("reserves", reserves, f"must be a count per cell from 0 to {MAX_CASES:,} "
                                "or a fraction of n_h such as 0.5")
        want = np.full(len(n_h), int(reserves), dtype=np.int64)
    elif isinstance(reserves, numbers.Real) and not isinstance(reserves, bool) \
            and math.isfinite(reserves) and reserves > 0:  # type: ignore[operator]  # typeshed's numbers.Real has no __gt__
        if reserves > MAX_CASES:  # type: ignore[operator]  # typeshed's numbers.Real has no __gt__
            raise ArgumentError("reserves", reserves, f"must be a count per cell from 0 to {MAX_CASES:,} "
                                "or a fraction of n_h such as 0.5")
        want = np.ceil(np.round(float(reserves) * n_h, 9)).astype(np.int64)
    else:
        raise ArgumentError("reserves", reserves,
                            "must be None (max(2, ⌈n_h/2⌉)), an int count per cell, or a fraction such as 0.5")
    return np.where(n_h > 0, want, 0)



def reserves_rule(reserves: Any) -> str:
    if reserves is None:
        return "max(2, ceil(n_h/2)) per cell with n_h ≥ 1"
    if isinstance(reserves, numbers.Integral):
        return f"{int(reserves)} per cell with n_h ≥ 1"
    return f"ceil({float(reserves):g}·n_h) per cell"
