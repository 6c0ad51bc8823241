"""The bootstrap intervals with N known (sampling.estimation._fp_bootstrap): Pólya-urn draws of
the unobserved cases, checked against the exact beta-binomial (and its convolution over
strata), the fallbacks to the analytic default with their notes, N unknown unchanged, and
rate() drawing the urn once."""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sampling
from sampling.errors import ArgumentError, DataError
from sampling.estimation._fp_bootstrap import MIN_URN_MINORITY, URN_KIND
from sampling.estimation._intervals import bootstrap_replicates, intervals
from sampling.results._results import load_results

from test_intervals import cases, yes_no

ALPHA = 0.1  # 80% intervals


def _tail_ok(count: float, cdf: np.ndarray, q: float, B: int) -> bool:
    """Whether a limit (population count, possibly interpolated) is a q-quantile of the exact
    distribution ``cdf`` within Monte Carlo error: P(X < limit) ≤ q ≤ P(X ≤ limit), each
    side loosened by four standard errors of a share from B draws."""
    se = 4 * np.sqrt(q * (1 - q) / B)
    lo, hi = int(np.floor(count + 1e-9)), int(np.ceil(count - 1e-9))
    below = cdf[lo - 1] if lo >= 1 else 0.0
    return below <= q + se and cdf[min(hi, len(cdf) - 1)] >= q - se


def _jackknife_a(x: int, n: int) -> float:
    """Jackknife acceleration of x ones and n − x zeros, closed form (Efron & Tibshirani
    1993, eq. 14.15): (1 − 2p)/(6√(n p (1 − p))) · n/(n − 1) ⁰ — the scale cancels, so
    (1 − 2p)/(6√(n p(1 − p)))."""
    p = x / n
    return (1 - 2 * p) / (6 * np.sqrt(n * p * (1 - p)))


@pytest.mark.parametrize("method", ["bootstrap-percentile", "bootstrap-bca"])
def test_urn_limits_are_the_beta_binomial_quantiles(method):
    x, n, N, B = 35, 54, 79, 40_000
    r = load_results(cases({"4.1.3": yes_no(x, n, np.random.default_rng(3))}, n), population=N)
    iv = intervals(r, method=method, n_resamples=B, rng=4)
    row = iv.table.iloc[0]
    assert row["method"] == method and row["note"] == f"finite-population (Pólya urn) resampling, N={N}"
    assert iv.replicates.kind.startswith(URN_KIND) and iv.replicates.finite_population == (True,)
    # a draw's unseen yes count is BetaBinomial(N − n, x, n − x): moments
    unseen = iv.replicates.values[:, 0] * N / 100 - x
    np.testing.assert_allclose(unseen, np.round(unseen), atol=1e-9)
    ref = stats.betabinom(N - n, x, n - x)
    assert unseen.mean() == pytest.approx(ref.mean(), abs=4 * ref.std() / np.sqrt(B))
    assert unseen.var() == pytest.approx(ref.var(), rel=0.04)
    q = (ALPHA, 1 - ALPHA)
    if method == "bootstrap-bca":  # z0 = 0, the 0/1 jackknife acceleration
        a = _jackknife_a(x, n)
        z = stats.norm.ppf(q)
        q = tuple(stats.norm.cdf(z / (1 - a * z)))
        assert q[0] != pytest.approx(ALPHA, abs=1e-3)
    cdf = ref.cdf(np.arange(N - n + 1))
    for limit, level in zip((row["low"], row["high"]), q):
        assert _tail_ok(limit * N / 100 - x, cdf, level, B)
        assert abs(limit * N / 100 - x - ref.ppf(level)) <= 1


def test_urn_is_narrower_than_the_rao_wu_bootstrap_at_a_high_fraction_and_holds_the_sample():
    r = load_results(cases({"4.1.3": yes_no(30, 42, np.random.default_rng(2))}, 42), population=56)
    t = intervals(r, method="bootstrap-percentile", n_resamples=20_000, rng=1).table.iloc[0]
    assert t["low"] <= 100 * 30 / 42 <= t["high"] and t["high"] - t["low"] > 100 / 56
    # limits are whole population counts (N = 56): draws are whole populations
    for v in (t["low"], t["high"]):
        assert v * 56 / 100 == pytest.approx(round(v * 56 / 100), abs=1e-6)


