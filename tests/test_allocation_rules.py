"""Allocation choice (issue 22 item 2): Neyman, equal, a minimum per cell; caps; weights;
the planned margin; unbiased weighted estimates under a non-proportional allocation."""
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

import sampling
from sampling import ArgumentError, DataError
from sampling.cli import main
from sampling.design._inspection import load_inspection
from sampling.draw._allocate import allocate, bounded_targets
from sampling.draw._draw import draw_sample, verify_manifest
from sampling.draw._frame import load_frame
from sampling.examples import synthetic_frame
from sampling.plan._core import z_value
from sampling.plan._stratified import stratified_margin


def _counts(values, name="rosh", levels=("low", "medium", "high")):
    return pd.Series(values, index=pd.Index(list(levels)[:len(values)], name=name))


# --------------------------------------------------------------------------- closed forms
def test_neyman_closed_form():
    # N_h = 100, 200, 300 with P_h = .5, .1, .9: N_h S_h = 50, 60, 90 (sum 200); n = 40 -> 10, 12, 18 exactly
    a = allocate(_counts([100, 200, 300]), 40, strata=["rosh"], rule="neyman",
                 anticipated={"low": 0.5, "medium": 0.1, "high": 0.9})
    assert a.table["n_h"].tolist() == [10, 12, 18]
    assert np.allclose(a.table["target"], [10, 12, 18])
    assert a.rule == "neyman" and not a.matched


def test_neyman_cap_reallocates_the_excess_cochran_5_9():
    # N_h S_h = 10*.5 = 5 and 190*sqrt(.02*.98) = 26.6 -> n = 100 gives 15.8 > N_1 = 10: cell 1 takes
    # all 10, the rest (90) go to cell 2
    a = allocate(_counts([10, 190], levels=("low", "high")), 100, strata=["rosh"], rule="neyman",
                 anticipated={"low": 0.5, "high": 0.02})
    assert 100 * 5 / (5 + 190 * math.sqrt(0.02 * 0.98)) > 10
    assert a.table["n_h"].tolist() == [10, 90]


def test_equal_allocation_with_caps():
    # n/H = 10 each; the 3-case cell takes 3, the other two share 27 -> 13.5 each, the tie to the first
    a = allocate(_counts([3, 50, 50]), 30, strata=["rosh"], rule="equal")
    assert a.table["n_h"].tolist() == [3, 14, 13]
    assert np.allclose(a.table["target"], [3, 13.5, 13.5])


def test_bounded_targets_sum_and_bounds():
    t = bounded_targets(np.array([1.0, 2, 3, 0]), np.array([1.0, 1, 1, 1]), np.array([2.0, 50, 50, 50]), 20)
    assert math.isclose(t.sum(), 20) and t[0] == 2 and t[3] == 1
    assert math.isclose(t[2] / t[1], 1.5)


def test_single_anticipated_value_makes_neyman_proportional():
    frame = load_frame(synthetic_frame(668, rng=1))
    prop = draw_sample(frame, 132, rng=2019)
    ney = draw_sample(frame, 132, rng=2019, allocation="neyman", anticipated=0.7)
    assert ney.cases["case_id"].tolist() == prop.cases["case_id"].tolist()
    assert any("Neyman allocation is the proportional one" in note for note in ney.notes)


def test_stratified_margin_closed_form():
    # one cell is a simple random sample: z * sqrt(pq/n * (N-n)/(N-1))
    z = z_value(0.8)
    assert math.isclose(stratified_margin([668], [132]), z * math.sqrt(0.25 / 132 * 536 / 667))
    # two cells (Cochran eq. 5.51 by hand)
    v = (0.4 ** 2 * (40 - 10) / 39 * 0.21 / 10) + (0.6 ** 2 * (60 - 5) / 59 * 0.25 / 5)
    assert math.isclose(stratified_margin([40, 60], [10, 5], [0.3, 0.5], confidence_level=0.8), z * math.sqrt(v))


# --------------------------------------------------------------------------- draws
@pytest.fixture(scope="module")
def frame2000():
    return load_frame(synthetic_frame(2000, rng=1))


