"""Tests of sampling.plan and the `sampling plan` command.

Figures are checked against independent computations (statsmodels, scipy, brute-force
scans written out here) and against the seed inspection's files, not against literals
copied from a run of the code under test.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import samplesize_confint_proportion

from sampling import ArgumentError
from sampling.cli import main
from sampling.examples import seed_tables
from sampling.plan._plan import (
    Plan,
    achieved_margin,
    band_probabilities,
    implied_population,
    misrating_risk,
    plan_table,
    sample_size,
    subsample_plan,
)

Z80 = stats.norm.ppf(0.9)


@pytest.fixture(scope="module")
def seed():
    tables = seed_tables()
    meth = tables.inspection["methodology"]
    return {
        "confidence_level": meth["confidence_level"],
        "margin": meth["margin"],
        "samples": {name: s["n"] for name, s in tables.inspection["samples"].items()},
    }


def brute_cochran(N, confidence_level=0.8, margin=0.05, p=0.5):
    """Cochran's n written out independently: the N·z²pq / ((N−1)e² + z²pq) form, with
    n₀ from statsmodels."""
    n0 = samplesize_confint_proportion(p, margin, alpha=1 - confidence_level)
    if N is None:
        return math.ceil(n0 - 1e-9)
    return min(N, max(1, math.ceil(N * n0 / (N - 1 + n0) - 1e-9)))


# --------------------------------------------------------------------------- Cochran
def test_infinite_population_matches_statsmodels():
    n0 = samplesize_confint_proportion(0.5, 0.05, alpha=0.2)
    assert n0 == pytest.approx(164.2374, abs=1e-4)
    assert sample_size() == math.ceil(n0) == 165
    assert plan_table(None).table["n0"].iloc[0] == pytest.approx(n0, rel=1e-12)


def test_seed_samples_are_cochran_sizes(seed):
    """Each seed sample size is Cochran's n for some population, at the seed's settings."""
    kw = dict(confidence_level=seed["confidence_level"], margin=seed["margin"])
    for n in seed["samples"].values():
        hits = brute_implied(n, **kw)
        assert hits, n
        for N in hits:
            assert sample_size(N, **kw) == brute_cochran(N, **kw) == n


def test_figures_from_the_brief():
    assert [sample_size(N) for N in (668, 79, 56, 500)] == [132, 54, 42, 124]
    assert [brute_cochran(N) for N in (668, 79, 56, 500)] == [132, 54, 42, 124]


def test_rounding_n0_first_would_overstate():
    """Rounding n₀ up before the correction (a common shortcut) gives 125 at N = 500."""
    n0 = samplesize_confint_proportion(0.5, 0.05, alpha=0.2)
    rounded_first = math.ceil(math.ceil(n0) / (1 + (math.ceil(n0) - 1) / 500))
    assert rounded_first == 125
    assert sample_size(500) == 124


def test_cochran_agrees_with_brute_force_over_a_range():
    for N in list(range(1, 400)) + [668, 1000, 8600, 10**6]:
        assert sample_size(N) == brute_cochran(N), N
    for cl, e, p in [(0.9, 0.05, 0.5), (0.95, 0.03, 0.3), (0.8, 0.1, 0.5)]:
        for N in (10, 57, 300, 5000, None):
            assert sample_size(N, confidence_level=cl, margin=e, p=p) == brute_cochran(N, cl, e, p)


def test_never_more_than_population_and_at_least_one():
    for N in (1, 2, 3, 5, 20):
        assert 0 < sample_size(N) <= N
    assert sample_size(1) == 1
    assert sample_size(None, p=0.0) == 1
    assert sample_size(100, p=1.0) == 1


def test_achieved_margin_is_the_inverse():
    for N in (56, 79, 500, 668, 5000, None):
        n = sample_size(N)
        assert achieved_margin(n, N) <= 0.05 + 1e-12
        if n > 1:
            assert achieved_margin(n - 1, N) > 0.05
    # the formula written out: z·sqrt(pq/n·(N−n)/(N−1))
    assert achieved_margin(132, 668) == pytest.approx(Z80 * math.sqrt(0.25 / 132 * 536 / 667))
    assert achieved_margin(165) == pytest.approx(Z80 * math.sqrt(0.25 / 165))
    assert achieved_margin(10, 10) == 0.0
    assert achieved_margin(1, 1) == 0.0


# --------------------------------------------------------------------------- implied N
def brute_implied(n, confidence_level=0.8, margin=0.05, p=0.5):
    """Scan N = 1…2999 with the N·n₀/(N − 1 + n₀) form, vectorised."""
    n0 = samplesize_confint_proportion(p, margin, alpha=1 - confidence_level)
    N = np.arange(1, 3000)
    sizes = np.minimum(N, np.maximum(1, np.ceil(N * n0 / (N - 1 + n0) - 1e-9)))
    hits = N[sizes == n]
    return (int(hits[0]), int(hits[-1])) if hits.size else None


def test_implied_population_of_the_seed_samples(seed):
    kw = dict(confidence_level=seed["confidence_level"], margin=seed["margin"])
    expected = {132: (644, 668), 54: (78, 79), 42: (55, 56)}  # the brief's figures
    for n in seed["samples"].values():
        r = implied_population(n, **kw)
        assert (r.low, r.high) == brute_implied(n, **kw) == expected[n]
        assert r.as_range() == range(r.low, r.high + 1)
        assert r.low in r and r.high in r and r.low - 1 not in r and r.high + 1 not in r


def test_implied_population_matches_brute_force_for_small_n():
    for n in (1, 2, 5, 17, 40, 99, 120):
        r = implied_population(n)
        assert (r.low, r.high) == brute_implied(n), n


def test_implied_population_unbounded_and_empty():
    top = implied_population(165)
    assert top.unbounded and top.high is None and 10**7 in top
    assert sample_size(top.low) == 165 and sample_size(top.low - 1) == 164
    with pytest.raises(ArgumentError):
        top.as_range()
    none = implied_population(166)
    assert none.empty and not none and none.as_range() == range(0)
    assert "165" in none.message
    assert "n=166" in repr(none)


# --------------------------------------------------------------------------- exact
def brute_hypergeom_interval(x, n, N, alpha):
    """Exact interval for the population count, scanning every M (Buonaccorsi 1987)."""
    M = np.arange(N + 1)
    keep = (stats.hypergeom.cdf(x, N, M, n) > alpha / 2) & (stats.hypergeom.sf(x - 1, N, M, n) > alpha / 2)
    return M[keep].min(), M[keep].max()


def brute_exact_halfwidth(n, N, alpha=0.2):
    if N is None:
        x = np.arange(n + 1)
        lo = np.where(x == 0, 0.0, stats.beta.ppf(alpha / 2, np.maximum(x, 1), n - x + 1))
        hi = np.where(x == n, 1.0, stats.beta.ppf(1 - alpha / 2, x + 1, np.maximum(n - x, 1)))
        return np.max(hi - lo) / 2
    x = np.arange(n + 1)[:, None]
    M = np.arange(N + 1)[None, :]
    keep = (stats.hypergeom.cdf(x, N, M, n) > alpha / 2) & (stats.hypergeom.sf(x - 1, N, M, n) > alpha / 2)
    lows = np.where(keep, M, N + 1).min(axis=1)
    highs = np.where(keep, M, -1).max(axis=1)
    return np.max(highs - lows) / (2 * N)


def brute_exact_n(N, margin=0.05, start=1):
    stop = (N if N is not None else 400) + 1
    for n in range(start, stop):
        if brute_exact_halfwidth(n, N) <= margin + 1e-12:
            return n
    raise AssertionError("no n found")


@pytest.mark.parametrize("N,n", [(20, 7), (100, 30), (668, 132)])
def test_exact_halfwidth_matches_brute_force_interval(N, n):
    from sampling.plan._exact import hypergeom_upper as _hypergeom_upper

    for x in (0, 1, n // 3, n // 2, n):
        lo, hi = brute_hypergeom_interval(x, n, N, 0.2)
        assert _hypergeom_upper(np.array([x]), n, N, 0.2)[0] == hi
        assert N - _hypergeom_upper(np.array([n - x]), n, N, 0.2)[0] == lo
    assert achieved_margin(n, N, method="exact") == pytest.approx(brute_exact_halfwidth(n, N))


def test_fast_hypergeometric_cdf_matches_scipy():
    from sampling.plan._exact import hypergeom_cdf as _hypergeom_cdf

    rng = np.random.default_rng(7)
    for N, n in [(20, 7), (668, 132), (10_000, 180), (200_000, 183)]:
        x = np.arange(n + 1)
        M = rng.integers(0, N + 1, size=n + 1)
        assert _hypergeom_cdf(x, N, M, n) == pytest.approx(stats.hypergeom.cdf(x, N, M, n),
                                                           abs=1e-8)


# 95 and 109: populations where the worst-case half-width is not monotone in n, so a plain
# bisection would overshoot the smallest n by two cases.
@pytest.mark.parametrize("N", [5, 10, 13, 40, 60, 95, 109])
def test_exact_sample_size_matches_brute_force(N):
    assert sample_size(N, method="exact") == brute_exact_n(N)


def test_exact_infinite_population_matches_clopper_pearson_scan():
    n = sample_size(None, method="exact")
    assert n == brute_exact_n(None, start=150)
    assert achieved_margin(n, method="exact") == pytest.approx(brute_exact_halfwidth(n, None))


def test_exact_is_at_least_cochran_except_for_tiny_populations():
    """Exact intervals are conservative, so the exact n is normally ≥ Cochran's. For a few
    very small N (10–13 and 60 at the seed settings) the exact interval for the count M
    moves in whole cases, so its half-width (a multiple of 1/(2N)) reaches the margin a
    case or two sooner than the normal approximation's smooth curve."""
    for N in (100, 200, 500, 668, 2000, 10_000, None):
        assert sample_size(N, method="exact") >= sample_size(N), N
    for N in (10, 11, 12, 13, 60):
        assert sample_size(N) - 2 <= sample_size(N, method="exact") < sample_size(N)


