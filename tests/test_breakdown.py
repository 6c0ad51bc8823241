"""Breakdowns by subgroup (issue 13): counts, intervals, populations, differences, CLI, chart."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

import sampling
from sampling import ArgumentError, DataError, breakdown, intervals, load_results
from sampling.stats._difference import bonferroni_level, newcombe_difference
from sampling.cli import main
from sampling.examples import synthetic_results

POPS = {"case_supervision": 668, "unpaid_work": 300, "through_the_gate": 100}


@pytest.fixture(scope="module")
def res():
    return synthetic_results(7, population=POPS)


def _rows(r):
    return r.cases.join(r.answers).reset_index()


def test_counts_equal_direct_counts(res):
    bd = breakdown(res, "rosh")
    table = _rows(res)
    for rec in bd.table.itertuples():
        rows = table[(table["rosh"] == rec.subgroup) & (table["sample"] == rec.sample)]
        col = rows[rec.key_question]
        assert rec.n == col.notna().sum()
        assert rec.yes == (col == 1).sum()
        assert rec.cases == len(rows)
    assert list(dict.fromkeys(bd.subgroups["subgroup"])) == ["low", "medium", "high"]  # vocabulary order


def test_interval_equals_the_subgroup_alone_with_its_population(res):
    pops = {"female": 61, "male": 607}
    bd = breakdown(res, "gender", populations={"case_supervision": pops})
    rows = _rows(res)
    for g, N in pops.items():
        alone = rows[(rows["gender"] == g) & (rows["sample"] == "case_supervision")]
        alone = alone[[c for c in alone.columns if not c.startswith("4.")]]
        sub = load_results(alone, blank_means_na=True, population={"case_supervision": N})
        ref = intervals(sub).table.set_index("key_question")
        got = bd.table[(bd.table["subgroup"] == g) & (bd.table["sample"] == "case_supervision")].set_index("key_question")
        got = got.loc[ref.index]
        np.testing.assert_allclose(got[["percent", "low", "high", "population"]].to_numpy(float),
                                   ref[["percent", "low", "high", "population"]].to_numpy(float), atol=1e-12)
        assert set(got["population_source"]) == {"given"}


def test_bootstrap_subgroup_equals_bootstrap_of_the_subgroup_alone(res):
    bd = breakdown(res, "gender", method="bootstrap-percentile", n_resamples=500, rng=3, populations={
        "case_supervision": {"female": 61, "male": 607}, "unpaid_work": {"female": 30, "male": 270},
        "through_the_gate": {"female": 12, "male": 88}})
    rows = _rows(res)
    alone = rows[rows["gender"] == "male"]
    sub = load_results(alone, blank_means_na=True, population={"case_supervision": 607, "unpaid_work": 270,
                                                               "through_the_gate": 88},
                       strata=dict(res.strata))
    ref = intervals(sub, method="bootstrap-percentile", n_resamples=500, rng=3).table.set_index("key_question")
    got = bd.table[bd.table["subgroup"] == "male"].set_index("key_question").loc[ref.index]
    np.testing.assert_allclose(got[["low", "high"]].to_numpy(float), ref[["low", "high"]].to_numpy(float), atol=1e-9)


def test_population_estimated_from_share_when_frame_unknown(res):
    bd = breakdown(res, "gender")
    s = bd.subgroups.set_index(["subgroup", "sample"])
    n = res.sample_sizes["case_supervision"]
    n_f = int(s.loc[("female", "case_supervision"), "cases"])
    assert s.loc[("female", "case_supervision"), "population"] == max(n_f, np.floor(668 * n_f / n + 0.5))
    assert s.loc[("female", "case_supervision"), "population_source"] == "estimated"
    assert any("estimated" in note for note in bd.notes)
    unknown = breakdown(synthetic_results(7), "gender")
    assert set(unknown.subgroups["population_source"]) == {"unknown"}
    assert unknown.table.loc[unknown.table["n"] > 0, "population"].isna().all()


def test_frame_counts_give_populations_and_spellings_match(tmp_path):
    r = synthetic_results(5, n={"case_supervision": 60}, population={"case_supervision": 400})
    frame = pd.DataFrame({"case_id": [f"X{i}" for i in range(400)],
                          "Gender": ["M"] * 330 + ["F"] * 70})
    frame.to_csv(tmp_path / "frame.csv", index=False)
    bd = breakdown(r, "gender", frame=tmp_path / "frame.csv")
    s = bd.subgroups.set_index("subgroup")
    assert s.loc["male", "population"] == 330 and s.loc["female", "population"] == 70
    assert set(s["population_source"]) == {"frame"}


def test_difference_is_newcombe_and_matches_statsmodels_without_populations(res):
    r = synthetic_results(7)
    bd = breakdown(r, "gender")
    assert len(bd.differences) == len(r.summary)
    t = bd.table.set_index(["subgroup", "key_question"])
    for d in bd.differences.itertuples():
        a, b = t.loc[(d.subgroup_a, d.key_question)], t.loc[(d.subgroup_b, d.key_question)]
        if a["n"] == 0 or b["n"] == 0:
            continue
        lo, hi = confint_proportions_2indep(a["yes"], a["n"], b["yes"], b["n"], method="newcomb",
                                            compare="diff", alpha=0.2)
        assert d.low == pytest.approx(100 * lo, abs=1e-10) and d.high == pytest.approx(100 * hi, abs=1e-10)


def test_rows_show_mid_p_and_the_difference_is_on_wilson_limits_as_the_notes_say(res):
    """With N_g known the rows show analyse's mid-p interval; the difference is Newcombe on
    the Wilson + FPC limits (benchmarks/compare_study.py: on mid-p limits it under-covers),
    and the notes say so; without populations (all Wilson) the note is not needed."""
    pops = {"female": 61, "male": 607}
    bd = breakdown(res, "gender", populations={"case_supervision": pops})
    t = bd.table.set_index(["subgroup", "key_question"])
    checked = 0
    for d in bd.differences.itertuples():
        a, b = t.loc[(d.subgroup_a, d.key_question)], t.loc[(d.subgroup_b, d.key_question)]
        if a["n"] == 0 or b["n"] == 0 or a["method"] != "hypergeometric-midp":
            continue
        _, lo, hi = newcombe_difference(a["yes"], a["n"], b["yes"], b["n"], population1=a["population"],
                                        population2=b["population"])
        assert d.low == pytest.approx(100 * lo, abs=1e-10) and d.high == pytest.approx(100 * hi, abs=1e-10)
        checked += 1
    assert checked > 0
    assert any("built on the two subgroups' Wilson limits" in n for n in bd.notes)
    plain = breakdown(synthetic_results(7), "gender")
    assert set(plain.table["method"].dropna()) == {"wilson"}
    assert not any("Wilson limits" in n for n in plain.notes)


def test_newcombe_against_statsmodels_grid_and_fpc_narrows():
    rng = np.random.default_rng(0)
    n1, n2 = rng.integers(1, 200, 300), rng.integers(1, 200, 300)
    y1, y2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    y1[:5], y2[5:10] = 0, n2[5:10]
    d, lo, hi = newcombe_difference(y1, n1, y2, n2, confidence_level=0.9)
    for i in range(len(n1)):
        ref = confint_proportions_2indep(y1[i], n1[i], y2[i], n2[i], method="newcomb", compare="diff", alpha=0.1)
        assert lo[i] == pytest.approx(ref[0], abs=1e-10) and hi[i] == pytest.approx(ref[1], abs=1e-10)
    _, flo, fhi = newcombe_difference(y1, n1, y2, n2, confidence_level=0.9, population1=n1 * 2, population2=n2 * 3)
    assert np.all(fhi - flo <= hi - lo + 1e-12)
    # a census on both sides: no sampling error at all
    assert newcombe_difference(30, 40, 10, 40, population1=40, population2=40)[1:] == (0.5, 0.5)


def test_all_pairs_are_bonferroni_adjusted(res):
    bd = breakdown(res, "rosh", pairs=True)
    assert set(bd.differences["comparisons"]) == {3}
    assert np.allclose(bd.differences["confidence_level"], bonferroni_level(0.8, 3))
    assert bonferroni_level(0.8, 3) == pytest.approx(1 - 0.2 / 3)
    one = breakdown(res, "rosh", contrast=("medium", "low"))
    assert set(one.differences["subgroup_a"]) == {"medium"} and set(one.differences["comparisons"]) == {1}
    assert breakdown(res, "rosh").differences.empty  # three subgroups: none unless asked


def test_few_cases_shown_with_warning_and_no_band(res):
    bd = breakdown(res, "rosh", bands=True)
    t = bd.table
    few = t[t["few_cases"] & (t["n"] > 0)]
    assert len(few) and few["band"].isna().all() and few["percent"].notna().all()
    enough = t[~t["few_cases"]]
    expected = res.rules.label(res.rules.kq_band(enough["percent"].to_numpy(float)))
    assert list(enough["band"]) == list(expected)
    assert breakdown(res, "rosh").table["band"].isna().all()
    assert any("too few" in n for n in bd.notes)


def test_blank_values_form_their_own_subgroup():
    r = synthetic_results(2, n={"case_supervision": 40})
    cases = r.cases.copy()
    cases["office"] = ["North"] * 20 + ["north "] * 10 + [""] * 10
    r2 = sampling.load_results(cases.join(r.answers).reset_index(), blank_means_na=True)
    bd = breakdown(r2, "office")
    assert list(bd.subgroups["subgroup"]) == ["North", "(blank)"]
    assert list(bd.subgroups["cases"]) == [30, 10]
    assert any("(blank)" in n for n in bd.notes)


def test_bad_input(res, tmp_path):
    agg = sampling.seed_inspection()
    with pytest.raises(ArgumentError, match="case-level"):
        breakdown(agg, "gender")
    with pytest.raises(ArgumentError, match="a column of the cases"):
        breakdown(res, "office")
    with pytest.raises(ArgumentError, match="one sample"):
        breakdown(res, "gender", frame=pd.DataFrame({"gender": ["male"]}))
    with pytest.raises(DataError, match="no eligible population for subgroup 'female'"):
        breakdown(res, "gender", populations={"case_supervision": {"male": 600}})
    with pytest.raises(ArgumentError, match="per sample"):
        breakdown(res, "gender", populations={"male": 600, "female": 60})
    with pytest.raises(DataError, match="only 2"):
        breakdown(res, "gender", populations={"case_supervision": {"male": 600, "female": 2}})
    with pytest.raises(ArgumentError, match="one of the subgroups"):
        breakdown(res, "gender", contrast=("female", "other"))
    with pytest.raises(ArgumentError):
        breakdown(res, "gender", min_cases=0)


def test_chart(res):
    from sampling.charts import subgroup_forest

    fig = subgroup_forest(breakdown(res, "rosh"), key_questions=["2.1.1", "2.2.3"])
    assert fig.get_figwidth() == 10
    with pytest.raises(ArgumentError, match="key questions of the breakdown"):
        subgroup_forest(breakdown(res, "rosh"), key_questions="9.9.9")


def test_cli_analyse_and_report_by(res, tmp_path, capsys):
    path = tmp_path / "results.csv"
    _rows(res).to_csv(path, index=False)
    assert main(["analyse", str(path), "--blank-means-na", "--by", "gender", "--population",
                 "case_supervision=668,unpaid_work=300,through_the_gate=100"]) == 0
    out = capsys.readouterr().out
    assert "key questions by gender" in out and "Differences" in out and "estimated" in out
    assert main(["analyse", str(path), "--blank-means-na", "--by", "rosh", "--pairs", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["by"] == "rosh" and {d["comparisons"] for d in doc["differences"]} == {3}
    assert main(["analyse", str(path), "--blank-means-na", "--by", "gender",
                 "--subgroup-population", "female=61", "--subgroup-population", "male=607"]) == 2
    assert "case_supervision:female=61" in capsys.readouterr().err  # several samples: say which
    assert main(["analyse", str(path), "--blank-means-na", "--by", "gender", "--json",
                 "--subgroup-population", "case_supervision:female=61",
                 "--subgroup-population", "case_supervision:male=607"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {(r["subgroup"], r["population"]) for r in doc["subgroups"] if r["sample"] == "case_supervision"} == {
        ("female", 61), ("male", 607)}
    assert main(["analyse", str(path), "--blank-means-na", "--pairs"]) == 2
    assert "--pairs" in capsys.readouterr().err
    assert main(["report", str(path), "--blank-means-na", "--by", "gender", "--out", str(tmp_path / "rep"),
                 "--quiet", "--resamples", "500"]) == 0
    capsys.readouterr()
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "## Key questions by gender" in md and (tmp_path / "rep" / "by_gender.png").exists()
    sheets = pd.ExcelFile(tmp_path / "rep" / "report.xlsx").sheet_names
    assert "by_gender" in sheets and "by_gender_differences" in sheets


def test_stratum_populations_give_each_stratum_subgroup_its_exact_population():
    """With the design's N_h known (a draw workbook's allocation), a subgroup of a stratum
    column has N_g = Σ N_h over its cells, and its interval is about the weighted %."""
    r = synthetic_results(1, n={"case_supervision": 60})
    cells = r.cases.groupby(["gender", "disposal", "rosh"]).size().rename("n").reset_index()
    cells["population"] = cells["n"] * 5 + (cells["gender"] == "female") * 3
    rows = r.cases.join(r.answers).reset_index()
    r2 = load_results(rows, blank_means_na=True, strata=["gender", "disposal", "rosh"], stratum_populations=cells)
    bd = breakdown(r2, "gender")
    s = bd.subgroups.set_index("subgroup")
    for g in ("male", "female"):
        assert s.loc[g, "population"] == cells.loc[cells["gender"] == g, "population"].sum()
        assert s.loc[g, "population_source"] == "N_h"
    assert bd.table.loc[bd.table["n"] > 0, "weighted_percent"].notna().all()


def test_all_pairs_of_too_many_subgroups_is_refused(res, capsys):
    offices = load_results(_rows(res).assign(office=[f"O{i % 25}" for i in range(len(res.cases))]),
                           blank_means_na=True)
    with pytest.raises(ArgumentError, match="at most 20"):
        breakdown(offices, "office", pairs=True)
    assert len(breakdown(offices, "office", contrast=("O1", "O2")).differences) == len(offices.summary)


def test_any_column_with_design_weights_takes_the_weighted_domain_size():
    r = synthetic_results(1, n={"case_supervision": 60})
    cells = r.cases.groupby(["gender", "disposal", "rosh"]).size().rename("n").reset_index()
    cells["population"] = cells["n"] * 5 + (cells["gender"] == "female") * 3
    rows = r.cases.join(r.answers).reset_index()
    rows["office"] = np.where(np.arange(len(rows)) % 3 == 0, "North", "South")
    r2 = load_results(rows, blank_means_na=True, strata=["gender", "disposal", "rosh"], stratum_populations=cells)
    bd = breakdown(r2, "office")
    w = rows.merge(cells, on=["gender", "disposal", "rosh"]).assign(w=lambda d: d["population"] / d["n"])
    expected = w.groupby("office")["w"].sum().round()
    s = bd.subgroups.set_index("subgroup")
    assert s.loc["North", "population"] == expected["North"] and s.loc["South", "population"] == expected["South"]
    assert set(s["population_source"]) == {"N_h weights"}
    # the interval's population is the same weighted domain size
    assert (bd.table.loc[bd.table["n"] > 0].groupby("subgroup")["population"].max() == s["population"]).all()