def test_default_draw_is_unchanged(frame2000):
    default = draw_sample(frame2000, 132, rng=2019)
    explicit = draw_sample(frame2000, 132, rng=2019, allocation="proportional", min_per_cell=0)
    assert default.cases.equals(explicit.cases) and default.reserves.equals(explicit.reserves)
    assert default.allocation.equals(explicit.allocation)
    assert list(default.allocation.columns) == ["cell", "gender", "disposal", "rosh", "N_h", "share", "n_h",
                                                "reserves", "reserves_wanted"]
    assert "matching" not in default.balance.columns and default.manifest["matched"] is True
    small = load_frame(synthetic_frame(668, rng=1))
    assert draw_sample(small, 132, rng=2019).cases["case_id"].iloc[:3].tolist() == \
        ['KSS0000124', 'KSS0000390', 'KSS0000421']


def test_min_per_cell_leaves_no_cell_empty_and_weights_sum_to_N_h(frame2000):
    default = draw_sample(frame2000, 132, rng=2019)
    assert (default.allocation["n_h"] == 0).sum() > 0  # the problem: proportional leaves cells empty
    for kw in ({"min_per_cell": 1}, {"allocation": "equal"}, {"allocation": "equal", "min_per_cell": 2},
               {"allocation": "neyman", "anticipated": {c: (0.5 if "high" in c else 0.85)
                                                        for c in default.allocation["cell"]}, "min_per_cell": 1}):
        s = draw_sample(frame2000, 132, rng=2019, **kw)
        a = s.allocation
        assert a["n_h"].sum() == 132 and (a["n_h"] >= 1).all() and (a["n_h"] <= a["N_h"]).all()
        got = s.cases.groupby("cell")["SamplingWeight"].sum()
        want = a.set_index("cell")["N_h"]
        assert np.allclose(got.reindex(want.index), want)
        assert np.allclose(s.cases["SelectionProb"] * s.cases["SamplingWeight"], 1.0)
        assert math.isclose(s.cases["SamplingWeight"].sum(), 2000)
        # reserves in the same cells, following the rule
        assert set(s.reserves["cell"]) <= set(a.loc[a["n_h"] > 0, "cell"])
        assert s.manifest["matched"] is False and "matching" in s.balance.columns
        assert any("not matched to the population's mix by design" in note for note in s.notes)
        assert verify_manifest(frame2000, s)


def test_min_per_cell_already_met_keeps_the_proportional_draw():
    frame = load_frame(synthetic_frame(3000, rng=42))
    a = draw_sample(frame, 1500, rng=7)
    assert (a.allocation["n_h"] >= 1).all()
    b = draw_sample(frame, 1500, rng=7, min_per_cell=1)
    assert b.cases.equals(a.cases) and b.manifest["matched"] is True


def test_planned_margin_recorded_and_neyman_gains(frame2000):
    cells = draw_sample(frame2000, 132, rng=2019).allocation["cell"]
    p = {c: (0.5 if "high" in c else 0.95 if "low" in c else 0.8) for c in cells}
    s = draw_sample(frame2000, 132, rng=2019, allocation="neyman", anticipated=p, min_per_cell=1)
    m = s.manifest
    N_h, n_h = s.allocation["N_h"].to_numpy(), s.allocation["n_h"].to_numpy()
    assert math.isclose(m["planned_margin"], round(100 * stratified_margin(N_h, n_h), 4))
    assert m["planned_margin_anticipated"] < m["planned_margin_anticipated_proportional"]
    assert m["allocation_rule"] == "neyman" and m["min_per_cell"] == 1 and len(m["anticipated"]) == len(cells)
    text = sampling.draw._draw.margin_note(m)
    assert "(proportional with at least 1 per cell: ±" in text and "narrower" in text


# --------------------------------------------------------------------------- unbiasedness
def _population(size=600, seed=5):
    frame = load_frame(synthetic_frame(size, rng=seed))
    rng = np.random.default_rng(seed)
    data = frame.data
    base = {"low": 0.9, "medium": 0.7, "high": 0.35}
    p = data["rosh"].astype(str).map(base).to_numpy(float) - 0.2 * (data["gender"].astype(str) == "female").to_numpy()
    y = (rng.random(len(data)) < p).astype(float)
    return frame, pd.Series(y, index=data["case_id"].astype(str).to_numpy())