def test_exact_size_is_not_monotone_in_population_so_no_implied_range():
    """Under the exact criterion a larger population can need fewer cases, so working back
    from n to N is only offered for Cochran's formula."""
    sizes = {N: sample_size(N, method="exact") for N in (79, 80)}
    assert sizes[80] < sizes[79]
    assert brute_exact_n(80) < brute_exact_n(79)
    with pytest.raises(ArgumentError) as info:
        implied_population(58, method="exact")
    assert info.value.argument == "method"


def test_exact_is_fast_for_large_population():
    import time

    start = time.perf_counter()
    n = sample_size(10_000, method="exact")
    assert time.perf_counter() - start < 3
    assert n >= sample_size(10_000)
    assert achieved_margin(n, 10_000, method="exact") <= 0.05
    assert achieved_margin(n - 1, 10_000, method="exact") > 0.05


# --------------------------------------------------------------------------- misrating
def test_misrating_closed_forms():
    # n = 1: the published percentage is 0 or 100
    assert misrating_risk(70, 1) == pytest.approx(1.0)          # Good: both outcomes wrong
    assert misrating_risk(90, 1) == pytest.approx(0.10)         # Outstanding unless X = 0
    assert misrating_risk(30, 1) == pytest.approx(0.30)         # Inadequate unless X = 1
    assert misrating_risk(90, 1, 10) == pytest.approx(1 / 10)   # M = 9 of 10: P(X = 0)
    # n = 2: 0, 50 or 100; true 55 (band 50–64) is right only when X = 1
    assert misrating_risk(55, 2) == pytest.approx(1 - 2 * 0.55 * 0.45)
    assert misrating_risk(0, 20) == 0.0 and misrating_risk(100, 20, 300) == 0.0


