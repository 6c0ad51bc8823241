"""The national picture (issue 13): ``sampling.pool``, the funnel plot and ``sampling pool``.

Independent references: the population-weighted mean of the providers' %, the stratified
variance written out by hand (Cochran 1977 §5.3) and R's ``survey::svymean`` on a stratified
design with fpc (values stored below), statsmodels' Wilson interval at the effective sample
size, scipy's ``binom.ppf`` for the funnel limits, and a seeded simulation for coverage.
"""
import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom
from statsmodels.stats.proportion import proportion_confint

from bench_loader import load_benchmark
from sampling import ArgumentError, DataError, Pool, funnel_limits, load_results, pool, weighted_estimates
from sampling.charts import funnel
from sampling.cli import main
from sampling.examples import synthetic_results

POPS = {"Northshire": 668, "Westmoor": 300, "Eastvale": 120}
SIZES = {"Northshire": 132, "Westmoor": 90, "Eastvale": 60}


def _provider(name, seed, N=None, framework=None):
    n = SIZES.get(name, 50)
    r = synthetic_results(seed, n={"case_supervision": n, "unpaid_work": 30, "through_the_gate": 20},
                          population=None if N is None else {"case_supervision": N, "unpaid_work": 150,
                                                             "through_the_gate": 60},
                          framework=framework)
    return dataclasses.replace(r, provider=name)


@pytest.fixture(scope="module")
def providers():
    return [_provider(name, i, N) for i, (name, N) in enumerate(POPS.items())]


@pytest.fixture(scope="module")
def pooled(providers):
    return pool(providers)


# --------------------------------------------------------------------------- the estimate
def test_national_percent_is_the_population_weighted_mean(providers, pooled):
    nat = pooled.national.set_index("key_question")
    for kq in nat.index:
        pct, weights = [], []
        for r in providers:
            row = r.summary.set_index("key_question").loc[kq]
            N, n_sample = r.populations[row["sample"]], r.sample_sizes[row["sample"]]
            # a relevant sub-sample's N_ij = N_i n_ij / n_i (rounded to a whole case)
            weights.append(N if row["n"] >= n_sample else math.floor(N * row["n"] / n_sample + 0.5))
            pct.append(row["percent"])
        assert nat.loc[kq, "percent"] == pytest.approx(np.average(pct, weights=weights), abs=1e-10)
        assert nat.loc[kq, "population"] == sum(weights)
    assert nat.loc["2.1.1", "providers"] == 3 and nat.loc["2.1.1", "cases"] == sum(SIZES.values())
    assert "relevant sub-sample" in nat.loc["2.2.3", "note"]


def test_variance_is_the_stratified_variance_by_hand(providers, pooled):
    nat = pooled.national.set_index("key_question")
    for kq in ("2.1.1", "2.2.3", "4.2.1"):
        rows = pooled.providers[pooled.providers["key_question"] == kq]
        N_total = rows["population"].sum()
        v = 0.0
        for rec in rows.itertuples():
            p, n, N = rec.yes / rec.n, rec.n, rec.population
            s2 = n * p * (1 - p) / (n - 1)
            v += (N / N_total) ** 2 * (1 - n / N) * s2 / n
        assert nat.loc[kq, "se"] == pytest.approx(100 * math.sqrt(v), rel=1e-12)
        assert rows["weight"].sum() == pytest.approx(1.0)


def test_matches_r_survey_svymean_with_fpc():
    """R 4.x, survey 4.1-1:
    d <- rbind(A: N=200 n=60 yes=45; B: 350, 80, 50; C: 500, 100, 70; D: 56, 42, 40)
    svymean(~y, svydesign(ids=~1, strata=~prov, fpc=~N, data=d))"""
    r_mean, r_se = 0.698086196503918, 0.025484662273100
    specs = {"A": (200, 60, 45), "B": (350, 80, 50), "C": (500, 100, 70), "D": (56, 42, 40)}
    res = [dataclasses.replace(
        load_results(pd.DataFrame({"key_question": ["2.1.1"], "yes": [yes], "n": [n]}),
                     population={"case_supervision": N}), provider=name)
        for name, (N, n, yes) in specs.items()]
    nat = pool(res).national.iloc[0]
    assert nat["percent"] == pytest.approx(100 * r_mean, abs=1e-10)
    assert nat["se"] == pytest.approx(100 * r_se, abs=1e-10)


