"""Tests of sampling.intervals against statsmodels, scipy, closed forms and naive resampling."""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from sampling.errors import ArgumentError, DataError
from sampling.estimation._intervals import (ANALYTIC, BOOTSTRAP, Intervals, Replicates, bootstrap, bootstrap_replicates,
                                fpc_factor, intervals, proportion_interval)
from sampling.results._results import load_results

# the module (the package binds `sampling.intervals` to the function of that name)
iv = importlib.import_module("sampling.estimation._intervals")
engine = importlib.import_module("sampling.estimation._resampling")
counts = importlib.import_module("sampling.stats._multinomial")

CS = ["2.1.1", "2.1.2", "2.1.3", "2.2.1", "2.2.2", "2.2.3"]


def stats_midp(x: int, n: int, N: int, level: float = 0.8) -> tuple[float, float]:
    """The mid-p hypergeometric interval straight from scipy.stats.hypergeom, by brute force
    over every population count K (not the project's bisection): K_L the smallest K with
    P(X > x) + ½P(X = x) > α/2, K_U the largest with P(X < x) + ½P(X = x) > α/2; then widened
    to hold N·x/n and, short of a census, to at least one count (as documented)."""
    alpha = 1 - level
    K = np.arange(N + 1)
    half = 0.5 * stats.hypergeom.pmf(x, N, K, n)
    up = stats.hypergeom.sf(x, N, K, n) + half
    down = stats.hypergeom.cdf(x - 1, N, K, n) + half
    lo, hi = K[up > alpha / 2].min(), K[down > alpha / 2].max()
    est = N * x / n
    lo, hi = min(lo, np.floor(est + 1e-9)), max(hi, np.ceil(est - 1e-9))
    if lo == hi and n < N:
        lo, hi = (lo, hi + 1) if x == 0 else (lo - 1, hi)
    return lo / N, hi / N


def cases(columns: dict, n: int, **extra) -> pd.DataFrame:
    d = {"case_id": [f"c{i}" for i in range(n)]}
    d.update({k: np.asarray(v, dtype=object) for k, v in columns.items()})
    d.update(extra)
    return pd.DataFrame(d)


def yes_no(yes: int, n: int, rng=None) -> np.ndarray:
    a = np.array(["yes"] * yes + ["no"] * (n - yes), dtype=object)
    return a if rng is None else rng.permutation(a)


def correlated_cases(n=132, seed=0, k=6):
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=n)
    rosh = rng.choice(["low", "medium", "high"], n)
    cols = {}
    for j, kq in enumerate(CS[:k]):
        p = 1 / (1 + np.exp(-(quality + 0.7 * rng.normal(size=n) + 0.3)))
        a = np.where(rng.random(n) < p, "yes", "no").astype(object)
        if kq == "2.2.3":
            a[rosh == "low"] = "n/a"
        cols[kq] = a
    return cases(cols, n, rosh=rosh, gender=rng.choice(["m", "f"], n))


def aggregate(rows):
    return load_results(pd.DataFrame(rows, columns=["key_question", "yes", "n"]))


# --------------------------------------------------------------------------- analytic
@pytest.mark.parametrize("method", ANALYTIC)
def test_analytic_equals_statsmodels(method):
    yes = np.array([0, 1, 17, 65, 80, 131, 132, 35, 22, 3])
    n = np.array([132, 132, 40, 132, 132, 132, 132, 54, 41, 3])
    sm = {"clopper-pearson": "beta", "agresti-coull": "agresti_coull"}.get(method, method)
    for cl in (0.8, 0.95):
        low, high = proportion_interval(yes, n, method=method, confidence_level=cl)
        ref_low, ref_high = proportion_confint(yes, n, alpha=1 - cl, method=sm)
        np.testing.assert_allclose(low, ref_low, rtol=0, atol=1e-12)
        np.testing.assert_allclose(high, ref_high, rtol=0, atol=1e-12)
    lo, hi = proportion_interval(65, 132, method=method)
    assert isinstance(lo, float) and lo < 65 / 132 < hi


@pytest.mark.parametrize("method", ANALYTIC)
def test_fpc_shrinks_each_side_by_the_factor(method):
    yes, n = np.array([65, 35, 22, 60]), np.array([132, 54, 41, 100])
    N = np.array([668, 79, 56, 1000])
    low, high = proportion_interval(yes, n, method=method)
    flow, fhigh = proportion_interval(yes, n, method=method, population=N)
    p = yes / n
    factor = np.sqrt((N - n) / (N - 1))
    np.testing.assert_allclose(p - flow, (p - low) * factor, rtol=1e-12)
    np.testing.assert_allclose(fhigh - p, (high - p) * factor, rtol=1e-12)
    np.testing.assert_allclose((fhigh - flow) / (high - low), factor, rtol=1e-12)
    # a census has no sampling error; NaN population = unknown = no correction
    assert proportion_interval(30, 40, method=method, population=40) == (0.75, 0.75)
    both = proportion_interval([30, 30], [40, 40], method=method, population=[np.nan, 80])
    assert both[0][0] == pytest.approx(proportion_interval(30, 40, method=method)[0])
    assert fpc_factor(54, 79) == pytest.approx(np.sqrt(25 / 78))