def test_published_rounding_is_half_up():
    """The seed's 4.1.3: 35/54 = 64.8% is published as 65 (Good); exact ties go up."""
    from sampling.plan._risk import observed_percent as _observed_percent

    assert _observed_percent(np.array([35]), 54, "half_up")[0] == 65
    assert _observed_percent(np.array([1, 3]), 8, "half_up").tolist() == [13, 38]    # 12.5, 37.5
    assert _observed_percent(np.array([1, 3]), 8, "half_even").tolist() == [12, 38]
    # n = 200: rounding moves 129/200 = 64.5% up into 65–79 and 159/200 = 79.5% out of it
    p_round = band_probabilities(64.5, 200)["[65,80)"].iloc[0]
    p_raw = band_probabilities(64.5, 200, rounding="none")["[65,80)"].iloc[0]
    assert p_round - p_raw == pytest.approx(
        stats.binom.pmf(129, 200, 0.645) - stats.binom.pmf(159, 200, 0.645))


@pytest.mark.parametrize("population", [None, 668])
def test_misrating_agrees_with_simulation(population):
    rng = np.random.default_rng(20190201)
    n, reps = 132, 100_000
    true = np.array([45.0, 52.0, 64.0, 66.0, 79.0, 81.0])
    edges = np.array([50, 65, 80])
    exact = misrating_risk(true, n, population)
    assert exact.shape == true.shape
    for t, risk in zip(true, exact):
        if population is None:
            x = rng.binomial(n, t / 100, size=reps)
        else:
            M = math.floor(t / 100 * population + 0.5)
            x = rng.hypergeometric(M, population - M, n, size=reps)
        published = np.floor(100 * x / n + 0.5)
        wrong = np.mean(np.searchsorted(edges, published, side="right")
                        != np.searchsorted(edges, t, side="right"))
        se = math.sqrt(max(risk * (1 - risk), 1e-4) / reps)
        assert abs(wrong - risk) < 4 * se, (t, wrong, risk)