def _two_cells(N_a: int, N_b: int) -> tuple[sampling.Results, sampling.Results]:
    """Cell a: 20 cases, all but 2 yes; cell b: 20 cases, 6 yes. Weighted by N_h, and the
    same cases as a simple random sample of N_a + N_b."""
    ans = np.concatenate([yes_no(18, 20, np.random.default_rng(1)), yes_no(6, 20, np.random.default_rng(2))])
    df = cases({"2.1.1": ans}, 40, h=["a"] * 20 + ["b"] * 20)
    cells = pd.DataFrame({"h": ["a", "b"], "population": [N_a, N_b]})
    return (load_results(df, stratum_populations=cells),
            load_results(df.drop(columns="h"), population=N_a + N_b))


def test_design_weighted_urn_is_the_convolution_of_cell_beta_binomials():
    weighted, srs = _two_cells(30, 60)
    B = 40_000
    iv = intervals(weighted, method="bootstrap-percentile", n_resamples=B, rng=5)
    row = iv.table.iloc[0]
    assert row["method"] == "bootstrap-percentile" and "design-weighted" in iv.replicates.kind
    # exact: population yes = 18 + 6 + BB(10; 18, 2) + BB(40; 6, 14)
    pmf = np.convolve(stats.betabinom.pmf(np.arange(11), 10, 18, 2), stats.betabinom.pmf(np.arange(41), 40, 6, 14))
    cdf = np.cumsum(pmf)
    for limit, level in zip((row["low"], row["high"]), (ALPHA, 1 - ALPHA)):
        assert _tail_ok(limit * 90 / 100 - 24, cdf, level, B)
    # centred on the weighted % (18/20·30 + 6/20·60)/90 = 50%, not the sample's 60%
    assert row["weighted_percent"] == pytest.approx(50.0)
    mean = np.nanmean(iv.replicates.values[:, 0])
    assert mean == pytest.approx(50.0, abs=0.1) and iv.replicates.estimate[0] == pytest.approx(50.0)
    # the simple random sample of the same cases: centred on 60%, and wider (no stratum gain)
    plain = intervals(srs, method="bootstrap-percentile", n_resamples=B, rng=5)
    assert np.nanmean(plain.replicates.values[:, 0]) == pytest.approx(60.0, abs=0.1)
    assert plain.table.iloc[0]["high"] - plain.table.iloc[0]["low"] > row["high"] - row["low"]


def test_stratified_urn_within_strata_without_cell_populations():
    # strata (no N_h): the unseen N − n cases are apportioned to strata as the cases sampled
    ans = np.concatenate([yes_no(20, 20), yes_no(10, 20, np.random.default_rng(4))])
    df = cases({"2.1.1": ans}, 40, rosh=["high"] * 20 + ["low"] * 20)
    strat = intervals(load_results(df, strata=["rosh"], population=80), method="bootstrap-percentile",
                      n_resamples=20_000, rng=2)
    flat = intervals(load_results(df, strata=["rosh"], population=80), method="bootstrap-percentile",
                     n_resamples=20_000, rng=2, stratified=False)
    assert "stratified" in strat.replicates.kind
    # the all-yes stratum's 20 unseen cases are all yes: its share adds no uncertainty
    unseen_b = strat.replicates.values[:, 0] * 80 / 100 - 30 - 20
    ref = stats.betabinom(20, 10, 10)
    assert unseen_b.var() == pytest.approx(ref.var(), rel=0.05)
    assert np.var(flat.replicates.values[:, 0]) > 1.3 * np.var(strat.replicates.values[:, 0])


