"""The stratified finite-population interval (issue 26): sampling.stats._stratified.

Checked against independent values: scipy's beta-binomial for one cell, the Monte Carlo Pólya
urn of sampling.estimation._posterior for a stratified design, and the brute-force
convolution of scipy's per-cell distributions.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import betabinom

import sampling
from sampling.errors import ArgumentError, SamplingError
from sampling.estimation._posterior import posterior_draws
from sampling.results._design import as_design
from sampling.stats._stratified import (betabinom_pmf, stratified_count_distribution, stratified_count_interval,
                                        stratified_proportion_interval)


def _scipy_limits(x, n, N, a, conf, mid):
    """Quantiles of x + U, U ~ BetaBinomial(N − n, x + a, n − x + a), straight from scipy; a a
    name: the design-matched BetaBinomial(N − n, p̂s, (1 − p̂)s), s = n − 1 − n/M (plug-in) or
    (n(M − 1) − 2M)/(M + 1) (unbiased)."""
    M = N - n
    if isinstance(a, str):
        s = n - 1 - n / M if a == "plug-in" else (n * (M - 1) - 2 * M) / (M + 1)
        p = betabinom.pmf(np.arange(M + 1), M, x * s / n, (n - x) * s / n)
    else:
        p = betabinom.pmf(np.arange(M + 1), M, x + a, n - x + a)
    c = np.cumsum(p)
    al = (1 - conf) / 2
    if mid:
        lo = np.flatnonzero(c - p / 2 >= al - 1e-12)[0]
        hi = np.flatnonzero(1 - c + p / 2 >= al - 1e-12)[-1]
    else:
        lo, hi = np.flatnonzero(c >= al - 1e-12)[0], np.flatnonzero(c >= 1 - al - 1e-12)[0]
    return x + lo, x + hi


@pytest.mark.parametrize("M,a,b", [(14, 30, 12), (537, 3.5, 80.5), (5000, 0.5, 100.5), (1, 0.5, 0.5), (60, 1, 1)])
def test_betabinom_pmf_is_scipys(M, a, b):
    np.testing.assert_allclose(betabinom_pmf(M, a, b), betabinom.pmf(np.arange(M + 1), M, a, b), atol=1e-12)


@pytest.mark.parametrize("prior,a", [("polya", 0.0), ("jeffreys", 0.5), ("matched", "plug-in"),
                                     ("matched-unbiased", "unbiased")])
@pytest.mark.parametrize("mid", [False, True])
@pytest.mark.parametrize("N,n", [(56, 42), (79, 54), (668, 132)])
def test_one_cell_is_the_beta_binomial_quantiles(prior, a, mid, N, n):
    """One cell reduces to the unstratified beta-binomial quantiles (scipy.stats.betabinom),
    for every x where neither the estimate nor one-count widening applies."""
    checked = 0
    for x in range(1, n):
        want = _scipy_limits(x, n, N, a, 0.8, mid)
        est = N * x / n
        if not (want[0] <= np.floor(est + 1e-9) and np.ceil(est - 1e-9) <= want[1]) or want[0] == want[1]:
            continue  # the widened cases are tested below
        assert stratified_count_interval([x], [n], [N], posterior=prior, midquantile=mid) == want, x
        checked += 1
    assert checked > n // 2


def test_convolution_is_the_product_of_the_cells():
    """The distribution of Σ (x_h + U_h) equals the brute-force convolution of scipy's cells."""
    x, n, N = [3, 7, 0, 5], [9, 8, 5, 5], [20, 17, 11, 8]
    start, pmf = stratified_count_distribution(x, n, N, posterior="polya")
    full = np.ones(1)
    for xh, nh, Nh in zip(x, n, N):
        a, b = (xh, nh - xh) if 0 < xh < nh else (xh + 0.5, nh - xh + 0.5)  # unanimous: Jeffreys
        full = np.convolve(full, betabinom.pmf(np.arange(Nh - nh + 1), Nh - nh, a, b))
    lowest = sum(x)
    got = np.zeros(len(full))
    got[start - lowest:start - lowest + len(pmf)] = pmf
    np.testing.assert_allclose(got, full, atol=1e-13)


def _weighted_results(yes, n_h, N_h):
    rows, answers = [], []
    for h, (k, m) in enumerate(zip(yes, n_h)):
        rows += [f"h{h}"] * m
        answers += ["yes"] * k + ["no"] * (m - k)
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(len(rows))], "h": rows, "2.1.1": answers})
    cells = pd.DataFrame({"h": [f"h{h}" for h in range(len(N_h))], "population": list(N_h)})
    return sampling.load_results(cases, sample="case_supervision", stratum_populations=cells)