def test_fpc_clips_to_unit_interval():
    low, high = proportion_interval(0, 20, method="agresti-coull", population=25)
    assert low == 0.0 and high > 0


def test_analytic_bad_input():
    with pytest.raises(ArgumentError, match="wilson, clopper-pearson, jeffreys, agresti-coull"):
        proportion_interval(5, 10, method="wald")
    with pytest.raises(ArgumentError):
        proportion_interval(5, 10, method="bootstrap-bca")
    for cl in (0, 1, 1.2, -0.5):
        with pytest.raises(ArgumentError, match="confidence_level"):
            proportion_interval(5, 10, confidence_level=cl)
    with pytest.raises(DataError, match="between 0 and n"):
        proportion_interval(11, 10)
    with pytest.raises(DataError, match="whole number"):
        proportion_interval(5, 0)
    with pytest.raises(DataError, match="smaller than n"):
        proportion_interval(5, 10, population=9)


def test_intervals_table_analytic():
    r = load_results(pd.DataFrame({"key_question": ["2.1.3", "4.1.3"], "percent": [49, 65], "n": [132, 54]}))
    out = intervals(r)
    assert isinstance(out, Intervals) and out.replicates is None and out.n_resamples is None
    t = out.to_frame()
    assert list(t.columns) == ["key_question", "standard", "sample", "yes", "n", "percent", "low", "high",
                               "margin", "method", "finite_population", "population", "note"]
    lo, hi = proportion_interval([65, 35], [132, 54])
    np.testing.assert_allclose(t["low"], 100 * lo)
    np.testing.assert_allclose(t["margin"], 100 * (hi - lo) / 2)
    assert not t["finite_population"].any() and t["population"].isna().all()
    # population: int, mapping, off
    with_n = intervals(r, population={"unpaid_work": 79}).table.set_index("key_question")
    assert with_n.loc["4.1.3", "finite_population"] and with_n.loc["4.1.3", "population"] == 79
    assert not with_n.loc["2.1.3", "finite_population"] and "N=79" in with_n.loc["4.1.3", "note"]
    off = intervals(r, population=700, finite_population=False).table
    assert not off["finite_population"].any()
    assert out.method == "wilson" and "Intervals: Wilson" in repr(out)  # N unknown: the default is Wilson


def test_population_errors():
    r = load_results(pd.DataFrame({"key_question": ["2.1.3", "4.1.3"], "percent": [49, 65], "n": [132, 54]}))
    with pytest.raises(DataError, match="smaller than its n") as exc:
        intervals(r, population={"unpaid_work": 50})
    assert exc.value.values == ("unpaid_work", 50, 54)
    with pytest.raises(DataError, match="smaller than its n"):
        intervals(r, population=100)  # applies to case_supervision too: 100 < 132
    with pytest.raises(DataError, match="do not have"):
        intervals(r, population={"youth": 80})
    with pytest.raises(DataError, match="unknown for some samples"):
        intervals(r, population={"unpaid_work": 79}, finite_population=True)
    with pytest.raises(ArgumentError, match="method"):
        intervals(r, method="bootstrap")
    with pytest.raises(ArgumentError, match="n_resamples"):
        intervals(r, method="bootstrap-bca", n_resamples=0)
    with pytest.raises(ArgumentError, match="confidence_level"):
        intervals(r, confidence_level=80)
    with pytest.raises(ArgumentError, match="rng"):
        bootstrap_replicates(r, rng="seed")


def test_subsample_question_uses_its_domain_population():
    r = load_results(pd.DataFrame({"key_question": ["2.1.1", "2.2.3"], "yes": [99, 40], "n": [132, 66]}),
                     population=668)
    t = intervals(r, method="wilson").table.set_index("key_question")
    assert t.loc["2.1.1", "population"] == 668 and t.loc["2.2.3", "population"] == 334
    lo, hi = proportion_interval(40, 66, population=334)
    assert t.loc["2.2.3", "low"] == pytest.approx(100 * lo)
    # the default (mid-p hypergeometric where N is known) uses the same domain population
    t = intervals(r).table.set_index("key_question")
    assert t.loc["2.2.3", "population"] == 334 and t.loc["2.2.3", "method"] == "hypergeometric-midp"
    lo, hi = stats_midp(40, 66, 334)
    assert (t.loc["2.2.3", "low"], t.loc["2.2.3", "high"]) == pytest.approx((100 * lo, 100 * hi))


