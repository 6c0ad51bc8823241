"""The finite-population posterior behind the rating probabilities (issue 26, item 2):
closed forms of its draws, a census, reproducibility, and a small calibration check (the full
study: ``benchmarks/calibration_study.py``)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sampling
from sampling import ArgumentError
from sampling.estimation._posterior import posterior_draws, unit_populations
from sampling.rating import _grades
from sampling.rating._ratings import rate
from sampling.results._design import as_design
from sampling.results._results import load_results

sys.path.insert(0, str(Path(__file__).parent))
from test_intervals import cases, yes_no  # noqa: E402  (the case-table builders)


def _draws(results, B, seed=1, **kw):
    return posterior_draws(as_design(results, kw.get("population"), kw.get("finite_population")), B,
                           np.random.default_rng(seed))


# --------------------------------------------------------------------------- closed forms
def test_one_question_unseen_count_is_beta_binomial():
    """The Pólya urn seeded with x yes of n: the N − n unseen cases hold K ~ BetaBinomial(N − n,
    x, n − x) yes; the draw's population % is 100 (x + K)/N."""
    x, n, N, B = 35, 54, 79, 40_000
    r = load_results(cases({"4.1.3": yes_no(x, n, np.random.default_rng(3))}, n), population=N)
    post = _draws(r, B)
    assert post.kind == "finite-population posterior (Pólya urn over whole cases, key questions jointly)"
    K = post.values[:, 0] * N / 100 - x
    np.testing.assert_allclose(K, np.round(K), atol=1e-9)
    ref = stats.betabinom(N - n, x, n - x)
    assert K.mean() == pytest.approx(ref.mean(), abs=4 * ref.std() / np.sqrt(B))
    assert K.var() == pytest.approx(ref.var(), rel=0.03)
    # and its whole distribution: the shares of every count
    counts = np.bincount(np.round(K).astype(int), minlength=N - n + 1) / B
    assert np.abs(counts - ref.pmf(np.arange(N - n + 1))).max() < 0.01


def test_questions_keep_their_joint_distribution():
    """Whole cases are drawn: two questions answered identically on every case stay identical
    in every draw; one answered oppositely sums to 100%."""
    a = yes_no(30, 42, np.random.default_rng(4))
    flip = np.where(a == "yes", "no", "yes").astype(object)
    r = load_results(cases({"4.2.1": a, "4.2.2": a, "4.2.3": flip}, 42), population=56)
    v = _draws(r, 2000).values
    np.testing.assert_allclose(v[:, 0], v[:, 1])
    np.testing.assert_allclose(v[:, 0] + v[:, 2], 100.0)
    assert v[:, 0].std() > 1.0


def test_n_unknown_is_the_bayesian_bootstrap():
    """N unknown (Rubin 1981): the population share is Dirichlet-weighted, its marginal
    Beta(x, n − x)."""
    x, n, B = 65, 132, 40_000
    r = load_results(cases({"2.1.3": yes_no(x, n, np.random.default_rng(1))}, n))
    post = _draws(r, B, seed=2)
    assert "Bayesian bootstrap" in post.kind
    p = post.values[:, 0] / 100
    ref = stats.beta(x, n - x)
    assert p.mean() == pytest.approx(ref.mean(), abs=4 * ref.std() / np.sqrt(B))
    assert p.var() == pytest.approx(ref.var(), rel=0.03)


def test_census_gives_certainty():
    r = load_results(cases({"4.1.3": yes_no(35, 54), "4.1.1": yes_no(20, 54)}, 54), population=54)
    v = _draws(r, 300).values
    pct = r.summary["percent"].to_numpy(float)  # summary order (4.1.1, then 4.1.3)
    np.testing.assert_allclose(pct, [100 * 20 / 54, 100 * 35 / 54])
    np.testing.assert_allclose(v, np.broadcast_to(pct, v.shape))
    a = rate(r, n_resamples=300, rng=1, partial=True)
    st = a.standards.set_index("standard")
    assert st.at["4.1", f"P({st.at['4.1', 'rule_rating']})"] == 1.0