@pytest.mark.parametrize("kw", [{"allocation": "neyman", "min_per_cell": 1}, {"min_per_cell": 1}])
def test_weighted_estimate_is_unbiased_under_the_allocation(kw):
    frame, y = _population()
    truth = float(y.mean())
    if kw.get("allocation") == "neyman":  # anticipated from the cells' true proportions
        cells = draw_sample(frame, 60, rng=0).allocation
        code = frame.data[["gender", "disposal", "rosh"]].astype(str).agg(" / ".join, axis=1).to_numpy()
        means = pd.Series(y.to_numpy(), index=code).groupby(level=0).mean()
        kw = {**kw, "anticipated": {c: float(means[c]) for c in cells["cell"]}}
    estimates = []
    gen = np.random.default_rng(2024)
    for _ in range(300):
        s = draw_sample(frame, 60, rng=gen, **kw)
        w = s.cases["SamplingWeight"].to_numpy()
        estimates.append(float(np.sum(w * y[s.cases["case_id"].astype(str)].to_numpy()) / w.sum()))
    est = np.array(estimates)
    mc_se = est.std(ddof=1) / math.sqrt(len(est))
    assert abs(est.mean() - truth) < 3 * mc_se, (est.mean(), truth, mc_se)


def test_package_weighted_estimator_is_the_per_cell_estimator_under_neyman():
    frame, y = _population()
    cells = draw_sample(frame, 60, rng=0).allocation["cell"]
    s = draw_sample(frame, 60, rng=3, allocation="neyman", min_per_cell=1,
                    anticipated={c: (0.5 if "high" in c else 0.9) for c in cells})
    ids = s.cases["case_id"].astype(str)
    cases = s.cases[["case_id", "gender", "disposal", "rosh"]].astype(str).assign(
        **{"2.1.1": np.where(y[ids].to_numpy() == 1, "yes", "no")})
    pops = s.allocation[["gender", "disposal", "rosh"]].assign(population=s.allocation["N_h"])
    r = sampling.load_results(cases, sample="case_supervision", stratum_populations=pops,
                              strata={"case_supervision": ("gender", "disposal", "rosh")})
    got = float(sampling.weighted_estimates(r).loc[0, "weighted_percent"]) / 100
    w = s.cases["SamplingWeight"].to_numpy()
    assert math.isclose(got, float(np.sum(w * y[ids].to_numpy()) / w.sum()), rel_tol=1e-12)


# --------------------------------------------------------------------------- bad input
def test_bad_allocation_arguments(frame2000):
    with pytest.raises(ArgumentError, match="proportional, neyman, equal"):
        draw_sample(frame2000, 132, allocation="optimal")
    with pytest.raises(ArgumentError, match="0 or more"):
        draw_sample(frame2000, 132, min_per_cell=-1)
    with pytest.raises(ArgumentError, match="too large for a sample of 30"):
        draw_sample(frame2000, 30, min_per_cell=2)
    with pytest.raises(ArgumentError, match="anticipated"):
        draw_sample(frame2000, 132, allocation="neyman")
    with pytest.raises(DataError, match="miss 1 cell"):
        cells = draw_sample(frame2000, 132).allocation["cell"].tolist()
        draw_sample(frame2000, 132, allocation="neyman", anticipated={c: 0.5 for c in cells[1:]})
    table = pd.DataFrame({"rosh": ["low", "medium"], "percent_yes": [80, 60]})
    with pytest.raises(DataError, match="lack stratification"):
        draw_sample(frame2000, 132, allocation="neyman", anticipated=table)
    with pytest.raises(DataError, match="between 0 and 1"):
        draw_sample(frame2000, 132, allocation="neyman", anticipated=1.5)