# --------------------------------------------------------------------------- bootstrap: known answers
def test_case_bootstrap_matches_binomial_quantiles():
    r = load_results(cases({"2.1.3": yes_no(65, 132, np.random.default_rng(1))}, 132))
    rep = bootstrap_replicates(r, n_resamples=20_000, rng=2)
    assert rep.values.shape == (20_000, 1) and rep.kind == "joint case bootstrap (unstratified, with-replacement)"
    yes = rep.values[:, 0] * 132 / 100
    np.testing.assert_allclose(yes, np.round(yes), atol=1e-9)
    # the replicate yes count is Binomial(132, 65/132): mean, variance, quantiles
    assert yes.mean() == pytest.approx(65, abs=4 * np.sqrt(132 * 0.2457 / 20_000))
    assert yes.var() == pytest.approx(132 * (65 / 132) * (67 / 132), rel=0.05)
    ref = stats.binom.ppf([0.1, 0.9], 132, 65 / 132)
    out = intervals(r, method="bootstrap-percentile", n_resamples=20_000, rng=2).table.iloc[0]
    assert abs(out["low"] * 1.32 - ref[0]) <= 1 and abs(out["high"] * 1.32 - ref[1]) <= 1


def test_rao_wu_matches_hypergeometric_variance_and_quantiles():
    # 35 yes of 54 cases from an eligible population of 79
    r = load_results(cases({"4.1.3": yes_no(35, 54, np.random.default_rng(3))}, 54), population=79)
    rep = bootstrap_replicates(r, n_resamples=40_000, rng=4)
    assert rep.kind == "joint case bootstrap (unstratified, finite-population (Rao-Wu rescaling))"
    assert rep.finite_population == (True,)
    p, n, N = 35 / 54, 54, 79
    s2 = n * p * (1 - p) / (n - 1)
    var = np.var(rep.values[:, 0] / 100)
    assert var == pytest.approx((1 - n / N) * s2 / n, rel=0.03)                # Rao–Wu closed form
    assert var == pytest.approx(p * (1 - p) / n * (N - n) / (N - 1), rel=0.03)  # hypergeometric
    ref = stats.hypergeom.ppf([0.1, 0.9], N, round(p * N), n) / n * 100
    out = intervals(r, method="bootstrap-percentile", n_resamples=40_000, rng=4).table.iloc[0]
    assert abs(out["low"] - ref[0]) <= 100 / n and abs(out["high"] - ref[1]) <= 100 / n
    # finite_population=False: the plain with-replacement bootstrap, wider
    wide = bootstrap_replicates(r, n_resamples=20_000, finite_population=False, rng=4)
    assert "with-replacement" in wide.kind and np.var(wide.values[:, 0] / 100) > 1.5 * var


def test_rao_wu_census_has_no_variance():
    r = load_results(cases({"4.1.3": yes_no(35, 54)}, 54), population=54)
    rep = bootstrap_replicates(r, n_resamples=500, rng=1)
    np.testing.assert_allclose(rep.values, 100 * 35 / 54)


def test_stratified_all_yes_stratum_contributes_no_variance():
    # stratum A: 60 cases all yes; stratum B: 72 cases, 36 yes
    ans = np.concatenate([yes_no(60, 60), yes_no(36, 72, np.random.default_rng(5))])
    df = cases({"2.1.1": ans}, 132, rosh=["high"] * 60 + ["low"] * 72)
    r = load_results(df, strata=["rosh"])
    rep = bootstrap_replicates(r, n_resamples=40_000, rng=6)
    assert rep.kind.startswith("joint case bootstrap (stratified")
    var = np.var(rep.values[:, 0] / 100)
    closed = (72 / 132) ** 2 * 0.5 * 0.5 / 72     # Σ (n_h/n)² p_h(1−p_h)/n_h, stratum A adds 0
    assert var == pytest.approx(closed, rel=0.03)
    flat = np.var(bootstrap_replicates(r, n_resamples=40_000, stratified=False, rng=6).values[:, 0] / 100)
    p = 96 / 132
    assert flat == pytest.approx(p * (1 - p) / 132, rel=0.03) and flat > 1.2 * var


def test_stratified_bootstrap_is_unbiased_with_tiny_strata():
    """40 strata of 3 cases: the unbiased stratified variance is Σ W_h² s_h²/n_h with s_h² on
    n_h − 1 degrees of freedom. A plain with-replacement bootstrap within strata gives only
    (n_h − 1)/n_h = 2/3 of it (the coverage study's under-coverage); the Rao–Wu rescaling
    with m_h = n_h − 1 used for stratified designs gives all of it."""
    rng = np.random.default_rng(11)
    h = np.repeat(np.arange(40), 3)
    ans = (rng.random(120) < 0.3 + 0.4 * (h % 2)).astype(float)
    df = cases({"2.1.1": ans}, 120, rosh=[f"s{i:02d}" for i in h])
    r = load_results(df, strata=["rosh"])
    rep = bootstrap_replicates(r, n_resamples=40_000, rng=12)
    assert "Rao-Wu rescaling (m_h = n_h - 1), no FPC" in rep.kind
    s2 = np.array([np.var(ans[h == i], ddof=1) for i in range(40)])
    unbiased = np.sum((3 / 120) ** 2 * s2 / 3)
    assert np.var(rep.values[:, 0] / 100) == pytest.approx(unbiased, rel=0.03)