def test_subsample_question_counts_its_own_cases():
    """A question asked of part of the sample: its % is over the drawn cases it applies to, and
    its domain size varies from draw to draw as the relevant share is uncertain."""
    rng = np.random.default_rng(5)
    n, N = 132, 668
    relevant = rng.random(n) < 0.6
    sub = np.where(relevant, np.where(rng.random(n) < 0.7, "yes", "no"), "not applicable").astype(object)
    r = load_results(cases({"2.1.1": yes_no(90, n, rng), "2.2.3": sub}, n), population=N)
    design = as_design(r, None, None)
    post = posterior_draws(design, 20_000, np.random.default_rng(6))
    x, m = int((sub == "yes").sum()), int(relevant.sum())
    assert np.isfinite(post.values).all()
    p = post.values[:, 1]
    assert p.mean() == pytest.approx(100 * x / m, abs=0.5)
    # its spread: the unseen cases of the domain, about (N − n)·m/n of them, beta-binomial
    U = round((N - n) * m / n)
    ref = stats.betabinom(U, x, m - x)
    sd = 100 * ref.std() / (m + U)
    assert p.std() == pytest.approx(sd, rel=0.1)


def test_strata_share_the_unseen_cases_in_proportion():
    df = cases({"2.1.1": yes_no(80, 132, np.random.default_rng(7))}, 132,
               rosh=["high"] * 33 + ["medium"] * 50 + ["low"] * 49)
    r = load_results(df, strata=["rosh"], population=668)
    pt = as_design(r, None, None).units[0]
    group, unseen, finite = unit_populations(pt)
    n_g = np.bincount(group, weights=pt.counts)
    assert finite and unseen.sum() == 668 - 132
    np.testing.assert_allclose(unseen, (668 - 132) * n_g / 132, atol=1)
    assert "stratified" in _draws(r, 10).kind


def test_aggregate_data_are_beta_binomial_per_question():
    x, n, N, B = 35, 54, 79, 40_000
    r = load_results(pd.DataFrame({"key_question": ["4.1.3"], "yes": [x], "n": [n]}), population=N)
    post = _draws(r, B, seed=3)
    K = post.values[:, 0] * N / 100 - x
    ref = stats.betabinom(N - n, x, n - x)
    assert K.mean() == pytest.approx(ref.mean(), abs=4 * ref.std() / np.sqrt(B))
    assert K.var() == pytest.approx(ref.var(), rel=0.03)
    # all yes: the Jeffreys Beta(x + ½, ½), not the urn's certainty
    r = load_results(pd.DataFrame({"key_question": ["4.1.3"], "yes": [n], "n": [n]}), population=N)
    assert _draws(r, 2000).values.std() > 0


# --------------------------------------------------------------------------- rate()
def test_rate_is_reproducible_and_keeps_the_old_method():
    r = sampling.synthetic_results(rng=1, n=60)
    a, b = rate(r, n_resamples=500, rng=7, population=200), rate(r, n_resamples=500, rng=7, population=200)
    pd.testing.assert_frame_equal(a.standards, b.standards)
    pd.testing.assert_frame_equal(a.overall, b.overall)
    assert a.probability_source.startswith("finite-population posterior") and "500 draws" in a.probability_source
    old = rate(r, n_resamples=500, rng=7, population=200, probabilities="bootstrap")
    assert old.probability_source.startswith("joint case bootstrap")
    # the intervals do not depend on where the probabilities come from
    pd.testing.assert_frame_equal(a.key_questions, old.key_questions)
    with pytest.raises(ArgumentError):
        rate(r, probabilities="magic")


