"""The Pólya urn's unseen counts drawn as uniform compositions (``sampling/stats/_polya.py``,
issue 24) against closed forms: the Dirichlet-multinomial per case and per answer pattern,
the beta-binomial of one key question, an exact enumeration of the joint of two, cells with
their own unseen cases, and the Gamma-and-multinomial route on the same checks.

Goodness of fit is Pearson's chi-square over cells pooled to an expected count of at least 5,
each check on a fixed seed failing below p = 10⁻³."""
from __future__ import annotations

import itertools
import sys
from math import comb, lgamma
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sampling.estimation import _posterior
from sampling.estimation._posterior import posterior_draws, unit_populations
from sampling.results._design import as_design
from sampling.results._results import load_results
from sampling.stats import _polya
from sampling.stats._polya import compositions_pay, uniform_compositions

sys.path.insert(0, str(Path(__file__).parent))
from test_intervals import cases, yes_no  # noqa: E402  (the case-table builders)

ALPHA = 1e-3


def chi_square_p(observed: np.ndarray, expected_p: np.ndarray) -> float:
    """Pearson's chi-square p-value of counts against probabilities, cells pooled (in order)
    until each expects at least 5."""
    observed, expected = np.ravel(observed).astype(float), np.ravel(expected_p) * np.sum(observed)
    assert expected.sum() == pytest.approx(observed.sum(), rel=1e-9)
    obs, exp, o, e = [], [], 0.0, 0.0
    for a, b in zip(observed, expected):
        o, e = o + a, e + b
        if e >= 5:
            obs.append(o), exp.append(e)
            o, e = 0.0, 0.0
    if e > 0:
        obs[-1] += o
        exp[-1] += e
    return float(stats.chisquare(obs, exp).pvalue)


def dirmult_pmf(x, c) -> float:
    """Dirichlet-multinomial probability of counts x given the urn's seed counts c."""
    m, a = sum(x), sum(c)
    log = lgamma(m + 1) + lgamma(a) - lgamma(m + a)
    log += sum(lgamma(xi + ci) - lgamma(ci) - lgamma(xi + 1) for xi, ci in zip(x, c))
    return float(np.exp(log))


@pytest.fixture(params=["compositions", "multinomial"])
def route(request, monkeypatch):
    """Run a posterior check through each route of ``_sample_totals``."""
    if request.param == "multinomial":
        monkeypatch.setattr(_posterior, "compositions_pay", lambda *a: False)
    return request.param


# --------------------------------------------------------------------------- the compositions
def test_compositions_are_uniform_per_cell_and_independent_across_cells():
    """Cells (M_h, n_h) = (7, 3), (0, 2), (4, 1), (6, 2): every composition of a cell equally
    likely (1 / C(M + n − 1, n − 1)), a cell with no unseen case all zeros, one case takes
    all, and two cells' compositions independent (their joint against the product)."""
    M, n, B = np.array([7, 0, 4, 6]), np.array([3, 2, 1, 2]), 60_000
    x = uniform_compositions(M, n, B, np.random.default_rng(11)).astype(int)
    assert x.shape == (B, 8)
    np.testing.assert_array_equal(x[:, 3:5], 0)
    np.testing.assert_array_equal(x[:, 5], 4)
    np.testing.assert_array_equal(x[:, :3].sum(axis=1), 7)
    np.testing.assert_array_equal(x[:, 6:].sum(axis=1), 6)
    assert x.min() >= 0
    key = x[:, 0] * 8 + x[:, 1]  # the first cell's composition (its third part follows)
    seen = np.bincount(key, minlength=64)[[a * 8 + b for a in range(8) for b in range(8 - a)]]
    assert seen.sum() == B and len(seen) == comb(9, 2)
    assert chi_square_p(seen, np.full(len(seen), 1 / len(seen))) > ALPHA
    joint = np.zeros((8, 7))
    np.add.at(joint, (x[:, 0], x[:, 6]), 1)
    first = stats.betabinom(7, 1, 2).pmf(np.arange(8))  # a case's share of a cell: DirMult marginal
    last = np.full(7, 1 / 7)
    assert chi_square_p(joint, np.outer(first, last)) > ALPHA


