"""Exact multinomial resampling counts for many strata and replicates at once.

One bootstrap replicate of a stratum holding n_h cases, grouped into units (distinct answer
patterns) of c_u cases each, draws m_h cases with replacement: its counts over the units are
Multinomial(m_h, c/n_h). This module draws them for every stratum of a sample, a chunk of
replicates at a time, in one of two exact ways per stratum:

* **index draws** — m_h uniform case positions, each mapped to its unit and counted;
* **Poissonisation** — independent X_u ~ Poisson(μ_h c_u/n_h). Given their sum s, X is
  Multinomial(s, c/n_h) (Johnson, Kotz & Balakrishnan 1997, §35.1), whatever μ_h is. Taking
  μ_h = m_h − 3√m_h leaves s ≤ m_h in all but about 0.1% of replicates: those are drawn
  again (conditioning on s ≤ m_h leaves X | s multinomial), and the shortfall m_h − s is
  topped up with index draws. Multinomial(s, π) + Multinomial(m_h − s, π) is
  Multinomial(m_h, π), so the total is exact for every s.

Poissonisation draws one count per unit instead of one index per case, so it pays when the
units are few against the draws (many cases share a pattern); the choice is made per
stratum from the expected number of random numbers each way, and changes the random stream
only, never the distribution. Poisson counts with small means are drawn by inverse transform
(one uniform, a few comparisons with the CDF on a 32-bit grid; Devroye 1986, §III.2 and
§X.3); larger means use numpy's exact sampler.

References
----------
.. [1] Johnson, N. L., Kotz, S. & Balakrishnan, N. (1997). *Discrete Multivariate
   Distributions*, ch. 35 (the multinomial as conditioned independent Poissons). Wiley.
.. [2] Devroye, L. (1986). *Non-Uniform Random Variate Generation*, §III.2 (inversion by
   sequential search) and §X.3 (Poisson). Springer.
.. [3] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 6.
   Chapman & Hall.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _kernels

__all__ = ["CountPlan", "count_plan", "draw_counts", "Workspace", "POISSON_MIN_DRAWS", "SLACK",
           "POISSON_COST", "CHAIN_MAX_MEAN", "TAIL"]

_GRID = 2 ** 32
_RAW64 = (np.random.PCG64, np.random.PCG64DXSM, np.random.SFC64, np.random.Philox)

#: strata drawing fewer cases than this per replicate always use index draws
POISSON_MIN_DRAWS = 16
#: the Poisson mean sits SLACK·√m_h below the draws m_h: P(sum > m_h) ≈ 0.1%
SLACK = 3.0
#: cost of one Poisson count against one index draw (measured: a uniform and four
#: comparisons against a uniform, a product, a gather and a count)
POISSON_COST = 0.4
#: Poisson means up to this are drawn by inverse transform, larger ones by numpy's sampler
CHAIN_MAX_MEAN = 100.0
#: a chain width shared by fewer columns than this goes to numpy's sampler
MIN_CHAIN_COLUMNS = 64
#: each inverse-transform draw is compared with the CDF over its mean's central 1 − 2·TAIL;
#: the rare draws outside go on one comparison at a time
TAIL = 0.02


@dataclass(frozen=True)
class CountPlan:
    """How one sample's replicate counts are drawn.

    Columns are the plan's units: the Poissonised units first (``[0, n_poisson)``, those
    drawn by inverse transform before those drawn by numpy), then the rest. ``order[j]`` is
    the caller's unit in column j.
    """

    order: np.ndarray       # (U,) caller's unit of each column
    n_poisson: int          # Up: columns drawn by Poissonisation
    n_chain: int            # of those, columns drawn by inverse transform
    lam: np.ndarray         # (Up,) Poisson means
    chains: tuple           # per group of chain columns [a, z): (a, z, first, thresholds)
    table: np.ndarray       # (L, n_chain) uint64: each chain column's CDF on the 32-bit grid
    G: np.ndarray           # (Up, Hp) float32 one-hot: Poisson stratum of each column
    p_lo: np.ndarray        # (Hp,) Poisson strata: first case position (in ``case_col``)
    p_n: np.ndarray         # (Hp,) cases (uint64, for the multiply-shift)
    p_m: np.ndarray         # (Hp,) draws per replicate
    i_lo: np.ndarray        # (Hi,) index strata with draws: first case position
    i_n: np.ndarray         # (Hi,) cases (uint64)
    i_m: np.ndarray         # (Hi,) draws per replicate
    case_col: np.ndarray    # (n,) column of each case position (cases in the caller's unit order)

    @property
    def units(self) -> int:
        return len(self.order)

    @property
    def draws_per_replicate(self) -> float:
        """Expected random numbers per replicate (for sizing chunks)."""
        return float(self.n_poisson + self.i_m.sum() + SLACK * np.sqrt(self.p_m).sum())


def _poissonise(n_units: int, m: int) -> bool:
    """Whether a stratum's Poisson counts cost less than its index draws."""
    return m >= POISSON_MIN_DRAWS and POISSON_COST * n_units + SLACK * np.sqrt(m) < m