@pytest.mark.parametrize("method", ["bootstrap-percentile", "bootstrap-bca"])
def test_degenerate_rows_fall_back_to_the_mid_p_default_with_a_note(method):
    df = cases({"2.1.1": yes_no(40, 40), "2.1.2": yes_no(0, 40),
                "2.1.3": np.array(["yes", "no", "yes"] + ["n/a"] * 37, dtype=object),
                "2.2.1": yes_no(2, 40, np.random.default_rng(1)),
                "2.2.2": yes_no(25, 40, np.random.default_rng(1))}, 40)
    t = intervals(load_results(df, population=50), method=method, n_resamples=2_000, rng=1).table
    t = t.set_index("key_question")
    for kq, yes, n, why in (("2.1.1", 40, 40, "all answers yes"), ("2.1.2", 0, 40, "no answer yes"),
                            ("2.1.3", 2, 3, "too few cases"), ("2.2.1", 2, 40, "only 2 'yes'")):
        row = t.loc[kq]
        Nj = row["population"]
        lo, hi = sampling.proportion_interval(yes, n, method="hypergeometric-midp", population=Nj)
        assert row["method"] == "hypergeometric-midp"
        assert why in row["note"] and "mid-p hypergeometric interval (the default) is used" in row["note"]
        assert f"hypergeometric, N" in row["note"] and "Pólya" not in row["note"]
        assert (row["low"], row["high"]) == pytest.approx((100 * lo, 100 * hi))
        assert row["high"] > row["low"]  # never zero width short of a census
        assert "None" not in row["note"] and "_" not in row["note"]
    assert t.loc["2.2.2", "method"] == method


def test_minority_threshold_differs_by_method():
    few = MIN_URN_MINORITY["bootstrap-bca"]
    assert few < MIN_URN_MINORITY["bootstrap-percentile"]
    r = load_results(cases({"2.1.1": yes_no(few, 60, np.random.default_rng(2))}, 60), population=90)
    bca = intervals(r, method="bootstrap-bca", n_resamples=4_000, rng=1).table.iloc[0]
    pct = intervals(r, method="bootstrap-percentile", n_resamples=4_000, rng=1).table.iloc[0]
    assert bca["method"] == "bootstrap-bca" and pct["method"] == "hypergeometric-midp"
    assert bca["low"] < 100 * few / 60 < bca["high"]


def test_census_is_certain_and_weighted_fallback_is_the_weighted_default():
    r = load_results(cases({"4.1.3": yes_no(35, 54, np.random.default_rng(3))}, 54), population=54)
    row = intervals(r, method="bootstrap-bca", n_resamples=500, rng=1).table.iloc[0]
    assert row["method"] == "bootstrap-bca" and row["low"] == row["high"] == pytest.approx(100 * 35 / 54)
    # design-weighted, unequal weights, all yes: the weighted default (stratified finite-population)
    df = cases({"2.1.1": yes_no(40, 40)}, 40, h=["a"] * 20 + ["b"] * 20)
    cells = pd.DataFrame({"h": ["a", "b"], "population": [30, 60]})
    w = load_results(df, stratum_populations=cells)
    boot = intervals(w, method="bootstrap-percentile", n_resamples=500, rng=1).table.iloc[0]
    auto = intervals(w).table.iloc[0]
    assert boot["method"] == "stratified-finite" == auto["method"] and "all answers yes" in boot["note"]
    assert (boot["low"], boot["high"]) == pytest.approx((auto["low"], auto["high"]))
    assert boot["high"] > boot["low"] and "stratified finite-population interval (the default for a design-weighted row)" in boot["note"]
    # unseen cases only in an all-yes cell (the other a census): the urn draws all agree, so
    # the weighted default, widened as it is for zero design variance
    df = cases({"2.1.1": np.concatenate([yes_no(10, 10), yes_no(6, 10)])}, 20, h=["a"] * 10 + ["b"] * 10)
    w = load_results(df, stratum_populations=pd.DataFrame({"h": ["a", "b"], "population": [30, 10]}))
    boot = intervals(w, method="bootstrap-bca", n_resamples=500, rng=1).table.iloc[0]
    auto = intervals(w).table.iloc[0]
    assert "the resampled populations all had the same %" in boot["note"]
    assert (boot["low"], boot["high"]) == pytest.approx((auto["low"], auto["high"])) and boot["high"] > boot["low"]


def test_aggregate_results_with_n_known_use_the_beta_binomial_urn():
    r = load_results(pd.DataFrame([("2.1.3", 30, 42)], columns=["key_question", "yes", "n"]), population=56)
    B = 40_000
    iv = intervals(r, method="bootstrap-percentile", n_resamples=B, rng=3)
    assert "beta-binomial" in iv.replicates.kind
    cdf = stats.betabinom(14, 30, 12).cdf(np.arange(15))
    row = iv.table.iloc[0]
    for limit, level in zip((row["low"], row["high"]), (ALPHA, 1 - ALPHA)):
        assert _tail_ok(limit * 56 / 100 - 30, cdf, level, B)