def test_interval_is_wilson_at_the_effective_sample_size(pooled):
    for rec in pooled.national.itertuples():
        P, se = rec.percent / 100, rec.se / 100
        m = P * (1 - P) / se ** 2
        assert rec.n_eff == pytest.approx(m)
        low, high = proportion_confint(P * m, m, alpha=0.2, method="wilson")
        assert (rec.low, rec.high) == pytest.approx((100 * low, 100 * high), abs=1e-9)
    normal = pool([*pooled_inputs()], method="normal").national
    z = 1.2815515655446004
    assert np.allclose(normal["low"], normal["percent"] - z * normal["se"])


def pooled_inputs():
    return [_provider(name, i, N) for i, (name, N) in enumerate(POPS.items())]


def test_difference_interval_allows_for_the_provider_inside_the_pool(pooled):
    rows = pooled.providers[pooled.providers["key_question"] == "2.1.2"]
    W = rows["weight"].to_numpy()
    p, n, N = rows["yes"].to_numpy() / rows["n"].to_numpy(), rows["n"].to_numpy(), rows["population"].to_numpy()
    V = (1 - n / N) * p * (1 - p) / (n - 1)
    for i in range(len(rows)):
        # d_i = (1 − W_i) p_i − Σ_{j≠i} W_j p_j, independent strata
        var = sum(((1 - W[j]) if j == i else W[j]) ** 2 * V[j] for j in range(len(rows)))
        half = 100 * 1.2815515655446004 * math.sqrt(var)
        assert rows["difference_high"].iat[i] - rows["difference"].iat[i] == pytest.approx(half)
    assert rows["difference"].to_numpy() == pytest.approx(100 * p - rows["national_percent"].to_numpy())


def test_one_provider_pools_to_itself(providers):
    one = pool(providers[:1])
    r = providers[0].summary.set_index("key_question")
    nat = one.national.set_index("key_question")
    assert nat["percent"].to_numpy() == pytest.approx(r.loc[nat.index, "percent"].to_numpy())
    p, n, N = r.loc["2.1.1", "yes"] / 132, 132, 668
    assert nat.loc["2.1.1", "se"] == pytest.approx(100 * math.sqrt((1 - n / N) * p * (1 - p) / (n - 1)))
    assert (one.providers["weight"] == 1).all() and np.allclose(one.providers["difference"], 0)


def test_census_has_no_sampling_error():
    res = [dataclasses.replace(load_results(pd.DataFrame({"key_question": ["2.1.1"], "yes": [y], "n": [n]}),
                                            population={"case_supervision": n}), provider=name)
           for name, y, n in (("A", 30, 40), ("B", 50, 60))]
    nat = pool(res).national.iloc[0]
    assert nat["se"] == 0 and nat["low"] == nat["high"] == pytest.approx(80 / 100 * 100)


def test_aggregate_level_results():
    specs = {"A": (400, 132, 65), "B": (250, 100, 70)}
    res = [dataclasses.replace(load_results(pd.DataFrame({"key_question": ["2.1.3"], "percent": [round(100 * y / n)],
                                                          "n": [n]})), provider=name)
           for name, (N, n, y) in specs.items()]
    out = pool(res, populations={"A": 400, "B": {"case_supervision": 250}})
    assert res[0].level == "aggregate"
    assert out.national["percent"].iat[0] == pytest.approx((400 * 65 / 132 + 250 * 70 / 100) / 650 * 100)


# --------------------------------------------------------------------------- funnel
def test_funnel_limits_are_binomial_quantiles():
    n = np.arange(1, 400)
    for P in (0.0, 12.5, 49.5, 72.2, 100.0):
        lim = funnel_limits(P, n)
        for level, tag in ((0.8, "80"), (0.95, "95")):
            q = (1 - level) / 2
            assert np.array_equal(lim[f"low_{tag}"], binom.ppf(q, n, P / 100) / n * 100)
            assert np.array_equal(lim[f"high_{tag}"], binom.ppf(1 - q, n, P / 100) / n * 100)


def test_provider_limits_and_flags_agree_with_binom(pooled):
    t = pooled.providers
    P = t["national_percent"] / 100
    assert np.allclose(t["limit_95_low"], binom.ppf(0.025, t["n"], P) / t["n"] * 100)
    assert np.allclose(t["limit_80_high"], binom.ppf(0.9, t["n"], P) / t["n"] * 100)
    outside = (t["percent"] < t["limit_95_low"] - 1e-9) | (t["percent"] > t["limit_95_high"] + 1e-9)
    assert (outside == t["outside_95"]).all() and (t["outside_80"] >= t["outside_95"]).all()
    assert set(t["position"]) <= {"within 80% limits", "above 80% limit", "below 80% limit",
                                  "above 95% limit", "below 95% limit"}


