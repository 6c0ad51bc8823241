"""Finite-population (hypergeometric) intervals: brute force, closed forms, exact coverage,
the API and CLI options, and no false certainty for weighted subgroups."""
from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom

import sampling
from sampling.cli import main
from sampling.stats._hypergeometric import (hypergeometric_count_limits, hypergeometric_exact_interval,
                                            hypergeometric_midp_interval)
from sampling.stats._proportion import proportion_interval

FUNCS = {False: hypergeometric_exact_interval, True: hypergeometric_midp_interval}


def _brute(x, n, N, cl, midp):
    """Limits by evaluating every K = 0…N (no bisection, no symmetry)."""
    a = 1 - cl
    K = np.arange(N + 1)
    half = 0.5 * hypergeom.pmf(x, N, K, n) if midp else 0.0
    upper_tail = hypergeom.sf(x - 1, N, K, n) - half
    lower_tail = hypergeom.cdf(x, N, K, n) - half
    return int(K[upper_tail > a / 2].min()), int(K[lower_tail > a / 2].max())


@pytest.mark.parametrize("midp", [False, True])
@pytest.mark.parametrize("cl", [0.8, 0.95])
def test_count_limits_match_brute_force(midp, cl):
    for N in (1, 2, 7, 20, 56):
        for n in sorted({1, max(N // 3, 1), max(N // 2, 1), max(N - 1, 1), N}):
            x = np.arange(n + 1)
            low, high = hypergeometric_count_limits(x, n, N, confidence_level=cl, midp=midp)
            assert [(int(a), int(b)) for a, b in zip(low, high)] == [_brute(i, n, N, cl, midp) for i in x]


def test_zero_yes_upper_limit_closed_form():
    # x = 0: P(X ≤ 0; K) = C(N−K, n)/C(N, n); the upper limit is the largest K with that > α/2
    for N, n in ((56, 42), (79, 54), (150, 20)):
        want = max(K for K in range(N + 1) if comb(N - K, n) / comb(N, n) > 0.1)
        assert hypergeometric_count_limits(0, n, N)[1] == want


def test_large_population_tends_to_clopper_pearson():
    lo, hi = hypergeometric_exact_interval(30, 100, 10**7)
    cp = proportion_interval(30, 100, method="clopper-pearson")
    assert lo == pytest.approx(cp[0], abs=2e-4) and hi == pytest.approx(cp[1], abs=2e-4)


@pytest.mark.parametrize("midp", [False, True])
def test_census_is_the_point_and_only_a_census_has_zero_width(midp):
    f = FUNCS[midp]
    x = np.arange(43)
    lo, hi = f(x, 42, 42)
    assert np.array_equal(lo, x / 42) and np.array_equal(hi, x / 42)
    for N, n in ((20, 19), (20, 18), (56, 42), (6, 5), (1000, 999)):
        x = np.arange(n + 1)
        lo, hi = f(x, n, N)
        assert (hi - lo >= 1 / N - 1e-12).all()
        assert (lo <= x / n + 1e-12).all() and (hi >= x / n - 1e-12).all()  # p̂ inside


def _coverage(N, n, f, cl=0.8):
    x = np.arange(n + 1)
    lo, hi = f(x, n, N, confidence_level=cl)
    K = np.arange(N + 1)
    pmf = hypergeom.pmf(x[None, :], N, K[:, None], n)
    t = (K / N)[:, None]
    return (pmf * ((lo <= t + 1e-12) & (t - 1e-12 <= hi))).sum(axis=1)


@pytest.mark.parametrize("N,n", [(20, 18), (56, 42), (79, 54), (150, 79), (30, 5)])
@pytest.mark.parametrize("cl", [0.8, 0.9])
def test_exact_covers_at_least_nominal_for_every_truth(N, n, cl):
    assert _coverage(N, n, hypergeometric_exact_interval, cl).min() >= cl - 1e-9


def test_enumeration_matches_the_issue_figures():
    # issue 26 measured at N = 56, n = 42 over truths 5–95%: Wilson+FPC mean 78.4, minimum 65,
    # 27% below 75; exact hypergeometric ≥ 81.5 (mean 90); mid-p mean 81.6
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[1] / "benchmarks" / "fpc_enumeration.py"
    spec = importlib.util.spec_from_file_location("fpc_enumeration", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    got = {r["method"]: r for r in bench.table(populations=(56,))}
    assert got["wilson"]["mean"] == pytest.approx(78.4, abs=0.05)
    assert got["wilson"]["minimum"] == pytest.approx(65.1, abs=0.1)
    assert got["wilson"]["below75"] == pytest.approx(27, abs=1)
    assert got["hypergeometric"]["minimum"] == pytest.approx(81.5, abs=0.05)
    assert got["hypergeometric"]["mean"] == pytest.approx(90, abs=0.2)
    assert got["hypergeometric-midp"]["mean"] == pytest.approx(81.6, abs=0.05)


def test_proportion_interval_dispatches_and_needs_population():
    assert proportion_interval(30, 42, method="hypergeometric", population=56) == hypergeometric_exact_interval(30, 42, 56)
    assert proportion_interval(30, 42, method="mid-p", population=56) == hypergeometric_midp_interval(30, 42, 56)
    with pytest.raises(sampling.ArgumentError, match="needs the eligible population"):
        proportion_interval(30, 42, method="hypergeometric")
    with pytest.raises(sampling.ArgumentError):
        hypergeometric_exact_interval(30, 42, 41)


def _results():
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(12)],
                          "2.1.1": ["yes"] * 9 + ["no"] * 3,
                          "2.1.2": ["yes"] * 6 + ["no"] * 2 + ["n/a"] * 4})
    return sampling.load_results(cases, sample="case_supervision")


def test_intervals_method_with_known_population():
    r = _results()
    t = sampling.intervals(r, method="hypergeometric", population=20).table
    lo, hi = hypergeometric_exact_interval(9, 12, 20)
    assert t.loc[0, "low"] == pytest.approx(100 * lo) and t.loc[0, "high"] == pytest.approx(100 * hi)
    assert (t["method"] == "hypergeometric").all() and t.loc[0, "note"] == "hypergeometric, N=20"
    # a sub-sample's population N·n_j/n = 20·8/12 ≈ 13 is rounded
    lo, hi = hypergeometric_exact_interval(6, 8, 13)
    assert t.loc[1, "low"] == pytest.approx(100 * lo) and "N≈13" in t.loc[1, "note"]
    m = sampling.intervals(r, method="hypergeometric-midp", population=20).table
    assert (m["high"] - m["low"] <= t["high"] - t["low"] + 1e-9).all()


def test_intervals_without_population_is_a_clear_error():
    with pytest.raises(sampling.DataError, match="hypergeometric interval needs the eligible population") as e:
        sampling.intervals(_results(), method="hypergeometric")
    assert "--population" in e.value.cli_text()
    with pytest.raises(sampling.DataError):
        sampling.intervals(_results(), method="hypergeometric-midp", population=20, finite_population=False)


def test_cli_method_option(capsys):
    status = main(["analyse", "--example", "--method", "hypergeometric", "--resamples", "200"])
    out, err = capsys.readouterr()
    assert status == 2 and len(err.strip().splitlines()) == 1 and "--population" in err and "Traceback" not in err
    status = main(["analyse", "--example", "--population", "implied", "--method", "hypergeometric-midp",
                   "--resamples", "200", "--seed", "1"])
    out, err = capsys.readouterr()
    assert status == 0 and "mid-p hypergeometric 80% intervals" in out


def _subgroup():
    # issue 26: 5 cases from 6; three cells are complete censuses, the one cell with an
    # unsampled case answered "yes" twice — the design variance is zero
    cases = pd.DataFrame({"case_id": list("abcde"), "h": list("ABCDD"),
                          "2.1.1": ["yes", "yes", "no", "yes", "yes"]})
    cells = pd.DataFrame({"h": list("ABCD"), "population": [1, 1, 1, 3]})
    return sampling.load_results(cases, sample="case_supervision", stratum_populations=cells)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson", "hypergeometric"])
def test_weighted_subgroup_has_no_false_certainty(method):
    t = sampling.intervals(_subgroup(), method=method).table
    assert t.loc[0, "weighted_percent"] == pytest.approx(500 / 6)
    # one unobserved case could move the truth to 4/6
    assert t.loc[0, "low"] == pytest.approx(400 / 6) and t.loc[0, "high"] == pytest.approx(500 / 6)
    assert "design variance is zero" in t.loc[0, "note"]
    if method == "hypergeometric":  # no stratified hypergeometric: the weighted row says what it used
        assert t.loc[0, "method"] == "clopper-pearson" and "simple random sample" in t.loc[0, "note"]


def test_weighted_census_keeps_zero_width():
    cases = pd.DataFrame({"case_id": list("abcd"), "h": list("AABB"), "2.1.1": ["yes", "no", "yes", "yes"]})
    cells = pd.DataFrame({"h": list("AB"), "population": [2, 2]})
    r = sampling.load_results(cases, sample="case_supervision", stratum_populations=cells)
    t = sampling.intervals(r).table
    assert t.loc[0, "low"] == pytest.approx(75) and t.loc[0, "high"] == pytest.approx(75)
    assert "design variance is zero" not in t.loc[0, "note"]