@pytest.mark.parametrize("method", ["bootstrap-percentile", "bootstrap-bca"])
def test_n_unknown_is_the_case_bootstrap_as_before(method):
    """Without N the intervals are the case bootstrap's, from the same stream as
    bootstrap_replicates (unchanged); in a design with N for one sample only, the other
    sample's rows are still the case bootstrap's, drawn first from the same stream."""
    from sampling.estimation._bootstrap_limits import bootstrap_or_fallback
    from sampling.estimation._resampling import resample
    from sampling.results._design import survey_design

    r = sampling.synthetic_results(4)
    iv = intervals(r, method=method, n_resamples=3_000, rng=7)
    rep = bootstrap_replicates(r, n_resamples=3_000, rng=7)
    np.testing.assert_array_equal(iv.replicates.values, rep.values)
    assert iv.replicates.kind == rep.kind and "Pólya" not in rep.kind
    s = r.summary
    ref = bootstrap_or_fallback(resample(survey_design(r), 3_000, np.random.default_rng(7)), method, 0.8,
                                s["yes"].to_numpy(float), s["n"].to_numpy(float),
                                np.full(len(s), np.nan), [[] for _ in range(len(s))])
    np.testing.assert_array_equal(iv.table["low"], ref[0])
    np.testing.assert_array_equal(iv.table["high"], ref[1])
    seed = sampling.seed_inspection()
    first = next(iter(seed.sample_sizes))
    pops = {s: 3 * n for s, n in seed.sample_sizes.items() if s != first}
    mixed = intervals(seed, method=method, population=pops, n_resamples=2_000, rng=3)
    design = survey_design(seed, population=pops)
    boot = resample(design, 2_000, np.random.default_rng(3))
    own = (mixed.table["sample"] == first).to_numpy()
    np.testing.assert_array_equal(mixed.replicates.values[:, own], boot.values[:, own])
    assert "Pólya" in mixed.replicates.kind and "the parametric (binomial) bootstrap elsewhere" in mixed.replicates.kind
    assert not mixed.table.loc[own, "method"].str.startswith("hypergeometric").any()


def test_rate_draws_the_urn_once_for_intervals_and_probabilities(monkeypatch):
    posterior = importlib.import_module("sampling.estimation._posterior")
    fp = importlib.import_module("sampling.estimation._fp_bootstrap")
    iv_mod = importlib.import_module("sampling.estimation._intervals")
    calls = []
    real = posterior.posterior_draws

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fp, "posterior_draws", counted)
    monkeypatch.setattr(iv_mod, "posterior_draws", counted)
    seed = sampling.synthetic_results(4)
    pops = {s: n + 20 for s, n in seed.sample_sizes.items()}
    a = sampling.rate(seed, method="bootstrap-percentile", population=pops, n_resamples=2_000, rng=5)
    assert len(calls) == 1
    # the intervals' draws are the probabilities' draws: the same as the default method's
    # posterior drawn first from the same seed
    calls.clear()
    iv = sampling.intervals(seed, method="bootstrap-percentile", population=pops, n_resamples=2_000, rng=5)
    assert len(calls) == 1
    design = sampling.survey_design(seed, population=pops)
    again = real(design, 2_000, np.random.default_rng(5))
    np.testing.assert_array_equal(iv.replicates.values, again.values)
    kq = a.key_questions.set_index("key_question")
    ref = iv.table.set_index("key_question")
    np.testing.assert_allclose(kq.loc[ref.index, "low"], ref["low"])
    assert "Pólya urn over whole cases" in a.probability_source
    # probabilities="bootstrap" still reads the case bootstrap's (Rao–Wu) replicates
    b = sampling.rate(seed, method="bootstrap-percentile", population=pops, n_resamples=500, rng=5,
                      probabilities="bootstrap")
    assert "Rao-Wu" in b.probability_source and "Pólya" not in b.probability_source


