"""The optional compiled index draw (the ``fast`` extra, numba): the same counts as the numpy
index draw from the same uniforms, and the same intervals as the numpy default within Monte
Carlo error. Skipped where numba is not installed."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

pytest.importorskip("numba")

from sampling.stats import _kernels  # noqa: E402

counts = importlib.import_module("sampling.stats._multinomial")
STRATA = [[1, 1, 1, 2, 3, 5, 40, 200], [4] * 10, [1] * 25, [3, 2]]
DRAWS = [253, 39, 25, 5]


def _plan():
    flat = np.concatenate([np.asarray(c) for c in STRATA])
    ends = np.cumsum([len(c) for c in STRATA])
    return counts.count_plan(flat, list(zip(np.r_[0, ends[:-1]], ends)), DRAWS, poisson=False)


def test_the_kernel_counts_the_same_uniforms_as_numpy(monkeypatch):
    monkeypatch.setattr(_kernels, "MIN_DRAWS", 0)
    assert _kernels.use_kernels(1)
    plan = _plan()
    assert plan.n_poisson == 0
    a = counts.draw_counts(plan, 3000, np.random.default_rng(7)).copy()
    b = counts.draw_counts(plan, 3000, np.random.default_rng(7), fast=True)
    assert np.array_equal(a, b)
    start = 0
    for c_u, m in zip(STRATA, DRAWS):
        assert (b[:, start:start + len(c_u)].sum(axis=1) == m).all()
        start += len(c_u)


def test_small_work_stays_on_numpy():
    assert not _kernels.use_kernels(140 * 10_000)


@pytest.mark.parametrize("strata", [False, True])
def test_the_fast_path_gives_the_numpy_intervals_within_monte_carlo_error(monkeypatch, strata):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import bench_intervals

    from sampling.rating._ratings import rate
    from sampling.results._results import load_results

    df = bench_intervals.synthetic_cases(600, 3)
    res = load_results(df, strata={"case_supervision": ["gender", "rosh"]}) if strata else load_results(df)
    figures = {}
    for mode, limit in (("numpy", 10 ** 18), ("fast", 0)):
        monkeypatch.setattr(_kernels, "MIN_DRAWS", limit)
        a = rate(res, method="bca", n_resamples=20_000, rng=5, partial=True).key_questions
        figures[mode] = a[["low", "high"]].to_numpy(float)
    # B = 20,000: an 80% bound's Monte Carlo error is well below half a percentage point here
    gap = np.nanmax(np.abs(figures["numpy"] - figures["fast"]))
    assert 0 < gap < 0.6, gap  # not zero: the fast path did run, on its own stream