def test_convolution_matches_the_monte_carlo_urn():
    """The exact distribution of the population count equals the Monte Carlo Pólya urn of
    posterior_draws (within its error) for a stratified design with unequal weights."""
    yes, n_h, N_h = [6, 3, 4], [9, 8, 10], [20, 30, 14]
    B = 40_000
    draws = posterior_draws(as_design(_weighted_results(yes, n_h, N_h)), B, np.random.default_rng(26)).values[:, 0]
    T = np.round(draws * sum(N_h) / 100).astype(int)
    start, pmf = stratified_count_distribution(yes, n_h, N_h, posterior="polya")
    t = np.arange(start, start + len(pmf))
    empirical = np.array([(T <= v).mean() for v in t])
    assert np.abs(empirical - np.cumsum(pmf)).max() < 4 * np.sqrt(0.25 / B)  # 4 standard errors
    assert abs(T.mean() - (pmf * t).sum()) < 4 * np.sqrt((pmf * t ** 2).sum() - (pmf * t).sum() ** 2) / np.sqrt(B)
    assert (pmf * t).sum() == pytest.approx(sum(Nh * x / n for x, n, Nh in zip(yes, n_h, N_h)))


def test_matched_variance_is_the_design_variance():
    """The matched posteriors' variance of the count equals the stratified design variance of
    the weighted count — with the unbiased S², N² times the linearisation variance (each
    stratum's fpc) that the weighted estimator's own code (results._weights) computes; with the
    plug-in, (n_h − 1)/n_h of each cell's — and their mean is the weighted count; the plain
    urn's variance is (n_h − 1)/(n_h + 1) of each cell's unbiased one."""
    from sampling.results._weights import SampleDesign, _linearised
    x, n, N = np.array([3, 7, 4]), np.array([9, 8, 5]), np.array([20, 37, 11])
    code = np.repeat(np.arange(3), n)
    y = (np.concatenate([np.arange(k) for k in n]) < x[code]).astype(float)[:, None]
    p, v, _, _ = _linearised(y, np.ones_like(y), SampleDesign(code, N.astype(float), n.astype(float)), True)
    cell = N * (N - n) * (x / n) * (1 - x / n) / (n - 1)  # each cell's unbiased design variance of its count
    assert N.sum() ** 2 * v[0] == pytest.approx(cell.sum(), rel=1e-9)
    for posterior, factor in (("matched-unbiased", np.ones(3)), ("matched", (n - 1) / n),
                              ("polya", (n - 1) / (n + 1))):
        start, pmf = stratified_count_distribution(x, n, N, posterior=posterior)
        t = np.arange(start, start + len(pmf))
        mean = (pmf * t).sum()
        var = (pmf * t ** 2).sum() - mean ** 2
        assert mean == pytest.approx(N.sum() * p[0])
        assert var == pytest.approx((factor * cell).sum(), rel=1e-9), posterior


def test_census_cells_add_no_uncertainty():
    """A census cell contributes its count and nothing else; an all-census design has zero
    width; a cell with an unseen case never gives zero width."""
    base = stratified_count_interval([4, 6], [10, 12], [25, 30])
    with_census = stratified_count_interval([4, 6, 5], [10, 12, 8], [25, 30, 8])
    assert with_census == (base[0] + 5, base[1] + 5)
    assert stratified_count_interval([4, 6], [10, 12], [10, 12]) == (10, 10)
    lo, hi = stratified_proportion_interval([4, 6], [10, 12], [10, 12])
    assert lo == hi == pytest.approx(10 / 22)
    for x in ([0, 0], [10, 12], [0, 12], [3, 12]):
        for N in ([11, 12], [10, 13], [400, 12]):
            lo, hi = stratified_count_interval(x, [10, 12], N)
            assert hi > lo, (x, N)


def test_holds_the_stratified_estimate():
    rng = np.random.default_rng(3)
    for _ in range(200):
        H = int(rng.integers(1, 5))
        N = rng.integers(2, 60, H)
        n = np.array([int(rng.integers(1, k + 1)) for k in N])
        x = np.array([int(rng.integers(0, k + 1)) for k in n])
        lo, hi = stratified_count_interval(x, n, N)
        est = float(np.sum(N * x / n))
        assert lo <= est + 1e-9 and est - 1e-9 <= hi
        assert sum(x) <= lo <= hi <= sum(x) + sum(N - n)


def test_wider_at_higher_confidence_and_mid_is_shorter():
    x, n, N = [9, 5, 12], [12, 10, 20], [20, 30, 40]
    a = stratified_count_interval(x, n, N, confidence_level=0.8)
    b = stratified_count_interval(x, n, N, confidence_level=0.95)
    assert b[0] <= a[0] and a[1] <= b[1] and (b[1] - b[0]) > (a[1] - a[0])
    eq = stratified_count_interval(x, n, N, midquantile=False)
    assert eq[0] <= a[0] and a[1] <= eq[1]