def count_plan(counts: np.ndarray, strata: list[tuple[int, int]], draws: list[int],
               poisson: bool = True) -> CountPlan:
    """Plan the counts of units with ``counts`` cases each; stratum h holds units
    ``strata[h] = (first, end)`` (contiguous, in order) and draws ``draws[h]`` cases
    (``poisson=False``: every stratum by index draws)."""
    counts = np.asarray(counts, dtype=np.int64)
    case_start = np.r_[0, np.cumsum(counts)]
    pois: list[int] = []  # strata drawn as Poisson counts
    idx: list[int] = []  # strata drawn by index
    for h, ((u0, u1), m) in enumerate(zip(strata, draws)):
        if m > 0:
            (pois if poisson and _poissonise(u1 - u0, m) else idx).append(h)
    units_of = {h: np.arange(*strata[h]) for h in range(len(strata))}
    p_units = np.concatenate([units_of[h] for h in pois]) if pois else np.zeros(0, np.int64)
    p_stratum = np.concatenate([np.full(len(units_of[h]), j) for j, h in enumerate(pois)]) if pois \
        else np.zeros(0, np.int64)
    mu = {h: draws[h] - SLACK * np.sqrt(draws[h]) for h in pois}
    n_h = {h: case_start[strata[h][1]] - case_start[strata[h][0]] for h in range(len(strata))}
    lam = np.array([mu[pois[j]] * counts[u] / n_h[pois[j]] for u, j in zip(p_units, p_stratum)])
    first, need = _chain_span(lam)
    width = np.full(len(lam), np.iinfo(np.int64).max)
    inverted = lam <= CHAIN_MAX_MEAN
    width[inverted] = _chain_width(need[inverted])
    chain = np.argsort(width, kind="stable")
    p_units, p_stratum, lam, first, width = (a[chain] for a in (p_units, p_stratum, lam, first, width))
    n_chain = int(inverted.sum())
    rest = np.setdiff1d(np.arange(len(counts)), p_units)
    order = np.r_[p_units, rest].astype(np.int64)
    column = np.empty(len(counts), dtype=np.int64)
    column[order] = np.arange(len(order))
    G = np.zeros((len(p_units), len(pois)), dtype=np.float32)
    G[np.arange(len(p_units)), p_stratum] = 1.0
    start = np.array([case_start[strata[h][0]] for h in range(len(strata))], dtype=np.int64)
    sizes = np.array([n_h[h] for h in range(len(strata))], dtype=np.uint64)  # multiply-shift widths
    m_h = np.asarray(draws, dtype=np.int64)
    chains, table = _chains(lam[:n_chain], first[:n_chain], width[:n_chain])
    return CountPlan(order, len(p_units), n_chain, lam, chains, table, G,
                     start[pois], sizes[pois], m_h[pois], start[idx], sizes[idx], m_h[idx],
                     np.repeat(column, counts))


