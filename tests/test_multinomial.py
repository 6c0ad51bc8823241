"""Exactness of the resampling engine's counts (sampling.stats._multinomial) and of the joint case
bootstrap built on them, against closed forms and direct index resampling.

Monte Carlo tolerances are stated per test: a frequency is compared within 5 of its standard
errors (two samples: 5·√2), so a correct engine fails a check with probability below 10⁻⁵;
all seeds are fixed, so the suite is deterministic.
"""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sampling.estimation._intervals import bootstrap_replicates
from sampling.results._results import load_results

counts = importlib.import_module("sampling.stats._multinomial")


def plan_for(unit_counts: list[list[int]], draws: list[int]):
    flat = np.concatenate([np.asarray(c) for c in unit_counts])
    ends = np.cumsum([len(c) for c in unit_counts])
    return counts.count_plan(flat, list(zip(np.r_[0, ends[:-1]], ends)), draws)


def drawn(plan, B: int, rng, chunk: int = 4096) -> np.ndarray:
    """(B, U) counts in the caller's unit order."""
    out = np.concatenate([counts.draw_counts(plan, min(chunk, B - b), rng) for b in range(0, B, chunk)])
    back = np.empty_like(out)
    back[:, plan.order] = out
    return back


def force(monkeypatch, how: str) -> None:
    if how == "poisson":
        monkeypatch.setattr(counts, "POISSON_MIN_DRAWS", 1)
        monkeypatch.setattr(counts, "POISSON_COST", 0.0)
    elif how == "index":
        monkeypatch.setattr(counts, "POISSON_MIN_DRAWS", 10 ** 9)
    elif how == "tails":  # a narrow chain: most draws finish by sequential search, both ways
        monkeypatch.setattr(counts, "POISSON_MIN_DRAWS", 1)
        monkeypatch.setattr(counts, "POISSON_COST", 0.0)
        monkeypatch.setattr(counts, "TAIL", 0.3)


