"""Proportional allocation of a sample over strata, with every margin kept exact.

The inspectorate "ensured that the ratios in relation to gender, type of disposal and risk
of serious harm level matched those in the eligible population" (HMI Probation 2019,
Annex 1). With three variables the joint cells (e.g. female / licence / high) are often
worth less than one case, so rounding each cell's share n·N_h/N on its own breaks the
margins. :func:`allocate` instead rounds the joint table *controlled*: each cell gets the
floor or the ceiling of its share (never more than N_h), the cells sum to n, and each
variable's margin equals that variable's own largest-remainder (Hamilton) rounding of its
proportional targets. This is controlled rounding in the sense of Cox & Ernst (1982),
"Controlled rounding", INFOR 20:423–432, and Cox (1987), "A constructive procedure for
unbiased controlled rounding", JASA 82:520–524, solved here exactly as a small integer
programme (``scipy.optimize.milp``, HiGHS); when its optimum is unique and the table small
(three variables of a few categories, the usual case) the same optimum is found by exact
dynamic programming instead (:mod:`sampling.draw._controlled`), without scipy's import.

When no rounding meets every margin (possible with three or more variables) the one with
the smallest total absolute deviation from the margin targets is used and reported in
:attr:`Allocation.marginal_deviation` and a note.

Choice among equally good roundings, in order (all exact integer arithmetic):

1. smallest total absolute marginal deviation;
2. largest total fractional remainder of the cells rounded up - equivalently the smallest
   total absolute cell error Σ|n_h − n·N_h/N|;
3. smallest total rank of the cells rounded up, where cells are ranked by fractional
   remainder (largest first) and then by canonical order (categories in vocabulary order,
   variables in the order given). When the plain largest-remainder rounding of the cells
   already meets every margin it is the answer (it is optimal on all three counts).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._utils._checks import check_count
from .._utils._display import TableResult
from ..errors import ArgumentError, DataError
from ._allocation_rules import (ALLOCATIONS, RULE_WORDS, bounded_targets, bounded_round as _bounded_round,
                                check_allocation, check_min_per_cell, resolve_anticipated)
from ._controlled import exact_round

__all__ = ["Allocation", "allocate", "allocate_cells", "cell_index", "resolve_strata", "largest_remainder", "DEFAULT_STRATA",
           "ALLOCATIONS", "check_allocation", "check_min_per_cell", "resolve_anticipated", "bounded_targets"]

DEFAULT_STRATA: tuple[str, ...] = ("gender", "disposal", "rosh")
CELL_SEPARATOR = " / "


def largest_remainder(counts: Sequence[int] | np.ndarray, n: int) -> np.ndarray:
    """Hamilton (largest-remainder) rounding of n·counts/sum(counts) to integers summing to n.

    Ties in the remainder go to the larger count, then to the earlier position.
    """
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total <= 0:
        raise ArgumentError("counts", counts.tolist(), "must have a positive total")
    quota, rem = np.divmod(n * counts, total)
    left = n - int(quota.sum())
    order = np.lexsort((np.arange(len(counts)), -counts, -rem))
    quota[order[:left]] += 1
    return quota


@dataclass(frozen=True, repr=False)
class Allocation(TableResult):
    """A proportional allocation of ``n`` cases over the joint strata cells.

    Attributes
    ----------
    n, population : int
        Sample size and frame size N.
    strata : tuple of str
        The stratification variables, in order.
    table : DataFrame
        One row per non-empty cell, canonical order: ``cell`` (label "male / licence /
        low"), one column per variable, ``N_h``, ``share`` (n·N_h/N) and ``n_h``.
    marginals : DataFrame
        ``variable, category, N, share, target, allocated, difference``: ``target`` is the
        largest-remainder rounding of that variable's shares; ``difference`` = allocated −
        target (all zero unless no allocation could meet every margin).
    marginal_deviation : int
        Σ|allocated − target| over every variable and category (0 when all margins hold).
    method : str
        ``"largest remainder"`` (cell-wise rounding already met the margins) or
        ``"integer programme"``; for other rules, the rule's name.
    notes : tuple of str
    rule : str
        ``"proportional"``, ``"neyman"`` or ``"equal"`` (a proportional allocation changed by
        a minimum per cell keeps ``"proportional"``; see :attr:`matched`).
    min_per_cell : int
        The minimum cases per cell asked for (0: none).
    """

    n: int
    population: int
    strata: tuple[str, ...]
    table: pd.DataFrame
    marginals: pd.DataFrame
    marginal_deviation: int
    method: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    rule: str = "proportional"
    min_per_cell: int = 0

    @property
    def matched(self) -> bool:
        """Whether the sample mirrors the population's mix by design: a proportional
        allocation whose every margin meets its target."""
        return self.rule == "proportional" and self.marginal_deviation == 0

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _title(self) -> str:
        vars_ = ", ".join(self.strata) if self.strata else "no strata"
        rule = ": " if self.rule == "proportional" and not self.min_per_cell else (
            f" ({self.rule}" + (f", at least {self.min_per_cell} per cell" if self.min_per_cell else "") + "): ")
        return (f"Allocation{rule}n={self.n} of N={self.population:,} over {len(self.table)} cells "
                f"({vars_}); marginal deviation {self.marginal_deviation}")

    def _notes(self) -> list[str]:
        return list(self.notes)


# --------------------------------------------------------------------------- cells
def check_strata(strata: Any) -> tuple[str, ...]:
    """Normalise ``strata``: a sequence (or comma-separated string) of column names."""
    if strata is None:
        return ()
    if isinstance(strata, str):
        strata = [s for s in (p.strip() for p in strata.split(",")) if s]
    try:
        names = tuple(strata)
    except TypeError:
        raise ArgumentError("strata", strata, "must be a list of column names") from None
    if not all(isinstance(s, str) and s.strip() for s in names):
        raise ArgumentError("strata", strata, "must be a list of column names")
    names = tuple(s.strip() for s in names)
    if len({s.lower() for s in names}) != len(names):
        raise ArgumentError("strata", strata, "must not name a column twice")
    return names


def _codes(values: pd.Series, column: str) -> tuple[np.ndarray, list]:
    """Integer codes in canonical category order, and the categories."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        cats = list(values.cat.categories)
    else:
        text = values.to_numpy(dtype=object)
        blank = np.fromiter((isinstance(v, str) and not v.strip() for v in text), dtype=bool, count=len(text))
        if blank.any():  # a blank text cell is missing, as NaN is (never a stratum of its own)
            values = values.mask(pd.Series(blank, index=values.index))
        codes, uniques = pd.factorize(values, sort=True)
        codes = codes.astype(np.int64)
        cats = list(uniques)
        from ._frame import VOCABULARY

        known = list(VOCABULARY.get(column, {}))
        if known and set(cats) <= set(known):  # canonical spellings: the vocabulary's order
            order = sorted(range(len(cats)), key=lambda i: known.index(cats[i]))
            remap = np.empty(len(cats) + 1, dtype=np.int64)
            remap[np.asarray(order, dtype=np.int64)] = np.arange(len(cats))
            remap[-1] = -1
            codes = remap[codes]
            cats = [cats[i] for i in order]
    missing = codes < 0
    if missing.any():
        raise DataError("missing value in a stratification variable", column=column,
                        rows=values.index[missing].tolist(),
                        hint="Every case needs a value for each variable it is stratified on.")
    return codes, cats


def resolve_strata(columns: Sequence[Any] | pd.Index, strata: Sequence[str]) -> tuple[str, ...]:
    """Strata names as spelt in ``columns`` (exact match first, else case-insensitive)."""
    lower: dict[str, Any] = {}
    for c in columns:
        lower.setdefault(str(c).strip().lower(), c)
    return tuple(s if s in columns else lower.get(s.lower(), s) for s in strata)


def cell_index(data: pd.DataFrame, strata: Sequence[str],
               weights: np.ndarray | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """(cell number of each row, cells table) with cells in canonical order.

    The cells table has one row per non-empty cell: the strata values (categoricals in
    canonical category order) and ``N_h`` (rows, or the sum of ``weights``).
    """
    strata = resolve_strata(data.columns, strata)
    missing = [s for s in strata if s not in data.columns]
    if missing:
        raise DataError(f"stratification variable(s) {', '.join(missing)} not in the frame",
                        column=missing[0], hint=f"Columns are: {', '.join(map(str, data.columns))}")
    if not strata:
        total = len(data) if weights is None else int(np.sum(weights))
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame({"N_h": [total]})
    codes, cats = zip(*(_codes(data[s], s) for s in strata))
    shape = tuple(max(len(c), 1) for c in cats)
    combined = np.ravel_multi_index(codes, shape) if len(codes) > 1 else codes[0]
    size = int(np.prod(shape, dtype=np.float64))
    if size <= 4_000_000:
        counts = np.bincount(combined, weights=weights, minlength=size).astype(np.int64)
        present = np.flatnonzero(counts)
        lookup = np.full(size, -1, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        row_cell = lookup[combined]
        cell_counts = counts[present]
    else:  # pragma: no cover - more than four million joint categories
        present, row_cell = np.unique(combined, return_inverse=True)
        cell_counts = np.bincount(row_cell, weights=weights).astype(np.int64)
        keep = cell_counts > 0
        present, cell_counts = present[keep], cell_counts[keep]
        row_cell = (np.cumsum(keep) - 1)[row_cell]
    idx = np.unravel_index(present, shape)
    cells = pd.DataFrame({s: pd.Categorical.from_codes(idx[i], categories=cats[i])
                          for i, s in enumerate(strata)})
    cells["N_h"] = cell_counts.astype(np.int64)
    return row_cell, cells


def _cells_from(source: Any, strata: tuple[str, ...]) -> pd.DataFrame:
    from ._frame import Frame

    if isinstance(source, Frame):
        return cell_index(source.data, strata)[1]
    if isinstance(source, pd.Series):
        names = list(source.index.names)
        if [str(n).lower() if n else n for n in names] != list(strata):
            raise ArgumentError("frame_or_counts", "Series",
                                f"a Series of counts must be indexed by {list(strata)} (got {names})")
        table = source.rename("N_h").reset_index()
        table.columns = [*strata, "N_h"]
        return _cells_from(table, strata)
    if isinstance(source, pd.DataFrame):
        lower = {str(c).lower(): c for c in source.columns}
        count_col = next((lower[k] for k in ("n_h", "n", "count", "cases") if k in lower), None)
        if count_col is not None and "case_id" not in lower:
            missing = [s for s in strata if s not in lower]
            if missing:
                raise DataError(f"counts table lacks stratification variable(s) {', '.join(missing)}",
                                column=missing[0])
            raw = source[[lower[s] for s in strata] + [count_col]].copy()
            raw.columns = [*strata, "N_h"]
            values = pd.to_numeric(raw["N_h"], errors="coerce")
            bad = values.isna() | (values < 0) | (values != np.floor(values))
            if bad.any():
                raise DataError("cell counts must be whole numbers ≥ 0", column=str(count_col),
                                rows=raw.index[bad].tolist(), values=raw["N_h"][bad].tolist())
            raw["N_h"] = values.astype(np.int64)
            if raw.duplicated(list(strata)).any():
                dup = raw.duplicated(list(strata), keep=False)
                raise DataError("a cell appears twice in the counts table", rows=raw.index[dup].tolist())
            return cell_index(raw, strata, weights=raw["N_h"].to_numpy())[1]
        data = source.rename(columns={c: str(c).lower() for c in source.columns})
        return cell_index(data, strata)[1]
    raise ArgumentError("frame_or_counts", type(source).__name__,
                        "must be a Frame, a DataFrame of cases or of cell counts, or a Series of counts")


# --------------------------------------------------------------------------- rounding
def _milp_round(K: int, groups: list[np.ndarray], need: np.ndarray, remainders: np.ndarray,
                ranks: np.ndarray) -> np.ndarray:
    """Choose K of the fractional cells to round up (see the module docstring)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    m = len(remainders)
    g = len(groups)
    # variables: x (m binaries), d_plus (g), d_minus (g)
    A_total = np.concatenate([np.ones(m), np.zeros(2 * g)])[None, :]
    A_marg = np.zeros((g, m + 2 * g))
    for j, members in enumerate(groups):
        A_marg[j, members] = 1.0
        A_marg[j, m + j] = 1.0
        A_marg[j, m + g + j] = -1.0
    constraints = [LinearConstraint(A_total, K, K), LinearConstraint(A_marg, need, need)]
    integrality = np.concatenate([np.ones(m), np.zeros(2 * g)])
    bounds = Bounds(np.zeros(m + 2 * g), np.concatenate([np.ones(m), np.full(2 * g, np.inf)]))
    options = {"mip_rel_gap": 0.0, "presolve": True}

    def solve(c, extra):
        res = milp(c, constraints=constraints + extra, integrality=integrality, bounds=bounds, options=options)
        if res.x is None:  # pragma: no cover - the problem is always feasible (slacks)
            raise RuntimeError(f"allocation integer programme failed: {res.message}")
        return res

    dev = np.concatenate([np.zeros(m), np.ones(2 * g)])
    first = solve(dev, [])
    best_dev = round(first.fun)
    keep_dev = [LinearConstraint(dev[None, :], -np.inf, best_dev + 0.5)]
    gain = np.concatenate([remainders.astype(float), np.zeros(2 * g)])
    second = solve(-gain, keep_dev)
    best_gain = round(-second.fun)
    keep_gain = [LinearConstraint(gain[None, :], best_gain - 0.5, np.inf)]
    third = solve(np.concatenate([ranks.astype(float), np.zeros(2 * g)]), keep_dev + keep_gain)
    return np.round(third.x[:m]).astype(np.int64)


@functools.lru_cache(maxsize=512)
def milp_round_cached(K: int, groups: tuple, need: tuple, remainders: tuple, ranks: tuple) -> tuple:
    """:func:`_milp_round` on hashable arguments, cached: repeated draws from one frame
    (simulations, verification) solve each rounding problem once."""
    x = _milp_round(K, [np.asarray(g, dtype=np.int64) for g in groups], np.asarray(need, dtype=float),
                    np.asarray(remainders, dtype=np.int64), np.asarray(ranks, dtype=np.int64))
    return tuple(int(v) for v in x)


def allocate(frame_or_counts: Any, n: int, *, strata: Sequence[str] = DEFAULT_STRATA,
             rule: str = "proportional", min_per_cell: int = 0, anticipated: Any = None) -> Allocation:
    """Allocate ``n`` cases over the joint cells of ``strata``: proportionally (the default,
    every margin kept exact), or by Neyman's rule, or equally, with an optional minimum per cell.

    Parameters
    ----------
    frame_or_counts : Frame, DataFrame or Series
        A :class:`~sampling.Frame`; a DataFrame of cases (one row each, with the
        strata columns); a DataFrame of cell counts (strata columns plus ``N`` or
        ``count``); or a Series of counts indexed by the strata.
    n : int
        Sample size, 1 ≤ n ≤ N.
    strata : sequence of str
        Stratification variables (any number; ``()`` is a simple random sample).
    rule : {"proportional", "neyman", "equal"}
        ``"proportional"``: n_h ∝ N_h, rounded under control of every margin (see the module
        notes). ``"neyman"``: n_h ∝ N_h·S_h with S_h = sqrt(P_h(1 − P_h)) from ``anticipated``
        (Cochran 1977, §5.5 and §5.12; SAS SURVEYSELECT ``ALLOC=NEYMAN``), the allocation of
        smallest variance for the cost; ``"equal"``: n/H per cell. A cell whose share exceeds
        N_h takes all N_h cases and the remainder is re-allocated over the others (Cochran
        §5.9); non-proportional targets are rounded by largest remainder.
    min_per_cell : int
        Every cell gets at least min(K, N_h) cases, the rest allocated by the rule among the
        cells above their minimum (0: no minimum). A proportional allocation that already
        meets the minimum is unchanged.
    anticipated : float, mapping or DataFrame, optional
        The anticipated proportion yes per cell (see :func:`resolve_anticipated`), needed by
        Neyman; with several key questions per cell their variances P_hQ_h are averaged (a
        compromise allocation, Cochran 1977, §5A.3). One value for every cell makes Neyman
        the proportional allocation (and it is used, with a note).

    Returns
    -------
    Allocation
        Proportional: cells sum to n; each cell is the floor or ceiling of n·N_h/N (never above N_h);
        each variable's margin equals its largest-remainder target whenever some
        allocation achieves that (else the total deviation is minimised and reported).
        Other rules: cells sum to n, min(K, N_h) ≤ n_h ≤ N_h, ``target`` holds the
        unrounded allocation and the margins are reported against their proportional
        targets (not met by design: :attr:`Allocation.matched` is False).

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.5 (optimum allocation),
       §5.9 (n_h > N_h), §5.12 (proportions), §5A.3 (more than one item). Wiley.
    .. [2] SAS Institute. *SAS/STAT User's Guide: The SURVEYSELECT Procedure*, ``ALLOC=`` option.

    Examples
    --------
    >>> import sampling
    >>> frame = sampling.load_frame(sampling.synthetic_frame(668, rng=1))
    >>> allocation = sampling.allocate(frame, 132)
    >>> int(allocation.table["n_h"].sum()), int(allocation.table["N_h"].sum())
    (132, 668)
    """
    strata = check_strata(strata)
    n = check_count(n, "n")
    from ._frame import Frame

    if isinstance(frame_or_counts, Frame):
        strata = resolve_strata(frame_or_counts.data.columns, strata)
    else:  # tables and Series are matched on lower-cased names
        strata = tuple(s.lower() for s in strata)
    cells = _cells_from(frame_or_counts, strata)
    return allocate_cells(cells, n, strata, rule=rule, min_per_cell=min_per_cell, anticipated=anticipated)


def _margin_targets(cells: pd.DataFrame, n: int, N: int, N_h: np.ndarray,
                    strata: tuple[str, ...]) -> tuple[list[dict], list[np.ndarray]]:
    """Per category of every variable: its population, share and largest-remainder target,
    and the cells it covers."""
    marg_rows, groups = [], []
    for s in strata:
        codes = cells[s].cat.codes.to_numpy()
        cats = list(cells[s].cat.categories)
        Nc = np.bincount(codes, weights=N_h, minlength=len(cats)).astype(np.int64)
        target = largest_remainder(Nc, n)
        for j, cat in enumerate(cats):
            if Nc[j] == 0:
                continue
            groups.append(np.flatnonzero(codes == j))
            marg_rows.append({"variable": s, "category": str(cat), "N": int(Nc[j]),
                              "share": n * Nc[j] / N, "target": int(target[j])})
    return marg_rows, groups


def _rounded(n: int, N: int, N_h: np.ndarray, marg_rows: list[dict], groups: list) -> tuple[np.ndarray, int, np.ndarray, str]:
    """n_h: largest remainder when it meets every margin, else controlled rounding (MILP)."""
    quota, rem = np.divmod(n * N_h, N)
    K = n - int(quota.sum())
    order = np.lexsort((np.arange(len(N_h)), -rem))  # largest remainder first, then canonical order
    rank = np.empty(len(N_h), dtype=np.int64)
    rank[order] = np.arange(len(N_h))
    tgt = np.array([r["target"] for r in marg_rows], dtype=np.int64)

    def deviation(n_h: np.ndarray) -> tuple[int, np.ndarray]:
        alloc = np.array([int(n_h[g].sum()) for g in groups], dtype=np.int64)
        return int(np.abs(alloc - tgt).sum()), alloc

    n_h = quota.copy()
    n_h[order[:K]] += 1
    dev, alloc = deviation(n_h)
    if not dev:
        return n_h, dev, alloc, "largest remainder"
    frac = np.flatnonzero(rem > 0)
    pos = {c: i for i, c in enumerate(frac)}
    sub_groups = tuple(tuple(pos[c] for c in g if c in pos) for g in groups)
    need = tuple(r["target"] - int(quota[g].sum()) for r, g in zip(marg_rows, groups))
    args = (K, sub_groups, need, tuple(rem[frac].tolist()), tuple(rank[frac].tolist()))
    x = exact_round(*args)  # the integer programme's own answer when unique, without scipy's import
    if x is None:  # tied, or too many states: the integer programme
        x = milp_round_cached(*args)
    n_h = quota.copy()
    n_h[frac] += np.asarray(x, dtype=np.int64)
    dev, alloc = deviation(n_h)
    return n_h, dev, alloc, "integer programme"


def allocate_cells(cells: pd.DataFrame, n: int, strata: tuple[str, ...], *, rule: str = "proportional",
                   min_per_cell: int = 0, anticipated: Any = None) -> Allocation:
    """:func:`allocate` on a cells table from :func:`cell_index` (strata columns + ``N_h``).

    Parameters
    ----------
    cells : DataFrame
        The strata columns (categorical) and ``N_h``, one row per joint cell.
    n : int
        Sample size.
    strata : tuple of str
        The stratification variables.
    rule, min_per_cell, anticipated
        As for :func:`allocate`.

    Returns
    -------
    Allocation
    """
    rule = check_allocation(rule)
    N_h = cells["N_h"].to_numpy(dtype=np.int64)
    N = int(N_h.sum())
    if N == 0:
        raise DataError("the frame has no cases")
    if n > N:
        raise ArgumentError("n", n, f"must be at most the frame size N={N:,}")
    min_per_cell = check_min_per_cell(min_per_cell, n, N_h)
    text = {s: [str(v) for v in cells[s].to_numpy(dtype=object)] for s in strata}
    labels = [CELL_SEPARATOR.join(parts) for parts in zip(*text.values())] if strata else ["all cases"]
    notes: list[str] = []
    p_h = None
    if rule == "neyman":
        if anticipated is None:
            raise ArgumentError("anticipated", anticipated, "must be given for a Neyman allocation: the "
                                "anticipated proportion yes of each cell (a previous inspection's)")
        p_h = resolve_anticipated(cells, labels, strata, anticipated)
        if np.all(p_h == p_h[0]) and 0 < p_h[0] < 1:
            notes.append("the anticipated proportion is the same in every cell, so the Neyman allocation is the "
                         "proportional one: the proportional allocation is used")
            rule = "proportional"
    elif anticipated is not None:
        p_h = resolve_anticipated(cells, labels, strata, anticipated)
    marg_rows, groups = _margin_targets(cells, n, N, N_h, strata)
    lower = np.minimum(min_per_cell, N_h)
    target = None
    n_h, dev, alloc, method = _rounded(n, N, N_h, marg_rows, groups)
    if rule != "proportional" or np.any(n_h < lower):
        a_h = {"proportional": N_h.astype(float), "equal": np.ones(len(N_h)),
               "neyman": None if p_h is None else N_h * np.sqrt(p_h * (1 - p_h))}[rule]
        assert a_h is not None  # a Neyman allocation has its p_h (checked above)
        target = bounded_targets(a_h, lower, N_h, n)
        n_h = _bounded_round(target, lower, N_h, n)
        alloc = np.array([int(n_h[g].sum()) for g in groups], dtype=np.int64)
        dev = int(np.abs(alloc - np.array([r["target"] for r in marg_rows], dtype=np.int64)).sum())
        method = {"proportional": "proportional with a minimum per cell", "equal": "equal",
                  "neyman": "Neyman"}[rule] + " (largest remainder within 0..N_h" + (
                      f", at least {min_per_cell} per cell)" if min_per_cell else ")")
        if rule == "neyman" and p_h is not None and np.any((p_h <= 0) | (p_h >= 1)):
            flat = [lab for lab, p in zip(labels, p_h) if p <= 0 or p >= 1]
            notes.append(f"{len(flat)} cell(s) are anticipated unanimous (all yes or all no), so Neyman gives them "
                         "only the minimum per cell" + ("" if min_per_cell else " (none: consider a minimum per "
                                                        "cell of 1)") + ": " + "; ".join(flat))
    assert int(n_h.sum()) == n and np.all(n_h <= N_h) and np.all(n_h >= lower)
    table = pd.DataFrame({"cell": pd.Series(labels, dtype=object), **{s: pd.Series(v, dtype=object)
                                                                     for s, v in text.items()}})
    table["N_h"] = N_h
    table["share"] = n * N_h / N
    if target is not None:
        table["target"] = target
    if p_h is not None:
        table["anticipated_p"] = p_h
    table["n_h"] = n_h
    for row, got in zip(marg_rows, alloc):
        row["allocated"] = int(got)
        row["difference"] = int(got) - row["target"]
    marginals = pd.DataFrame(marg_rows, columns=["variable", "category", "N", "share", "target", "allocated",
                                                 "difference"])
    if dev and target is None:
        off = marginals[marginals["difference"] != 0]
        notes.append("no allocation meets every margin exactly; the closest is used (total deviation "
                     f"{dev}): " + "; ".join(f"{r.variable} {r.category} {r.allocated} vs target {r.target}"
                                             for r in off.itertuples()))
    if target is not None:
        how = (f"sharing cases {RULE_WORDS[rule]}" if rule != "proportional"
               else f"a minimum of {min_per_cell} case(s) per cell")
        notes.append(f"the sample is not matched to the population's mix by design: {how} over-represents some "
                     "cells, so each case is weighted by its cell's N_h/n_h (SamplingWeight): the weighted "
                     "percentage (w%) and its interval are the population's, the sample's own percentage is not" + (f" (the margins miss their proportional targets "
                                                             f"by {dev} case(s) in all)" if dev else
                                                             " (every margin happens to meet its target)"))
    return Allocation(n=n, population=N, strata=strata, table=table,
                      marginals=marginals, marginal_deviation=dev, method=method, notes=tuple(notes),
                      rule=rule if target is not None else "proportional", min_per_cell=min_per_cell)