def test_single_case_strata_are_pooled():
    """A stratum with one sampled case cannot vary under resampling within strata: such
    strata are pooled (collapsed strata), so their cases still contribute variance."""
    rosh = ["big"] * 100 + [f"lone{i}" for i in range(20)]
    ans = np.concatenate([np.ones(100), (yes_no(10, 20, np.random.default_rng(3)) == "yes").astype(float)])
    r = load_results(cases({"2.1.1": ans}, 120, rosh=rosh), strata=["rosh"])
    rep = bootstrap_replicates(r, n_resamples=40_000, rng=4)
    assert "20 single-case strata pooled" in rep.kind
    # all variance comes from the 20 pooled cases (the big stratum is all yes): W² p(1−p)/(n−1)·n/n
    pooled = (20 / 120) ** 2 * np.var(ans[100:], ddof=1) / 20
    assert np.var(rep.values[:, 0] / 100) == pytest.approx(pooled, rel=0.03)
    weights = importlib.import_module("sampling.results._weights")
    assert weights.collapse_small_strata(np.array([5, 5, 7, 9, 9, 9]))[0].tolist() == [5, 5, 5, 9, 9, 9]


def _naive_case_bootstrap(answers: np.ndarray, B: int, rng) -> np.ndarray:
    """Textbook case resampling: draw n row indices, take the rows, nan-mean each column."""
    n = answers.shape[0]
    idx = rng.integers(0, n, size=(B, n))
    res = answers[idx]  # (B, n, k)
    with np.errstate(invalid="ignore"):
        return 100 * np.nansum(res, axis=1) / np.sum(~np.isnan(res), axis=1)


@pytest.mark.parametrize("min_draws", [10**9, 1])  # force index draws / Poissonised counts
def test_pattern_bootstrap_is_distributed_like_naive_case_resampling(monkeypatch, min_draws):
    monkeypatch.setattr(counts, "POISSON_MIN_DRAWS", min_draws)
    monkeypatch.setattr(counts, "POISSON_COST", 0.0 if min_draws == 1 else 1.0)
    df = correlated_cases(n=150, seed=7, k=4)  # 2.1.1–2.2.1: few patterns
    r = load_results(df)
    B = 20_000
    ours = bootstrap_replicates(r, n_resamples=B, rng=8).values
    naive = _naive_case_bootstrap(r.answers.to_numpy(), B, np.random.default_rng(9))
    se_mean = naive.std(axis=0) / np.sqrt(B)
    np.testing.assert_array_less(np.abs(ours.mean(axis=0) - naive.mean(axis=0)), 5 * np.sqrt(2) * se_mean)
    np.testing.assert_allclose(ours.std(axis=0), naive.std(axis=0), rtol=0.04)
    # joint: the correlation between questions (same cases) is kept
    np.testing.assert_allclose(np.corrcoef(ours.T), np.corrcoef(naive.T), atol=0.04)
    assert np.corrcoef(ours.T)[0, 1] > 0.2


def test_sub_sample_question_and_undefined_replicates():
    # 2.2.3 applies to 12 of 132 cases: some resamples of a tiny stratum may lack it entirely
    rng = np.random.default_rng(10)
    a = yes_no(70, 132, rng)
    b = np.array(["n/a"] * 132, dtype=object)
    b[:12] = yes_no(7, 12, rng)
    r = load_results(cases({"2.1.1": a, "2.2.3": b}, 132))
    rep = bootstrap_replicates(r, n_resamples=20_000, rng=11)
    n_star = np.where(np.isnan(rep.values[:, 1]), 0, 1)
    assert n_star.mean() > 0.99
    v = rep.values[:, 1][~np.isnan(rep.values[:, 1])]
    # ratio estimator's spread ≈ p(1-p)/n_j with its own n
    assert np.std(v / 100) == pytest.approx(np.sqrt(7 / 12 * 5 / 12 / 12), rel=0.08)


def test_bca_agrees_with_scipy():
    df = correlated_cases(n=132, seed=12, k=6)
    r = load_results(df)
    out = intervals(r, method="bootstrap-bca", n_resamples=10_000, rng=13).table.set_index("key_question")
    for kq in ("2.1.1", "2.1.3", "2.2.3"):
        x = r.answers[kq].dropna().to_numpy()
        ref = stats.bootstrap((x,), np.mean, vectorized=True, method="BCa", n_resamples=10_000,
                              confidence_level=0.8, rng=14).confidence_interval
        assert out.loc[kq, "low"] == pytest.approx(100 * ref.low, abs=1.0)
        assert out.loc[kq, "high"] == pytest.approx(100 * ref.high, abs=1.0)
        assert out.loc[kq, "method"] == "bootstrap-bca"


