"""cases_to_settle: the stated number of further cases, checked against closed forms and by
simulation (benchmarks/settle_study.py is the longer study)."""
import numpy as np
import pytest

import sampling
from sampling.rating._settle import cases_to_settle_one
from sampling.stats._proportion import proportion_interval


def _clear(yes, n, edge, N=None):
    lo, hi = proportion_interval(yes, n, population=N)
    return edge < 100 * lo or edge > 100 * hi


def test_held_number_is_the_smallest_that_clears():
    m = cases_to_settle_one(60, 100, 64.5)
    assert _clear(round(0.6 * (100 + m)), 100 + m, 64.5)
    assert not _clear(round(0.6 * (99 + m)), 99 + m, 64.5)


def test_on_the_edge_is_not_feasible():
    assert cases_to_settle_one(50, 100, 50.0) is None
    assert cases_to_settle_one(60, 100, 64.5, available=10) is None


def test_finite_population_bounds_and_settles():
    # with N known, taking every remaining case is a census: the interval has zero width
    m = cases_to_settle_one(64, 100, 64.5, population=150)
    assert m is not None and m <= 50


def test_assurance_needs_more_than_holding_far_from_edge():
    held = cases_to_settle_one(55, 100, 64.5)
    assured = cases_to_settle_one(55, 100, 64.5, assurance=0.8)
    assert held is not None and assured is not None and assured >= held


def test_assessment_table_and_words():
    r = sampling.examples.seed_inspection()
    a = sampling.rate(r, n_resamples=500, rng=1)
    s = sampling.cases_to_settle(a, r)
    f = s.to_frame()
    assert set(f["standard"]) == set(a.standards.loc[a.standards["flagged"], "standard"]) & set(f["standard"])
    assert len(s.sentences()) == len(f)
    text = " ".join(s.sentences())
    assert "None" not in text and "nan" not in text


def test_simulation_assured_settles_more_often_than_held():
    rng = np.random.default_rng(3)
    N, n, eff = 300, 60, 64.5
    settled = {None: [], 0.8: []}
    for _ in range(150):
        p = rng.uniform(50, 80) / 100
        pop = np.zeros(N, bool)
        pop[: round(N * p)] = True
        rng.shuffle(pop)
        yes = int(pop[:n].sum())
        if _clear(yes, n, eff, N):
            continue
        for a in settled:
            m = cases_to_settle_one(yes, n, eff, population=N, assurance=a)
            if m is not None:
                settled[a].append(_clear(yes + int(pop[n:n + m].sum()), n + m, eff, N))
    held, assured = np.mean(settled[None]), np.mean(settled[0.8])
    assert 0.35 < held < 0.75          # about half, by construction
    assert assured > held and assured > 0.65


def test_predictive_is_scipys_beta_binomial():
    """The beta-binomial closed form equals scipy.stats.betabinom (analyse never imports scipy.stats)."""
    from scipy.stats import betabinom

    from sampling.rating._settle import _predictive

    for yes, n, m in ((30, 42, 14), (0, 10, 5), (99, 132, 200)):
        expect = betabinom.pmf(np.arange(m + 1), m, yes + 0.5, n - yes + 0.5)
        np.testing.assert_allclose(_predictive(yes, n, m), expect, rtol=1e-10, atol=1e-300)
