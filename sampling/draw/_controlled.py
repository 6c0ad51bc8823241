"""Controlled rounding of the joint cells by exact dynamic programming, without scipy.

:func:`sampling.draw._allocate._rounded` rounds up K of the m cells with a fractional share
(x_c ∈ {0, 1}, Σ x_c = K), choosing lexicographically (1) the smallest total absolute deviation
Σ_j |Σ_{c ∈ g_j} x_c − need_j| of the margin categories g_j from their targets, (2) the largest
total remainder Σ rem_c·x_c, (3) the smallest total rank Σ rank_c·x_c. :func:`exact_round`
solves that problem exactly by dynamic programming over the cells in order: a state is the
number of cells rounded up so far and the counts of the margin categories still *open* (with
a cell both before and after it); a category's deviation is added when its last cell is
passed and its count dropped from the state. Of all ways of reaching a state only the
lexicographically best (deviation, −remainder, rank) is kept, since what follows depends on
the state alone (Bellman 1957). Each step is a few numpy sorts over the states.

It answers only when that optimum is attained by exactly one rounding: then it is the very
rounding the integer programme (``scipy.optimize.milp`` with a zero gap, three stages) must
return, so the draw is the same; with a tie left after the three criteria, or more states
than :data:`MAX_STATES`, it returns None and the caller solves the integer programme.
``tests/test_allocate.py`` compares the two on random tables.

References
----------
.. [1] Bellman, R. (1957). *Dynamic Programming*. Princeton University Press.
.. [2] Cox, L. H. & Ernst, L. R. (1982). Controlled rounding. *INFOR* 20, 423–432.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["MAX_STATES", "exact_round"]

#: the most states (summed over the cells) one pass may visit before the integer programme is
#: used instead: a few milliseconds of sorting, where the integer programme costs its import
#: (a quarter of a second) and three solves
MAX_STATES = 50_000


def _best_per_key(key, dev, gain, rank, ways):
    """Per distinct key: the index of its lexicographically best entry (smallest deviation,
    then largest gain, then smallest rank) and how many ways reach exactly that best (≤ 2)."""
    order = np.lexsort((rank, -gain, dev, key))
    k = key[order]
    head = np.r_[True, k[1:] != k[:-1]]
    group = np.cumsum(head) - 1
    best = order[head]
    b = best[group]
    tie = (dev[order] == dev[b]) & (gain[order] == gain[b]) & (rank[order] == rank[b])
    count = np.bincount(group, weights=np.where(tie, ways[order], 0), minlength=len(best))
    return best, np.minimum(count, 2).astype(np.int64)


def exact_round(K: int, groups: Sequence[Sequence[int]], need: Sequence[float], remainders: Sequence[int],
                ranks: Sequence[int], max_states: int = MAX_STATES) -> tuple | None:
    """The unique optimal 0/1 rounding (see the module notes) as a tuple of m ints, or None
    when the optimum is tied or the problem too large for the state limit (:data:`MAX_STATES`).

    The deviation is bounded first at 0, then 1, 2, …: a pass with bound D keeps only the
    states that can still finish within D (an open category already over its target, or
    short of it by more than its cells left, must deviate by that much), so the first pass
    that finishes has found the smallest deviation, and few states survive each pass."""
    m = len(remainders)
    members = [sorted(set(int(c) for c in g)) for g in groups]
    need_i = [int(round(float(v))) for v in need]
    cats_of: list[list[int]] = [[] for _ in range(m)]
    for j, g in enumerate(members):
        for c in g:
            cats_of[c].append(j)
    cells = np.arange(m)
    left_after = {j: len(g) - np.searchsorted(g, cells, side="right") for j, g in enumerate(members) if g}
    problem = (m, int(K), members, need_i, np.asarray(remainders, dtype=np.int64), np.asarray(ranks, dtype=np.int64),
               cats_of, left_after)
    worst = sum(abs(v) for v in need_i) + len(members) * int(K)
    for bound in range(worst + 1):
        out = _solve(problem, bound, max_states)
        if out is not _INFEASIBLE:
            return None if out is _TIED or out is _TOO_LARGE else out
    return None  # pragma: no cover - a deviation of at most ``worst`` is always feasible


_INFEASIBLE, _TIED, _TOO_LARGE = object(), object(), object()


def _solve(problem, bound: int, max_states: int):
    """One pass with the deviation bounded by ``bound``: the rounding, or _INFEASIBLE (no
    rounding within the bound), _TIED or _TOO_LARGE."""
    m, K, members, need_i, rem, rnk, cats_of, left_after = problem
    first = {j: g[0] for j, g in enumerate(members) if g}
    last = {j: g[-1] for j, g in enumerate(members) if g}
    base_dev = sum(abs(need_i[j]) for j, g in enumerate(members) if not g)
    if base_dev > bound:
        return _INFEASIBLE
    total = np.zeros(1, dtype=np.int64)
    counts: dict[int, np.ndarray] = {}
    dev = np.full(1, base_dev, dtype=np.int64)
    gain = np.zeros(1, dtype=np.int64)
    rank = np.zeros(1, dtype=np.int64)
    ways = np.ones(1, dtype=np.int64)
    steps, visited = [], 0
    for c in range(m):
        for j in (j for j, f in first.items() if f == c):
            counts[j] = np.zeros(len(total), dtype=np.int64)
        n = len(total)
        parent = np.r_[np.arange(n), np.arange(n)]
        up = np.r_[np.zeros(n, dtype=bool), np.ones(n, dtype=bool)]
        total = np.r_[total, total + 1]
        counts = {j: np.r_[v, v + 1] if j in cats_of[c] else np.r_[v, v] for j, v in counts.items()}
        dev, ways = np.r_[dev, dev], np.r_[ways, ways]
        gain, rank = np.r_[gain, gain + rem[c]], np.r_[rank, rank + rnk[c]]
        for j in [j for j in counts if last[j] == c]:
            dev = dev + np.abs(counts.pop(j) - need_i[j])
        low = dev.copy()  # the deviation already certain for the open categories
        for j, v in counts.items():
            r = left_after[j][c]
            low += np.maximum(v - need_i[j], 0) + np.maximum(need_i[j] - v - r, 0)
        ok = (total <= K) & (total + (m - 1 - c) >= K) & (low <= bound)
        idx = np.flatnonzero(ok)
        if not len(idx):
            return _INFEASIBLE
        key = total[idx]
        radix = K + 1
        for j, v in counts.items():
            key = key + v[idx] * radix
            radix *= len(members[j]) + 1
            if radix > 2 ** 62:
                return _TOO_LARGE
        best, w = _best_per_key(key, dev[idx], gain[idx], rank[idx], ways[idx])
        keep = idx[best]
        visited += len(keep)
        if visited > max_states:
            return _TOO_LARGE
        steps.append((parent[keep], up[keep]))
        total, dev, gain, rank = total[keep], dev[keep], gain[keep], rank[keep]
        counts = {j: v[keep] for j, v in counts.items()}
        ways = w
    if len(total) != 1 or ways[0] != 1:  # a tie: the integer programme decides, as it always has
        return _TIED
    x = np.zeros(m, dtype=np.int64)
    s = 0
    for c in range(m - 1, -1, -1):
        parent, up = steps[c]
        x[c] = int(up[s])
        s = int(parent[s])
    return tuple(int(v) for v in x)
