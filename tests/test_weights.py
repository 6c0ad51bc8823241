"""Design weights (issue 14): with stratum populations N_h known, estimates are N_h-weighted,
their variance is the stratified linearisation variance with each stratum's own fpc, the
Rao–Wu bootstrap uses each stratum's own f_h = n_h/N_h, and the published sample % stays
what is banded.

Reference values: R 4.x, package ``survey`` (Lumley), on the two designs below::

    d   <- read.csv("A.csv")                       # columns h, N_h, q1, q2 (q2 NA = not applicable)
    des <- svydesign(ids=~1, strata=~h, fpc=~N_h, data=d)
    svymean(~q1, des); svymean(~q2, subset(des, !is.na(q2)))
    # the same without fpc: weights = N_h / n_h
    des0 <- svydesign(ids=~1, strata=~h, weights=~I(N_h/ave(N_h, h, FUN=length)), data=d)
    # the domain also checked with svyby(~q2z, ~app, des2, svymean): identical

printed with ``sprintf("%.17g")``.
"""
from __future__ import annotations

import json
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

import sampling
from sampling import weighted_estimates
from sampling.cli import main
from sampling.errors import ArgumentError, DataError

Y, N, NA = 1, 0, None
#: design A: N = 56 in four strata (n = 25, proportional allocation rounded); design B: N = 79
#: in five strata (n = 34). q1 is asked of every case, q2 of a relevant sub-sample.
DESIGNS = {
    "A": {"N_h": {"a": 20, "b": 17, "c": 11, "d": 8},
          "h": list("aaaaaaaaabbbbbbbbcccccddd"),
          "q1": [Y, N, Y, Y, Y, N, N, Y, N, Y, Y, N, Y, Y, N, Y, N, Y, N, N, N, N, Y, Y, N],
          "q2": [NA, Y, Y, NA, Y, Y, Y, Y, NA, N, Y, N, Y, N, NA, NA, N, NA, Y, NA, N, NA, Y, NA, NA]},
    "B": {"N_h": {"a": 25, "b": 19, "c": 15, "d": 12, "e": 8},
          "h": list("aaaaaaaaaaabbbbbbbbccccccdddddeeee"),
          "q1": [Y, Y, Y, N, Y, Y, Y, N, Y, Y, Y, N, Y, Y, Y, Y, Y, N, N, N, N, N, Y, N, N, Y, Y, N, Y, Y,
                 N, Y, Y, Y],
          "q2": [NA, Y, NA, NA, NA, Y, Y, Y, Y, Y, N, Y, NA, N, NA, N, N, NA, N, N, NA, NA, NA, Y, N, NA,
                 Y, N, NA, N, NA, NA, Y, N]},
}
#: R survey: (estimate, SE with fpc, SE without fpc) for q1 and q2 (the domain)
R_SURVEY = {
    "A": [(0.52266865079365077, 0.077832023631303718, 0.10408298759401499),
          (0.6772247360482655, 0.079820703201234522, 0.10854661824664046)],
    "B": [(0.63834867663981587, 0.058439871861597499, 0.077406459753889031),
          (0.49288612917420427, 0.082821245348014133, 0.10960179671333919)],
}
KQ = ["2.1.1", "2.2.3"]  # q1, q2
SAMPLE = "case_supervision"


def _word(v):
    return "n/a" if v is None else ("yes" if v else "no")