def test_membership_by_matrix_and_by_comparison_give_the_same_draws(monkeypatch):
    """Floyd's algorithm asks whether a position was taken: of the earlier choices or of a
    membership matrix; the answer is the same, so the draws are too."""
    M, n = np.array([40, 300, 5]), np.array([9, 60, 1])
    a = uniform_compositions(M, n, 500, np.random.default_rng(3))
    monkeypatch.setattr(_polya, "COMPARE_MAX", 0)
    b = uniform_compositions(M, n, 500, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    # and a composition's parts over a big cell keep the DirMult(M; 1, …, 1) marginal
    B = 20_000
    x = uniform_compositions(np.array([300]), np.array([60]), B, np.random.default_rng(4))[:, 0].astype(int)
    assert chi_square_p(np.bincount(x, minlength=301), stats.betabinom(300, 1, 59).pmf(np.arange(301))) > ALPHA


def test_products_with_weights_are_those_of_the_counts():
    """``weights=`` gives counts @ weights from the bars' positions: the same numbers (whole
    numbers, so exactly), a cell with no unseen case included."""
    M, n = np.array([7, 0, 40, 4]), np.array([3, 2, 12, 1])
    w = np.random.default_rng(2).integers(0, 2, size=(int(n.sum()), 5)).astype(float)
    x = uniform_compositions(M, n, 300, np.random.default_rng(6))
    np.testing.assert_array_equal(uniform_compositions(M, n, 300, np.random.default_rng(6), weights=w), x @ w)
    none = uniform_compositions(np.array([0]), np.array([3]), 4, np.random.default_rng(1), weights=w[:3])
    np.testing.assert_array_equal(none, np.zeros((4, 5)))


def test_the_routes_are_chosen_by_cost():
    """Compositions for the cells of an inspection sample; the multinomial where many cases
    share few answer patterns (one binomial per pattern against one integer per case)."""
    assert compositions_pay(np.array([2860]), np.array([140]), 140, 10_000)
    assert compositions_pay(np.array([436, 584, 0]), np.array([21, 29, 2]), 50, 10_000)
    assert not compositions_pay(np.array([2860]), np.array([140]), 2, 10_000)
    assert not compositions_pay(np.array([0, 0]), np.array([5, 5]), 10, 10_000)


# --------------------------------------------------------------------------- the posterior
def test_one_question_unseen_yes_count_is_beta_binomial(route):
    """x yes of n sampled, N known: the unseen yes count is BetaBinomial(N − n, x, n − x)."""
    x, n, N, B = 35, 54, 140, 40_000
    r = load_results(cases({"4.1.3": yes_no(x, n, np.random.default_rng(3))}, n), population=N)
    v = posterior_draws(as_design(r, None, None), B, np.random.default_rng(5)).values[:, 0]
    K = np.round(v * N / 100 - x).astype(int)
    np.testing.assert_allclose(v * N / 100 - x, K, atol=1e-9)
    ref = stats.betabinom(N - n, x, n - x).pmf(np.arange(N - n + 1))
    assert chi_square_p(np.bincount(K, minlength=N - n + 1), ref) > ALPHA


def test_two_questions_jointly_match_the_dirichlet_multinomial(route):
    """Five cases answer (yes, yes) twice, (yes, no), (no, yes) and (no, no); N = 9. The four
    unseen cases' pattern counts are DirMult(4; 2, 1, 1, 1): enumerated exactly, they give
    the joint of the two questions' unseen yes counts, which 40,000 draws must match."""
    q1 = np.array(["yes", "yes", "yes", "no", "no"], dtype=object)
    q2 = np.array(["yes", "yes", "no", "yes", "no"], dtype=object)
    r = load_results(cases({"4.1.1": q1, "4.1.3": q2}, 5), population=9)
    assert compositions_pay(np.array([4]), np.array([5]), 4, 40_000)
    v = posterior_draws(as_design(r, None, None), 40_000, np.random.default_rng(7)).values
    K = np.round(v * 9 / 100 - 3).astype(int)  # each question: 3 yes of the 5 sampled
    seen = np.zeros((5, 5))
    np.add.at(seen, (K[:, 0], K[:, 1]), 1)
    exact = np.zeros((5, 5))
    for x in itertools.product(range(5), repeat=4):  # (yes yes, yes no, no yes, no no)
        if sum(x) == 4:
            exact[x[0] + x[1], x[0] + x[2]] += dirmult_pmf(x, (2, 1, 1, 1))
    assert exact.sum() == pytest.approx(1.0)
    assert chi_square_p(seen, exact) > ALPHA


def test_design_weighted_cells_draw_their_own_unseen_cases(route):
    """Design A of tests/test_weights.py (four cells, N_h known): cell h's unseen yes count is
    BetaBinomial(N_h − n_h, x_h, n_h − x_h), independently, so the population's yes count
    minus the sample's is their convolution, computed exactly."""
    from test_weights import design_results

    r = design_results("A")
    design = as_design(r, None, None)
    pt = design.units[0]
    group, unseen, finite = unit_populations(pt)
    q1 = pt.Yp[:, 0] * pt.counts
    x_h = np.bincount(group, weights=q1).astype(int)
    n_h = np.bincount(group, weights=pt.counts).astype(int)
    assert finite and unseen.tolist() == [11, 9, 6, 5] and x_h.tolist() == [5, 5, 1, 2]
    pmf = np.ones(1)
    for M, x, n in zip(unseen, x_h, n_h):
        pmf = np.convolve(pmf, stats.betabinom(int(M), x, n - x).pmf(np.arange(M + 1)))
    B = 40_000
    v = posterior_draws(design, B, np.random.default_rng(9)).values[:, 0]
    K = np.round(v * 56 / 100 - x_h.sum()).astype(int)
    np.testing.assert_allclose(v * 56 / 100 - x_h.sum(), K, atol=1e-9)
    assert chi_square_p(np.bincount(K, minlength=len(pmf)), pmf) > ALPHA


def test_stratified_bayesian_bootstrap_mixes_the_strata_betas():
    """N unknown, three strata: the population share is Σ_h (n_h/n) p_h with p_h ~
    Beta(x_h, n_h − x_h) independent (Rubin 1981 within each stratum)."""
    n_h, x_h, B = np.array([33, 50, 49]), np.array([20, 30, 15]), 40_000
    answers = np.concatenate([yes_no(x, n) for x, n in zip(x_h, n_h)])
    df = cases({"2.1.1": answers}, int(n_h.sum()), rosh=np.repeat(["high", "medium", "low"], n_h))
    r = load_results(df, strata=["rosh"])
    p = posterior_draws(as_design(r, None, None), B, np.random.default_rng(10)).values[:, 0] / 100
    w = n_h / n_h.sum()
    betas = [stats.beta(x, n - x) for x, n in zip(x_h, n_h)]
    mean = sum(wi * b.mean() for wi, b in zip(w, betas))
    var = sum(wi ** 2 * b.var() for wi, b in zip(w, betas))
    assert p.mean() == pytest.approx(mean, abs=4 * np.sqrt(var / B))
    assert p.var() == pytest.approx(var, rel=0.04)



def test_gamma_weights_have_their_shapes():
    """The Dirichlet weights' Gamma(c_p) draws: Exp(1) for c_p = 1, two exponentials summed
    for c_p = 2, numpy's sampler beyond; each column against its Gamma (Kolmogorov–Smirnov)."""
    c = np.array([1.0, 2.0, 3.0, 2.0, 7.0])
    g = _posterior._gammas(c, 20_000, np.random.default_rng(12))
    for j, shape in enumerate(c):
        assert stats.kstest(g[:, j], stats.gamma(shape).cdf).pvalue > ALPHA, j
    assert abs(np.corrcoef(g[:, 1], g[:, 3])[0, 1]) < 0.03  # independent columns
