"""``sampling export`` / :func:`sampling.export_design` (issue 22 item 8): a design another
package reads, and R ``survey`` on the exported file gives our estimate and standard error.

Reference values: R 4.x, package ``survey`` (Lumley), on the files this test exports::

    suppressMessages(library(survey))
    d <- read.csv("design.csv")
    # design A (no single-case stratum): the standard call
    des <- svydesign(ids=~1, strata=~stratum, fpc=~N_h, weights=~weight, data=d)
    # the draw workbook (single-case strata): the package's pooled variance strata
    des <- svydesign(ids=~1, strata=~var_stratum, fpc=~var_N, weights=~weight, data=d)
    for (q in grep("^q_", names(d), value=TRUE)) {
      m <- svymean(as.formula(paste0("~", q)), subset(des, !is.na(d[[q]])))
      cat(q, sprintf("%.17g", coef(m)), sprintf("%.17g", SE(m)), "\\n")
    }
"""
from __future__ import annotations

import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

import sampling
from sampling.cli import main
from sampling.errors import ArgumentError, DataError

SAMPLE = "case_supervision"
Y, N, NA = 1, 0, None
#: design A of tests/test_weights.py: N = 56 in four strata, n = 25
A = {"N_h": {"a": 20, "b": 17, "c": 11, "d": 8},
     "h": list("aaaaaaaaabbbbbbbbcccccddd"),
     "q1": [Y, N, Y, Y, Y, N, N, Y, N, Y, Y, N, Y, Y, N, Y, N, Y, N, N, N, N, Y, Y, N],
     "q2": [NA, Y, Y, NA, Y, Y, Y, Y, NA, N, Y, N, Y, N, NA, NA, N, NA, Y, NA, N, NA, Y, NA, NA]}
R_A = {"q_2.1.1": (0.52266865079365077, 0.077832023631303718),
       "q_2.1.2": (0.6772247360482655, 0.079820703201234522)}
#: the draw workbook below (79-case frame, n = 34, 6 single-case strata)
R_DRAW = {
    "q_2.1.1": (0.49826632930372039, 0.071835140865996266),
    "q_2.1.2": (0.70015876616012707, 0.079567182283332191),
    "q_2.1.3": (0.63495307999628359, 0.06600778306533002),
    "q_2.2.1": (0.49703145768719542, 0.078084468484264896),
    "q_2.2.2": (0.52024446142093195, 0.085273589818991441),
    "q_2.2.3": (0.63318477888241342, 0.083658269656240153),
    "q_2.3.1": (0.7685296646603611, 0.06051682290011668),
    "q_2.3.2": (0.61953532479848272, 0.074682506282411187),
    "q_2.3.3": (0.57192982456140351, 0.074609054457311239),
    "q_2.4.1": (0.64691161415083609, 0.079388508792992876),
    "q_2.4.2": (0.82883817427385897, 0.056373781590724266),
    "q_2.4.3": (0.68060406821450581, 0.077883834289180151),
}


def _results_a():
    code = {1: "yes", 0: "no", None: "n/a"}
    cases = pd.DataFrame({"case_id": [f"c{i:02d}" for i in range(25)], "h": A["h"],
                          "2.1.1": [code[v] for v in A["q1"]], "2.1.2": [code[v] for v in A["q2"]]})
    cells = pd.DataFrame({"h": list(A["N_h"]), "population": list(A["N_h"].values())})
    return sampling.load_results(cases, sample=SAMPLE, stratum_populations=cells)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """`sampling draw --sample` on a 79-case frame, n = 34, every case scored."""
    root = tmp_path_factory.mktemp("export")
    sampling.synthetic_frame(79, rng=8).to_csv(root / "frame.csv", index=False)
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


def _ours(results):
    est = sampling.weighted_estimates(results)
    return {f"q_{k}": (p / 100, v ** 0.5)
            for k, p, v in zip(results.summary["key_question"], est["weighted_percent"], est["variance"])}