def design_frame(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    d = DESIGNS[name]
    cases = pd.DataFrame({"case_id": [f"{name}{i:02d}" for i in range(len(d["h"]))], "h": d["h"],
                          KQ[0]: [_word(v) for v in d["q1"]], KQ[1]: [_word(v) for v in d["q2"]]})
    cells = pd.DataFrame({"h": list(d["N_h"]), "population": list(d["N_h"].values())})
    return cases, cells


def design_results(name: str, **kwargs) -> sampling.Results:
    cases, cells = design_frame(name)
    return sampling.load_results(cases, sample=SAMPLE, stratum_populations=cells, **kwargs)


# --------------------------------------------------------------------------- R survey
@pytest.mark.parametrize("name", ["A", "B"])
def test_estimate_and_standard_error_equal_r_survey(name):
    r = design_results(name)
    est = weighted_estimates(r)
    ref = np.array(R_SURVEY[name])
    np.testing.assert_allclose(est["weighted_percent"] / 100, ref[:, 0], rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.sqrt(est["variance"]), ref[:, 1], rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.sqrt(est["variance_wr"]), ref[:, 2], rtol=0, atol=1e-10)
    np.testing.assert_allclose(r.summary["weighted_percent"] / 100, ref[:, 0], rtol=0, atol=1e-10)
    assert r.populations == {SAMPLE: sum(DESIGNS[name]["N_h"].values())}  # N = Σ N_h


def test_the_published_percent_stays_the_samples_own():
    r = design_results("A")
    assert r.summary["percent"].tolist() == pytest.approx([100 * 13 / 25, 100 * 10 / 15])
    # the rounding of proportional allocation moves the estimate (here 0.27 and 1.06 points)
    gap = (r.summary["weighted_percent"] - r.summary["percent"]).abs().to_numpy()
    assert gap == pytest.approx([0.2669, 1.0558], abs=1e-4)
    assert "weighted_percent" in r.summary.columns and "design-weighted" in repr(r)


def test_without_stratum_populations_nothing_changes():
    cases, _ = design_frame("A")
    r = sampling.load_results(cases, sample=SAMPLE, strata=["h"], population=56)
    assert "weighted_percent" not in r.summary.columns and not r.stratum_populations
    t = sampling.intervals(r).table
    assert "weighted_percent" not in t.columns and "design-weighted" not in " ".join(t["note"])


def test_a_census_stratum_adds_no_variance():
    """f_h = 1 (every case of the cell inspected): its fpc is 0 in both the linearisation and
    the bootstrap (each stratum has its own fraction, not the sample's n/N)."""
    cases, cells = design_frame("A")
    cells.loc[cells["h"] == "d", "population"] = 3  # cell d: 3 of 3 cases
    r = sampling.load_results(cases, sample=SAMPLE, stratum_populations=cells)
    d_only = cases.assign(**{KQ[0]: np.where(cases["h"] == "d", "yes", cases[KQ[0]])})
    r2 = sampling.load_results(d_only, sample=SAMPLE, stratum_populations=cells)
    # changing only the census cell's answers moves the estimate but not the variance
    e1, e2 = weighted_estimates(r), weighted_estimates(r2)
    assert e1["weighted_percent"][0] != e2["weighted_percent"][0]
    assert e1["variance"][0] == pytest.approx(e2["variance"][0], rel=1e-12)
    reps = sampling.bootstrap_replicates(r, n_resamples=2000, rng=1)
    assert "own fraction" in reps.kind


# --------------------------------------------------------------------------- intervals
def test_analytic_interval_is_korn_graubard_with_each_strata_fpc():
    from statsmodels.stats.proportion import proportion_confint

    r = design_results("B")
    t = sampling.intervals(r, method="wilson", confidence_level=0.8).table
    (p, se, se_wr), n = R_SURVEY["B"][0], 34
    n_eff = min(n, p * (1 - p) / se_wr ** 2)
    lo, hi = proportion_confint(p * n_eff, n_eff, alpha=0.2, method="wilson")
    shrink = se / se_wr
    assert t.loc[0, "low"] == pytest.approx(100 * (p - (p - lo) * shrink), abs=1e-9)
    assert t.loc[0, "high"] == pytest.approx(100 * (p + (hi - p) * shrink), abs=1e-9)
    assert t.loc[0, "weighted_percent"] == pytest.approx(100 * p, abs=1e-9)
    assert t.loc[0, "percent"] == pytest.approx(100 * 22 / 34)
    assert t.loc[0, "population"] == 79 and t.loc[1, "population"] == round(weighted_estimates(r)["domain_population"][1])
    assert all(note.startswith("design-weighted by N_h") for note in t["note"])
    assert list(t.columns).index("weighted_percent") == list(t.columns).index("percent") + 1


def test_without_fpc_the_interval_is_wider_and_says_so():
    r = design_results("A")
    with_fpc = sampling.intervals(r).table
    without = sampling.intervals(r, finite_population=False).table
    assert (without["margin"] > with_fpc["margin"]).all() and not without["finite_population"].any()
    assert "no finite-population correction" in without.loc[0, "note"]


def test_bootstrap_variance_matches_the_linearisation_variance():
    """Seeded simulation: the weighted Rao–Wu replicates' SD against the stratified
    linearisation SE (R's), with fpc and without."""
    for name in ("A", "B"):
        r = design_results(name)
        reps = sampling.bootstrap_replicates(r, n_resamples=40_000, rng=14)
        sd = np.nanstd(reps.values, axis=0, ddof=1) / 100
        ref = np.array(R_SURVEY[name])
        np.testing.assert_allclose(sd[0], ref[0, 1], rtol=0.02)   # a mean: Rao–Wu is exact in expectation
        np.testing.assert_allclose(sd[1], ref[1, 1], rtol=0.05)   # a domain ratio: to first order
        np.testing.assert_allclose(reps.estimate / 100, ref[:, 0], atol=1e-12)
        no_fpc = sampling.bootstrap_replicates(r, n_resamples=40_000, rng=15, finite_population=False)
        np.testing.assert_allclose(np.nanstd(no_fpc.values[:, 0], ddof=1) / 100, ref[0, 2], rtol=0.02)


def test_bootstrap_intervals_and_rate_use_the_weighted_replicates():
    r = design_results("A")
    iv = sampling.intervals(r, method="bootstrap-bca", n_resamples=4000, rng=3)
    t = iv.table
    assert (t["low"] < t["weighted_percent"]).all() and (t["weighted_percent"] < t["high"]).all()
    assert "design-weighted" in iv.replicates.kind
    a = sampling.rate(r, n_resamples=2000, rng=3)
    k = a.key_questions
    assert k["weighted_percent"].to_numpy() == pytest.approx(r.summary["weighted_percent"].to_numpy())
    assert k["percent"].tolist() == pytest.approx(r.summary["percent"].tolist())  # banded on the sample %
    assert any(n.startswith("design-weighted") for n in a.notes)
    assert "w%" in a.key_questions_summary().columns


def test_the_same_seed_gives_the_same_weighted_replicates():
    r = design_results("B")
    a = sampling.bootstrap_replicates(r, n_resamples=500, rng=9).values
    b = sampling.bootstrap_replicates(r, n_resamples=500, rng=9).values
    assert np.array_equal(a, b, equal_nan=True)


# --------------------------------------------------------------------------- bad input
def test_a_sampled_cell_without_n_h_is_named():
    cases, cells = design_frame("A")
    with pytest.raises(DataError, match="without a population N_h") as info:
        sampling.load_results(cases, sample=SAMPLE, stratum_populations=cells[cells["h"] != "c"])
    assert info.value.values == ("h=c",)


def test_n_h_smaller_than_the_cells_cases_is_named():
    cases, cells = design_frame("A")
    cells.loc[cells["h"] == "b", "population"] = 7  # 8 cases sampled in b
    with pytest.raises(DataError, match=r"n_h > N_h") as info:
        sampling.load_results(cases, sample=SAMPLE, stratum_populations=cells)
    assert info.value.values == ("h=b: n_h=8 > N_h=7",)


def test_sum_of_n_h_must_equal_n():
    cases, cells = design_frame("A")
    with pytest.raises(DataError, match="add up to 56, not N=60"):
        sampling.load_results(cases, sample=SAMPLE, stratum_populations=cells, population=60)
    r = sampling.load_results(cases, sample=SAMPLE, stratum_populations=cells, population=56)
    with pytest.raises(DataError, match="disagrees with its stratum populations"):
        sampling.intervals(r, population=70)


@pytest.mark.parametrize("bad, match", [
    (lambda c: c.assign(population=[20, 17, 11.5, 8]), "whole numbers"),
    (lambda c: c.assign(population=[20, 17, 0, 8]), "whole numbers"),
    (lambda c: pd.concat([c, c.iloc[[0]]]), "list a cell twice"),
    (lambda c: c.drop(columns="population"), "one 'population' column"),
    (lambda c: {"unpaid_work": c}, "samples that the results do not have"),
    (lambda c: c.rename(columns={"h": "office"}), "not in the results"),
])
def test_bad_stratum_populations_are_clear_errors(bad, match):
    cases, cells = design_frame("A")
    with pytest.raises(DataError, match=match):
        sampling.load_results(cases, sample=SAMPLE, stratum_populations=bad(cells))


def test_aggregate_results_and_wrong_types_are_refused():
    agg = pd.DataFrame({"key_question": ["2.1.1"], "yes": [13], "n": [25], "sample": [SAMPLE]})
    with pytest.raises(ArgumentError, match="case-level results only"):
        sampling.load_results(agg, stratum_populations=design_frame("A")[1])
    with pytest.raises(ArgumentError, match="stratum_populations"):
        sampling.load_results(design_frame("A")[0], sample=SAMPLE, stratum_populations=[("a", 20)])


def test_cells_match_across_spelling_and_the_strata_columns_given():
    cases, cells = design_frame("A")
    cells["h"] = cells["h"].str.upper()
    r = sampling.load_results(cases, sample=SAMPLE, strata=["h"], stratum_populations=
                              cells.assign(sample=SAMPLE))
    np.testing.assert_allclose(r.summary["weighted_percent"] / 100, np.array(R_SURVEY["A"])[:, 0], atol=1e-10)
    assert r.strata == {SAMPLE: ("h",)}


# --------------------------------------------------------------------------- draw workbook
@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """`sampling draw --sample` on a 79-case frame, n = 34, every case scored."""
    root = tmp_path_factory.mktemp("weights")
    frame = sampling.synthetic_frame(79, rng=8)
    frame.to_csv(root / "frame.csv", index=False)
    assert main(["draw", str(root / "frame.csv"), "--sample", SAMPLE, "--n", "34", "--out",
                 str(root / "draw.xlsx")]) == 0
    wb = openpyxl.load_workbook(root / "draw.xlsx")
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    rng = np.random.default_rng(4)
    for r in range(2, ws.max_row + 1):
        for c, h in enumerate(header, start=1):
            if h and re.match(r"^\d+(\.\d+)+: ", str(h)):
                ws.cell(r, c).value = str(rng.choice(["Yes", "Yes", "No", "N/A"]))
    wb.save(root / "draw.xlsx")
    return root / "draw.xlsx"


def test_read_fieldwork_weights_by_the_allocation_sheet(filled):
    r = sampling.read_fieldwork(filled)
    allocation = sampling.read_draw(filled).allocation
    cells = r.stratum_populations[SAMPLE]
    assert cells["population"].sum() == allocation["N_h"].sum() == r.populations[SAMPLE] == 79
    assert cells["n"].tolist() == allocation["n_h"].tolist()
    # the weighted % by hand: Σ N_h ȳ_h / Σ N_h over the cells holding applicable cases
    strata = list(r.strata[SAMPLE])
    kq = r.summary["key_question"].iloc[0]
    data = r.cases[strata].assign(y=r.answers[kq]).dropna()
    cell_mean = data.groupby(strata)["y"].agg(["mean", "size"]).reset_index()
    pops = cell_mean.merge(cells, on=strata)
    expect = 100 * (pops["population"] / pops["n"] * pops["size"] * pops["mean"]).sum() / (
        pops["population"] / pops["n"] * pops["size"]).sum()
    assert r.summary["weighted_percent"].iloc[0] == pytest.approx(expect, abs=1e-10)


def test_analyse_workbook_shows_weighted_figures_and_the_note(filled, capsys):
    assert main(["analyse", str(filled), "--resamples", "300"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"key_question\s+yes\s+n\s+%\s+w%\s+low\s+high", out)
    assert "design-weighted (stratum populations N_h known" in out and "w% weights each" in out
    assert main(["analyse", str(filled), "--resamples", "300", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert all("weighted_percent" in k for k in data["key_questions"])
    r = sampling.read_fieldwork(filled)
    assert [k["weighted_percent"] for k in data["key_questions"]] == pytest.approx(
        r.summary["weighted_percent"].tolist())


def test_the_report_table_shows_the_weighted_percent():
    from sampling.report import report_markdown

    text = report_markdown(sampling.rate(design_results("A"), n_resamples=300, rng=1))
    assert "| w% (population) |" in text and "design-weighted" in text