STRATA = [[1, 1, 1, 2, 3, 5, 40, 200],   # λ from 0.9 to 180: inversion with both tails, and numpy
          [4, 4, 4, 4, 4, 4, 4, 4, 4, 4],  # equal units
          [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  # one case each
          [3, 2]]                        # too small to Poissonise: index draws
DRAWS = [253, 39, 25, 5]                 # n_h and n_h − 1 (Rao–Wu)


@pytest.mark.parametrize("how", ["default", "poisson", "index", "tails"])
def test_counts_are_multinomial(monkeypatch, how):
    """Each stratum's counts sum to its draws in every replicate (exactly), and every unit's
    count is Binomial(m_h, c_u/n_h) (its whole distribution, against scipy's pmf) with
    multinomial covariances −m π_i π_j."""
    if how != "default":
        force(monkeypatch, how)
    plan = plan_for(STRATA, DRAWS)
    if how in ("poisson", "tails"):  # all but the last (μ = m − 3√m would be negative)
        assert plan.n_poisson == sum(len(c) for c in STRATA[:-1])
    if how == "index":
        assert plan.n_poisson == 0
    B = 40_000
    X = drawn(plan, B, np.random.default_rng(1))
    assert X.dtype == np.float32 and np.array_equal(X, np.round(X))
    start = 0
    for c_u, m in zip(STRATA, DRAWS):
        block = X[:, start:start + len(c_u)].astype(np.int64)
        start += len(c_u)
        assert (block.sum(axis=1) == m).all()
        pi = np.asarray(c_u) / sum(c_u)
        for j in {0, len(c_u) - 1, len(c_u) // 2}:
            k = np.arange(m + 1)
            pmf = stats.binom.pmf(k, m, pi[j])
            freq = np.bincount(block[:, j], minlength=m + 1)[:m + 1] / B
            assert np.all(np.abs(freq - pmf) <= 5 * np.sqrt(pmf * (1 - pmf) / B) + 1e-4)
        cov = np.cov(block[:, :2].T)[0, 1]
        ref = -m * pi[0] * pi[1]
        se = np.sqrt(m * pi[0] * m * pi[1] / B) * 1.5
        assert abs(cov - ref) <= 5 * se


def test_counts_reproducible_and_other_bit_generators():
    plan = plan_for(STRATA, DRAWS)
    a = drawn(plan, 500, np.random.default_rng(7))
    b = drawn(plan, 500, np.random.default_rng(7))
    assert np.array_equal(a, b)
    # a bit generator with 32-bit raw output (MT19937) takes numpy's own 32-bit draws
    X = drawn(plan, 20_000, np.random.Generator(np.random.MT19937(3)))
    m, n = DRAWS[0], sum(STRATA[0])
    share = X[:, 0].mean() / m
    assert share == pytest.approx(1 / n, abs=5 * np.sqrt(m * (1 / n) / 20_000) / m)
    assert (X[:, :len(STRATA[0])].sum(axis=1) == m).all()


@pytest.mark.parametrize("how", ["default", "tails"])
def test_reused_workspace_gives_the_same_counts(monkeypatch, how):
    """Chunks drawn into one reused workspace (as the engine does) equal chunks drawn into
    fresh ones: nothing of the previous chunk is left behind, and a shorter last chunk too."""
    force(monkeypatch, how)
    plan = plan_for(STRATA, DRAWS)
    sizes = [300, 300, 41]
    fresh_rng, reuse_rng = np.random.default_rng(11), np.random.default_rng(11)
    work = counts.Workspace(plan, 300)
    for c in sizes:
        fresh = counts.draw_counts(plan, c, fresh_rng)
        reused = counts.draw_counts(plan, c, reuse_rng, work)
        assert reused.shape == (c, plan.units) and np.array_equal(fresh, reused)


def test_inversion_grid_is_within_its_bound():
    """The inverse-transform CDF sits on a 32-bit grid: every cumulative probability within
    2⁻³² of scipy's, so every count probability within 2⁻³¹."""
    lam = np.array([0.05, 0.94, 2.7, 9.5, 60.0])
    first, need = counts._chain_span(lam)
    groups, table = counts._chains(lam, first, counts._chain_width(need))
    exact = stats.poisson.cdf(np.arange(table.shape[0] - 1)[:, None], lam[None, :])
    assert np.abs(table[:-1] / 2 ** 32 - exact).max() <= 2 ** -32
    assert (table[-1] == 2 ** 32).all() and sum(z - a for a, z, *_ in groups) == len(lam)


def test_poisson_cdf_and_quantiles_are_scipys():
    """The numpy Poisson CDF of the chain means (no scipy in the analysis) is within 4e-15 of
    scipy's, its 32-bit grid the same, and the TAIL quantiles from it are scipy's."""
    rng = np.random.default_rng(0)
    lam = np.concatenate([rng.uniform(1e-3, counts.CHAIN_MAX_MEAN, 4000),
                          np.geomspace(1e-3, counts.CHAIN_MAX_MEAN, 400)])
    L = counts._rows(lam.max())
    ours = counts._poisson_cdf(L, lam)
    theirs = stats.poisson.cdf(np.arange(L)[:, None], lam[None, :])
    assert np.abs(ours - theirs).max() <= 4e-15
    grid = [np.minimum(np.round(F * 2 ** 32), 2 ** 32 - 1) for F in (ours, theirs)]
    assert (grid[0] != grid[1]).mean() < 1e-5
    first, need = counts._chain_span(lam)
    lo, hi = stats.poisson.ppf(counts.TAIL, lam), stats.poisson.ppf(1 - counts.TAIL, lam)
    assert np.array_equal(first, np.maximum(lo - 1, 0)) and np.array_equal(need, hi - first + 1)
    big = np.array([150.0, 2000.0])  # numpy's sampler: nothing to compare
    assert [a.tolist() for a in counts._chain_span(big)] == [[0, 0], [0, 0]]


def test_plan_choice_is_by_cost():
    """Poissonise when a stratum's units (at POISSON_COST each) and its top-up (SLACK·√m)
    cost less than its m index draws."""
    assert plan_for([[50] * 40], [2000]).n_poisson == 40        # few patterns
    assert plan_for([[1] * 2000], [2000]).n_poisson == 2000     # 800 + 134 < 2,000
    assert plan_for([[1] * 20], [19]).n_poisson == 0            # 8 + 13 > 19
    assert plan_for([[1] * 10], [9]).n_poisson == 0             # under POISSON_MIN_DRAWS
    empty = plan_for([[3, 4]], [0])  # a census stratum (Rao–Wu, f = 1) draws nothing
    assert not drawn(empty, 10, np.random.default_rng(0)).any()


# --------------------------------------------------------------------------- whole designs
def naive_replicates(df: pd.DataFrame, kqs: list[str], strata: dict, pops: dict, B: int, rng) -> np.ndarray:
    """Textbook resampling, written independently of the engine: per sample and stratum, draw
    m_h case indices with ``rng.integers``; with N known or strata, Rao–Wu weights
    w = 1 − λ + λ (n_h/m_h) r, m_h = n_h − 1, λ = √(m_h (1 − f)/(n_h − 1)), f = n/N (or 0)."""
    out = np.full((B, len(kqs)), np.nan)
    for s, part in df.groupby("sample", sort=False):
        cols = [k for k in kqs if (part[k] != "n/a").any()]
        A = part[cols].replace({"yes": 1.0, "no": 0.0, "n/a": np.nan}).to_numpy(dtype=float)
        label = part[strata[s]].astype(str).agg("|".join, axis=1) if strata.get(s) else pd.Series("", index=part.index)
        N = pops.get(s)
        f = len(part) / N if N else 0.0
        rescale = N is not None or label.nunique() > 1
        yes, app = np.zeros((B, len(cols))), np.zeros((B, len(cols)))
        for _, rows in label.groupby(label).groups.items():
            Y = A[part.index.get_indexer(rows)]
            n_h = len(Y)
            m_h = n_h - 1 if rescale else n_h
            idx = rng.integers(0, n_h, size=(B, m_h))
            r = np.apply_along_axis(np.bincount, 1, idx, minlength=n_h)
            lam = np.sqrt(m_h * (1 - f) / (n_h - 1)) if rescale else 1.0
            w = 1 - lam + lam * (n_h / m_h) * r if rescale else r
            yes += w @ np.nan_to_num(Y)
            app += w @ (~np.isnan(Y)).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, [kqs.index(c) for c in cols]] = 100 * yes / app
    return out


def design(seed: int = 0) -> pd.DataFrame:
    """Two samples: case supervision (320 cases, three correlated questions, one on a
    sub-sample; strata rosh × gender, with four single-case strata) and unpaid work (90)."""
    rng = np.random.default_rng(seed)
    n = 320
    quality = rng.normal(size=n)
    rosh = rng.choice(["low", "medium", "high"], n, p=[0.3, 0.5, 0.2])
    gender = rng.choice(["m", "f"], n, p=[0.8, 0.2])
    rosh[:4], gender[:4] = ["v1", "v2", "v3", "v4"], "x"
    cs = {"case_id": [f"c{i}" for i in range(n)], "sample": "case_supervision", "rosh": rosh, "gender": gender}
    for j, kq in enumerate(["2.1.1", "2.1.2", "2.2.3"]):
        p = 1 / (1 + np.exp(-(0.4 + quality + 0.6 * rng.normal(size=n))))
        a = np.where(rng.random(n) < p, "yes", "no").astype(object)
        if kq == "2.2.3":
            a[rosh == "low"] = "n/a"
        cs[kq] = a
    uw = {"case_id": [f"u{i}" for i in range(90)], "sample": "unpaid_work", "rosh": "low", "gender": "m",
          "4.1.1": np.where(rng.random(90) < 0.7, "yes", "no")}
    df = pd.concat([pd.DataFrame(cs), pd.DataFrame(uw)], ignore_index=True)
    return df.fillna({k: "n/a" for k in ["2.1.1", "2.1.2", "2.2.3", "4.1.1"]})


DESIGNS = {  # name: (strata, populations)
    "unstratified": ({}, {}),
    "stratified, Rao-Wu": ({"case_supervision": ["rosh", "gender"]}, {}),
    "finite population": ({}, {"case_supervision": 700}),
    "stratified, finite, two samples": ({"case_supervision": ["rosh", "gender"]},
                                        {"case_supervision": 700, "unpaid_work": 150}),
}


@pytest.mark.parametrize("how", ["default", "poisson"])
@pytest.mark.parametrize("name", list(DESIGNS))
def test_engine_matches_direct_index_resampling(monkeypatch, name, how):
    """For every design the package supports, the engine's replicates and textbook index
    resampling agree: means within 5√2 standard errors, standard deviations within 4%,
    10/50/90% quantiles within one case of the smallest question (0.8 points), and the joint
    frequency of "every case-supervision question at 65% or more" (a standard's band under
    the minimum rule) within 5√2 standard errors."""
    if how == "poisson":
        force(monkeypatch, "poisson")
    strata, pops = DESIGNS[name]
    df = design()
    kqs = ["2.1.1", "2.1.2", "2.2.3", "4.1.1"]
    r = load_results(df, strata={s: c for s, c in strata.items()} or None, population=pops or None)
    B = 20_000
    ours = bootstrap_replicates(r, n_resamples=B, rng=11).values
    lonely = df["rosh"].str.startswith("v")  # the engine pools single-case strata: so does the reference
    ref_df = df.assign(rosh=np.where(lonely, "pooled", df["rosh"]), gender=np.where(lonely, "x", df["gender"]))
    ref = naive_replicates(ref_df, kqs, strata, pops, B, np.random.default_rng(12))
    if strata:
        assert "4 single-case strata pooled" in bootstrap_replicates(r, n_resamples=10, rng=1).kind
    se = ref.std(axis=0) / np.sqrt(B)
    np.testing.assert_array_less(np.abs(ours.mean(axis=0) - ref.mean(axis=0)), 5 * np.sqrt(2) * se)
    np.testing.assert_allclose(ours.std(axis=0), ref.std(axis=0), rtol=0.04)
    np.testing.assert_allclose(np.quantile(ours, [0.1, 0.5, 0.9], axis=0),
                               np.quantile(ref, [0.1, 0.5, 0.9], axis=0), atol=0.8)
    band = [np.mean(np.round(v[:, :3]).min(axis=1) >= 65) for v in (ours, ref)]
    assert abs(band[0] - band[1]) <= 5 * np.sqrt(2 * band[1] * (1 - band[1]) / B)