def test_jackknife_acceleration_over_patterns_equals_scipy_formula():
    x = np.array([1.0] * 30 + [0.0] * 10)
    # scipy's jackknife acceleration on the raw data
    theta_i = np.array([np.delete(x, i).mean() for i in range(len(x))])
    u = theta_i.mean() - theta_i
    ref = np.sum(u ** 3) / (6 * np.sum(u ** 2) ** 1.5)
    Yp, Qp, counts = np.array([[1.0], [0.0]]), np.array([[1.0], [1.0]]), np.array([30, 10])
    a = engine.jackknife_accel(Yp, Qp, counts, counts @ Yp, counts @ Qp)
    assert a[0] == pytest.approx(ref, rel=1e-12)
    # the parametric (aggregate) acceleration, skewness/6, is the same number for a binomial
    assert stats.binom.stats(40, 0.75, moments="s") / 6 == pytest.approx(ref, rel=1e-12)


def test_degenerate_and_tiny_questions_fall_back_to_clopper_pearson():
    df = cases({"2.1.1": yes_no(40, 40), "2.1.2": yes_no(0, 40),
                "2.1.3": np.array(["yes", "no", "yes"] + ["n/a"] * 37, dtype=object),
                "2.2.1": yes_no(25, 40, np.random.default_rng(1))}, 40)
    r = load_results(df)
    for method in BOOTSTRAP:
        t = intervals(r, method=method, n_resamples=2_000, rng=1).table.set_index("key_question")
        for kq, yes, n in (("2.1.1", 40, 40), ("2.1.2", 0, 40), ("2.1.3", 2, 3)):
            lo, hi = proportion_interval(yes, n, method="clopper-pearson")
            assert t.loc[kq, "method"] == "clopper-pearson" and "Clopper" in t.loc[kq, "note"]
            assert (t.loc[kq, "low"], t.loc[kq, "high"]) == pytest.approx((100 * lo, 100 * hi))
            assert t.loc[kq, "high"] > t.loc[kq, "low"]
        assert t.loc["2.2.1", "method"] == method
    # with N known the bootstrap is the Pólya urn, whose fallback is the mid-p default
    # (tests/test_fp_bootstrap.py)
    t = intervals(load_results(df, population=50), method="bootstrap-bca", n_resamples=500, rng=1).table
    lo, hi = proportion_interval(40, 40, method="hypergeometric-midp", population=50)
    assert t.iloc[0]["low"] == pytest.approx(100 * lo) and t.iloc[0]["finite_population"]
    assert t.iloc[0]["method"] == "hypergeometric-midp"


# --------------------------------------------------------------------------- aggregate bootstrap
def test_aggregate_bootstrap_binomial_and_hypergeometric():
    r = aggregate([("2.1.3", 65, 132), ("4.1.3", 35, 54)])
    rep = bootstrap_replicates(r, n_resamples=40_000, rng=1)
    assert rep.kind == "independent parametric (binomial)" and rep.values.shape == (40_000, 2)
    yes = rep.values[:, 0] * 1.32
    assert yes.var() == pytest.approx(132 * 65 / 132 * 67 / 132, rel=0.03)
    assert abs(np.corrcoef(rep.values.T)[0, 1]) < 0.03  # independent draws
    fin = bootstrap_replicates(r, n_resamples=40_000, population={"unpaid_work": 79}, rng=1)
    assert fin.kind == "independent parametric (hypergeometric where N is known, binomial elsewhere)"
    p, n, N = 35 / 54, 54, 79
    assert np.var(fin.values[:, 1] / 100) == pytest.approx(p * (1 - p) / n * (N - n) / (N - 1), rel=0.03)
    both = bootstrap_replicates(r, n_resamples=10, population=700, rng=1)
    assert both.kind == "independent parametric (hypergeometric)"


def test_aggregate_bca_close_to_case_level_bca():
    agg = aggregate([("2.1.3", 65, 132)])
    case = load_results(cases({"2.1.3": yes_no(65, 132)}, 132))
    a = intervals(agg, method="bootstrap-bca", rng=1).table.iloc[0]
    b = intervals(case, method="bootstrap-bca", rng=2).table.iloc[0]
    assert a["low"] == pytest.approx(b["low"], abs=1.0) and a["high"] == pytest.approx(b["high"], abs=1.0)
    assert bootstrap(agg, rng=1).method == "bootstrap-bca"


