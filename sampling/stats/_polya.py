"""Exact draws of the Pólya urn's unseen counts over the sampled cases, many cells at once.

An urn seeded with n cases (one ball each) that draws M more, putting back each ball drawn
with one more like it, ends with unseen counts DirMult(M; 1, …, 1) over the n cases. That
distribution is uniform over the C(M + n − 1, n − 1) compositions of M into n parts:
P(x) = M! Γ(n) / Γ(M + n) · Π Γ(x_i + 1) / x_i! = 1 / C(M + n − 1, n − 1). By stars and bars
(Feller 1968, §II.5) a composition is an (n − 1)-subset of the M + n − 1 positions of a row
(the bars; the parts are the runs of stars between them), so a uniform subset gives a
uniform composition. :func:`uniform_compositions` draws the subsets with Floyd's algorithm
(Bentley & Floyd 1987): for j = L − k, …, L − 1 take t uniform on {0, …, j}, and j itself
if t was taken already — k uniform integers for a uniform k-subset of {0, …, L − 1}, no
rejection. Each step is a few vector operations over the draws. Whether t was taken is
asked of the cell's earlier choices (a comparison with each: k²/2 per draw, cheap for the
cells of an inspection sample) or, for a cell of more than :data:`COMPARE_MAX` cases, of a
boolean (draws × positions) membership matrix; both answer the same question, so they give
the same draws from the same stream. The cells of one call lie side by side in one row,
each block closed by a bar of its own, so all the chosen positions are sorted once and
differenced into every cell's independent composition.

Counts per answer pattern follow by adding up the cases of each pattern (the aggregation
property of the Dirichlet-multinomial): DirMult(M; c_1, …, c_P) with c_p the cases of
pattern p, which is what the Gamma-and-multinomial route draws in
:mod:`sampling.estimation._posterior`. That route costs one binomial per pattern and draw,
this one a uniform integer and the comparisons per case and draw, so
:func:`compositions_pay` picks this one unless many cases share an answer pattern or a cell
holds thousands of cases.

References
----------
.. [1] Bentley, J. & Floyd, R. W. (1987). Programming pearls: a sample of brilliance.
   *Communications of the ACM* 30(9), 754–757 (Floyd's algorithm for a random subset).
.. [2] Feller, W. (1968). *An Introduction to Probability Theory and Its Applications*,
   vol. 1, 3rd ed., §II.5 (occupancy: stars and bars). Wiley.
.. [3] Johnson, N. L., Kotz, S. & Balakrishnan, N. (1997). *Discrete Multivariate
   Distributions*, ch. 40 (the Dirichlet-multinomial and the Pólya urn). Wiley.
"""
from __future__ import annotations

import numpy as np

__all__ = ["uniform_compositions", "compositions_pay", "draws_per_chunk", "COMPARE_MAX", "MATRIX_BYTES"]

#: cells of more cases than this find earlier choices in a membership matrix, not by comparison
COMPARE_MAX = 256
#: bytes of one cell's boolean membership matrix per chunk of draws
MATRIX_BYTES = 16_000_000
#: measured costs (ns per draw) of one Floyd step, one comparison with an earlier choice,
#: one step with a membership matrix, and one binomial draw of the multinomial route; and
#: of one vector step (ns per chunk of draws)
_STEP_NS, _COMPARE_NS, _MATRIX_STEP_NS, _BINOMIAL_NS, _CALL_NS = 7.0, 0.22, 37.0, 100.0, 10_000.0