def test_bad_input_still_errors():
    r = load_results(cases({"4.1.3": yes_no(35, 54)}, 54), population=79)
    with pytest.raises(ArgumentError):
        intervals(r, method="bootstrap-bca", n_resamples=0)
    with pytest.raises(ArgumentError):
        intervals(r, method="bootstrap-percentile", confidence_level=1.5)
    with pytest.raises(ArgumentError):
        intervals(r, method="bootstrap-pct")
    with pytest.raises(DataError):
        intervals(r, method="bootstrap-percentile", population=40)


@pytest.mark.parametrize("method", ["bootstrap-percentile", "bootstrap-bca"])
def test_enumeration_benchmark_limits_are_the_packages(method):
    """benchmarks/fpc_enumeration.py's B → ∞ urn limits are what sampling.intervals gives
    (within a case at large B), fallbacks included."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[1] / "benchmarks" / "fpc_enumeration.py"
    spec = importlib.util.spec_from_file_location("fpc_enumeration", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    N, n = 56, 42
    low, high = bench.urn_limits(N, n, method)
    for x in (2, 5, 30, 41):
        r = load_results(cases({"2.1.1": yes_no(x, n, np.random.default_rng(x))}, n), population=N)
        row = intervals(r, method=method, n_resamples=40_000, rng=x).table.iloc[0]
        assert abs(row["low"] - 100 * low[x]) <= 100 / N + 1e-9 and abs(row["high"] - 100 * high[x]) <= 100 / N + 1e-9
        assert row["method"] == (method if min(x, n - x) >= MIN_URN_MINORITY[method] else "hypergeometric-midp")


def test_small_stratum_cells_fall_back_to_the_weighted_default():
    """Cells of 3–11 sampled cases (benchmarks/weights_check.py's design): the urn within a
    small cell is too sure, so the row is the weighted default, and its note says why."""
    h = ["a"] * 9 + ["b"] * 8 + ["c"] * 5 + ["d"] * 3
    ans = np.concatenate([yes_no(8, 9), yes_no(5, 8), yes_no(3, 5), yes_no(1, 3)])
    df = cases({"2.1.1": ans}, len(h), h=h)
    w = load_results(df, stratum_populations=pd.DataFrame({"h": list("abcd"), "population": [20, 17, 11, 8]}))
    for method in ("bootstrap-percentile", "bootstrap-bca"):
        row = intervals(w, method=method, n_resamples=500, rng=1).table.iloc[0]
        auto = intervals(w).table.iloc[0]
        assert row["method"] == "stratified-finite" and "only 3 sampled case(s) (under 10)" in row["note"]
        assert (row["low"], row["high"]) == pytest.approx((auto["low"], auto["high"]))
    # strata without N_h: the same rule, the default being mid-p on the sample's count
    s = load_results(df, strata=["h"], population=56)
    row = intervals(s, method="bootstrap-bca", n_resamples=500, rng=1).table.iloc[0]
    lo, hi = sampling.proportion_interval(17, 25, method="hypergeometric-midp", population=56)
    assert row["method"] == "hypergeometric-midp" and "a stratum with unobserved cases" in row["note"]
    assert (row["low"], row["high"]) == pytest.approx((100 * lo, 100 * hi))


def test_rate_says_which_key_questions_fell_back_and_why():
    """A bootstrap method whose rows fall back (tiny stratum cells) is not silent: the
    assessment's notes name the key questions, the interval used and the first reason."""
    h = ["a"] * 9 + ["b"] * 8 + ["c"] * 5 + ["d"] * 3
    ans = np.concatenate([yes_no(8, 9), yes_no(5, 8), yes_no(3, 5), yes_no(1, 3)])
    w = load_results(cases({"2.1.1": ans}, len(h), h=h),
                     stratum_populations=pd.DataFrame({"h": list("abcd"), "population": [20, 17, 11, 8]}))
    notes = sampling.rate(w, method="bootstrap-bca", n_resamples=500, rng=1, partial=True).notes
    said = [t for t in notes if "instead of the bootstrap BCa one asked for" in t]
    assert len(said) == 1 and "(2.1.1)" in said[0] and "stratified finite-population interval" in said[0]
    assert "only 3 sampled case(s) (under 10)" in said[0]
    plain = sampling.rate(w, n_resamples=500, rng=1, partial=True).notes
    assert not any("asked for" in t for t in plain)