def test_funnel_chart_draws_the_binomial_limits(pooled, tmp_path):
    fig = funnel(pooled, "2.1.1", save=tmp_path / "f")
    ax = fig.axes[0]
    lines = {ln.get_gid(): ln for ln in ax.get_lines() if ln.get_gid()}
    P = float(pooled.national.set_index("key_question").loc["2.1.1", "percent"])
    x = np.asarray(lines["limit-low-95"].get_xdata())
    n = pooled.providers.loc[pooled.providers["key_question"] == "2.1.1", "n"]
    assert x[0] <= n.min() and x[-1] >= n.max() and np.array_equal(np.diff(x), np.ones(len(x) - 1))
    assert np.array_equal(np.asarray(lines["limit-low-95"].get_ydata()), binom.ppf(0.025, x, P / 100) / x * 100)
    assert np.array_equal(np.asarray(lines["limit-high-80"].get_ydata()), binom.ppf(0.9, x, P / 100) / x * 100)
    assert lines["national"].get_ydata()[0] == pytest.approx(P)
    texts = [t.get_text() for t in ax.texts]
    assert {"Northshire", "Westmoor", "Eastvale"} <= set(texts)
    assert (tmp_path / "f.png").exists() and (tmp_path / "f.svg").exists()
    assert all(t.get_fontsize() >= 8 for t in fig.findobj(lambda o: hasattr(o, "get_fontsize")))
    with pytest.raises(ArgumentError, match="key_question"):
        funnel(pooled, "9.9.9")


# --------------------------------------------------------------------------- refusals
def test_missing_population_is_refused_naming_the_provider(providers):
    nameless = _provider("Southdown", 7)  # no populations
    with pytest.raises(ArgumentError) as exc:
        pool([*providers, nameless])
    assert exc.value.argument == "populations"
    assert "Southdown" in str(exc.value) and "PATH=N" in str(exc.value) and "populations=" in str(exc.value)
    fixed = pool([*providers, nameless], populations={"Southdown": 200})
    assert fixed.national["providers"].iat[0] == 4


def test_different_frameworks_are_refused(providers):
    youth = dataclasses.replace(synthetic_results(1, framework="hmip-youth"), provider="Youth")
    with pytest.raises(ArgumentError, match="one framework"):
        pool([providers[0], youth])


@pytest.mark.parametrize("kwargs, argument", [
    ({"confidence_level": 1.5}, "confidence_level"),
    ({"method": "wald"}, "method"),
    ({"populations": {"Nowhere": 100}}, "populations"),
    ({"populations": [1, 2]}, "populations"),
    ({"key_questions": ["9.9.9"]}, "key_questions"),
])
def test_bad_arguments(providers, kwargs, argument):
    with pytest.raises(ArgumentError) as exc:
        pool(providers, **kwargs)
    assert exc.value.argument == argument


def test_bad_results(providers):
    for bad in ([], "a.csv", None):
        with pytest.raises(ArgumentError):
            pool(bad)
    with pytest.raises(ArgumentError, match="results"):
        pool([providers[0], 3])
    with pytest.raises(DataError, match="same provider name"):
        pool([providers[0], providers[0]])
    with pytest.raises(DataError):
        pool(providers, populations={"Eastvale": 10})  # N below n


def test_result_object(pooled):
    assert isinstance(pooled, Pool)
    frame = pooled.to_frame()
    frame.loc[0, "percent"] = -1
    assert pooled.national.loc[0, "percent"] != -1
    d = json.loads(json.dumps(pooled.to_dict()))
    assert d["providers_pooled"] == list(POPS) and len(d["national"]) == len(pooled.national)
    assert "National picture" in repr(pooled) and "<table" in pooled._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        pooled.method = "normal"


# --------------------------------------------------------------------------- coverage
def test_coverage_in_a_small_seeded_simulation():
    study = load_benchmark("pool_study")
    table = study.study(reps=1500, truths=4, seed=13, providers=(5, 21),
                        sizes={"N 56-900": (56, 900)}, true_percent={"40-95": (40, 95), "85-95": (85, 95)})
    # 6000 samples per cell: Monte Carlo SE 0.52 points at 80%
    assert table["wilson %"].between(78, 85).all(), table
    assert table["difference %"].between(77, 85).all(), table


# --------------------------------------------------------------------------- command line
@pytest.fixture(scope="module")
def csv_sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pool_cli")
    paths = []
    for i, name in enumerate(("northshire", "westmoor", "eastvale")):
        r = synthetic_results(i, n={"case_supervision": 50 + 20 * i, "unpaid_work": 30, "through_the_gate": 20})
        path = folder / f"{name}.csv"
        r.cases.join(r.answers).reset_index().to_csv(path, index=False)
        paths.append(str(path))
    return folder, paths


