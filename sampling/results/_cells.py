"""The stratum cells of a design-weighted sample: which cell each case is in, and each
sampled cell's population N_h and cases n_h (read from the results' stratum populations).

Kept apart from the estimators (:mod:`sampling.results._weights`) and from the survey design
that uses them (:mod:`sampling.results._design`), so both import it and neither the other.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["POPULATION", "SampleDesign", "cell_key", "collapse_small_strata", "sample_design"]

#: the N_h column of a stratum-populations table
POPULATION = "population"


@dataclass(frozen=True)
class SampleDesign:
    """One sample's stratified design: the cell of each case, and each sampled cell's N_h, n_h.

    ``unsampled`` is the population of cells the table lists but the results hold no case of.
    """

    code: np.ndarray      # (n_s,) index of each case's cell into N_h, n_h
    N_h: np.ndarray       # (H,) population of each sampled cell
    n_h: np.ndarray       # (H,) cases of each cell in the results
    unsampled: int = 0

    @property
    def weights(self) -> np.ndarray:
        """w_i = N_h / n_h of each case."""
        return (self.N_h / self.n_h)[self.code]


def collapse_small_strata(code: np.ndarray) -> tuple[np.ndarray, int]:
    """Collapsed strata (Wolter 2007, *Introduction to Variance Estimation*, 2nd ed., §2.5;
    Rust & Kalton 1987, *J. Official Statistics* 3:69–80): a stratum with a single sampled
    case has no within-stratum variation to resample, so it would add none to the bootstrap
    variance. All such strata are pooled into one; if that pool still holds a single case it
    joins the smallest stratum that has two or more. Returns the new codes and how many
    strata were pooled.

    >>> collapse_small_strata(np.array([0, 0, 1, 2, 3, 3]))
    (array([0, 0, 1, 1, 3, 3]), 2)
    """
    uniq, inv, cnt = np.unique(code, return_inverse=True, return_counts=True)
    lonely = cnt < 2
    if not lonely.any():
        return code, 0
    new = code.copy()
    in_lonely = lonely[inv.ravel()]
    if in_lonely.sum() >= 2 or lonely.all():
        new[in_lonely] = uniq[lonely].min()
    else:
        big = np.flatnonzero(~lonely)
        new[in_lonely] = uniq[big[np.argmin(cnt[big])]]
    return new, int(lonely.sum())


def cell_key(values) -> tuple:
    return tuple(str(v).strip().casefold() for v in values)


def sample_design(results: Any, sample: str) -> SampleDesign | None:
    """The design of ``sample`` (None when its N_h are not known)."""
    table = (getattr(results, "stratum_populations", None) or {}).get(sample)
    if table is None:
        return None
    cols = [c for c in table.columns if c not in (POPULATION, "n")]
    sampled = table[table["n"] > 0].reset_index(drop=True)
    index = {cell_key(r): i for i, r in enumerate(sampled[cols].itertuples(index=False))}
    sub = results.cases.loc[results.cases["sample"] == sample, cols]
    code = np.array([index[cell_key(r)] for r in sub.itertuples(index=False)], dtype=np.int64)
    return SampleDesign(code, sampled[POPULATION].to_numpy(float), sampled["n"].to_numpy(float),
                        int(table.loc[table["n"] == 0, POPULATION].sum()))