def test_replicates_reproducible_and_joint_across_samples():
    df = correlated_cases(n=60, seed=3, k=3)
    df2 = cases({"4.1.1": yes_no(30, 45, np.random.default_rng(2))}, 45)
    df2["case_id"] = "u" + df2["case_id"]
    both = pd.concat([df.assign(sample="case_supervision"), df2.assign(sample="unpaid_work")],
                     ignore_index=True).fillna({k: "n/a" for k in ["2.1.1", "2.1.2", "2.1.3", "4.1.1"]})
    r = load_results(both, population={"unpaid_work": 60})
    a = bootstrap_replicates(r, n_resamples=300, rng=5)
    b = bootstrap_replicates(r, n_resamples=300, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.values, b.values)
    assert a.key_questions == ("2.1.1", "2.1.2", "2.1.3", "4.1.1")
    assert a.samples == ("case_supervision",) * 3 + ("unpaid_work",)
    assert a.finite_population == (False, False, False, True)
    assert "Rao-Wu rescaling) where N is known, with-replacement elsewhere" in a.kind
    np.testing.assert_allclose(a.estimate, r.summary["percent"])
    assert isinstance(a, Replicates) and a.to_frame().shape == (300, 4) and "Replicates(300" in repr(a)
    c = bootstrap_replicates(r, n_resamples=300, rng=6)
    assert not np.array_equal(a.values, c.values)
    t = intervals(r, method="bootstrap-percentile", n_resamples=300, rng=5)
    assert t.replicates.values.shape == (300, 4) and t.n_resamples == 300
    assert "replicates: finite-population (Pólya urn) resampling" in repr(t)
    assert "the joint case bootstrap elsewhere" in repr(t)


def test_quantiles_match_numpy_per_column():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1001, 4))
    x[::7, 2] = np.nan
    x[:, 3] = np.nan
    q = rng.random((3, 4))
    ref = np.array([[np.nanquantile(x[:, j], q[i, j]) if j < 3 else np.nan for j in range(4)]
                    for i in range(3)])
    np.testing.assert_allclose(importlib.import_module("sampling.estimation._bootstrap_limits").quantiles(x, q), ref, rtol=0, atol=1e-12)


def test_fpc_wilson_covers_under_without_replacement_sampling():
    # N = 79 cases, 51 of them "yes"; samples of 54 drawn without replacement
    N, M, n = 79, 51, 54
    yes = np.random.default_rng(1).hypergeometric(M, N - M, n, size=20_000)
    for population, lo_cov, hi_cov in ((N, 0.74, 0.86), (None, 0.95, 1.0)):
        low, high = proportion_interval(yes, np.full(yes.shape, n), population=population)
        coverage = np.mean((low <= M / N) & (M / N <= high))
        assert lo_cov <= coverage <= hi_cov, (population, coverage)


def test_bca_differs_from_percentile_where_skewed_and_matches_scipy():
    # 10 yes of 60: skewed; BCa moves the lower end up by a whole count (1.7 points)
    r = load_results(cases({"2.1.1": yes_no(10, 60)}, 60))
    pct = intervals(r, method="bootstrap-percentile", rng=1).table.iloc[0]
    bca = intervals(r, method="bootstrap-bca", rng=1).table.iloc[0]
    ref = stats.bootstrap((np.array([1.0] * 10 + [0.0] * 50),), np.mean, vectorized=True, method="BCa",
                          n_resamples=10_000, confidence_level=0.8, rng=2).confidence_interval
    assert bca["method"] == "bootstrap-bca" and bca["low"] - pct["low"] > 1.5
    assert bca["low"] == pytest.approx(100 * ref.low, abs=1.0)
    assert bca["high"] == pytest.approx(100 * ref.high, abs=1.0)