def _chain_span(lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per mean: the first CDF entry compared (one below its TAIL quantile) and how many
    entries reach its 1 − TAIL quantile (the CDF evaluated once per distinct mean). Means over
    :data:`CHAIN_MAX_MEAN` go to numpy's sampler, which compares nothing: 0 and 0."""
    values, inverse = np.unique(lam, return_inverse=True)
    first, need = np.zeros(len(values), np.int64), np.zeros(len(values), np.int64)
    small = values <= CHAIN_MAX_MEAN
    if small.any():
        F = _poisson_cdf(_rows(values[small].max()), values[small])
        lo, hi = np.argmax(F >= TAIL, axis=0), np.argmax(F >= 1 - TAIL, axis=0)  # the quantiles
        first[small] = np.maximum(lo - 1, 0)
        need[small] = hi - first[small] + 1
    return first[inverse], need[inverse]


def _rows(lam_max: float) -> int:
    """CDF entries kept for means up to ``lam_max``: 12 standard deviations and 40 beyond it."""
    return int(np.ceil(lam_max + 12 * np.sqrt(lam_max) + 40))


def _poisson_cdf(L: int, lam: np.ndarray) -> np.ndarray:
    """The Poisson CDF F(k; λ) for k < L, one column per mean λ ≤ :data:`CHAIN_MAX_MEAN`:
    e^(−λ) Σ_{j ≤ k} λ^j/j!, the terms by t_j = t_{j−1}·λ/j (e^(−100) is far from underflow).
    Within 4e-15 of ``scipy.stats.poisson.cdf`` (1e-13 relative), five decimal orders finer
    than the 32-bit grid it is put on (``tests/test_multinomial.py``)."""
    lam = np.asarray(lam, dtype=float)
    steps = np.vstack([np.exp(-lam)[None, :], lam[None, :] / np.arange(1, L, dtype=float)[:, None]])
    return np.minimum(np.cumsum(np.cumprod(steps, axis=0), axis=0), 1.0)


def _chain_width(need: np.ndarray) -> np.ndarray:
    """Comparisons per draw: each column's ``need`` rounded up to a few fixed widths, each
    width shared by at least :data:`MIN_CHAIN_COLUMNS` columns where possible (a group's
    per-call costs, not its draws, dominate when it has few)."""
    widths = np.array([2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64, 96, 128])
    width = widths[np.minimum(np.searchsorted(widths, need), len(widths) - 1)]
    values, counts = np.unique(width, return_counts=True)
    merged, pending = {}, []
    for w, k in zip(values, counts):  # narrowest first; a group joins the next wider ones
        pending.append((w, k))        # until they hold enough columns (the last: whatever is left)
        if sum(k for _, k in pending) >= MIN_CHAIN_COLUMNS or w == values[-1]:
            merged.update({v: w for v, _ in pending})
            pending = []
    return np.array([merged[w] for w in width], dtype=np.int64)


def _chains(lam: np.ndarray, first: np.ndarray, width: np.ndarray) -> tuple[tuple, np.ndarray]:
    """The chain groups over columns sorted by width, and the (L, k) table of every column's
    CDF on the 32-bit grid, t(j) = min(round(F(j)·2³²), 2³² − 1), ending in a sentinel 2³²
    that every 32-bit uniform lies below."""
    L = _rows(lam.max()) if len(lam) else 1
    values, inverse = np.unique(lam, return_inverse=True)
    F = _poisson_cdf(L, values)
    table = np.minimum(np.round(F * _GRID), _GRID - 1).astype(np.uint64)[:, inverse]
    table[-1] = _GRID
    groups = []
    for K in np.unique(width):
        cols = np.flatnonzero(width == K)
        a, z = int(cols[0]), int(cols[-1]) + 1
        f = np.minimum(first[a:z], L - 1 - K)
        thresholds = table[f[None, :] + np.arange(K)[:, None], np.arange(a, z)[None, :]].astype(np.uint32)
        groups.append((a, z, f, thresholds))
    return tuple(groups), table


def _uniform32(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """Uniform 32-bit integers: the bit generator's 64-bit words split in two where its raw
    output is 64 bits wide (as numpy's own 32-bit draws do), else ``rng.integers``."""
    if isinstance(rng.bit_generator, _RAW64):
        size = int(np.prod(shape))
        return rng.bit_generator.random_raw((size + 1) // 2).view(np.uint32)[:size].reshape(shape)
    return rng.integers(0, _GRID, size=shape, dtype=np.uint32)


def _inverse_poisson(plan: CountPlan, a: int, z: int, first: np.ndarray, thresholds: np.ndarray,
                     out: np.ndarray, rng: np.random.Generator, work: "Workspace") -> None:
    """Poisson counts of columns ``[a, z)`` into ``out`` (c, z − a) by inversion on the
    32-bit grid, X = min{k : u < t(k)}: u is compared with t(first + j), j < K, on every draw;
    a draw below the first or past the last goes on one comparison at a time (sequential
    search, Devroye 1986, §III.2)."""
    K = thresholds.shape[0]
    u = _uniform32(out.shape, rng)
    low: np.ndarray | None
    count, step, low = (work.view(name, out.shape) for name in ("count", "step", "low"))
    np.greater_equal(u, thresholds[0], out=count.view(bool))
    if first.any():
        np.logical_not(count.view(bool), out=low)  # u < t(first): X ≤ first, searched downwards
    else:
        low = None
    if K == 1:
        np.copyto(step, count.view(bool))
    for j in range(1, K):
        np.greater_equal(u, thresholds[j], out=step)
        np.add(count, step.view(np.uint8), out=count)
    if low is None:
        np.copyto(out, count)
    else:
        np.add(count, first.astype(np.float32), out=out)
    for tail, start, move in ((step, first + K, 1), (low, first, -1)):  # step: u ≥ t(first + K − 1)
        if tail is not None:
            flat = np.flatnonzero(tail)  # (2-D nonzero is ten times slower)
            if flat.size:
                rows, cols = np.divmod(flat, z - a)
                uu = u.ravel()[flat].astype(np.uint64)
                out[rows, cols] = _search(plan.table[:, a:z], uu, cols, start[cols], move)


def _search(table: np.ndarray, u: np.ndarray, cols: np.ndarray, k: np.ndarray, move: int) -> np.ndarray:
    """Sequential search from k: upwards while u ≥ t(k); downwards while u < t(k − 1)."""
    k = k.copy()
    while True:
        more = u >= table[k, cols] if move > 0 else (k > 0) & (u < table[np.maximum(k - 1, 0), cols])
        if not more.any():
            return k
        k += move * more


def _poisson_block(plan: CountPlan, X: np.ndarray, rng: np.random.Generator, work: "Workspace") -> np.ndarray:
    """Poisson counts of the Poissonised units into ``X[:, :Up]``; returns their (c, Hp)
    stratum sums. A row whose stratum sum overshoots its draws is drawn again."""
    Up, n_chain = plan.n_poisson, plan.n_chain
    for a, z, first, thresholds in plan.chains:
        _inverse_poisson(plan, a, z, first, thresholds, X[:, a:z], rng, work)
    if Up > n_chain:
        X[:, n_chain:Up] = rng.poisson(plan.lam[n_chain:], size=(X.shape[0], Up - n_chain))
    S = X[:, :Up] @ plan.G  # exact: integer sums below 2²⁴
    while True:
        rows, strata = np.nonzero(S > plan.p_m)
        if not rows.size:
            return S
        cols = [np.flatnonzero(plan.G[:, h]) for h in strata]
        r, k = np.repeat(rows, [len(c) for c in cols]), np.concatenate(cols)
        X[r, k] = rng.poisson(plan.lam[k])
        S[rows] = X[rows, :Up] @ plan.G


def _add_draws(X: np.ndarray, lo, width, row_offset, case_col: np.ndarray, u: np.ndarray) -> None:
    """Count index draws into ``X`` (c, U): draw i picks case position lo + ⌊u·width/2³²⌋,
    u a 32-bit uniform (Lemire's multiply-shift: each of a stratum's cases with probability
    within 2⁻³² of 1/width), in its replicate (``row_offset`` = replicate · U); the
    arguments broadcast together."""
    j = u.astype(np.uint64)  # in place from here: fresh temporaries cost page faults
    j *= width  # uint64
    j >>= np.uint64(32)
    j = j.view(np.int64)
    j += lo
    cell = case_col[j]
    cell += row_offset
    np.add.at(X.reshape(-1), cell.ravel(), np.float32(1))  # unbuffered: repeats all count


def _top_up(plan: CountPlan, X: np.ndarray, short: np.ndarray, rng: np.random.Generator) -> None:
    """Index draws for each Poisson stratum's shortfall ``short`` (c, Hp), all ≥ 0, one
    stratum at a time (small temporaries: large fresh ones cost page faults)."""
    U = X.shape[1]
    u = _uniform32((int(short.sum()),), rng)
    ends = np.cumsum(short.sum(axis=0))
    for h in range(short.shape[1]):
        row_offset = np.repeat(np.arange(0, X.shape[0] * U, U), short[:, h])
        _add_draws(X, plan.p_lo[h], plan.p_n[h], row_offset, plan.case_col,
                   u[ends[h] - len(row_offset):ends[h]])


class Workspace:
    """Buffers that :func:`draw_counts` reuses from chunk to chunk: a fresh array of a few
    megabytes costs a page fault per 4 kB on first touch, as much as drawing into it."""

    def __init__(self, plan: CountPlan, rows: int):
        self.X = np.empty((rows, plan.units), dtype=np.float32)
        widest = max((z - a for a, z, _, _ in plan.chains), default=0)
        self._flat = {"count": np.empty(rows * widest, dtype=np.uint8),
                      "step": np.empty(rows * widest, dtype=bool),
                      "low": np.empty(rows * widest, dtype=bool)}

    def view(self, name: str, shape: tuple) -> np.ndarray:
        """A contiguous ``shape`` view of buffer ``name``."""
        return self._flat[name][:int(np.prod(shape))].reshape(shape)


def draw_counts(plan: CountPlan, c: int, rng: np.random.Generator,
                work: Workspace | None = None, fast: bool = False) -> np.ndarray:
    """(c, U) float32 counts (exact integers) of ``c`` replicates in plan column order; each
    stratum's counts are Multinomial(m_h, c_u/n_h), independently of the others. With
    ``work`` (sized for at least c rows) the counts are written into ``work.X[:c]``. With
    ``fast`` (see :func:`~sampling.stats._kernels.use_kernels`) the index draws are counted
    by a compiled loop: the same counts from the same uniforms."""
    U = plan.units
    work = Workspace(plan, c) if work is None else work
    X = work.X[:c]
    X[:, plan.n_poisson:] = 0.0  # the Poisson columns are all written over
    if plan.n_poisson:
        S = _poisson_block(plan, X, rng, work)
        _top_up(plan, X, (plan.p_m[None, :] - S).astype(np.int64), rng)
    if len(plan.i_m):
        h = np.repeat(np.arange(len(plan.i_m)), plan.i_m)
        u = _uniform32((c, len(h)), rng)
        if fast and _kernels.add_draws_grid(X.reshape(-1), plan.i_lo[h], plan.i_n[h], U, plan.case_col, u):
            return X
        _add_draws(X, plan.i_lo[h][None, :], plan.i_n[h][None, :], (np.arange(c) * U)[:, None],
                   plan.case_col, u)
    return X