def test_band_probabilities_table():
    frame = band_probabilities([45, 70], 54, 79)
    assert list(frame.columns) == ["true_percent", "true_band", "[0,50)", "[50,65)", "[65,80)",
                                   "[80,100]", "misrating_risk"]
    assert frame.iloc[:, 2:6].sum(axis=1).to_numpy() == pytest.approx([1, 1])
    assert frame["true_band"].tolist() == [0, 2]
    assert frame["misrating_risk"].to_numpy() == pytest.approx(misrating_risk([45, 70], 54, 79))


def test_misrating_vectorised_and_pure():
    arr = np.array([[40.0, 60.0], [70.0, 90.0]])
    before = arr.copy()
    out = misrating_risk(arr, 42, 56)
    assert out.shape == (2, 2) and np.array_equal(arr, before)
    assert out[1, 0] == pytest.approx(misrating_risk(70, 42, 56))
    assert isinstance(misrating_risk(70, 42), float)


# --------------------------------------------------------------------------- sub-samples
def test_subsample_plan():
    whole = subsample_plan(population=668, share=1.0)
    assert whole.n == whole.n_needed == 132 and whole.meets_margin
    sub = subsample_plan(population=668, share=0.4)
    assert sub.expected_subsample == pytest.approx(0.4 * 132)
    # margin with the FPC on the sub-population 0.4·668, written out
    R, m = 0.4 * 668, 0.4 * 132
    assert sub.subsample_margin == pytest.approx(Z80 * math.sqrt(0.25 / m * (R - m) / (R - 1)))
    assert not sub.meets_margin
    assert sub.subsample_needed == math.ceil(R * 164.2374415 / (R - 1 + 164.2374415))
    assert sub.n_needed == math.ceil(sub.subsample_needed / 0.4)
    # at n_needed the expected sub-sample meets the margin; one case fewer it does not
    assert subsample_plan(sub.n_needed, 668, share=0.4).subsample_margin <= 0.05 + 1e-12
    assert subsample_plan(sub.n_needed - 1, 668, share=0.4).subsample_margin > 0.05
    assert subsample_plan(None, None, share=0.5).n_needed == math.ceil(165 / 0.5)
    assert subsample_plan(50, 60, share=0.1).n_needed <= 60
    frame = sub.to_frame()
    assert len(frame) == 1 and "n_needed" in frame and "SubsamplePlan" in repr(sub)