# --------------------------------------------------------------------------- calibration
def _single_question_standards(count: int, seed: int) -> pd.DataFrame:
    """``count`` standards 4.2 rated on one key question (the posterior draws banded as
    ``rate`` bands them), 42 of 56 cases, the true % uniform
    on 35–95: (stated P(rule), rule right?)."""
    fw = sampling.load_framework("hmip-adult")
    rules = fw.rules
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        M = int(round(rng.uniform(35, 95) / 100 * 56))
        pop = np.r_[np.ones(M), np.zeros(56 - M)]
        got = rng.choice(pop, 42, replace=False)
        frame = cases({"4.2.1": np.where(got == 1, "yes", "no")}, 42)
        res = load_results(frame, framework=fw, population={"through_the_gate": 56})
        truth = rules.label(int(rules.kq_band(100 * M / 56)))
        rule = int(rules.kq_band(100 * got.mean()))
        draws = posterior_draws(as_design(res, None, None), 400, np.random.default_rng(i)).values[:, 0]
        rows.append({"p": float((rules.kq_band(draws) == rule).mean()), "right": rules.label(rule) == truth})
    return pd.DataFrame(rows)


def test_posterior_is_calibrated_on_a_small_study():
    """300 single-question standards at N = 56 (42 sampled): in coarse bins the stated P(rule)
    and the share right agree within Monte Carlo error (the exact single-question calibration
    is within 1–4 points in every bin; the full study checks standards of several questions
    at N = 56, 79 and 668)."""
    post = _single_question_standards(300, 2026)
    cut = pd.cut(post["p"], [0, 0.7, 0.9, 1.0001], right=False)
    g = post.groupby(cut, observed=True).agg(n=("right", "size"), stated=("p", "mean"), seen=("right", "mean"))
    g = g[g["n"] >= 30]
    se = np.sqrt(g["seen"] * (1 - g["seen"]) / g["n"]).clip(lower=0.01)
    assert (np.abs(g["stated"] - g["seen"]) <= 3 * se + 0.03).all(), g
    assert abs(post["p"].mean() - post["right"].mean()) < 0.04


# --------------------------------------------------------------------------- the printed rates
def test_grade_meanings_quote_the_measured_rates():
    """Every printed error rate comes from ``sampling/rating/grade_rates.json``, which
    ``benchmarks/calibration_study.py --write`` writes: the words quote it, not a copy."""
    data = json.loads(_grades.RATES_PATH.read_text(encoding="utf-8"))
    assert data["conditions"]["script"] == "benchmarks/calibration_study.py"
    pooled = data["rates"]["pooled"]
    for grade in _grades.GRADES:
        text = _grades.GRADE_MEANING[grade]
        assert f"{100 * pooled[grade]['wrong_all']:.1f}%" in text, text
        assert f"{100 * pooled[grade]['wrong_near']:.0f}%" in text, text
    assert "within 2 points of a band edge" in _grades.GRADE_MEANING["settled"]
    table = _grades.grade_table()
    assert set(table["grade"]) == set(_grades.GRADES)


def test_design_weighted_sample_draws_each_cell_from_its_own_urn():
    """Stratum populations N_h known (design A of tests/test_weights.py, 25 of 56 cases in four
    cells): each cell's N_h − n_h unseen cases come from its own urn, so the posterior mean is
    the design-weighted estimate, and the spread is near the design-based standard error with
    the finite-population correction (R survey's), a little under it: a cell's Pólya variance
    is (n_h − 1)/(n_h + 1) of the unbiased one."""
    from test_weights import R_SURVEY, design_results

    r = design_results("A")
    design = as_design(r, None, None)
    group, unseen, finite = unit_populations(design.units[0])
    assert finite and unseen.sum() == 56 - 25
    post = posterior_draws(design, 40_000, np.random.default_rng(8))
    assert "design-weighted by N_h" in post.kind
    q1 = post.values[:, 0] / 100
    est, se = R_SURVEY["A"][0][:2]
    assert q1.mean() == pytest.approx(est, abs=4 * se / np.sqrt(40_000))
    assert 0.75 * se < q1.std() < se