def _layout(total: np.ndarray, parts: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Block lengths L_h = M_h + n_h − 1, their offsets (a closing bar after each), row width."""
    length = total + parts - 1
    off = np.r_[0, np.cumsum(length + 1)[:-1]]
    return length, off, int(length.sum() + len(length) - 1)


def draws_per_chunk(total: np.ndarray, parts: np.ndarray) -> int:
    """The draws whose membership matrices fit :data:`MATRIX_BYTES` (at least one)."""
    total, parts = np.asarray(total), np.asarray(parts)
    big = (total > 0) & (parts - 1 > COMPARE_MAX)
    if not big.any():
        return 1 << 30
    return max(1, MATRIX_BYTES // int((total + parts)[big].max()))


def compositions_pay(total: np.ndarray, parts: np.ndarray, patterns: int, draws: int) -> bool:
    """Whether :func:`uniform_compositions` (in chunks of :func:`draws_per_chunk`) is
    expected to beat one multinomial per cell and draw, with ``total`` and ``parts`` as
    there and ``patterns`` the categories of those multinomials (Σ_h of the answer patterns
    in the cells with unseen cases)."""
    total, parts = np.asarray(total), np.asarray(parts)
    live = total > 0
    if not live.any():
        return False
    k = (parts[live] - 1).astype(float)
    small = k <= COMPARE_MAX
    per_draw = (_STEP_NS * k.sum() + _COMPARE_NS * (k[small] ** 2).sum() / 2
                + _MATRIX_STEP_NS * k[~small].sum())
    chunks = -(-draws // min(draws, draws_per_chunk(total, parts)))
    ours = draws * per_draw + chunks * k.sum() * _CALL_NS
    theirs = draws * _BINOMIAL_NS * max(patterns - int(live.sum()), 0)
    return bool(ours < theirs)


def uniform_compositions(total: np.ndarray, parts: np.ndarray, m: int, rng: np.random.Generator,
                         weights: np.ndarray | None = None) -> np.ndarray:
    """``m`` independent draws, per cell h, of a uniform composition of ``total[h]`` into
    ``parts[h]`` parts: DirMult(total[h]; 1, …, 1), the Pólya urn's unseen counts over
    ``parts[h]`` sampled cases.

    Parameters
    ----------
    total : ndarray of int, shape (H,)
        Unseen cases M_h of each cell (≥ 0).
    parts : ndarray of int, shape (H,)
        Sampled cases n_h of each cell (≥ 1).
    m : int
        Number of draws (a cell of more than :data:`COMPARE_MAX` cases holds an
        m × (M_h + n_h) byte matrix: see :func:`draws_per_chunk`).
    rng : numpy.random.Generator
    weights : ndarray, shape (Σ_h n_h, q), optional
        Return the counts' products with these (the counts @ weights) instead, computed from
        the bars' positions: a part is the gap between two bars, so the product is the
        positions times the weights' differences, with no counts array.

    Returns
    -------
    ndarray of float, shape (m, Σ_h n_h) or (m, q)
        The counts, the cells' cases side by side in cell order (each row's cell-h block
        sums to M_h); or their products with ``weights``.

    Examples
    --------
    >>> import numpy as np
    >>> x = uniform_compositions(np.array([5, 0, 3]), np.array([2, 1, 3]), 4, np.random.default_rng(1))
    >>> x.shape, x[:, :2].sum(axis=1).tolist(), x[:, 2].tolist(), x[:, 3:].sum(axis=1).tolist()
    ((4, 6), [5.0, 5.0, 5.0, 5.0], [0.0, 0.0, 0.0, 0.0], [3.0, 3.0, 3.0, 3.0])
    """
    total, parts = np.asarray(total, dtype=np.int64), np.asarray(parts, dtype=np.int64)
    live = np.flatnonzero(total > 0)
    starts = np.r_[0, np.cumsum(parts)[:-1]]
    case = (np.concatenate([np.arange(starts[h], starts[h] + parts[h]) for h in live]) if live.size
            else np.zeros(0, dtype=np.int64))
    if weights is not None:
        w = np.asarray(weights, dtype=float)[case]
        if not live.size or not m:
            return np.zeros((m, w.shape[1]))
    elif not live.size or not m:
        return np.zeros((m, int(parts.sum())))
    length, off, width = _layout(total[live], parts[live])
    bars = _bars(length, off, parts[live] - 1, width, m, rng)
    # the row's bars in order: a start (-1), each cell's bars and closing bar, an end (width)
    cell_end = np.cumsum(parts[live])
    fixed = np.r_[0, cell_end]
    edge = np.r_[-1, (off + length)[:-1], width].astype(float)
    moving = np.ones(int(cell_end[-1]) + 1, dtype=bool)
    moving[fixed] = False
    if weights is None:
        ext = np.empty((m, len(moving)))
        ext[:, fixed], ext[:, moving] = edge, bars
        counts = np.diff(ext, axis=1)
        counts -= 1
        out = np.zeros((m, int(parts.sum())))
        out[:, case] = counts
        return out
    # Σ_i (e_{i+1} − e_i − 1) w_i = Σ_j e_j (w_{j−1} − w_j) − Σ_i w_i, with w_{−1} = w_n = 0
    zero = np.zeros((1, w.shape[1]))
    d = np.vstack([zero, w]) - np.vstack([w, zero])
    return bars.astype(float) @ d[moving] + (edge @ d[fixed] - w.sum(axis=0))


def _bars(length: np.ndarray, off: np.ndarray, k: np.ndarray, width: int, m: int,
          rng: np.random.Generator) -> np.ndarray:
    """(m, Σ k) sorted positions in a row of ``width``: per block h, Floyd's uniform
    k_h-subset of its L_h positions, shifted by its offset."""
    dtype = np.int32 if width < 2 ** 31 else np.int64
    chosen = np.empty((int(k.sum()), m), dtype=dtype)
    i = 0
    for h in np.flatnonzero(k > 0):
        block = chosen[i:i + k[h]]
        (_floyd_compare if k[h] <= COMPARE_MAX else _floyd_matrix)(int(length[h]), block, rng)
        block += off[h]
        i += k[h]
    pos = np.ascontiguousarray(chosen.T)
    pos.sort(axis=1)
    return pos


def _floyd_compare(L: int, out: np.ndarray, rng: np.random.Generator) -> None:
    """Floyd's k-subset of {0, …, L − 1} into ``out`` (k, m), in order of choice: whether t
    was taken is asked of the earlier rows."""
    k, m = out.shape
    for s, j in enumerate(range(L - k, L)):
        t = rng.integers(0, j + 1, size=m, dtype=out.dtype)
        if s:
            np.putmask(t, (out[:s] == t).any(axis=0), j)
        out[s] = t


def _floyd_matrix(L: int, out: np.ndarray, rng: np.random.Generator) -> None:
    """As :func:`_floyd_compare`, asking an (m × L) membership matrix."""
    k, m = out.shape
    dtype = np.int32 if m * L < 2 ** 31 else np.int64
    taken = np.zeros(m * L, dtype=bool)
    rows = np.arange(m, dtype=dtype) * L
    for s, j in enumerate(range(L - k, L)):
        t = np.asarray(rng.integers(0, j + 1, size=m, dtype=dtype)) + rows
        t = np.where(taken[t], rows + j, t)
        taken[t] = True
        out[s] = t - rows