# --------------------------------------------------------------------------- plan table
def test_plan_table():
    pops = [668, 79, 56, None]
    plan = plan_table(pops)
    assert isinstance(plan, Plan) and pops == [668, 79, 56, None]
    t = plan.to_frame()
    assert list(t.columns) == ["population", "n0", "n", "achieved_margin", "sampling_fraction", "method"]
    assert t["n"].tolist() == [132, 54, 42, 165]
    assert t["population"].isna().tolist() == [False, False, False, True]
    assert t["achieved_margin"].iloc[0] == pytest.approx(100 * achieved_margin(132, 668))
    assert t["sampling_fraction"].iloc[1] == pytest.approx(54 / 79)
    assert "Cochran" in plan.formula and plan.formula in repr(plan)
    assert "<table" in plan._repr_html_()
    t.loc[0, "n"] = 0  # to_frame gives a copy
    assert plan.table["n"].iloc[0] == 132
    exact = plan_table([668], method="exact").to_frame()
    assert exact["n"].iloc[0] == sample_size(668, method="exact")


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call,argument", [
    (lambda: sample_size(0), "population"),
    (lambda: sample_size(12.5), "population"),
    (lambda: sample_size(-3), "population"),
    (lambda: sample_size(True), "population"),
    (lambda: sample_size(100, confidence_level=1.0), "confidence_level"),
    (lambda: sample_size(100, confidence_level=0), "confidence_level"),
    (lambda: sample_size(100, margin=5), "margin"),
    (lambda: sample_size(100, margin=0), "margin"),
    (lambda: sample_size(100, p=1.5), "p"),
    (lambda: sample_size(100, method="wald"), "method"),
    (lambda: achieved_margin(0, 100), "n"),
    (lambda: achieved_margin(101, 100), "n"),
    (lambda: implied_population(0), "n"),
    (lambda: subsample_plan(population=100, share=0), "share"),
    (lambda: subsample_plan(population=100, share=1.2), "share"),
    (lambda: misrating_risk(101, 10), "true_percent"),
    (lambda: misrating_risk([50, -1], 10), "true_percent"),
    (lambda: misrating_risk(50, 11, 10), "n"),
    (lambda: misrating_risk(50, 10, bands=(65, 50)), "bands"),
    (lambda: misrating_risk(50, 10, rounding="up"), "rounding"),
    (lambda: plan_table([668, 0]), "population"),
])
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(ArgumentError) as info:
        call()
    assert info.value.argument == argument
    assert argument in str(info.value)


# --------------------------------------------------------------------------- CLI
def test_cli_plan_table(capsys):
    assert main(["plan", "--population", "668,79", "-N", "56"]) == 0
    out = capsys.readouterr().out
    assert "132" in out and "54" in out and "42" in out and "Cochran" in out


def test_cli_json(capsys):
    assert main(["plan", "-N", "668", "--subsample-share", "0.4", "--from-sample", "132",
                 "--misrating-risk", "60,70", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["plan"][0]["n"] == 132
    assert data["subsample"][0]["n_needed"] == subsample_plan(population=668, share=0.4).n_needed
    assert (data["implied_population"][0]["population_low"],
            data["implied_population"][0]["population_high"]) == (644, 668)
    assert [r["true_percent"] for r in data["misrating_risk"]] == [60, 70]
    assert data["misrating_risk"][1]["misrating_risk"] == pytest.approx(misrating_risk(70, 132, 668))


def test_cli_example_uses_the_seed(capsys, seed):
    assert main(["plan", "--example", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {r["sample"]: r for r in data["example"]["samples"]}
    assert {k: r["n"] for k, r in rows.items()} == seed["samples"]
    for name, n in seed["samples"].items():
        r = implied_population(n, confidence_level=seed["confidence_level"], margin=seed["margin"])
        assert (rows[name]["population_low"], rows[name]["population_high"]) == (r.low, r.high)
        assert rows[name]["margin_at_high"] <= 100 * seed["margin"] + 1e-9
    assert main(["plan", "--example"]) == 0
    assert "644" in capsys.readouterr().out


def test_cli_unbounded_and_empty_ranges(capsys):
    assert main(["plan", "--from-sample", "165,166", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["implied_population"]
    assert rows[0]["population_high"] is None and rows[0]["population_low"] > 100_000
    assert rows[1]["population_low"] is None
    assert main(["plan", "--from-sample", "165,166"]) == 0
    out = capsys.readouterr().out
    assert "infinite" in out and "no population gives n=166" in out


@pytest.mark.parametrize("argv", [
    ["plan", "-N", "0"],
    ["plan", "-N", "12.5"],
    ["plan", "--margin", "5"],
    ["plan", "--confidence", "1.2"],
    ["plan", "--p", "2"],
    ["plan", "--subsample-share", "0"],
    ["plan", "--misrating-risk", "120"],
    ["plan", "-N", "50", "--n", "60", "--misrating-risk", "50"],
    ["plan", "--from-sample", "0"],
    ["plan", "--method", "wald"],
    ["plan", "--from-sample", "132", "--method", "exact"],
])
def test_cli_bad_input_exits_2(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse errors
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and err[-1].startswith("sampling plan: error:")
