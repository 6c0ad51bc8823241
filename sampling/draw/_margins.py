"""The planned margin of a draw's allocation, against the proportional allocation's, for
the manifest and the draw's printout (Cochran 1977, §5.12).

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.12, eq. 5.51. Wiley.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ..plan._stratified import stratified_margin
from ._allocate import allocate_cells

__all__ = ["planned_margins", "margin_note"]


def planned_margins(cells: pd.DataFrame, n: int, strata: tuple, alloc: Any,
                    confidence_level: float) -> dict[str, Any]:
    """The planned margin (points) of the allocation and of the proportional one to compare
    it with (the plain proportional allocation for a proportional one with a minimum per
    cell, else the proportional allocation with the same minimum, so that both cover the
    same cells): at p = 0.5 in every cell, and at the anticipated p_h when the allocation has
    them (Cochran 1977, §5.12; :func:`sampling.plan._stratified.stratified_margin`). A cell
    with no case is left out of a margin (it has no estimate); ``planned_margin_empty_cells``
    counts them."""
    N_h = alloc.table["N_h"].to_numpy(dtype=float)
    n_h = alloc.table["n_h"].to_numpy(dtype=float)
    if alloc.rule == "proportional" and not alloc.min_per_cell:
        prop = n_h
    else:
        k = 0 if alloc.rule == "proportional" else alloc.min_per_cell
        prop = allocate_cells(cells, n, strata, min_per_cell=k).table["n_h"].to_numpy(dtype=float)
    out: dict[str, Any] = {
        "planned_margin_confidence": confidence_level,
        "planned_margin": round(100 * stratified_margin(N_h, n_h, 0.5, confidence_level=confidence_level), 4),
        "planned_margin_proportional": round(100 * stratified_margin(N_h, prop, 0.5,
                                                                     confidence_level=confidence_level), 4),
        "planned_margin_empty_cells": int((n_h == 0).sum()),
        "planned_margin_proportional_empty_cells": int((prop == 0).sum())}
    if "anticipated_p" in alloc.table.columns:
        p_h = alloc.table["anticipated_p"].to_numpy(dtype=float)
        out["planned_margin_anticipated"] = round(100 * stratified_margin(
            N_h, n_h, p_h, confidence_level=confidence_level), 4)
        out["planned_margin_anticipated_proportional"] = round(100 * stratified_margin(
            N_h, prop, p_h, confidence_level=confidence_level), 4)
    return out


def margin_note(m: Mapping[str, Any]) -> str:
    """The planned margin of a draw, in words, against the proportional allocation's."""
    cl = float(m.get("planned_margin_confidence", 0.8))
    rule = str(m.get("allocation_rule", "proportional"))
    k = int(m.get("min_per_cell", 0) or 0)
    what = rule + " allocation" + (f" with at least {k} per cell" if k else "")
    default = rule == "proportional" and not k
    versus = "proportional" if rule == "proportional" or not k else f"proportional with at least {k} per cell"
    empty = int(m.get("planned_margin_empty_cells", 0) or 0)
    text = f"planned margin ({what}, {cl:.0%} confidence, p = 0.5 in every cell): ±{m['planned_margin']:.2f} points"
    if not default:
        text += f" ({versus}: ±{m['planned_margin_proportional']:.2f})"
    if "planned_margin_anticipated" in m:
        a, b = m["planned_margin_anticipated"], m["planned_margin_anticipated_proportional"]
        text += f"; at the anticipated % yes per cell: ±{a:.2f} points"
        if not default and b > 0:
            gain = b - a
            text += (f" ({versus}: ±{b:.2f}; " + (f"{gain:.2f} points narrower" if gain > 0.005 else
                                                   f"{-gain:.2f} points wider" if gain < -0.005 else "the same")
                     + f", a variance ratio of {(a / b) ** 2:.3f})")
    if empty:
        text += f"; {empty} cell(s) with no case are left out (the estimates cannot describe them)"
    return text