def test_inspection_toml_draw_keys(tmp_path):
    path = sampling.init_inspection(tmp_path / "i", "Northshire CRC")
    text = path.read_text().replace('# allocation = "proportional"', 'allocation = "equal"').replace(
        "# min_per_cell = 1", "min_per_cell = 1")
    path.write_text(text)
    assert dict(load_inspection(path).draw) == {"allocation": "equal", "min_per_cell": 1}
    path.write_text(text.replace('allocation = "equal"', 'allocation = "optimal"'))
    with pytest.raises(DataError, match="draw.allocation"):
        load_inspection(path)
    path.write_text(text.replace("min_per_cell = 1", "min_per_cell = -1"))
    with pytest.raises(DataError, match="draw.min_per_cell"):
        load_inspection(path)


# --------------------------------------------------------------------------- CLI, workbook, verify
def _fill(path, seed=0):
    book = openpyxl.load_workbook(path)
    sheet = book["fieldwork"]
    questions = [c.column for c in sheet[1] if str(c.value)[:1].isdigit()]
    rng = np.random.default_rng(seed)
    for row in range(2, sheet.max_row + 1):
        for col in questions:
            sheet.cell(row, col).value = "Yes" if rng.random() < 0.75 else "No"
    book.save(path)


def test_cli_neyman_from_a_previous_workbook_verifies(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = synthetic_frame(900, rng=4, neutral=True)
    frame.to_csv("frame.csv", index=False)
    assert main(["draw", "frame.csv", "--n", "300", "--sample", "case_supervision", "--out", "before.xlsx"]) == 0
    _fill(tmp_path / "before.xlsx")
    capsys.readouterr()
    assert main(["draw", "frame.csv", "--n", "120", "--sample", "case_supervision", "--allocation", "neyman",
                 "--anticipated", "before.xlsx", "--min-per-cell", "1", "--out", "after.xlsx"]) == 0
    out = capsys.readouterr().out
    assert "Planned margin (neyman allocation with at least 1 per cell" in out
    assert "(proportional with at least 1 per cell: ±" in out
    assert "not matched to the population's mix by design" in out and "None" not in out
    draw = sampling.read_draw("after.xlsx")
    assert draw.manifest["allocation_rule"] == "neyman" and (draw.allocation["n_h"] >= 1).all()
    assert "anticipated_p" in draw.allocation.columns
    assert sampling.verify_draw("after.xlsx", "frame.csv").ok
    assert main(["verify", "after.xlsx", "frame.csv"]) == 0
    # the weights reach the analysis: filled, the draw reads back design-weighted
    _fill(tmp_path / "after.xlsx", seed=1)
    results = sampling.read_fieldwork("after.xlsx")
    assert results.stratum_populations and sampling.weighted_estimates(results)["weighted"].all()


def test_cli_bad_allocation_input(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    synthetic_frame(400, rng=4, neutral=True).to_csv("frame.csv", index=False)
    assert main(["draw", "frame.csv", "--n", "50", "--allocation", "neyman", "--anticipated", "nope.xlsx"]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err
    assert main(["draw", "frame.csv", "--n", "10", "--min-per-cell", "3"]) == 2
    assert "too large for a sample of 10" in capsys.readouterr().err
    assert main(["draw", "frame.csv", "--n", "50", "--allocation", "neyman"]) == 2
    assert "--anticipated" in capsys.readouterr().err


def test_cli_takes_draw_settings_from_inspection_toml_and_flags_override(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = sampling.init_inspection(tmp_path / "i", "Northshire CRC")
    path.write_text(path.read_text().replace('# allocation = "proportional"', 'allocation = "equal"')
                    .replace("# min_per_cell = 1", "min_per_cell = 1"))
    synthetic_frame(900, rng=4, neutral=True).to_csv("frame.csv", index=False)
    assert main(["draw", "frame.csv", "--inspection", "i", "--n", "100", "--json"]) == 0
    m = __import__("json").loads(capsys.readouterr().out)["manifest"]
    assert m["allocation_rule"] == "equal" and m["min_per_cell"] == 1 and m["matched"] is False
    assert main(["draw", "frame.csv", "--inspection", "i", "--n", "100", "--allocation", "proportional",
                 "--min-per-cell", "0", "--json"]) == 0
    m = __import__("json").loads(capsys.readouterr().out)["manifest"]
    assert m["allocation_rule"] == "proportional" and m["min_per_cell"] == 0 and m["matched"] is True
