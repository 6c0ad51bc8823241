"""compare(a, b) and ``sampling compare``: the difference interval against statsmodels and a
hand computation, its finite-population correction and coverage, the rating-change
probabilities, the dumbbell chart and the command line."""
import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

import sampling
from sampling import ArgumentError, compare, load_framework, load_results
from sampling.comparison._compare import Comparison, difference_interval, rating_change
from sampling.cli import main
from sampling.examples import synthetic_results


def _named(results, provider):
    return dataclasses.replace(results, provider=provider)


@pytest.fixture(scope="module")
def pair():
    return _named(synthetic_results(1), "Northshire 2019"), _named(synthetic_results(2), "Northshire 2021")


# --------------------------------------------------------------------------- the interval
def _grid():
    rows = [(ya, na, yb, nb) for na in (1, 2, 7, 42, 132) for nb in (1, 5, 54)
            for ya in sorted({0, 1, na // 2, na - 1, na} - {-1}) for yb in sorted({0, 1, nb // 3, nb} - {-1})
            if 0 <= ya <= na and 0 <= yb <= nb]
    return np.array(rows, dtype=float).T


@pytest.mark.parametrize("cl", [0.8, 0.95, 0.5])
def test_difference_interval_is_statsmodels_newcombe(cl):
    ya, na, yb, nb = _grid()
    d, lo, hi = difference_interval(ya, na, yb, nb, confidence_level=cl)
    # statsmodels gives p1 - p2: with the second inspection as sample 1 it is b - a directly ...
    lo_sm, hi_sm = confint_proportions_2indep(yb, nb, ya, na, method="newcomb", compare="diff", alpha=1 - cl)
    np.testing.assert_allclose(lo, lo_sm, rtol=0, atol=1e-10)
    np.testing.assert_allclose(hi, hi_sm, rtol=0, atol=1e-10)
    # ... and with the first as sample 1 it is a - b, the interval turned round
    lo_ab, hi_ab = confint_proportions_2indep(ya, na, yb, nb, method="newcomb", compare="diff", alpha=1 - cl)
    np.testing.assert_allclose(lo, -np.asarray(hi_ab), rtol=0, atol=1e-10)
    np.testing.assert_allclose(hi, -np.asarray(lo_ab), rtol=0, atol=1e-10)
    np.testing.assert_allclose(d, yb / nb - ya / na, atol=1e-15)
    assert len(ya) > 100 and (ya == 0).any() and (ya == na).any() and (yb == nb).any()


def _wilson(y, n, z):
    p = y / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_finite_population_interval_is_the_hand_computation_and_narrower():
    z = 1.2815515655446004  # the 90% normal quantile: an 80% two-sided interval
    ya, na, Na, yb, nb, Nb = 65, 132, 668, 30, 54, 79
    fa, fb = np.sqrt((Na - na) / (Na - 1)), np.sqrt((Nb - nb) / (Nb - 1))
    (la, ua), (lb, ub) = _wilson(ya, na, z), _wilson(yb, nb, z)
    pa, pb = ya / na, yb / nb
    low = pb - pa - np.sqrt((fb * (pb - lb)) ** 2 + (fa * (ua - pa)) ** 2)
    high = pb - pa + np.sqrt((fb * (ub - pb)) ** 2 + (fa * (pa - la)) ** 2)
    d, lo, hi = difference_interval(ya, na, yb, nb, population_a=Na, population_b=Nb)
    assert (lo, hi) == pytest.approx((low, high), abs=1e-12)
    _, lo0, hi0 = difference_interval(ya, na, yb, nb)
    assert lo0 < lo < d < hi < hi0
    # one side known: only that side shrinks
    _, lo1, hi1 = difference_interval(ya, na, yb, nb, population_b=Nb)
    assert lo0 < lo1 < lo and hi < hi1 < hi0


def test_coverage_with_finite_populations_small_simulation():
    """Seeded, small version of benchmarks/compare_study.py: truths spread around a
    difference near 0 and near +15 points, N = 79 (n = 54) and 668 (n = 132), samples drawn
    without replacement (hypergeometric); 80% coverage within 78-85%."""
    rng = np.random.default_rng(20261)
    reps = 6000
    for N, n in ((79, 54), (668, 132)):
        for diff in ((-2, 2), (13, 17), (-17, -13)):
            p_a = rng.uniform(30, 85, reps)
            p_b = np.clip(p_a + rng.uniform(*diff, reps), 5, 95)
            K_a, K_b = np.round(p_a / 100 * N).astype(int), np.round(p_b / 100 * N).astype(int)
            y_a, y_b = rng.hypergeometric(K_a, N - K_a, n), rng.hypergeometric(K_b, N - K_b, n)
            _, lo, hi = difference_interval(y_a, n, y_b, n, population_a=N, population_b=N)
            truth = (K_b - K_a) / N
            cover = np.mean((lo <= truth + 1e-12) & (truth - 1e-12 <= hi))
            assert 0.78 <= cover <= 0.85, (N, diff, cover)


def test_rating_change_probabilities():
    rng = np.random.default_rng(5)
    pa, pb = rng.dirichlet(np.ones(4), 50), rng.dirichlet(np.ones(4), 50)
    differ, up, down = rating_change(pa, pb)
    np.testing.assert_allclose(differ, up + down, atol=1e-12)
    expected_up = [sum(a[j] * b[k] for j in range(4) for k in range(4) if j < k) for a, b in zip(pa, pb)]
    np.testing.assert_allclose(up, expected_up, atol=1e-12)
    np.testing.assert_allclose(differ, 1 - (pa * pb).sum(axis=1), atol=1e-12)
    assert rating_change([0, 1, 0, 0], [0, 1, 0, 0])[0] == 0.0
    assert rating_change([1, 0, 0, 0], [0, 0, 0, 1])[1] == 1.0


# --------------------------------------------------------------------------- compare()
def test_compare_without_populations_is_statsmodels(pair):
    a, b = pair
    c = compare(a, b, n_resamples=200, rng=1)
    kq = c.key_questions
    lo, hi = confint_proportions_2indep(kq["yes_b"], kq["n_b"], kq["yes_a"], kq["n_a"], method="newcomb",
                                        compare="diff", alpha=0.2)
    np.testing.assert_allclose(kq["low"], 100 * np.asarray(lo), atol=1e-8)
    np.testing.assert_allclose(kq["high"], 100 * np.asarray(hi), atol=1e-8)
    assert list(kq["key_question"]) == list(a.summary["key_question"])
    assert not kq["finite_population"].any()
    assert (kq["changed_beyond_noise"] == ((kq["low"] > 0) | (kq["high"] < 0))).all()


def test_sign_labels_and_populations(pair):
    a, b = pair
    a_fin = load_like(a, population={"case_supervision": 668})
    c = compare(a_fin, b, n_resamples=200, rng=1)
    kq = c.key_questions
    assert c.labels == ("Northshire 2019", "Northshire 2021")
    assert (kq["provider_a"] == "Northshire 2019").all() and (kq["provider_b"] == "Northshire 2021").all()
    np.testing.assert_allclose(kq["difference"], kq["percent_b"] - kq["percent_a"])
    cs = kq["standard"].str.startswith("2.")
    # a relevant sub-sample's population is N * n_j / n_sample
    rel = kq["key_question"].isin(["2.2.3", "2.3.3", "2.4.3"])
    np.testing.assert_array_equal(kq.loc[rel, "population_a"], np.floor(668 * kq.loc[rel, "n_a"] / 132 + 0.5))
    assert kq.loc[cs & ~rel, "population_a"].eq(668).all() and kq.loc[~cs, "population_a"].isna().all()
    plain = compare(a, b, n_resamples=200, rng=1).key_questions
    width, width0 = kq["high"] - kq["low"], plain["high"] - plain["low"]
    assert (width[cs] < width0[cs]).all() and np.allclose(width[~cs], width0[~cs])
    swapped = compare(b, a, n_resamples=200, rng=1).key_questions
    np.testing.assert_allclose(swapped["difference"], -plain["difference"])
    np.testing.assert_allclose(swapped["low"], -plain["high"], atol=1e-10)
    # finite_population=False: no correction even though N is known; True: N required
    off = compare(a_fin, b, n_resamples=50, rng=1, finite_population=False).key_questions
    np.testing.assert_allclose(off["low"], plain["low"])
    with pytest.raises(ArgumentError, match="finite_population"):
        compare(a_fin, b, n_resamples=50, rng=1, finite_population=True)


def test_each_side_shows_the_interval_analyse_gives(pair):
    """Per-side low/high are ``intervals``' default (mid-p hypergeometric where N is known,
    Wilson elsewhere), for the same results; the difference stays Newcombe on Wilson + FPC
    limits (``difference_interval``), as the notes say."""
    a, b = pair
    a_fin, b_fin = load_like(a, population={"case_supervision": 180}), load_like(b, population={"case_supervision": 668})
    c = compare(a_fin, b_fin, n_resamples=50, rng=1)
    kq = c.key_questions
    for side, r in (("a", a_fin), ("b", b_fin)):
        iv = sampling.intervals(r).table.set_index("key_question").loc[kq["key_question"]]
        np.testing.assert_allclose(kq[f"low_{side}"], iv["low"].to_numpy(), atol=1e-9)
        np.testing.assert_allclose(kq[f"high_{side}"], iv["high"].to_numpy(), atol=1e-9)
        assert list(kq[f"method_{side}"]) == list(iv["method"])
    assert {"hypergeometric-midp", "wilson"} <= set(kq["method_a"])
    d, lo, hi = difference_interval(kq["yes_a"], kq["n_a"], kq["yes_b"], kq["n_b"],
                                    population_a=kq["population_a"], population_b=kq["population_b"])
    np.testing.assert_allclose(kq["low"], 100 * lo, atol=1e-9)
    np.testing.assert_allclose(kq["high"], 100 * hi, atol=1e-9)
    text = " ".join(c.notes)
    assert "mid-p hypergeometric" in text and "built on each side's Wilson limits" in text


def load_like(results, population):
    return dataclasses.replace(results, populations=population)


def test_standards_and_reproducibility(pair):
    a, b = pair
    c1, c2 = compare(a, b, n_resamples=500, rng=7), compare(a, b, n_resamples=500, rng=7)
    pd.testing.assert_frame_equal(c1.standards, c2.standards)
    st = c1.standards
    assert list(st["standard"]) == ["2.1", "2.2", "2.3", "2.4", "4.1", "4.2"]
    ra, rb = sampling.rate(a, n_resamples=50, rng=1), sampling.rate(b, n_resamples=50, rng=1)
    assert list(st["rating_a"]) == list(ra.standards.set_index("standard").loc[st["standard"], "rule_rating"])
    assert list(st["rating_b"]) == list(rb.standards.set_index("standard").loc[st["standard"], "rule_rating"])
    np.testing.assert_allclose(st["P(differ)"], st["P(up)"] + st["P(down)"], atol=1e-12)
    assert st["P(differ)"].between(0, 1).all()
    assert any("judgement" in n for n in c1.notes)  # 1.1-1.4 are not compared
    assert any("not the probability that the true rating changed" in n for n in c1.notes)


def test_comparing_an_inspection_with_itself(pair):
    a, _ = pair
    c = compare(a, a, n_resamples=300, rng=2)
    kq = c.key_questions
    assert (kq["difference"] == 0).all() and (kq["low"] < 0).all() and (kq["high"] > 0).all()
    assert not kq["changed_beyond_noise"].any()
    assert not c.standards["rating_changed"].any()
    assert c.labels == ("Northshire 2019 (first)", "Northshire 2019 (second)")


def test_different_framework_refused(pair):
    a, _ = pair
    youth = synthetic_results(3, framework="hmip-youth")
    with pytest.raises(ArgumentError, match="framework"):
        compare(a, youth, n_resamples=50, rng=1)
    with pytest.raises(ArgumentError, match="Results"):
        compare(a, a.summary, n_resamples=50, rng=1)
    with pytest.raises(ArgumentError, match="n_resamples"):
        compare(a, a, n_resamples=0)
    with pytest.raises(ArgumentError, match="confidence_level"):
        compare(a, a, confidence_level=80)


def _aggregate(yes, ids, n=132, population=None):
    fw = load_framework("hmip-adult")
    rel = {k.id: k.relevant_subsample for k in fw.key_questions}
    df = pd.DataFrame({"key_question": ids, "yes": yes, "n": [80 if rel[k] else n for k in ids],
                       "sample": "case_supervision"})
    return load_results(df, framework=fw, population=population)


def test_aggregate_results_and_partial_overlap():
    ids = ["2.1.1", "2.1.2", "2.1.3", "2.2.1", "2.2.2", "2.2.3"]
    a = _aggregate([70, 80, 60, 66, 90, 40], ids, population=668)
    b = _aggregate([90, 85, 75, 70], ids[:4])
    c = compare(a, b, n_resamples=300, rng=4)
    assert list(c.key_questions["key_question"]) == ids[:4]
    assert any("2.2.2, 2.2.3" in n and "not compared" in n for n in c.notes)
    assert any("Aggregate" in n for n in c.notes)
    assert list(c.standards["standard"]) == ["2.1", "2.2"]
    with pytest.raises(ArgumentError, match="in common"):
        compare(_aggregate([70], ["2.1.1"]), _aggregate([70], ["2.2.1"]), n_resamples=50, rng=1)


def test_display_and_dict(pair):
    a, b = pair
    c = compare(a, b, n_resamples=100, rng=1)
    assert isinstance(c, Comparison) and sampling.Comparison is Comparison
    frame = c.to_frame()
    frame.loc[:, "difference"] = 0.0
    assert (c.key_questions["difference"] != 0).any()  # to_frame is a copy
    assert "Northshire 2021 minus Northshire 2019" in repr(c)
    assert "<table" in c._repr_html_()
    d = json.loads(json.dumps(c.to_dict()))
    assert d["first"] == "Northshire 2019" and len(d["key_questions"]) == len(c.key_questions)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.notes = ()


def test_dumbbell(pair, tmp_path):
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from sampling.charts import MIN_FONT_SIZE, dumbbell

    c = compare(*pair, n_resamples=100, rng=1)
    fig = dumbbell(c, save=tmp_path / "d")
    assert isinstance(fig, Figure)
    assert (tmp_path / "d.png").stat().st_size > 0 and (tmp_path / "d.svg").stat().st_size > 0
    texts = [t for t in fig.findobj(Text) if t.get_text()]
    assert min(t.get_fontsize() for t in texts) >= MIN_FONT_SIZE
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    legend = " ".join(t.get_text() for t in legends[0].get_texts())
    assert "Northshire 2019" in legend and "Northshire 2021" in legend
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert {"50%", "65%", "80%"} <= set(ticks)
    assert [round(x, 1) for x in fig.axes[0].get_xticks() if 0 < x < 100] == [49.5, 64.5, 79.5]
    assert fig.get_size_inches()[0] <= 10
    with pytest.raises(ArgumentError):
        dumbbell(pair[0])


# --------------------------------------------------------------------------- command line
def _write_csv(results, path):
    results.cases.join(results.answers).reset_index().to_csv(path, index=False, na_rep="NA")
    back = load_results(path)
    assert back.level == "case"
    np.testing.assert_array_equal(back.summary[["yes", "n"]].to_numpy(float),
                                  results.summary[["yes", "n"]].to_numpy(float))
    return str(path)


@pytest.fixture(scope="module")
def csvs(tmp_path_factory, pair):
    folder = tmp_path_factory.mktemp("compare")
    return (_write_csv(pair[0], folder / "northshire_2019.csv"), _write_csv(pair[1], folder / "northshire_2021.csv"))


def test_cli_text_and_out(csvs, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", f"{csvs[0]}=case_supervision=668,unpaid_work=79,through_the_gate=56", csvs[1], "--resamples", "300", "--seed", "5", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "northshire_2021 minus northshire_2019" in text and "Standards" in text and "--seed 5" in text
    assert "2.4.3" in text and "P(ratings differ on re-sampling)" in text
    for name in ("dumbbell.png", "dumbbell.svg", "comparison.csv", "comparison_standards.csv"):
        assert (out / name).stat().st_size > 0
    table = pd.read_csv(out / "comparison.csv", dtype={"key_question": str, "standard": str})
    assert len(table) == 19 and table.loc[table["standard"] == "2.1", "population_a"].eq(668).all()
    assert "Kent" not in text and "KSS" not in text


def test_cli_json_reproducible(csvs, capsys, pair):
    argv = ["compare", *csvs, "--resamples", "300", "--seed", "9", "--json", "--confidence", "0.9"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert first["seed"] == 9 and first["confidence_level"] == 0.9
    api = compare(load_results(csvs[0]), load_results(csvs[1]), confidence_level=0.9, n_resamples=300, rng=9)
    assert [r["high"] for r in first["key_questions"]] == pytest.approx(list(api.key_questions["high"]))
    assert [r["P(differ)"] for r in first["standards"]] == pytest.approx(list(api.standards["P(differ)"]))


@pytest.mark.parametrize("extra, message", [
    (["missing.csv"], "existing results file"),
    ([], "exactly two"),
    (["{1}=0"], "eligible population"),
    (["{1}", "{1}"], "exactly two"),
])
def test_cli_bad_input(csvs, capsys, extra, message):
    argv = ["compare", csvs[0], *[e.format(*csvs) for e in extra], "--resamples", "50"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sampling compare: error:") and message in err and "Traceback" not in err


def test_cli_registered():
    from sampling.cli import COMMANDS

    names = [c[0] for c in COMMANDS]
    assert names.index("compare") == names.index("analyse") + 1