@pytest.mark.parametrize("min_draws", [10**9, 150, 1])  # no, some, every stratum Poissonised
def test_stratified_engine_mixes_poisson_and_index_draws_exactly(monkeypatch, min_draws):
    """Strata drawn as Poissonised counts over patterns and strata drawn by case indices give
    the same replicate distribution: the choice changes the random stream only."""
    rng = np.random.default_rng(21)
    n = 400
    stratum = rng.choice(["a", "b", "c", "d"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    p_yes = np.select([stratum == "a", stratum == "b", stratum == "c"], [0.8, 0.6, 0.4], 0.2)
    df = pd.DataFrame({"case_id": [f"C{i}" for i in range(n)], "rosh": stratum,
                       "2.1.1": np.where(rng.random(n) < p_yes, "yes", "no"),
                       "2.1.2": np.where(rng.random(n) < 0.5, "yes", "no")})
    r = load_results(df, strata=["rosh"])
    B = 20_000
    reference = bootstrap_replicates(r, n_resamples=B, rng=30).values  # default layout
    monkeypatch.setattr(counts, "POISSON_MIN_DRAWS", min_draws)
    ours = bootstrap_replicates(r, n_resamples=B, rng=31).values
    # closed form: the Rao–Wu (m_h = n_h - 1) variance of a stratified mean without FPC is
    # Σ W_h² s_h² / n_h with W_h = n_h/n (proportional), s_h² the within-stratum variance
    x = r.answers["2.1.1"].to_numpy()
    groups = r.cases["rosh"].to_numpy()
    var = sum(((groups == h).sum() / n) ** 2 * x[groups == h].var(ddof=1) / (groups == h).sum()
              for h in np.unique(groups))
    assert ours[:, 0].std() == pytest.approx(100 * np.sqrt(var), rel=0.03)
    np.testing.assert_allclose(ours.mean(axis=0), reference.mean(axis=0), atol=0.1)
    np.testing.assert_allclose(ours.std(axis=0), reference.std(axis=0), rtol=0.03)
    np.testing.assert_allclose(np.quantile(ours, [0.1, 0.5, 0.9], axis=0),
                               np.quantile(reference, [0.1, 0.5, 0.9], axis=0), atol=0.6)


@pytest.mark.parametrize("method", ["bootstrap-bca", "bootstrap-percentile"])
def test_few_answers_on_one_side_fall_back_to_wilson(method):
    """4 'no' of 132 (97%), N unknown: the case bootstrap undercovers there (coverage study),
    so the interval is Wilson's, and the note says why. With N known (the Pólya urn) the
    percentile gives way to the mid-p default below 10 on a side, BCa only below 3
    (tests/test_fp_bootstrap.py)."""
    df = cases({"2.1.1": yes_no(128, 132), "2.1.2": yes_no(100, 132)}, 132)
    t = intervals(load_results(df), method=method, rng=1, n_resamples=2000).table.set_index("key_question")
    lo, hi = proportion_interval(128, 132)
    assert t.loc["2.1.1", "method"] == "wilson" and "only 4 'no'" in t.loc["2.1.1", "note"]
    assert (t.loc["2.1.1", "low"], t.loc["2.1.1", "high"]) == pytest.approx((100 * lo, 100 * hi), abs=1e-12)
    assert t.loc["2.1.2", "method"] == method
    t = intervals(load_results(df, population=668), method=method, rng=1, n_resamples=2000).table
    row = t.set_index("key_question").loc["2.1.1"]
    if method == "bootstrap-percentile":
        lo, hi = proportion_interval(128, 132, method="hypergeometric-midp", population=668)
        assert row["method"] == "hypergeometric-midp" and "only 4 'no'" in row["note"]
        assert (row["low"], row["high"]) == pytest.approx((100 * lo, 100 * hi), abs=1e-12)
    else:
        assert row["method"] == method


def test_wilson_fallback_covers_where_the_bootstrap_does_not():
    """Exact coverage at N = 668, n = 132, true 95% (634 yes): Wilson+fpc, the fallback, covers
    close to 80%; the study measured 70–76% for the stratified bootstraps there."""
    from scipy.stats import hypergeom

    N, M, n = 668, 635, 132
    k = np.arange(n + 1)
    pmf = hypergeom(N, M, n).pmf(k)
    low, high = proportion_interval(np.maximum(k, 0), np.full(k.shape, n), population=N)
    covered = (low <= M / N) & (M / N <= high)
    assert 0.78 <= pmf[covered].sum() <= 0.90


# --------------------------------------------------------------------------- the default method
def test_default_with_population_known_is_midp_hypergeometric():
    """Issue 26: with N known the default ("auto") is the mid-p hypergeometric interval."""
    r = load_results(pd.DataFrame({"key_question": ["2.1.3", "4.1.3", "4.2.1"], "yes": [65, 35, 30],
                                   "n": [132, 54, 42]}),
                     population={"case_supervision": 668, "unpaid_work": 79, "through_the_gate": 56})
    out = intervals(r)
    t = out.table.set_index("key_question")
    assert out.method == "hypergeometric-midp" and (t["method"] == "hypergeometric-midp").all()
    for kq, (x, n, N) in {"2.1.3": (65, 132, 668), "4.1.3": (35, 54, 79), "4.2.1": (30, 42, 56)}.items():
        lo, hi = stats_midp(x, n, N)
        assert (t.loc[kq, "low"], t.loc[kq, "high"]) == pytest.approx((100 * lo, 100 * hi)), kq
        assert t.loc[kq, "population"] == N and "hypergeometric, N=" in t.loc[kq, "note"]
    assert "mid-p hypergeometric" in repr(out)
    # the same through proportion_interval's "auto", and rate() reports the method used
    lo, hi = proportion_interval(30, 42, method="auto", population=56)
    assert (lo, hi) == pytest.approx(stats_midp(30, 42, 56))
    from sampling import rate
    a = rate(r, n_resamples=200, rng=1, partial=True)
    assert a.method == "hypergeometric-midp" and "mid-p hypergeometric" in repr(a)


def test_default_without_population_is_wilson():
    r = load_results(pd.DataFrame({"key_question": ["2.1.3", "4.1.3"], "yes": [65, 35], "n": [132, 54]}))
    out = intervals(r)
    t = out.table
    lo, hi = proportion_confint(np.array([65, 35]), np.array([132, 54]), alpha=0.2, method="wilson")
    np.testing.assert_allclose(t["low"], 100 * lo)
    np.testing.assert_allclose(t["high"], 100 * hi)
    assert out.method == "wilson" and (t["method"] == "wilson").all()
    # N known but not used: Wilson, uncorrected
    off = intervals(load_results(r.summary[["key_question", "yes", "n"]], population=668), finite_population=False)
    np.testing.assert_allclose(off.table["low"], 100 * lo)
    assert off.method == "wilson"


def test_default_mixes_methods_by_sample_and_names_both():
    r = load_results(pd.DataFrame({"key_question": ["2.1.3", "4.1.3"], "yes": [65, 35], "n": [132, 54]}),
                     population={"unpaid_work": 79})
    out = intervals(r)
    t = out.table.set_index("key_question")
    assert t.loc["2.1.3", "method"] == "wilson" and t.loc["4.1.3", "method"] == "hypergeometric-midp"
    assert out.method == "hypergeometric-midp+wilson"
    assert "mid-p hypergeometric (population known) + Wilson" in repr(out)
    lo, hi = proportion_confint(65, 132, alpha=0.2, method="wilson")
    assert t.loc["2.1.3", "low"] == pytest.approx(100 * lo)
    assert t.loc["4.1.3", "low"] == pytest.approx(100 * stats_midp(35, 54, 79)[0])


def test_explicit_wilson_is_unchanged_wilson_with_fpc():
    """method="wilson" gives exactly the figures the default gave before issue 26."""
    r = load_results(pd.DataFrame({"key_question": ["2.1.3", "4.1.3"], "yes": [65, 35], "n": [132, 54]}),
                     population={"case_supervision": 668, "unpaid_work": 79})
    t = intervals(r, method="wilson").table
    y, n, N = np.array([65, 35]), np.array([132, 54]), np.array([668, 79])
    lo, hi = proportion_confint(y, n, alpha=0.2, method="wilson")
    f = np.sqrt((N - n) / (N - 1))
    p = y / n
    np.testing.assert_allclose(t["low"], 100 * (p - (p - lo) * f))
    np.testing.assert_allclose(t["high"], 100 * (p + (hi - p) * f))
    assert (t["method"] == "wilson").all() and t["note"].str.contains("finite-population correction").all()


def _stratified(populations, strata_only=False):
    """A two-stratum sample of 23 + 19 cases of 2.1.1 with the given stratum populations."""
    yes = ["yes"] * 12 + ["no"] * 11 + ["yes"] * 16 + ["no"] * 3
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(42)], "h": ["A"] * 23 + ["B"] * 19, "2.1.1": yes})
    if strata_only:
        return load_results(cases, sample="case_supervision", strata=["h"], population=sum(populations))
    cells = pd.DataFrame({"h": ["A", "B"], "population": populations})
    return load_results(cases, sample="case_supervision", strata=["h"], stratum_populations=cells)


