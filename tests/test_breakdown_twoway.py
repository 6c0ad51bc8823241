"""Two-way breakdowns and the wide layout (issue 22 item 7): ``breakdown(by=["Office", "Sex"])``
and ``--by Office,Sex``, with the design-weighted estimate and standard error of each
cross-classified subgroup equal to R ``survey``'s ``svyby``.

Reference values: R 4.x, package ``survey``, ``tests/r/compare_design.R`` part 3 on the
'before' inspection of ``tests/r/compare_design.csv`` (strata Sex × Risk with N_h; Office is not
a stratum, so its subgroups are domains cutting across strata)::

    des <- svydesign(ids=~1, strata=~stratum, fpc=~N_h, data=d[d$inspection == "before", ])
    svyby(~q, ~Office + Sex, subset(des, !is.na(q)), svymean)
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sampling
from sampling.cli import main
from sampling.errors import ArgumentError

sys.path.insert(0, str(Path(__file__).parent))
from test_compare_design import KQ, _filled_draw, side  # noqa: E402

#: svyby (estimate, SE) per question and subgroup "Office/Sex" or "Sex/Risk"
R_SVYBY = {
    "q1": {"Ashford/female": (0.500000000000000, 0.204537108054819),
           "Brighton/female": (0.540000000000000, 0.185677057895076),
           "Crawley/female": (0.500000000000000, 0.352541790835802),
           "Ashford/male": (0.842815814850530, 0.079095099071362),
           "Brighton/male": (0.728333333333333, 0.089305591865061),
           "Crawley/male": (0.637271214642263, 0.137897497041520),
           "female/high": (0.333333333333333, 0.191899444567713),
           "male/high": (0.636363636363636, 0.098348779350611),
           "female/low": (0.625000000000000, 0.170346285967312),
           "male/low": (0.833333333333333, 0.064919637914680)},
    "q2": {"Ashford/female": (0.680000000000000, 0.186999863712708),
           "Brighton/female": (0.540000000000000, 0.185677057895076),
           "Crawley/female": (0.500000000000000, 0.352541790835802),
           "Ashford/male": (0.894889103182256, 0.067219532416825),
           "Brighton/male": (0.910000000000000, 0.056690904214783),
           "Crawley/male": (0.728785357737105, 0.126112988585436),
           "female/high": (0.333333333333333, 0.191899444567713),
           "male/high": (0.772727272727273, 0.085678020809389),
           "female/low": (0.750000000000000, 0.152362350055011),
           "male/low": (0.933333333333333, 0.043452532784223)},
    "q3": {"Ashford/female": (0.439024390243902, 0.209531390534119),
           "Brighton/female": (0.264705882352941, 0.222129909702758),
           "Crawley/female": (0.500000000000000, 0.352541790835802),
           "Ashford/male": (0.430628272251309, 0.122950114361943),
           "Brighton/male": (0.383966244725738, 0.128533982299754),
           "Crawley/male": (1.000000000000000, 0.000000000000000),
           "female/high": (0.200000000000000, 0.178373604709730),
           "male/high": (0.363636363636364, 0.139086177600473),
           "female/low": (0.500000000000000, 0.203149800073348),
           "male/low": (0.550000000000000, 0.106139140948942)},
}


@pytest.mark.parametrize("by", [["Office", "Sex"], "Sex,Risk"])
def test_cross_classified_estimates_and_se_equal_r_svyby(by):
    bd = sampling.breakdown(side("before"), by)
    t = bd.table.set_index(["subgroup", "key_question"])
    checked = 0
    for q, kq in KQ.items():
        for name, (est, se) in R_SVYBY[q].items():
            g = name.replace("/", " / ")
            if (g, kq) not in t.index:
                continue
            assert t.loc[(g, kq), "weighted_percent"] / 100 == pytest.approx(est, abs=1e-9)
            assert t.loc[(g, kq), "se"] / 100 == pytest.approx(se, abs=1e-9)
            checked += 1
    assert checked == (18 if isinstance(by, list) else 12)


def test_names_order_and_populations():
    r = side("before")
    bd = sampling.breakdown(r, ["Office", "Sex"])
    assert bd.by == "Office × Sex" and bd.by_columns == ("Office", "Sex")
    s = bd.subgroups
    assert list(s["subgroup"]) == ["Ashford / female", "Ashford / male", "Brighton / female", "Brighton / male",
                                   "Crawley / female", "Crawley / male"]
    assert list(s.columns[:3]) == ["subgroup", "Office", "Sex"]
    # Office is no stratum: N_g = Σ N_h/n_h over the subgroup's cases
    d = r.cases.assign(w=0.0)
    cells = r.stratum_populations["case_supervision"]
    for row in cells.itertuples():
        m = (d["Sex"] == row.Sex) & (d["Risk"] == row.Risk)
        d.loc[m, "w"] = row.population / row.n
    expected = d.groupby([d["Office"], d["Sex"]])["w"].sum()
    for rec in s.itertuples():
        assert rec.population == int(np.floor(expected[(rec.Office, rec.Sex)] + 0.5))
        assert rec.population_source == "N_h weights"
    # strata columns: N_g = Σ N_h, exactly
    sr = sampling.breakdown(r, ["Sex", "Risk"]).subgroups.set_index("subgroup")
    assert sr.loc["female / high", "population"] == 35 and set(sr["population_source"]) == {"N_h"}


def test_small_n_rule_is_stated_and_nothing_is_hidden():
    bd = sampling.breakdown(side("before"), ["Office", "Sex"], bands=True)
    few = bd.table[bd.table["few_cases"]]
    assert len(few) and few["band"].isna().all() and few["percent"].notna().all()
    text = " ".join(bd.notes)
    assert "nothing is hidden" in text and "fewer than 10" in text and "cross-classify Office × Sex" in text
    wide = bd.wide(text=True)
    assert wide.loc[wide["subgroup"] == "Crawley / female", "2.1.1"].item() == "50.0 (2)*"


def test_wide_layout_numbers():
    bd = sampling.breakdown(side("before"), "Sex,Risk")
    w = bd.wide()
    assert list(w.columns[:5]) == ["subgroup", "Sex", "Risk", "cases", "population"]
    row = w.set_index("subgroup").loc["male / low"]
    assert row["2.1.1 %"] == pytest.approx(100 * R_SVYBY["q1"]["male/low"][0], abs=1e-9)
    assert row["2.1.1 n"] == 30 and row["population"] == 250
    one = sampling.breakdown(side("before"), "Office").wide()
    assert "Office" not in one.columns and len(one) == 3


def test_contrast_and_pairs_on_cross_classified_subgroups():
    bd = sampling.breakdown(side("before"), ["Sex", "Risk"], contrast=("male / low", "female / low"))
    assert set(bd.differences["subgroup_a"]) == {"male / low"} and len(bd.differences) == 3
    assert len(sampling.breakdown(side("before"), ["Sex", "Risk"], pairs=True).differences) == 3 * 6


def test_bad_columns_are_named():
    with pytest.raises(ArgumentError, match="a column of the cases"):
        sampling.breakdown(side("before"), ["Office", "Team"])
    with pytest.raises(ArgumentError, match="different columns"):
        sampling.breakdown(side("before"), ["Office", "office"])


def test_cli_by_two_columns_wide_and_report(tmp_path, capsys):
    a = _filled_draw(tmp_path, "before", 150, 40, 3)
    capsys.readouterr()
    assert main(["analyse", str(a), "--by", "gender,rosh", "--resamples", "50"]) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.split())
    assert "gender × rosh" in out and "male / low" in out and "--pairs" in flat and "--wide" in flat
    assert main(["analyse", str(a), "--by", "gender,rosh", "--wide", "--resamples", "50"]) == 0
    out = capsys.readouterr().out
    assert "Design-weighted % yes (n applicable cases)" in out and "None" not in out
    header = next(line for line in out.splitlines() if line.startswith("subgroup"))
    assert "2.1.1" in header and "2.4.3" in header
    assert main(["analyse", str(a), "--wide", "--resamples", "50"]) != 0
    assert "applies with --by" in capsys.readouterr().err
    assert main(["report", str(a), "--by", "gender,rosh", "--resamples", "50", "--out", str(tmp_path / "rep"),
                 "--quiet"]) == 0
    sheets = pd.ExcelFile(tmp_path / "rep" / "report.xlsx").sheet_names
    assert "by_gender_rosh" in sheets and "by_gender_rosh_wide" in sheets


def test_differences_are_of_the_weighted_estimates_and_their_design_intervals():
    """The differences combine each subgroup's design-weighted Wilson interval (the rows'
    interval with method="wilson"; the default rows take the stratified finite-population
    interval, but the MOVER differences keep the score limits, as compare does)."""
    bd = sampling.breakdown(side("before"), ["Sex", "Risk"], contrast=("male / low", "female / low"),
                            method="wilson")
    t = bd.table.set_index(["subgroup", "key_question"])
    for r in bd.differences.itertuples():
        a, b = t.loc[(r.subgroup_a, r.key_question)], t.loc[(r.subgroup_b, r.key_question)]
        pa, pb = a["weighted_percent"], b["weighted_percent"]
        assert r.difference == pytest.approx(pa - pb, abs=1e-12) and r.percent_a == pytest.approx(pa)
        lo = (pa - pb) - np.sqrt((pa - a["low"]) ** 2 + (b["high"] - pb) ** 2)
        hi = (pa - pb) + np.sqrt((a["high"] - pa) ** 2 + (pb - b["low"]) ** 2)
        assert (r.low, r.high) == pytest.approx((lo, hi), abs=1e-9)
        assert r.note == "design-weighted"
    assert "of the design-weighted %s" in " ".join(bd.notes)
    assert "variance_wr" not in bd.table.columns


def test_populations_from_a_frame_or_given_for_cross_classified_subgroups():
    cases = pd.DataFrame({"case_id": [f"c{i}" for i in range(24)],
                          "Office": ["North", "South"] * 12, "Sex": ["female"] * 8 + ["male"] * 16,
                          "2.1.1": ["yes", "no", "yes"] * 8})
    r = sampling.load_results(cases, sample="case_supervision", population=120)
    frame = pd.DataFrame({"Office": ["North"] * 50 + ["South"] * 70, "Sex": (["female"] * 20 + ["male"] * 30)
                          + (["female"] * 25 + ["male"] * 45)})
    bd = sampling.breakdown(r, "Office,Sex", frame=frame)
    s = bd.subgroups.set_index("subgroup")
    assert list(s.index) == ["North / female", "North / male", "South / female", "South / male"]
    assert s["population"].tolist() == [20, 30, 25, 45] and set(s["population_source"]) == {"frame"}
    given = sampling.breakdown(r, ["Office", "Sex"], populations={("North", "female"): 20, "North / male": 30,
                                                                  ("south", "Female"): 25, ("South", "male"): 45})
    assert given.subgroups["population"].tolist() == [20, 30, 25, 45]
    est = sampling.breakdown(r, ["Office", "Sex"]).subgroups
    assert set(est["population_source"]) == {"estimated"}