@pytest.mark.parametrize("args", [
    ([3], [12], [10]),           # n_h > N_h
    ([-1, 2], [5, 5], [9, 9]),   # negative yes
    ([6], [5], [9]),             # yes > n
    ([1, 2], [5, 5], [9]),       # mismatched lengths
    ([1], [0], [5]),             # a cell with cases and none sampled
    ([1.5], [4], [9]),           # not whole
    ([1], [4], [-9]),
])
def test_bad_input_raises_typed_errors(args):
    with pytest.raises(ArgumentError):
        stratified_count_interval(*args)
    with pytest.raises(SamplingError):
        stratified_proportion_interval(*args)


def test_bad_options():
    with pytest.raises(ArgumentError):
        stratified_count_interval([1], [4], [9], posterior="flat")
    with pytest.raises(ArgumentError):
        stratified_count_interval([1], [4], [9], confidence_level=1.5)


def test_domain_rows_estimate_each_cells_domain():
    """A question with N/A answers: each cell's domain population is N_h · n_hj / n_h, rounded,
    and the row is the stats function on those cells."""
    cases = pd.DataFrame({"case_id": list("abcdefghij"), "h": list("xxxxxyyyyy"),
                          "2.1.1": ["yes"] * 10,
                          "2.1.2": ["yes", "no", "n/a", "yes", "yes", "n/a", "no", "yes", "n/a", "n/a"]})
    cells = pd.DataFrame({"h": ["x", "y"], "population": [30, 12]})
    t = sampling.intervals(sampling.load_results(cases, sample="case_supervision", stratum_populations=cells)).table
    row = t.loc[t["key_question"] == "2.1.2"].iloc[0]
    N = [round(30 * 4 / 5), round(12 * 2 / 5 + 1e-9)]  # 24 and 5 (4.8)
    lo, hi = stratified_count_interval([3, 1], [4, 2], N)
    assert row["method"] == "stratified-finite" and row["population"] == sum(N)
    assert (row["low"], row["high"]) == pytest.approx((100 * lo / sum(N), 100 * hi / sum(N)))
    assert "N_h × (cases it applies to)" in row["note"]
    full = t.loc[t["key_question"] == "2.1.1"].iloc[0]  # all yes: still not certain
    assert full["high"] == 100 and full["low"] < 100


def test_method_by_name_and_on_the_command_line_registry():
    from sampling._utils._methods import INTERVAL_METHODS, check_method, method_name
    assert "stratified-finite" in INTERVAL_METHODS
    assert check_method("stratified") == "stratified-finite"
    assert "stratified finite-population" in method_name("stratified-finite")
    # without N_h the sample is one cell of its N: the one-cell interval
    lo, hi = sampling.proportion_interval(30, 42, method="stratified-finite", population=56)
    assert (round(56 * lo), round(56 * hi)) == stratified_count_interval([30], [42], [56])
    with pytest.raises(SamplingError):
        sampling.proportion_interval(30, 42, method="stratified-finite")


def test_breakdown_subgroup_is_a_domain_of_each_cell():
    """A breakdown subgroup cutting across cells (an office) gets the stratified interval of its
    cases in each cell of that cell's n_h: domain sizes N_h · n_hg / n_h in whole cases."""
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(12)], "h": list("xxxxxxyyyyyy"),
                          "office": ["N", "S"] * 6,
                          "2.1.1": ["yes", "yes", "no", "yes", "yes", "no", "yes", "no", "no", "yes", "no", "no"]})
    cells = pd.DataFrame({"h": ["x", "y"], "population": [40, 23]})
    r = sampling.load_results(cases, sample="case_supervision", stratum_populations=cells)
    t = sampling.breakdown(r, "office").table.set_index("subgroup")
    for g in ("N", "S"):
        mine = cases[cases["office"] == g]
        x = [int((mine.loc[mine["h"] == h, "2.1.1"] == "yes").sum()) for h in "xy"]
        n = [int((mine["h"] == h).sum()) for h in "xy"]  # 3 of the 6 sampled in each cell
        N = [20, 12]  # 40 · 3/6 = 20 and 23 · 3/6 = 11.5: 31.5 in all, whole cases 20 + 12 (largest remainder)
        lo, hi = stratified_count_interval(x, n, N)
        row = t.loc[g]
        assert row["method"] == "stratified-finite" and row["population"] == sum(N)
        assert (row["low"], row["high"]) == pytest.approx((100 * lo / sum(N), 100 * hi / sum(N)))