def test_r_survey_on_the_export_equals_ours_design_a(tmp_path):
    r = _results_a()
    table = sampling.export_design(r, tmp_path / "a.csv")
    back = pd.read_csv(tmp_path / "a.csv")
    assert list(back.columns[:10]) == ["case_id", "sample", "h", "stratum", "N_h", "n_h", "weight", "fpc",
                                       "var_stratum", "var_N"]
    assert (back["stratum"] == back["var_stratum"]).all()        # no single-case stratum
    assert back.groupby("stratum")["weight"].sum().round(9).to_dict() == {
        f"{SAMPLE}: {h}": N for h, N in A["N_h"].items()}
    assert back["q_2.1.1"].tolist() == A["q1"]
    assert back["q_2.1.2"].isna().tolist() == [v is None for v in A["q2"]]
    assert len(table) == 25
    ours = _ours(r)
    for q, (p, se) in R_A.items():
        assert ours[q] == pytest.approx((p, se), abs=1e-12)


def test_r_survey_on_the_cli_export_of_a_draw_workbook(filled, tmp_path, capsys):
    out = tmp_path / "design.csv"
    assert main(["export", str(filled), "--to", str(out)]) == 0
    text = capsys.readouterr().out
    assert "wrote" in text and "svydesign(ids=~1, strata=~var_stratum, fpc=~var_N, weights=~weight" in text
    d = pd.read_csv(out)
    # one cell of the frame (N_h = 1) got no case: the weights add up to the 78 cases of the sampled cells
    assert len(d) == 34 and d["weight"].sum() == pytest.approx(78)
    assert "1 eligible case(s) in stratum cells with no sampled case" in text
    assert (d["fpc"] == d["n_h"] / d["N_h"]).all()
    assert (d.loc[d["n_h"] == 1, "var_stratum"].nunique()) == 1  # the single-case strata pooled
    ours = _ours(sampling.read_fieldwork(filled))
    assert set(ours) == set(R_DRAW)
    for q, (p, se) in R_DRAW.items():
        assert ours[q] == pytest.approx((p, se), abs=1e-12)


def test_long_layout(filled, tmp_path, capsys):
    out = tmp_path / "long.csv"
    assert main(["export", str(filled), "--to", str(out), "--long"]) == 0
    assert "long layout" in capsys.readouterr().out
    d = pd.read_csv(out, dtype={"key_question": str})
    assert len(d) == 34 * 12 and list(d.columns[-2:]) == ["key_question", "answer"]
    wide = sampling.export_design(sampling.read_fieldwork(filled))
    one = d[d["key_question"] == "2.1.1"].set_index("case_id")["answer"]
    assert one.sort_index().tolist() == pytest.approx(
        wide.set_index("case_id")["q_2.1.1"].astype(float).sort_index().tolist(), nan_ok=True)


def test_bad_input_is_one_line(tmp_path, filled, capsys):
    assert main(["export", str(filled), "--to", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert "--to" in err and "Traceback" not in err
    assert main(["export", str(filled), "--to", str(tmp_path / "no" / "dir" / "x.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err
    with pytest.raises(ArgumentError):
        sampling.export_design(_results_a(), layout="tall")
    cases = pd.DataFrame({"case_id": ["a", "b"], "2.1.1": ["yes", "no"]})
    with pytest.raises(DataError, match="no design weight"):
        sampling.export_design(sampling.load_results(cases, sample=SAMPLE))


def test_without_strata_one_stratum_of_n(tmp_path):
    cases = pd.DataFrame({"case_id": ["a", "b", "c"], "2.1.1": ["yes", "no", "yes"]})
    t = sampling.export_design(sampling.load_results(cases, sample=SAMPLE, population=30))
    assert t["N_h"].tolist() == [30] * 3 and t["weight"].tolist() == [10.0] * 3