def test_cli_end_to_end(csv_sources, capsys):
    folder, paths = csv_sources
    srcs = [f"{p}=case_supervision={N},unpaid_work=100,through_the_gate=60" for p, N in zip(paths, (200, 350, 500))]
    out = folder / "out"
    assert main(["pool", *srcs, "--blank-means-na", "--json", "--out", str(out),
                 "--key-question", "2.1.1,2.2.3", "--key-question", "4.1.1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["key_question"] for r in data["national"]] == ["2.1.1", "2.2.3", "4.1.1"]
    assert data["providers_pooled"] == ["northshire", "westmoor", "eastvale"]
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["pool.csv", "providers.csv"] + [f"funnel_{k}.{e}" for k in ("2.1.1", "2.2.3", "4.1.1")
                                                         for e in ("png", "svg")])
    assert pd.read_csv(out / "pool.csv")["percent"].tolist() == pytest.approx([r["percent"] for r in data["national"]])
    # the same figure from Python
    res = [dataclasses.replace(load_results(p, population={"case_supervision": N, "unpaid_work": 100,
                                                           "through_the_gate": 60}, blank_means_na=True), provider=name)
           for p, N, name in zip(paths, (200, 350, 500), data["providers_pooled"])]
    assert pool(res).national.set_index("key_question").loc["2.1.1", "percent"] == pytest.approx(
        data["national"][0]["percent"])
    assert main(["pool", *srcs, "--blank-means-na", "--confidence", "0.95"]) == 0
    text = capsys.readouterr().out
    assert "National picture" in text and "95% interval" in text and "westmoor" in text


def test_cli_bad_input(csv_sources, capsys):
    _, paths = csv_sources
    every = "case_supervision=200,unpaid_work=100,through_the_gate=60"
    assert main(["pool", f"{paths[0]}={every}", paths[1], "--blank-means-na"]) == 2
    err = capsys.readouterr().err
    assert "westmoor" in err and "PATH=N" in err and "Traceback" not in err
    assert main(["pool", f"{paths[0]}=200", "--blank-means-na"]) == 2   # one N for three samples
    assert "holds 3 samples" in capsys.readouterr().err
    assert main(["pool", f"{paths[0]}=abc", "--blank-means-na"]) == 2
    assert "RESULTS" in capsys.readouterr().err
    assert main(["pool", "missing.csv=100"]) == 2
    assert main(["pool", f"{paths[0]}={every}", "--blank-means-na", "--confidence", "2"]) == 2
    assert "--confidence" in capsys.readouterr().err
    assert main(["pool", f"{paths[0]}={every}", "--blank-means-na", "--key-question", "9.9"]) == 2
    assert "--key-question" in capsys.readouterr().err


def test_a_design_weighted_provider_enters_with_its_weighted_estimate_and_variance():
    """A provider whose stratum populations N_h are known enters the pool with its N_h-weighted
    % and stratified variance (sampling.weighted_estimates), not its raw sample %."""
    r = synthetic_results(8, n={"case_supervision": 60})
    cells = r.cases.groupby(["gender", "disposal", "rosh"]).size().rename("n").reset_index()
    cells["population"] = cells["n"] * 4 + (cells["rosh"] == "medium") * 9
    rows = r.cases.join(r.answers).reset_index()
    weighted = dataclasses.replace(load_results(rows, blank_means_na=True, strata=["gender", "disposal", "rosh"],
                                                stratum_populations=cells), provider="Weighted")
    plain = dataclasses.replace(synthetic_results(9, n={"case_supervision": 80},
                                                  population={"case_supervision": 500}), provider="Plain")
    p = pool([weighted, plain], key_questions="2.1.1")
    est = weighted_estimates(weighted).set_index(weighted.summary["key_question"]).loc["2.1.1"]
    Nw, Np = weighted.populations["case_supervision"], 500
    row = plain.summary.set_index("key_question").loc["2.1.1"]
    pp = row["yes"] / row["n"]
    Vp = (1 - row["n"] / Np) * pp * (1 - pp) / (row["n"] - 1)
    W = np.array([Nw, Np]) / (Nw + Np)
    P = W[0] * est["weighted_percent"] / 100 + W[1] * pp
    v = W[0] ** 2 * est["variance"] + W[1] ** 2 * Vp
    nat = p.national.iloc[0]
    assert nat["percent"] == pytest.approx(100 * P, abs=1e-10)
    assert nat["se"] == pytest.approx(100 * np.sqrt(v), abs=1e-10)
    mine = p.providers.set_index("provider").loc["Weighted"]
    assert mine["percent"] == pytest.approx(est["weighted_percent"], abs=1e-10)
    assert "design-weighted" in nat["note"]