def test_default_for_stratified_samples():
    """Equal design weights (23 and 19 of 46 and 38) are self-weighting: the default analyses
    the sample as a simple random sample of N = 84 (mid-p). A rounded proportional allocation
    (23 and 19 of 30 and 26) or any other has unequal weights and takes the stratified
    finite-population interval (issue 26: benchmarks/stratified_fpc.py), exactly as
    method="stratified-finite" and the stats function on the cells' counts give; method="wilson"
    keeps the design-weighted Wilson interval. With strata but no N_h the sample is analysed as
    a simple random sample of N: mid-p."""
    from sampling.stats._stratified import stratified_count_interval
    from sampling import survey_design
    equal = intervals(_stratified([46, 38]))
    t = equal.table.iloc[0]
    assert equal.method == "hypergeometric-midp" and t["population"] == 84
    assert (t["low"], t["high"]) == pytest.approx(tuple(100 * v for v in stats_midp(28, 42, 84)))
    assert "self-weighting" in t["note"] and "weighted_percent" in equal.table.columns
    assert t["weighted_percent"] == pytest.approx(100 * 28 / 42)
    assert importlib.import_module("sampling.estimation._weighted_rows").self_weighting(survey_design(_stratified([46, 38])).cells["case_supervision"])
    for populations in ([30, 26], [36, 20]):
        unequal = _stratified(populations)
        assert not importlib.import_module("sampling.estimation._weighted_rows").self_weighting(survey_design(unequal).cells["case_supervision"])
        default, named = intervals(unequal), intervals(unequal, method="stratified-finite")
        assert default.method == "stratified-finite" and default.table.loc[0, "method"] == "stratified-finite"
        pd.testing.assert_frame_equal(default.table, named.table)
        assert "design-weighted by N_h" in default.table.loc[0, "note"]
        low, high = stratified_count_interval([12, 16], [23, 19], populations)
        N = sum(populations)
        assert (default.table.loc[0, "low"], default.table.loc[0, "high"]) == pytest.approx((100 * low / N, 100 * high / N))
        wilson = intervals(unequal, method="wilson").table.iloc[0]
        assert wilson["method"] == "wilson" and "finite-population correction" in wilson["note"]
    plain = intervals(_stratified([30, 26], strata_only=True)).table.iloc[0]
    assert plain["method"] == "hypergeometric-midp"
    assert (plain["low"], plain["high"]) == pytest.approx(tuple(100 * v for v in stats_midp(28, 42, 56)))
